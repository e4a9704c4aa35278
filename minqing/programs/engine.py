"""Evaluate a campaign's rules as of a date, and summarize the verdicts."""

import datetime as dt
import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from minqing.core import parallel

from . import dates
from .rules import FAIL, NO_RECORDS, NOT_DUE, PASS, RULE_TYPES, Context, Verdict

STATUSES = (PASS, FAIL, NO_RECORDS, NOT_DUE)


def evaluate(campaign, as_of: dt.date) -> list[Verdict]:
    """Every enabled rule's verdicts, in template order.

    Where the database may be read from several connections at once (core.parallel: not on
    SQLite, not inside a transaction), the rules run side by side once the campaign's cadres
    and pairings, which nearly every rule reads, are loaded: the database answers one rule's
    queries while Python works through another's rows. Each rule reads only its own queries
    and the shared, finished context; each is run in the caller's language.

    A day, or a campaign's dates, outside the span of years campaigns use is refused
    (ValidationError): the rules' calendar arithmetic would run past the last date."""
    check_dates(campaign, as_of)
    ctx = Context(campaign, as_of)
    rules = [
        RULE_TYPES[conf["type"]](conf["key"], conf["name"], conf.get("params", {}))
        for conf in campaign.config.get("rules", [])
        if not conf.get("disabled")
    ]
    if len(rules) < 2 or parallel.serial():
        return _before_start(ctx, [verdict for rule in rules for verdict in rule.evaluate(ctx)])
    language = translation.get_language()
    parallel.run([lambda: ctx.cadres, lambda: ctx.pairings])
    results, first = parallel.run(
        [_in_language(functools.partial(rule.evaluate, ctx), language) for rule in rules[1:]],
        meanwhile=functools.partial(rules[0].evaluate, ctx),
    )
    return _before_start(ctx, [verdict for found in (first, *results) for verdict in found])


def _before_start(ctx, verdicts: list[Verdict]) -> list[Verdict]:
    """Before its campaign starts nothing is due yet: what is lacking then is "not yet due"."""
    if ctx.as_of < ctx.campaign.start:
        for verdict in verdicts:
            if verdict.status == FAIL:
                verdict.status = NOT_DUE
    return verdicts


def check_dates(campaign, as_of: dt.date) -> None:
    errors = {}
    problem = dates.out_of_span(as_of, _("The as-of date"))
    if problem:
        errors["as_of"] = [problem]
    for day, what in ((campaign.start, _("The campaign's start")), (campaign.end, _("The campaign's end"))):
        problem = dates.out_of_span(day, what) if day else ""
        if problem:
            errors.setdefault("campaign", []).append(
                problem
                + " "
                + _("Correct it on the campaign's Change page; until then no verdict can be taken.")
            )
    if errors:
        raise ValidationError(errors)


def _in_language(job, language):
    def run():
        with translation.override(language):
            return job()

    return run


@dataclass
class Tally:
    key: object
    label: str
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def passed(self) -> int:
        return self.counts[PASS]

    @property
    def failed(self) -> int:
        return self.counts[FAIL]

    @property
    def no_records(self) -> int:
        return self.counts[NO_RECORDS]

    @property
    def not_due(self) -> int:
        return self.counts[NOT_DUE]


