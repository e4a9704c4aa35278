"""One running campaign of each of the five seed programs in the demo, with pairings,
points and teams such that on the demo's today some rules pass and some fail."""

import datetime as dt
import random

from minqing.core.treecode import prefix_q
from minqing.demo.fast import fast_insert_objects
from minqing.geo.models import Region
from minqing.org.models import Cadre, Unit
from minqing.people.models import Household, Member
from minqing.programs.models import LiaisonPoint, Pairing, PointGrading, Team
from minqing.programs.services import campaign_start

YEAR = 2026
# 一类村, 二类村, 三类村 (minqing.programs.grades); only 三服务 singles out 复杂村: elsewhere a
# village drawn as complex is graded 三类 (drawn from the four, so the demo's other random
# choices stay as they were).
GRADES = ["first", "second", "third", "complex"]


def _point(region, kind, name, rng, points, complex_too=False):
    grade = rng.choice(GRADES) if kind == "village" else ""
    if grade == "complex" and not complex_too:
        grade = "third"
    point = LiaisonPoint.objects.create(region=region, kind=kind, name=name, grade=grade)
    if point.grade:
        PointGrading.objects.create(
            point=point, grade=point.grade, graded_on=dt.date(YEAR, 1, 10), reason="年初分类定级（演示）"
        )
    points.append(point)
    return point


def _pairing(rows, campaign, cadre, kind, target, start, slot=""):
    field = {Household: "household", Member: "member", LiaisonPoint: "point"}[type(target)]
    region = target.household.region_id if isinstance(target, Member) else target.region_id
    rows.append(
        Pairing(
            campaign=campaign,
            cadre=cadre,
            kind=kind,
            slot=slot,
            start=start,
            region_id=region,
            **{field: target},
        )
    )


