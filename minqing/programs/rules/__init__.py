"""The compliance catalogue: one module per rule type.

A rule type declares its parameters (checked when a template is loaded and when an
office changes them) and evaluates every subject it applies to — cadre, team, unit,
point or household — giving what is required, what is there, a verdict and, in
words a person can act on, what is missing. Rules read through the shared
evaluation context (participating cadres, active pairings, teams), which loads each
of those once, and add a fixed number of queries of their own: never one per cadre.

Rules whose records arrive with later modules (visits, attendance, deeds, relief,
reports, tickets, activities, incidents) report "no records yet" until those
records exist, never "pass".
"""

import datetime as dt
import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PASS, FAIL, NO_RECORDS, NOT_DUE = "pass", "fail", "no_records", "not_due"
STATUS_LABELS = {
    PASS: gettext_lazy("Pass"),
    FAIL: gettext_lazy("Fail"),
    NO_RECORDS: gettext_lazy("No records yet"),
    NOT_DUE: gettext_lazy("Not yet due"),
}

REF_LABELS = {
    "pairing_kinds": gettext_lazy("pairing kind"),
    "activities": gettext_lazy("activity"),
    "phases": gettext_lazy("phase"),
}
PERIOD_LABELS = {
    "campaign": gettext_lazy("over the campaign"),
    "phase": gettext_lazy("in each phase"),
    "month": gettext_lazy("each month"),
    "half_year": gettext_lazy("each half year"),
    "year": gettext_lazy("each year"),
}

RULE_TYPES: dict[str, type["Rule"]] = {}

# A number without a maximum of its own is still bounded: 99999999999999999999999 yuan is a
# slip of the keyboard, and no count, day or amount of a campaign comes near these.
NUMBER_LIMITS = {"int": 1000, "int_list": 1000, "yuan": 10_000_000}


@dataclass
class Param:
    kind: str  # int, yuan, date, text, bool, list, ref, ref_list, int_list
    default: Any = None
    label: Any = ""
    minimum: int | None = None
    maximum: int | None = None
    ref: str = ""  # for ref / ref_list: "pairing_kinds", "activities", "phases"
    choices: tuple = ()

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def upper(self) -> int | None:
        return self.maximum if self.maximum is not None else NUMBER_LIMITS.get(self.kind)


@dataclass
class Verdict:
    rule: str
    rule_name: str
    subject_type: str  # cadre, team, unit, point, household
    subject_id: int
    subject: str
    required: str
    actual: str
    status: str
    missing: list[str] = field(default_factory=list)
    cadre_id: int | None = None
    unit_id: int | None = None
    team_id: int | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _once(method):
    """A rule is made for one evaluation: its required text (the same for every subject,
    translated and formatted) is computed once, not for each of thousands of subjects."""

    def wrapper(self):
        try:
            return self.__dict__["_required_text"]
        except KeyError:
            found = self.__dict__["_required_text"] = method(self)
            return found

    wrapper.__doc__ = method.__doc__
    return wrapper


