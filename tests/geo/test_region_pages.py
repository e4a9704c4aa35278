"""A region's page: its breadcrumb names every region above it, and links only those the
viewer may open (a county office's city is named, not linked: its page is a 404)."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.geo.models import Region


def _breadcrumb(html: str) -> str:
    return html.split('aria-label="breadcrumb"')[1].split("</nav>")[0]


def test_a_county_office_sees_its_city_named_not_linked(client_as, db):
    county = Region.objects.get(code="431123000000")
    client = client_as("office")
    crumbs = _breadcrumb(client.get(f"/geo/regions/{county.code}/").content.decode())
    city, province = county.parent, county.parent.parent
    assert city.name in crumbs and province.name in crumbs
    assert f"/geo/regions/{city.code}/" not in crumbs and f"/geo/regions/{province.code}/" not in crumbs
    # Every link the breadcrumb shows opens.
    for code in set(re.findall(r'href="/geo/regions/(\d+)/"', crumbs)):
        assert client.get(f"/geo/regions/{code}/").status_code == 200


def test_a_group_links_its_village_township_and_county_within_the_area(client_as, db):
    group = (
        Region.objects.filter(code__startswith="431123", level=Region.Level.GROUP).order_by("code").first()
    )
    crumbs = _breadcrumb(client_as("office").get(f"/geo/regions/{group.code}/").content.decode())
    village = group.parent
    township = village.parent
    for inside in (village, township, township.parent):
        assert f'href="/geo/regions/{inside.code}/">{inside.name}</a>' in crumbs
    assert f"/geo/regions/{township.parent.parent.code}/" not in crumbs
    assert crumbs.index(township.parent.name) < crumbs.index(township.name) < crumbs.index(village.name)


def test_the_breadcrumb_takes_as_many_queries_for_a_group_as_for_a_county(client_as, db):
    client = client_as("office")
    group = (
        Region.objects.filter(code__startswith="431123", level=Region.Level.GROUP).order_by("code").first()
    )
    counts = []
    for code in ("431123000000", group.code):
        client.get(f"/geo/regions/{code}/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/geo/regions/{code}/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
