"""The county's campaign read for part of its area (a township office, a village branch): what
they see of it, what stays out of sight, and that nothing of it can be changed from there
(found by a cold review)."""

import datetime as dt
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minqing.core.roles import Role
from minqing.core.scope import forget_scope
from minqing.geo.models import Region
from minqing.org.models import Account, Cadre, Grant
from minqing.org.services import token_create
from minqing.people.models import Household
from minqing.programs import selectors
from minqing.programs.models import Campaign, LiaisonPoint, Pairing, Team

from .conftest import TOWNSHIP


def _bureau_cadre_paired_in_township(campaign):
    """A county bureau's cadre paired with a household of 江村乡 (the township office reads
    their verdicts through area_work, not through its own scope)."""
    visible = set(
        Cadre.objects.filter(unit__region__code__startswith=TOWNSHIP[:9]).values_list("pk", flat=True)
    )
    here = Pairing.objects.filter(campaign=campaign, region__code__startswith=TOWNSHIP[:9])
    outside = [pk for pk in here.values_list("cadre_id", flat=True) if pk not in visible]
    assert outside, "the demo has county cadres paired in the township"
    return outside


def test_a_township_office_that_is_also_a_paired_cadre_keeps_its_area_view(township_office, campaign):
    """office_jiangcun reads the county campaign for its township and its compliance lists the
    county bureau's cadres at work there. The same account, also a cadre paired in the county
    campaign (a township official taking part: the common case), still reads it for its area —
    the campaign is not 'whole' through the cadre's own records — and is offered no form."""
    as_office = selectors.compliance(user=township_office, campaign=campaign, as_of=dt.date(2026, 11, 20))
    cadres_as_office = {v.subject_id for v in as_office.verdicts if v.subject_type == "cadre"}
    outside = _bureau_cadre_paired_in_township(campaign)
    assert set(outside) <= cadres_as_office

    # The same account, also a cadre of a township unit, paired in the county campaign.
    unit = Cadre.objects.filter(unit__region__code__startswith=TOWNSHIP[:9]).first().unit
    me = Cadre.objects.create(account=township_office, unit=unit)
    Grant.objects.create(account=township_office, role=Role.CADRE, own_records=True)
    household = Household.objects.filter(region__code__startswith=TOWNSHIP[:9]).order_by("pk").first()
    Pairing.objects.create(
        campaign=campaign,
        cadre=me,
        kind=campaign.config["pairing_kinds"][0]["key"],
        household=household,
        region=household.region,
        start=campaign.start,
    )
    account = Account.objects.get(pk=township_office.pk)
    forget_scope(account)

    fresh = Campaign.objects.select_related("region").get(pk=campaign.pk)
    area = selectors.campaign_area(user=account, campaign=fresh)
    report = selectors.compliance(user=account, campaign=fresh, as_of=dt.date(2026, 11, 20))
    cadres_now = {v.subject_id for v in report.verdicts if v.subject_type == "cadre"}
    lost = set(outside) - cadres_now

    client = Client()
    client.force_login(account)
    page = client.get(f"/campaigns/{campaign.pk}/pairings/").content.decode()
    posting = [f for f in re.findall(r"<form\b[^>]*>", page) if 'method="post"' in f.lower()]
    posting = [f for f in posting if "/logout/" not in f and "/i18n/" not in f]
    refused = client.post(f"/campaigns/{campaign.pk}/pairings/new/", {}).status_code

    assert area == (TOWNSHIP[:9],), (
        f"area={area!r}; compliance lost {len(lost)} county cadres at work in the township; "
        f"pairing page offers {len(posting)} POST form(s) whose POST answers {refused}"
    )


def test_team_pages_name_no_point_of_another_township(township_office, campaign, other_township):
    """A team at work in 江村乡 that also works in another township: the township office's team
    list and team page name only the points it may open, and count the others."""
    here = LiaisonPoint.objects.create(
        name="江村乡本地点",
        kind="village",
        region=Region.objects.filter(code__startswith=TOWNSHIP[:9], level=5).first(),
    )
    away = LiaisonPoint.objects.create(
        name="外乡保密企业甲", kind="enterprise", region=Region.objects.get(code="431123101200")
    )
    team = Team.objects.create(campaign=campaign, name="跨乡工作队")
    team.points.add(here, away)

    client = Client()
    client.force_login(township_office)
    assert client.get(f"/points/{away.pk}/").status_code == 404  # not in its sight
    listing = client.get(f"/campaigns/{campaign.pk}/teams/").content.decode()
    detail = client.get(f"/campaigns/{campaign.pk}/teams/{team.pk}/").content.decode()
    assert away.name not in listing and away.name not in detail, "another township's point is named"


