from django.utils.translation import gettext_lazy

from minqing.core.cli import CliCommand, campaign_or_error
from minqing.documents.imports import KINDS
from minqing.documents.imports.cli import run_import_command


class Command(CliCommand):
    help = gettext_lazy(
        "Import a list from .xlsx, .xls, .ods or .csv: households (with members), cadres, pairings "
        "(--campaign ID), points, regions. Every row is checked first; any bad row and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("check only, write nothing"))
        parser.add_argument("--campaign", type=int, help=gettext_lazy("the campaign the pairings belong to"))
        parser.add_argument("--json", action="store_true", help=gettext_lazy("print the report as JSON"))
        parser.add_argument("--quiet", action="store_true", help=gettext_lazy("no progress bar"))

    def handle(self, *args, kind, file, dry_run, campaign, json: bool, quiet: bool, **options):
        chosen = campaign_or_error(campaign) if campaign is not None else None
        run_import_command(
            self, kind=kind, file=file, dry_run=dry_run, campaign=chosen, as_json=json, quiet=quiet
        )
