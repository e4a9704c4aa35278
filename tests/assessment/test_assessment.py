"""The composite assessment: components for every cadre, weights versioned per campaign,
results stored per period, ranking, the result sheet."""

import datetime as dt
import json
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from minqing.assessment import selectors, services
from minqing.assessment.documents import result_sheet_pdf
from minqing.assessment.models import AssessmentResult, WeightSet
from minqing.core.models import AuditEvent

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def two_cadres(scenario):
    """A visits every paired household twice a year and never stays at the point; B stays
    two days every month and visits nobody — over 2025 and 2026."""
    campaign = scenario.campaign("xiajiceng", start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31))
    a, b = scenario.cadre("staff", "甲干部"), scenario.cadre("staff", "乙干部")
    point = scenario.point()
    for cadre in (a, b):
        scenario.pair(campaign, cadre, scenario.household())
    household_a = campaign.pairings.get(cadre=a).household
    for day in (dt.date(2025, 3, 2), dt.date(2025, 9, 2), dt.date(2026, 3, 2), dt.date(2026, 9, 2)):
        scenario.visit(campaign, a, household_a, day)
    for year in (2025, 2026):
        for month in range(1, 13):
            if dt.date(year, month, 11) < TODAY:
                scenario.days_at(b, point, dt.date(year, month, 10), dt.date(year, month, 11))
    return campaign, a, b


def ranking(run):
    return [
        r.cadre_id for r in AssessmentResult.objects.filter(run=run).order_by("rank_campaign", "cadre_id")
    ]


def test_changing_the_weights_changes_the_ranking_of_the_period_that_uses_them_and_not_an_earlier_stored_one(
    two_cadres, actor
):
    campaign, a, b = two_cadres
    office = actor("office")
    run_2025 = services.assessment_run(actor=office, campaign=campaign, period="2025", today=TODAY)
    stored_2025 = {r.cadre_id: (r.total, r.rank_campaign, r.weights_version) for r in run_2025.results.all()}
    assert ranking(run_2025) == [a.pk, b.pk]
    before = services.assessment_run(actor=office, campaign=campaign, period="2026", today=TODAY)
    assert ranking(before) == [a.pk, b.pk] and before.weight_set.version == 1

    weights = {**WeightSet.objects.get(campaign=campaign, version=1).weights, "visits": 0}
    services.weights_change(
        actor=office,
        campaign=campaign,
        weights=weights,
        effective_from=dt.date(2026, 1, 1),
        reason="侧重驻村",
    )
    after = services.assessment_run(actor=office, campaign=campaign, period="2026", today=TODAY)
    assert after.weight_set.version == 2 and ranking(after) == [b.pk, a.pk]
    # The earlier period's stored result is as it was, and assessing it again still uses its own weights.
    assert {
        r.cadre_id: (r.total, r.rank_campaign, r.weights_version) for r in run_2025.results.all()
    } == stored_2025
    again = services.assessment_run(actor=office, campaign=campaign, period="2025", today=TODAY)
    assert again.weight_set.version == 1 and ranking(again) == [a.pk, b.pk]
    assert selectors.latest_run(campaign, "2026").pk == after.pk
    change = AuditEvent.objects.get(action="assessment.weights", object_id=str(after.weight_set_id))
    assert change.detail["before"]["visits"] == 25 and change.detail["after"]["visits"] == 0


def test_components_count_what_was_done_against_what_was_due(two_cadres, actor):
    campaign, a, b = two_cadres
    run = services.assessment_run(actor=actor("office"), campaign=campaign, period="2025", today=TODAY)
    parts = {r.cadre_id: r.parts for r in run.results.all()}
    assert parts[a.pk]["visits"] == {"score": 100.0, "actual": "2/2"}
    assert parts[b.pk]["visits"] == {"score": 0.0, "actual": "0/2"}
    assert parts[b.pk]["attendance"]["actual"] == "24/24" and parts[b.pk]["attendance"]["score"] == 100.0
    assert parts[a.pk]["attendance"]["score"] == 0.0 and parts[a.pk]["attendance"]["detail"]["absences"] == 12
    assert parts[a.pk]["deeds"]["actual"] == "0/1"
    assert "demands" not in parts[a.pk]  # nothing owned: judged on the other components
    result = run.results.get(cadre=a)
    # 25 × 100 + 15 × 0 (deeds) + 15 × 0 (attendance) over the weights of the scored components.
    assert result.total == pytest.approx(round(2500 / 55, 2))


def test_the_assessment_costs_the_same_number_of_queries_for_two_cadres_as_for_eight(scenario):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 1, 1))
    point = scenario.point()

    def add(n):
        for _ in range(n):
            cadre = scenario.cadre()
            household = scenario.household()
            scenario.pair(campaign, cadre, household)
            scenario.visit(campaign, cadre, household, dt.date(2026, 4, 2))
            scenario.days_at(cadre, point, dt.date(2026, 4, 3))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            selectors.compute(campaign, dt.date(2026, 1, 1), dt.date(2026, 6, 30), {"visits": 1})
        return len(captured)

    add(2)
    few = queries()
    add(6)
    assert queries() == few


def test_bad_weights_are_refused_with_a_message_and_change_nothing(two_cadres, actor):
    campaign = two_cadres[0]
    office = actor("office")
    services.assessment_run(actor=office, campaign=campaign, period="2025", today=TODAY)
    for weights, reason in (
        ({"visits": "x"}, "改"),
        ({"visits": 101}, "改"),
        ({"nonsense": 5}, "改"),
        ({key: 0 for key in WeightSet.objects.get(campaign=campaign).weights}, "改"),
        ({"visits": 10}, ""),
    ):
        with pytest.raises(ValidationError):
            services.weights_change(
                actor=office,
                campaign=campaign,
                weights=weights,
                effective_from=dt.date(2026, 1, 1),
                reason=reason,
            )
    assert WeightSet.objects.filter(campaign=campaign).count() == 1
    with pytest.raises(ValidationError):
        services.assessment_run(actor=office, campaign=campaign, period="2024", today=TODAY)
    with pytest.raises(ValidationError):
        services.assessment_run(actor=office, campaign=campaign, period="20x6", today=TODAY)


