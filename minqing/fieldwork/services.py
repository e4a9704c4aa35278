"""Every write of field work, each in one transaction with its audit row."""

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from minqing.core import prepared
from minqing.core.audit import audit_record
from minqing.core.dates import day_text, month_text
from minqing.core.identity import mask_text_identifiers, validate_phone
from minqing.people.models import EconomicStatus, Household, HouseholdChange, IncomeSource, Member
from minqing.programs.models import Campaign, LiaisonPoint, Team
from minqing.programs.rules._periods import month_end, next_month
from minqing.programs.services import target_region

from .models import (
    Activity,
    ActivityChange,
    AttendanceDay,
    Commitment,
    Deed,
    HelpPlan,
    Incident,
    MonthlyReport,
    ReliefPayment,
    TeamSummary,
    Visit,
    VisitChange,
    WorkLog,
)

FOUND_FIELDS = {"size", "economic_status", "income_sources", "family_planning", "social_ties", "contacts"}


def payload_digest(payload: dict) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _campaign_form(campaign: Campaign, form: str, target=None) -> None:
    """The form is one of the campaign's and, when the target is given, fits it
    (Campaign.visit_forms_for): 走访企业 is no form for a household."""
    forms = {f["key"] for f in campaign.config.get("visit_forms", [])}
    if forms and form not in forms:
        raise ValidationError({"form": [_("This campaign has no visit form “%(form)s”.") % {"form": form}]})
    if not forms or target is None:
        return
    fitting = campaign.visit_forms_for(*_target_kind(target))
    if form not in {f["key"] for f in fitting}:
        raise ValidationError(
            {
                "form": [
                    _("“%(form)s” does not fit this target (%(target)s); the forms for it: %(forms)s.")
                    % {
                        "form": campaign.visit_form_name(form),
                        "target": _target_kind_label(target),
                        "forms": pgettext("list separator", ", ").join(f"“{f['name']}”" for f in fitting),
                    }
                ]
            }
        )


def _target_kind(target) -> tuple[str, str]:
    """A visit's target as visit forms name it: ("household", ""), ("member", "") or
    ("point", its kind)."""
    if isinstance(target, LiaisonPoint):
        return "point", target.kind
    return ("member", "") if isinstance(target, Member) else ("household", "")


def _target_kind_label(target) -> str:
    if isinstance(target, LiaisonPoint):
        return str(target.get_kind_display())
    return str((Member if isinstance(target, Member) else Household)._meta.verbose_name)


def _check_in_campaign(campaign: Campaign, day: dt.date) -> None:
    if day < campaign.start or (campaign.end and day > campaign.end):
        raise ValidationError({"date": [_("The date lies outside the campaign.")]})
    if day > timezone.localdate():
        raise ValidationError({"date": [_("The date lies in the future.")]})


def _check_team_on(team: Team | None, day: dt.date) -> None:
    """A record may name a team only for a day it still counted (not after it was dissolved):
    one made later, offline, for a day before is accepted."""
    if team is not None and team.dissolved_by(day):
        raise ValidationError(
            {
                "team": [
                    _("%(team)s was dissolved on %(date)s: a record of a later day cannot name it.")
                    % {"team": team.name, "date": day_text(team.dissolved_on)}
                ]
            }
        )


def _check_point_on(point: LiaisonPoint | None, day: dt.date, field: str) -> None:
    """A record at a point only for a day it still counted (not after it was retired): one
    made later, offline, for a day before is accepted."""
    if point is not None and point.retired_by(day):
        raise ValidationError(
            {
                field: [
                    _("%(point)s was retired on %(date)s: a record of a later day cannot name it.")
                    % {"point": point.name, "date": day_text(point.retired_on)}
                ]
            }
        )


def _apply_found(*, actor, household: Household, found: dict, visit: Visit) -> None:
    """What a visit found about a household flows into its record, each change kept."""
    unknown = set(found) - FOUND_FIELDS
    if unknown:
        raise ValidationError(
            {"found": [_("Unknown facts: %(names)s") % {"names": ", ".join(sorted(unknown))}]}
        )
    changes = {}
    if "size" in found:
        try:
            size = int(found["size"])
        except (TypeError, ValueError):
            raise ValidationError({"found": [_("The family size must be a whole number.")]}) from None
        if not 1 <= size <= 30:
            raise ValidationError({"found": [_("The family size must be between 1 and 30.")]})
        changes["size"] = size
    if "economic_status" in found:
        # "Not given" is no finding: a visit records what the cadre saw.
        if (
            found["economic_status"] not in EconomicStatus.values
            or found["economic_status"] == EconomicStatus.UNKNOWN
        ):
            raise ValidationError({"found": [_("Choose an economic status from the list.")]})
        changes["economic_status"] = found["economic_status"]
    if "income_sources" in found:
        sources = found["income_sources"]
        if not isinstance(sources, list) or any(s not in IncomeSource.values for s in sources):
            raise ValidationError({"found": [_("Choose income sources from the list.")]})
        changes["income_sources"] = sorted(set(sources))
    for field, value in changes.items():
        old = getattr(household, field)
        if old != value:
            HouseholdChange.objects.create(
                household=household,
                field=field,
                old=old,
                new=value,
                source=f"visit:{visit.pk}",
                changed_by=actor,
            )
            setattr(household, field, value)
    if changes:
        household.updated_at = timezone.now()
        household.save(update_fields=[*changes, "updated_at"])


