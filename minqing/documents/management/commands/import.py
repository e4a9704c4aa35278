import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from minqing.core import context
from minqing.documents.imports import KINDS
from minqing.documents.imports.engine import import_run
from minqing.programs.models import Campaign


class Command(BaseCommand):
    help = (
        "Import a list from .xlsx, .xls, .ods or .csv: households (with members), cadres, pairings "
        "(--campaign ID), points, regions. Every row is checked first; any bad row and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--campaign", type=int, help="the campaign the pairings belong to")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, kind, file, dry_run, campaign, json: bool, quiet: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file %(file)s.") % {"file": file})
        chosen = None
        if campaign is not None:
            chosen = Campaign.objects.select_related("region").filter(pk=campaign).first()
            if chosen is None:
                raise CommandError(_("There is no campaign %(id)s.") % {"id": campaign})
        bar = None if quiet or json else tqdm(total=3, desc=path.name, unit=" step", leave=False)

        def progress(step, rows):
            if bar is not None:
                bar.set_postfix_str(f"{step}: {rows} rows")
                bar.update(1)

        with context.acting(channel="cli"):
            report = import_run(
                actor=None,
                kind=kind,
                path=path,
                filename=path.name,
                dry_run=dry_run,
                campaign=chosen,
                progress=progress,
            )
        if bar is not None:
            bar.close()
        if json:
            self.stdout.write(_json(report.as_dict()))
        elif report.ok:
            verdict = _("Checked, nothing written:") if dry_run else _("Imported:")
            self.stdout.write(f"{verdict} {path.name}, {report.rows} rows, {report.seconds:.2f} s")
            for label, n in report.count_lines():
                self.stdout.write(f"  {label}: {n}")
        if not report.ok:
            raise CommandError(_("Nothing was imported:") + "\n" + "\n".join(report.messages()))


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
