"""Research reports (调研报告): a skeleton per cadre or per team, pre-filled with their figures
from the records of a period (visits, demands, deeds, relief, activities, days at the point),
for the cadre to edit on a page and take away as a Word file.

The draft is plain text: a line starting with "## " is a section heading, a line starting
with "- " a list item, anything else a paragraph — easy to edit in a text box, and turned
into headings and lists in the .docx."""

import datetime as dt
import io
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from minqing.core.identity import mask_text_identifiers
from minqing.core.scope import scoped

from .models import Activity, AttendanceDay, Commitment, Deed, HelpPlan, ReliefPayment, Visit

VIEW = "programs.view"
LIST_LIMIT = 30
LIST_KEYS = ("visit_list", "problem_list", "deed_list")  # the figures that name people


def _qs(model, user):
    return scoped(model, user, VIEW) if user is not None else model.objects.all()


def _yuan(value) -> str:
    return str((value or Decimal(0)).quantize(Decimal("0.01")))


def period_figures(
    *, campaign, cadre_ids, start: dt.date, end: dt.date, team=None, user=None, with_lists: bool = True
) -> dict:
    """The figures of some cadres (and of a team) in a campaign between two dates, counted
    from the records; with `user`, only from the records that user may see. With `with_lists`,
    also the lists of visits, problems and deeds (residents' names, visit texts) from the same
    records. A fixed number of queries whatever the number of cadres."""
    from minqing.tickets.models import Channel, Status, Ticket

    cadre_ids = list(cadre_ids)
    in_period = {"campaign": campaign, "date__gte": start, "date__lte": end}
    visits = _qs(Visit, user).filter(cadre_id__in=cadre_ids, **in_period)
    deeds = _qs(Deed, user).filter(cadre_id__in=cadre_ids, **in_period)
    by_team_or_cadre = Q(cadre_id__in=cadre_ids) | (Q(team=team) if team is not None else Q(pk__in=[]))
    relief = _qs(ReliefPayment, user).filter(by_team_or_cadre, **in_period)
    activities = _qs(Activity, user).filter(by_team_or_cadre, **in_period)
    days = _qs(AttendanceDay, user).filter(
        cadre_id__in=cadre_ids, status=AttendanceDay.Status.CONFIRMED, date__gte=start, date__lte=end
    )
    plans = _qs(HelpPlan, user).filter(campaign=campaign, cadre_id__in=cadre_ids)
    commitments = _qs(Commitment, user).filter(plan__in=plans, due__gte=start, due__lte=end)

    visit_rows = list(
        visits.order_by("date", "id").values(
            "uuid",
            "date",
            "form",
            "content",
            "problems",
            "household_id",
            "household__head__name",
            "household__code",
            "member__name",
            "point__name",
        )
    )
    forms = {f["key"]: f["name"] for f in campaign.config.get("visit_forms", [])}
    by_form: dict[str, int] = {}
    for row in visit_rows:
        name = forms.get(row["form"], row["form"])
        by_form[name] = by_form.get(name, 0) + 1
    tickets = scoped(Ticket, user, "tickets.view") if user is not None else Ticket.objects.all()
    demands = (
        tickets.filter(
            campaign=campaign, channel=Channel.VISIT, extra__visit__in=[str(v["uuid"]) for v in visit_rows]
        )
        if visit_rows
        else Ticket.objects.none()
    )
    demand_counts = demands.aggregate(
        total=Count("id"), closed=Count("id", filter=Q(status__in=[Status.CLOSED, Status.VERIFIED]))
    )
    deed_totals = deeds.aggregate(n=Count("id"), value=Sum("value_yuan"))
    kinds = dict(Deed.Kind.choices)
    deeds_by_kind = {
        str(kinds.get(row["kind"], row["kind"])): row["n"]
        for row in deeds.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    }
    relief_totals = relief.aggregate(
        n=Count("id"), households=Count("household", distinct=True), amount=Sum("amount_yuan")
    )
    activity_totals = activities.aggregate(n=Count("id"), people=Sum("attendance"))
    commitment_totals = commitments.aggregate(n=Count("id"), done=Count("id", filter=Q(progress=100)))

    figures = {
        "start": start,
        "end": end,
        "cadres": len(set(cadre_ids)),
        "visits": len(visit_rows),
        "households_visited": len({r["household_id"] for r in visit_rows if r["household_id"]}),
        "visits_by_form": by_form,
        "problems_raised": sum(len(r["problems"] or []) for r in visit_rows),
        "demands": demand_counts["total"],
        "demands_closed": demand_counts["closed"],
        "deeds": deed_totals["n"],
        "deeds_value_yuan": _yuan(deed_totals["value"]),
        "deeds_by_kind": deeds_by_kind,
        "relief_payments": relief_totals["n"],
        "relief_households": relief_totals["households"],
        "relief_yuan": _yuan(relief_totals["amount"]),
        "activities": activity_totals["n"],
        "activity_attendance": activity_totals["people"] or 0,
        "attendance_days": days.values("cadre_id", "date").distinct().count(),
        "plans": plans.count(),
        "commitments": commitment_totals["n"],
        "commitments_done": commitment_totals["done"],
    }
    if with_lists:
        figures.update(_lists(visit_rows, deeds))
    return figures


