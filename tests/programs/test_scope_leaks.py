"""What a viewer is shown of what lies outside their scope: compliance items about targets they
may not see, a liaison point's pairings in campaigns out of their sight, the cadres a team may
be made of, and the pairings a campaign's line counts."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from python_calamine import CalamineWorkbook

from minqing.core.identity import id_check_char
from minqing.core.scope import forget_scope, scoped
from minqing.geo.models import Region
from minqing.org.models import Account, Cadre
from minqing.org.services import account_create, cadre_create, grant_set, token_create, unit_create
from minqing.people.models import Household, Member
from minqing.people.services import household_create, member_add
from minqing.programs import engine, selectors
from minqing.programs.models import Team
from minqing.programs.services import pairing_create, point_create, team_create, unit_pairing_create

AS_OF = "2026-11-21"


def other_township():
    """A township of the demo county with a village and a group of its own."""
    county = Region.objects.get(code="431123000000")
    town, _ = Region.objects.get_or_create(
        code="431123199000", defaults={"name": "远山镇", "level": 4, "parent": county}
    )
    village, _ = Region.objects.get_or_create(
        code="431123199200", defaults={"name": "远山村", "level": 5, "parent": town}
    )
    return town, village


def household_in(office, region, head, n):
    household = household_create(actor=office, region=region, address=f"远山{n}号", code=f"FAR-{n}")
    first17 = f"431123{1970 + n % 30}0202{n % 1000:03d}"
    member_add(
        actor=office,
        household=household,
        name=head,
        relation=Member.Relation.HEAD,
        id_number=first17 + id_check_char(first17),
    )
    return Household.objects.get(pk=household.pk)


def account_with(username, *grants):
    """A new account (no password change pending) with these grants: (role, options) pairs."""
    account = account_create(actor=None, username=username, full_name=username, password=None, is_demo=True)
    for role, options in grants:
        grant_set(actor=None, account=account, role=role, **options)
    Account.objects.filter(pk=account.pk).update(must_change_password=False)
    account = Account.objects.get(pk=account.pk)
    forget_scope(account)
    return account


# 1. Compliance items about targets out of sight -------------------------------------


@pytest.fixture
def colleague_paired_far_away(scenario):
    """A cadre who sees their own records and their unit's cadres (not its households), and a
    colleague of the same unit paired with a household of another township."""
    _town, village = other_township()
    campaign = scenario.campaign("xiajiceng")
    viewer = scenario.cadre(name="看表干部")
    colleague = scenario.cadre(name="同事干部")
    mine = scenario.household(head="本村户主")
    far = household_in(scenario.office, village, "远山户主乙", 902)
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=viewer,
        kind="bangfu",
        target=mine,
        start=campaign.start,
    )
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=colleague,
        kind="bangfu",
        target=far,
        start=campaign.start,
    )
    account = viewer.account
    Account.objects.filter(pk=account.pk).update(is_demo=True, must_change_password=False)
    grant_set(actor=None, account=account, role="cadre", own_records=True)
    grant_set(actor=None, account=account, role="handling_unit", units=[scenario.unit])
    account = Account.objects.get(pk=account.pk)
    forget_scope(account)
    assert not scoped(Household, account, "people.view").filter(pk=far.pk).exists()
    assert scoped(Cadre, account, "org.view").filter(pk=colleague.pk).exists()
    return campaign, account, colleague, far


def missing_of(verdicts, cadre_id):
    return [item for v in verdicts if v.cadre_id == cadre_id for item in v.missing]


def test_compliance_does_not_name_a_household_the_viewer_may_not_see(colleague_paired_far_away):
    campaign, viewer, colleague, _far = colleague_paired_far_away
    day = dt.date.fromisoformat(AS_OF)
    everything = missing_of(engine.evaluate(campaign, day), colleague.pk)
    assert any("远山户主乙" in item for item in everything)  # the engine itself names it
    shown = missing_of(selectors.compliance(user=viewer, campaign=campaign, as_of=day).verdicts, colleague.pk)
    assert shown and not any("远山户主乙" in item for item in shown)
    # One item for each one the engine gives, with the same numbers.
    assert len(shown) == len(everything)
    assert [item.split("：", 1)[-1] for item in shown] == [item.split("：", 1)[-1] for item in everything]
    # Their own targets are still named.
    own = missing_of(
        selectors.compliance(user=viewer, campaign=campaign, as_of=day).verdicts, viewer.cadre.pk
    )
    assert any("本村户主" in item for item in own)


def test_the_office_that_sees_the_household_still_gets_it_named(colleague_paired_far_away, actor):
    campaign, _viewer, colleague, _far = colleague_paired_far_away
    report = selectors.compliance(user=actor("office"), campaign=campaign, as_of=dt.date.fromisoformat(AS_OF))
    assert any("远山户主乙" in item for item in missing_of(report.verdicts, colleague.pk))


def test_the_compliance_page_export_and_api_do_not_name_it(colleague_paired_far_away, client):
    campaign, viewer, colleague, _far = colleague_paired_far_away
    token = token_create(actor=None, account=viewer)
    data = client.get(
        f"/api/v1/campaigns/{campaign.pk}/compliance?as_of={AS_OF}", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    items = [item for v in data["verdicts"] if v["cadre_id"] == colleague.pk for item in v["missing"]]
    assert items and not any("远山户主乙" in item for item in items)
    client.force_login(viewer)
    page = client.get(f"/campaigns/{campaign.pk}/compliance/?as_of={AS_OF}&cadre={colleague.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "同事干部" in html and "远山户主乙" not in html
    response = client.get(f"/campaigns/{campaign.pk}/compliance.xlsx?as_of={AS_OF}")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    cells = [str(cell) for row in rows for cell in row]
    assert any("同事干部" in cell for cell in cells) and not any("远山户主乙" in cell for cell in cells)


def test_a_member_or_point_out_of_sight_is_not_named_either(scenario):
    _town, village = other_township()
    campaign = scenario.campaign("xiajiceng")
    # Visits to every kind of target count, and a kind of pairing links a person.
    config = campaign.config
    config["pairing_kinds"].append({"key": "person", "name": "联系个人", "target": "member"})
    next(r for r in config["rules"] if r["type"] == "visits.per_target")["params"]["kinds"] = []
    campaign.save(update_fields=["config"])
    viewer = account_with("unit_watcher", ("handling_unit", {"units": [scenario.unit]}))
    cadre = scenario.cadre(name="远处干部")
    person = household_in(scenario.office, village, "远山户主丙", 903).members.get()
    point = point_create(actor=scenario.office, name="远山联系点", kind="village", region=village)
    for kind, target in (("person", person), ("baocun", point)):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind=kind,
            target=target,
            start=campaign.start,
        )
    day = dt.date.fromisoformat(AS_OF)
    everything = missing_of(engine.evaluate(campaign, day), cadre.pk)
    for name in ("远山户主丙", "远山联系点"):
        assert any(name in item for item in everything)
    shown = missing_of(selectors.compliance(user=viewer, campaign=campaign, as_of=day).verdicts, cadre.pk)
    assert len(shown) == len(everything)
    assert not any(name in item for name in ("远山户主丙", "远山联系点") for item in shown)


def test_the_command_line_still_names_every_target(colleague_paired_far_away):
    campaign, _viewer, colleague, _far = colleague_paired_far_away
    out = io.StringIO()
    call_command("compliance", campaign=campaign.pk, as_of=AS_OF, json=True, stdout=out)
    data = json.loads(out.getvalue())
    assert any(
        "远山户主乙" in item
        for v in data["verdicts"]
        if v["cadre_id"] == colleague.pk
        for item in v["missing"]
    )


@pytest.fixture
def township_office_and_far_household(scenario):
    """An office of the scenario's township reading the county's campaign; a cadre of a section
    in that township, paired with a household of another township, and a cadre of the county's
    unit (outside the township)."""
    _town, village = other_township()
    town = township_of(scenario.village)
    campaign = scenario.campaign("xiajiceng")
    section = unit_create(actor=scenario.office, name="镇上股室", region=town, parent=scenario.unit)
    inside = cadre_create(
        actor=scenario.office,
        account=account_create(actor=None, username="town_cadre", full_name="镇上干部", password=None),
        unit=section,
    )
    outside = scenario.cadre(name="县里干部")
    far = household_in(scenario.office, village, "远山户主丁", 904)
    for cadre, target in ((inside, far), (outside, scenario.household(head="县里户主"))):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind="bangfu",
            target=target,
            start=campaign.start,
        )
    viewer = account_with("town_office", ("office", {"regions": [town]}))
    assert not scoped(Cadre, viewer, "org.view").filter(pk=outside.pk).exists()
    assert scoped(Cadre, viewer, "org.view").filter(pk=inside.pk).exists()
    assert not scoped(Household, viewer, "people.view").filter(pk=far.pk).exists()
    return campaign, viewer, inside, outside


def compliance_json(campaign, *options):
    out = io.StringIO()
    call_command(
        "compliance", "--campaign", str(campaign.pk), "--as-of", AS_OF, "--json", *options, stdout=out
    )
    return json.loads(out.getvalue())


def test_the_command_as_a_township_office_lists_only_its_subjects_and_does_not_name_an_outside_household(
    township_office_and_far_household, scenario
):
    campaign, viewer, inside, outside = township_office_and_far_household
    # A county cadre who works only in another township: not the township office's business.
    _town, village = other_township()
    away = scenario_cadre_paired_away(scenario, campaign, village)
    everything = compliance_json(campaign)
    assert any(v["cadre_id"] == outside.pk for v in everything["verdicts"])
    assert any(v["cadre_id"] == away.pk for v in everything["verdicts"])
    named = [item for v in everything["verdicts"] if v["cadre_id"] == inside.pk for item in v["missing"]]
    assert any("远山户主丁" in item for item in named)  # the operator's command line names it

    seen = compliance_json(campaign, "--as", viewer.username)
    # The county's cadre paired in the township's village is listed (who works there); the one
    # working only elsewhere is not.
    assert any(v["cadre_id"] == outside.pk for v in seen["verdicts"])
    assert not any(v["cadre_id"] == away.pk for v in seen["verdicts"])
    assert "别镇干部" not in json.dumps(seen, ensure_ascii=False)
    items = [item for v in seen["verdicts"] if v["cadre_id"] == inside.pk for item in v["missing"]]
    assert len(items) == len(named) and not any("远山户主丁" in item for item in items)
    assert "远山户主丁" not in json.dumps(seen, ensure_ascii=False)
    # The totals count what the account sees, as its page does.
    assert seen == json.loads(
        json.dumps(
            selectors.compliance(user=viewer, campaign=campaign, as_of=dt.date.fromisoformat(AS_OF)).as_dict(
                status="", teams=selectors.compliance_teams(user=viewer, campaign=campaign), team=None
            ),
            ensure_ascii=False,
            default=str,
        )
    )
    out = io.StringIO()
    call_command(
        "compliance",
        "--campaign",
        str(campaign.pk),
        "--as-of",
        AS_OF,
        "--failures",
        "--as",
        viewer.username,
        stdout=out,
    )
    listed = out.getvalue()
    assert "镇上干部" in listed and "别镇干部" not in listed and "远山户主丁" not in listed


def scenario_cadre_paired_away(scenario, campaign, village):
    """A cadre of the county's unit paired only with a household of another township."""
    cadre = scenario.cadre(name="别镇干部")
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=household_in(scenario.office, village, "别镇户主", 905),
        start=campaign.start,
    )
    return cadre


