"""A refused form comes back as it was sent, with its errors beside its fields and its
collapsed section open, instead of a redirect that loses what was typed; the long lists
of cadres carry the pinyin their search box narrows by."""

import datetime as dt
import re

from django.utils import timezone, translation

from minqing.core.dates import day_text
from minqing.programs.models import LiaisonPoint, Pairing
from minqing.programs.services import pairing_create, point_regrade


def _running(scenario):
    today = timezone.localdate()
    return scenario.campaign("shugen", start=dt.date(today.year, 1, 1), end=dt.date(today.year + 1, 12, 31))


def _details(page: str, section_id: str) -> str:
    """The opening tag of the <details> with this id."""
    return re.search(rf'<details id="{section_id}"[^>]*>', page).group(0)


def test_the_pairing_form_offers_a_slot_only_when_the_campaign_has_slots(scenario, client_as):
    client = client_as("office")
    plain = _running(scenario)  # 树根工作法: no kind with slots
    assert not plain.config.get("pairing_kinds") or not any(
        k.get("slots") for k in plain.config["pairing_kinds"]
    )
    assert 'name="slot"' not in client.get(f"/campaigns/{plain.pk}/pairings/").content.decode()
    today = timezone.localdate()
    slotted = scenario.campaign("dundian", start=dt.date(today.year, 1, 1), end=dt.date(today.year, 12, 31))
    assert 'name="slot"' in client.get(f"/campaigns/{slotted.pk}/pairings/").content.decode()


def test_a_refused_pairing_comes_back_with_what_was_typed(scenario, client_as):
    campaign = _running(scenario)
    cadre = scenario.cadre("member")
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=scenario.household(level=1),
        start=campaign.start,
    )  # the list is not empty: the recording section starts collapsed
    client = client_as("office")
    assert " open" not in _details(
        client.get(f"/campaigns/{campaign.pk}/pairings/").content.decode(), "record-pairing"
    )
    before = Pairing.objects.count()
    response = client.post(
        f"/campaigns/{campaign.pk}/pairings/new/",
        {
            "cadre": cadre.pk,
            "kind": "bangfu",
            "household": "查无此户",
            "start": "2026-05-01",
            "note": "入户走访",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "record-pairing")
    assert "查无此户" in page and 'value="入户走访"' in page and 'value="2026-05-01"' in page
    assert re.search(rf'<option value="{cadre.pk}"[^>]* selected', page)
    assert Pairing.objects.count() == before


def test_a_refused_end_of_a_pairing_keeps_its_reason_in_its_own_row(scenario, client_as):
    campaign = _running(scenario)
    pairing = pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=scenario.cadre("member"),
        kind="bangfu",
        target=scenario.household(level=1),
        start=campaign.start,
    )
    later = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/pairings/{pairing.pk}/end/", {"end": later, "reason": "工作调整"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<details open id="end-{pairing.pk}">' in page
    assert 'value="工作调整"' in page and f'value="{later}"' in page and 'aria-invalid="true"' in page
    pairing.refresh_from_db()
    assert pairing.end is None


def test_the_points_add_form_is_at_the_top_of_the_list_and_its_errors_with_it(scenario, client_as):
    client = client_as("office")
    page = client.get("/points/").content.decode()
    assert 'id="add-point"' in page and page.index('id="add-point"') < page.index("<table")
    assert " open" not in _details(page, "add-point")
    scenario.point(name="重名测试村")
    response = client.post(
        "/points/new/", {"name": "重名测试村", "kind": "village", "region": scenario.village.code}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "add-point")
    error = page.index("已有名为“重名测试村”的")
    assert page.index('id="add-point"') < page.index('id="add-point-errors"') < error < page.index("<table")


def test_the_add_point_address_opened_directly_shows_the_form(client_as):
    response = client_as("office").get("/points/new/")
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "add-point") and 'action="/points/new/"' in page
    assert client_as("leader").get("/points/new/").status_code == 403


def test_the_points_region_names_the_village_with_its_township(scenario, client_as):
    point = scenario.point(name="区域测试村")
    village = scenario.village
    page = client_as("office").get("/points/", {"kind": "village", "page": 1}).content.decode()
    rows = [r for r in page.split("<tr") if f'href="/points/{point.pk}/"' in r]
    assert rows and f"{village.parent.name}·{village.name}" in rows[0]


def test_a_refused_liaison_point_and_grade_come_back_as_typed(scenario, client_as):
    client = client_as("office")
    count = LiaisonPoint.objects.count()
    response = client.post("/points/new/", {"name": "", "kind": "village", "address": "江村镇桐木村"})
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "add-point") and 'value="江村镇桐木村"' in page
    assert LiaisonPoint.objects.count() == count

    point = scenario.point()
    point_regrade(
        actor=scenario.office, point=point, grade="一类村", graded_on=dt.date(2026, 1, 10), reason="年初"
    )
    response = client.post(
        f"/points/{point.pk}/regrade/", {"grade": "third", "graded_on": "2030-01-01", "reason": "提前评定"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "regrade") and 'value="提前评定"' in page
    assert "定级日期（2030年1月1日）不能晚于今天" in page
    assert '<option value="third" selected>' in page  # the grade chosen, kept
    point.refresh_from_db()
    assert point.grade == "first"


def test_the_successor_list_carries_pinyin_for_its_search_box(scenario, client_as):
    from minqing.core.text import pinyin_keys

    cadre, other = scenario.cadre("member"), scenario.cadre("member", name="张晓明")
    page = client_as("office").get(f"/cadres/{cadre.pk}/handover/").content.decode()
    select = re.search(r'<select name="successor"[^>]*>', page).group(0)
    assert 'data-filter="' in select
    option = re.search(rf'<option value="{other.pk}"[^>]*>', page).group(0)
    full, initials = pinyin_keys("张晓明")
    assert full == "zhangxiaoming" and initials == "zxm"
    assert f'data-keys="{full}' in option and initials in option


def _two_pairings(scenario, campaign):
    return [
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=scenario.cadre("member"),
            kind="bangfu",
            target=scenario.household(level=1),
            start=campaign.start,
        )
        for _ in range(2)
    ]


