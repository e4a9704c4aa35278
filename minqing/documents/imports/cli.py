"""What `minqing import KIND FILE` and `minqing regions import FILE` share: run the import
through the engine, with a progress bar, and print its report (or every bad row)."""

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from minqing.core import context

from .engine import import_run


def run_import_command(
    command, *, kind: str, file: str, dry_run=False, campaign=None, as_json=False, quiet=False, options=None
):
    path = Path(file)
    if not path.is_file():
        raise CommandError(_("There is no file %(file)s.") % {"file": file})
    bar = None if quiet or as_json else tqdm(total=3, desc=path.name, unit=" step", leave=False)

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
            campaign=campaign,
            progress=progress,
            options=options,
        )
    if bar is not None:
        bar.close()
    if as_json:
        command.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    elif report.ok:
        verdict = _("Checked, nothing written:") if dry_run else _("Imported:")
        command.stdout.write(f"{verdict} {path.name}, {report.rows} rows, {report.seconds:.2f} s")
        for label, n in report.count_lines():
            command.stdout.write(f"  {label}: {n}")
    if not report.ok:
        raise CommandError(_("Nothing was imported:") + "\n" + "\n".join(report.messages()))
    return report
