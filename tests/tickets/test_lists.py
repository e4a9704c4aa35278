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


def test_a_section_handling_a_demand_is_named_with_its_body_on_the_list_and_the_detail(client_as, desk):
    """Sections of different bodies share names (办公室): the pages say 双牌县委办公室·办公室,
    as the Excel ledger does, with no query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minqing.org.models import Unit
    from minqing.tickets.models import Ticket

    section = Unit.objects.filter(kind=Unit.Kind.SECTION, name="办公室").select_related("parent").first()
    label = f"{section.parent.name}·办公室"
    office = client_as("office")
    office.get("/tickets/")  # the session and the scope are read once
    with CaptureQueriesContext(connection) as before:
        office.get("/tickets/")
    tickets = [desk.dispatched(title=f"路灯{n}") for n in range(3)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(unit=section)
    with CaptureQueriesContext(connection) as after:
        board = office.get("/tickets/").content.decode()
    assert board.count(f'<td data-label="承办单位">{label}') == 3
    assert len(after) == len(before)
    assert f"<dd>{label}" in office.get(f"/tickets/{tickets[0].pk}/").content.decode()