def _target(row) -> str:
    return (
        row["member__name"] or row["household__head__name"] or row["household__code"] or row["point__name"]
    ) or ""


def _lists(visit_rows, deeds) -> dict:
    """Visits, problems and deeds as lists: the personal part of the figures (names, texts).
    The visits' texts and the problems as the visit's page shows them (Visit.masked_content,
    Visit.masked_problems): a resident's phone or ID number masked, before the text is cut
    (cut first, a number would lose the digits that make it one and keep the rest)."""
    problems = [p for r in visit_rows for p in (r["problems"] or [])][:LIST_LIMIT]
    return {
        "visit_list": [
            {"date": r["date"], "target": _target(r), "content": mask_text_identifiers(r["content"])[:80]}
            for r in visit_rows[-LIST_LIMIT:]
        ],
        "problem_list": [mask_text_identifiers(p) for p in problems],
        "deed_list": [
            {"date": d["date"], "title": d["title"], "value": _yuan(d["value_yuan"])}
            for d in deeds.order_by("date", "id").values("date", "title", "value_yuan")[:LIST_LIMIT]
        ],
    }


def team_cadre_ids(team) -> set[int]:
    """The team's leader and members: whose records the team's figures count."""
    return set(team.members.values_list("pk", flat=True)) | ({team.leader_id} if team.leader_id else set())