def test_a_point_page_links_only_liaison_cards_the_reader_may_print(township_office, campaign):
    """The point page lists the county campaign's pairings at a point of the township, but
    offers only the liaison cards of campaigns the reader may print (cards are the office's)."""
    today = timezone.localdate()
    pairing = (
        Pairing.objects.filter(
            campaign=campaign, point__region__code__startswith=TOWNSHIP[:9], start__lte=today
        )
        .exclude(end__lt=today)
        .first()
    )
    if pairing is None:
        household = Household.objects.filter(region__code__startswith=TOWNSHIP[:9]).first()
        point = LiaisonPoint.objects.create(name="测试点", kind="village", region=household.region)
        pairing = Pairing.objects.create(
            campaign=campaign,
            cadre=Cadre.objects.order_by("pk").first(),
            kind=campaign.config["pairing_kinds"][0]["key"],
            point=point,
            region=point.region,
            start=campaign.start,
        )
    client = Client()
    client.force_login(township_office)
    page = client.get(f"/points/{pairing.point_id}/").content.decode()
    links = [
        link.replace("&amp;", "&") for link in re.findall(r'href="(/campaigns/[^"#]*cards[^"#]*)"', page)
    ]
    assert f"/campaigns/{campaign.pk}/cards" not in " ".join(links)
    broken = [link for link in links if client.get(link).status_code != 200]
    assert not broken, broken


def test_the_api_campaign_list_costs_no_query_per_campaign_read_for_an_area(township_office, campaign):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=township_office)}"}
    client = Client()
    client.get("/api/v1/campaigns", **auth)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/campaigns", **auth).status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        Campaign.objects.create(
            name=f"县活动{n}",
            program_key=f"rv_more{n}",
            program_name="测试",
            region=campaign.region,
            start=dt.date(2026, 1 + n, 1),
            config=campaign.config,
        )
    after = queries()
    assert after == before, (before, after)