def test_the_command_refuses_an_unknown_account_or_a_campaign_out_of_its_sight_in_the_language(
    township_office_and_far_household, scenario
):
    campaign, viewer, _inside, _outside = township_office_and_far_household
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("compliance", "--campaign", str(campaign.pk), "--as", "nosuchuser", stdout=io.StringIO())
    assert str(caught.value) == "There is no active account nosuchuser."
    assert caught.value.returncode != 0
    with pytest.raises(CommandError) as caught:
        call_command("compliance", "--campaign", str(campaign.pk), "--as", "nosuchuser", stdout=io.StringIO())
    assert str(caught.value) == "账号 nosuchuser 不存在或已停用。"
    elsewhere = scenario.campaign("xiajiceng", region=other_township()[0])
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command(
            "compliance", "--campaign", str(elsewhere.pk), "--as", viewer.username, stdout=io.StringIO()
        )
    assert str(caught.value) == f"There is no campaign {elsewhere.pk} in the scope of town_office."


# 2. A liaison point's page ------------------------------------------------------------


def township_of(region):
    while region.level > Region.Level.TOWNSHIP:
        region = region.parent
    return region


def test_a_points_page_lists_the_pairings_of_every_campaign_at_work_there(scenario, client_as):
    """A township office reads the county's campaign for its area (DOMAIN §3: the office sees
    everything in its region): the county's pairings at its point are listed with the township's;
    a campaign of another township is neither listed nor opened."""
    town = township_of(scenario.village)
    point = scenario.point(name="本镇联系点")
    county_campaign = scenario.campaign("shugen")
    county_campaign.name = "县里的活动"
    county_campaign.save(update_fields=["name"])
    elsewhere = scenario.campaign("shugen", region=other_township()[0])
    town_unit = unit_create(actor=scenario.office, name="本镇政府", region=town)
    town_campaign = scenario.campaign("shugen", region=town)
    hidden = scenario.cadre(name="县局干部乙")
    shown = scenario.cadre(name="本镇干部丁")
    for campaign, cadre in ((county_campaign, hidden), (town_campaign, shown)):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind="village_team",
            target=point,
            start=campaign.start,
        )
    unit_pairing_create(
        actor=scenario.office,
        campaign=county_campaign,
        unit=scenario.unit,
        point=point,
        kind="covers_village",
        start=county_campaign.start,
    )
    unit_pairing_create(
        actor=scenario.office,
        campaign=town_campaign,
        unit=town_unit,
        point=point,
        kind="covers_village",
        start=town_campaign.start,
    )
    account_with("town_office", ("office", {"regions": [town]}))
    client = client_as("town_office", verified=True)
    read = client.get(f"/campaigns/{county_campaign.pk}/")
    assert read.status_code == 200 and 'id="area-only"' in read.content.decode()
    assert client.get(f"/campaigns/{county_campaign.pk}/edit/").status_code == 404
    assert client.get(f"/campaigns/{elsewhere.pk}/").status_code == 404
    page = client.get(f"/points/{point.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "县里的活动" in html and "县局干部乙" in html and scenario.unit.name in html
    assert town_campaign.name in html and "本镇干部丁" in html and "本镇政府" in html
    # The county office sees both.
    html = client_as("office", verified=True).get(f"/points/{point.pk}/").content.decode()
    assert "县里的活动" in html and "县局干部乙" in html and scenario.unit.name in html


# 3. The cadres a team is made of ------------------------------------------------------


def test_the_team_form_offers_only_the_campaigns_cadres_the_office_sees(scenario, client_as):
    town = township_of(scenario.village)
    bureau = unit_create(actor=scenario.office, name="县直某局", region=scenario.county)
    town_unit = unit_create(actor=scenario.office, name="本镇政府", region=town)
    outsider = cadre_create(
        actor=scenario.office,
        account=account_create(
            actor=scenario.office, username="far_cadre", full_name="县直局干部丙", password=None
        ),
        unit=bureau,
        rank="staff",
    )
    local = cadre_create(
        actor=scenario.office,
        account=account_create(
            actor=scenario.office, username="near_cadre", full_name="本镇干部戊", password=None
        ),
        unit=town_unit,
        rank="staff",
    )
    campaign = scenario.campaign("shugen", region=town)
    campaign.units.set([bureau, town_unit])
    office = account_with("town_office", ("office", {"regions": [town]}))
    assert not scoped(Cadre, office, "org.view").filter(pk=outsider.pk).exists()
    client = client_as("town_office", verified=True)
    html = client.get(f"/campaigns/{campaign.pk}/teams/").content.decode()
    assert "本镇干部戊" in html and "县直局干部丙" not in html
    response = client.post(
        f"/campaigns/{campaign.pk}/teams/",
        {"name": "探针队", "kind": "work_team", "leader": outsider.pk, "members": [outsider.pk]},
    )
    assert response.status_code == 200  # the form again, with its errors
    assert not Team.objects.filter(campaign=campaign, name="探针队").exists()
    response = client.post(
        f"/campaigns/{campaign.pk}/teams/",
        {"name": "本镇队", "kind": "work_team", "leader": local.pk, "members": [local.pk]},
    )
    assert response.status_code == 302
    assert Team.objects.get(campaign=campaign, name="本镇队").leader == local


def test_a_team_is_refused_a_leader_or_member_who_does_not_take_part_in_the_campaign(scenario):
    campaign = scenario.campaign("shugen")
    inside = scenario.cadre(name="本队干部")
    elsewhere = unit_create(actor=scenario.office, name="别的局", region=scenario.county)
    stranger = cadre_create(
        actor=scenario.office,
        account=account_create(
            actor=scenario.office, username="stranger", full_name="局外干部", password=None
        ),
        unit=elsewhere,
        rank="staff",
    )
    with pytest.raises(ValidationError) as leader_refused:
        team_create(actor=scenario.office, campaign=campaign, name="甲队", leader=stranger, members=[inside])
    assert set(leader_refused.value.message_dict) == {"leader"}
    with pytest.raises(ValidationError) as member_refused:
        team_create(
            actor=scenario.office, campaign=campaign, name="甲队", leader=inside, members=[inside, stranger]
        )
    assert set(member_refused.value.message_dict) == {"members"}
    assert "局外干部" in member_refused.value.message_dict["members"][0]
    assert not Team.objects.filter(campaign=campaign).exists()
    team = team_create(actor=scenario.office, campaign=campaign, name="甲队", leader=inside, members=[inside])
    assert list(team.members.all()) == [inside]


# 4. The pairings a campaign's line counts -------------------------------------------


def test_the_campaign_list_counts_only_the_pairings_the_viewer_sees(scenario, client_as):
    campaign = scenario.campaign("xiajiceng")
    me = scenario.cadre(name="只看自己")
    colleague = scenario.cadre()
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=me,
        kind="bangfu",
        target=scenario.household(),
        start=campaign.start,
    )
    for _n in range(2):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=colleague,
            kind="bangfu",
            target=scenario.household(),
            start=campaign.start,
        )
    Account.objects.filter(pk=me.account.pk).update(is_demo=True, must_change_password=False)
    grant_set(actor=None, account=me.account, role="cadre", own_records=True)
    viewer = Account.objects.get(pk=me.account.pk)
    forget_scope(viewer)
    from minqing.figures.selectors import targets_due_by_campaign

    def line(user):
        (found,) = selectors.campaign_list(user=user).filter(pk=campaign.pk)
        return targets_due_by_campaign(user=user, campaigns=[found])[campaign.pk].count

    assert line(viewer) == 1
    assert line(scenario.office) == 3


