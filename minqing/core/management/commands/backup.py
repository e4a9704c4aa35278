from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import backup, context
from minqing.core.audit import audit_record, trail_writable
from minqing.core.cli import CliCommand, file_error


class Command(CliCommand):
    help = gettext_lazy(
        "`minqing backup [-o FILE]` writes a backup (SQLite online backup, or pg_dump -Fc); "
        "`minqing backup drill` restores one into a scratch database and compares every table."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action", nargs="?", choices=["drill"], help=gettext_lazy("drill: test a restore")
        )
        parser.add_argument(
            "-o", "--output", help=gettext_lazy("the backup file (default: var/backups/minqing-<time>.*)")
        )

    def handle(self, *args, action=None, output=None, **options):
        if (action != "drill" or output) and not trail_writable():
            # A backup is recorded in the trail: refused before any file is written.
            raise CommandError(
                _(
                    "The database does not accept writes (a read-only standby?), so the backup "
                    "could not be recorded in the audit trail: nothing was written. Run the backup "
                    "against the primary database."
                )
            )
        try:
            if action == "drill":
                result = backup.drill(keep=output)
                if output:
                    audited(Path(output), drill=True)
            else:
                path = backup.backup(output)
                audited(path, drill=False)
                self.stdout.write(
                    _("Backup written: %(file)s (%(bytes)s bytes)")
                    % {"file": path, "bytes": path.stat().st_size}
                )
                return
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise file_error(exc, writing=True) from None
        for table in sorted(result.source):
            count, digest = result.source[table]
            mark = _("ok") if result.restored.get(table) == (count, digest) else _("DIFFERENT")
            rows = _("%(n)s rows") % {"n": f"{count:>9}"}
            self.stdout.write(f"{table:<40} {rows}  {digest}  {mark}")
        if not result.ok:
            raise CommandError(
                _("The restore drill failed: these tables differ: %(tables)s")
                % {"tables": ", ".join(result.differences) or "—"}
            )
        self.stdout.write(
            _("The restore drill passed: %(n)s tables identical (a backup of %(bytes)s bytes).")
            % {"n": len(result.source), "bytes": result.backup_bytes}
        )


def audited(path: Path, *, drill: bool) -> None:
    """A backup is a copy of every resident's and cadre's data: each file written is one row of
    the trail (which file, how large), written after the copy and so not in it."""
    with context.acting(channel="cli"):
        audit_record(
            action="backup.create",
            detail={"file": str(path), "bytes": path.stat().st_size, "drill": drill},
        )