def test_every_write_into_the_county_campaign_is_refused_to_the_township_office(
    township_office, campaign, other_township
):
    """Every POST/PUT path under /campaigns/<id>/ and /api/v1/campaigns/<id>/ (and team
    dissolve), sent by the township office with data that would pass for the county office,
    changes nothing."""
    import json

    from minqing.core.models import AuditEvent
    from minqing.programs.models import UnitPairing

    point = LiaisonPoint.objects.create(
        name="江村乡点",
        kind="village",
        region=Region.objects.filter(code__startswith=TOWNSHIP[:9], level=5).first(),
    )
    team = Team.objects.create(campaign=campaign, name="江村乡工作队")
    team.points.add(point)
    unit = Cadre.objects.order_by("pk").first().unit
    up = UnitPairing.objects.create(
        campaign=campaign, unit=unit, point=point, kind="twinning", start=campaign.start
    )
    pairing = Pairing.objects.filter(campaign=campaign, region__code__startswith=TOWNSHIP[:9]).first()
    future = Pairing.objects.create(
        campaign=campaign,
        cadre=pairing.cadre,
        kind=pairing.kind,
        household=pairing.household,
        member=pairing.member,
        point=pairing.point,
        region=pairing.region,
        start=timezone.localdate() + dt.timedelta(days=3),
    )
    today = timezone.localdate().isoformat()
    c = campaign.pk

    def state():
        return (
            Pairing.objects.filter(campaign=campaign).exclude(end__isnull=False).count(),
            Pairing.objects.filter(campaign=campaign).count(),
            Team.objects.filter(campaign=campaign, dissolved_on__isnull=True).count(),
            Team.objects.filter(campaign=campaign).count(),
            UnitPairing.objects.filter(campaign=campaign, end__isnull=True).count(),
            UnitPairing.objects.filter(campaign=campaign).count(),
            Campaign.objects.get(pk=c).version,
            list(team.members.values_list("pk", flat=True)),
            AuditEvent.objects.exclude(action__endswith=".view")
            .exclude(action__endswith=".list")
            .exclude(action__in=["auth.login", "token.create"])
            .count(),
        )

    before = state()
    client = Client()
    client.force_login(township_office)
    end = {"end": today, "reason": "测试"}
    posts = {
        f"/campaigns/{c}/edit/": {"name": "改名"},
        f"/campaigns/{c}/withdraw/": {"reason": "测试"},
        f"/campaigns/{c}/pairings/new/": {"cadre": pairing.cadre_id, "kind": pairing.kind, "start": today},
        f"/campaigns/{c}/pairings/{pairing.pk}/end/": end,
        f"/campaigns/{c}/pairings/{future.pk}/withdraw/": {"reason": "测试"},
        f"/campaigns/{c}/teams/": {"name": "新队", "kind": "work_team"},
        f"/campaigns/{c}/teams/{team.pk}/": {"name": "改名队", "kind": "work_team", "points": [point.pk]},
        f"/campaigns/{c}/teams/{team.pk}/dissolve/": {"dissolved_on": today, "reason": "测试"},
        f"/campaigns/{c}/unit-pairings/": {
            "unit": unit.pk,
            "point": point.pk,
            "kind": "twinning",
            "start": today,
        },
        f"/campaigns/{c}/unit-pairings/{up.pk}/end/": end,
        f"/campaigns/{c}/unit-pairings/{up.pk}/withdraw/": {"reason": "测试"},
        f"/assessment/campaigns/{c}/run/": {},
        f"/assessment/campaigns/{c}/weights/": {},
        f"/assessment/campaigns/{c}/recall-rule/": {},
        f"/assessment/campaigns/{c}/recalls/propose/": {},
    }
    answers = {path: client.post(path, data).status_code for path, data in posts.items()}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=township_office)}"}
    api = Client()
    body = {"end": today, "reason": "测试"}
    calls = [
        ("put", f"/api/v1/campaigns/{c}/units", {"units": [], "reason": "x"}),
        (
            "post",
            f"/api/v1/campaigns/{c}/pairings",
            {
                "cadre": pairing.cadre_id,
                "kind": pairing.kind,
                "target_type": "point",
                "target_id": point.pk,
                "start": today,
            },
        ),
        ("post", f"/api/v1/campaigns/{c}/pairings/{pairing.pk}/end", body),
        ("post", f"/api/v1/campaigns/{c}/pairings/{future.pk}/withdraw", {"reason": "测试"}),
        (
            "post",
            f"/api/v1/campaigns/{c}/unit-pairings",
            {"unit": unit.pk, "point": point.pk, "kind": "twinning", "start": today},
        ),
        ("post", f"/api/v1/campaigns/{c}/unit-pairings/{up.pk}/end", body),
        ("post", f"/api/v1/campaigns/{c}/unit-pairings/{up.pk}/withdraw", {"reason": "测试"}),
        ("post", f"/api/v1/teams/{team.pk}/dissolve", {"dissolved_on": today, "reason": "测试"}),
    ]
    for method, path, data in calls:
        answers[path] = getattr(api, method)(
            path, json.dumps(data), content_type="application/json", **auth
        ).status_code
    assert state() == before
    assert all(code in (403, 404, 405, 422) for code in answers.values()), answers


def test_the_township_offices_compliance_never_names_a_resident_of_another_township(
    township_office, campaign, other_township
):
    """A county bureau cadre at work in 江村乡 is also paired with a household of the other
    township, never visited: the township office's compliance page, Excel and API list that
    cadre's verdicts, but the missing visits of the other township's household unnamed."""
    import io
    import zipfile

    from minqing.people.models import Member

    cadre_id = _bureau_cadre_paired_in_township(campaign)[0]
    household = Household.objects.get(code="T-0001")
    head = Member.objects.create(household=household, name="外乡户主赵某", relation="head")
    Household.objects.filter(pk=household.pk).update(head=head)
    Pairing.objects.create(
        campaign=campaign,
        cadre_id=cadre_id,
        kind=campaign.config["pairing_kinds"][0]["key"],
        household=household,
        region=household.region,
        start=campaign.start,
    )
    office = Client()
    office.force_login(Account.objects.get(username="office"))
    assert (
        "外乡户主赵某"
        in office.get(f"/campaigns/{campaign.pk}/compliance/?cadre={cadre_id}").content.decode()
    )

    client = Client()
    client.force_login(township_office)
    page = client.get(f"/campaigns/{campaign.pk}/compliance/?cadre={cadre_id}").content.decode()
    assert "外乡户主赵某" not in page
    book = zipfile.ZipFile(io.BytesIO(client.get(f"/campaigns/{campaign.pk}/compliance.xlsx").content))
    cells = " ".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))
    assert "外乡户主赵某" not in cells
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=township_office)}"}
    data = client.get(f"/api/v1/campaigns/{campaign.pk}/compliance", **auth).content.decode()
    assert "外乡户主赵某" not in data and "T-0001" not in data


