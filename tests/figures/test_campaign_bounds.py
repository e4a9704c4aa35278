"""Figures bounded by the campaign and the period (days at the points, targets due), by the
viewer's area (breakdown rows), and tables that add up (found by a new-user tester)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from minqing.fieldwork.models import AttendanceDay, Visit
from minqing.figures import selectors
from minqing.figures.periods import parse_period
from minqing.org.models import Account, Cadre
from minqing.people.models import Household
from minqing.programs.models import Campaign, LiaisonPoint, Pairing

from .conftest import OTHER_TOWNSHIP, TODAY, TOWNSHIP, sel_for

NOVEMBER = "2026-11"


@pytest.fixture
def new_campaign(campaign):
    """A campaign of the county started this month, with nothing recorded in it yet."""
    return Campaign.objects.create(
        name="新活动",
        program_key="test_new",
        program_name="测试",
        region=campaign.region,
        start=dt.date(2026, 11, 1),
        config=campaign.config,
    )


def _month(code=NOVEMBER):
    return parse_period(code, today=TODAY)


def _confirmed(cadre, point, day):
    return AttendanceDay.objects.create(
        cadre=cadre, point=point, date=day, status=AttendanceDay.Status.CONFIRMED
    )


def test_a_new_campaign_counts_none_of_the_days_other_campaigns_took_cadres_to_the_points(
    actor, campaign, new_campaign
):
    office = actor("office")
    old = selectors.figures(user=office, sel=sel_for(office, campaign, _month()))
    assert old.values["attendance_days"] > 0  # the demo's campaign has days this month
    figures = selectors.figures(user=office, sel=sel_for(office, new_campaign, _month()))
    assert figures.values["attendance_days"] == 0
    for group in figures.by_region + figures.by_unit + figures.by_team + figures.by_cadre:
        assert not group.values.get("attendance_days"), group.label
    # Nobody is ranked for days the campaign did not count (nor for anything else: nothing is in it).
    assert figures.top_cadres(n=20) == []
    assert (
        list(
            selectors.tile_records(
                user=office, sel=sel_for(office, new_campaign, _month()), key="attendance_days"
            )
        )
        == []
    )


def test_a_day_counts_for_the_campaign_whose_pairing_took_the_cadre_to_the_point_in_the_period(
    actor, new_campaign
):
    office = actor("office")
    household = Household.objects.filter(region__code__startswith=TOWNSHIP[:9]).order_by("pk").first()
    village = household.region.code[:12]
    at_village = LiaisonPoint.objects.create(name="测试村部", kind="village", region_id=village)
    elsewhere = LiaisonPoint.objects.create(name="别处", kind="enterprise", region=new_campaign.region)
    stationed = LiaisonPoint.objects.create(name="驻点", kind="enterprise", region=new_campaign.region)
    cadre, other = Cadre.objects.order_by("pk")[:2]
    # Only the days made here: the demo's may lie in the paired household's village too.
    AttendanceDay.objects.filter(cadre__in=(cadre, other)).delete()
    common = {"campaign": new_campaign, "kind": "bangfu", "start": dt.date(2026, 11, 10)}
    Pairing.objects.create(cadre=cadre, household=household, region=household.region, **common)
    Pairing.objects.create(cadre=cadre, point=stationed, region=stationed.region, **common)
    counted = [
        _confirmed(cadre, at_village, dt.date(2026, 11, 12)),  # the paired household's village
        _confirmed(cadre, stationed, dt.date(2026, 11, 13)),  # the paired point
    ]
    _confirmed(cadre, at_village, dt.date(2026, 11, 5))  # before the pairing began
    _confirmed(cadre, elsewhere, dt.date(2026, 11, 12))  # a point the campaign has no work at
    _confirmed(other, stationed, dt.date(2026, 11, 13))  # a cadre not paired there
    _confirmed(cadre, stationed, dt.date(2026, 12, 1))  # after the period
    AttendanceDay.objects.create(cadre=cadre, point=stationed, date=dt.date(2026, 11, 14))  # not confirmed
    sel = sel_for(office, new_campaign, _month())
    figures = selectors.figures(user=office, sel=sel)
    assert figures.values["attendance_days"] == 2
    records = list(selectors.tile_records(user=office, sel=sel, key="attendance_days"))
    assert sorted(r.pk for r in records) == sorted(d.pk for d in counted)
    assert {g.key: g.values.get("attendance_days") for g in figures.by_cadre} == {cadre.pk: 2}
    # The chosen period holds: December counts its own day only, October none.
    assert (
        selectors.figures(user=office, sel=sel_for(office, new_campaign, _month("2026-12"))).values[
            "attendance_days"
        ]
        == 1
    )
    assert (
        selectors.figures(user=office, sel=sel_for(office, new_campaign, _month("2026-10"))).values[
            "attendance_days"
        ]
        == 0
    )


def test_a_day_at_a_teams_point_counts_for_its_leader_and_members(actor, new_campaign):
    from minqing.programs.models import Team

    office = actor("office")
    point = LiaisonPoint.objects.create(name="队点", kind="enterprise", region=new_campaign.region)
    leader, member, outsider = Cadre.objects.order_by("pk")[:3]
    team = Team.objects.create(campaign=new_campaign, name="工作队", leader=leader)
    team.members.add(member)
    team.points.add(point)
    for cadre in (leader, member, outsider):
        _confirmed(cadre, point, dt.date(2026, 11, 6))
    values = selectors.figures(user=office, sel=sel_for(office, new_campaign, _month())).values
    assert values["attendance_days"] == 2


def _hand_over(pairing, successor, day):
    """What a handover does to a pairing: it ends the day before, the successor's begins that day."""
    new = Pairing.objects.create(
        campaign=pairing.campaign,
        cadre=successor,
        kind=pairing.kind,
        slot=pairing.slot,
        household=pairing.household,
        member=pairing.member,
        point=pairing.point,
        region=pairing.region,
        start=day,
        end=pairing.end,
        handed_over_from=pairing,
    )
    pairing.end = day - dt.timedelta(days=1)
    pairing.save(update_fields=["end"])
    return new


