"""A year of field work for the demo campaigns: visits to every household (about four a
year each, ~500,000 at county scale), days at the points (~100,000), deeds (~20,000),
relief, activities, incidents, monthly reports and team summaries — with gaps, so that
the compliance rules find some cadres short."""

import datetime as dt
import random
import uuid
from decimal import Decimal

from django.utils.translation import gettext_noop

from minqing.core.treecode import prefix_q
from minqing.fieldwork.models import (
    Activity,
    AttendanceDay,
    Deed,
    Incident,
    MonthlyReport,
    ReliefPayment,
    TeamSummary,
    Visit,
)
from minqing.geo.models import LEVEL_DIGITS
from minqing.org.models import Cadre
from minqing.people.models import Household
from minqing.programs.models import Campaign, LiaisonPoint, Pairing
from minqing.programs.rules._periods import months, next_month
from minqing.programs.rules.activities_held import activity_names

from .fast import fast_insert, fast_insert_objects, indexes_later, now

DEMO_TODAY = dt.date(2026, 11, 20)  # the demo's "today": records never lie after it
CONTENTS = [
    "入户走访，了解家庭生产生活情况",
    "宣讲惠农政策和医保缴费办法",
    "了解子女就学和老人看病情况",
    "察看房屋安全和饮水情况",
    "帮助联系务工信息",
    "听取对村级道路建设的意见",
    "了解春耕备耕和用工情况",
]
PROBLEMS = [
    "组级道路需要硬化",
    "饮水管道老化漏水",
    "希望提供就业培训",
    "医保报销手续繁琐",
    "危房需要改造",
    "留守老人无人照料",
    "灌溉水渠需要清淤",
]
DEED_TITLES = {
    "funds": "争取临时救助资金",
    "errand": "代办医保和养老保险续费",
    "technology": "送科技种养资料上门",
    "labour": "帮助抢收抢种",
    "goods": "送去米油等慰问物资",
    "policy": "落实低保政策",
    "information": "提供务工就业信息",
    "legal_aid": "协助办理法律援助",
    "project": "争取村级道路硬化项目",
}


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _days_between(rng, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def build_fieldwork(seed: int, progress=None) -> dict:
    rng = random.Random(seed * 104729 + 3)
    counts = {}
    xia = Campaign.objects.get(program_key="xiajiceng")
    county_cadres = list(Cadre.objects.filter(prefix_q("unit__region_id", "431123")).order_by("id"))
    end = min(DEMO_TODAY, xia.end or DEMO_TODAY)

    # Visits: every household about four times a year, by the cadres of its township
    # (the paired cadre for households in hardship), plus the pairings' own visits.
    paired = {}
    for cadre_id, household_id in Pairing.objects.filter(campaign=xia, household__isnull=False).values_list(
        "cadre_id", "household_id"
    ):
        paired.setdefault(household_id, cadre_id)
    stamp = now()
    empty_found, empty_problems = {}, []

    def visit_rows():
        for household_id, region_id in (
            Household.objects.filter(prefix_q("region_id", "431123"))
            .order_by("id")
            .values_list("id", "region_id")
        ):
            cadre_id = paired.get(household_id)
            times = rng.choice((3, 4, 4, 5)) if cadre_id else rng.choice((2, 3, 4, 4, 5))
            if cadre_id and rng.random() < 0.12:
                times = 1  # a cadre short of the two visits the program asks for
            for _ in range(times):
                yield (
                    _uuid(rng),
                    "",
                    1,
                    stamp,
                    stamp,
                    xia.pk,
                    cadre_id or county_cadres[rng.randrange(len(county_cadres))].pk,
                    _days_between(rng, xia.start, end),
                    rng.choice(("home_visit", "home_visit", "policy_talk")),
                    household_id,
                    region_id,
                    rng.choice(CONTENTS),
                    "群众表示满意" if rng.random() < 0.7 else "",
                    empty_found,
                    [rng.choice(PROBLEMS)] if rng.random() < 0.08 else empty_problems,
                )

    with indexes_later(Visit):
        counts["visits"] = fast_insert(
            Visit,
            [
                "uuid",
                "payload_digest",
                "version",
                "created_at",
                "updated_at",
                "campaign",
                "cadre",
                "date",
                "form",
                "household",
                "region",
                "content",
                "outcome",
                "found",
                "problems",
            ],
            visit_rows(),
            progress=progress,
            label=gettext_noop("visits"),
        )

    # Days at the points: each county cadre at a village of the county 2–4 days a month, a
    # concentrated week for most, some days still waiting for the village or rejected.
    village_points = list(
        LiaisonPoint.objects.filter(kind="village", region_id__gte="431123", region_id__lt="431124").order_by(
            "id"
        )
    )
    days, seen = [], set()

    def add_day(cadre_id, point_id, day):
        if day > DEMO_TODAY or (cadre_id, point_id, day) in seen:
            return
        seen.add((cadre_id, point_id, day))
        roll = rng.random()
        status = (
            "pending"
            if day > DEMO_TODAY - dt.timedelta(days=10) and roll < 0.6
            else ("rejected" if roll < 0.02 else "confirmed")
        )
        days.append((_uuid(rng), "", 1, stamp, stamp, cadre_id, point_id, day, status, ""))

    station = {
        p.cadre_id: p.point_id
        for p in Pairing.objects.filter(point__kind="village").only("cadre_id", "point_id")
    }
    # A cadre with no village point stays in the village of a household they are paired with,
    # where the days count for the campaign (AttendanceDay.in_campaign), else at a village
    # spread by id.
    village_point: dict[str, int] = {}
    for point in village_points:
        village_point.setdefault(point.region_id, point.pk)
    for cadre_id, region_id in (
        Pairing.objects.filter(campaign=xia, household__isnull=False)
        .order_by("id")
        .values_list("cadre_id", "region_id")
    ):
        if region_id[: LEVEL_DIGITS[5]] in village_point:
            station.setdefault(cadre_id, village_point[region_id[: LEVEL_DIGITS[5]]])
    for cadre in county_cadres:
        point_id = station.get(cadre.pk) or village_points[cadre.pk % len(village_points)].pk
        for first in months(xia.start, end):
            for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
                add_day(cadre.pk, point_id, first + dt.timedelta(days=rng.randrange(27)))
            if first.month in (6, 7) and rng.random() < 0.5:
                for n in (6, 7):  # the fixed service days of 001
                    add_day(cadre.pk, point_id, first.replace(day=n))
        if rng.random() < 0.6:
            week = dt.date(2026, 6, 1) + dt.timedelta(days=rng.randrange(60))
            for n in range(rng.choice((7, 7, 8, 6))):
                add_day(cadre.pk, point_id, week + dt.timedelta(days=n))
    with indexes_later(AttendanceDay):
        counts["attendance_days"] = fast_insert(
            AttendanceDay,
            [
                "uuid",
                "payload_digest",
                "version",
                "created_at",
                "updated_at",
                "cadre",
                "point",
                "date",
                "status",
                "reason",
            ],
            days,
            progress=progress,
            label=gettext_noop("attendance"),
        )

    # Deeds: 1–2 for most paired households, more on points; some households still without.
    deeds = []
    for pairing in (
        Pairing.objects.filter(household__isnull=False)
        .select_related("campaign")
        .only("cadre_id", "household_id", "region_id", "campaign__start", "campaign__end", "campaign_id")
    ):
        if rng.random() < 0.15:
            continue
        c_end = min(DEMO_TODAY, pairing.campaign.end or DEMO_TODAY)
        if pairing.campaign.start > c_end:
            continue
        for _ in range(rng.choice((1, 1, 2))):
            kind = rng.choice(list(DEED_TITLES))
            deeds.append(
                Deed(
                    uuid=_uuid(rng),
                    campaign_id=pairing.campaign_id,
                    cadre_id=pairing.cadre_id,
                    kind=kind,
                    title=DEED_TITLES[kind],
                    household_id=pairing.household_id,
                    region_id=pairing.region_id,
                    value_yuan=Decimal(rng.choice((0, 100, 200, 300, 500, 800, 1200))),
                    date=_days_between(rng, pairing.campaign.start, c_end),
                    confirmed_on=None if rng.random() < 0.3 else c_end,
                )
            )
    for pairing in Pairing.objects.filter(point__isnull=False).select_related("campaign", "point"):
        c_end = min(DEMO_TODAY, pairing.campaign.end or DEMO_TODAY)
        if rng.random() < 0.7 and pairing.campaign.start <= c_end:
            kind = "project" if pairing.point.kind == "village" and rng.random() < 0.4 else "labour"
            deeds.append(
                Deed(
                    uuid=_uuid(rng),
                    campaign_id=pairing.campaign_id,
                    cadre_id=pairing.cadre_id,
                    kind=kind,
                    title=DEED_TITLES[kind],
                    point_id=pairing.point_id,
                    region_id=pairing.point.region_id,
                    value_yuan=Decimal(rng.choice((0, 5000, 20000, 80000)) if kind == "project" else 0),
                    date=_days_between(rng, pairing.campaign.start, c_end),
                )
            )
    fast_insert_objects(Deed, deeds)
    counts["deeds"] = len(deeds)

    # 004 大走访: relief by its teams (one team a household short), activities, a summary
    # filed late, and one accident.
    dazou = Campaign.objects.get(program_key="dazoufang")
    relief, activities = [], []
    households = list(
        Household.objects.filter(prefix_q("region_id", dazou.region.prefix), hardship_level__gt=0)
        .order_by("id")
        .values_list("id", "region_id")[:200]
    ) or list(
        Household.objects.filter(prefix_q("region_id", dazou.region.prefix)).values_list("id", "region_id")[
            :200
        ]
    )
    for index, team in enumerate(dazou.teams.order_by("id")):
        wanted = 19 if index == 1 else 20 + index
        for n in range(wanted):
            household_id, region_id = households[(index * 25 + n) % len(households)]
            relief.append(
                ReliefPayment(
                    uuid=_uuid(rng),
                    campaign_id=dazou.pk,
                    team_id=team.pk,
                    cadre_id=team.leader_id,
                    household_id=household_id,
                    region_id=region_id,
                    date=dt.date(2026, 3, 15 + n % 10),
                    amount_yuan=Decimal(199 if index == 2 and n == 0 else 200 + 50 * (n % 3)),
                )
            )
        point = team.points.first()
        for kind, day in (("policy_training", dt.date(2026, 3, 12)), ("shared_labour", dt.date(2026, 3, 20))):
            if index == 3 and kind == "shared_labour":
                continue
            activities.append(
                Activity(
                    uuid=_uuid(rng),
                    campaign_id=dazou.pk,
                    kind=kind,
                    title=activity_names(dazou).get(kind, kind),
                    date=day,
                    cadre_id=team.leader_id,
                    team_id=team.pk,
                    point_id=point.pk if point else None,
                    attendance=rng.randrange(20, 80),
                    region_id=dazou.region_id,
                )
            )
        TeamSummary.objects.create(
            campaign=dazou,
            team=team,
            text="工作队走访总结（演示）",
            submitted_on=dt.date(2026, 4, 6) if index == 4 else dt.date(2026, 4, 3),
        )
        if index == 0 and point is not None:
            Incident.objects.create(
                campaign=dazou,
                point=point,
                kind="safety_accident",
                date=dt.date(2026, 3, 18),
                description="园区工地一名工人高处坠落受轻伤（演示）",
            )
    ReliefPayment.objects.bulk_create(relief)
    counts["relief_payments"] = len(relief)

    # 000 四个一 in the survey phase, by most cadres.
    for cadre in county_cadres:
        for kind in ("home_visit_round", "beneficiaries_forum", "concentrated_reception", "policy_talk"):
            if rng.random() < 0.93:
                activities.append(
                    Activity(
                        uuid=_uuid(rng),
                        campaign_id=xia.pk,
                        kind=kind,
                        title=activity_names(xia).get(kind, kind),
                        date=dt.date(2026, 4, 15) + dt.timedelta(days=rng.randrange(16)),
                        cadre_id=cadre.pk,
                        attendance=rng.randrange(5, 40),
                        region_id=xia.region_id,
                    )
                )
    fast_insert_objects(Activity, activities)
    counts["activities"] = len(activities)

    # 003 蹲点服务: monthly reports by the rule's day (the 5th); a few late, a few missing.
    dundian = Campaign.objects.get(program_key="dundian")
    due_day = dundian.report_due_day
    reports = []
    for cadre_id in dundian.pairings.values_list("cadre_id", flat=True).distinct().order_by("cadre_id"):
        for first in months(dundian.start, DEMO_TODAY):
            due = next_month(first).replace(day=due_day)
            if due > DEMO_TODAY or rng.random() < 0.03:
                continue
            filed = (
                due - dt.timedelta(days=rng.randrange(5))
                if rng.random() < 0.95
                else due + dt.timedelta(days=2)
            )
            reports.append(
                MonthlyReport(
                    campaign=dundian,
                    cadre_id=cadre_id,
                    month=first,
                    due=due,
                    status="submitted",
                    submitted_on=filed,
                    text="本月蹲点工作情况（演示）",
                    figures={},
                )
            )
    MonthlyReport.objects.bulk_create(reports)
    counts["monthly_reports"] = len(reports)
    return counts