def test_the_campaign_list_opens_for_an_office_with_many_campaigns(campaign):
    """targets_due_by_campaign unions a query per campaign; SQLite refuses more than 500 terms
    in a compound SELECT (SQLITE_MAX_COMPOUND_SELECT): it goes in chunks."""
    Campaign.objects.bulk_create(
        [
            Campaign(
                name=f"历年活动{n}",
                program_key=f"rv_year{n}",
                program_name="测试",
                region=campaign.region,
                start=dt.date(2020, 1, 1) + dt.timedelta(days=n),
                end=dt.date(2020, 1, 1) + dt.timedelta(days=n + 30),
                config=campaign.config,
            )
            for n in range(520)
        ]
    )
    client = Client()
    client.force_login(Account.objects.get(username="office"))
    assert client.get("/campaigns/").status_code == 200


def test_a_village_branch_reads_the_county_campaign_for_its_village_only(campaign):
    village = Account.objects.get(username="village")
    forget_scope(village)
    prefixes = [r.code for g in village.grants.all() for r in g.regions.all()]
    assert len(prefixes) == 1
    code = prefixes[0]
    fresh = Campaign.objects.select_related("region").get(pk=campaign.pk)
    assert selectors.campaign_area(user=village, campaign=fresh) == (code,)
    report = selectors.compliance(user=village, campaign=fresh, as_of=dt.date(2026, 11, 20))
    cadres = {v.subject_id for v in report.verdicts if v.subject_type == "cadre"}
    working_here = set(
        Pairing.objects.filter(campaign=campaign, region__code__startswith=code).values_list(
            "cadre_id", flat=True
        )
    )
    team_cadres = set()
    for team in Team.objects.filter(campaign=campaign, points__region__code__startswith=code).distinct():
        team_cadres |= set(team.members.values_list("pk", flat=True)) | (
            {team.leader_id} if team.leader_id else set()
        )
    assert cadres <= working_here | team_cadres, cadres - working_here - team_cadres
    client = Client()
    client.force_login(village)
    for path in ("", "compliance/", "pairings/", "teams/", "unit-pairings/"):
        response = client.get(f"/campaigns/{campaign.pk}/{path}")
        assert response.status_code == 200, path
    pairings = client.get(f"/campaigns/{campaign.pk}/pairings/").context["page"].paginator.count
    assert pairings == Pairing.objects.filter(campaign=campaign, region__code__startswith=code).count()


def test_the_pairing_lists_cadre_links_open_for_the_township_office(township_office, campaign):
    """Each pairing row links its cadre as ?cadre=<id> (the list of that cadre's pairings): it
    opens for a county bureau's cadre paired in the township too."""
    client = Client()
    client.force_login(township_office)
    page = client.get(f"/campaigns/{campaign.pk}/pairings/?size=200").content.decode()
    cadres = sorted(set(re.findall(r'href="\?cadre=(\d+)"', page)))
    assert cadres
    broken = [
        pk for pk in cadres if client.get(f"/campaigns/{campaign.pk}/pairings/?cadre={pk}").status_code != 200
    ]
    assert not broken, f"{len(broken)} of {len(cadres)} cadre links answer 404"


def test_the_campaign_pages_read_for_an_area_lead_back_to_the_campaigns(township_office, campaign):
    """The township office opens the county's campaign from the campaign list: its pages'
    breadcrumb starts there, not at the dashboard."""
    client = Client()
    client.force_login(township_office)
    for path in ("", "pairings/", "teams/", "compliance/"):
        page = client.get(f"/campaigns/{campaign.pk}/{path}").content.decode()
        crumb = re.search(r'<nav aria-label="breadcrumb">(.*?)</nav>', page, re.S).group(1)
        first = re.search(r'<li><a href="([^"]+)"', crumb).group(1)
        assert first == "/campaigns/", (path, crumb)
