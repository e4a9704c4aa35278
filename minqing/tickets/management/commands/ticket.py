import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.cli import CliCommand, account_or_error, audit_read, invalid, iso_date
from minqing.core.dates import moment_text
from minqing.tickets import selectors, services
from minqing.tickets.models import Status


class Command(CliCommand):
    help = gettext_lazy("Demands: list, show, overdue, rates, and workflow steps (as a named account).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("list", gettext_lazy("tickets in the account's scope")),
            ("overdue", gettext_lazy("open tickets past their deadline")),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("--as", dest="username", required=True)
            p.add_argument("--status", default="")
            p.add_argument("--ledger", default="")
            p.add_argument("--limit", type=int, default=50)
            p.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help=gettext_lazy("one ticket with its events"))
        show.add_argument("code")
        show.add_argument("--as", dest="username", required=True)
        rates = sub.add_parser(
            "rates", help=gettext_lazy("response, resolution, satisfaction and on-time rates")
        )
        rates.add_argument("--as", dest="username", required=True)
        rates.add_argument("--by", default="unit", choices=selectors.GROUPINGS)
        rates.add_argument("--json", action="store_true")
        act = sub.add_parser(
            "act",
            help=gettext_lazy(
                "one workflow step: claim, start, reply, verify, close, escalate, return, reopen; "
                "extend (ask for a later deadline), extend_approve, extend_refuse; "
                "classify (file into a ledger and category of its campaign)"
            ),
        )
        act.add_argument("code")
        act.add_argument(
            "step",
            choices=[
                "claim",
                "start",
                "reply",
                "verify",
                "close",
                "escalate",
                "return",
                "reopen",
                "extend",
                "extend_approve",
                "extend_refuse",
                "classify",
            ],
        )
        act.add_argument("--as", dest="username", required=True)
        act.add_argument("--text", default="", help=gettext_lazy("the reply, or the reason"))
        act.add_argument(
            "--deadline",
            type=iso_date,
            default=None,
            help=gettext_lazy("extend: the new last day (YYYY-MM-DD)"),
        )
        act.add_argument("--ledger", default=None, help=gettext_lazy("classify: the ledger's key"))
        act.add_argument("--category", default=None, help=gettext_lazy("classify: the category's key"))
        reveal = sub.add_parser(
            "reveal",
            help=gettext_lazy(
                "the contact's full phone, for the handling unit or the dispatching office (audited)"
            ),
        )
        reveal.add_argument("code")
        reveal.add_argument("--as", dest="username", required=True)
        reveal.add_argument("--reason", required=True, help=gettext_lazy("why the full phone is needed"))

    def handle(self, *args, action, username, **options):
        user = account_or_error(username)
        with context.acting(channel="cli", user=user):
            getattr(self, f"do_{action}")(user, **options)

    def _rows(self, user, tickets, options, **filters):
        tickets = list(tickets.select_related("unit")[: options["limit"]])
        # Titles are the residents' own words (names, addresses): the read is recorded, as the API's.
        audit_read(
            action="ticket.list",
            user=user,
            shown=len(tickets),
            filters={"ledger": options["ledger"], **filters},
            format="json" if options["json"] else "text",
        )
        if options["json"]:
            rows = [
                {
                    "code": t.code,
                    "status": t.status,
                    "tier": t.tier,
                    "unit": t.unit.name if t.unit else "",
                    "deadline": timezone.localtime(t.deadline).isoformat(timespec="minutes"),
                    "overdue": t.is_overdue,
                    "title": t.title,
                }
                for t in tickets
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for t in tickets:
            flag = " " + _("OVERDUE") if t.is_overdue else ""
            unit = t.unit.name if t.unit else ""
            self.stdout.write(
                f"{t.code}  {Status(t.status).label}  {moment_text(t.deadline)}  {unit}  {t.title}{flag}"
            )

    def do_list(self, user, **options):
        self._rows(
            user,
            selectors.ticket_list(user=user, status=options["status"], ledger=options["ledger"]),
            options,
            status=options["status"],
        )

    def do_overdue(self, user, **options):
        tickets = selectors.ticket_list(user=user, overdue=True, ledger=options["ledger"]).order_by(
            "deadline"
        )
        self._rows(user, tickets, options, overdue=True)

    def do_show(self, user, code, **options):
        ticket = self._get(user, code)
        audit_read(action="ticket.view", user=user, obj=ticket, shown=1)
        self.stdout.write(
            f"{ticket.code}  {ticket.get_status_display()}  {ticket.title}\n{ticket.masked_description}"
        )
        for e in ticket.events.order_by("at", "id"):
            at = moment_text(e.at)
            action = services.ACTION_LABELS.get(e.action, e.action)
            before, after = (
                Status(s).label if s in Status.values else s for s in (e.from_status, e.to_status)
            )
            self.stdout.write(f"  {at}  {e.actor_label}  {action}  {before}→{after}  {e.masked_reason}")

    def do_rates(self, user, by, **options):
        rows = selectors.rates(user=user, by=by)
        names = selectors.group_labels(by, [r["group"] for r in rows], user=user)
        for r in rows:
            r["group"] = str(names.get(r["group"], r["group"]) or "—")
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
            return
        for r in rows:
            rates = _(
                "response %(response)s  resolution %(resolution)s  satisfaction %(satisfaction)s  "
                "on time %(on_time)s"
            ) % {
                "response": r["response_rate"],
                "resolution": r["resolution_rate"],
                "satisfaction": r["satisfaction_rate"],
                "on_time": r["on_time_rate"],
            }
            self.stdout.write(f"{r['group']:<16} {r['total']:>6}  {rates}")

    def do_reveal(self, user, code, reason, **options):
        ticket = self._get(user, code)
        try:
            phone = services.ticket_contact_reveal(actor=user, ticket=ticket, reason=reason)
        except PermissionDenied:
            raise CommandError(
                _("%(username)s may not see the contact phone of %(code)s in full.")
                % {"username": user.username, "code": ticket.code}
            ) from None
        except ValidationError as exc:
            raise invalid(exc) from None
        self.stdout.write(f"{ticket.code}  {ticket.contact_name}  {phone}")

    def do_act(self, user, code, step, text, deadline=None, ledger=None, category=None, **options):
        ticket = self._get(user, code)
        calls = {
            "classify": lambda: services.ticket_classify(
                actor=user, ticket=ticket, ledger=ledger, category=category
            ),
            "claim": lambda: services.ticket_claim(actor=user, ticket=ticket),
            "start": lambda: services.ticket_start(actor=user, ticket=ticket),
            "reply": lambda: services.ticket_reply(actor=user, ticket=ticket, reply=text),
            "verify": lambda: services.ticket_verify(actor=user, ticket=ticket, reason=text),
            "close": lambda: services.ticket_close(actor=user, ticket=ticket, reason=text),
            "escalate": lambda: services.ticket_escalate(actor=user, ticket=ticket, reason=text),
            "return": lambda: services.ticket_return(actor=user, ticket=ticket, reason=text),
            "reopen": lambda: services.ticket_reopen(actor=user, ticket=ticket, reason=text),
            "extend": lambda: services.ticket_extend(
                actor=user, ticket=ticket, new_deadline=deadline, reason=text
            ),
            "extend_approve": lambda: services.ticket_extend_approve(actor=user, ticket=ticket, reason=text),
            "extend_refuse": lambda: services.ticket_extend_refuse(actor=user, ticket=ticket, reason=text),
        }
        try:
            ticket = calls[step]()
        except PermissionDenied:
            raise CommandError(
                _("%(username)s may not take the step %(step)s on demands.")
                % {"username": user.username, "step": step}
            ) from None
        except ValidationError as exc:
            raise invalid(exc) from None
        self.stdout.write(f"{ticket.code} {ticket.status} v{ticket.version}")

    def _get(self, user, code):
        try:
            return selectors.ticket_by_code(user=user, code=code.upper())
        except Http404:
            raise CommandError(
                _("There is no demand %(code)s in the scope of %(username)s.")
                % {"code": code, "username": user.username}
            ) from None
