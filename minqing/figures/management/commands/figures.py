import json

from django.utils import timezone
from django.utils.translation import gettext_lazy

from minqing.core.cli import CliCommand, audit_read
from minqing.figures import selectors
from minqing.figures.services import selection_key

from ._viewer import add_selection_arguments, selection_from


class Command(CliCommand):
    help = gettext_lazy(
        "The figures of a campaign (every dashboard tile and rate) for a period and region, unit, team or cadre."
    )

    def add_arguments(self, parser):
        add_selection_arguments(parser)
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--by",
            choices=("region", "unit", "team", "cadre"),
            help=gettext_lazy("also each group's figures"),
        )

    def handle(self, *args, **options):
        viewer, sel = selection_from(options, today=timezone.localdate())
        figures = selectors.figures(user=viewer, sel=sel, breakdowns=bool(options["by"]))
        groups = getattr(figures, f"by_{options['by']}") if options["by"] else []
        if options["by"] == "cadre" or sel.cadre is not None:
            # Each cadre's (or one cadre's) work in figures: a cadre's record, read. Figures
            # of a region, unit or team name no one and are not recorded, as the dashboard's.
            audit_read(
                action="figures.view",
                user=viewer,
                obj=sel.campaign,
                shown=len(groups) if options["by"] else 1,
                period=sel.period.code,
                selection=selection_key(sel),
                by=options["by"] or "",
                format="json" if options["json"] else "text",
            )
        if options["json"]:
            out = {
                "campaign": sel.campaign.pk,
                "period": {
                    "code": sel.period.code,
                    "start": sel.period.start.isoformat(),
                    "end": sel.period.end.isoformat(),
                },
                "region": sel.area.code,
                "figures": selectors.json_values(figures.values),
                "rates": figures.rates,
                "rate_notes": {k: {"short": n.short, "detail": n.detail} for k, n in figures.notes.items()},
            }
            if options["by"]:
                out["groups"] = [
                    {
                        "key": str(g.key),
                        "label": g.label,
                        "figures": selectors.json_values(g.values),
                    }
                    for g in groups
                ]
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"{sel.campaign.name} · {sel.area.name} · {sel.period.label}")
        for key, tile in selectors.TILES.items():
            self.stdout.write(f"  {tile.label}: {figures.values[key]}")
        for rate in selectors.RATES:
            value, note = figures.rates[rate.key], figures.notes.get(rate.key)
            shown = f"{value}%" if value is not None else (note.short if note and note.short else "—")
            if note and note.detail:
                shown = f"{shown} ({note.detail})"
            self.stdout.write(f"  {rate.label}: {shown}")
        for g in groups:
            shown = ", ".join(
                f"{selectors.TILES[k].label} {g.values.get(k, 0)}" for k in selectors.BREAKDOWN_TILES
            )
            self.stdout.write(f"  · {g.label}: {shown}")
