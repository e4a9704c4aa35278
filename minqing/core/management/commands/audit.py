from django.core.management.base import BaseCommand, CommandError

from minqing.core.audit import audit_verify


class Command(BaseCommand):
    help = "The audit trail: `minqing audit verify` checks the SHA-256 chain and names the first bad row."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the chain")

    def handle(self, *args, action, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"audit trail broken at row {result.bad_id}: {result.message} ({result.checked} rows verified before it)"
            )
        self.stdout.write(f"audit trail intact: {result.checked} rows")