@dataclass
class ComplianceReport:
    campaign: object
    as_of: dt.date
    verdicts: list[Verdict]

    def tally(self, key_of, label_of) -> list[Tally]:
        tallies: dict[object, Tally] = {}
        for verdict in self.verdicts:
            key = key_of(verdict)
            if key is None:
                continue
            tally = tallies.setdefault(key, Tally(key, label_of(verdict)))
            tally.counts[verdict.status] += 1
        return sorted(tallies.values(), key=lambda t: (-t.failed, str(t.label)))

    @property
    def by_rule(self) -> list[Tally]:
        """Every enabled rule in template order, also those with no subject yet."""
        found = {t.key: t for t in self.tally(lambda v: v.rule, lambda v: v.rule_name)}
        return [
            found.get(conf["key"]) or Tally(conf["key"], conf["name"])
            for conf in self.campaign.config.get("rules", [])
            if not conf.get("disabled")
        ]

    def by_unit(self, unit_names: dict[int, str]) -> list[Tally]:
        return self.tally(lambda v: v.unit_id, lambda v: unit_names.get(v.unit_id, "—"))

    def by_team(self, teams: list["TeamSubjects"]) -> list[Tally]:
        """One line for each of these teams, those with no verdict too: its own verdicts and
        its cadres' and points' (a cadre of two teams counts in both), failures first. A team
        dissolved before the day has no line: it no longer answers for its former members."""
        teams = [team for team in teams if team.dissolved_on is None or team.dissolved_on >= self.as_of]
        tallies = {team.pk: Tally(team.pk, team.name) for team in teams}
        index = TeamIndex(teams)
        for verdict in self.verdicts:
            for pk in index.teams_of(verdict):
                tallies[pk].counts[verdict.status] += 1
        return sorted(tallies.values(), key=lambda t: (-t.failed, str(t.label)))

    @property
    def totals(self) -> dict[str, int]:
        """Every status with its count, zero included."""
        counts = Counter(v.status for v in self.verdicts)
        return {status: counts[status] for status in STATUSES}

    def as_dict(
        self, *, status: str = "", teams: Sequence["TeamSubjects"] = (), team: "TeamSubjects | None" = None
    ) -> dict:
        """The report as the API and `minqing compliance --json` give it: `totals`, `by_rule`
        and `by_team` (one line for each of `teams`) count every verdict of the report, always
        with the four statuses; `status` (one of STATUSES, or empty for all) and `team` (one of
        `teams`, or None) narrow only the listed `verdicts`, and `shown` counts them."""
        verdicts = self.verdicts if team is None else team_verdicts(self.verdicts, team)
        verdicts = [v for v in verdicts if not status or v.status == status]
        return {
            "campaign": self.campaign.pk,
            "as_of": self.as_of,
            "totals": self.totals,
            "by_rule": [
                {
                    "rule": tally.key,
                    "rule_name": str(tally.label),
                    **{key: tally.counts[key] for key in STATUSES},
                    "total": tally.total,
                }
                for tally in self.by_rule
            ],
            "by_team": [
                {
                    "team": tally.key,
                    "team_name": tally.label,
                    **{key: tally.counts[key] for key in STATUSES},
                    "total": tally.total,
                }
                for tally in self.by_team(list(teams))
            ],
            "status": status,
            "team": team.pk if team is not None else None,
            "shown": len(verdicts),
            "verdicts": [v.__dict__ for v in verdicts],
        }


@dataclass(frozen=True)
class TeamSubjects:
    """A team and the subjects whose verdicts are its own: the team itself, its leader and
    members (cadre verdicts and any other verdict naming one of them) and its points."""

    pk: int
    name: str
    cadres: frozenset[int] = frozenset()
    points: frozenset[int] = frozenset()
    dissolved_on: dt.date | None = None


class TeamIndex:
    """Which of some teams a verdict belongs to, looked up (not searched team by team: a
    county campaign has tens of thousands of verdicts and dozens of teams)."""

    def __init__(self, teams):
        self.own: dict[int, set[int]] = {}
        self.cadres: dict[int, set[int]] = {}
        self.points: dict[int, set[int]] = {}
        for team in teams:
            self.own.setdefault(team.pk, set()).add(team.pk)
            for pk in team.cadres:
                self.cadres.setdefault(pk, set()).add(team.pk)
            for pk in team.points:
                self.points.setdefault(pk, set()).add(team.pk)

    def teams_of(self, verdict: Verdict) -> set[int]:
        found: set[int] = set()
        if verdict.team_id is not None:
            found |= self.own.get(verdict.team_id, set())
        if verdict.subject_type == "team":
            found |= self.own.get(verdict.subject_id, set())
        if verdict.cadre_id is not None:
            found |= self.cadres.get(verdict.cadre_id, set())
        if verdict.subject_type == "point":
            found |= self.points.get(verdict.subject_id, set())
        return found


def team_verdicts(verdicts: list[Verdict], team: TeamSubjects) -> list[Verdict]:
    """The verdicts of one team, as its line of `ComplianceReport.by_team` counts them."""
    index = TeamIndex([team])
    return [v for v in verdicts if index.teams_of(v)]
