"""Every write to households and members, each in one transaction with its audit row."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record
from minqing.core.identity import (
    normalize_id_number,
    normalize_phone,
    parse_id_number,
    validate_phone,
)
from minqing.core.personal import IdNumber, PersonalValue, lookup_hash_for
from minqing.core.scope import scope_for
from minqing.core.text import pinyin_keys

from .models import EconomicStatus, HardshipGrading, HardshipLevel, Household, Member, Tag, Tagging


def member_fill_derived(member: Member) -> None:
    """Name pinyin, and birth date and sex from a valid ID number."""
    member.name_pinyin, member.name_initials = pinyin_keys(member.name)
    if member.id_number:
        facts = parse_id_number(member.id_number.reveal())
        member.birth_date, member.sex = facts.birth_date, facts.sex


def _check_member_identifiers(*, id_number: str | None, phone: str | None, exclude_pk=None) -> None:
    errors = {}
    if id_number:
        try:
            parse_id_number(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
        else:
            digest = lookup_hash_for(IdNumber, normalize_id_number(id_number))
            if Member.objects.filter(id_number_hash=digest).exclude(pk=exclude_pk).exists():
                errors["id_number"] = [_("A resident with this ID number is already registered.")]
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def household_create(
    *,
    actor,
    region,
    address: str,
    code: str,
    size: int = 1,
    economic_status: str = EconomicStatus.UNKNOWN,
    income_sources: list[str] | None = None,
    hardship_level: int = HardshipLevel.NONE,
    note: str = "",
) -> Household:
    household = Household(
        region=region,
        address=address,
        code=code,
        size=size,
        economic_status=economic_status,
        income_sources=income_sources or [],
        hardship_level=hardship_level,
        note=note,
    )
    household.full_clean(exclude=["head"])
    household.save()
    if hardship_level:
        HardshipGrading.objects.create(
            household=household,
            level=hardship_level,
            graded_on=timezone.localdate(),
            graded_by=actor,
        )
    audit_record(action="household.create", obj=household, user=actor)
    return household


@transaction.atomic
def member_add(
    *,
    actor,
    household: Household,
    name: str,
    relation: str = Member.Relation.OTHER,
    id_number: str | None = None,
    phone: str | None = None,
    tags: list[str] = (),
) -> Member:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter the member's name.")]})
    _check_member_identifiers(id_number=id_number, phone=phone)
    member = Member(
        household=household,
        name=name,
        relation=relation,
        id_number=normalize_id_number(id_number) if id_number else None,
        phone=normalize_phone(phone) if phone else None,
    )
    member.id_number = member._meta.get_field("id_number").to_python(member.id_number)
    member.phone = member._meta.get_field("phone").to_python(member.phone)
    member_fill_derived(member)
    member.save()
    for tag in tags:
        if tag not in Tag.values:
            raise ValidationError({"tags": [_("Unknown tag: %(tag)s") % {"tag": tag}]})
        Tagging.objects.create(household=household, member=member, tag=tag)
    if relation == Member.Relation.HEAD and household.head_id is None:
        household.head = member
        household.save(update_fields=["head"])
    audit_record(action="member.add", obj=member, user=actor, detail={"household": household.pk})
    return member


@transaction.atomic
def household_regrade(
    *, actor, household: Household, level: int, graded_on: dt.date, reason: str
) -> HardshipGrading:
    if level not in HardshipLevel.values:
        raise ValidationError({"level": [_("Choose a hardship level from the list.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the new grading.")]})
    household = Household.objects.select_for_update().get(pk=household.pk)
    grading = HardshipGrading.objects.create(
        household=household,
        level=level,
        previous_level=household.hardship_level,
        graded_on=graded_on,
        reason=reason.strip(),
        graded_by=actor,
    )
    household.hardship_level = level
    household.updated_at = timezone.now()
    household.save(update_fields=["hardship_level", "updated_at"])
    audit_record(
        action="household.regrade",
        obj=household,
        user=actor,
        detail={
            "from": grading.previous_level,
            "to": level,
            "on": graded_on.isoformat(),
            "reason": grading.reason,
        },
    )
    return grading


def personal_data_reveal(*, actor, member_pk: int, field: str, reason: str) -> str:
    """Unmask one identifier of one member: a permission, a reason, and an audit row."""
    if field not in {"id_number", "phone"}:
        raise ValidationError({"field": [_("This field cannot be unmasked.")]})
    reason = (reason or "").strip()
    from .selectors import member_get

    member = member_get(user=actor, pk=member_pk)
    if not scope_for(actor).has("people.unmask"):
        audit_record(action="personal.unmask", obj=member, result="denied", detail={"field": field})
        raise PermissionDenied(_("You are not allowed to see full personal identifiers."))
    if len(reason) < 4:
        raise ValidationError(
            {"reason": [_("Give a reason of at least 4 characters for seeing the full value.")]}
        )
    value = getattr(member, field)
    audit_record(action="personal.unmask", obj=member, detail={"field": field, "reason": reason})
    return value.reveal() if isinstance(value, PersonalValue) else ""


def search_audit(*, actor, q: str, hits: int) -> None:
    """Searching residents is a read of personal data: record what was looked for,
    with identifiers masked, and how many households matched."""
    from .search import masked_identifier, parse_query

    parsed = parse_query(q)
    shown = masked_identifier(q) or parsed.text
    audit_record(
        action="people.search", user=actor, detail={"kind": parsed.kind, "query": shown, "hits": hits}
    )
