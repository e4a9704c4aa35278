import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minqing.core import context
from minqing.core.audit import audit_purge, audit_verify


class Command(BaseCommand):
    help = (
        "The audit trail: `minqing audit verify` checks the SHA-256 chain and names the first bad row; "
        "`minqing audit purge --before DATE` removes the oldest rows past their retention."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the chain")
        purge = sub.add_parser(
            "purge",
            help="remove rows older than DATE, never security events younger than 180 days "
            "nor personal-data processing records younger than 3 years",
        )
        purge.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *args, action, **options):
        if action == "purge":
            return self.purge(options["before"])
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"audit trail broken at row {result.bad_id}: {result.message} ({result.checked} rows verified before it)"
            )
        self.stdout.write(f"audit trail intact: {result.checked} rows")

    def purge(self, before: str):
        try:
            day = dt.date.fromisoformat(before)
        except ValueError:
            raise CommandError("--before takes a date: YYYY-MM-DD") from None
        cutoff = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        with context.acting(channel="cli"):
            result = audit_purge(before=cutoff)
        if result.removed:
            self.stdout.write(
                f"removed {result.removed} rows (up to #{result.last_id}); the head keeps the checkpoint"
            )
        else:
            self.stdout.write("nothing to remove: the oldest row is still within its retention")
