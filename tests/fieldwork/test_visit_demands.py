"""A demand raised on a visit names the household and a contact — the member visited, else
the household's head, with their phone as stored — so that the resident follows it with
its code and the phone's last four digits and rates the answer; the cadre who recorded the
visit is given the codes to hand over (in the upload's answer and on the visit's page)."""

import datetime as dt
import json
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from minqing.core.personal import Phone
from minqing.fieldwork.services import visit_record
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.people.models import Member
from minqing.programs.models import Campaign, Pairing
from minqing.tickets.models import Channel, Ticket


@pytest.fixture(autouse=True)
def fresh_counters(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def paired(db):
    """The demo cadre's campaign 000 and a household paired with them, its head with a phone."""
    account = Account.objects.get(username="cadre")
    campaign = Campaign.objects.get(program_key="xiajiceng")
    pairing = (
        Pairing.objects.filter(cadre__account=account, campaign=campaign, household__isnull=False)
        .select_related("household__head", "cadre")
        .first()
    )
    household = pairing.household
    Member.objects.filter(pk=household.head_id).update(phone=Phone("13912341234"))
    household.head.refresh_from_db()
    return account, campaign, pairing.cadre, household


def _upload(account, payload):
    token = token_create(actor=None, account=account)
    key = str(uuid.uuid4())
    response = Client().put(
        f"/api/v1/sync/visit/{key}",
        json.dumps({"payload": payload}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return key, response


def test_a_demand_raised_on_a_household_visit_names_the_household_and_its_head(paired):
    account, campaign, _cadre, household = paired
    payload = {
        "campaign": campaign.pk,
        "date": "2026-06-01",
        "form": "home_visit",
        "target": {"type": "household", "id": household.pk},
        "content": "入户走访",
        "problems": ["灌溉水渠需要清淤"],
    }
    key, response = _upload(account, payload)
    assert response.status_code == 201
    ticket = Ticket.objects.get(extra__visit=key)
    assert ticket.channel == Channel.VISIT and ticket.household == household
    assert ticket.member == household.head and ticket.contact_name == household.head.name
    assert ticket.contact_phone.reveal() == "13912341234" and ticket.phone_last4 == "1234"
    assert ticket.ledger == "hot_hard"  # 000's only ledger of demands
    # The cadre is told the code to hand over.
    assert response.json()["demands"] == [{"code": ticket.code, "problem": "灌溉水渠需要清淤"}]
    # The resident follows it with the code and the last four digits, and may rate it later.
    track = Client().post("/t/track/", {"code": ticket.code, "last4": "1234"})
    assert track.context["ticket"].pk == ticket.pk


def test_the_member_visited_is_the_contact_and_the_head_when_the_member_has_no_phone(paired):
    account, campaign, cadre, household = paired
    member = Member.objects.filter(household=household).exclude(pk=household.head_id).first()
    if member is None:
        member = Member.objects.create(household=household, name="王小妹", relation="child")
    Member.objects.filter(pk=member.pk).update(phone=Phone("13700001111"))
    member.refresh_from_db()
    visit = visit_record(
        actor=account,
        campaign=campaign,
        cadre=cadre,
        date=dt.date(2026, 6, 2),
        form="home_visit",
        target=member,
        problems=["希望提供就业培训"],
    )
    ticket = Ticket.objects.get(extra__visit=str(visit.uuid))
    assert (ticket.member, ticket.contact_name, ticket.phone_last4) == (member, member.name, "1111")
    assert ticket.household == household
    Member.objects.filter(pk=member.pk).update(phone=None)
    member.refresh_from_db()
    visit = visit_record(
        actor=account,
        campaign=campaign,
        cadre=cadre,
        date=dt.date(2026, 6, 3),
        form="home_visit",
        target=member,
        problems=["道路需要硬化"],
    )
    ticket = Ticket.objects.get(extra__visit=str(visit.uuid))
    assert ticket.member == household.head and ticket.phone_last4 == "1234"


def test_the_visit_page_gives_the_cadre_the_code_to_hand_over(paired, client_as):
    account, campaign, cadre, household = paired
    visit = visit_record(
        actor=account,
        campaign=campaign,
        cadre=cadre,
        date=dt.date(2026, 6, 1),
        form="home_visit",
        target=household,
        problems=["村口路灯不亮"],
    )
    ticket = Ticket.objects.get(extra__visit=str(visit.uuid))
    page = client_as("cadre").get(f"/fieldwork/visits/{visit.uuid}/").content.decode()
    assert ticket.code in page and 'id="tracking-hint"' in page and "/t/track/" in page
    # The phone page has the words to show the codes of an upload's demands.
    app = client_as("cadre").get("/m/").content.decode()
    assert '"demands": ' in app
