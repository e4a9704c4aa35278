from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.cli import CliCommand, account_or_error, campaign_or_error, file_error, invalid
from minqing.core.scope import forget_scope

from ...definitions import ledger_specs
from ...selectors import ledger_counts, ledger_region
from ...services import ledger_export


class Command(CliCommand):
    help = gettext_lazy(
        "A campaign's ledgers: `ledger list --campaign ID [--region CODE]` or `ledger export --campaign ID --ledger KEY "
        "[--region CODE] -o FILE`. With --as USER, the rows in that account's scope (and with --reason, "
        "full identifiers if the account may unmask them); without, the whole campaign, masked."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "export"])
        parser.add_argument("--campaign", type=int, required=True)
        parser.add_argument("--ledger", default="")
        parser.add_argument("--region", default="")
        parser.add_argument("-o", "--output", default="")
        parser.add_argument("--as", dest="username", default="")
        parser.add_argument(
            "--reason", default="", help=gettext_lazy("unmask ID numbers and phones, for this reason")
        )

    def handle(self, *args, action, campaign, ledger, region, output, username, reason, **options):
        found = campaign_or_error(campaign)
        user = None
        if username:
            user = account_or_error(username)
            forget_scope(user)
        if action == "list":
            try:
                narrowed = ledger_region(region)
            except ValidationError as exc:
                raise invalid(exc) from None
            for spec, rows in ledger_counts(user=user, campaign=found, region=narrowed):
                self.stdout.write(f"{spec.key}\t{spec.name}\t{spec.source}\t{rows}")
            return
        if not ledger:
            keys = ", ".join(s.key for s in ledger_specs(found))
            raise CommandError(_("Give --ledger KEY; this campaign keeps: %(keys)s") % {"keys": keys})
        if not output:
            raise CommandError(_("Give -o FILE."))
        if reason and user is None:
            raise CommandError(_("--reason needs --as USER: identifiers are unmasked only for an account."))
        try:
            # The service records the export (who, which ledger, how many rows), as the page's.
            with context.acting(channel="cli", user=user):
                export = ledger_export(
                    actor=user,
                    campaign=found,
                    key=ledger,
                    path=output,
                    region_code=region,
                    unmask=bool(reason),
                    reason=reason,
                )
        except ValidationError as exc:
            raise invalid(exc) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or _("This account may not do that.")) from None
        except OSError as exc:
            raise file_error(exc, output, writing=True) from None
        masked = _("masked") if export.masked else _("FULL identifiers")
        self.stdout.write(
            _("%(n)s rows → %(file)s (%(masked)s)") % {"n": export.rows, "file": output, "masked": masked}
        )
