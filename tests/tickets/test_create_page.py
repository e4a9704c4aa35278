"""Registering a demand on /tickets/new/ (and through the API): a cadre is offered the
villages of their pairings and registers a demand for one; a village out of their reach, a
ledger or a category of another campaign is refused with a message and nothing written."""

import re

import pytest

from minqing.core.models import AuditEvent
from minqing.geo.models import Region
from minqing.org.services import token_create
from minqing.programs.apps import current_pairings
from minqing.programs.models import Campaign
from minqing.tickets.models import Ticket

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _paired_villages(cadre) -> set[str]:
    return {code[:12] for code in current_pairings(cadre).values_list("region_id", flat=True)}


def _options(page: str, name: str) -> list[str]:
    """The values offered, the empty "choose" line left out."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [value for value in re.findall(r'<option value="([^"]*)"', select) if value]


def _demand(campaign, village, **overrides):
    data = {
        "campaign": campaign.pk,
        "ledger": "",
        "category": "",
        "channel": "visit",
        "title": "饮水管破裂",
        "description": "三组饮水管破裂两天，十几户没有水喝。",
        "region": village,
        "contact_name": "李大爷",
        "contact_phone": "13912345678",
        "tier": "township",
        "priority": 3,
    }
    data.update(overrides)
    return data


@pytest.fixture
def cadre_campaign(db):
    return Campaign.objects.get(name="2026年机关干部下基层活动")


def test_a_cadre_is_offered_the_villages_of_their_pairings_grouped_by_township(client_as, actor):
    # (The demo cadre's work team has its point in one of these villages.)
    paired = _paired_villages(actor("cadre"))
    response = client_as("cadre").get("/tickets/new/")
    assert response.status_code == 200
    page = response.content.decode()
    offered = _options(page, "region")
    assert paired and set(offered) == paired
    township = Region.objects.get(code=sorted(paired)[0]).parent
    assert f'<optgroup label="{township.name}">' in page
    assert 'id="nothing-to-register"' not in page


def test_a_cadre_registers_a_demand_for_a_village_of_their_pairing(client_as, actor, cadre_campaign):
    cadre = actor("cadre")
    village = sorted(_paired_villages(cadre))[0]
    response = client_as("cadre").post("/tickets/new/", _demand(cadre_campaign, village, ledger="hot_hard"))
    ticket = Ticket.objects.get(created_by=cadre, title="饮水管破裂")
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.region_id == village and ticket.campaign == cadre_campaign and ticket.ledger == "hot_hard"
    assert ticket.priority == 3 and ticket.events.get().action == "register"
    assert AuditEvent.objects.filter(action="ticket.register", object_id=str(ticket.pk)).exists()
    # The cadre sees what they registered.
    assert client_as("cadre").get(f"/tickets/{ticket.pk}/").status_code == 200


def test_no_village_is_chosen_until_the_staff_member_chooses_one(client_as, cadre_campaign):
    """As on the public intake: the list opens on an empty choice that is required, and a
    demand sent without a village is refused with a clear message and writes nothing."""
    page = client_as("office").get("/tickets/new/").content.decode()
    select = re.search(r'<select name="region"([^>]*)>(.*?)</select>', page, re.S)
    assert select and "required" in select.group(1)
    assert select.group(2).lstrip().startswith('<option value="" selected>'), "the empty choice comes first"
    assert select.group(2).count("selected") == 1, "no village chosen for the staff member"
    before = Ticket.objects.count()
    response = client_as("office").post("/tickets/new/", _demand(cadre_campaign, ""), **EN)
    assert response.status_code == 200
    assert "Choose the village or community where the problem is." in response.content.decode()
    assert Ticket.objects.count() == before


def _campaign_select(page: str) -> tuple[str, str]:
    """The campaign list's attributes and options."""
    select = re.search(r'<select name="campaign"([^>]*)>(.*?)</select>', page, re.S)
    return select.group(1), select.group(2)


def test_no_campaign_is_chosen_until_the_staff_member_chooses_one(client_as, actor, cadre_campaign):
    """Among several campaigns the list opens on an empty, required choice (a demand left on
    the first campaign would be filed under the wrong one); sent without one it is refused
    with a clear message and writes nothing."""
    from minqing.programs.selectors import campaign_list

    assert campaign_list(user=actor("office")).filter(status="running").count() > 1
    attributes, options = _campaign_select(client_as("office").get("/tickets/new/").content.decode())
    assert "required" in attributes
    assert options.lstrip().startswith('<option value="" selected>'), "the empty choice comes first"
    assert options.count("selected") == 1, "no campaign chosen for the staff member"
    village = Region.objects.filter(code__startswith="431123100", level=Region.Level.VILLAGE).first()
    before = Ticket.objects.count()
    response = client_as("office").post(
        "/tickets/new/", {**_demand(cadre_campaign, village.code), "campaign": ""}, **EN
    )
    assert response.status_code == 200
    assert "Choose the campaign the demand belongs to." in response.content.decode()
    assert Ticket.objects.count() == before