# Visits ------------------------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    actor,
    campaign: Campaign,
    cadre,
    date: dt.date,
    form: str,
    target,
    content: str = "",
    outcome: str = "",
    found: dict | None = None,
    problems: list[str] | None = None,
    others_present=(),
    latitude=None,
    longitude=None,
    uuid=None,
    digest: str = "",
) -> Visit:
    _check_in_campaign(campaign, date)
    field = {Household: "household", Member: "member", LiaisonPoint: "point"}.get(type(target))
    if field is None:
        raise ValidationError({"target": [_("Choose whom the visit was with.")]})
    _campaign_form(campaign, form, target)
    if field == "point":
        _check_point_on(target, date, "target")
    if problems is not None and not (
        isinstance(problems, list) and all(isinstance(p, str) for p in problems)
    ):
        raise ValidationError({"problems": [_("List the problems raised as text, one item each.")]})
    if found is not None and not isinstance(found, dict):
        raise ValidationError({"found": [_("Give what the visit found as named facts.")]})
    problems = [p.strip() for p in (problems or []) if p and p.strip()]
    visit = Visit(
        campaign=campaign,
        cadre=cadre,
        date=date,
        form=form,
        content=content.strip(),
        outcome=outcome.strip(),
        found=found or {},
        problems=problems,
        latitude=latitude,
        longitude=longitude,
        region_id=target_region(target),
        created_by=actor,
        payload_digest=digest,
        **{field: target},
    )
    if uuid:
        visit.uuid = uuid
    # The INSERT compiled once: uploads make visits all day. A visit uploaded before under
    # this UUID (a retry) is left as it is and nothing else is written.
    if not prepared.insert(visit, unless="uuid" if uuid else None):
        return None
    if others_present:
        visit.others_present.set(others_present)
    household = (
        target if isinstance(target, Household) else target.household if isinstance(target, Member) else None
    )
    if found and household is not None:
        _apply_found(actor=actor, household=household, found=found, visit=visit)
    elif found:
        raise ValidationError(
            {"found": [_("Facts about a household need a household or member as the target.")]}
        )
    _problems_to_demands(actor=actor, visit=visit, household=household)
    audit_record(
        action="visit.record",
        obj=visit,
        # Named by its UUID: the visit's own text names the resident visited (a member).
        object_repr=str(visit.uuid),
        user=actor,
        detail={
            "campaign": campaign.pk,
            "cadre": cadre.pk,
            "date": date.isoformat(),
            "form": form,
            "target": f"{field}:{target.pk}",
            "problems": len(problems),
        },
    )
    return visit


REASON_MAX = 200
# What a correction may change: the problems raised became demands (corrected there) and the
# facts found flowed into the household's record (corrected there).
CORRECTABLE = ("date", "form", "content", "outcome", "others_present")
TEXT_FIELDS = ("content", "outcome")


def _locked_visit(visit: Visit, actor, base_version: int | None) -> Visit:
    from .selectors import visit_may_change

    current = Visit.records.select_for_update().select_related("cadre", "campaign").get(pk=visit.pk)
    if current.withdrawn_at is not None:
        raise ValidationError(_("This visit was withdrawn: it is no longer corrected or withdrawn."))
    if not visit_may_change(user=actor, visit=current):
        raise PermissionDenied
    if base_version is not None and current.version != base_version:
        raise StaleEdit(current)
    return current


def _reason(reason: str, *, required: bool, missing: str = "") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": [missing or _("Give the reason for withdrawing the visit.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("A reason has at most %(n)s characters.") % {"n": REASON_MAX}]})
    return reason


def _shown(field: str, value):
    """A corrected field as the audit row keeps it: dates, forms and cadres as they are, text
    only by its length (a visit's notes name residents and what they said)."""
    if field in TEXT_FIELDS:
        return {"chars": len(value)}
    return value


