from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.cli import CliCommand, account_or_error, file_error
from minqing.core.ratelimit import RateLimited
from minqing.exports import services
from minqing.exports.models import ExportRequest


class Command(CliCommand):
    help = gettext_lazy(
        "`minqing export households --user USERNAME -o FILE [filters]`: the household roster as Excel, "
        "identifiers masked, within that account's data scope; with --request ID, the approved full "
        "export of that request (once)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        households = sub.add_parser("households")
        households.add_argument(
            "--user", required=True, help=gettext_lazy("the account the export is made as")
        )
        households.add_argument("-o", "--output", required=True)
        households.add_argument("--region", default="")
        households.add_argument("--hardship", default="", help=gettext_lazy("0-3 or any"))
        households.add_argument("--tag", default="")
        households.add_argument("--q", default="")
        households.add_argument(
            "--request", type=int, help=gettext_lazy("an approved full-export request of this user")
        )

    def handle(self, *args, what, user, output, region, hardship, tag, q, request, **options):
        account = account_or_error(user)
        with context.acting(channel="cli", user=account):
            try:
                if request:
                    export_request = ExportRequest.objects.filter(pk=request, requester=account).first()
                    if export_request is None:
                        raise CommandError(
                            _("%(username)s has no export request #%(id)s.")
                            % {"username": user, "id": request}
                        )
                    export = services.export_request_run(actor=account, request=export_request, path=output)
                else:
                    filters = {"region": region, "hardship": hardship or None, "tag": tag, "q": q}
                    export = services.household_export_masked(actor=account, filters=filters, path=output)
            except (ValidationError, PermissionDenied) as exc:
                raise CommandError(
                    " ".join(getattr(exc, "messages", [str(exc)])) or _("This account may not do that.")
                ) from None
            except RateLimited as exc:
                raise CommandError(
                    _("The export limit is reached; try again in %(n)s seconds.") % {"n": exc.retry_after}
                ) from None
            except OSError as exc:
                raise file_error(exc, output, writing=True) from None
        self.stdout.write(_("%(n)s households written to %(file)s") % {"n": export.rows, "file": output})