def test_ranking_is_within_the_campaign_and_within_the_unit_with_ties_sharing_a_place():
    rows = [
        {"cadre_id": 1, "unit_id": 1, "total": 80.0},
        {"cadre_id": 2, "unit_id": 2, "total": 90.0},
        {"cadre_id": 3, "unit_id": 1, "total": 80.0},
        {"cadre_id": 4, "unit_id": 1, "total": 70.0},
        {"cadre_id": 5, "unit_id": 2, "total": None},
    ]
    selectors.rank(rows, "rank_campaign", lambda r: None)
    selectors.rank(rows, "rank_unit", lambda r: r["unit_id"])
    assert [r["rank_campaign"] for r in rows] == [2, 1, 2, 4, None]
    assert [r["rank_unit"] for r in rows] == [1, 1, 1, 3, None]


def test_the_result_sheet_is_a_pdf_with_the_cadre_the_score_and_the_components(two_cadres, actor, tmp_path):
    campaign, a, _b = two_cadres
    office = actor("office")
    run = services.assessment_run(actor=office, campaign=campaign, period="2025", today=TODAY)
    result = run.results.get(cadre=a)
    path = tmp_path / "sheet.pdf"
    path.write_bytes(result_sheet_pdf(result, user=office))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "甲干部" in text and f"{result.total:.2f}" in text and "走访完成率" in text
    assert AuditEvent.objects.filter(action="assessment.sheet", object_id=str(result.pk)).exists()


def test_the_command_runs_the_assessment_and_prints_json(two_cadres, capsys):
    campaign, a, b = two_cadres
    call_command("assessment", "run", "--campaign", str(campaign.pk), "--period", "2025", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["period"] == "2025" and data["weights_version"] == 1
    assert [r["cadre"] for r in data["results"]] == [a.pk, b.pk]
    assert data["results"][0]["rank_campaign"] == 1


def test_the_command_says_the_period_and_the_weights_with_their_days(two_cadres, capsys):
    campaign, _a, _b = two_cadres
    for language in ("zh-hans", "en"):
        with translation.override(language):
            call_command(
                "assessment", "run", "--campaign", str(campaign.pk), "--period", "2025", "--top", "0"
            )
            call_command(
                "assessment",
                "weights",
                "--campaign",
                str(campaign.pk),
                "--set",
                "visits=40",
                "--reason",
                "调整",
            )
    out = capsys.readouterr().out
    assert "2025（2025年1月1日至2025年12月31日）" in out and "自2025年1月1日起" in out
    assert "2025 (Jan. 1, 2025 – Dec. 31, 2025)" in out and "from Jan. 1, 2025:" in out
    assert "2025-01-01" not in out


def test_a_cadre_sees_only_their_own_result_and_the_office_sees_the_ranking(two_cadres, actor, client_as):
    campaign, a, _b = two_cadres
    run = services.assessment_run(actor=actor("office"), campaign=campaign, period="2025", today=TODAY)
    page = client_as("office").get(f"/assessment/campaigns/{campaign.pk}/?period=2025")
    assert page.status_code == 200 and "甲干部" in page.content.decode() and "乙干部" in page.content.decode()
    mine = run.results.get(cadre=a)
    other = run.results.exclude(cadre=a).get()
    a.account.must_change_password = False
    a.account.save()
    from django.test import Client

    from minqing.org.models import Grant

    Grant.objects.create(account=a.account, role="cadre", own_records=True)
    client = Client()
    client.force_login(a.account)
    assert client.get(f"/assessment/results/{mine.pk}/").status_code == 200
    assert client.get(f"/assessment/results/{other.pk}/").status_code == 404
    cadre_page = client_as("office").get(f"/assessment/cadres/{a.pk}/")
    assert cadre_page.status_code == 200 and "甲干部" in cadre_page.content.decode()
    assert f"{mine.total:.2f}" in cadre_page.content.decode()


def test_the_ranking_page_heads_the_rank_as_a_position_and_names_sections_with_their_unit(
    two_cadres, actor, client_as
):
    from django.utils import translation

    from minqing.org.models import Unit

    campaign, a, _b = two_cadres
    section = Unit.objects.create(name="办公室", kind=Unit.Kind.SECTION, parent=a.unit, region=a.unit.region)
    section.path = section.compute_path()
    section.save()
    a.unit = section
    a.save()
    services.assessment_run(actor=actor("office"), campaign=campaign, period="2025", today=TODAY)
    html = client_as("office").get(f"/assessment/campaigns/{campaign.pk}/?period=2025").content.decode()
    # "Rank" of the ranking is not the cadre's rank (干部类别), nor the period a bare code.
    assert (
        "<th>干部类别</th>" not in html
        and "干部类别" not in html.split('id="ranking"')[1].split("</thead>")[0]
    )
    assert f"{a.unit.parent.name}·办公室" in html
    assert "权重:" not in html and "考核 2025" not in html
    with translation.override("en"):
        html = (
            client_as("office")
            .get(f"/assessment/campaigns/{campaign.pk}/?period=2025", HTTP_ACCEPT_LANGUAGE="en")
            .content.decode()
        )
    assert "Assessment, the year 2025</h1>" in html and "Weights: " in html
