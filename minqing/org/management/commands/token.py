from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from minqing.core import context
from minqing.core.cli import account_or_error, invalid
from minqing.org.services import token_create


class Command(BaseCommand):
    help = "API tokens: `minqing token create USERNAME [--name NAME]` prints only the new token."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for an account")
        create.add_argument("username")
        create.add_argument("--name", default="")

    def handle(self, *args, action, username, name, **options):
        account = account_or_error(username, active=False)
        with context.acting(channel="cli"):
            try:
                token = token_create(actor=None, account=account, name=name)
            except ValidationError as exc:
                raise invalid(exc) from None
        self.stdout.write(token)
