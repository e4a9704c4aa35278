"""Report punctuality (报告按时率): reports submitted by their due date over the reports owed — the
cadres the campaign's monthly-report rule asks for each month of the period whose due day has
passed — never the reports submitted alone (docs/figures.md)."""

import datetime as dt

import pytest
from django.utils import translation

from minqing.core.scope import scoped
from minqing.core.treecode import prefix_q
from minqing.fieldwork.models import MonthlyReport
from minqing.figures import selectors
from minqing.figures.periods import parse_period
from minqing.org.models import Cadre
from minqing.programs import engine
from minqing.programs.models import Campaign
from minqing.programs.selectors import campaign_cadres

from .conftest import TOWNSHIP

DAY = dt.date(2026, 11, 23)  # October's reports were due on 5 November, November's are due on 5 December
RULE = {"key": "monthly_report", "type": "reports.monthly", "name": "每月5日前报告", "params": {"due_day": 5}}


@pytest.fixture
def reporting(campaign):
    """The county campaign with a monthly-report rule asking every cadre (as 003's asks its own)."""
    campaign.config["rules"].append(dict(RULE))
    campaign.save(update_fields=["config"])
    return campaign


def _report(campaign, username, month, submitted_on=None, status="submitted"):
    from minqing.programs.rules.reports_monthly import report_due

    return MonthlyReport.objects.create(
        campaign=campaign,
        cadre=Cadre.objects.get(account__username=username),
        month=month,
        due=report_due(campaign, month),
        status=status,
        submitted_on=submitted_on,
    )


def _figures(user, campaign, period, **kw):
    sel = selectors.selection_for(
        user=user, campaign=campaign, period=parse_period(period, today=DAY), today=DAY, **kw
    )
    return selectors.figures(user=user, sel=sel, breakdowns=False)


def test_a_month_not_yet_due_is_said_so_rather_than_100_percent(actor, reporting):
    """November: one cadre of the county filed early; the month's report is due by 5 December."""
    _report(reporting, "cadre", dt.date(2026, 11, 1), dt.date(2026, 11, 20))
    office = actor("office")
    with translation.override("en"):
        figures = _figures(office, reporting, "2026-11")
    assert figures.values["reports_submitted"] == 1
    assert figures.values["reports_owed"] == 0
    assert figures.rates["report_punctuality"] is None
    note = figures.notes["report_punctuality"]
    assert note.short == "Not yet due"
    assert "November 2026" in note.detail


def test_a_month_nobody_reported_on_is_owed_by_every_cadre_it_asks(actor, reporting):
    """October, due on 5 November: nobody has filed, and every cadre of the county owes it (the
    rule names no kind of pairing, and every cadre's pairing runs through October)."""
    office = actor("office")
    figures = _figures(office, reporting, "2026-10")
    cadres = campaign_cadres(reporting).count()
    assert cadres > 1
    assert figures.values["reports_owed"] == cadres
    assert figures.values["reports_on_time"] == 0
    assert figures.rates["report_punctuality"] == 0.0
    assert "report_punctuality" not in figures.notes

    _report(reporting, "cadre", dt.date(2026, 10, 1), dt.date(2026, 11, 5))  # on its due day
    _report(reporting, "leader", dt.date(2026, 10, 1), dt.date(2026, 11, 8))  # late
    _report(reporting, "unit", dt.date(2026, 10, 1), status="draft")
    figures = _figures(office, reporting, "2026-10")
    assert figures.values["reports_owed"] == cadres
    assert figures.values["reports_on_time"] == 1
    assert figures.values["reports_not_on_time"] == cadres - 1
    assert figures.rates["report_punctuality"] == selectors.ratio(1, cadres)

    sel = selectors.selection_for(
        user=office, campaign=reporting, period=parse_period("2026-10", today=DAY), today=DAY
    )
    late = selectors.tile_records(user=office, sel=sel, key="reports_not_on_time")
    names = {r.cadre_name: r for r in late}
    assert names["蒋国华"].submitted_on == dt.date(2026, 11, 8)  # the leader's, late
    assert "李建军" not in names  # the cadre's, on time


def test_a_quarter_counts_the_months_due_and_says_which_is_not(actor, reporting):
    _report(reporting, "cadre", dt.date(2026, 10, 1), dt.date(2026, 11, 2))
    office = actor("office")
    with translation.override("en"):
        figures = _figures(office, reporting, "2026Q4")
    cadres = campaign_cadres(reporting).count()
    assert figures.values["reports_owed"] == cadres  # October only: November and December are not due
    assert figures.rates["report_punctuality"] == selectors.ratio(1, cadres)
    assert "November 2026" in figures.notes["report_punctuality"].detail


