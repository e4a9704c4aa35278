import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from minqing.core import context
from minqing.geo.models import Region
from minqing.org.models import Unit
from minqing.programs.models import Campaign
from minqing.programs.services import campaign_change, campaign_start


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "Campaigns: start one from a program template (prints its id), or list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        start = sub.add_parser("start", help="start a campaign from a program template")
        start.add_argument("--program", required=True)
        start.add_argument("--name", required=True)
        start.add_argument("--region", required=True, help="region code, 6 or 12 digits")
        start.add_argument("--start", required=True)
        start.add_argument("--end")
        start.add_argument(
            "--unit",
            action="append",
            default=[],
            help="participating unit (id), repeatable; none: every unit",
        )
        units = sub.add_parser("units", help="set a campaign's participating units (a new, audited version)")
        units.add_argument("--campaign", type=int, required=True)
        units.add_argument(
            "--unit", action="append", default=[], help="unit id, repeatable; none: every unit"
        )
        units.add_argument("--reason", required=True)
        sub.add_parser("list", help="list campaigns")

    def handle(self, *args, action, **options):
        if action == "list":
            for campaign in Campaign.objects.select_related("region").order_by("id"):
                self.stdout.write(
                    f"{campaign.pk:>4}  {campaign.program_key:<10} {campaign.region.name:<8} "
                    f"{campaign.start} – {campaign.end or ''}  {campaign.name}"
                )
            return
        if action == "units":
            campaign = Campaign.objects.filter(pk=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"no campaign {options['campaign']}")
            with context.acting(channel="cli"):
                try:
                    campaign = campaign_change(
                        actor=None,
                        campaign=campaign,
                        reason=options["reason"],
                        units=self._units(options["unit"]),
                    )
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages)) from None
            self.stdout.write(f"{campaign.pk} v{campaign.version}: {campaign.units.count()} units")
            return
        code = options["region"].ljust(12, "0") if len(options["region"]) < 12 else options["region"]
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"no region with code {options['region']}")
        with context.acting(channel="cli"):
            try:
                campaign = campaign_start(
                    actor=None,
                    program_key=options["program"],
                    name=options["name"],
                    region=region,
                    start=iso_date(options["start"]),
                    end=iso_date(options["end"]) if options["end"] else None,
                    units=self._units(options["unit"]),
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(str(campaign.pk))

    def _units(self, ids: list[str]) -> list:
        found = []
        for value in ids:
            unit = Unit.objects.filter(pk=int(value)).first() if value.isdigit() else None
            if unit is None:
                raise CommandError(f"no unit {value}")
            found.append(unit)
        return found