def build_campaigns(seed: int) -> dict:
    rng = random.Random(seed * 7919 + 1)
    rows: list[Pairing] = []
    points: list[LiaisonPoint] = []
    county = Region.objects.get(code="431123000000")
    jinan = Region.objects.get(code="350111000000")
    townships = list(Region.objects.filter(parent=county).order_by("code"))
    villages = list(Region.objects.filter(parent__parent=county, level=Region.Level.VILLAGE).order_by("code"))
    village_points = {v.code: _point(v, "village", v.name, rng, points) for v in villages}

    # 000 机关干部下基层: the county, from the survey phase on.
    xia = campaign_start(
        actor=None,
        program_key="xiajiceng",
        name=f"{YEAR}年机关干部下基层活动",
        region=county,
        start=dt.date(YEAR, 4, 15),
        end=dt.date(YEAR, 12, 31),
    )
    county_cadres = list(
        Cadre.objects.filter(prefix_q("unit__region_id", "431123")).select_related("account").order_by("id")
    )
    hardship = list(
        Household.objects.filter(prefix_q("region_id", "431123"), hardship_level__gt=0).order_by("id")
    )
    rng.shuffle(hardship)
    helpers = [c for c in county_cadres if rng.random() < 0.92]  # some cadres still without a target
    named_cadre = next(c for c in county_cadres if c.account.username == "cadre")
    if named_cadre not in helpers:
        helpers.insert(0, named_cadre)
    covered = hardship[: int(len(hardship) * 0.95)]  # a few households in hardship still uncovered
    for index, household in enumerate(covered):
        cadre = named_cadre if index < 3 else helpers[index % len(helpers)]
        _pairing(rows, xia, cadre, "bangfu", household, dt.date(YEAR, 4, 20) + dt.timedelta(days=index % 20))
    for cadre in helpers[len(covered) :]:
        household = rng.choice(hardship) if hardship else None
        if household is not None:
            _pairing(rows, xia, cadre, "bangfu", household, dt.date(YEAR, 5, 6))
    for cadre, village in zip(helpers[: len(villages)], villages, strict=False):
        if rng.random() < 0.5:
            _pairing(rows, xia, cadre, "baocun", village_points[village.code], dt.date(YEAR, 4, 20))

    # 001 树根工作法: the county's 经管局, the whole year.
    bureau = Unit.objects.get(region_id="431123000000", name__contains="经管局")
    shugen = campaign_start(
        actor=None,
        program_key="shugen",
        name=f"{YEAR}年经管局“树根”工作法",
        region=county,
        start=dt.date(YEAR, 1, 1),
        end=dt.date(YEAR, 12, 31),
        units=[bureau],
    )
    bureau_cadres = list(Cadre.objects.filter(prefix_q("unit__path", bureau.path)).order_by("id"))
    pool = hardship[len(covered) :] + hardship[: len(covered)]
    for index, cadre in enumerate(bureau_cadres):
        wanted = {"principal": 2, "member": 1, "section_head": 1}.get(cadre.rank, 0)
        if cadre.rank == "principal" and index % 2 == 0:
            wanted = 1  # one household short of the principal's quota of 2
        for n in range(wanted):
            if pool:
                _pairing(
                    rows, shugen, cadre, "bangfu", pool[(index * 3 + n) % len(pool)], dt.date(YEAR, 1, 15)
                )
    if villages:
        team = Team.objects.create(
            campaign=shugen, name="麻江联村工作队", leader=bureau_cadres[0] if bureau_cadres else None
        )
        team.members.set(bureau_cadres[:4])
        team.points.set([village_points[villages[0].code]])

    # 003 蹲点服务: the first township; its leadership stationed at villages, with 一联五 lists.
    town = townships[0]
    town_unit = Unit.objects.get(region=town, kind=Unit.Kind.TOWNSHIP)
    dundian = campaign_start(
        actor=None,
        program_key="dundian",
        name=f"{YEAR}年{town.name}蹲点服务行动",
        region=town,
        start=dt.date(YEAR, 4, 1),
        end=dt.date(YEAR, 12, 31),
        units=[town_unit],
    )
    town_leaders = list(Cadre.objects.filter(unit=town_unit, rank__in=["principal", "member"]).order_by("id"))
    town_villages = [v for v in villages if v.parent_id == town.code]
    members = list(
        Member.objects.filter(prefix_q("household__region_id", town.code[:9])).order_by("id")[:400]
    )
    for index, cadre in enumerate(town_leaders):
        if index == len(town_leaders) - 1 and index > 0:
            continue  # one leader not yet stationed
        village = town_villages[index % len(town_villages)]
        _pairing(rows, dundian, cadre, "station", village_points[village.code], dt.date(YEAR, 4, 3))
        for slot_index, slot in enumerate(
            ["party_org_head", "veteran_party_member", "residents_rep", "extreme_poor", "wealth_expert"]
        ):
            if index == 1 and slot == "wealth_expert":
                continue  # one slot never listed
            day = (
                dt.date(YEAR, 4, 16) if index == 2 and slot_index == 0 else dt.date(YEAR, 4, 10 + slot_index)
            )
            if members:
                member = members[(index * 5 + slot_index) % len(members)]
                _pairing(rows, dundian, cadre, "yilianwu", member, day, slot=slot)

    # 004 大走访: a 30-day campaign in another township, with five work teams.
    zone = townships[1] if len(townships) > 1 else townships[0]
    zone_villages = [v for v in villages if v.parent_id == zone.code][:4]
    park = _point(zone, "park", f"{zone.name}工业园", rng, points)
    dazou = campaign_start(
        actor=None,
        program_key="dazoufang",
        name=f"{YEAR}年“百乡千村万户”大走访",
        region=zone,
        start=dt.date(YEAR, 3, 8),
        end=dt.date(YEAR, 4, 8),
    )
    zone_cadres = list(Cadre.objects.filter(prefix_q("unit__region_id", "431123")).order_by("-id")[:100])
    team_points = [village_points[v.code] for v in zone_villages] + [park]
    for number in range(min(5, max(1, len(zone_cadres) // 5))):
        members_of_team = zone_cadres[number::5]
        team = Team.objects.create(
            campaign=dazou,
            name=f"第{'一二三四五'[number]}工作队",
            leader=members_of_team[0] if members_of_team else None,
        )
        team.members.set(members_of_team)
        team.points.set([team_points[number % len(team_points)]])
        for cadre in members_of_team[:1]:
            _pairing(
                rows, dazou, cadre, "team_point", team_points[number % len(team_points)], dt.date(YEAR, 3, 8)
            )

    # 002 三服务: 晋安区 leaders, each meant to link a township, a village, an enterprise and a key project.
    ja_town = Region.objects.filter(parent=jinan).order_by("code").first()
    ja_villages = list(Region.objects.filter(parent=ja_town).order_by("code"))
    sanfuwu = campaign_start(
        actor=None,
        program_key="sanfuwu",
        name=f"{YEAR}年晋安区“三服务”",
        region=jinan,
        start=dt.date(YEAR, 1, 1),
        end=dt.date(YEAR, 12, 31),
    )
    ja_points = {
        "township": _point(ja_town, "township", ja_town.name, rng, points),
        "village": [_point(v, "village", v.name, rng, points, complex_too=True) for v in ja_villages],
        "enterprise": _point(ja_town, "enterprise", "福州晋安茶业有限公司", rng, points),
        "key_project": _point(ja_town, "key_project", "宦溪生态旅游道路工程", rng, points),
    }
    ja_leaders = list(
        Cadre.objects.filter(
            prefix_q("unit__region_id", "350111"), rank__in=["principal", "member"]
        ).order_by("id")
    )
    for index, cadre in enumerate(ja_leaders):
        _pairing(rows, sanfuwu, cadre, "four_links", ja_points["township"], dt.date(YEAR, 1, 10))
        _pairing(
            rows,
            sanfuwu,
            cadre,
            "four_links",
            ja_points["village"][index % len(ja_points["village"])],
            dt.date(YEAR, 1, 10),
        )
        if index % 3 != 1:
            _pairing(rows, sanfuwu, cadre, "four_links", ja_points["enterprise"], dt.date(YEAR, 1, 10))
        if index % 4 != 2:
            _pairing(rows, sanfuwu, cadre, "four_links", ja_points["key_project"], dt.date(YEAR, 1, 10))
    ja_households = list(Household.objects.filter(prefix_q("region_id", "350111")).order_by("id")[:40])
    for index, household in enumerate(ja_households):
        if ja_leaders:
            _pairing(
                rows,
                sanfuwu,
                ja_leaders[index % len(ja_leaders)],
                "household_visits",
                household,
                dt.date(YEAR, 1, 10),
            )

    fast_insert_objects(Pairing, rows)
    return {"campaigns": 5, "pairings": len(rows), "points": len(points)}