def test_a_campaign_without_a_monthly_report_rule_owes_none_and_says_so(actor, campaign):
    _report(campaign, "cadre", dt.date(2026, 10, 1), dt.date(2026, 11, 2))
    with translation.override("en"):
        figures = _figures(actor("office"), campaign, "2026-10")
    assert figures.values["reports_submitted"] == 1
    assert figures.values["reports_owed"] == 0
    assert figures.rates["report_punctuality"] is None
    assert figures.notes["report_punctuality"].short == "Not asked"


def test_the_reports_owed_are_those_the_compliance_rule_asks(actor):
    """003's campaign asks its stationed cadres only (kinds = station): the figure of the whole
    campaign owes and counts on time exactly what the rule's verdicts do, cadre by cadre."""
    campaign = Campaign.objects.get(program_key="dundian")
    office = actor("office")
    sel = selectors.selection_for(
        user=office, campaign=campaign, period=parse_period("2026", today=DAY), today=DAY
    )
    owed = selectors.tile_records(user=office, sel=sel, key="reports_owed")
    by_cadre: dict = {}
    for row in owed:
        counts = by_cadre.setdefault(row.cadre_id, [0, 0])
        counts[0] += row.on_time
        counts[1] += 1
    rule = next(r["key"] for r in campaign.config["rules"] if r["type"] == "reports.monthly")
    expected = {
        v.cadre_id: [int(n) for n in v.actual.split("/")]
        for v in engine.evaluate(campaign, DAY)
        if v.rule == rule and v.status != "not_due"
    }
    assert expected and by_cadre == expected
    assert len(campaign_cadres(campaign)) > len(expected)  # the cadres not stationed owe nothing
    figures = selectors.figures(user=office, sel=sel, breakdowns=False)
    assert figures.values["reports_owed"] == sum(n for _k, n in expected.values())
    assert figures.values["reports_on_time"] == sum(k for k, _n in expected.values())


def test_the_reports_owed_are_of_the_selection(actor, reporting):
    """A cadre's own figures owe that cadre's reports; a region's, those of its units' cadres."""
    office = actor("office")
    cadre = Cadre.objects.get(account__username="cadre")
    mine = _figures(office, reporting, "2026-10", cadre=cadre.pk)
    assert mine.values["reports_owed"] == 1
    township = _figures(office, reporting, "2026-10", region=TOWNSHIP)
    in_township = campaign_cadres(reporting).filter(prefix_q("unit__region_id", TOWNSHIP[:9])).count()
    assert 0 < in_township < campaign_cadres(reporting).count()
    assert township.values["reports_owed"] == in_township


@pytest.mark.parametrize(
    "username",
    ["office", "office_jiangcun", "leader", "cadre", "unit", "village", "inspector", "office_jinan"],
)
def test_the_reports_owed_reach_the_cadres_whose_reports_the_viewer_sees(actor, campaign, username):
    """Owed and submitted count the same cadres: report_writers_q is MonthlyReport's scope rule
    read for a report not yet written."""
    from minqing.fieldwork.selectors import report_writers_q

    for writer in ("cadre", "unit", "leader"):
        _report(campaign, writer, dt.date(2026, 10, 1), dt.date(2026, 11, 2))
    user = actor(username)
    for each in Campaign.objects.filter(monthly_reports__isnull=False).distinct():
        reports = MonthlyReport.objects.filter(campaign=each)
        seen = set(scoped(reports, user, "programs.view").values_list("cadre_id", flat=True))
        condition = report_writers_q(user=user, campaign=each)
        writers = (
            set()
            if condition is None
            else set(
                Cadre.objects.filter(condition, pk__in=reports.values("cadre_id")).values_list(
                    "pk", flat=True
                )
            )
        )
        assert writers == seen, each.program_key


def test_the_dashboard_shows_not_yet_due_and_the_rate_of_the_months_owed(client_as, reporting, clock):
    from django.utils import timezone

    clock.advance(days=(DAY - timezone.localdate()).days)
    _report(reporting, "cadre", dt.date(2026, 11, 1), dt.date(2026, 11, 20))
    client = client_as("office")
    page = client.get(
        f"/campaigns/{reporting.pk}/dashboard/?period=2026-11", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    tile = page.split('id="rate-report_punctuality"', 1)[1].split("</article>", 1)[0]
    assert "Not yet due" in tile
    assert "100.0%" not in tile and "/ <a" not in tile
    page = client.get(
        f"/campaigns/{reporting.pk}/dashboard/?period=2026-10", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    tile = page.split('id="rate-report_punctuality"', 1)[1].split("</article>", 1)[0]
    cadres = campaign_cadres(reporting).count()
    assert "0.0%" in tile
    assert f'data-tile="reports_owed">{cadres}</a>' in tile
    listing = client.get(f"/campaigns/{reporting.pk}/dashboard/figures/reports_owed/?period=2026-10")
    assert listing.status_code == 200
    assert listing.context["total"] == cadres
