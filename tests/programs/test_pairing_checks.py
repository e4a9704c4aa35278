"""Pairings of cadres and of units: each starts within its campaign, ends on a day that has
come, is handed over on one, is not entered twice, links a target inside the campaign's
region, and holds one of each 一联五 slot unless the program allows several."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from minqing.core.dates import day_text
from minqing.core.models import AuditEvent
from minqing.geo.models import Region
from minqing.programs.models import Handover, Pairing, UnitPairing
from minqing.programs.services import cadre_handover, pairing_create, pairing_end, unit_pairing_create


def _en(day) -> str:
    """A day as an English message writes it."""
    with translation.override("en"):
        return day_text(day)


def _elsewhere():
    """A village of another county (晋安区)."""
    return Region.objects.get(code="350111000000").children.first().children.first()


def _running(scenario, program="shugen"):
    """A campaign that started this year and runs to the end of next year."""
    today = timezone.localdate()
    return scenario.campaign(program, start=dt.date(today.year, 1, 1), end=dt.date(today.year + 1, 12, 31))


def _bangfu(scenario, campaign, cadre, start=None):
    return pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=scenario.household(level=1),
        start=start or campaign.start,
    )


# 4: cadre pairings and handover --------------------------------------------------------


def test_a_pairing_starting_before_its_campaign_is_refused(scenario):
    campaign = scenario.campaign("shugen", start=dt.date(2026, 3, 1))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _bangfu(scenario, campaign, scenario.cadre("member"), start=dt.date(2026, 2, 28))
    assert caught.value.message_dict == {
        "start": ["A pairing cannot start before its campaign (March 1, 2026)."]
    }
    with pytest.raises(ValidationError) as caught:
        _bangfu(scenario, campaign, scenario.cadre("member"), start=dt.date(2027, 1, 1))
    assert list(caught.value.message_dict) == ["start"]
    assert not Pairing.objects.filter(campaign=campaign).exists()


def test_the_pairing_page_refuses_a_start_before_the_campaign(scenario, client_as):
    campaign = scenario.campaign("shugen", start=dt.date(2026, 3, 1))
    cadre = scenario.cadre("member")
    household = scenario.household(level=1)
    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/pairings/new/",
        {"cadre": cadre.pk, "kind": "bangfu", "household": household.code, "start": "2025-01-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert "结对开始日期不能早于活动开始日期（2026年3月1日）" in response.content.decode()
    assert not Pairing.objects.filter(campaign=campaign).exists()


def test_a_pairing_is_not_ended_on_a_day_still_to_come(scenario, client_as):
    campaign = _running(scenario)
    pairing = _bangfu(scenario, campaign, scenario.cadre("member"))
    later = timezone.localdate() + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as caught:
        pairing_end(actor=scenario.office, pairing=pairing, end=later, reason="调整")
    assert list(caught.value.message_dict) == ["end"]
    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/pairings/{pairing.pk}/end/",
        {"end": "2099-01-01", "reason": "调整"},
        follow=True,
    )
    page = response.content.decode()
    assert "解除日期（2099年1月1日）不能晚于今天" in page and "结对已解除" not in page
    pairing.refresh_from_db()
    assert pairing.end is None
    assert not AuditEvent.objects.filter(action="pairing.end", object_id=str(pairing.pk)).exists()
    pairing_end(actor=scenario.office, pairing=pairing, end=timezone.localdate(), reason="调整")
    pairing.refresh_from_db()
    assert pairing.end == timezone.localdate()


def test_a_pairing_does_not_end_after_its_campaign(scenario):
    today = timezone.localdate()
    campaign = scenario.campaign(
        "shugen", start=today - dt.timedelta(days=90), end=today - dt.timedelta(days=30)
    )
    pairing = _bangfu(scenario, campaign, scenario.cadre("member"))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        pairing_end(actor=scenario.office, pairing=pairing, end=today - dt.timedelta(days=1), reason="补录")
    assert caught.value.message_dict == {
        "end": [f"A pairing cannot end after its campaign ends ({_en(campaign.end)})."]
    }


def test_a_handover_is_not_dated_in_the_future(scenario, client_as):
    campaign = _running(scenario)
    leaving, successor = scenario.cadre("member"), scenario.cadre("member")
    _bangfu(scenario, campaign, leaving)
    with pytest.raises(ValidationError) as caught:
        cadre_handover(
            actor=scenario.office,
            from_cadre=leaving,
            to_cadre=successor,
            on_date=dt.date(2099, 1, 1),
            reason="调动",
        )
    assert list(caught.value.message_dict) == ["on_date"]
    response = client_as("office").post(
        f"/cadres/{leaving.pk}/handover/",
        {"successor": successor.pk, "on_date": "2099-01-01", "reason": "调动"},
    )
    assert response.status_code == 200
    assert "交接日期（2099年1月1日）不能晚于今天" in response.content.decode()
    assert not Handover.objects.filter(from_cadre=leaving).exists()
    assert Pairing.objects.filter(cadre=leaving, end__isnull=True).count() == 1


# 5: unit pairings ----------------------------------------------------------------------


def _unit_pairing(scenario, campaign, point, start=None, kind="twinning"):
    return unit_pairing_create(
        actor=scenario.office,
        campaign=campaign,
        unit=scenario.unit,
        point=point,
        kind=kind,
        start=start or campaign.start,
    )


def test_the_same_unit_pairing_twice_is_refused(scenario):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    point = scenario.point()
    _unit_pairing(scenario, campaign, point)
    with pytest.raises(ValidationError) as caught:
        _unit_pairing(scenario, campaign, point, start=dt.date(2026, 5, 1))
    assert list(caught.value.message_dict) == ["point"]
    _unit_pairing(scenario, campaign, point, kind="covers_village")  # another kind is another pairing
    assert UnitPairing.objects.filter(campaign=campaign).count() == 2


def test_a_unit_pairing_with_a_point_outside_the_region_is_refused(scenario):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    with pytest.raises(ValidationError) as caught:
        _unit_pairing(scenario, campaign, scenario.point(region=_elsewhere()))
    assert caught.value.message_dict == {"point": ["该对象不在本活动的区域范围内。"]}


def test_a_unit_pairing_starting_before_its_campaign_is_refused(scenario):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    with pytest.raises(ValidationError) as caught:
        _unit_pairing(scenario, campaign, scenario.point(), start=dt.date(1999, 1, 1))
    assert list(caught.value.message_dict) == ["start"]
    assert not UnitPairing.objects.filter(campaign=campaign).exists()


def test_the_unit_pairing_page_shows_the_refusal_instead_of_a_500(scenario, client_as):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    point = scenario.point()
    _unit_pairing(scenario, campaign, point)
    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/unit-pairings/",
        {"unit": scenario.unit.pk, "point": point.pk, "kind": "twinning", "start": "2026-04-15"},
    )
    assert response.status_code == 200
    assert "已与" in response.content.decode()
    assert UnitPairing.objects.filter(campaign=campaign).count() == 1


# 8: one of each 一联五 slot --------------------------------------------------------------


def _yilianwu(scenario, campaign, cadre, slot="veteran_party_member", start=dt.date(2026, 4, 5)):
    return pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="yilianwu",
        slot=slot,
        target=scenario.member(name=f"党员{Pairing.objects.count()}"),
        start=start,
    )


def test_a_second_veteran_party_member_for_one_cadre_is_refused(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    cadre = scenario.cadre("member")
    first = _yilianwu(scenario, campaign, cadre)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _yilianwu(scenario, campaign, cadre)
    assert caught.value.message_dict == {
        "slot": [
            f"{cadre.account} already has a “老党员” in this campaign: {first.member.name}. "
            "End that pairing first; the program allows one of each."
        ]
    }
    _yilianwu(scenario, campaign, cadre, slot="residents_rep")  # another slot is fine
    _yilianwu(scenario, campaign, scenario.cadre("member"))  # and so is another cadre
    assert Pairing.objects.filter(campaign=campaign, slot="veteran_party_member").count() == 2


def test_an_ended_slot_can_be_filled_again(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    cadre = scenario.cadre("member")
    first = _yilianwu(scenario, campaign, cadre)
    pairing_end(actor=scenario.office, pairing=first, end=dt.date(2026, 4, 6), reason="去世")
    _yilianwu(scenario, campaign, cadre, start=dt.date(2026, 4, 10))
    assert Pairing.objects.filter(campaign=campaign, cadre=cadre).count() == 2


def test_a_slot_the_program_allows_several_of_takes_several(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    config = campaign.config
    slot = next(s for s in config["pairing_kinds"][1]["slots"] if s["key"] == "veteran_party_member")
    slot["several"] = True
    campaign.config = config
    campaign.save(update_fields=["config"])
    cadre = scenario.cadre("member")
    _yilianwu(scenario, campaign, cadre)
    _yilianwu(scenario, campaign, cadre)
    assert Pairing.objects.filter(campaign=campaign, cadre=cadre).count() == 2


def test_a_template_slot_with_a_several_that_is_no_yes_or_no_is_refused(db):
    from minqing.programs.schema import TemplateInvalid, parse_template
    from minqing.programs.services import program_sources

    text = program_sources()["dundian"].replace(
        '{ key = "veteran_party_member", name = "老党员" }',
        '{ key = "veteran_party_member", name = "老党员", several = "yes" }',
    )
    with pytest.raises(TemplateInvalid) as caught:
        parse_template(text)
    assert any("several" in error.path for error in caught.value.errors)


# The pairing import holds to the same rules --------------------------------------------


def _import(scenario, campaign, tmp_path, rows):
    import xlsxwriter

    from minqing.documents.imports.engine import import_run

    path = tmp_path / "pairings.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["干部用户名", "结对类型", "对象类别", "身份证号", "开始日期"])
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    book.close()
    return import_run(actor=scenario.office, kind="pairings", path=path, campaign=campaign)


def test_the_import_refuses_a_second_slot_and_a_start_before_the_campaign(scenario, tmp_path):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    cadre = scenario.cadre("member")
    first, second, third = (scenario.member(name=name).id_number.reveal() for name in ("甲", "乙", "丙"))
    user = cadre.account.username
    with translation.override("en"):
        report = _import(
            scenario,
            campaign,
            tmp_path,
            [
                [user, "一联五", "老党员", first, "2026-04-05"],
                [user, "一联五", "老党员", second, "2026-04-05"],
                [user, "一联五", "群众代表", third, "2026-03-01"],
            ],
        )
    assert not report.ok
    found = {(e.row, e.column): e.message for e in report.errors}
    assert found[(3, "对象类别")] == (
        "This cadre's “老党员” already appears in row 2; the program allows one of each."
    )
    assert found[(4, "开始日期")] == "A pairing cannot start before its campaign (April 1, 2026)."
    assert not Pairing.objects.filter(campaign=campaign).exists()
    # A slot the campaign already holds for the cadre is refused too.
    _yilianwu(scenario, campaign, cadre)
    report = _import(scenario, campaign, tmp_path, [[user, "一联五", "老党员", second, "2026-04-05"]])
    assert not report.ok and [e.column for e in report.errors] == ["对象类别"]
    assert Pairing.objects.filter(campaign=campaign).count() == 1
