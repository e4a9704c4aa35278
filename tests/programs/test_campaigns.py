"""Campaign changes are versioned and audited; a year's verdicts use that version's parameters;
handover moves pairings in one step; a cadre with pairings cannot be disabled."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from minqing.core.models import AuditEvent
from minqing.org.services import account_deactivate
from minqing.programs.models import Handover, Pairing
from minqing.programs.services import cadre_handover, campaign_change, pairing_create

from .conftest import verdict_for


def test_changing_a_quota_makes_a_new_version_and_flips_the_verdict(scenario):
    campaign = scenario.campaign("shugen")
    chief = scenario.cadre("principal")
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=chief,
        kind="bangfu",
        target=scenario.household(level=1),
        start=dt.date(2026, 3, 5),
    )
    assert verdict_for(campaign, "hardship_quota", chief.pk).status == "fail"
    campaign_change(
        actor=scenario.office,
        campaign=campaign,
        params={("hardship_quota", "principal"): 1},
        reason="县里调整为每人1户",
    )
    campaign.refresh_from_db()
    assert campaign.version == 2
    assert verdict_for(campaign, "hardship_quota", chief.pk).status == "pass"
    first, second = campaign.versions.order_by("number")
    assert first.config["rules"][0]["params"]["principal"] == 2
    assert second.changes == [{"what": "hardship_quota.principal", "from": 2, "to": 1}]
    event = AuditEvent.objects.filter(action="campaign.change").latest("id")
    assert event.detail["reason"] == "县里调整为每人1户"


def test_a_bad_parameter_is_refused_and_nothing_changes(scenario):
    campaign = scenario.campaign("shugen")
    with pytest.raises(ValidationError) as caught:
        campaign_change(
            actor=scenario.office,
            campaign=campaign,
            params={("hardship_quota", "principal"): -1, ("hardship_quota", "nope"): 3},
            reason="试",
        )
    assert set(caught.value.message_dict) == {"hardship_quota.principal", "hardship_quota.nope"}
    campaign.refresh_from_db()
    assert campaign.version == 1 and campaign.versions.count() == 1


def test_a_change_needs_a_reason(scenario):
    campaign = scenario.campaign("shugen")
    with pytest.raises(ValidationError):
        campaign_change(
            actor=scenario.office, campaign=campaign, params={("hardship_quota", "principal"): 3}, reason=" "
        )


def test_a_due_date_can_be_moved_per_campaign(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    campaign_change(
        actor=scenario.office,
        campaign=campaign,
        params={("yilianwu", "due"): dt.date(2026, 4, 20)},
        phases={"start": (dt.date(2026, 4, 1), dt.date(2026, 4, 25))},
        reason="延期",
    )
    campaign.refresh_from_db()
    assert campaign.rule("yilianwu")["params"]["due"] == "2026-04-20"
    assert campaign.config["phases"][0]["end"] == "2026-04-25"


def test_a_rule_can_be_switched_off(scenario):
    campaign = scenario.campaign("shugen")
    campaign_change(
        actor=scenario.office, campaign=campaign, enabled={"service_days": False}, reason="本县不设服务日"
    )
    campaign.refresh_from_db()
    from minqing.programs import engine

    assert "service_days" not in {v.rule for v in engine.evaluate(campaign, dt.date(2026, 6, 1))}


def test_handover_moves_every_active_pairing_in_one_step(scenario):
    campaign = scenario.campaign("shugen")
    leaving, successor = scenario.cadre("member"), scenario.cadre("member")
    for _ in range(3):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=leaving,
            kind="bangfu",
            target=scenario.household(level=1),
            start=dt.date(2026, 3, 5),
        )
    handover = cadre_handover(
        actor=scenario.office,
        from_cadre=leaving,
        to_cadre=successor,
        on_date=dt.date(2026, 7, 1),
        reason="工作调动",
    )
    assert handover.pairings_moved == 3
    assert not Pairing.objects.filter(cadre=leaving).active_on(dt.date(2026, 7, 1)).exists()
    assert Pairing.objects.filter(cadre=leaving).active_on(dt.date(2026, 6, 30)).count() == 3
    assert Pairing.objects.filter(cadre=successor, handed_over_from__isnull=False).count() == 3
    assert AuditEvent.objects.filter(action="cadre.handover", object_id=str(handover.pk)).exists()
    assert Handover.objects.filter(from_cadre=leaving).count() == 1


def test_a_cadre_with_active_pairings_cannot_be_disabled_before_a_handover(scenario):
    campaign = scenario.campaign("shugen", end=None)
    cadre, successor = scenario.cadre("member"), scenario.cadre("member")
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=scenario.household(level=1),
        start=dt.date(2026, 3, 5),
    )
    with pytest.raises(ValidationError):
        account_deactivate(actor=scenario.office, account=cadre.account, reason="退休")
    cadre.account.refresh_from_db()
    assert cadre.account.is_active
    from django.utils import timezone

    cadre_handover(
        actor=scenario.office,
        from_cadre=cadre,
        to_cadre=successor,
        on_date=timezone.localdate(),
        reason="退休",
    )
    account_deactivate(actor=scenario.office, account=cadre.account, reason="退休")
    cadre.account.refresh_from_db()
    assert not cadre.account.is_active


def test_a_pairing_outside_the_campaign_region_or_of_the_wrong_target_is_refused(scenario):
    from minqing.geo.models import Region

    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1), region=scenario.village.parent)
    cadre = scenario.cadre("member")
    elsewhere = Region.objects.get(code="350111000000").children.first().children.first()
    with pytest.raises(ValidationError) as caught:
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind="station",
            target=scenario.point(region=elsewhere),
            start=dt.date(2026, 4, 2),
        )
    assert "target" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind="station",
            target=scenario.household(),
            start=dt.date(2026, 4, 2),
        )
    assert "target" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind="yilianwu",
            slot="nope",
            target=scenario.member(),
            start=dt.date(2026, 4, 2),
        )
    assert "slot" in caught.value.message_dict


def test_an_ended_pairing_no_longer_opens_the_household(scenario):
    from django.utils import timezone

    from minqing.core.scope import forget_scope, scoped
    from minqing.org.services import grant_set
    from minqing.people.models import Household
    from minqing.programs.services import pairing_end

    campaign = scenario.campaign("shugen", end=None)
    cadre = scenario.cadre("member")
    grant_set(actor=None, account=cadre.account, role="cadre", own_records=True)
    household = scenario.household(level=1)
    pairing = pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=household,
        start=dt.date(2026, 3, 5),
    )
    assert scoped(Household, cadre.account, "people.view").filter(pk=household.pk).exists()
    pairing_end(
        actor=scenario.office, pairing=pairing, end=timezone.localdate() - dt.timedelta(days=1), reason="调整"
    )
    forget_scope(cadre.account)
    assert not scoped(Household, cadre.account, "people.view").filter(pk=household.pk).exists()
