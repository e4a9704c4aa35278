"""The assessment's report punctuality (报告按时率) counts the reports owed as the dashboard does —
the months the campaign's monthly-report rule asks of each cadre whose due day has passed —
against those submitted by their due day; a campaign without the rule says it scores no one;
and a component counted against what is asked reads as done and asked, not as a ratio."""

import datetime as dt

from django.utils import timezone, translation

from minqing.assessment import selectors, services
from minqing.assessment.api import result_out
from minqing.fieldwork.models import MonthlyReport
from minqing.figures import selectors as figures
from minqing.figures.periods import parse_period
from minqing.org.models import Cadre
from minqing.programs.models import Campaign

DAY = dt.date(2026, 11, 23)
RULE = {"key": "monthly_report", "type": "reports.monthly", "name": "每月5日前报告", "params": {"due_day": 5}}


def _county(with_rule: bool) -> Campaign:
    campaign = Campaign.objects.select_related("region").get(program_key="xiajiceng")
    if with_rule:
        campaign.config["rules"].append(dict(RULE))
        campaign.save(update_fields=["config"])
    return campaign


def _today(clock):
    clock.advance(days=(DAY - timezone.localdate()).days)


def test_each_cadre_is_scored_on_the_reports_the_dashboard_says_are_owed(actor, clock):
    from minqing.programs.rules.reports_monthly import report_due

    _today(clock)
    campaign = _county(with_rule=True)
    cadre = Cadre.objects.get(account__username="cadre")
    for month, day in (
        (dt.date(2026, 9, 1), dt.date(2026, 10, 3)),
        (dt.date(2026, 10, 1), dt.date(2026, 11, 9)),
    ):
        MonthlyReport.objects.create(
            campaign=campaign,
            cadre=cadre,
            month=month,
            due=report_due(campaign, month),
            status="submitted",
            submitted_on=day,  # September on time, October late
        )
    rows = selectors.compute(campaign, campaign.start, DAY, {"reports": 10, "visits": 25})
    parts = {r["cadre_id"]: r["parts"].get("reports") for r in rows}

    office = actor("office")
    sel = figures.selection_for(
        user=office, campaign=campaign, period=parse_period("2026", today=DAY), today=DAY
    )
    owed: dict = {}
    for row in figures.tile_records(user=office, sel=sel, key="reports_owed"):
        counts = owed.setdefault(row.cadre_id, [0, 0])
        counts[0] += row.on_time
        counts[1] += 1
    assert owed and {k: f"{a}/{n}" for k, (a, n) in owed.items()} == {
        k: p.actual for k, p in parts.items() if p is not None
    }
    # Not reporting costs points: the cadre reported once on time of the months owed, the others never.
    mine = parts[cadre.pk]
    assert mine.actual == f"1/{owed[cadre.pk][1]}" and 0 < mine.score < 100
    silent = next(p for k, p in parts.items() if k != cadre.pk and p is not None)
    assert silent.score == 0.0


def test_a_campaign_without_a_monthly_report_rule_says_report_punctuality_scores_no_one(actor, client_as):
    campaign = _county(with_rule=False)
    run = services.assessment_run(actor=actor("office"), campaign=campaign, period="2026", today=DAY)
    assert not any("reports" in r.parts for r in run.results.all())
    html = (
        client_as("office")
        .get(f"/assessment/campaigns/{campaign.pk}/?period=2026", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert 'id="reports-not-asked"' in html and "asks no monthly report" in html

    _county(with_rule=True)
    html = client_as("office").get(f"/assessment/campaigns/{campaign.pk}/?period=2026").content.decode()
    assert 'id="reports-not-asked"' not in html


def test_a_count_against_what_is_asked_reads_as_done_and_asked_not_as_a_ratio(actor, client_as):
    """3 deeds verified where 2 are asked: "3 (2 asked)", never "3/2"; demands on time of those
    due stay a ratio."""
    campaign = _county(with_rule=False)
    run = services.assessment_run(actor=actor("office"), campaign=campaign, period="2026", today=DAY)
    result = run.results.order_by("id").first()
    result.parts = {
        "deeds": {"score": 100.0, "actual": "3/2"},
        "demands": {"score": 50.0, "actual": "1/2"},
    }
    result.save(update_fields=["parts"])
    client = client_as("office")
    page = client.get(
        f"/assessment/campaigns/{campaign.pk}/?period=2026&unit={result.unit_id}", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "3 (2 asked)" in page and "3/2" not in page
    assert "1/2" in page
    detail = client.get(f"/assessment/results/{result.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 (2 asked)" in detail and "3/2" not in detail
    with translation.override("en"):
        out = result_out(result)
    assert out["parts"]["deeds"] == {"score": 100.0, "actual": "3/2", "text": "3 (2 asked)"}
    assert out["parts"]["demands"]["text"] == "1/2"
