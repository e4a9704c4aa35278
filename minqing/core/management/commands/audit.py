import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.audit import audit_purge, audit_verify
from minqing.core.cli import CliCommand, iso_date


class Command(CliCommand):
    help = gettext_lazy(
        "The audit trail: `minqing audit verify` checks the SHA-256 chain and names the first bad row; "
        "`minqing audit purge --before DATE` removes the oldest rows past their retention."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help=gettext_lazy("verify the chain"))
        purge = sub.add_parser(
            "purge",
            help=gettext_lazy(
                "remove rows older than DATE, never security events younger than 180 days "
                "nor personal-data processing records younger than 3 years"
            ),
        )
        purge.add_argument("--before", required=True, help=gettext_lazy("YYYY-MM-DD"))

    def handle(self, *args, action, **options):
        if action == "purge":
            return self.purge(options["before"])
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                _(
                    "The audit trail is broken at row %(row)s: %(problem)s (%(checked)s rows verified before it)."
                )
                % {"row": result.bad_id, "problem": result.message, "checked": result.checked}
            )
        self.stdout.write(_("The audit trail is intact: %(checked)s rows.") % {"checked": result.checked})

    def purge(self, before: str):
        day = iso_date(before)
        cutoff = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        with context.acting(channel="cli"):
            result = audit_purge(before=cutoff)
        if result.removed:
            self.stdout.write(
                _("Removed %(n)s rows (up to #%(last)s); the head keeps the checkpoint.")
                % {"n": result.removed, "last": result.last_id}
            )
        else:
            self.stdout.write(_("Nothing to remove: the oldest row is still within its retention."))
