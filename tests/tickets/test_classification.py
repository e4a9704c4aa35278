"""Every demand can reach a ledger: one filed from the QR page or raised on a visit goes into
its campaign's only ledger of demands by default; the office files it into a ledger and a
category when it dispatches, and whoever may classify it changes them later on its page
(API and command line too), audited, among the campaign's own ledgers of demands only."""

import io

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from minqing.core.models import AuditEvent
from minqing.org.services import token_create
from minqing.programs.models import Campaign
from minqing.tickets import services
from minqing.tickets.models import Ticket, TicketEvent


@pytest.fixture(autouse=True)
def fresh_counters(db):
    cache.clear()
    yield
    cache.clear()


def _filing(desk, phone="13812345678"):
    return {"name": "王大妈", "phone": phone, "village": desk.village.code, "text": "村口路灯坏了三盏"}


def _file_by_qr(client, desk, campaign, phone="13812345678") -> Ticket:
    response = client.post(f"/t/?c={campaign.pk}", _filing(desk, phone))
    return Ticket.objects.get(code=response.context["ticket"].code)


def _ledger_codes(client, campaign, key) -> set[str]:
    response = client.get(f"/tickets/ledger.xlsx?campaign={campaign.pk}&ledger={key}")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return {str(cell) for row in book.get_sheet_by_index(0).to_python() for cell in row}


def test_a_qr_demand_goes_into_the_campaigns_only_ledger_of_demands_and_its_export(client, client_as, desk):
    """000 keeps three ledgers, one of them of demands (热点难点问题台账; the others list deeds
    and households): a demand filed from the QR page is in it, and in its export."""
    xia = Campaign.objects.get(program_key="xiajiceng")
    ticket = _file_by_qr(client, desk, xia)
    assert ticket.campaign == xia and ticket.ledger == "hot_hard"
    assert ticket.code in _ledger_codes(client_as("office"), xia, "hot_hard")
    page = client_as("office").get(f"/tickets/{ticket.pk}/").content.decode()
    assert "热点难点问题台账" in page


def test_no_ledger_is_chosen_for_a_campaign_that_keeps_several(client, desk):
    ticket = _file_by_qr(client, desk, desk.campaign)  # 树根: 民情, 信访, 矛盾纠纷
    assert ticket.campaign == desk.campaign and ticket.ledger == ""


def test_a_ledger_of_deeds_or_households_takes_no_demand(desk):
    xia = Campaign.objects.get(program_key="xiajiceng")
    for key in ("deeds", "hardship"):
        with pytest.raises(ValidationError) as refused:
            desk.ticket(campaign=xia, ledger=key, category="")
        assert "ledger" in refused.value.message_dict


