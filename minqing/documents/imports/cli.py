"""What `minqing import KIND FILE` and `minqing regions import FILE` share: run the import
through the engine, with a progress bar, and print its report (or every bad row)."""

import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from minqing.core import context
from minqing.core.cli import existing_file

from .engine import import_run

# The engine's steps as the progress bar shows them.
STEPS = {
    "read": gettext_lazy("read: %(rows)s rows"),
    "validated": gettext_lazy("checked: %(rows)s rows"),
    "written": gettext_lazy("written: %(rows)s rows"),
}


def run_import_command(
    command, *, kind: str, file: str, dry_run=False, campaign=None, as_json=False, quiet=False, options=None
):
    from .engine import importer_for

    if importer_for(kind).needs_campaign and campaign is None:
        raise CommandError(_("A pairing list is imported into one campaign: give it with --campaign ID."))
    path = existing_file(file)
    bar = None if quiet or as_json else tqdm(total=3, desc=path.name, unit=" " + _("step"), leave=False)

    def progress(step, rows):
        if bar is not None:
            bar.set_postfix_str(STEPS[step] % {"rows": rows})
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
        said = {"file": path.name, "rows": report.rows, "seconds": report.seconds}
        if dry_run:
            command.stdout.write(
                _("Checked, nothing written: %(file)s, %(rows)s rows, %(seconds).2f s") % said
            )
        else:
            command.stdout.write(_("Imported: %(file)s, %(rows)s rows, %(seconds).2f s") % said)
        for label, n in report.count_lines():
            command.stdout.write(f"  {label}: {n}")
        for note in report.notes:
            command.stdout.write(note)
    if not report.ok:
        raise CommandError(_("Nothing was imported:") + "\n" + "\n".join(report.messages()))
    return report
