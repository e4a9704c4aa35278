"""A visit's texts (what was seen and talked about, the outcome) show a resident's phone or ID
number written into them masked wherever they are shown: its page, the visit lists, the
household's page, the API, the command line and the drafts made from them (monthly report,
leader's record), as its problems are (Visit.masked_problems). The correction form alone shows
the text as written, to be corrected, and its opening is a read of the visit (visit.view), as
is the withdrawal's confirm step."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minqing.assessment.services import record_figures
from minqing.core.models import AuditEvent
from minqing.fieldwork.models import Visit
from minqing.fieldwork.services import month_figures, visit_record
from minqing.programs.services import pairing_create
from tests.fieldwork.test_visit_changes import FieldScenario, _months_back
from tests.test_masking import leaks

CONTENT = "王大爷说低保复核材料已交，身份证431123199001011234，儿子电话13907461234"
OUTCOME = "已联系村医上门，村医电话0746-5212345"
SHOWN_CONTENT = "王大爷说低保复核材料已交，身份证431123********1234，儿子电话139****1234"
SHOWN_OUTCOME = "已联系村医上门，村医电话0746-*****45"


def _hidden(text: str) -> bool:
    """No full number of CONTENT or OUTCOME in the text."""
    return not leaks(text) and "5212345" not in text


@pytest.fixture
def visit(db, actor):
    """A visit recorded today by a cadre's own account, its texts holding a resident's numbers."""
    scenario = FieldScenario(actor("office"))
    today = timezone.localdate()
    campaign = scenario.campaign("sanfuwu", start=_months_back(today, 3), end=today + dt.timedelta(days=60))
    cadre = scenario.cadre("member")
    household = scenario.household()
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="household_visits",
        target=household,
        start=campaign.start,
    )
    return visit_record(
        actor=cadre.account,
        campaign=campaign,
        cadre=cadre,
        date=today,
        form="home_visit",
        target=household,
        content=CONTENT,
        outcome=OUTCOME,
    )


def _client(visit: Visit) -> Client:
    client = Client()
    client.force_login(visit.cadre.account)
    return client


def test_the_visits_page_and_the_lists_show_its_texts_masked(visit, client_as):
    client = _client(visit)
    page = client.get(reverse("fieldwork:visit-detail", args=[visit.uuid])).content.decode()
    assert SHOWN_CONTENT in page and SHOWN_OUTCOME in page and _hidden(page)
    listed = client.get(reverse("fieldwork:visit-list")).content.decode()
    assert SHOWN_CONTENT[:30] in listed and _hidden(listed)
    household = client_as("office").get(reverse("people:household-detail", args=[visit.household_id]))
    assert household.status_code == 200
    assert SHOWN_CONTENT[:30] in household.content.decode() and _hidden(household.content.decode())
    # Stored as written: the numbers are the resident's, kept for whoever corrects the visit.
    visit.refresh_from_db()
    assert (visit.content, visit.outcome) == (CONTENT, OUTCOME)


def test_the_api_gives_a_visits_texts_masked(visit):
    client = _client(visit)
    one = client.get(f"/api/v1/visits/{visit.uuid}").json()
    assert (one["content"], one["outcome"]) == (SHOWN_CONTENT, SHOWN_OUTCOME)
    listed = client.get("/api/v1/visits").json()
    assert [(v["content"], v["outcome"]) for v in listed["items"] if v["uuid"] == str(visit.uuid)] == [
        (SHOWN_CONTENT, SHOWN_OUTCOME)
    ]
    assert _hidden(json.dumps(listed, ensure_ascii=False)) and _hidden(json.dumps(one, ensure_ascii=False))


def test_a_correction_through_the_api_that_sends_the_masked_texts_back_keeps_them_as_written(visit):
    """A client corrects the form from what the API gave it: the texts it did not change come back
    masked, and stay as written."""
    client = _client(visit)
    url = f"/api/v1/visits/{visit.uuid}"
    shown = client.get(url).json()
    body = {
        "date": (visit.date - dt.timedelta(days=1)).isoformat(),
        "form": shown["form"],
        "content": shown["content"],
        "outcome": shown["outcome"],
        "reason": "日期记错",
        "base_version": shown["version"],
    }
    response = client.put(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and response.json()["content"] == SHOWN_CONTENT
    visit.refresh_from_db()
    assert (visit.date.isoformat(), visit.content, visit.outcome, visit.version) == (
        body["date"],
        CONTENT,
        OUTCOME,
        2,
    )
    # A text changed is stored as sent.
    body = {**body, "outcome": "村医已上门", "base_version": 2}
    assert client.put(url, json.dumps(body), content_type="application/json").status_code == 200
    visit.refresh_from_db()
    assert (visit.content, visit.outcome) == (CONTENT, "村医已上门")
    # A text edited as shown (masked) keeps the numbers as written: before, the masked forms
    # were stored and the resident's numbers lost.
    body = {**body, "content": SHOWN_CONTENT + "，屋顶已修好", "base_version": 3}
    assert client.put(url, json.dumps(body), content_type="application/json").status_code == 200
    visit.refresh_from_db()
    assert visit.content == CONTENT + "，屋顶已修好"


def test_a_masked_number_standing_for_two_numbers_is_not_guessed():
    from minqing.core.identity import AmbiguousMask, mask_text_identifiers, restore_masked

    written = "儿子电话13907461234，女儿电话13900001234"
    shown = mask_text_identifiers(written)
    assert shown.count("139****1234") == 2
    with pytest.raises(AmbiguousMask):
        restore_masked(shown + "，已联系", written)
    # Numbers typed anew, or typed masked by the client itself, stay as sent.
    assert restore_masked("新电话13811112222", written) == "新电话13811112222"
    assert restore_masked("电话138****0000", written) == "电话138****0000"


def test_the_correction_and_withdrawal_pages_record_a_read_of_the_visit(visit):
    """Each opening is one visit.view row, as the visit's page writes, named by the visit's UUID
    and quoting nothing written about the resident."""
    client = _client(visit)
    for name in ("fieldwork:visit-edit", "fieldwork:visit-withdraw"):
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        page = client.get(reverse(name, args=[visit.uuid]))
        assert page.status_code == 200
        rows = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))
        assert [(r.action, r.object_type, r.object_id, r.object_repr, r.channel) for r in rows] == [
            ("visit.view", "fieldwork.visit", str(visit.pk), str(visit.uuid), "web")
        ], name
        assert rows[0].user_id == visit.cadre.account_id
        assert rows[0].detail == {"campaign": visit.campaign_id, "shown": 1}
    # The form shows the text as written, to be corrected (its read just recorded).
    form = client.get(reverse("fieldwork:visit-edit", args=[visit.uuid])).content.decode()
    assert "13907461234" in form


def test_the_command_line_prints_a_visits_text_masked(visit):
    out = io.StringIO()
    call_command("fieldwork", "visits", "--campaign", str(visit.campaign_id), stdout=out)
    printed = out.getvalue()
    assert SHOWN_CONTENT[:40] in printed and _hidden(printed)


def test_the_drafts_made_from_visits_list_their_texts_masked(visit):
    """The monthly report's list of visits and the leader's record's recent visits."""
    month = month_figures(campaign=visit.campaign, cadre=visit.cadre, month=visit.date.replace(day=1))
    assert month["visit_list"] == [f"{visit.date}：{SHOWN_CONTENT[:60]}"]
    recent = record_figures(visit.cadre, visit.date, visit.date)["recent_visits"]
    assert recent == [{"date": visit.date.isoformat(), "content": SHOWN_CONTENT[:80]}]
