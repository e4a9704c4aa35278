from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from minqing.core import context
from minqing.core.cli import (
    CliCommand,
    account_or_error,
    audit_read,
    cadre_or_error,
    campaign_or_error,
    invalid,
    iso_date,
    iso_month,
    write_bytes,
)
from minqing.core.dates import day_text
from minqing.fieldwork import documents, research, selectors, services
from minqing.fieldwork.models import Commitment, HelpPlan, Visit
from minqing.programs.models import LiaisonPoint, Team
from minqing.programs.selectors import point_get

# The methods take their unused options as `**_`: gettext is called by its name here.


def point_or_error(pk):
    found = LiaisonPoint.objects.filter(pk=pk).first()
    if found is None:
        raise CommandError(gettext("There is no liaison point %(id)s.") % {"id": pk})
    return found


def team_or_error(pk):
    found = Team.objects.select_related("campaign").filter(pk=pk).first()
    if found is None:
        raise CommandError(gettext("There is no team %(id)s.") % {"id": pk})
    return found


class Command(CliCommand):
    help = gettext_lazy(
        "Field work from the command line: visits (list), the attendance sheet of a point (xlsx or pdf), "
        "incidents, help plans and their progress, team summaries, research reports (.docx) "
        "and monthly-report drafts."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        visits = sub.add_parser("visits", help=gettext_lazy("list visits of a campaign"))
        visits.add_argument("--campaign", type=int, required=True)
        visits.add_argument("--limit", type=int, default=20)
        sheet = sub.add_parser(
            "attendance-sheet", help=gettext_lazy("write a point's monthly attendance sheet")
        )
        sheet.add_argument("--point", type=int, required=True)
        sheet.add_argument("--month", required=True, help=gettext_lazy("YYYY-MM"))
        sheet.add_argument("--format", choices=("xlsx", "pdf"), default="xlsx")
        sheet.add_argument(
            "--as",
            dest="username",
            required=True,
            help=gettext_lazy("whose scope and name the sheet carries"),
        )
        sheet.add_argument("-o", "--output", required=True)
        incident = sub.add_parser("incident", help=gettext_lazy("record an incident at a point"))
        incident.add_argument("--campaign", type=int, required=True)
        incident.add_argument("--point", type=int, required=True)
        incident.add_argument("--kind", required=True)
        incident.add_argument("--date", required=True)
        incident.add_argument("--description", required=True)
        plan = sub.add_parser(
            "plan", help=gettext_lazy("create a help plan for a point or household, with commitments")
        )
        plan.add_argument("--campaign", type=int, required=True)
        plan.add_argument("--cadre", required=True, help=gettext_lazy("username"))
        plan.add_argument("--point", type=int, required=True)
        plan.add_argument("--title", required=True)
        plan.add_argument("--deadline", required=True)
        plan.add_argument(
            "--commitment", action="append", default=[], help=gettext_lazy("TEXT@YYYY-MM-DD, repeatable")
        )
        progress = sub.add_parser(
            "plan-progress", help=gettext_lazy("record the progress of a plan's commitment")
        )
        progress.add_argument("--commitment", type=int, required=True)
        progress.add_argument("--progress", type=int, required=True, help=gettext_lazy("0-100 (%%)"))
        progress.add_argument("--done-on", help=gettext_lazy("YYYY-MM-DD, when 100"))
        plans = sub.add_parser(
            "plans", help=gettext_lazy("list the help plans of a campaign with their progress")
        )
        plans.add_argument("--campaign", type=int, required=True)
        summary = sub.add_parser(
            "team-summary", help=gettext_lazy("submit a team's summary (figures filled in from records)")
        )
        summary.add_argument("--team", type=int, required=True)
        summary.add_argument("--text", required=True)
        summary.add_argument("--on", help=gettext_lazy("YYYY-MM-DD, today by default"))
        research = sub.add_parser(
            "research", help=gettext_lazy("write a research-report draft (.docx) for a cadre or team")
        )
        whom = research.add_mutually_exclusive_group(required=True)
        whom.add_argument("--cadre", help=gettext_lazy("username"))
        whom.add_argument("--team", type=int)
        research.add_argument("--campaign", type=int, help=gettext_lazy("needed with --cadre"))
        research.add_argument("--start", help=gettext_lazy("YYYY-MM-DD, the campaign's start by default"))
        research.add_argument(
            "--end", help=gettext_lazy("YYYY-MM-DD, today or the campaign's end by default")
        )
        research.add_argument("-o", "--output", required=True)
        report = sub.add_parser(
            "report-draft", help=gettext_lazy("draft a cadre's monthly report from the records")
        )
        report.add_argument("--campaign", type=int, required=True)
        report.add_argument("--cadre", required=True, help=gettext_lazy("username"))
        report.add_argument("--month", required=True, help=gettext_lazy("YYYY-MM"))

    def handle(self, *args, action, **o):
        with context.acting(channel="cli"):
            try:
                getattr(self, action.replace("-", "_"))(**o)
            except ValidationError as exc:
                raise invalid(exc) from None

    def _campaign(self, pk):
        return campaign_or_error(pk)

    def _cadre(self, username):
        return cadre_or_error(username)

    def visits(self, campaign, limit, **_):
        found = self._campaign(campaign)
        visits = list(
            Visit.objects.filter(campaign=found)
            .select_related("cadre__account")
            .order_by("-date", "-id")[:limit]
        )
        # Each line names a cadre and what was done at a household: the read is recorded.
        audit_read(action="visit.list", obj=found, shown=len(visits), limit=limit)
        for visit in visits:
            self.stdout.write(
                f"{day_text(visit.date)} {visit.cadre.account} {visit.form} {visit.masked_content[:40]}"
            )

    def attendance_sheet(self, point, month, format, username, output, **_):
        user = account_or_error(username, active=False)
        try:
            found = point_get(user=user, pk=point)
        except Http404:
            raise CommandError(
                gettext("There is no liaison point %(id)s in the scope of %(username)s.")
                % {"id": point, "username": username}
            ) from None
        sheet = selectors.attendance_sheet(user=user, point=found, month=iso_month(month))
        data = (documents.attendance_sheet_workbook if format == "xlsx" else documents.attendance_sheet_pdf)(
            sheet, user=user
        )
        write_bytes(output, data)
        self.stdout.write(gettext("%(file)s: %(n)s cadres") % {"file": output, "n": len(sheet.rows)})

    def incident(self, campaign, point, kind, date, description, **_):
        found = point_or_error(point)
        incident = services.incident_record(
            actor=None,
            campaign=self._campaign(campaign),
            point=found,
            kind=kind,
            date=iso_date(date),
            description=description,
        )
        self.stdout.write(str(incident.pk))

    def plan(self, campaign, cadre, point, title, deadline, commitment, **_):
        found = point_or_error(point)
        items = []
        for item in commitment:
            text, _sep, due = item.rpartition("@")
            items.append((text, iso_date(due)))
        plan = services.help_plan_create(
            actor=None,
            campaign=self._campaign(campaign),
            cadre=self._cadre(cadre),
            title=title,
            target=found,
            deadline=iso_date(deadline),
            commitments=items,
        )
        self.stdout.write(str(plan.pk))

    def report_draft(self, campaign, cadre, month, **_):
        report = services.monthly_report_draft(
            actor=None,
            campaign=self._campaign(campaign),
            cadre=self._cadre(cadre),
            month=iso_month(month),
        )
        self.stdout.write(f"{report.pk}: {report.text}")

    def plan_progress(self, commitment, progress, done_on, **_):
        found = Commitment.objects.filter(pk=commitment).first()
        if found is None:
            raise CommandError(gettext("There is no commitment %(id)s.") % {"id": commitment})
        found = services.commitment_progress(
            actor=None, commitment=found, progress=progress, done_on=iso_date(done_on) if done_on else None
        )
        self.stdout.write(f"{found.pk}: {found.progress}%")

    def plans(self, campaign, **_):
        found = self._campaign(campaign)
        plans = list(
            HelpPlan.objects.filter(campaign=found)
            .select_related("cadre__account")
            .prefetch_related("commitments")
            .order_by("deadline", "id")
        )
        audit_read(action="help_plan.list", obj=found, shown=len(plans))
        for plan in plans:
            items = list(plan.commitments.all())
            done = sum(1 for c in items if c.progress == 100)
            self.stdout.write(
                f"{plan.pk}\t{day_text(plan.deadline)}\t{plan.cadre}\t{plan.title}\t{done}/{len(items)}"
            )

    def team_summary(self, team, text, on, **_):
        found = team_or_error(team)
        summary = services.team_summary_submit(
            actor=None,
            campaign=found.campaign,
            team=found,
            text=text,
            on=iso_date(on) if on else timezone.localdate(),
        )
        self.stdout.write(
            gettext("Summary %(id)s: %(n)s visits")
            % {"id": summary.pk, "n": summary.figures.get("visits", 0)}
        )

    def research(self, cadre, team, campaign, start, end, output, **_):
        if cadre:
            subject_cadre = self._cadre(cadre)
            if campaign is None:
                raise CommandError(gettext("--campaign is needed with --cadre."))
            found_campaign, subject, cadre_ids, found_team = (
                self._campaign(campaign),
                str(subject_cadre),
                [subject_cadre.pk],
                None,
            )
        else:
            found_team = team_or_error(team)
            found_campaign, subject = found_team.campaign, found_team.name
            cadre_ids = research.team_cadre_ids(found_team)
        first = iso_date(start) if start else found_campaign.start
        last = iso_date(end) if end else min(found_campaign.end or timezone.localdate(), timezone.localdate())
        figures = research.period_figures(
            campaign=found_campaign, cadre_ids=cadre_ids, team=found_team, start=first, end=last
        )
        text = research.skeleton(subject=subject, campaign=found_campaign, figures=figures)
        write_bytes(
            output,
            research.docx_bytes(
                title=gettext("Research report of %(subject)s") % {"subject": subject},
                subtitle=gettext("%(campaign)s · %(start)s to %(end)s")
                % {"campaign": found_campaign.name, "start": day_text(first), "end": day_text(last)},
                figures=figures,
                text=text,
            ),
        )
        # The page's record of a download, with the file written.
        audit_read(
            action="research_report.download",
            obj=subject_cadre if cadre else found_team,
            shown=1,
            campaign=found_campaign.pk,
            start=figures["start"].isoformat(),
            end=figures["end"].isoformat(),
            format="docx",
            file=output,
        )
        self.stdout.write(
            gettext("%(file)s: %(visits)s visits, %(deeds)s deeds")
            % {"file": output, "visits": figures["visits"], "deeds": figures["deeds"]}
        )
