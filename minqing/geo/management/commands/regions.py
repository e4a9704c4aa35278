from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from minqing.core import context
from minqing.core.tables import read_table
from minqing.geo.services import regions_import


class Command(BaseCommand):
    help = "Regions: `minqing regions import FILE` loads a list (columns 代码/code and 名称/name) from CSV or Excel."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="load regions from .csv, .xlsx, .xls or .ods")
        load.add_argument("file")
        load.add_argument("--demo", action="store_true", help="mark the regions as made up")

    def handle(self, *args, action, file, demo, **options):
        with context.acting(channel="cli"):
            try:
                changed = regions_import(actor=None, rows=read_table(file), is_demo=demo)
            except ValidationError as exc:
                raise CommandError(_("Nothing was imported:") + "\n" + "\n".join(exc.messages)) from None
            except FileNotFoundError:
                raise CommandError(f"no such file: {file}") from None
        self.stdout.write(f"{changed} regions created or renamed")
