"""A dashboard number equals the length of the list behind it, for every tile, at several scopes."""

import datetime as dt
from decimal import Decimal

import pytest

from minqing.fieldwork.models import Visit
from minqing.figures import selectors
from minqing.figures.periods import parse_period
from minqing.tickets.models import Ticket

from .conftest import OTHER_TOWNSHIP, TODAY, TOWNSHIP, sel_for

SCOPES = ["office", "township_office", "leader", "cadre", "village"]


@pytest.fixture
def viewer(request, actor, township_office):
    name = request.param
    return township_office if name == "township_office" else actor(name)


@pytest.mark.parametrize("viewer", SCOPES, indirect=True)
@pytest.mark.parametrize("period", ["2026", "2026Q3", "2026-10"])
def test_every_tile_equals_the_length_of_its_list(viewer, campaign, other_township, period):
    sel = sel_for(viewer, campaign, parse_period(period, today=TODAY))
    figures = selectors.figures(user=viewer, sel=sel)
    assert set(figures.values) == set(selectors.TILES)
    for key, tile in selectors.TILES.items():
        records = list(selectors.tile_records(user=viewer, sel=sel, key=key))
        if tile.kind == "yuan":
            field = tile.sum_field
            assert figures.values[key] == sum((getattr(r, field) for r in records), Decimal("0")), key
        else:
            assert figures.values[key] == len(records), key
        assert figures.values[key] == tile.value(viewer, sel), key


def test_figures_are_not_trivial_in_the_demo(actor, campaign, year):
    office = actor("office")
    values = selectors.figures(user=office, sel=sel_for(office, campaign, year)).values
    for key in ("visits", "demands", "demands_resolved", "deeds", "attendance_days", "hardship_households"):
        assert values[key] > 0, key
    assert values["deeds_value"] > 0


def test_a_township_office_sees_only_its_townships_numbers(
    actor, township_office, campaign, other_township, year
):
    county = selectors.figures(user=actor("office"), sel=sel_for(actor("office"), campaign, year)).values
    mine = selectors.figures(user=township_office, sel=sel_for(township_office, campaign, year)).values
    in_township = Visit.objects.filter(
        campaign=campaign, date__year=2026, region__code__startswith=TOWNSHIP[:9]
    ).count()
    assert mine["visits"] == in_township
    assert county["visits"] == in_township + 1  # the visit in the other township
    assert mine["hardship_households"] == county["hardship_households"] - 1
    tickets = Ticket.objects.filter(
        campaign=campaign, registered_at__year=2026, region__code__startswith=TOWNSHIP[:9]
    )
    assert mine["demands"] == tickets.exclude(status="merged").count()


def test_a_township_office_cannot_choose_another_township(township_office, campaign, other_township, year):
    from django.http import Http404

    with pytest.raises(Http404):
        sel_for(township_office, campaign, year, region=OTHER_TOWNSHIP)


def test_a_cadre_sees_only_their_own_records(actor, campaign, year):
    cadre = actor("cadre")
    values = selectors.figures(user=cadre, sel=sel_for(cadre, campaign, year)).values
    own = Visit.objects.filter(campaign=campaign, date__year=2026, cadre__account=cadre).count()
    assert values["visits"] == own


def test_breakdowns_add_up_and_drill_down_to_the_same_numbers(actor, campaign, other_township, year):
    office = actor("office")
    sel = sel_for(office, campaign, year)
    figures = selectors.figures(user=office, sel=sel)
    assert {g.key for g in figures.by_region} >= {TOWNSHIP, OTHER_TOWNSHIP}
    for key in selectors.BREAKDOWN_TILES:
        assert sum(g.values.get(key, 0) for g in figures.by_region) == figures.values[key], key
        assert sum(g.values.get(key, 0) for g in figures.by_cadre) <= figures.values[key], key
    # Each group's numbers are those of the dashboard drilled to the group.
    for group in figures.by_region + figures.by_unit[:3] + figures.by_team[:2] + figures.by_cadre[:3]:
        params = {k: v for k, v in group.params.items() if k in ("region", "unit", "team", "cadre")}
        drilled = sel_for(office, campaign, year, **params)
        values = selectors.figures(user=office, sel=drilled, breakdowns=False).values
        for key in ("visits", "deeds", "attendance_days"):
            assert values[key] == group.values.get(key, 0), (group.label, key)


def test_households_not_visited_follow_the_number_of_days(actor, campaign, year):
    office = actor("office")
    short = selectors.figures(user=office, sel=sel_for(office, campaign, year, idle_days=7)).values
    long = selectors.figures(user=office, sel=sel_for(office, campaign, year, idle_days=365)).values
    assert short["not_visited_households"] >= long["not_visited_households"]
    assert short["not_visited_households"] <= short["covered_households"]


def test_the_dashboard_costs_the_same_number_of_queries_at_any_period(actor, campaign):
    office = actor("office")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    selectors.figures(
        user=office, sel=sel_for(office, campaign, parse_period("2026-01", today=TODAY))
    )  # scope
    counts = []
    for period in ("2026-05", "2026"):
        sel = sel_for(office, campaign, parse_period(period, today=TODAY))
        with CaptureQueriesContext(connection) as queries:
            selectors.figures(user=office, sel=sel)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # Tiles other apps register (the cadres at risk of recall) bring their own fixed number of
    # queries; the dashboard's own part stays under 20.
    custom = [t for t in selectors.TILES.values() if not isinstance(t, selectors.SourceTile)]
    with CaptureQueriesContext(connection) as own:
        for tile in custom:
            tile.value(office, sel)
    assert counts[0] - len(own) < 20


