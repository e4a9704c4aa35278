"""The one-time link against what happens at the same moment: a release of the round or a
phone callback of the same household. The link's first look (link_find) runs before any
lock; what a rival request did between that look and the locks must win."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from minqing.appraisal import services
from minqing.appraisal.models import AppraisalLink, Sample
from minqing.core.models import AuditEvent
from minqing.org.models import Account


def _between_look_and_lock(monkeypatch, rival):
    """Run `rival` right after link_answer's first look at the link, as a request served
    in that instant would (the sequential form of the race)."""
    first_look = services.link_find

    def look_then_rival(token):
        link = first_look(token)
        rival()
        return link

    monkeypatch.setattr(services, "link_find", look_then_rival)


def _round_with_link(campaign, office):
    appraisal_round = services.round_draw(
        actor=office, campaign=campaign, period="2026-10", per_cadre=1, seed=2
    )
    samples = list(appraisal_round.samples.exclude(cadre__account_id=office.pk).order_by("id")[:2])
    token = services.link_issue(actor=office, sample=samples[0])
    return appraisal_round, samples[0], samples[1], token


def test_an_answer_after_the_release_is_refused(campaign, actor, monkeypatch):
    office = actor("office")
    appraisal_round, sample, other, token = _round_with_link(campaign, office)
    services.callback_record(actor=office, sample=other, status="answered", verdict="satisfied")
    _between_look_and_lock(
        monkeypatch, lambda: services.round_release(actor=office, appraisal_round=appraisal_round)
    )
    with pytest.raises(services.LinkRefused, match="closed|已结束"):
        services.link_answer(token=token, verdict="unsatisfied")
    sample.refresh_from_db()
    assert (sample.status, sample.verdict, sample.answered_at) == ("pending", "", None)
    assert AppraisalLink.objects.get(sample=sample).used_at is None
    assert not AuditEvent.objects.filter(action="appraisal.link_answer", object_id=str(sample.pk)).exists()


def test_a_callback_recorded_first_is_not_overwritten_by_the_link(campaign, actor, monkeypatch):
    office = actor("office")
    _round, sample, _other, token = _round_with_link(campaign, office)

    def phone_call():
        services.callback_record(
            actor=office, sample=sample, status="answered", verdict="unsatisfied", comment="电话回访"
        )

    _between_look_and_lock(monkeypatch, phone_call)
    with pytest.raises(services.LinkRefused, match="used|已使用"):
        services.link_answer(token=token, verdict="satisfied", comment="链接")
    sample.refresh_from_db()
    assert (sample.channel, sample.verdict, sample.comment, sample.recorded_by_id) == (
        "phone",
        "unsatisfied",
        "电话回访",
        office.pk,
    )
    assert AppraisalLink.objects.get(sample=sample).used_at is None


def test_a_link_answer_first_refuses_the_later_callback(campaign, actor):
    office = actor("office")
    _round, sample, _other, token = _round_with_link(campaign, office)
    services.link_answer(token=token, verdict="satisfied")
    with pytest.raises(ValidationError):
        services.callback_record(actor=office, sample=sample, status="answered", verdict="unsatisfied")
    sample.refresh_from_db()
    assert (sample.channel, sample.verdict, sample.recorded_by_id) == ("link", "satisfied", None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer: no race to prove")
def test_a_link_answer_and_a_callback_at_once_give_exactly_one_answer(transactional_db):
    from django.core.management import call_command

    from minqing.demo.generate import database_is_empty, generate
    from minqing.programs.models import Campaign

    if database_is_empty():
        generate(scale="village", seed=7)
    try:
        office = Account.objects.get(username="office")
        campaign = Campaign.objects.get(program_key="xiajiceng")
        _round, sample, _other, token = _round_with_link(campaign, office)
        barrier = threading.Barrier(2)
        outcomes = []

        def by_link():
            try:
                barrier.wait()
                services.link_answer(token=token, verdict="satisfied")
                outcomes.append(("won", "link"))
            except services.LinkRefused:
                outcomes.append(("refused", "link"))
            finally:
                connection.close()

        def by_phone():
            try:
                barrier.wait()
                services.callback_record(
                    actor=Account.objects.get(pk=office.pk),
                    sample=Sample.objects.get(pk=sample.pk),
                    status="answered",
                    verdict="unsatisfied",
                )
                outcomes.append(("won", "phone"))
            except ValidationError:
                outcomes.append(("refused", "phone"))
            finally:
                connection.close()

        threads = [threading.Thread(target=by_link), threading.Thread(target=by_phone)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(o[0] for o in outcomes) == ["refused", "won"]
        winner = next(channel for result, channel in outcomes if result == "won")
        sample.refresh_from_db()
        assert sample.channel == winner
        assert sample.verdict == {"link": "satisfied", "phone": "unsatisfied"}[winner]
        assert (sample.recorded_by_id is None) == (winner == "link")
        assert (
            AuditEvent.objects.filter(
                action__in=["appraisal.link_answer", "appraisal.callback"], object_id=str(sample.pk)
            ).count()
            == 1
        )
    finally:
        call_command("flush", interactive=False, verbosity=0)
