import datetime as dt
import json as _json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minqing.programs import engine
from minqing.programs.models import Campaign


class Command(BaseCommand):
    help = "Evaluate every rule of a campaign as of a date: a summary, or every verdict with --json."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True)
        parser.add_argument("--as-of", dest="as_of")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--failures", action="store_true", help="only failing verdicts")

    def handle(self, *args, campaign, as_of, json: bool, failures: bool, **options):
        found = Campaign.objects.select_related("region").filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"no campaign {campaign}")
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"not a date (YYYY-MM-DD): {as_of}") from None
        try:
            report = engine.ComplianceReport(found, day, engine.evaluate(found, day))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        verdicts = [v for v in report.verdicts if v.status == "fail"] if failures else report.verdicts
        if json:
            self.stdout.write(
                _json.dumps(
                    {
                        "campaign": found.pk,
                        "as_of": day.isoformat(),
                        "totals": dict(report.totals),
                        "verdicts": [v.__dict__ for v in verdicts],
                    },
                    ensure_ascii=False,
                    indent=1,
                )
            )
            return
        self.stdout.write(f"{found.name} ({found.program_name}), as of {day}")
        for tally in report.by_rule:
            self.stdout.write(
                f"  {tally.label}: {tally.passed} pass, {tally.failed} fail, "
                f"{tally.no_records} no records, {tally.not_due} not yet due"
            )
        if failures:
            for verdict in verdicts:
                self.stdout.write(
                    f"  ✗ {verdict.rule_name} · {verdict.subject}: {'; '.join(verdict.missing)}"
                )