@transaction.atomic
def visit_correct(
    *,
    actor,
    visit: Visit,
    date: dt.date,
    form: str,
    content: str,
    outcome: str,
    others_present=(),
    reason: str = "",
    base_version: int | None = None,
    digest: str | None = None,
) -> Visit:
    """Correct a visit: its date (within the campaign, not in the future), form, notes and the
    cadres present. Its own cadre may within settings.VISIT_EDIT_DAYS of recording it, the
    campaign office at any time; a stale base_version is refused (StaleEdit). Each change is a
    VisitChange (the fields as they were and became) and an audit row (which fields). `digest`:
    the payload of a correction sent from a phone (sync), kept so that its retry is known."""
    visit = _locked_visit(visit, actor, base_version)
    _check_in_campaign(visit.campaign, date)
    _check_point_on(visit.point, date, "date")
    form = (form or "").strip()
    if not form:
        raise ValidationError({"form": [_("Choose the form of the visit.")]})
    if form != visit.form:  # a form the campaign has dropped since stays on its old visits
        _campaign_form(visit.campaign, form, visit.household or visit.member or visit.point)
    present = list(others_present)
    if any(cadre.pk == visit.cadre_id for cadre in present):
        raise ValidationError(
            {"others_present": [_("The visit's own cadre is not also one of those present.")]}
        )
    reason = _reason(reason, required=False)
    was = {
        "date": visit.date.isoformat(),
        "form": visit.form,
        "content": visit.content,
        "outcome": visit.outcome,
        "others_present": sorted(visit.others_present.values_list("pk", flat=True)),
    }
    now = {
        "date": date.isoformat(),
        "form": form,
        "content": (content or "").strip(),
        "outcome": (outcome or "").strip(),
        "others_present": sorted({cadre.pk for cadre in present}),
    }
    changed = [field for field in CORRECTABLE if was[field] != now[field]]
    if not changed:
        return visit
    visit.date, visit.form, visit.content, visit.outcome = date, form, now["content"], now["outcome"]
    visit.version += 1
    visit.updated_at = timezone.now()
    fields = ["date", "form", "content", "outcome", "version", "updated_at"]
    if digest is not None:
        visit.payload_digest = digest
        fields.append("payload_digest")
    visit.save(update_fields=fields)
    if "others_present" in changed:
        visit.others_present.set(present)
    VisitChange.objects.create(
        visit=visit,
        action=VisitChange.Action.CORRECTED,
        version=visit.version,
        before={field: was[field] for field in changed},
        after={field: now[field] for field in changed},
        reason=reason,
        changed_by=actor,
    )
    audit_record(
        action="visit.correct",
        obj=visit,
        object_repr=str(visit.uuid),
        user=actor,
        detail={
            "version": visit.version,
            "before": {field: _shown(field, was[field]) for field in changed},
            "after": {field: _shown(field, now[field]) for field in changed},
            "reason": reason,
        },
    )
    return visit


@transaction.atomic
def visit_withdraw(*, actor, visit: Visit, reason: str, base_version: int | None = None) -> Visit:
    """Withdraw a visit recorded by mistake: it stays on record (who withdrew it, when and why)
    and stops counting in every figure, rule and report. The demands registered from its
    problems stay: each is a resident's request, closed or withdrawn on its own. Who may: as
    for a correction (visit_may_change)."""
    visit = _locked_visit(visit, actor, base_version)
    reason = _reason(reason, required=True)
    visit.withdrawn_at = timezone.now()
    visit.version += 1
    visit.updated_at = visit.withdrawn_at
    visit.save(update_fields=["withdrawn_at", "version", "updated_at"])
    VisitChange.objects.create(
        visit=visit,
        action=VisitChange.Action.WITHDRAWN,
        version=visit.version,
        reason=reason,
        changed_by=actor,
        changed_at=visit.withdrawn_at,
    )
    audit_record(
        action="visit.withdraw",
        obj=visit,
        object_repr=str(visit.uuid),
        user=actor,
        detail={
            "version": visit.version,
            "campaign": visit.campaign_id,
            "cadre": visit.cadre_id,
            "date": visit.date.isoformat(),
            "problems": len(visit.problems),
            "reason": reason,
        },
    )
    return visit


def demand_contact(visit: Visit, household) -> tuple:
    """Whom a demand raised on a visit names as its contact: the member visited, else the
    household's head; of the two the first with a phone (the resident follows the demand with
    its code and the phone's last four digits). (member, name, phone as stored); a phone that is
    no valid number is left out rather than refusing the visit."""
    people = [p for p in (visit.member, household.head if household is not None else None) if p is not None]
    if not people:
        return None, "", ""
    person = next((p for p in people if p.phone), people[0])
    phone = person.phone.reveal() if person.phone else ""
    if phone:
        try:
            validate_phone(phone)
        except ValidationError:
            phone = ""
    return person, person.name, phone


def _problems_to_demands(*, actor, visit: Visit, household) -> None:
    """Each problem raised on a visit becomes a demand (诉求) registered from the visit, for
    the office to dispatch; each demand names the visit, the household and a contact with
    their phone (demand_contact), so that the resident can follow and rate it. Skipped when
    the recording account may not register demands."""
    from minqing.core.scope import scope_for
    from minqing.tickets.models import Channel
    from minqing.tickets.services import ticket_create

    from .selectors import problem_title

    if not visit.problems or actor is None or not scope_for(actor).has("tickets.create"):
        return
    member, name, phone = demand_contact(visit, household)
    for problem in visit.problems:
        ticket_create(
            actor=actor,
            title=problem_title(problem),
            description=_("Raised on a visit on %(day)s: %(problem)s")
            % {"day": day_text(visit.date), "problem": problem},
            region=visit.region,
            campaign=visit.campaign,
            channel=Channel.VISIT,
            household=household,
            member=member,
            contact_name=name,
            contact_phone=phone,
            point=visit.point,
            extra={"visit": str(visit.uuid)},
        )


# Attendance and work logs ---------------------------------------------------------------


