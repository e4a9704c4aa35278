"""The figures the composite assessment and the briefing build on: residents' scores,
inspection results and exemplary cases per cadre and period, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minqing.appraisal import selectors, services
from minqing.appraisal.models import Inspection, Sample
from minqing.org.models import Cadre


def _draw(actor, campaign, period="2026-10", per_cadre=2, seed=11):
    return services.round_draw(
        actor=actor("office_jinan"), campaign=campaign, period=period, per_cadre=per_cadre, seed=seed
    )


def test_resident_scores_average_the_answers_of_each_cadre_in_the_period(sanfuwu, actor):
    campaign = sanfuwu
    office = actor("office_jinan")
    appraisal_round = _draw(actor, campaign)
    samples = list(
        appraisal_round.samples.exclude(cadre__account_id=office.pk).order_by("cadre_id", "position")
    )
    by_cadre = {}
    for sample in samples:
        by_cadre.setdefault(sample.cadre_id, []).append(sample)
    two = [cadre for cadre, rows in by_cadre.items() if len(rows) >= 2][:2]
    assert len(two) == 2
    first, second = two
    services.callback_record(actor=office, sample=by_cadre[first][0], status="answered", verdict="satisfied")
    services.callback_record(actor=office, sample=by_cadre[first][1], status="answered", verdict="basic")
    services.callback_record(actor=office, sample=by_cadre[second][0], status="unreachable")

    start, end = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    with CaptureQueriesContext(connection) as queries:
        scores = selectors.resident_scores(campaign, start, end)
    assert len(queries) == 1
    assert scores[first] == selectors.ResidentScore(score=80.0, answered=2, sampled=len(by_cadre[first]))
    assert scores[second] == selectors.ResidentScore(score=None, answered=0, sampled=len(by_cadre[second]))
    # Every sampled cadre is there, and a round that ends outside the period is not counted.
    assert set(scores) == set(by_cadre) | {s.cadre_id for s in appraisal_round.samples.all()}
    assert first not in selectors.resident_scores(campaign, dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_an_unsatisfied_answer_scores_zero_and_the_year_gathers_its_rounds(sanfuwu, actor):
    campaign = sanfuwu
    office = actor("office_jinan")
    october = _draw(actor, campaign, period="2026-10", per_cadre=1, seed=3)
    september = _draw(actor, campaign, period="2026-09", per_cadre=1, seed=4)
    cadre_id = (
        october.samples.exclude(cadre__account_id=office.pk)
        .filter(cadre_id__in=september.samples.values("cadre_id"))
        .values_list("cadre_id", flat=True)
        .first()
    )
    services.callback_record(
        actor=office, sample=october.samples.get(cadre_id=cadre_id), status="answered", verdict="unsatisfied"
    )
    services.callback_record(
        actor=office, sample=september.samples.get(cadre_id=cadre_id), status="answered", verdict="satisfied"
    )
    before = {
        c: s
        for c, s in selectors.resident_scores(campaign, dt.date(2026, 1, 1), dt.date(2026, 12, 31)).items()
    }
    assert (
        selectors.resident_scores(campaign, dt.date(2026, 10, 1), dt.date(2026, 10, 31))[cadre_id].score == 0
    )
    answered = Sample.objects.filter(
        round__campaign=campaign, cadre_id=cadre_id, status="answered", round__end__year=2026
    )
    points = {"satisfied": 100, "basic": 60, "unsatisfied": 0}
    expected = sum(points[s.verdict] for s in answered) / answered.count()
    assert before[cadre_id].score == pytest.approx(expected)
    assert before[cadre_id].answered == answered.count()


def test_inspection_results_count_ratings_and_open_and_overdue_actions(campaign, actor):
    inspector = actor("inspector")
    cadres = list(
        Cadre.objects.filter(pairings__campaign=campaign)
        .exclude(account__username="inspector")
        .distinct()[:2]
    )
    target, other = cadres
    start, end = dt.date(2026, 6, 1), dt.date(2026, 6, 30)
    baseline = selectors.inspection_results(campaign, start, end)
    first = services.inspection_record(
        actor=inspector,
        campaign=campaign,
        kind=Inspection.Kind.UNANNOUNCED,
        date=dt.date(2026, 6, 3),
        cadre=target,
        method="暗访走访农户",
        findings="走访记录不全",
        rating="average",
        actions=[
            {"text": "补齐走访记录", "owner": target, "deadline": dt.date(2026, 6, 10)},
            {"text": "回访两户", "owner": target, "deadline": dt.date(2026, 12, 31)},
            {"text": "整改台账", "owner": target, "deadline": dt.date(2026, 6, 20)},
        ],
    )
    services.inspection_record(
        actor=inspector,
        campaign=campaign,
        kind=Inspection.Kind.OPEN,
        date=dt.date(2026, 6, 20),
        cadre=target,
        findings="整改到位",
        rating="good",
    )
    # Done within the period: no longer open. Done after the period: still open at its end.
    done_in, done_after = first.actions.get(text="整改台账"), first.actions.get(text="补齐走访记录")
    services.action_done(actor=inspector, action=done_in, on=dt.date(2026, 6, 19))
    services.action_done(actor=inspector, action=done_after, on=dt.date(2026, 7, 2))
    services.inspection_record(
        actor=inspector,
        campaign=campaign,
        kind=Inspection.Kind.REVISIT,
        date=dt.date(2026, 7, 1),
        cadre=target,
        findings="七月的回访",
        rating="poor",
    )
    with CaptureQueriesContext(connection) as queries:
        results = selectors.inspection_results(campaign, start, end)
    assert len(queries) == 2
    old = baseline.get(target.pk)
    if old is None:
        assert results[target.pk] == selectors.InspectionResult(
            count=2, score=80.0, open_actions=2, overdue_actions=1
        )
    else:
        assert results[target.pk].count == old.count + 2
    assert results.get(other.pk) == baseline.get(other.pk)


def test_exemplary_cases_of_the_period_are_the_published_ones(campaign, actor, clock):
    office = actor("office")
    cadre = Cadre.objects.filter(pairings__campaign=campaign).first()
    case = services.case_nominate(
        actor=actor("leader"), campaign=campaign, title="扎根村里的好干部", story="……", cadre=cadre
    )
    today = timezone.localdate(clock.now())  # the county's day: after 16:00 UTC it is tomorrow there
    assert case not in selectors.exemplary_cases(campaign, today, today)
    assert case in selectors.exemplary_cases(campaign, today, today, published_only=False)
    services.case_decide(actor=office, case=case, step="select")
    assert case not in selectors.exemplary_cases(campaign, today, today)
    services.case_decide(actor=office, case=case, step="publish")
    name = str(cadre)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.exemplary_cases(
            campaign, today - dt.timedelta(days=1), today + dt.timedelta(days=1)
        )
        assert [c.subject_name for c in found if c.pk == case.pk] == [name]
        assert [c.cadre.unit.label for c in found if c.pk == case.pk] == [cadre.unit.label]  # 单位·股室
    assert len(queries) == 1
    assert case not in selectors.exemplary_cases(
        campaign, today + dt.timedelta(days=1), today + dt.timedelta(days=9)
    )