def test_the_office_files_a_qr_demand_into_a_ledger_and_category_as_it_dispatches(client, client_as, desk):
    ticket = _file_by_qr(client, desk, desk.campaign)
    office = client_as("office")
    page = office.get(f"/tickets/{ticket.pk}/").content.decode()
    assert '<select name="ledger"' in page and '<option value="minqing">民情台账</option>' in page
    before = AuditEvent.objects.filter(action="ticket.dispatch").count()
    response = office.post(
        f"/tickets/{ticket.pk}/act/",
        {
            "action": "dispatch",
            "version": ticket.version,
            "unit": desk.unit.pk,
            "tier": "township",
            "ledger": "minqing",
            "category": "urban_rural",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.unit, ticket.ledger, ticket.category) == (desk.unit, "minqing", "urban_rural")
    event = TicketEvent.objects.get(ticket=ticket, action="dispatch")
    assert event.detail["ledger"] == ["", "minqing"] and event.detail["category"] == ["", "urban_rural"]
    audit = AuditEvent.objects.filter(action="ticket.dispatch").order_by("-id").first()
    assert AuditEvent.objects.filter(action="ticket.dispatch").count() == before + 1
    assert audit.detail["ledger"] == ["", "minqing"]
    assert ticket.code in _ledger_codes(office, desk.campaign, "minqing")


def test_a_ledger_or_category_of_another_campaign_is_refused_beside_its_field(client, client_as, desk):
    ticket = _file_by_qr(client, desk, desk.campaign)
    response = client_as("office").post(
        f"/tickets/{ticket.pk}/act/",
        {
            "action": "dispatch",
            "version": ticket.version,
            "unit": desk.unit.pk,
            "tier": "township",
            "ledger": "hot_hard",  # 000's, not 树根's
            "category": "urban_rural",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert '<select name="ledger" aria-invalid="true"' in page
    ticket.refresh_from_db()
    assert ticket.unit is None and ticket.ledger == "" and ticket.version == 1


def test_a_category_of_its_own_days_sets_the_deadline_at_dispatch(client, desk):
    Campaign.objects.filter(pk=desk.campaign.pk).update(
        config={**desk.campaign.config, "deadlines": {"public_order_days": 2}}
    )
    campaign = Campaign.objects.get(pk=desk.campaign.pk)
    ticket = desk.ticket(campaign=campaign, category="", ledger="")
    ticket = services.ticket_dispatch(
        actor=desk.office, ticket=ticket, unit=desk.unit, ledger="petition", category="public_order"
    )
    from minqing.tickets import workflow

    assert ticket.deadline == workflow.deadline_for(
        campaign=campaign, tier=ticket.tier, category="public_order", start=ticket.registered_at
    )


def test_after_dispatch_the_office_and_the_unit_reclassify_on_the_page_and_others_may_not(client_as, desk):
    ticket = services.ticket_claim(actor=desk.unit_user, ticket=desk.dispatched(ledger="", category=""))
    office = client_as("office")
    page = office.get(f"/tickets/{ticket.pk}/").content.decode()
    assert '<details id="classify"' in page
    response = office.post(
        f"/tickets/{ticket.pk}/act/",
        {"action": "classify", "version": ticket.version, "ledger": "dispute", "category": "public_order"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.ledger, ticket.category, ticket.status) == ("dispute", "public_order", "accepted")
    audit = AuditEvent.objects.filter(action="ticket.classify").order_by("-id").first()
    assert audit.object_id == str(ticket.pk) and audit.detail["ledger"] == ["", "dispute"]
    # The unit that handles it corrects the category.
    unit = client_as("unit")
    assert '<details id="classify"' in unit.get(f"/tickets/{ticket.pk}/").content.decode()
    unit.post(
        f"/tickets/{ticket.pk}/act/",
        {"action": "classify", "version": ticket.version, "ledger": "dispute", "category": "income"},
    )
    ticket.refresh_from_db()
    assert ticket.category == "income" and ticket.events.filter(action="classify").count() == 2
    # A leader sees the demand but neither dispatches nor handles it.
    leader = client_as("leader")
    assert '<details id="classify"' not in leader.get(f"/tickets/{ticket.pk}/").content.decode()
    refused = leader.post(
        f"/tickets/{ticket.pk}/act/",
        {"action": "classify", "version": ticket.version, "ledger": "minqing", "category": ""},
    )
    assert refused.status_code == 403
    ticket.refresh_from_db()
    assert ticket.ledger == "dispute"
    with pytest.raises(PermissionDenied):
        services.ticket_edit(
            actor=refused.wsgi_request.user, ticket=ticket, version=ticket.version, ledger=""
        )


def test_the_api_files_a_demand_at_dispatch_and_later(client_as, desk, actor):
    ticket = desk.ticket(ledger="", category="")
    token = token_create(actor=None, account=actor("office"))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/tickets/{ticket.pk}/actions"
    api = client_as(None)
    body = api.post(
        url,
        {
            "action": "dispatch",
            "version": 1,
            "unit": desk.unit.pk,
            "ledger": "petition",
            "category": "income",
        },
        content_type="application/json",
        **headers,
    ).json()
    assert (body["ledger"], body["category"], body["unit"]) == ("petition", "income", desk.unit.pk)
    kept = api.post(
        url,
        {"action": "classify", "version": body["version"], "category": "culture"},
        **headers,
        content_type="application/json",
    ).json()
    assert (kept["ledger"], kept["category"]) == ("petition", "culture")  # an absent ledger stays
    wrong = api.post(
        url,
        {"action": "classify", "version": kept["version"], "ledger": "deeds"},
        content_type="application/json",
        **headers,
    )
    assert wrong.status_code == 422
    assert Ticket.objects.get(pk=ticket.pk).ledger == "petition"


def test_the_command_line_files_a_demand(desk):
    ticket = desk.dispatched(ledger="", category="")
    out = io.StringIO()
    call_command(
        "ticket", "act", ticket.code, "classify", "--as", "office", "--ledger", "dispute", stdout=out
    )
    ticket.refresh_from_db()
    assert ticket.ledger == "dispute" and ticket.category == ""
    with pytest.raises(CommandError):
        call_command("ticket", "act", ticket.code, "classify", "--as", "leader", "--ledger", "minqing")


def test_the_office_form_offers_only_ledgers_that_list_demands(client_as, db):
    form = client_as("office").get("/tickets/new/").context["form"]
    keys = {key for key, _label in form.fields["ledger"].choices}
    assert "hot_hard" in keys and "minqing" in keys
    assert not keys & {"deeds", "hardship"}


def test_a_dispatch_that_names_no_ledger_keeps_one_filed_before_the_template_changed(desk):
    ticket = desk.ticket()
    Ticket.objects.filter(pk=ticket.pk).update(ledger="retired")
    ticket = services.ticket_dispatch(actor=desk.office, ticket=ticket, unit=desk.unit)
    assert ticket.unit == desk.unit and ticket.ledger == "retired"