@transaction.atomic
def attendance_check_in(
    *, actor, cadre, point: LiaisonPoint, date: dt.date, uuid=None, digest: str = ""
) -> AttendanceDay:
    if date > timezone.localdate():
        raise ValidationError({"date": [_("The date lies in the future.")]})
    _check_point_on(point, date, "point")
    if AttendanceDay.objects.filter(cadre=cadre, point=point, date=date).exists():
        raise ValidationError({"date": [_("This day is already recorded.")]})
    day = AttendanceDay(cadre=cadre, point=point, date=date, created_by=actor, payload_digest=digest)
    if uuid:
        day.uuid = uuid
    day.save()
    audit_record(
        action="attendance.check_in",
        obj=day,
        user=actor,
        detail={"cadre": cadre.pk, "point": point.pk, "date": date.isoformat()},
    )
    return day


@transaction.atomic
def attendance_decide(*, actor, day: AttendanceDay, confirm: bool, reason: str = "") -> AttendanceDay:
    day = AttendanceDay.objects.select_for_update().select_related("cadre").get(pk=day.pk)
    if actor is not None and day.cadre.account_id == actor.pk:
        raise ValidationError(_("Nobody confirms their own attendance."))
    if day.status != AttendanceDay.Status.PENDING:
        raise ValidationError(_("This day was already decided."))
    if not confirm and not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for rejecting the day.")]})
    day.status = AttendanceDay.Status.CONFIRMED if confirm else AttendanceDay.Status.REJECTED
    day.decided_by, day.decided_at, day.reason = actor, timezone.now(), reason.strip()
    day.version += 1
    day.save(update_fields=["status", "decided_by", "decided_at", "reason", "version"])
    audit_record(
        action="attendance.decide", obj=day, user=actor, detail={"status": day.status, "reason": day.reason}
    )
    return day


@transaction.atomic
def worklog_write(
    *, actor, cadre, point: LiaisonPoint, date: dt.date, content: str, uuid=None, digest: str = ""
) -> WorkLog:
    from .selectors import worklog_points

    _check_worklog(point=point, date=date, content=content)
    # Here, not only in the page and the API: the phone's sync names any point in the scope.
    # The points of the log's day, so a log kept offline past the end of a pairing still arrives.
    if point.pk not in {p.pk for p in worklog_points(user=cadre.account, as_of=date)}:
        raise ValidationError({"point": [_("This point is not among yours.")]})
    log = WorkLog(
        cadre=cadre, point=point, date=date, content=content.strip(), created_by=actor, payload_digest=digest
    )
    if uuid:
        log.uuid = uuid
    try:
        with transaction.atomic():
            log.save()
    except IntegrityError:
        raise ValidationError({"date": [_("There is already a work log for this day and point.")]}) from None
    audit_record(
        action="worklog.write", obj=log, user=actor, detail={"date": date.isoformat(), "point": point.pk}
    )
    return log


def _check_worklog(*, point: LiaisonPoint, date: dt.date, content: str) -> None:
    if not content.strip():
        raise ValidationError({"content": [_("Write what was done that day.")]})
    if date > timezone.localdate():
        raise ValidationError({"date": [_("The date lies in the future.")]})
    _check_point_on(point, date, "point")


@transaction.atomic
def worklog_edit(
    *, actor, log: WorkLog, point: LiaisonPoint, date: dt.date, content: str, base_version: int
) -> WorkLog:
    """Correct a work log (its own cadre): its point, day and text, from the version the editor
    started from; the fields changed are kept in the audit event."""
    log = WorkLog.objects.select_for_update().select_related("cadre__account").get(pk=log.pk)
    if log.version != base_version:
        raise StaleEdit(log)
    _check_worklog(point=point, date=date, content=content)
    changed = [
        field
        for field, old, new in (
            ("point", log.point_id, point.pk),
            ("date", log.date, date),
            ("content", log.content, content.strip()),
        )
        if old != new
    ]
    if not changed:
        return log
    # As on writing: the point must be the cadre's on the (new) day. Only when the point or the
    # day moves, so a log's text stays correctable after the cadre has left a team.
    if {"point", "date"} & set(changed):
        from .selectors import worklog_points

        account = log.cadre.account
        if point.pk not in {p.pk for p in worklog_points(user=account, as_of=date)}:
            raise ValidationError({"point": [_("This point is not among yours.")]})
    if WorkLog.objects.filter(cadre_id=log.cadre_id, point=point, date=date).exclude(pk=log.pk).exists():
        raise ValidationError({"date": [_("There is already a work log for this day and point.")]})
    log.point, log.date, log.content = point, date, content.strip()
    log.version += 1
    log.updated_at = timezone.now()
    log.save(update_fields=["point", "date", "content", "version", "updated_at"])
    # The text itself is not copied into the trail: the field names say what changed.
    audit_record(
        action="worklog.edit",
        obj=log,
        user=actor,
        detail={"fields": changed, "date": date.isoformat(), "version": log.version},
    )
    return log


# Deeds, plans, relief, activities, incidents ---------------------------------------------


