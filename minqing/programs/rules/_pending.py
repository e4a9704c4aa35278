"""Rules whose evidence (visits, attendance, deeds, reports, tickets …) is recorded by
modules that are not installed yet. They know their subjects and what is required and
say "no records yet" for each, never "pass"; when the module arrives, its rule files
implement `evaluate_records`."""

from typing import ClassVar

from django.utils.translation import gettext as _

from . import NO_RECORDS, Rule, cadre_label, pending_source_exists


class PendingRule(Rule):
    evidence: ClassVar[tuple[str, str]]
    evidence_label: ClassVar[object]

    def required_text(self) -> str:
        raise NotImplementedError

    def evaluate(self, ctx):
        if pending_source_exists(*self.evidence):
            return self.evaluate_records(ctx)
        note = _("No %(records)s recorded yet") % {"records": self.evidence_label}
        return [
            self.verdict(
                subject_type=kind,
                subject_id=pk,
                subject=label,
                required=self.required_text(),
                actual="—",
                status=NO_RECORDS,
                missing=[note],
                cadre_id=cadre_id,
                unit_id=unit_id,
                team_id=team_id,
            )
            for kind, pk, label, cadre_id, unit_id, team_id in self.subjects(ctx)
        ]

    def evaluate_records(self, ctx):
        raise NotImplementedError(f"{self.type} must be implemented now that its records exist")

    def subjects(self, ctx):
        return cadre_subjects(ctx)


def cadre_subjects(ctx, kinds=()):
    wanted = {p.cadre_id for p in ctx.pairings if p.kind in kinds} if kinds else None
    return [
        ("cadre", c.pk, cadre_label(c), c.pk, c.unit_id, None)
        for c in ctx.cadres
        if wanted is None or c.pk in wanted
    ]


def team_subjects(ctx):
    return [("team", t.pk, t.name, None, None, t.pk) for t in ctx.teams]


def point_subjects(ctx, kinds=()):
    """The points paired with a cadre or given to a team on the day (ctx.teams leaves out the
    teams dissolved and the points retired before it; a point retired before the day has no
    pairing left running, and is left out here too)."""
    points = {}
    for p in ctx.pairings:
        if p.point_id and (not kinds or p.point.kind in kinds):
            if p.point.retired_on is None or p.point.retired_on >= ctx.as_of:
                points[p.point_id] = p.point
    for team in ctx.teams:
        for point in team.points.all():
            if not kinds or point.kind in kinds:
                points[point.pk] = point
    return [("point", pk, point.name, None, None, None) for pk, point in sorted(points.items())]


def unit_subjects(ctx):
    units = {}
    for cadre in ctx.cadres:
        units[cadre.unit_id] = cadre.unit
    return [("unit", pk, unit.name, None, pk, None) for pk, unit in sorted(units.items())]