def team_period(team, start: dt.date | None = None, end: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The period of a team's figures: the campaign's, ending today at the latest."""
    today = timezone.localdate()
    return start or team.campaign.start, end or min(team.campaign.end or today, today)


def team_figures(*, team, user, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """A team's figures, the one source for the summary page, the research report, the API and
    the stored summary. The counts are over all the records of the team's leader and members
    (the team being in the viewer's scope is the authority to see its aggregate figures); the
    lists of visits, problems and deeds, which name residents, come only from the records `user`
    may see, and are left out when there is no viewer (what is stored with a summary)."""
    start, end = team_period(team, start, end)
    cadre_ids = team_cadre_ids(team)
    figures = period_figures(
        campaign=team.campaign, cadre_ids=cadre_ids, team=team, start=start, end=end, with_lists=False
    )
    if user is not None:
        visible = period_figures(
            campaign=team.campaign, cadre_ids=cadre_ids, team=team, start=start, end=end, user=user
        )
        figures.update({key: visible[key] for key in LIST_KEYS})
    return figures


def figure_rows(figures: dict) -> list[tuple[str, str]]:
    """The figures as (label, value) rows, for the page and the Word table."""
    return [
        (_("Number of visits"), str(figures["visits"])),
        (_("Households visited"), str(figures["households_visited"])),
        (_("Problems raised on visits"), str(figures["problems_raised"])),
        (_("Demands registered from visits"), str(figures["demands"])),
        (_("of which settled"), str(figures["demands_closed"])),
        (_("Number of deeds"), str(figures["deeds"])),
        (_("Value of the deeds (yuan)"), figures["deeds_value_yuan"]),
        (_("Number of relief payments"), str(figures["relief_payments"])),
        (_("Households given relief"), str(figures["relief_households"])),
        (_("Relief paid (yuan)"), figures["relief_yuan"]),
        (_("Activities held"), str(figures["activities"])),
        (_("People attending them"), str(figures["activity_attendance"])),
        (_("Confirmed days at the point"), str(figures["attendance_days"])),
        (_("Commitments due in the period"), str(figures["commitments"])),
        (_("of which done"), str(figures["commitments_done"])),
    ]


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


def skeleton(*, subject: str, campaign, figures: dict) -> str:
    """The draft text, pre-filled; the sections without records ask the author to write."""
    f = figures
    lines = [
        "## " + _("1. Purpose and how the research was done"),
        _(
            "From %(start)s to %(end)s, within “%(campaign)s”, %(subject)s made %(visits)s visits "
            "to %(households)s households (%(forms)s)."
        )
        % {
            "start": _day(f["start"]),
            "end": _day(f["end"]),
            "campaign": campaign.name,
            "subject": subject,
            "visits": f["visits"],
            "households": f["households_visited"],
            "forms": "、".join(f"{name} {n}" for name, n in f["visits_by_form"].items()) or "—",
        },
        "",
        "## " + _("2. What was found"),
    ]
    lines += [
        f"- {_day(v['date'])} {v['target']}：{v['content']}" for v in f.get("visit_list", []) if v["content"]
    ]
    lines += [_("(Describe the situation found: economy, income, living conditions, what people think.)"), ""]
    lines.append("## " + _("3. Problems raised and demands handled"))
    lines.append(
        _(
            "%(problems)s problems were raised; %(demands)s demands were registered, %(closed)s of them settled."
        )
        % {"problems": f["problems_raised"], "demands": f["demands"], "closed": f["demands_closed"]}
    )
    lines += [f"- {p}" for p in f.get("problem_list", [])]
    lines += ["", "## " + _("4. Deeds done and help given")]
    lines.append(
        _(
            "%(deeds)s deeds worth %(value)s yuan (%(kinds)s); %(relief)s relief payments to %(relief_households)s "
            "households, %(relief_yuan)s yuan in all; %(activities)s activities with %(people)s people attending; "
            "%(days)s confirmed days at the point."
        )
        % {
            "deeds": f["deeds"],
            "value": f["deeds_value_yuan"],
            "kinds": "、".join(f"{name} {n}" for name, n in f["deeds_by_kind"].items()) or "—",
            "relief": f["relief_payments"],
            "relief_households": f["relief_households"],
            "relief_yuan": f["relief_yuan"],
            "activities": f["activities"],
            "people": f["activity_attendance"],
            "days": f["attendance_days"],
        }
    )
    lines += [f"- {_day(d['date'])} {d['title']}（{d['value']}）" for d in f.get("deed_list", [])]
    lines += [
        "",
        "## " + _("5. Analysis of the causes"),
        _("(Write the analysis here.)"),
        "",
        "## " + _("6. Suggestions"),
        _("(Write the suggestions here.)"),
    ]
    return "\n".join(lines)


def docx_bytes(*, title: str, subtitle: str, figures: dict, text: str) -> bytes:
    """The report as a Word document: title, the figures as a table, then the (edited) text."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    for style in ("Title", "Heading 2"):
        document.styles[style].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimHei")
    document.add_heading(title, level=0)
    document.add_paragraph(subtitle)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in figure_rows(figures):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("## "):
            document.add_heading(stripped[3:].strip(), level=2)
        elif stripped.startswith("- "):
            document.add_paragraph(stripped[2:].strip(), style="List Bullet")
        else:
            document.add_paragraph(stripped)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
