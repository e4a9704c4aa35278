"""Reads of households and members, always through the data scope."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from minqing.core.audit import audit_record
from minqing.core.scope import get_scoped_or_404, scoped
from minqing.core.treecode import prefix_q

from .models import HardshipGrading, Household, Member, Tagging
from .search import ParsedQuery, parse_query

VIEW = "people.view"


def household_list(
    *, user, region: str = "", hardship: int | str | None = None, tag: str = "", q: str = ""
) -> QuerySet:
    """Households in scope; `hardship` is a level, or "any" for every level above none."""
    qs = scoped(Household, user, VIEW)
    if region:
        qs = qs.filter(prefix_q("region_id", region))
    if hardship == "any":
        qs = qs.filter(hardship_level__gt=0)
    elif hardship is not None:
        qs = qs.filter(hardship_level=hardship)
    if tag:
        qs = qs.filter(id__in=Tagging.objects.filter(tag=tag).values("household_id"))
    if q.strip():
        qs = qs.filter(_search_condition(parse_query(q)))
    return qs.order_by("region_id", "code")


def households_for_list(ids) -> QuerySet:
    """The rows a list page shows, with what it shows of them (not the head's identifiers)."""
    return (
        Household.objects.filter(pk__in=ids)
        .select_related("region__parent", "head")
        .defer("head__id_number", "head__phone", "head__id_number_hash", "head__phone_hash")
    )


def _search_condition(parsed: ParsedQuery) -> Q:
    """The households a search matches: through a member, a tag or the household itself."""
    condition = Q(pk__in=[])
    if parsed.member_q is not None:
        condition |= Q(id__in=Member.objects.filter(parsed.member_q).values("household_id"))
    if parsed.tag:
        condition |= Q(id__in=Tagging.objects.filter(tag=parsed.tag).values("household_id"))
    if parsed.household_q is not None:
        condition |= parsed.household_q
    return condition


def member_search(*, user, q: str) -> QuerySet:
    parsed = parse_query(q)
    qs = scoped(Member, user, VIEW).select_related("household", "household__region")
    if parsed.kind == "empty":
        return qs.none()
    if parsed.member_q is not None:
        return qs.filter(parsed.member_q).order_by("name", "id")
    if parsed.kind == "label":
        households = household_list(user=user, q=q).values("id")
        return qs.filter(household_id__in=households).order_by("household_id", "id")
    return qs.none()


def household_get(*, user, pk: int) -> Household:
    household = get_scoped_or_404(
        Household.objects.select_related("region", "region__parent", "head").prefetch_related(
            Prefetch("members", queryset=Member.objects.order_by("id").prefetch_related("taggings")),
            Prefetch("gradings", queryset=HardshipGrading.objects.select_related("graded_by")),
            Prefetch("taggings", queryset=Tagging.objects.filter(member__isnull=True)),
        ),
        user,
        VIEW,
        pk=pk,
    )
    # Reading a household's personal data is a processing act under PIPL: record it.
    audit_record(action="household.view", obj=household)
    return household


def member_get(*, user, pk: int) -> Member:
    return get_scoped_or_404(Member.objects.select_related("household"), user, VIEW, pk=pk)


def household_changes(*, household: Household) -> list[dict]:
    """The household's changed facts, readable: labels for fields and coded values, and the
    visit each change came from. The caller has already checked the household's scope."""
    from .models import EconomicStatus, HouseholdChange, IncomeSource

    labels = {
        "size": _("Family size"),
        "economic_status": _("Economic status"),
        "income_sources": _("Income sources"),
    }
    codes = {**dict(EconomicStatus.choices), **dict(IncomeSource.choices)}

    def shown(value):
        if isinstance(value, list):
            return "、".join(str(codes.get(v, v)) for v in value)
        return str(codes.get(value, value)) if value is not None else "—"

    changes = list(HouseholdChange.objects.filter(household=household).select_related("changed_by")[:50])
    visit_ids = [int(c.source.split(":")[1]) for c in changes if c.source.startswith("visit:")]
    from minqing.fieldwork.models import Visit

    uuids = dict(Visit.records.filter(pk__in=visit_ids).values_list("pk", "uuid"))
    return [
        {
            "changed_at": c.changed_at,
            "label": labels.get(c.field, c.field),
            "before": shown(c.old),
            "after": shown(c.new),
            "source": c.source,
            "changed_by": c.changed_by,
            "visit_uuid": uuids.get(int(c.source.split(":")[1])) if c.source.startswith("visit:") else None,
        }
        for c in changes
    ]
