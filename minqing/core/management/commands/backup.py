from django.core.management.base import BaseCommand, CommandError

from minqing.core import backup


class Command(BaseCommand):
    help = (
        "`minqing backup [-o FILE]` writes a backup (SQLite online backup, or pg_dump -Fc); "
        "`minqing backup drill` restores one into a scratch database and compares every table."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", choices=["drill"], help="drill: test a restore")
        parser.add_argument("-o", "--output", help="the backup file (default: var/backups/minqing-<time>.*)")

    def handle(self, *args, action=None, output=None, **options):
        try:
            if action == "drill":
                result = backup.drill(keep=output)
            else:
                path = backup.backup(output)
                self.stdout.write(f"backup written: {path} ({path.stat().st_size} bytes)")
                return
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        for table in sorted(result.source):
            count, digest = result.source[table]
            mark = "ok" if result.restored.get(table) == (count, digest) else "DIFFERENT"
            self.stdout.write(f"{table:<40} {count:>9} rows  {digest}  {mark}")
        if not result.ok:
            raise CommandError(
                f"restore drill failed: tables differ: {', '.join(result.differences) or 'none found'}"
            )
        self.stdout.write(
            f"restore drill passed: {len(result.source)} tables identical "
            f"(backup of {result.backup_bytes} bytes)"
        )
