"""What each ledger of a campaign lists and in which columns: the campaign's template says
which ledgers it keeps, where their rows come from (`source`: demands, deeds or the
households in hardship) and which extra fields they carry, grouped under a merged header
where the template gives a `group`.

Rows are built from querysets read with `iterator()`, one chunk at a time, so that a
ledger of any length is written without holding it in memory. Each row's region comes with
its parent and each unit with its parent unit (select_related), so that a villagers' group
is listed under its village and a section under its body without a query per row.

Days are given to the workbook as dates (it writes them as Excel dates, see
minqing.core.spreadsheet), never as text."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from minqing.core.spreadsheet import Column
from minqing.geo.models import village_and_group

CHUNK = 2000
# Petition and dispute case fields: only for those with tickets.sensitive (see tickets.documents).
CASE_FIELDS = ("case_owner", "parties", "history")
# Templates from before `source` existed: the two ledgers that were never lists of demands.
LEGACY_SOURCES = {"deeds": "deeds", "hardship": "hardship"}


@dataclass(frozen=True)
class LedgerSpec:
    key: str
    name: str
    source: str
    fields: tuple = field(default=())

    @property
    def source_label(self) -> str:
        return {
            "tickets": _("Demands"),
            "deeds": _("Deeds"),
            "hardship": _("Households in hardship"),
        }[self.source]


def ledger_specs(campaign) -> list[LedgerSpec]:
    specs = []
    for item in campaign.config.get("ledgers", []):
        source = item.get("source") or LEGACY_SOURCES.get(item["key"], "tickets")
        specs.append(LedgerSpec(item["key"], item["name"], source, tuple(item.get("fields", []))))
    return specs


# Not a ledger of the template: every demand of the campaign, whatever its ledger (the
# demands page's "all demands" download). No template key can be "*": keys are slugs.
ALL_DEMANDS = "*"


def ledger_spec(campaign, key: str) -> LedgerSpec | None:
    if key == ALL_DEMANDS:
        return LedgerSpec(ALL_DEMANDS, _("All demands"), "tickets")
    return next((s for s in ledger_specs(campaign) if s.key == key), None)


def _day(value) -> dt.date | None:
    """The day of a date or a moment (in the server's time zone), for a date cell."""
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _unit(unit) -> str:
    """A unit with its parent ("民政局·办公室"): sections of different bodies share names."""
    return unit.label if unit is not None else ""


def _labels(choices) -> dict:
    """A choice field's labels translated once per export (get_FOO_display translates per row)."""
    return {value: str(label) for value, label in choices}


def _extra_value(spec_field: dict, value) -> str | float:
    if value is None or value == "":
        return ""
    kind = spec_field.get("type")
    if kind == "yesno":
        return _("yes") if value in (True, "true", "1", 1, "yes") else _("no")
    if kind in ("number", "yuan"):
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    if kind == "date" and isinstance(value, str):
        # Kept as ISO text; one that is no day of the calendar is shown as it is.
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return str(value)


def _personal(value, unmasked: bool) -> str:
    if not value:
        return ""
    return value.reveal() if unmasked else value.mask()


def unmask_annotation(condition):
    """A per-row flag: whether the exporting user may see this row's identifiers in full."""
    if condition is None:
        return Value(False, output_field=BooleanField())
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


@dataclass
class LedgerLayout:
    columns: list[Column]
    rows: object  # a generator of lists of cell values


# Demands --------------------------------------------------------------------------------


def ticket_layout(campaign, spec: LedgerSpec, queryset: QuerySet, *, case_fields: bool) -> LedgerLayout:
    from minqing.tickets.models import Satisfaction, Status, Tier

    categories = {c["key"]: c["name"] for c in campaign.config.get("ticket_categories", [])}
    tiers, statuses, verdicts = _labels(Tier.choices), _labels(Status.choices), _labels(Satisfaction.choices)
    extra = [f for f in spec.fields if f["key"] not in CASE_FIELDS]
    cases = []
    if case_fields:
        # Those who may read petition and dispute cases get all three case columns, under the
        # template's own label where it declares the field.
        from minqing.tickets.documents import case_field_labels

        declared = {f["key"]: f for f in spec.fields if f["key"] in CASE_FIELDS}
        labels = case_field_labels()
        cases = [declared.get(key, {"key": key, "label": labels[key], "type": "text"}) for key in CASE_FIELDS]
    reporter, handling = _("Reporter"), _("Handling")
    columns = [
        Column(pgettext("demand", "Code"), 16),
        Column(_("Registered"), 11),
        Column(_("Category"), 10),
        Column(_("Title"), 20),
        Column(_("Description"), 36),
        Column(pgettext("person", "Name"), 8, reporter),
        Column(_("Contact phone"), 13, reporter),
        Column(_("Village or community"), 12),
        Column(_("Villagers' group"), 8),
        Column(_("Liaison point"), 12),
        Column(_("Tier"), 10, handling),
        Column(_("Handling unit"), 20, handling),
        Column(_("Status"), 8, handling),
        Column(_("Deadline"), 11, handling),
        Column(_("Replied"), 11, handling),
        Column(_("Reply"), 30, handling),
        Column(_("Satisfaction"), 9, handling),
    ]
    columns += [Column(f["label"], 12, f.get("group", "")) for f in extra]
    columns += [Column(f["label"], 16, f.get("group", "")) for f in cases]

    def rows():
        qs = queryset.select_related("region__parent", "unit__parent", "point")
        for t in qs.iterator(chunk_size=CHUNK):
            row = [
                t.code,
                _day(t.registered_at),
                categories.get(t.category, t.category),
                t.title,
                t.description if t.may_unmask else t.masked_description,
                t.contact_name,
                _personal(t.contact_phone, t.may_unmask),
                *village_and_group(t.region),
                t.point.name if t.point_id else "",
                tiers.get(t.tier, t.tier),
                _unit(t.unit),
                statuses.get(t.status, t.status),
                _day(t.deadline),
                _day(t.replied_at),
                t.reply if t.may_unmask else t.masked_reply,
                verdicts.get(t.satisfaction, ""),
            ]
            row += [_extra_value(f, t.extra.get(f["key"])) for f in extra]
            row += [_extra_value(f, t.sensitive.get(f["key"])) for f in cases]
            yield row

    return LedgerLayout(columns, rows())


# Deeds (实事台账) --------------------------------------------------------------------------


def deed_layout(campaign, spec: LedgerSpec, queryset: QuerySet, *, case_fields: bool) -> LedgerLayout:
    from minqing.fieldwork.models import Deed

    kinds = {
        **_labels(Deed.Kind.choices),
        **{k["key"]: k["name"] for k in campaign.config.get("deed_kinds", [])},
    }
    cadre, beneficiary = _("Cadre"), _("Beneficiary")
    columns = [
        Column(_("Date"), 11),
        Column(pgettext("person", "Name"), 8, cadre),
        Column(_("Unit"), 20, cadre),
        Column(_("Household or point"), 16, beneficiary),
        Column(_("Village or community"), 12, beneficiary),
        Column(_("Villagers' group"), 8, beneficiary),
        Column(_("Kind"), 10),
        Column(_("What was done"), 36),
        Column(_("Value (yuan)"), 10),
        Column(_("Confirmed by the beneficiary on"), 12),
        Column(_("Evidence"), 24),
    ]
    columns += [Column(f["label"], 12, f.get("group", "")) for f in spec.fields]

    def rows():
        qs = queryset.select_related(
            "cadre__account", "cadre__unit__parent", "household__head", "point", "region__parent"
        )
        for d in qs.iterator(chunk_size=CHUNK):
            if d.household_id:
                target = d.household.head.name if d.household.head_id else d.household.code
            else:
                target = d.point.name
            row = [
                _day(d.date),
                str(d.cadre.account),
                _unit(d.cadre.unit),
                target,
                *village_and_group(d.region),
                kinds.get(d.kind, d.kind),
                d.title,
                float(d.value_yuan),
                _day(d.confirmed_on),
                d.evidence,
            ]
            row += ["" for _f in spec.fields]
            yield row

    return LedgerLayout(columns, rows())


# Households in hardship (困难群众台账) -----------------------------------------------------


def hardship_layout(campaign, spec: LedgerSpec, queryset: QuerySet, *, case_fields: bool) -> LedgerLayout:
    from minqing.people.models import EconomicStatus, HardshipGrading, HardshipLevel
    from minqing.programs.models import Pairing

    head = _("Head of household")
    columns = [
        Column(_("Household number"), 16),
        Column(_("Village or community"), 12),
        Column(_("Villagers' group"), 8),
        Column(_("Address"), 24),
        Column(pgettext("person", "Name"), 8, head),
        Column(_("ID number"), 21, head),
        Column(_("Phone"), 13, head),
        Column(_("Family size"), 7),
        Column(_("Economic status"), 10),
    ]
    level_in_fields = any(f["key"] == "level" for f in spec.fields)
    if not level_in_fields:
        columns.append(Column(_("Hardship level"), 10))
    # The template's own fields: 困难层次 is the household's hardship level, 致困原因 the
    # reason given at its last grading; any other field stays for the office to fill in.
    columns += [Column(f["label"], 12, f.get("group", "")) for f in spec.fields]
    columns += [Column(_("Paired cadre"), 10)]

    latest = HardshipGrading.objects.filter(household=OuterRef("pk")).order_by("-graded_on", "-id")
    # The cadre paired with the household today (a pairing that has ended names nobody),
    # by full name or, lacking one, the username, as the account names itself everywhere.
    paired = (
        Pairing.objects.active_on(timezone.localdate())
        .filter(campaign=campaign, household=OuterRef("pk"))
        .order_by("-start", "id")
        .values(name=Coalesce(NullIf("cadre__account__full_name", Value("")), "cadre__account__username"))
    )
    qs = queryset.select_related("region__parent", "head").annotate(
        grading_reason=Subquery(latest.values("reason")[:1]),
        paired_cadre=Subquery(paired[:1]),
    )
    levels, economies = _labels(HardshipLevel.choices), _labels(EconomicStatus.choices)

    def rows():
        for h in qs.iterator(chunk_size=CHUNK):
            person = h.head
            row = [
                h.code,
                *village_and_group(h.region),
                h.address,
                person.name if person else "",
                _personal(person.id_number, h.may_unmask) if person else "",
                _personal(person.phone, h.may_unmask) if person else "",
                h.size,
                economies.get(h.economic_status, h.economic_status),
            ]
            if not level_in_fields:
                row.append(levels.get(h.hardship_level, ""))
            for f in spec.fields:
                if f["key"] == "level":
                    row.append(levels.get(h.hardship_level, ""))
                elif f["key"] == "cause":
                    row.append(h.grading_reason or h.note)
                else:
                    row.append("")
            row.append(h.paired_cadre or "")
            yield row

    return LedgerLayout(columns, rows())


LAYOUTS = {"tickets": ticket_layout, "deeds": deed_layout, "hardship": hardship_layout}