def test_the_campaign_the_page_was_opened_for_is_chosen(client_as, cadre_campaign):
    page = client_as("office").get(f"/tickets/new/?campaign={cadre_campaign.pk}").content.decode()
    _attributes, options = _campaign_select(page)
    assert f'<option value="{cadre_campaign.pk}" selected>' in options and options.count("selected") == 1
    # One the user cannot file under (or no number at all) chooses nothing.
    for query in ("?campaign=999999", "?campaign=x"):
        _attributes, options = _campaign_select(
            client_as("office").get(f"/tickets/new/{query}").content.decode()
        )
        assert options.lstrip().startswith('<option value="" selected>') and options.count("selected") == 1


def test_the_only_campaign_a_user_may_file_under_is_chosen(client_as, cadre_campaign):
    Campaign.objects.exclude(pk=cadre_campaign.pk).update(status=Campaign.Status.ENDED)
    _attributes, options = _campaign_select(client_as("office").get("/tickets/new/").content.decode())
    assert _options_of(options) == [str(cadre_campaign.pk)]
    assert f'<option value="{cadre_campaign.pk}" selected>' in options and 'value=""' not in options


def _options_of(options: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', options)


def test_a_village_out_of_the_cadres_reach_is_refused_and_nothing_written(client_as, actor, cadre_campaign):
    paired = _paired_villages(actor("cadre"))
    other = (
        Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE)
        .exclude(code__in=paired)
        .first()
    )
    before = Ticket.objects.count()
    response = client_as("cadre").post("/tickets/new/", _demand(cadre_campaign, other.code), **EN)
    assert response.status_code == 200
    assert "You may not register demands for this village; choose one from the list." in (
        response.content.decode()
    )
    assert Ticket.objects.count() == before


def test_a_cadre_without_a_village_is_told_why(client_as, actor):
    from django.utils import timezone

    from minqing.programs.models import Team

    cadre = actor("cadre")
    current_pairings(cadre).update(end=timezone.localdate() - timezone.timedelta(days=1))
    Team.members.through.objects.filter(cadre__account=cadre).delete()
    Team.objects.filter(leader__account=cadre).update(leader=None)
    page = client_as("cadre").get("/tickets/new/").content.decode()
    assert 'id="nothing-to-register"' in page and _options(page, "region") == []


def test_the_ledger_and_category_lists_follow_the_campaign(client_as):
    page = client_as("office").get("/tickets/new/").content.decode()
    assert re.search(r'<select name="ledger"[^>]*data-follows="id_campaign"', page)
    one, four = Campaign.objects.get(pk=1), Campaign.objects.get(name="2026年“百乡千村万户”大走访")
    # A ledger only campaign 1 keeps is offered with campaign 1 only; one both keep, with both.
    assert re.search(rf'<option value="hot_hard" data-for="{one.pk}">', page)
    shared = re.search(
        r'<select name="category".*?<option value="livelihood" data-for="([\d ]+)"', page, re.S
    )
    assert {one.pk, four.pk} <= {int(pk) for pk in shared.group(1).split()}


def test_a_ledger_or_category_of_another_campaign_is_refused_and_nothing_written(client_as):
    four = Campaign.objects.get(name="2026年“百乡千村万户”大走访")
    village = Region.objects.filter(code__startswith="431123100", level=Region.Level.VILLAGE).first()
    before = Ticket.objects.count()
    response = client_as("office").post(
        "/tickets/new/", _demand(four, village.code, ledger="hot_hard", category="suggestion"), **EN
    )
    page = response.content.decode()
    assert response.status_code == 200 and Ticket.objects.count() == before
    assert "keeps no such ledger; choose one of its own." in page
    assert "has no such category; choose one of its own." in page


def test_a_village_outside_the_campaigns_region_is_refused_and_nothing_written(desk):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    elsewhere = Region.objects.filter(level=Region.Level.VILLAGE).exclude(code__startswith="431123").first()
    before = Ticket.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        desk.ticket(region=elsewhere)
    assert refused.value.message_dict["region"] == [
        f"This village lies outside the region of the campaign “{desk.campaign.name}”."
    ]
    assert Ticket.objects.count() == before


def test_a_cadre_is_offered_the_village_of_their_work_teams_point(client_as, actor):
    from django.utils import timezone

    from minqing.programs.models import Team

    cadre = actor("cadre")
    current_pairings(cadre).update(end=timezone.localdate() - timezone.timedelta(days=1))
    points = Team.objects.filter(members__account=cadre).values_list("points__region_id", flat=True)
    page = client_as("cadre").get("/tickets/new/").content.decode()
    villages = {code[:12] for code in points if code}
    assert villages and set(_options(page, "region")) == villages


def test_a_cadre_registers_through_the_api_only_for_their_villages(client_as, actor, cadre_campaign):
    cadre = actor("cadre")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=cadre)}", **EN}
    village = sorted(_paired_villages(cadre))[0]
    body = {"campaign": cadre_campaign.pk, "title": "路灯不亮", "description": "村口路灯坏了。"}
    created = client_as(None).post(
        "/api/v1/tickets", {**body, "region": village}, content_type="application/json", **headers
    )
    assert created.status_code == 201 and created.json()["region"] == village
    before = Ticket.objects.count()
    other = (
        Region.objects.filter(level=Region.Level.VILLAGE).exclude(code__in=_paired_villages(cadre)).first()
    )
    refused = client_as(None).post(
        "/api/v1/tickets", {**body, "region": other.code}, content_type="application/json", **headers
    )
    assert refused.status_code == 404 and Ticket.objects.count() == before
