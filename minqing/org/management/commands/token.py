import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.cli import CliCommand, account_or_error, invalid
from minqing.core.dates import moment_text
from minqing.org.selectors import token_get, token_list
from minqing.org.services import account_tokens_revoke, token_create, token_revoke


class Command(CliCommand):
    help = gettext_lazy(
        "API tokens: `minqing token create USERNAME [--name NAME]` prints only the new token; "
        "`token list [--user USERNAME] [--json]` lists them (never the secret, only its first "
        "characters); `token revoke ID` or `token revoke --user USERNAME` revokes one token or "
        "all of an account's live tokens."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help=gettext_lazy("create a token for an account"))
        create.add_argument("username")
        create.add_argument("--name", default="")
        listing = sub.add_parser(
            "list", help=gettext_lazy("tokens with their account, name, dates and state")
        )
        listing.add_argument("--user", help=gettext_lazy("only this account's tokens"))
        listing.add_argument("--json", action="store_true")
        revoke = sub.add_parser(
            "revoke", help=gettext_lazy("revoke one token, or every live token of an account")
        )
        which = revoke.add_mutually_exclusive_group(required=True)
        which.add_argument("id", nargs="?", help=gettext_lazy("the token's id (as `token list` shows it)"))
        which.add_argument("--user", help=gettext_lazy("revoke all of this account's live tokens"))

    def handle(self, *args, action, **options):
        with context.acting(channel="cli"):
            getattr(self, f"do_{action}")(options)

    def do_create(self, options):
        account = account_or_error(options["username"], active=False)
        try:
            token = token_create(actor=None, account=account, name=options["name"])
        except ValidationError as exc:
            raise invalid(exc) from None
        self.stdout.write(token)

    def do_list(self, options):
        account = account_or_error(options["user"], active=False) if options["user"] else None
        tokens = list(token_list(user=None, account=account))
        if options["json"]:
            rows = [
                {
                    "id": t.pk,
                    "account": t.account.username,
                    "name": t.name,
                    "prefix": t.prefix,
                    "created_at": t.created_at.isoformat(),
                    "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                    "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                    "state": t.state,
                }
                for t in tokens
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        if not tokens:
            self.stdout.write(_("No API tokens."))
            return
        header = [_("ID"), _("Account"), _("Name"), _("Token"), _("Created"), _("Last used"), _("State")]
        rows = [
            [
                str(t.pk),
                t.account.username,
                t.name or "—",
                f"{t.prefix}…",
                moment_text(t.created_at),
                moment_text(t.last_used_at) or "—",
                str(t.state_label) + (f" {moment_text(t.revoked_at)}" if t.revoked_at is not None else ""),
            ]
            for t in tokens
        ]
        self.stdout.write("\t".join(header))
        for row in rows:
            self.stdout.write("\t".join(row))

    def do_revoke(self, options):
        if options["user"]:
            account = account_or_error(options["user"], active=False)
            revoked = account_tokens_revoke(actor=None, account=account, reason="")
            if not revoked:
                raise CommandError(
                    _("%(username)s has no API token that is not revoked.") % {"username": account.username}
                )
            self.stdout.write(
                _("Revoked %(n)s API tokens of %(username)s: %(ids)s")
                % {
                    "n": len(revoked),
                    "username": account.username,
                    "ids": ", ".join(str(t.pk) for t in revoked),
                }
            )
            return
        token = token_get(user=None, pk=options["id"])
        if token is None:
            raise CommandError(_("There is no API token %(id)s.") % {"id": options["id"]})
        try:
            token = token_revoke(actor=None, token=token)
        except ValidationError as exc:
            raise invalid(exc) from None
        self.stdout.write(
            _("Revoked the API token %(id)s (%(prefix)s…) of %(username)s.")
            % {"id": token.pk, "prefix": token.prefix, "username": token.account.username}
        )
