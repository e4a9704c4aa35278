from django.utils.translation import gettext_lazy

from minqing.core.cli import CliCommand
from minqing.documents.imports.cli import run_import_command


class Command(CliCommand):
    help = gettext_lazy(
        "Regions: `minqing regions import FILE` loads a list (columns 代码/code and 名称/name) from CSV or "
        "Excel through the shared import engine: every bad row reported by row and column, all or nothing, "
        "a second run of the same file changes nothing (the same as `minqing import regions FILE`)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help=gettext_lazy("load regions from .csv, .xlsx, .xls or .ods"))
        load.add_argument("file")
        load.add_argument("--demo", action="store_true", help=gettext_lazy("mark the new regions as made up"))
        load.add_argument("--dry-run", action="store_true", help=gettext_lazy("check only, write nothing"))
        load.add_argument("--json", action="store_true", help=gettext_lazy("print the report as JSON"))
        load.add_argument("--quiet", action="store_true", help=gettext_lazy("no progress bar"))

    def handle(self, *args, action, file, demo, dry_run, json, quiet, **options):
        run_import_command(
            self,
            kind="regions",
            file=file,
            dry_run=dry_run,
            as_json=json,
            quiet=quiet,
            options={"is_demo": demo},
        )
