"""The demand tables: the code column is headed as a demand's number (not a region code),
and a demand of a villagers' group names its village with it (柏利村五组, not 五组)."""

import re

from minqing.geo.models import Region


def _group():
    return (
        Region.objects.filter(code__startswith="431123", level=Region.Level.GROUP)
        .select_related("parent")
        .first()
    )


def test_the_code_column_is_not_headed_region_code(client_as, desk):
    desk.ticket()
    for url in ("/tickets/", "/tickets/mine/"):
        page = client_as("office").get(url).content.decode()
        assert "<th>区划代码</th>" not in page and "区划代码" not in page, url
        english = client_as("office").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert re.search(r"<thead><tr><th>Code</th>", english), url


def test_a_groups_demand_names_its_village_too(client_as, desk):
    group = _group()
    ticket = desk.ticket(region=group)
    name = f"{group.parent.name}{group.name}"
    board = client_as("office").get("/tickets/").content.decode()
    assert f'<td data-label="区域">{name}</td>' in board or f">{name}</td>" in board
    assert name in client_as("office").get(f"/tickets/{ticket.pk}/").content.decode()


def test_a_villages_demand_is_named_by_the_village(client_as, desk):
    desk.ticket()
    board = client_as("office").get("/tickets/").content.decode()
    assert f">{desk.village.name}</td>" in board