def _yuan(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": [_("Enter an amount in yuan.")]}) from None
    if amount < 0 or amount > Decimal("100000000"):
        raise ValidationError({"value": [_("The amount is out of range.")]})
    return amount


@transaction.atomic
def deed_record(
    *,
    actor,
    campaign: Campaign,
    cadre,
    kind: str,
    title: str,
    beneficiary,
    date: dt.date,
    value_yuan=0,
    evidence: str = "",
    uuid=None,
    digest: str = "",
) -> Deed:
    _check_in_campaign(campaign, date)
    if kind not in Deed.Kind.values:
        raise ValidationError({"kind": [_("Choose a kind of deed from the list.")]})
    if not title.strip():
        raise ValidationError({"title": [_("Say what was done.")]})
    if isinstance(beneficiary, Member):
        beneficiary = beneficiary.household
    field = {Household: "household", LiaisonPoint: "point"}.get(type(beneficiary))
    if field is None:
        raise ValidationError({"beneficiary": [_("Choose the household or point that benefited.")]})
    if field == "point":
        _check_point_on(beneficiary, date, "beneficiary")
    deed = Deed(
        campaign=campaign,
        cadre=cadre,
        kind=kind,
        title=title.strip(),
        date=date,
        value_yuan=_yuan(value_yuan),
        evidence=evidence.strip(),
        region_id=beneficiary.region_id,
        created_by=actor,
        payload_digest=digest,
        **{field: beneficiary},
    )
    if uuid:
        deed.uuid = uuid
    deed.save()
    audit_record(
        action="deed.record",
        obj=deed,
        user=actor,
        detail={
            "campaign": campaign.pk,
            "kind": kind,
            "value": str(deed.value_yuan),
            "beneficiary": f"{field}:{beneficiary.pk}",
        },
    )
    return deed


@transaction.atomic
def deed_confirm(*, actor, deed: Deed, on: dt.date) -> Deed:
    deed = Deed.objects.select_for_update().get(pk=deed.pk)
    deed.confirmed_on = on
    deed.version += 1
    deed.save(update_fields=["confirmed_on", "version"])
    audit_record(action="deed.confirm", obj=deed, user=actor, detail={"on": on.isoformat()})
    return deed


@transaction.atomic
def help_plan_create(
    *,
    actor,
    campaign: Campaign,
    cadre,
    title: str,
    target,
    deadline: dt.date,
    commitments: list[tuple[str, dt.date]] = (),
) -> HelpPlan:
    if not title.strip():
        raise ValidationError({"title": [_("Give the plan a title.")]})
    field = {Household: "household", LiaisonPoint: "point"}.get(type(target))
    if field is None:
        raise ValidationError({"target": [_("A plan is for a household or a point.")]})
    plan = HelpPlan.objects.create(
        campaign=campaign,
        cadre=cadre,
        title=title.strip(),
        deadline=deadline,
        region_id=target.region_id,
        **{field: target},
    )
    for text, due in commitments:
        if due > deadline:
            raise ValidationError(
                {"commitments": [_("A commitment cannot be due after the plan's deadline.")]}
            )
        Commitment.objects.create(plan=plan, title=text, due=due)
    audit_record(action="help_plan.create", obj=plan, user=actor, detail={"commitments": len(commitments)})
    return plan


@transaction.atomic
def commitment_add(*, actor, plan: HelpPlan, title: str, due: dt.date) -> Commitment:
    """A milestone added to a plan: due no later than the plan's deadline."""
    if not title.strip():
        raise ValidationError({"title": [_("Say what is committed.")]})
    if due > plan.deadline:
        raise ValidationError({"due": [_("A commitment cannot be due after the plan's deadline.")]})
    commitment = Commitment.objects.create(plan=plan, title=title.strip(), due=due)
    audit_record(
        action="commitment.add", obj=commitment, user=actor, detail={"plan": plan.pk, "due": due.isoformat()}
    )
    return commitment


@transaction.atomic
def commitment_progress(
    *, actor, commitment: Commitment, progress: int, done_on: dt.date | None = None
) -> Commitment:
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": [_("Progress is a percentage from 0 to 100.")]})
    if done_on is not None and done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("The date lies in the future.")]})
    commitment.progress = progress
    commitment.done_on = (done_on or timezone.localdate()) if progress == 100 else None
    commitment.save(update_fields=["progress", "done_on"])
    audit_record(action="commitment.progress", obj=commitment, user=actor, detail={"progress": progress})
    return commitment


@transaction.atomic
def relief_pay(
    *,
    actor,
    campaign: Campaign,
    cadre,
    household: Household,
    amount_yuan,
    date: dt.date,
    team: Team | None = None,
    uuid=None,
    digest: str = "",
) -> ReliefPayment:
    _check_in_campaign(campaign, date)
    _check_team_on(team, date)
    amount = _yuan(amount_yuan)
    if amount <= 0:
        raise ValidationError({"value": [_("The amount must be more than zero.")]})
    payment = ReliefPayment(
        campaign=campaign,
        team=team,
        cadre=cadre,
        household=household,
        amount_yuan=amount,
        date=date,
        region_id=household.region_id,
        created_by=actor,
        payload_digest=digest,
    )
    if uuid:
        payment.uuid = uuid
    payment.save()
    audit_record(
        action="relief.pay",
        obj=payment,
        user=actor,
        detail={"household": household.pk, "amount": str(amount), "team": team.pk if team else None},
    )
    return payment


