"""The dashboard's heading names the area its figures cover: the campaign's region for a viewer
who reads all of it, the township for a township office reading the county's campaign, the
cadre's own records for a cadre who sees only those."""

import re

from django.test import Client

from minqing.geo.models import Region
from minqing.org.models import Cadre

from .conftest import TOWNSHIP


def _area(response) -> str:
    assert response.status_code == 200
    return re.search(r'id="where-area">([^<]*)<', response.content.decode())[1]


def test_a_county_office_reads_the_county(client_as, campaign):
    response = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/?period=2026-11")
    assert _area(response) == "双牌县"


def test_a_township_office_reads_its_township_not_the_county(township_office, campaign):
    client = Client()
    client.force_login(township_office)
    township = Region.objects.get(code=TOWNSHIP).name
    assert _area(client.get(f"/campaigns/{campaign.pk}/dashboard/?period=2026-11")) == township
    # The lists behind the numbers say the same; a village chosen follows the township.
    listing = client.get(f"/campaigns/{campaign.pk}/dashboard/figures/visits/?period=2026-11")
    assert _area(listing) == township


def test_a_cadre_reads_their_own_records(client_as, campaign):
    cadre = Cadre.objects.select_related("account").get(account__username="cadre")
    response = client_as("cadre").get(
        f"/campaigns/{campaign.pk}/dashboard/?period=2026-11", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert _area(response) == f"own records of {cadre.account.full_name}"


def test_a_village_branch_reads_its_village(client_as, campaign):
    from minqing.org.models import Account

    (village,) = [r for g in Account.objects.get(username="village").grants.all() for r in g.regions.all()]
    assert village.code.startswith(campaign.region.prefix) and village.code != campaign.region.code
    response = client_as("village").get(f"/campaigns/{campaign.pk}/dashboard/?period=2026-11")
    assert _area(response) == village.name
