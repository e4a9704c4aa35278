"""The sample: random, reproducible from its stored seed, drawn only from active household
pairings; answers: never recorded by the cadre appraised; a one-time link works once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from minqing.appraisal import services
from minqing.appraisal.models import AppraisalLink, Sample
from minqing.core.models import AuditEvent
from minqing.programs.models import Pairing

from .conftest import own_sample


def test_the_sample_is_reproducible_from_its_stored_seed(sanfuwu, actor):
    appraisal_round = services.round_draw(
        actor=actor("office_jinan"), campaign=sanfuwu, period="2026-10", per_cadre=2
    )
    stored = {}
    for cadre_id, pairing_id in appraisal_round.samples.order_by("cadre_id", "position").values_list(
        "cadre_id", "pairing_id"
    ):
        stored.setdefault(cadre_id, []).append(pairing_id)
    assert stored and services.redraw(appraisal_round) == stored
    # Every drawn household is one of the cadre's active household pairings, two per cadre at most.
    for cadre_id, pairing_ids in stored.items():
        assert len(pairing_ids) <= 2
        active = set(
            Pairing.objects.filter(campaign=sanfuwu, cadre_id=cadre_id, household__isnull=False)
            .active_on(dt.date(2026, 10, 31))
            .values_list("id", flat=True)
        )
        assert set(pairing_ids) <= active
        assert len(pairing_ids) == min(2, len(active))
    assert AuditEvent.objects.filter(action="appraisal.draw", object_id=str(appraisal_round.pk)).exists()


def test_the_sample_is_random_the_seed_decides_it(sanfuwu):
    by_cadre = services.eligible_pairings(sanfuwu, dt.date(2026, 10, 31))
    assert any(len(c) >= 3 for c in by_cadre.values())
    draws = {seed: services.draw_sample(by_cadre, seed=seed, per_cadre=1) for seed in range(30)}
    # The same seed, the same sample; different seeds, different samples.
    assert all(services.draw_sample(by_cadre, seed=seed, per_cadre=1) == draw for seed, draw in draws.items())
    distinct = {tuple(sorted((c, tuple(p)) for c, p in draw.items())) for draw in draws.values()}
    assert len(distinct) > 20
    # Each of a cadre's households is drawn sometimes.
    cadre_id = next(c for c, pairings in by_cadre.items() if len(pairings) >= 3)
    assert {draw[cadre_id][0] for draw in draws.values()} == set(by_cadre[cadre_id])


def test_a_period_has_one_round_and_bad_input_changes_nothing(sanfuwu, actor):
    office = actor("office_jinan")
    services.round_draw(actor=office, campaign=sanfuwu, period="2026-11", seed=5)
    for period, per_cadre in (("2026-11", 2), ("2026-13", 2), ("soon", 2), ("2026-12", 0)):
        with pytest.raises(ValidationError):
            services.round_draw(actor=office, campaign=sanfuwu, period=period, per_cadre=per_cadre)
    assert sanfuwu.appraisal_rounds.filter(period__in=["2026-12", "2026-13"]).count() == 0


def test_a_cadre_cannot_record_an_appraisal_of_themself(campaign, actor):
    office = actor("office")
    appraisal_round = services.round_draw(
        actor=office, campaign=campaign, period="2026-10", per_cadre=3, seed=1
    )
    # The office account is a cadre too, with a household of its own to be appraised on.
    own = own_sample(appraisal_round, office)
    with pytest.raises(ValidationError, match="yourself|自己"):
        services.callback_record(actor=office, sample=own, status="answered", verdict="satisfied")
    with pytest.raises(ValidationError):
        services.link_issue(actor=office, sample=own)
    own.refresh_from_db()
    assert own.status == Sample.Status.PENDING and not own.links.exists()
    assert AuditEvent.objects.filter(
        action="appraisal.callback", object_id=str(own.pk), result="denied"
    ).exists()


def test_a_one_time_link_works_once(campaign, actor, clock):
    office = actor("office")
    appraisal_round = services.round_draw(
        actor=office, campaign=campaign, period="2026-10", per_cadre=1, seed=2
    )
    sample = appraisal_round.samples.exclude(cadre__account_id=office.pk).first()
    token = services.link_issue(actor=office, sample=sample)
    # Only the digest is stored.
    assert not AppraisalLink.objects.filter(digest=token).exists()
    services.link_answer(token=token, verdict="basic", answers={"visited": "yes", "conduct": "satisfied"})
    sample.refresh_from_db()
    assert (sample.status, sample.verdict, sample.channel) == ("answered", "basic", "link")
    assert sample.answers == {"visited": "yes", "conduct": "satisfied"}
    with pytest.raises(services.LinkRefused, match="used|已使用"):
        services.link_answer(token=token, verdict="unsatisfied")
    sample.refresh_from_db()
    assert sample.verdict == "basic"
    # A link expires; a newer link replaces an older one.
    other = appraisal_round.samples.exclude(cadre__account_id=office.pk).exclude(pk=sample.pk).first()
    old = services.link_issue(actor=office, sample=other)
    new = services.link_issue(actor=office, sample=other)
    with pytest.raises(services.LinkRefused):
        services.link_find(old)
    clock.advance(days=services.LINK_DAYS + 1)
    with pytest.raises(services.LinkRefused, match="expired|过期"):
        services.link_answer(token=new, verdict="satisfied")
    with pytest.raises(services.LinkRefused, match="not valid|无效"):
        services.link_find("made-up-token")


def test_periods_are_months_quarters_halves_or_years():
    assert services.parse_period("2026-10") == ("2026-10", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert services.parse_period("2026q4") == ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert services.parse_period("2026-Q1") == ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert services.parse_period("2026-H2") == ("2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert services.parse_period("2026") == ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert services.parse_period("2026Q4") == ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert services.parse_period(" 2026h1 ") == ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    for bad in (
        "2026-13",
        "2026-Q5",
        "2026-H3",
        "26-10",
        "",
        "2026-10-01",
        "2026-W47",
        "2026-10-01..2026-10-15",
    ):
        with pytest.raises(ValidationError):
            services.parse_period(bad)


def test_the_appraisal_reads_periods_with_the_figures_parser_which_takes_half_years_only_when_asked():
    from minqing.figures.periods import PeriodError
    from minqing.figures.periods import parse_period as figures_period

    today = dt.date(2026, 11, 22)
    half = figures_period("2026-H2", today=today, halves=True)
    assert (half.kind, half.start, half.end) == ("half", dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert figures_period("2026h1", today=today, halves=True).end == dt.date(2026, 6, 30)
    for text in ("2026-H2", "2026H1"):
        with pytest.raises(PeriodError):
            figures_period(text, today=today)
    for text in ("2026-10", "2026-Q4", "2026Q4", "2026-H2", "2026"):
        period = figures_period(text, today=today, halves=True)
        assert services.parse_period(text)[1:] == (period.start, period.end)
    assert not hasattr(services, "PERIOD_RE")


def test_a_share_of_each_cadres_households_rounded_up_and_reproducible(sanfuwu, actor):
    appraisal_round = services.round_draw(
        actor=actor("office_jinan"), campaign=sanfuwu, period="2026-10", share=50, seed=8
    )
    assert appraisal_round.share == 50
    by_cadre = services.eligible_pairings(sanfuwu, dt.date(2026, 10, 31))
    drawn = services.redraw(appraisal_round)
    for cadre_id, pairings in by_cadre.items():
        assert len(drawn[cadre_id]) == -(-len(pairings) // 2)
        assert appraisal_round.samples.filter(cadre_id=cadre_id).count() == len(drawn[cadre_id])
    assert {len(p) for p in by_cadre.values()} & {3}, "some cadre has an odd number of households"
    with pytest.raises(ValidationError):
        services.round_draw(actor=actor("office_jinan"), campaign=sanfuwu, period="2026-11", share=0)


def test_the_program_defines_the_questions_and_the_households_per_cadre(sanfuwu, campaign, actor):
    from minqing.programs.schema import TemplateInvalid, library_files, parse_template

    appraisal_round = services.round_draw(actor=actor("office_jinan"), campaign=sanfuwu, period="2026-10")
    program = sanfuwu.config["appraisal"]
    assert appraisal_round.questions == program["questions"]
    assert appraisal_round.per_cadre == program["per_cadre"]
    # A program without the section asks the default questions.
    other = services.round_draw(actor=actor("office"), campaign=campaign, period="2026-10")
    assert [q["key"] for q in other.questions] == ["visited", "helped", "conduct"]
    # A bad [appraisal] section is refused with its line.
    text = library_files()["sanfuwu"].read_text()
    text += '\n  [[appraisal.questions]]\n  key = "visited"\n  type = "stars"\n'
    with pytest.raises(TemplateInvalid) as refused:
        parse_template(text)
    messages = [str(e) for e in refused.value.errors]
    assert any("appraisal" in m and "text" in m for m in messages), messages
    assert any("stars" in m or "type" in m for m in messages), messages
    assert any("visited" in m for m in messages), messages
