"""The PyPI client `georeport` against a live server of the project, and the XML side."""

import xml.etree.ElementTree as ET

import pytest
from georeport import GeoReport

from minqing.org.models import Account, Cadre
from minqing.programs.models import Campaign
from minqing.tickets import services
from minqing.tickets.models import Ticket


@pytest.fixture
def demo_site(live_server, transactional_db):
    from minqing.demo.generate import database_is_empty, generate

    if database_is_empty():
        generate(scale="village", seed=7)
    return live_server.url


def test_the_georeport_client_reads_services_a_filtered_list_and_one_request(demo_site):
    from minqing.geo.models import Region

    campaign = Campaign.objects.get(program_key="shugen")
    office, unit_user = Account.objects.get(username="office"), Account.objects.get(username="unit")
    village = Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE).first()
    lamp = services.ticket_create(
        actor=office,
        campaign=campaign,
        title="路灯",
        description="路灯坏了",
        region=village,
        category="urban_rural",
    )
    services.ticket_create(
        actor=office,
        campaign=campaign,
        title="低保",
        description="低保申请",
        region=village,
        category="social_security",
    )
    services.ticket_dispatch(actor=office, ticket=lamp, unit=Cadre.objects.get(account=unit_user).unit)
    services.ticket_claim(actor=unit_user, ticket=lamp)
    services.ticket_reply(actor=unit_user, ticket=lamp, reply="已修复")

    client = GeoReport(f"{demo_site}/open311/v2", jurisdiction="431123")
    codes = {s["service_code"]: s["service_name"] for s in client.get_service_list()}
    assert codes[f"{campaign.pk}-urban_rural"] == "城乡建设"
    assert (
        client.get_service_definition(f"{campaign.pk}-urban_rural")["service_code"]
        == f"{campaign.pk}-urban_rural"
    )

    found = client.get_service_requests(service_code=f"{campaign.pk}-urban_rural", status="open")
    assert [r["service_request_id"] for r in found] == [lamp.code]
    one = client.get_service_request(lamp.code)
    # Registered by the office, not filed here: the public feed gives its status, not the reply.
    assert one["status"] == "open" and one["status_notes"] == "已答复" and one["agency_responsible"]
    assert "已修复" not in str(one) and one["lat"] is None
    assert "phone" not in str(one) and "138" not in str(one)

    xml_client = GeoReport(f"{demo_site}/open311/v2", jurisdiction="431123", output_format="xml")
    assert any(s["service_code"] == f"{campaign.pk}-urban_rural" for s in xml_client.get_service_list())


def test_filing_through_open311_needs_an_api_key_and_gives_an_id(client, db):
    from minqing.org.services import token_create

    campaign = Campaign.objects.get(program_key="shugen")
    data = {"service_code": f"{campaign.pk}-environment", "description": "河道有垃圾", "phone": "13812345678"}
    assert client.post("/open311/v2/requests.json", data).status_code == 403
    token = token_create(actor=None, account=Account.objects.get(username="office"))
    response = client.post("/open311/v2/requests.xml", {**data, "api_key": token})
    assert response.status_code == 201
    code = ET.fromstring(response.content).find("request/service_request_id").text
    assert code.startswith("MQ-")
    detail = client.get(f"/open311/v2/requests/{code}.json").json()[0]
    assert detail["description"] == "河道有垃圾" and detail["status"] == "open"
    assert client.get(f"/open311/v2/tokens/{code}.json").json()[0]["service_request_id"] == code


def test_an_unknown_service_or_request_is_a_404(client, db):
    assert client.get("/open311/v2/services/0-nothing.json").status_code == 404
    assert client.get("/open311/v2/requests/MQ-1999-000001.xml").status_code == 404


def test_several_service_codes_and_a_status_filter_the_list(client, desk):
    lamp = desk.ticket(category="urban_rural")
    relief = desk.ticket(category="social_security")
    desk.ticket(category="environment")
    c = desk.campaign.pk
    url = f"/open311/v2/requests.json?service_code={c}-urban_rural,{c}-social_security&status=open"
    found = {r["service_request_id"] for r in client.get(url).json()}
    assert {lamp.code, relief.code} <= found
    assert all(
        r["service_code"] in (f"{c}-urban_rural", f"{c}-social_security") for r in client.get(url).json()
    )
    assert client.get(url.replace("status=open", "status=closed")).json() == [] or all(
        r["status"] == "closed" for r in client.get(url.replace("status=open", "status=closed")).json()
    )


def test_a_residents_demand_from_a_card_shows_only_its_status_in_the_public_feed(client, db):
    """Filed from the QR page (now in the campaign running over its village, so in the feed):
    the office's reply to the resident, which often names them, is not published."""
    from tests.tickets.test_public import filing

    code = client.post("/t/", filing()).context["ticket"].code
    Ticket.objects.filter(code=code).update(
        reply="王大妈您好，路灯已于周三修复，电话已回访。", lat=26.1, long=111.6
    )
    feed = client.get(f"/open311/v2/requests.json?service_request_id={code}").json()
    assert [r["service_request_id"] for r in feed] == [code]
    assert "王大妈" not in str(feed) and feed[0]["lat"] is None and feed[0]["description"] == ""


def test_a_demand_in_no_category_has_the_campaigns_code_alone_and_that_code_finds_it(client, desk):
    loose = desk.ticket(category="")
    lamp = desk.ticket(category="urban_rural")
    c = desk.campaign.pk
    feed = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").json()}
    assert feed[loose.code]["service_code"] == str(c) and feed[loose.code]["service_name"] == ""
    # The name is the service's, as the service list gives it, not the category's key.
    assert feed[lamp.code]["service_code"] == f"{c}-urban_rural"
    assert feed[lamp.code]["service_name"] == "城乡建设"
    found = client.get(f"/open311/v2/requests.json?service_code={c}").json()
    assert loose.code in {r["service_request_id"] for r in found}
    assert all(r["service_code"] == str(c) for r in found)
    detail = client.get(f"/open311/v2/requests/{loose.code}.xml").content.decode()
    assert f"<service_code>{c}</service_code>" in detail