class Rule:
    do_not_call_in_templates = True  # a page reads a rule type's label, never instantiates it
    type: ClassVar[str]
    label: ClassVar[Any]
    subject_type: ClassVar[str] = "cadre"
    params: ClassVar[dict[str, Param]] = {}
    # Pairs of parameters (lower, upper) whose values must not be in the wrong order.
    ordered: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(self, key: str, name: str, values: dict):
        self.key, self.name, self.values = key, name, values

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "type", None):
            RULE_TYPES[cls.type] = cls
        if "required_text" in cls.__dict__:
            cls.required_text = _once(cls.__dict__["required_text"])

    # Parameters -------------------------------------------------------------------

    @classmethod
    def check_params(cls, values: dict, path: tuple, check, context: dict) -> None:
        import difflib

        for name in values:
            if name not in cls.params:
                near = difflib.get_close_matches(name, list(cls.params), n=1)
                check.error(
                    path + (name,),
                    _("this rule has no parameter “%(name)s”; did you mean “%(near)s”?")
                    % {"name": name, "near": near[0]}
                    if near
                    else _("this rule has no parameter “%(name)s”; it has: %(names)s")
                    % {"name": name, "names": ", ".join(cls.params) or "-"},
                )
        bad = set()
        for name, spec in cls.params.items():
            where = path + (name,)
            if name not in values:
                if spec.required:
                    check.error(where, _("this parameter is required"))
                continue
            value = values[name]
            problem = cls.param_problem(spec, value, context)
            if problem:
                check.error(where, problem)
                bad.add(name)
        for lower, upper, problem in cls.order_problems(values, skip=bad):
            check.error(path + (upper if upper in values else lower,), problem)

    @classmethod
    def order_problems(cls, values: dict, skip=()) -> list[tuple[str, str, str]]:
        """(lower, upper, message) for each ordered pair whose lower value exceeds its upper
        one; a parameter not given counts with its default."""
        found = []
        for lower, upper in cls.ordered:
            if lower in skip or upper in skip:
                continue
            low = values.get(lower, cls.params[lower].default)
            high = values.get(upper, cls.params[upper].default)
            if low is None or high is None or low <= high:
                continue
            found.append(
                (
                    lower,
                    upper,
                    _("“%(lower)s” (%(low)s) is more than “%(upper)s” (%(high)s)")
                    % {
                        "lower": cls.params[lower].label or lower,
                        "low": low,
                        "upper": cls.params[upper].label or upper,
                        "high": high,
                    },
                )
            )
        return found

    @staticmethod
    def param_problem(spec: Param, value, context: dict) -> str:
        from ..schema import is_whole_number, monthday_problem

        if spec.kind in ("int", "yuan"):
            if not is_whole_number(value):
                return _("must be a whole number")
            if spec.minimum is not None and value < spec.minimum:
                return _("must be at least %(n)s") % {"n": spec.minimum}
            if spec.upper is not None and value > spec.upper:
                return _("must be at most %(n)s") % {"n": spec.upper}
        elif spec.kind == "date":
            # A template's month-day must be a day of the calendar ("04-31" is not); a
            # campaign's own date is a full ISO date.
            if not _is_iso_date(value if isinstance(value, str) else ""):
                return monthday_problem(value)
        elif spec.kind == "bool":
            if not isinstance(value, bool):
                return _("must be true or false")
        elif spec.kind == "text":
            if not isinstance(value, str) or (spec.choices and value not in spec.choices):
                return (
                    _("must be one of: %(choices)s") % {"choices": ", ".join(spec.choices)}
                    if spec.choices
                    else _("must be a text")
                )
        elif spec.kind in ("list", "int_list", "ref_list"):
            if not isinstance(value, list):
                return _("must be a list")
            if spec.kind == "int_list" and not all(is_whole_number(v) for v in value):
                return _("must be a list of whole numbers")
            if spec.kind != "int_list" and not all(isinstance(v, str) for v in value):
                return _("must be a list of texts")
            if spec.required and not value:
                return _("choose at least one")
            if spec.kind == "int_list" and spec.minimum is not None and any(v < spec.minimum for v in value):
                return _("must be at least %(n)s") % {"n": spec.minimum}
            if spec.kind == "int_list" and spec.upper is not None and any(v > spec.upper for v in value):
                return _("must be at most %(n)s") % {"n": spec.upper}
            if spec.choices and any(v not in spec.choices for v in value):
                return _("must be one of: %(choices)s") % {"choices": ", ".join(spec.choices)}
            if spec.kind == "ref_list" and context is not None:
                unknown = [v for v in value if v not in context.get(spec.ref, set())]
                if unknown:
                    return _("unknown %(what)s: %(names)s") % {
                        "what": REF_LABELS[spec.ref],
                        "names": ", ".join(unknown),
                    }
        elif spec.kind == "ref":
            if value == "" and not spec.required:
                return ""
            if not isinstance(value, str):
                return _("must be a text")
            if context is not None and value not in context.get(spec.ref, set()):
                return _("unknown %(what)s: %(names)s") % {"what": REF_LABELS[spec.ref], "names": value}
        return ""

    def value(self, name: str):
        spec = self.params[name]
        return self.values.get(name, spec.default)

    def date(self, name: str) -> dt.date | None:
        value = self.value(name)
        return dt.date.fromisoformat(value) if value else None

    def shown_date(self, name: str) -> str:
        """A date parameter as people read it (2026年4月15日); a template's month-day as is."""
        from django.utils.formats import date_format

        value = self.value(name) or ""
        return date_format(dt.date.fromisoformat(value)) if _is_iso_date(value) else value

    def period(self) -> str:
        return str(PERIOD_LABELS.get(self.value("per"), self.value("per")))

    # Evaluation ---------------------------------------------------------------------

    def evaluate(self, ctx: "Context") -> list[Verdict]:
        raise NotImplementedError

    def verdict(
        self,
        *,
        subject_type=None,
        subject_id,
        subject,
        required,
        actual,
        status,
        missing=(),
        cadre_id=None,
        unit_id=None,
        team_id=None,
    ) -> Verdict:
        return Verdict(
            self.key,
            self.name,
            subject_type or self.subject_type,
            subject_id,
            subject,
            str(required),
            str(actual),
            status,
            list(missing),
            cadre_id,
            unit_id,
            team_id,
        )

    def cadre_verdict(self, cadre, *, required, actual, ok: bool, missing=(), status=None) -> Verdict:
        # Positional and direct: a county campaign makes tens of thousands of these.
        return Verdict(
            self.key,
            self.name,
            "cadre",
            cadre.pk,
            cadre_label(cadre),
            str(required),
            str(actual),
            status or (PASS if ok else FAIL),
            [] if ok and status is None else list(missing),
            cadre.pk,
            cadre.unit_id,
        )


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def day_values(queryset, *fields: str):
    """`queryset.values_list(*fields)` whose last field is a date, read cheaply: a county's
    tens of thousands of days go through two converters each on SQLite (the driver's and
    Django's); there the date is read as its stored text and each distinct day made once."""
    from django.db import connections
    from django.db.models import CharField
    from django.db.models.functions import Cast

    if connections[queryset.db].vendor != "sqlite":
        yield from queryset.values_list(*fields)
        return
    *keys, day = fields
    days: dict[str, dt.date] = {}
    for *values, text in queryset.annotate(_day_text=Cast(day, CharField())).values_list(*keys, "_day_text"):
        found = days.get(text)
        if found is None:
            found = days[text] = dt.date.fromisoformat(text)
        yield (*values, found)