ACTIVITY_KIND_MAX, ACTIVITY_TITLE_MAX, ACTIVITY_ATTENDANCE_MAX = 40, 200, 100000
# What a correction of an activity may change: not its campaign nor who organized it.
ACTIVITY_FIELDS = ("kind", "title", "date", "team", "point", "attendance")


def _activity_checked(
    *, campaign: Campaign, cadre, kind, title, date: dt.date, team, point, attendance, team_was=None
) -> dict:
    """The fields of an activity as stored, or every field at fault (ValidationError): the same
    checks for one recorded on the web, through the API or from a phone, and for a correction.
    A kind from the campaign's list of activities (the activities rule counts those), or free
    text when it lists none; a team of the campaign that the organizer leads or belongs to
    (`team_was`: the team a corrected activity names already, kept when the organizer has
    left it since), counting on the day; a point in the campaign's region, not retired by the
    day."""
    from minqing.programs.rules.activities_held import activity_names

    errors: dict[str, list] = {}
    try:
        _check_in_campaign(campaign, date)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    names = activity_names(campaign)
    kind, title = str(kind or "").strip(), str(title or "").strip()
    if not kind:
        errors["kind"] = [_("Choose the kind of activity.")]
    elif names and kind not in names:
        errors["kind"] = [_("This campaign lists no activity “%(kind)s”.") % {"kind": kind}]
    elif len(kind) > ACTIVITY_KIND_MAX:
        errors["kind"] = [_("A kind has at most %(n)s characters.") % {"n": ACTIVITY_KIND_MAX}]
    if len(title) > ACTIVITY_TITLE_MAX:
        errors["title"] = [_("A title has at most %(n)s characters.") % {"n": ACTIVITY_TITLE_MAX}]
    if isinstance(attendance, bool) or not isinstance(attendance, int) or attendance < 0:
        errors["attendance"] = [_("Enter a whole number.")]
    elif attendance > ACTIVITY_ATTENDANCE_MAX:
        errors["attendance"] = [_("The number of people attending is out of range.")]
    if team is not None:
        if team.campaign_id != campaign.pk:
            errors["team"] = [_("This team is not one of the campaign's.")]
        elif (
            team.pk != team_was
            and team.leader_id != cadre.pk
            and not team.members.filter(pk=cadre.pk).exists()
        ):
            errors["team"] = [_("The organizer is neither the leader nor a member of this team.")]
    if point is not None and not point.region_id.startswith(campaign.region.prefix):
        errors["point"] = [_("The point lies outside the campaign's region.")]
    for check in (lambda: _check_team_on(team, date), lambda: _check_point_on(point, date, "point")):
        try:
            check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "title": title or names.get(kind, kind),
        "date": date,
        "team": team,
        "point": point,
        "attendance": attendance,
    }


@transaction.atomic
def activity_record(
    *,
    actor,
    campaign: Campaign,
    cadre,
    kind: str,
    title: str,
    date: dt.date,
    team: Team | None = None,
    point: LiaisonPoint | None = None,
    attendance: int = 0,
    uuid=None,
    digest: str = "",
) -> Activity:
    """An activity held by `cadre` (the organizer): checked as _activity_checked says."""
    fields = _activity_checked(
        campaign=campaign,
        cadre=cadre,
        kind=kind,
        title=title,
        date=date,
        team=team,
        point=point,
        attendance=attendance,
    )
    activity = Activity(
        campaign=campaign,
        cadre=cadre,
        region_id=(point.region_id if point else None) or campaign.region_id,
        created_by=actor,
        payload_digest=digest,
        **fields,
    )
    if uuid:
        activity.uuid = uuid
    activity.save()
    audit_record(
        action="activity.record",
        obj=activity,
        # Named by its UUID: a title may name the residents it was held for.
        object_repr=str(activity.uuid),
        user=actor,
        detail={
            "campaign": campaign.pk,
            "kind": activity.kind,
            "date": date.isoformat(),
            "team": activity.team_id,
            "point": activity.point_id,
        },
    )
    return activity


def _locked_activity(activity: Activity, actor, base_version: int | None) -> Activity:
    from .selectors import activity_may_change

    # Not joined with its team or point: PostgreSQL locks no row of an outer join's nullable side.
    current = (
        Activity.records.select_for_update().select_related("cadre", "campaign__region").get(pk=activity.pk)
    )
    if current.withdrawn_at is not None:
        raise ValidationError(_("This activity was withdrawn: it is no longer corrected or withdrawn."))
    if not activity_may_change(user=actor, activity=current):
        raise PermissionDenied
    if base_version is not None and current.version != base_version:
        raise StaleEdit(current)
    return current


def _activity_state(activity: Activity) -> dict:
    """An activity's correctable fields as its history keeps them (ids for the team and point)."""
    return {
        "kind": activity.kind,
        "title": activity.title,
        "date": activity.date.isoformat(),
        "team": activity.team_id,
        "point": activity.point_id,
        "attendance": activity.attendance,
    }


