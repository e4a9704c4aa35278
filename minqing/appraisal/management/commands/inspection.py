import json as _json

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.appraisal import selectors
from minqing.appraisal.models import FollowUpAction, Inspection
from minqing.core.cli import CliCommand, audit_read, campaign_or_error, iso_date
from minqing.core.dates import day_text


class Command(CliCommand):
    help = gettext_lazy(
        "Inspections: list them, list overdue follow-up actions, or each cadre's results in a period."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help=gettext_lazy("the campaign's inspections"))
        listing.add_argument("--campaign", type=int, required=True)
        listing.add_argument("--kind", choices=Inspection.Kind.values)
        listing.add_argument("--json", action="store_true")
        overdue = sub.add_parser(
            "overdue", help=gettext_lazy("follow-up actions past their deadline and not done")
        )
        overdue.add_argument("--campaign", type=int, required=True)
        overdue.add_argument("--json", action="store_true")
        results = sub.add_parser(
            "results", help=gettext_lazy("count, score and open actions per cadre in a period")
        )
        results.add_argument("--campaign", type=int, required=True)
        results.add_argument("--start", required=True)
        results.add_argument("--end", required=True)
        results.add_argument("--json", action="store_true")

    def handle(self, *args, action, campaign, **options):
        getattr(self, f"do_{action}")(campaign_or_error(campaign), options)

    def _out(self, options, data, lines, *, action, campaign, shown, **detail):
        # The rows name cadres with their ratings and open actions: a cadre's record, read.
        audit_read(
            action=action,
            obj=campaign,
            shown=shown,
            format="json" if options["json"] else "text",
            **detail,
        )
        if options["json"]:
            self.stdout.write(_json.dumps(data, ensure_ascii=False, indent=1, default=str))
        else:
            for line in lines:
                self.stdout.write(line)

    def do_list(self, campaign, options):
        qs = Inspection.objects.filter(campaign=campaign).select_related(
            "cadre__account", "point", "inspector"
        )
        if options["kind"]:
            qs = qs.filter(kind=options["kind"])
        rows = list(qs)
        self._out(
            options,
            [
                {
                    "id": i.pk,
                    "date": i.date,
                    "kind": i.kind,
                    "cadre": i.cadre_id,
                    "point": i.point_id,
                    "rating": i.rating,
                    "inspector": i.inspector.username,
                }
                for i in rows
            ],
            [
                f"{day_text(i.date)} {i.get_kind_display()} · {i.cadre.account if i.cadre else i.point}: {i.get_rating_display()}"
                for i in rows
            ],
            action="inspection.list",
            campaign=campaign,
            shown=len(rows),
            filters={"kind": options["kind"]},
        )

    def do_overdue(self, campaign, options):
        today = timezone.localdate()
        rows = list(
            FollowUpAction.objects.filter(
                inspection__campaign=campaign, done_on__isnull=True, deadline__lt=today
            ).select_related("owner__account")
        )
        self._out(
            options,
            [{"id": a.pk, "text": a.text, "owner": a.owner_id, "deadline": a.deadline} for a in rows],
            [f"{day_text(a.deadline)} {a.owner.account}: {a.text}" for a in rows],
            action="inspection.overdue.view",
            campaign=campaign,
            shown=len(rows),
            as_of=today.isoformat(),
        )

    def do_results(self, campaign, options):
        start, end = iso_date(options["start"]), iso_date(options["end"])
        results = selectors.inspection_results(campaign, start, end)
        self._out(
            options,
            {str(cadre): r.__dict__ for cadre, r in results.items()},
            [
                _(
                    "Cadre %(cadre)s: %(count)s inspections, score %(score)s, %(open)s actions open, "
                    "%(overdue)s overdue"
                )
                % {
                    "cadre": cadre,
                    "count": r.count,
                    "score": "—" if r.score is None else r.score,
                    "open": r.open_actions,
                    "overdue": r.overdue_actions,
                }
                for cadre, r in sorted(results.items())
            ],
            action="inspection.results.view",
            campaign=campaign,
            shown=len(results),
            start=start.isoformat(),
            end=end.isoformat(),
        )
