from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.cli import CliCommand, campaign_or_error, invalid, iso_date, region_or_error, unit_or_error
from minqing.core.dates import day_text
from minqing.programs.models import Campaign
from minqing.programs.services import campaign_change, campaign_start, fitted_phases


class Command(CliCommand):
    help = gettext_lazy("Campaigns: start one from a program template (prints its id), or list them.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        start = sub.add_parser("start", help=gettext_lazy("start a campaign from a program template"))
        start.add_argument("--program", required=True)
        start.add_argument("--name", required=True)
        start.add_argument("--region", required=True, help=gettext_lazy("region code, 6 or 12 digits"))
        start.add_argument("--start", required=True)
        start.add_argument("--end")
        start.add_argument(
            "--unit",
            action="append",
            default=[],
            help=gettext_lazy("participating unit (id), repeatable; none: every unit"),
        )
        units = sub.add_parser(
            "units", help=gettext_lazy("set a campaign's participating units (a new, audited version)")
        )
        units.add_argument("--campaign", type=int, required=True)
        units.add_argument(
            "--unit", action="append", default=[], help=gettext_lazy("unit id, repeatable; none: every unit")
        )
        units.add_argument("--reason", required=True)
        sub.add_parser("list", help=gettext_lazy("list campaigns"))

    def handle(self, *args, action, **options):
        if action == "list":
            for campaign in Campaign.objects.select_related("region").order_by("id"):
                self.stdout.write(
                    f"{campaign.pk:>4}  {campaign.program_key:<10} {campaign.region.name:<8} "
                    f"{day_text(campaign.start)} – {day_text(campaign.end)}  {campaign.name}"
                )
            return
        if action == "units":
            campaign = campaign_or_error(options["campaign"])
            units = [unit_or_error(value) for value in options["unit"]]
            with context.acting(channel="cli"):
                try:
                    campaign = campaign_change(
                        actor=None, campaign=campaign, reason=options["reason"], units=units
                    )
                except ValidationError as exc:
                    raise invalid(exc) from None
            self.stdout.write(
                _("Campaign %(id)s, version %(version)s: %(units)s units")
                % {"id": campaign.pk, "version": campaign.version, "units": campaign.units.count()}
            )
            return
        region = region_or_error(options["region"])
        start = iso_date(options["start"])
        end = iso_date(options["end"]) if options["end"] else None
        units = [unit_or_error(value) for value in options["unit"]]
        with context.acting(channel="cli"):
            try:
                campaign = campaign_start(
                    actor=None,
                    program_key=options["program"],
                    name=options["name"],
                    region=region,
                    start=start,
                    end=end,
                    units=units,
                )
            except ValidationError as exc:
                raise invalid(exc) from None
        self.stdout.write(str(campaign.pk))
        # What the start changed of the template's year, as the page says it; stdout keeps only the id.
        for fitted in fitted_phases(campaign):
            self.stderr.write(fitted)
