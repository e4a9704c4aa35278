from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minqing.core import backup


class Command(BaseCommand):
    help = "Restore a backup made by `minqing backup` into this (empty) database."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            backup.restore(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored {path}; check it with `minqing audit verify`")
