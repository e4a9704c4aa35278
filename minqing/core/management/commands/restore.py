from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import backup
from minqing.core.cli import CliCommand, existing_file


class Command(CliCommand):
    help = gettext_lazy("Restore a backup made by `minqing backup` into this (empty) database.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = existing_file(file)
        try:
            backup.restore(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("Restored %(file)s; check it with `minqing audit verify`.") % {"file": path})