def _shared_households(campaign):
    """Households paired more than once in the campaign (two kinds at once): counted once already."""
    from django.db.models import Count

    return (
        Pairing.objects.filter(campaign=campaign, household__isnull=False)
        .values("household_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("household_id")
    )


def _due_and_visited(user, sel):
    values = selectors.figures(user=user, sel=sel, breakdowns=False).values
    return values["targets_due"], values["targets_visited"], values["targets_not_visited"]


def test_a_handover_leaves_the_targets_due_as_they_were_and_lists_each_target_once(actor, campaign):
    office = actor("office")
    sel = sel_for(office, campaign, _month())
    pairing = (
        Pairing.objects.filter(
            campaign=campaign, household__isnull=False, end__isnull=True, start__lt=sel.period.start
        )
        .exclude(household_id__in=_shared_households(campaign))
        .order_by("pk")
        .first()
    )
    successor = Cadre.objects.exclude(pk=pairing.cadre_id).order_by("pk").first()
    before = _due_and_visited(office, sel)
    new = _hand_over(pairing, successor, dt.date(2026, 11, 10))
    after = _due_and_visited(office, sel)
    assert after[0] == before[0]
    listed = list(selectors.tile_records(user=office, sel=sel, key="targets_due"))
    assert len(listed) == after[0]
    mine = [p for p in listed if p.household_id == pairing.household_id]
    assert [p.pk for p in mine] == [new.pk]  # the one held at the period's end lists it
    # Each target once in the list, as in the number.
    targets = [(p.household_id, p.member_id, p.point_id) for p in listed]
    assert len(targets) == len(set(targets))
    # The month before the handover: the predecessor's pairing alone.
    october = sel_for(office, campaign, _month("2026-10"))
    assert pairing.pk in {p.pk for p in selectors.tile_records(user=office, sel=october, key="targets_due")}
    assert new.pk not in {p.pk for p in selectors.tile_records(user=office, sel=october, key="targets_due")}


def test_a_visit_by_the_cadre_before_the_handover_visits_the_target(actor, campaign):
    office = actor("office")
    sel = sel_for(office, campaign, _month())
    visited = selectors.tile_records(user=office, sel=sel, key="targets_visited")
    pairing = (
        Pairing.objects.filter(
            campaign=campaign, household__isnull=False, end__isnull=True, start__lt=sel.period.start
        )
        .exclude(household_id__in=_shared_households(campaign))
        .exclude(pk__in=visited.values("pk"))
        .exclude(household_id__in=Visit.objects.filter(date__gte=sel.period.start).values("household_id"))
        .order_by("pk")
        .first()
    )
    successor = Cadre.objects.exclude(pk=pairing.cadre_id).order_by("pk").first()
    before = _due_and_visited(office, sel)
    new = _hand_over(pairing, successor, dt.date(2026, 11, 10))
    Visit.objects.create(
        campaign=campaign,
        cadre_id=pairing.cadre_id,
        date=dt.date(2026, 11, 3),
        form="home_visit",
        household=pairing.household,
        region=pairing.household.region,
    )
    due, visited_now, not_visited = _due_and_visited(office, sel)
    assert (due, visited_now, not_visited) == (before[0], before[1] + 1, before[2] - 1)
    assert new.pk in {p.pk for p in selectors.tile_records(user=office, sel=sel, key="targets_visited")}
    assert new.pk not in {
        p.pk for p in selectors.tile_records(user=office, sel=sel, key="targets_not_visited")
    }


def test_two_kinds_pairing_one_household_at_once_count_it_once(actor, campaign):
    office = actor("office")
    sel = sel_for(office, campaign, _month())
    pairing = (
        Pairing.objects.filter(campaign=campaign, household__isnull=False, end__isnull=True)
        .order_by("pk")
        .first()
    )
    other = Cadre.objects.exclude(pk=pairing.cadre_id).order_by("pk").first()
    before = _due_and_visited(office, sel)[0]
    Pairing.objects.create(
        campaign=campaign,
        cadre=other,
        kind="baocun",
        household=pairing.household,
        region=pairing.region,
        start=dt.date(2026, 11, 2),
    )
    assert _due_and_visited(office, sel)[0] == before


@pytest.fixture
def county_unit_cadre_in_township(campaign):
    """A cadre of a county bureau with a visit in 江村乡 (the township office sees that work)."""
    from minqing.org.models import Unit

    bureau = Unit.objects.filter(parent__isnull=True, region_id=campaign.region_id).order_by("pk").first()
    cadre = Cadre.objects.filter(unit=bureau).order_by("pk").first()
    household = Household.objects.filter(region__code__startswith=TOWNSHIP[:9]).order_by("pk").first()
    Visit.objects.create(
        campaign=campaign,
        cadre=cadre,
        date=dt.date(2026, 11, 4),
        form="home_visit",
        household=household,
        region=household.region,
    )
    return cadre


def test_a_township_office_sees_no_row_of_another_township_and_no_dead_link(
    township_office, campaign, other_township, county_unit_cadre_in_township
):
    from minqing.core.scope import scoped
    from minqing.org.models import Unit

    sel = sel_for(township_office, campaign, _month())
    figures = selectors.figures(user=township_office, sel=sel)
    assert [g.key for g in figures.by_region] == [TOWNSHIP]
    # The county bureau working in the township has its row, with that work only, not linked
    # (its selection is outside the township office's scope).
    seen_units = set(scoped(Unit, township_office, "org.view").values_list("pk", flat=True))
    bureau = next(g for g in figures.by_unit if g.key == county_unit_cadre_in_township.unit_id)
    assert bureau.values.get("visits", 0) >= 1
    for group in figures.by_unit:
        assert group.linked == (group.key in seen_units), group.label
    client = Client()
    client.force_login(township_office)
    page = client.get(f"/campaigns/{campaign.pk}/dashboard/?period={NOVEMBER}").content.decode()
    assert "测试镇" not in page
    assert not re.search(rf"unit={bureau.key}(?!\d)", page)
    assert not re.search(rf"cadre={county_unit_cadre_in_township.pk}(?!\d)", page)


def test_the_county_office_still_sees_every_township(actor, campaign, other_township):
    office = actor("office")
    figures = selectors.figures(user=office, sel=sel_for(office, campaign, parse_period("2026", today=TODAY)))
    assert {TOWNSHIP, OTHER_TOWNSHIP} <= {g.key for g in figures.by_region}


def test_the_demands_by_unit_add_up_with_a_row_for_those_not_assigned(actor, campaign):
    from minqing.tickets.services import ticket_create

    office = actor("office")
    household = Household.objects.filter(region__code__startswith=TOWNSHIP[:9]).order_by("pk").first()
    ticket_create(
        actor=office, title="路灯坏了", description="村口路灯坏了", region=household.region, campaign=campaign
    )
    today = timezone.localdate()
    sel = selectors.selection_for(
        user=office, campaign=campaign, period=parse_period(str(today.year), today=today), today=today
    )
    with translation.override("en"):
        figures = selectors.figures(user=office, sel=sel)
    assert sum(g.values.get("demands", 0) for g in figures.by_unit) == figures.values["demands"]
    unassigned = [g for g in figures.by_unit if g.key == "unassigned"]
    assert len(unassigned) == 1 and unassigned[0].values["demands"] >= 1
    assert unassigned[0].label == "Not assigned to a unit" and not unassigned[0].linked
    client = Client()
    client.force_login(office)
    page = client.get(
        f"/campaigns/{campaign.pk}/dashboard/?period={today.year}", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<td data-label="Unit">Not assigned to a unit</td>' in page


def test_the_lists_name_kinds_and_targets_as_the_pairings_page_does(client_as, campaign):
    client = client_as("office")
    kinds = {k["key"]: k["name"] for k in campaign.config["pairing_kinds"]}
    response = client.get(f"/campaigns/{campaign.pk}/dashboard/figures/targets_due/?period={NOVEMBER}")
    html = response.content.decode()
    rows = response.context["page"].object_list
    assert rows
    for pairing in rows:
        assert f">{kinds.get(pairing.kind, pairing.kind)}<" in html
        if pairing.household_id and pairing.household.head_id:
            assert f">{pairing.household.head.name}</a>" in html
    assert not any(f">{key}<" in html for key in kinds if key not in kinds.values())
    visits = client.get(f"/campaigns/{campaign.pk}/dashboard/figures/visits/?period={NOVEMBER}")
    shown = visits.content.decode()
    with_head = [v for v in visits.context["page"].object_list if v.household_id and v.household.head_id]
    assert with_head
    for visit in with_head:
        assert f">{visit.household.head.name}</a>" in shown
        assert f">{visit.household.code}<" not in shown


def test_a_target_outside_the_viewers_people_scope_is_not_named(actor, campaign):
    from minqing.core.scope import scoped

    cadre = actor("cadre")
    sel = sel_for(cadre, campaign, _month())
    records = selectors.mark_targets(
        cadre, selectors.tile_records(user=cadre, sel=sel, key="targets_due")[:50]
    )
    visible = set(scoped(Household, cadre, "people.view").values_list("pk", flat=True))
    for record in records:
        if record.household_id:
            assert record.target_unseen == (record.household_id not in visible)


def test_a_township_office_reading_the_county_campaign_finds_no_link_that_is_refused(
    township_office, campaign, county_unit_cadre_in_township
):
    """A campaign read for part of its area (DOMAIN §3: an office sees everything in its region)
    opens read only: its overview, dashboard, compliance, pairings and teams, each saying so,
    with no form to change it; every link into the campaign opens; its changes stay refused."""
    client = Client()
    client.force_login(township_office)
    pages = [
        f"/campaigns/{campaign.pk}/",
        f"/campaigns/{campaign.pk}/dashboard/",
        f"/campaigns/{campaign.pk}/dashboard/figures/visits/",
        f"/campaigns/{campaign.pk}/compliance/",
        f"/campaigns/{campaign.pk}/pairings/",
        f"/campaigns/{campaign.pk}/teams/",
        f"/campaigns/{campaign.pk}/unit-pairings/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert 'id="area-only"' in page, path
        posting = [
            form
            for form in re.findall(r"<form\b[^>]*>", page)
            if 'method="post"' in form.lower() and "/logout/" not in form and "/i18n/" not in form
        ]
        assert not posting, (path, posting)
        links = {
            link
            for link in re.findall(r'href="(/[^"#]*)', page)
            if not link.startswith(("/static/", "/logout", "/i18n/"))
        }
        assert any(link.startswith(f"/campaigns/{campaign.pk}/") for link in links), path
        for link in sorted(links):
            if link.startswith(f"/campaigns/{campaign.pk}/"):
                assert client.get(link.replace("&amp;", "&")).status_code == 200, (path, link)
    # Its compliance lists the county bureau's cadre at work in the township.
    compliance = client.get(f"/campaigns/{campaign.pk}/compliance/?cadre={county_unit_cadre_in_township.pk}")
    assert county_unit_cadre_in_township.account.full_name in compliance.content.decode()
    # Nothing of it can be changed from here.
    assert client.get(f"/campaigns/{campaign.pk}/edit/").status_code == 404
    assert client.post(f"/campaigns/{campaign.pk}/pairings/new/", {}).status_code == 404
    assert client.post(f"/campaigns/{campaign.pk}/teams/", {"name": "x"}).status_code == 403
    # The county office keeps every tab and its forms.
    office = Client()
    office.force_login(Account.objects.get(username="office"))
    page = office.get(f"/campaigns/{campaign.pk}/dashboard/").content.decode()
    assert 'id="area-only"' not in page and f'href="/campaigns/{campaign.pk}/compliance/"' in page
    assert f'href="/campaigns/{campaign.pk}/ledgers/"' in page


def test_the_api_and_the_campaign_list_give_the_county_campaign_to_the_township_read_only(
    township_office, campaign, county_unit_cadre_in_township, other_township
):
    from minqing.org.services import token_create
    from minqing.programs.models import Pairing
    from minqing.programs.selectors import campaign_cadres
    from minqing.programs.services import pairing_create

    # A cadre who works only in the other township.
    away = campaign_cadres(campaign).exclude(pk__in=Pairing.objects.values("cadre_id")).first()
    pairing_create(
        actor=Account.objects.get(username="office"),
        campaign=campaign,
        cadre=away,
        kind=campaign.config["pairing_kinds"][0]["key"],
        target=Household.objects.get(code="T-0001"),
        start=campaign.start,
    )

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=township_office)}"}
    client = Client()
    listed = client.get("/api/v1/campaigns", **auth).json()["items"]
    county = next(item for item in listed if item["id"] == campaign.pk)
    assert county["area"] == [TOWNSHIP[:9]]
    assert client.get(f"/api/v1/campaigns/{campaign.pk}", **auth).json()["area"] == [TOWNSHIP[:9]]
    pairings = client.get(f"/api/v1/campaigns/{campaign.pk}/pairings?size=200", **auth).json()
    here = Pairing.objects.filter(campaign=campaign, region__code__startswith=TOWNSHIP[:9])
    assert pairings["count"] == here.count() > 0
    compliance = client.get(f"/api/v1/campaigns/{campaign.pk}/compliance", **auth).json()
    cadres = {v["cadre_id"] for v in compliance["verdicts"] if v.get("cadre_id")}
    assert set(here.values_list("cadre_id", flat=True)) <= cadres
    elsewhere = set(
        Pairing.objects.filter(campaign=campaign)
        .exclude(cadre_id__in=here.values("cadre_id"))
        .values_list("cadre_id", flat=True)
    )
    assert elsewhere and not (cadres & elsewhere)
    # Changes stay refused.
    assert (
        client.put(
            f"/api/v1/campaigns/{campaign.pk}/units",
            data={"units": [], "reason": "x"},
            content_type="application/json",
            **auth,
        ).status_code
        == 404
    )
    # The county office reads the whole campaign.
    office = {
        "HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=Account.objects.get(username='office'))}"
    }
    assert client.get(f"/api/v1/campaigns/{campaign.pk}", **office).json()["area"] == []
    # The page of campaigns lists it, marked.
    client.force_login(township_office)
    page = client.get("/campaigns/").content.decode()
    assert campaign.name in page and "（您辖区内的部分，只读）" in page


def test_the_dashboard_offers_the_usual_periods_in_words(client_as, campaign):
    today = timezone.localdate()
    page = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/").content.decode()
    choices = re.search(r'<p class="tabs" id="period-choices">(.*?)</p>', page).group(1)
    assert f'href="?period={today:%Y-%m}" aria-current="page">本月</a>' in choices
    assert "上月" in choices and "本季度" in choices and "本年" in choices and "活动开始至今" in choices
    so_far = re.search(r'href="\?period=([^"]+)">活动开始至今', choices).group(1)
    page = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/?period={so_far}")
    assert page.status_code == 200 and 'aria-current="page">活动开始至今' in page.content.decode()


def test_the_campaign_list_gives_the_dashboards_targets_counting_a_target_paired_twice_once(
    client_as, campaign
):
    """The campaigns page once counted pairing rows (768) where the dashboard counts targets
    (763): both now give the dashboard's "Targets due a visit" of the month the list names."""
    from django.db.models import Q

    today = timezone.localdate()
    client = client_as("office")
    period = selectors.default_month(campaign, today)
    pairing = (
        Pairing.objects.filter(campaign=campaign, household__isnull=False, end__isnull=True)
        .order_by("pk")
        .first()
    )
    other = Cadre.objects.exclude(pk=pairing.cadre_id).order_by("pk").first()
    Pairing.objects.create(
        campaign=campaign,
        cadre=other,
        kind="baocun",
        household=pairing.household,
        region=pairing.region,
        start=max(campaign.start, period.start),
    )
    listed = {c.pk: c.targets for c in client.get("/campaigns/").context["campaigns"]}[campaign.pk]
    assert listed.period == period
    dashboard = client.get(f"/campaigns/{campaign.pk}/dashboard/?period={period.code}")
    due = dashboard.context["figures"].values["targets_due"]
    rows = (
        Pairing.objects.filter(campaign=campaign, start__lte=period.end)
        .filter(Q(end__isnull=True) | Q(end__gte=period.start))
        .count()
    )
    assert listed.count == due and due < rows
    # The number leads to the dashboard's list of those targets, as long as it says.
    html = client.get("/campaigns/").content.decode()
    link = f'/campaigns/{campaign.pk}/dashboard/figures/targets_due/?period={period.code}">{due}</a>'
    assert link in html
    listing = client.get(f"/campaigns/{campaign.pk}/dashboard/figures/targets_due/?period={period.code}")
    assert listing.context["page"].paginator.count == due


def test_an_ended_campaigns_line_gives_its_last_month(actor, campaign):
    ended = Campaign.objects.create(
        name="已结束活动",
        program_key="test_ended",
        program_name="测试",
        region=campaign.region,
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 6, 15),
        config=campaign.config,
    )
    household = Household.objects.filter(region__code__startswith=TOWNSHIP[:9]).order_by("pk").first()
    cadres = list(Cadre.objects.order_by("pk")[:2])
    for cadre, kind in zip(cadres, ("bangfu", "baocun"), strict=True):
        Pairing.objects.create(
            campaign=ended,
            cadre=cadre,
            kind=kind,
            household=household,
            region=household.region,
            start=ended.start,
        )
    found = selectors.targets_due_by_campaign(user=actor("office"), campaigns=[ended, campaign], today=TODAY)
    assert found[ended.pk].period.code == "2026-06" and found[ended.pk].count == 1
    assert found[campaign.pk].period.code == NOVEMBER