def test_a_bureau_leader_sees_their_cadres_pairings_without_names_they_may_not_see(scenario, client):
    """A leader granted on a unit sees its cadres' pairings (through the cadre's unit), but
    not the households or the county's campaign: the pages say a pairing is there, not with whom."""
    from minqing.org.models import Account
    from minqing.org.services import account_create, grant_set
    from minqing.programs.services import pairing_create

    campaign = scenario.campaign("shugen")
    campaign.name = "全县秘密活动"
    campaign.save(update_fields=["name"])
    cadre = scenario.cadre("member")
    household = scenario.household(level=1, head="秘密户主甲")
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=household,
        start=campaign.start,
    )
    account = account_create(
        actor=None, username="bureau_leader", full_name="局长", password=None, is_demo=True
    )
    grant_set(actor=None, account=account, role="leader", units=[scenario.unit])
    client.force_login(Account.objects.get(pk=account.pk))
    html = client.get(f"/cadres/{cadre.pk}/pairings/").content.decode()
    assert "秘密户主甲" not in html and "全县秘密活动" not in html
    assert "管辖范围外的一户联系户" in html
    # The office sees them by name.
    client.force_login(scenario.office)
    html = client.get(f"/cadres/{cadre.pk}/pairings/").content.decode()
    assert "秘密户主甲" in html and "全县秘密活动" in html


