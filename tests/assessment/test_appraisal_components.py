"""The residents' score and the inspection findings (from the appraisal app) as components of
the assessment and as a reason for recall."""

import datetime as dt

from minqing.appraisal.models import Sample
from minqing.appraisal.services import callback_record, inspection_record, round_draw
from minqing.assessment import selectors, services

TODAY = dt.date(2026, 11, 20)


def test_residents_and_inspections_count_in_the_assessment_and_a_low_residents_score_flags_a_recall(
    scenario, actor
):
    office, inspector = actor("office"), actor("inspector")
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 1, 1))
    liked, disliked = scenario.cadre("staff", "好评干部"), scenario.cadre("staff", "差评干部")
    for cadre in (liked, disliked):
        scenario.pair(campaign, cadre, scenario.household())
    appraisal = round_draw(actor=office, campaign=campaign, period="2026-Q1", per_cadre=1, seed=5)
    for sample in Sample.objects.filter(round=appraisal):
        verdict = "satisfied" if sample.cadre_id == liked.pk else "unsatisfied"
        callback_record(actor=office, sample=sample, status="answered", verdict=verdict)
    inspection_record(
        actor=inspector,
        campaign=campaign,
        kind="unannounced",
        date=dt.date(2026, 5, 6),
        findings="未按要求驻村",
        rating="poor",
        cadre=disliked,
        actions=[{"text": "补足驻村天数", "owner": disliked, "deadline": dt.date(2026, 6, 1)}],
    )
    run = services.assessment_run(actor=office, campaign=campaign, period="2026", today=TODAY)
    parts = {r.cadre_id: r.parts for r in run.results.all()}
    assert parts[liked.pk]["residents"] == {"score": 100.0, "actual": "1/1"}
    assert parts[disliked.pk]["residents"]["score"] == 0.0
    assert parts[disliked.pk]["inspections"]["score"] == 0.0
    assert parts[disliked.pk]["inspections"]["detail"]["overdue_actions"] == 1
    assert "inspections" not in parts[liked.pk]  # not inspected: nothing to judge
    ranks = {r.cadre_id: r.rank_campaign for r in run.results.all()}
    assert ranks[liked.pk] < ranks[disliked.pk]

    services.recall_rule_set(actor=office, campaign=campaign, resident_score_below=60)
    flagged = selectors.at_risk(campaign, TODAY)
    assert [f.cadre for f in flagged] == [disliked]
    assert "0" in flagged[0].reasons[0] and "60" in flagged[0].reasons[0]