def test_the_campaign_list_costs_the_same_queries_however_many_campaigns(client_as, campaign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("office")
    client.get("/campaigns/")  # the session and the scope, once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/campaigns/").status_code == 200
        return len(captured)

    before = queries()
    for n in range(3):
        Campaign.objects.create(
            name=f"又一活动{n}",
            program_key=f"test_more{n}",
            program_name="测试",
            region=campaign.region,
            start=dt.date(2026, 1 + n, 1),
            config=campaign.config,
        )
    assert queries() == before


def _choices(client, campaign):
    page = client.get(f"/campaigns/{campaign.pk}/dashboard/").content.decode()
    return re.findall(
        r'<a href="\?period=([^"&]+)[^"]*"( aria-current="page")?>([^<]+)</a>',
        re.search(r'<p class="tabs" id="period-choices">(.*?)</p>', page).group(1),
    )


def test_the_period_shortcuts_of_an_ended_campaign_are_its_last_month_and_quarter_and_the_whole(
    client_as, campaign
):
    """Ended on 15 September 2025: this month, last month, this quarter and this year hold
    none of its days and are not offered; it opens on its last month."""
    ended = Campaign.objects.create(
        name="旧活动",
        program_key="test_old",
        program_name="测试",
        region=campaign.region,
        start=dt.date(2025, 3, 1),
        end=dt.date(2025, 9, 15),
        config=campaign.config,
    )
    choices = _choices(client_as("office"), ended)
    assert [(code, chosen) for code, chosen, _label in choices] == [
        ("2025-09", ' aria-current="page"'),
        ("2025Q3", ""),
        ("2025-03-01..2025-09-15", ""),
    ]
    labels = [label for *_, label in choices]
    assert (labels[0], labels[2]) == ("2025年9月", "整个活动")


def test_the_period_shortcuts_of_a_campaign_not_begun_are_its_first_month(client_as, campaign):
    today = timezone.localdate()
    start = dt.date(today.year + 1, 6, 1)
    later = Campaign.objects.create(
        name="新活动",
        program_key="test_new",
        program_name="测试",
        region=campaign.region,
        start=start,
        config=campaign.config,
    )
    choices = _choices(client_as("office"), later)
    assert [(code, chosen, label) for code, chosen, label in choices] == [
        (f"{start:%Y-%m}", ' aria-current="page"', f"{start.year}年6月")
    ]


def test_a_running_campaign_offers_no_shortcut_to_a_month_before_it_began(client_as, campaign):
    today = timezone.localdate()
    new = Campaign.objects.create(
        name="本月活动",
        program_key="test_now",
        program_name="测试",
        region=campaign.region,
        start=today.replace(day=1),
        config=campaign.config,
    )
    labels = [label for *_, label in _choices(client_as("office"), new)]
    assert "本月" in labels and "上月" not in labels and "活动开始至今" in labels
