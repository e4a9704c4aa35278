import json as _json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.appraisal import selectors, services
from minqing.appraisal.models import AppraisalRound
from minqing.core.cli import CliCommand, audit_read, campaign_or_error, invalid


class Command(CliCommand):
    help = gettext_lazy(
        "Residents' appraisal: draw a period's sample, show its results, check it against its seed."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        draw = sub.add_parser(
            "draw", help=gettext_lazy("draw the period's random sample of paired households")
        )
        draw.add_argument("--campaign", type=int, required=True)
        draw.add_argument("--period", required=True, help=gettext_lazy("2026-10, 2026-Q4, 2026-H2 or 2026"))
        draw.add_argument(
            "--per-cadre",
            dest="per_cadre",
            type=int,
            help=gettext_lazy("default: the program's [appraisal] per_cadre, else 3"),
        )
        draw.add_argument(
            "--share", type=int, help=gettext_lazy("instead: this percentage of each cadre's households")
        )
        draw.add_argument(
            "--seed", type=int, help=gettext_lazy("default: a fresh random seed (kept with the round)")
        )
        results = sub.add_parser("results", help=gettext_lazy("each cadre's score in the period's round"))
        results.add_argument("--campaign", type=int, required=True)
        results.add_argument("--period", required=True)
        results.add_argument("--json", action="store_true")
        verify = sub.add_parser(
            "verify", help=gettext_lazy("draw again from the stored seed and compare with the sample")
        )
        verify.add_argument("--campaign", type=int, required=True)
        verify.add_argument("--period", required=True)

    def _round(self, options) -> AppraisalRound:
        campaign = campaign_or_error(options["campaign"])
        try:
            label, _start, _end = services.parse_period(options["period"])
        except ValidationError as exc:
            raise invalid(exc) from None
        found = (
            AppraisalRound.objects.select_related("campaign").filter(campaign=campaign, period=label).first()
        )
        if found is None:
            raise CommandError(
                _("Campaign %(campaign)s has no appraisal round for %(period)s.")
                % {"campaign": campaign.pk, "period": label}
            )
        return found

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(options)

    def do_draw(self, options):
        campaign = campaign_or_error(options["campaign"])
        try:
            r = services.round_draw(
                actor=None,
                campaign=campaign,
                period=options["period"],
                per_cadre=options["per_cadre"],
                share=options["share"],
                seed=options["seed"],
            )
        except ValidationError as exc:
            raise invalid(exc) from None
        cadres = r.samples.values("cadre_id").distinct().count()
        self.stdout.write(
            _("Round %(id)s, %(period)s: %(households)s households of %(cadres)s cadres, seed %(seed)s")
            % {
                "id": r.pk,
                "period": r.period,
                "households": r.samples.count(),
                "cadres": cadres,
                "seed": r.seed,
            }
        )

    def do_results(self, options):
        r = self._round(options)
        rows = selectors.round_results(r)
        # Each cadre by name with the residents' score: a cadre's record, read.
        audit_read(
            action="appraisal.results.view",
            obj=r,
            shown=len(rows),
            campaign=r.campaign_id,
            period=r.period,
            format="json" if options["json"] else "text",
        )
        if options["json"]:
            self.stdout.write(
                _json.dumps(
                    {
                        "round": r.pk,
                        "campaign": r.campaign_id,
                        "period": r.period,
                        "status": r.status,
                        "results": [row.__dict__ for row in rows],
                    },
                    ensure_ascii=False,
                    indent=1,
                )
            )
            return
        self.stdout.write(f"{r.campaign.name} · {r.period} ({r.get_status_display()})")
        for number, row in enumerate(rows, start=1):
            score = "—" if row.score is None else f"{row.score:.1f}"
            self.stdout.write(f"{number:4} {row.name} · {row.unit}: {score} ({row.answered}/{row.sampled})")

    def do_verify(self, options):
        r = self._round(options)
        stored = {}
        for cadre_id, pairing_id in r.samples.order_by("cadre_id", "position").values_list(
            "cadre_id", "pairing_id"
        ):
            stored.setdefault(cadre_id, []).append(pairing_id)
        if services.redraw(r) != stored:
            raise CommandError(
                _("Round %(id)s: the stored sample differs from the draw of seed %(seed)s.")
                % {"id": r.pk, "seed": r.seed}
            )
        self.stdout.write(
            _("Round %(id)s: the sample is the draw of seed %(seed)s (%(cadres)s cadres).")
            % {"id": r.pk, "seed": r.seed, "cadres": len(stored)}
        )