class Row(SimpleNamespace):
    """A light record read with values_list: the attributes a rule reads, nothing more."""


class PairingRow:
    """An active pairing as the rules read it (a county campaign has tens of thousands: a
    class with slots and positional arguments costs half of a namespace built by keyword)."""

    __slots__ = (
        "pk",
        "id",
        "cadre_id",
        "kind",
        "slot",
        "start",
        "end",
        "household_id",
        "member_id",
        "point_id",
        "handed_over_from_id",
        "household",
        "member",
        "point",
    )

    def __init__(
        self, pk, cadre_id, kind, slot, start, end, household_id, member_id, point_id, handed_over_from_id
    ):
        self.pk = self.id = pk
        self.cadre_id, self.kind, self.slot, self.start, self.end = cadre_id, kind, slot, start, end
        self.household_id, self.member_id, self.point_id = household_id, member_id, point_id
        self.handed_over_from_id = handed_over_from_id
        self.household = self.member = self.point = None


class AccountRow:
    """A cadre's account as the rules name it (as Account's str: the full name, else the username)."""

    __slots__ = ("pk", "id", "username", "full_name")

    def __init__(self, pk: int, username: str, full_name: str):
        self.pk = self.id = pk
        self.username, self.full_name = username, full_name

    def __str__(self):
        return self.full_name or self.username


class CadreRow:
    """A campaign's cadre as the rules read it: what a Cadre instance would give them."""

    __slots__ = ("pk", "id", "rank", "unit_id", "unit", "account_id", "account", "_minqing_label")

    def __init__(self, pk: int, rank: str, unit: Row, account: AccountRow):
        self.pk = self.id = pk
        self.rank, self.unit, self.unit_id = rank, unit, unit.pk
        self.account, self.account_id = account, account.pk
        self._minqing_label = None

    def get_rank_display(self) -> str:
        from minqing.org.models import Cadre

        return str(dict(Cadre.Rank.choices).get(self.rank, self.rank))

    def __str__(self):
        return str(self.account)


class Missing(str):
    """A missing item that names a pairing's target (household, member or point): its text,
    with the target's type and id, and the template and values it was made from, so that a
    viewer who may not see the target is given the same words and numbers without the name
    (programs.selectors.compliance). Everywhere else it is the text itself."""

    def __new__(cls, template: str, values: dict, target_type: str, target_id: int):
        item = super().__new__(cls, template % values)
        item.template, item.values = template, values
        item.target_type, item.target_id = target_type, target_id
        return item

    def __reduce__(self):
        return (Missing, (self.template, self.values, self.target_type, self.target_id))

    def named_as(self, label: str) -> str:
        """The text with the target called `label` instead."""
        return self.template % {**self.values, "target": label}


def target_key(pairing) -> tuple[str, int]:
    """The pairing's target as (type, id): ("household", 12), ("member", 7) or ("point", 3)."""
    if pairing.household_id:
        return ("household", pairing.household_id)
    if pairing.member_id:
        return ("member", pairing.member_id)
    return ("point", pairing.point_id)


def target_label(pairing, household_of: str | None = None) -> str:
    """How a target is named in a missing item; household_of is the translated
    "the household of %(name)s", passed in by callers that name thousands of targets."""
    if pairing.household_id:
        head = pairing.household.head.name if pairing.household.head_id else pairing.household.code
        return (household_of or _("the household of %(name)s")) % {"name": head}
    if pairing.member_id:
        return pairing.member.name
    return pairing.point.name