def test_the_pairing_search_does_not_match_a_target_the_viewer_may_not_see(scenario, client):
    """A cadre who also leads their unit sees a colleague's pairing through the unit, but not
    the colleague's household: searching by household number must not spell it out."""
    from minqing.core.scope import scoped
    from minqing.org.models import Account
    from minqing.org.services import grant_set
    from minqing.people.models import Household
    from minqing.programs.services import pairing_create

    campaign = scenario.campaign("shugen")
    me, colleague = scenario.cadre("member", name="本人干部"), scenario.cadre("member", name="同事干部乙")
    mine, theirs = scenario.household(level=1), scenario.household(level=1)
    for cadre, household in ((me, mine), (colleague, theirs)):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind="bangfu",
            target=household,
            start=campaign.start,
        )
    grant_set(actor=None, account=me.account, role="cadre", own_records=True)
    grant_set(actor=None, account=me.account, role="leader", units=[scenario.unit])
    viewer = Account.objects.get(pk=me.account_id)
    Account.objects.filter(pk=viewer.pk).update(must_change_password=False)
    assert not scoped(Household, viewer, "people.view").filter(pk=theirs.pk).exists()
    client.force_login(viewer)
    url = f"/campaigns/{campaign.pk}/pairings/"
    listing = client.get(url)
    assert listing.status_code == 200 and "同事干部乙" in listing.content.decode()
    assert "同事干部乙" in client.get(url, {"q": "同事干部乙"}).content.decode()
    assert "同事干部乙" not in client.get(url, {"q": theirs.code}).content.decode()
    assert "本人干部" in client.get(url, {"q": mine.code}).content.decode()