def test_a_refused_end_of_a_pairing_on_a_later_page_comes_back_on_that_page(scenario, client_as, settings):
    settings.PAGE_SIZE = 1
    campaign = _running(scenario)
    _two_pairings(scenario, campaign)
    client = client_as("office")
    listed = client.get(f"/campaigns/{campaign.pk}/pairings/?page=2")
    (shown,) = listed.context["page"]
    action = re.search(
        rf'action="(/campaigns/{campaign.pk}/pairings/{shown.pk}/end/[^"]*)"', listed.content.decode()
    )
    later = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(action[1].replace("&amp;", "&"), {"end": later, "reason": "工作调整"})
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"]] == [shown.pk]
    page = response.content.decode()
    assert f'<details open id="end-{shown.pk}">' in page and 'value="工作调整"' in page


def test_a_refused_end_whose_row_is_not_on_the_page_says_why(scenario, client_as, settings):
    settings.PAGE_SIZE = 1
    campaign = _running(scenario)
    _first, second = _two_pairings(scenario, campaign)
    later = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/pairings/{second.pk}/end/", {"end": later, "reason": "工作调整"}
    )
    assert response.status_code == 200
    assert second.pk not in [p.pk for p in response.context["page"]]
    notices = [str(m) for m in response.context["messages"]]
    with translation.override("zh-hans"):
        said = day_text(dt.date.fromisoformat(later))
    assert any(f"解除日期（{said}）" in notice for notice in notices), notices
    second.refresh_from_db()
    assert second.end is None


def test_an_ended_pairing_leads_back_to_the_page_it_was_on(scenario, client_as, settings):
    settings.PAGE_SIZE = 1
    campaign = _running(scenario)
    _first, second = _two_pairings(scenario, campaign)
    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/pairings/{second.pk}/end/?page=2",
        {"end": timezone.localdate().isoformat(), "reason": "工作调整"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/pairings/?page=2"


def test_a_page_shown_again_after_a_refused_form_pages_through_the_list(scenario, client_as, settings):
    """Shown at the form's address (which takes no GET), its page links go to the list."""
    settings.PAGE_SIZE = 2
    for _n in range(3):
        scenario.point()
    client = client_as("office")
    listing = client.get("/points/").content.decode()
    assert 'href="?page=2"' in listing or 'href="/points/?page=2"' in listing
    response = client.post("/points/new/", {"name": "", "kind": "village"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/points/?page=2"' in page and 'href="?page=2"' not in page
    assert client.get("/points/?page=2").status_code == 200


def test_a_pairing_not_begun_is_withdrawn_with_its_reason_kept_in_the_audit_trail(scenario, client_as):
    import pytest
    from django.core.exceptions import ValidationError

    from minqing.core.models import AuditEvent
    from minqing.programs.services import pairing_withdraw

    campaign = _running(scenario)
    later = timezone.localdate() + dt.timedelta(days=10)
    pairing = pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=scenario.cadre("member"),
        kind="bangfu",
        target=scenario.household(level=1),
        start=later,
    )
    begun = pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=scenario.cadre("member"),
        kind="bangfu",
        target=scenario.household(level=1),
        start=campaign.start,
    )
    client = client_as("office")
    page = client.get(f"/campaigns/{campaign.pk}/pairings/").content.decode()
    assert f'id="withdraw-{pairing.pk}"' in page and f'id="withdraw-{begun.pk}"' not in page

    # Without a reason: the page again, the section open, nothing gone.
    response = client.post(f"/campaigns/{campaign.pk}/pairings/{pairing.pk}/withdraw/", {"reason": " "})
    assert response.status_code == 200
    assert re.search(rf'<details open id="withdraw-{pairing.pk}">', response.content.decode())
    assert Pairing.objects.filter(pk=pairing.pk).exists()

    response = client.post(
        f"/campaigns/{campaign.pk}/pairings/{pairing.pk}/withdraw/", {"reason": "录入错误"}
    )
    assert response.status_code == 302
    assert not Pairing.objects.filter(pk=pairing.pk).exists()
    event = AuditEvent.objects.get(action="pairing.withdraw")
    assert event.detail["reason"] == "录入错误" and event.detail["start"] == later.isoformat()
    assert event.detail["cadre"] == pairing.cadre_id and event.detail["campaign"] == campaign.pk

    # One that has begun is ended, never withdrawn: its days stay in the record.
    with pytest.raises(ValidationError):
        pairing_withdraw(actor=scenario.office, pairing=begun, reason="录入错误")
    response = client.post(f"/campaigns/{campaign.pk}/pairings/{begun.pk}/withdraw/", {"reason": "录入错误"})
    assert response.status_code == 200 and Pairing.objects.filter(pk=begun.pk).exists()
    assert AuditEvent.objects.filter(action="pairing.withdraw").count() == 1