@transaction.atomic
def activity_correct(
    *,
    actor,
    activity: Activity,
    kind: str,
    title: str,
    date: dt.date,
    team: Team | None = None,
    point: LiaisonPoint | None = None,
    attendance: int = 0,
    reason: str = "",
    base_version: int | None = None,
) -> Activity:
    """Correct an activity: its kind, title, day, team, point and attendance, checked as when it
    was recorded. Its organizer may within settings.VISIT_EDIT_DAYS of recording it, the campaign
    office at any time (selectors.activity_may_change); a stale base_version is refused
    (StaleEdit). Each change is an ActivityChange (the fields as they were and became) and an
    audit row."""
    activity = _locked_activity(activity, actor, base_version)
    reason = _reason(reason, required=False)
    fields = _activity_checked(
        campaign=activity.campaign,
        cadre=activity.cadre,
        kind=kind,
        title=title,
        date=date,
        team=team,
        point=point,
        attendance=attendance,
        team_was=activity.team_id,
    )
    was = _activity_state(activity)
    for field, value in fields.items():
        setattr(activity, field, value)
    now = _activity_state(activity)
    changed = [field for field in ACTIVITY_FIELDS if was[field] != now[field]]
    if not changed:
        return activity
    activity.region_id = (activity.point.region_id if activity.point else None) or activity.campaign.region_id
    activity.version += 1
    activity.updated_at = timezone.now()
    activity.save(update_fields=[*ACTIVITY_FIELDS, "region", "version", "updated_at"])
    before = {field: was[field] for field in changed}
    after = {field: now[field] for field in changed}
    ActivityChange.objects.create(
        activity=activity,
        action=ActivityChange.Action.CORRECTED,
        version=activity.version,
        before=before,
        after=after,
        reason=reason,
        changed_by=actor,
    )
    audit_record(
        action="activity.correct",
        obj=activity,
        object_repr=str(activity.uuid),
        user=actor,
        detail={"version": activity.version, "before": before, "after": after, "reason": reason},
    )
    return activity


@transaction.atomic
def activity_withdraw(*, actor, activity: Activity, reason: str, base_version: int | None = None) -> Activity:
    """Withdraw an activity recorded by mistake: it stays on record (who withdrew it, when and
    why) and stops counting for the activities rule and every figure. Who may: as for a
    correction (selectors.activity_may_change)."""
    activity = _locked_activity(activity, actor, base_version)
    reason = _reason(reason, required=True, missing=_("Give the reason for withdrawing the activity."))
    activity.withdrawn_at = timezone.now()
    activity.version += 1
    activity.updated_at = activity.withdrawn_at
    activity.save(update_fields=["withdrawn_at", "version", "updated_at"])
    ActivityChange.objects.create(
        activity=activity,
        action=ActivityChange.Action.WITHDRAWN,
        version=activity.version,
        reason=reason,
        changed_by=actor,
        changed_at=activity.withdrawn_at,
    )
    audit_record(
        action="activity.withdraw",
        obj=activity,
        object_repr=str(activity.uuid),
        user=actor,
        detail={
            "version": activity.version,
            "campaign": activity.campaign_id,
            "cadre": activity.cadre_id,
            "kind": activity.kind,
            "date": activity.date.isoformat(),
            "reason": reason,
        },
    )
    return activity


@transaction.atomic
def incident_record(
    *, actor, campaign: Campaign, point: LiaisonPoint, kind: str, date: dt.date, description: str
) -> Incident:
    if kind not in Incident.Kind.values:
        raise ValidationError({"kind": [_("Choose a kind of incident from the list.")]})
    if not description.strip():
        raise ValidationError({"description": [_("Describe what happened.")]})
    if not point.region_id.startswith(campaign.region.prefix):
        raise ValidationError({"point": [_("The point lies outside the campaign's region.")]})
    _check_in_campaign(campaign, date)
    incident = Incident.objects.create(
        campaign=campaign,
        point=point,
        kind=kind,
        date=date,
        description=description.strip(),
        recorded_by=actor,
    )
    audit_record(
        action="incident.record", obj=incident, user=actor, detail={"kind": kind, "date": date.isoformat()}
    )
    return incident


# Reports -------------------------------------------------------------------------------


def month_figures(*, campaign: Campaign, cadre, month: dt.date) -> dict:
    """The figures of a cadre's month, counted from the records."""
    last = month_end(month)
    visits = Visit.objects.filter(campaign=campaign, cadre=cadre, date__gte=month, date__lte=last)
    deeds = Deed.objects.filter(campaign=campaign, cadre=cadre, date__gte=month, date__lte=last)
    days = AttendanceDay.objects.filter(
        cadre=cadre, status=AttendanceDay.Status.CONFIRMED, date__gte=month, date__lte=last
    )
    return {
        "visits": visits.count(),
        "households_visited": visits.exclude(household=None).values("household").distinct().count(),
        "problems_raised": sum(len(p) for p in visits.values_list("problems", flat=True)),
        "deeds": deeds.count(),
        "deeds_value_yuan": str(sum((d for d in deeds.values_list("value_yuan", flat=True)), Decimal(0))),
        "attendance_days": days.values("date").distinct().count(),
        "visit_list": [
            f"{v['date']}：{mask_text_identifiers(v['content'])[:60]}"
            for v in visits.order_by("date").values("date", "content")[:50]
        ],
        "deed_list": [
            f"{d['date']}：{d['title']}" for d in deeds.order_by("date").values("date", "title")[:50]
        ],
    }


