from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.cli import CliCommand, account_or_error
from minqing.org import services as org_services
from minqing.security import services


class Command(CliCommand):
    help = gettext_lazy(
        "Accounts from the server: `minqing accounts disable-idle` (for cron, daily) disables accounts "
        "unused for 90 days; `reset-password USER` and `reset-2fa USER` reset any account, "
        "administrators included."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        idle = sub.add_parser(
            "disable-idle",
            help=gettext_lazy("disable accounts idle for MINQING_ACCOUNT_IDLE_DISABLE_DAYS days"),
        )
        idle.add_argument("--dry-run", action="store_true", help=gettext_lazy("only list them"))
        for name, text in (
            (
                "reset-password",
                gettext_lazy("give the account a temporary password, to be changed at sign-in"),
            ),
            ("reset-2fa", gettext_lazy("remove the account's second-factor devices")),
        ):
            sub.add_parser(name, help=text).add_argument("username")

    def handle(self, *args, action, **options):
        with context.acting(channel="cli"):
            if action == "disable-idle":
                if options["dry_run"]:
                    names = list(services.idle_accounts().values_list("username", flat=True))
                else:
                    names = services.accounts_disable_idle(actor=None)
                if options["dry_run"]:
                    said = _("Would disable %(n)s idle accounts") % {"n": len(names)}
                else:
                    said = _("Disabled %(n)s idle accounts") % {"n": len(names)}
                self.stdout.write(said + (": " + ", ".join(names) if names else ""))
                return
            account = account_or_error(options["username"], active=False)
            if action == "reset-password":
                password = org_services.account_password_reset(actor=None, account=account)
                self.stdout.write(
                    _("Temporary password of %(username)s (to be changed at sign-in): %(password)s")
                    % {"username": account.username, "password": password}
                )
            else:
                removed = org_services.account_otp_reset(actor=None, account=account)
                self.stdout.write(
                    _("Removed %(n)s second-factor devices of %(username)s")
                    % {"n": removed, "username": account.username}
                )