def cadre_label(cadre) -> str:
    label = getattr(cadre, "_minqing_label", None)
    if label is None:
        label = f"{cadre.account.full_name or cadre.account.username}（{cadre.unit.name}）"
        cadre._minqing_label = label  # a cadre is named by several rules of one evaluation
    return label


class Context:
    """What every rule of one evaluation shares, each loaded once."""

    def __init__(self, campaign, as_of: dt.date):
        self.campaign, self.as_of = campaign, as_of

    @cached_property
    def cadres(self) -> list["CadreRow"]:
        """The campaign's cadres, in its order, as light rows with what the rules read (a
        county campaign has thousands: three model instances each cost more than the query)."""
        from minqing.org.models import unit_label

        from ..selectors import campaign_cadres

        units: dict[int, Row] = {}
        found = []
        for pk, rank, unit_id, account_id, username, full_name, unit_name, parent_name in campaign_cadres(
            self.campaign
        ).values_list(
            "id",
            "rank",
            "unit_id",
            "account_id",
            "account__username",
            "account__full_name",
            "unit__name",
            "unit__parent__name",
        ):
            unit = units.get(unit_id)
            if unit is None:
                # Named with its parent: the sections of different bodies share names (办公室).
                unit = units[unit_id] = Row(pk=unit_id, id=unit_id, name=unit_label(unit_name, parent_name))
            found.append(CadreRow(pk, rank, unit, AccountRow(account_id, username, full_name)))
        return found

    @cached_property
    def cadre_ids(self) -> set[int]:
        return {c.pk for c in self.cadres}

    @cached_property
    def pairings(self) -> list:
        """The campaign's pairings active on the day, as light rows (one query, no model
        instances: a county campaign has ~100,000): each with the attributes of a Pairing
        that the rules read, and .household / .member / .point rows shared between pairings."""
        from ..models import Pairing

        rows = (
            Pairing.objects.filter(campaign=self.campaign)
            .active_on(self.as_of)
            .order_by("id")
            .values_list(
                "id",
                "cadre_id",
                "kind",
                "slot",
                "start",
                "end",
                "household_id",
                "member_id",
                "point_id",
                "household__code",
                "household__hardship_level",
                "household__head_id",
                "household__head__name",
                "member__name",
                "member__household_id",
                "member__household__code",
                "member__household__hardship_level",
                "point__kind",
                "point__name",
                "point__region_id",
                "point__retired_on",
                "handed_over_from_id",
            )
        )
        households: dict[int, Row] = {}
        members: dict[int, Row] = {}
        points: dict[int, Row] = {}

        def household(pk, code, level, head_id=None, head_name=None):
            found = households.get(pk)
            if found is None:
                found = households[pk] = Row(
                    pk=pk,
                    id=pk,
                    code=code,
                    hardship_level=level,
                    head_id=head_id,
                    head=Row(pk=head_id, name=head_name) if head_id else None,
                )
            elif head_id and found.head_id is None:
                found.head_id, found.head = head_id, Row(pk=head_id, name=head_name)
            return found

        found = []
        for (pk, cadre_id, kind, slot, start, end, household_id, member_id, point_id, h_code, h_level,
             head_id, head_name, m_name, m_household_id, mh_code, mh_level, p_kind, p_name,
             p_region_id, p_retired_on, handed_over_from_id) in rows:  # fmt: skip
            row = PairingRow(
                pk, cadre_id, kind, slot, start, end, household_id, member_id, point_id, handed_over_from_id
            )
            if household_id:
                row.household = household(household_id, h_code, h_level, head_id, head_name)
            if member_id:
                member = members.get(member_id)
                if member is None:
                    member = members[member_id] = Row(
                        pk=member_id,
                        id=member_id,
                        name=m_name,
                        household_id=m_household_id,
                        household=household(m_household_id, mh_code, mh_level),
                    )
                row.member = member
            if point_id:
                point = points.get(point_id)
                if point is None:
                    point = points[point_id] = Row(
                        pk=point_id,
                        id=point_id,
                        kind=p_kind,
                        name=p_name,
                        region_id=p_region_id,
                        retired_on=p_retired_on,
                    )
                row.point = point
            found.append(row)
        return found

    def stay_days(self, cadre_ids, start, end) -> dict[int, list]:
        """cadre id → the distinct dates of confirmed days between start and end that count for
        this campaign: the days the dashboard counts (AttendanceDay.in_campaign), at a point the
        cadre was paired with (or in the village of a paired household or member) on that day,
        or at a point of one of the campaign's teams the cadre leads or belongs to. One query."""
        from minqing.fieldwork.models import AttendanceDay

        found: dict[int, set] = {}
        for cadre_id, day in day_values(
            AttendanceDay.objects.filter(
                AttendanceDay.in_campaign(self.campaign),
                cadre_id__in=list(cadre_ids),
                status=AttendanceDay.Status.CONFIRMED,
                date__gte=start,
                date__lte=end,
            ).order_by(),  # sets of days, sorted below: no sort in the database
            "cadre_id",
            "date",
        ):
            found.setdefault(cadre_id, set()).add(day)
        return {cadre_id: sorted(days) for cadre_id, days in found.items()}

    @cached_property
    def campaign_span(self) -> tuple[dt.date, dt.date | None] | None:
        """The first and last month the campaign asks for (rules._periods.asked_span)."""
        from ._periods import asked_span

        return asked_span(self.campaign.start, self.campaign.end, self.campaign)

    def month_spans(self, kinds=()) -> dict[int, list]:
        """cadre id → the spans of months the cadre's pairings active on the day (of these
        kinds) ask of it (rules._periods.asked_span: the months a pairing, clipped to the
        campaign, runs on at least half of the days of; a successor's from the handover); an
        empty list when they ask none. A cadre with no such pairing is not in it: a rule
        asks it the campaign's months (campaign_span)."""
        from ._periods import asked_span

        found: dict[int, list] = {}
        spans: dict = {}  # most pairings share their dates: one computation for each
        for p in self.pairings_of_kinds(kinds):
            dates = (p.start, p.end)
            if dates not in spans:
                spans[dates] = asked_span(p.start, p.end, self.campaign)
            mine = found.setdefault(p.cadre_id, [])
            if spans[dates] is not None and spans[dates] not in mine:
                mine.append(spans[dates])
        return found

    @cached_property
    def listed_on(self) -> dict[int, dt.date]:
        """pairing id → the day its target was first listed with the campaign, for the
        pairings a handover made: the first predecessor's start (one query, for those only)."""
        from ..models import Pairing

        handed = [p.id for p in self.pairings if p.handed_over_from_id]
        if not handed:
            return {}
        # Every pairing of the campaign that was handed over, with where it came from.
        chain = {
            pk: (source, start)
            for pk, source, start in Pairing.objects.filter(campaign=self.campaign)
            .exclude(handed_over_from=None)
            .values_list("id", "handed_over_from_id", "handed_over_from__start")
        }
        found = {}
        for pk in handed:
            source, start = chain[pk]
            while source in chain:  # handed over more than once
                source, start = chain[source]
            found[pk] = start
        return found

    def targets_of(self, kinds) -> dict[int, list]:
        """cadre id → the pairings of the targets paired with the cadre (name one with
        target_name, only when a missing item needs it)."""
        found: dict[int, list] = {}
        for p in self.pairings_of_kinds(kinds):
            found.setdefault(p.cadre_id, []).append(p)
        return found

    def target_name(self, pairing) -> str:
        return target_label(pairing, self._household_of)

    def target_missing(self, template: str, pairing, **values) -> Missing:
        """A missing item naming the pairing's target as `%(target)s` of the template (the
        target kept with it: a viewer who may not see the target gets it unnamed)."""
        values["target"] = self.target_name(pairing)
        return Missing(template, values, *target_key(pairing))

    @cached_property
    def _household_of(self) -> str:
        return _("the household of %(name)s")

    @cached_property
    def teams(self) -> list:
        """The campaign's teams that count on the day (not dissolved before it), each with the
        points that count on it (not retired before it). Three queries, whatever the number."""
        from django.db.models import Prefetch

        from ..models import LiaisonPoint, counting_on

        return list(
            self.campaign.teams.filter(counting_on(self.as_of, "dissolved_on"))
            .select_related("leader", "leader__account")
            .prefetch_related(
                "members",
                Prefetch(
                    "points", queryset=LiaisonPoint.objects.filter(counting_on(self.as_of, "retired_on"))
                ),
            )
        )

    def pairings_of_kinds(self, kinds) -> list:
        kinds = set(kinds or ())
        return [p for p in self.pairings if not kinds or p.kind in kinds]

    def kind_name(self, key: str) -> str:
        kind = self.campaign.pairing_kind(key)
        return kind["name"] if kind else key


def pending_source_exists(app_label: str, model: str) -> bool:
    """Whether the module that records this rule's evidence is installed yet."""
    from django.apps import apps

    try:
        apps.get_model(app_label, model)
    except LookupError:
        return False
    return True


def load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


load_all()