def test_periods(campaign):
    from minqing.figures.periods import PeriodError

    assert parse_period("2026-10", today=TODAY).end == dt.date(2026, 10, 31)
    assert parse_period("2026Q4", today=TODAY).start == dt.date(2026, 10, 1)
    assert parse_period("2026-W47", today=TODAY).start == dt.date(2026, 11, 16)
    assert parse_period("", today=TODAY).code == "2026-11"
    custom = parse_period("2026-10-01..2026-10-15", today=TODAY)
    assert (custom.start, custom.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 15))
    for bad in ("2026-13", "last month", "2026-10-15..2026-10-01"):
        with pytest.raises(PeriodError):
            parse_period(bad, today=TODAY)


def test_a_visit_to_a_member_counts_for_the_paired_household(actor, campaign):
    """As in the visit rules: a cadre's visit to a member of the household paired with them visits
    that target (the number, its list and the targets not visited alike)."""
    from minqing.people.models import Member
    from minqing.programs.models import Pairing

    office = actor("office")
    sel = sel_for(office, campaign, parse_period("2026-10", today=TODAY))
    visited = selectors.tile_records(user=office, sel=sel, key="targets_visited")
    due = selectors.tile_records(user=office, sel=sel, key="targets_due")  # one pairing per target
    pairing = (
        Pairing.objects.filter(campaign=campaign, household__isnull=False, household__members__isnull=False)
        .active_on(sel.as_of)
        .filter(pk__in=due.values("pk"))
        .exclude(pk__in=visited.values("pk"))
        .select_related("household")
        .order_by("pk")
        .first()
    )
    member = Member.objects.filter(household=pairing.household).order_by("pk").first()
    before = selectors.figures(user=office, sel=sel, breakdowns=False).values
    Visit.objects.create(
        campaign=campaign,
        cadre_id=pairing.cadre_id,
        date=dt.date(2026, 10, 15),
        form="home_visit",
        member=member,
        region=pairing.household.region,
    )
    after = selectors.figures(user=office, sel=sel, breakdowns=False).values
    assert after["targets_visited"] == before["targets_visited"] + 1
    assert after["targets_not_visited"] == before["targets_not_visited"] - 1
    visited = list(selectors.tile_records(user=office, sel=sel, key="targets_visited"))
    assert pairing in visited
    assert after["targets_visited"] == len(visited)
    not_visited = list(selectors.tile_records(user=office, sel=sel, key="targets_not_visited"))
    assert pairing not in not_visited
    assert after["targets_not_visited"] == len(not_visited)


@pytest.mark.parametrize("kind", ["household", "member", "point"])
def test_a_target_is_visited_only_by_its_cadre_in_the_campaign_and_period(actor, campaign, kind):
    """For each kind of target: a visit by another cadre, in another campaign or the day after the
    period leaves the pairing not visited; its own cadre's visit in the period visits it."""
    from minqing.org.models import Cadre
    from minqing.people.models import Household
    from minqing.programs.models import Campaign, LiaisonPoint, Pairing

    office = actor("office")
    sel = sel_for(office, campaign, parse_period("2026-10", today=TODAY))
    household = Household.objects.filter(region__code__startswith="431123").order_by("pk").first()
    cadre, other = Cadre.objects.order_by("pk")[:2]
    if kind == "household":
        target = {"household": household}
    elif kind == "member":
        target = {"member": household.members.order_by("pk").first()}
    else:
        target = {
            "point": LiaisonPoint.objects.create(name="测试点", kind="village", region=household.region)
        }
    pairing = Pairing.objects.create(
        campaign=campaign,
        cadre=cadre,
        kind="test",
        region=household.region,
        start=dt.date(2026, 1, 1),
        **target,
    )
    other_campaign = Campaign.objects.exclude(pk=campaign.pk).order_by("pk").first()

    def visit(**kw):
        fields = {"campaign": campaign, "cadre": cadre, "date": dt.date(2026, 10, 31), **kw}
        Visit.objects.create(form="home_visit", region=household.region, **target, **fields)

    def state():
        visited = selectors.tile_records(user=office, sel=sel, key="targets_visited")
        not_visited = selectors.tile_records(user=office, sel=sel, key="targets_not_visited")
        values = selectors.figures(user=office, sel=sel, breakdowns=False).values
        assert values["targets_visited"] == visited.count()
        assert values["targets_not_visited"] == not_visited.count()
        assert visited.filter(pk=pairing.pk).exists() != not_visited.filter(pk=pairing.pk).exists()
        return visited.filter(pk=pairing.pk).exists()

    assert state() is False
    visit(cadre=other)
    visit(campaign=other_campaign)
    visit(date=dt.date(2026, 11, 1))
    visit(date=dt.date(2026, 9, 30))
    assert state() is False
    visit()
    assert state() is True