@transaction.atomic
def monthly_report_draft(*, actor, campaign: Campaign, cadre, month: dt.date) -> MonthlyReport:
    month = month.replace(day=1)
    # The day the monthly-report rule checks (Campaign.report_due_day), not a second setting.
    due = next_month(month).replace(day=campaign.report_due_day)
    figures = month_figures(campaign=campaign, cadre=cadre, month=month)
    report, created = MonthlyReport.objects.get_or_create(
        campaign=campaign, cadre=cadre, month=month, defaults={"figures": figures, "due": due}
    )
    if not created and report.status == MonthlyReport.Status.DRAFT:
        report.figures, report.due = figures, due
        report.save(update_fields=["figures", "due"])
    if created:
        report.text = _(
            "In %(month)s I made %(visits)s visits to %(households)s households, recorded %(problems)s problems, "
            "did %(deeds)s deeds worth %(value)s yuan and was at the point on %(days)s days."
        ) % {
            "month": month_text(month),
            "visits": figures["visits"],
            "households": figures["households_visited"],
            "problems": figures["problems_raised"],
            "deeds": figures["deeds"],
            "value": figures["deeds_value_yuan"],
            "days": figures["attendance_days"],
        }
        report.save(update_fields=["text"])
        audit_record(
            action="monthly_report.draft", obj=report, user=actor, detail={"month": month.isoformat()}
        )
    return report


def monthly_report_due_sync(*, campaign: Campaign) -> int:
    """Give the campaign's monthly reports, drafts and submitted alike, the due date of the
    day the campaign asks now (Campaign.report_due_day), as the check judges every month by
    it: called by the campaign's change in its transaction (and audit event). One update a
    month reported on, whatever the number of reports; how many reports moved."""
    day = campaign.report_due_day
    moved = 0
    reports = MonthlyReport.objects.filter(campaign=campaign)
    for month in reports.order_by().values_list("month", flat=True).distinct():
        due = next_month(month).replace(day=day)
        moved += reports.filter(month=month).exclude(due=due).update(due=due)
    return moved


@transaction.atomic
def monthly_report_save(*, actor, report: MonthlyReport, text: str, base_version: int) -> MonthlyReport:
    """Keep the text of a draft to finish later: it stays a draft (not submitted, not on time)."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.version != base_version:
        raise StaleEdit(report)
    if report.status == MonthlyReport.Status.SUBMITTED:
        raise ValidationError(_("This report was already submitted."))
    text = text.strip()
    if text == report.text:
        return report
    report.text = text
    report.version += 1
    report.save(update_fields=["text", "version"])
    audit_record(
        action="monthly_report.edit",
        obj=report,
        user=actor,
        detail={"month": report.month.isoformat(), "version": report.version},
    )
    return report


@transaction.atomic
def monthly_report_submit(
    *, actor, report: MonthlyReport, text: str, on: dt.date, base_version: int
) -> MonthlyReport:
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.version != base_version:
        raise StaleEdit(report)
    if report.status == MonthlyReport.Status.SUBMITTED:
        raise ValidationError(_("This report was already submitted."))
    if not text.strip():
        raise ValidationError({"text": [_("The report is empty.")]})
    report.text, report.status, report.submitted_on = text.strip(), MonthlyReport.Status.SUBMITTED, on
    report.version += 1
    report.save(update_fields=["text", "status", "submitted_on", "version"])
    audit_record(
        action="monthly_report.submit",
        obj=report,
        user=actor,
        detail={"month": report.month.isoformat(), "on": on.isoformat(), "late": report.late},
    )
    return report


def team_figures(*, team: Team, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """A team's figures as stored with its summary: the counts only (research.team_figures with
    no viewer), never the lists that name residents or quote visits; kept as JSON (dates as text)."""
    from .research import LIST_KEYS
    from .research import team_figures as figures_of

    figures = figures_of(team=team, user=None, start=start, end=end)
    figures = {k: v for k, v in figures.items() if k not in LIST_KEYS}
    return json.loads(json.dumps(figures, cls=DjangoJSONEncoder))


def team_summary_submit(*, actor, campaign: Campaign, team: Team, text: str, on: dt.date) -> TeamSummary:
    if not text.strip():
        raise ValidationError({"text": [_("The summary is empty.")]})
    values = {"text": text.strip(), "submitted_on": on, "figures": team_figures(team=team)}
    for attempt in range(2):
        try:
            with transaction.atomic():
                summary, _created = TeamSummary.objects.update_or_create(
                    campaign=campaign, team=team, defaults=values
                )
                audit_record(
                    action="team_summary.submit", obj=summary, user=actor, detail={"on": on.isoformat()}
                )
            return summary
        except IntegrityError:
            # another submit created the team's summary between our read and our insert: the
            # row exists now, so the second attempt updates it.
            if attempt:
                raise
    raise AssertionError("unreachable")


class StaleEdit(Exception):
    """An edit that started from an older version than the record's."""

    def __init__(self, current):
        self.current = current
        super().__init__("stale edit")
