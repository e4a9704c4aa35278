"""What the assessment app's commands share: an action per subcommand, run as the command
line in the audit trail, and look-ups that end the command with a message."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from minqing.core import context
from minqing.org.models import Cadre


class ActionCommand(BaseCommand):
    def handle(self, *args, action, **o):
        with context.acting(channel="cli"):
            try:
                getattr(self, action.replace("-", "_"))(**o)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None

    def _cadre(self, username):
        cadre = Cadre.objects.select_related("account", "unit").filter(account__username=username).first()
        if cadre is None:
            raise CommandError(f"no cadre with the username {username}")
        return cadre
