"""What the assessment app's commands share: an action per subcommand, run as the command
line in the audit trail, and look-ups that end the command with a message."""

from django.core.exceptions import ValidationError

from minqing.core import context
from minqing.core.cli import CliCommand, cadre_or_error, invalid


class ActionCommand(CliCommand):
    def handle(self, *args, action, **o):
        with context.acting(channel="cli"):
            try:
                getattr(self, action.replace("-", "_"))(**o)
            except ValidationError as exc:
                raise invalid(exc) from None

    def _cadre(self, username):
        return cadre_or_error(username)
