import json as _json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.audit import audit_list_read
from minqing.core.cli import CliCommand, campaign_or_error, iso_date
from minqing.core.dates import day_text
from minqing.figures.management.commands._viewer import add_viewer_argument, viewer_and_campaign
from minqing.programs import engine, selectors
from minqing.programs.models import Team


def counts_line(counts) -> str:
    """ "12 pass, 3 fail, 0 no records yet, 1 not yet due" in the command's language."""
    return _("%(pass)s pass, %(fail)s fail, %(no_records)s no records yet, %(not_due)s not yet due") % {
        key: counts[key] for key in engine.STATUSES
    }


class Command(CliCommand):
    help = gettext_lazy(
        "Evaluate every rule of a campaign as of a date: a summary per rule, per team and in total, "
        "or every verdict with --json (totals and per-rule and per-team tallies always count the "
        "whole campaign, as far as the reader sees it; --status or --failures, and --team, narrow "
        "only the verdicts listed). With --as USERNAME, the reader is that account: only the subjects "
        "in its scope, and the targets outside it unnamed; without, the operator at the server, who "
        "sees every subject and every name."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True)
        parser.add_argument("--as-of", dest="as_of")
        parser.add_argument("--json", action="store_true")
        add_viewer_argument(parser)
        parser.add_argument(
            "--status", choices=engine.STATUSES, default="", help=gettext_lazy("only verdicts of this status")
        )
        parser.add_argument(
            "--failures", action="store_true", help=gettext_lazy("only failing verdicts (= --status fail)")
        )
        parser.add_argument(
            "--team",
            type=int,
            help=gettext_lazy(
                "only the verdicts of this team of the campaign: its own and its leader's, members' and points'"
            ),
        )

    def handle(
        self, *args, campaign, as_of, json: bool, status: str, failures: bool, team, as_user, **options
    ):
        if as_user:
            viewer, found = viewer_and_campaign(as_user, campaign)
            teams = selectors.compliance_teams(user=viewer, campaign=found)
        else:
            viewer, found = None, campaign_or_error(campaign)
            # The operator sees every team of the campaign (as every verdict).
            teams = selectors.team_subjects(Team.objects.filter(campaign=found))
        chosen = None
        if team is not None:
            chosen = next((one for one in teams if one.pk == team), None)
            if chosen is None:
                raise CommandError(
                    _("Campaign %(campaign)s has no team %(id)s.") % {"campaign": found.pk, "id": team}
                )
        day = iso_date(as_of) if as_of else timezone.localdate()
        status = "fail" if failures else status
        try:
            if viewer is None:
                report = engine.ComplianceReport(found, day, engine.evaluate(found, day))
            else:
                # The page's read: the subjects the account sees, the targets it does not see unnamed.
                report = selectors.compliance(user=viewer, campaign=found, as_of=day)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if json:
            data = report.as_dict(status=status, teams=teams, team=chosen)
            self.audit(viewer, report, shown=data["shown"], status=status, team=team)
            self.stdout.write(_json.dumps(data, ensure_ascii=False, indent=1, default=str))
            return
        self.stdout.write(
            _("%(campaign)s (%(program)s), as of %(day)s")
            % {"campaign": found.name, "program": found.program_name, "day": day_text(day)}
        )
        for tally in report.by_rule:
            self.stdout.write(f"  {tally.label}: {counts_line(tally.counts)}")
        self.stdout.write(_("In total: %(counts)s") % {"counts": counts_line(report.totals)})
        if teams:
            self.stdout.write(_("By team:"))
            for tally in report.by_team(teams):
                self.stdout.write(f"  {tally.label}: {counts_line(tally.counts)}")
        verdicts = []
        if chosen is not None or status:
            verdicts = report.verdicts if chosen is None else engine.team_verdicts(report.verdicts, chosen)
            verdicts = [verdict for verdict in verdicts if not status or verdict.status == status]
        self.audit(viewer, report, shown=len(verdicts), status=status, team=team)
        if chosen is not None:
            self.stdout.write(_("Verdicts of %(team)s:") % {"team": chosen.name})
        for verdict in verdicts:
            mark = "✗" if verdict.status == engine.FAIL else "·"
            missing = "; ".join(verdict.missing)
            self.stdout.write(
                f"  {mark} {verdict.rule_name} · {verdict.subject}: {missing or verdict.actual}"
            )

    @staticmethod
    def audit(viewer, report, *, shown: int, status: str, team) -> None:
        """The verdicts name cadres and residents: the read is recorded, as the page's is."""
        with context.acting(channel="cli", user=viewer):
            audit_list_read(
                action="compliance.view",
                user=viewer,
                shown=shown,
                obj=report.campaign,
                as_of=report.as_of.isoformat(),
                filters={"status": status, "team": team},
            )
