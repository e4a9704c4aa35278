"""A year of judgement for the demo campaigns: quarterly residents' appraisals drawn from the
pairings (the past quarters answered and published, the current one half done), inspections
of every kind with follow-up actions (some overdue), and a few exemplary cases."""

import datetime as dt
import random

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from minqing.appraisal.models import (
    AppraisalRound,
    ExemplaryCase,
    FollowUpAction,
    Inspection,
    Sample,
)
from minqing.appraisal.services import campaign_per_cadre, campaign_questions, draw_sample, eligible_pairings
from minqing.org.models import Account, Cadre
from minqing.programs.models import Campaign, LiaisonPoint, Pairing, Team

from .fast import fast_insert
from .fieldwork import DEMO_TODAY

QUARTERS = [
    (2, dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    (3, dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    (4, dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
]
# (campaign program, office that calls, inspector)
CAMPAIGNS = [
    ("xiajiceng", "office", "inspector"),
    ("shugen", "office", "inspector"),
    ("sanfuwu", "office_jinan", "office_jinan"),
]
FINDINGS = {
    "good": ["走访记录完整，群众认可度高", "驻村天数达标，帮扶措施落实到位"],
    "fair": ["走访记录基本完整，个别户走访间隔偏长", "帮扶计划推进正常，台账更新稍有滞后"],
    "average": ["民情日记记录简单，问题跟踪不够", "部分结对户反映干部来得少"],
    "poor": ["结对户不认识帮扶干部", "走访记录与实际不符，存在补记现象"],
}
ACTIONS = ["补齐走访记录并逐户回访", "完善民情台账", "一周内回访反映问题的农户", "向村党支部说明整改情况"]
METHODS = {
    "open": "查阅台账、座谈",
    "unannounced": "随机入户暗访",
    "revisit": "电话及入户回访服务对象",
    "democratic": "召开群众代表评议会",
}
COMMENTS = ["希望干部多来村里走走", "帮我们解决了饮水问题，很感谢", "路灯的事还没落实"]
STORIES = [
    ("扎根基层的“贴心人”", "一年来走访结对户四十余次，帮助解决饮水、就医等难题十余件，群众称他为“贴心人”。"),
    ("帮扶路上的领头雁", "带领工作队争取道路硬化项目，协调资金，带动村里发展种养产业。"),
    ("把群众的事当自己的事", "坚持每月入户，代办医保、养老保险续费，帮助留守老人解决实际困难。"),
]


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _day(rng, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def build_appraisal(seed: int, progress=None) -> dict:
    rng = random.Random(seed * 7919 + 11)
    counts = {
        "appraisal_rounds": 0,
        "appraisal_samples": 0,
        "inspections": 0,
        "follow_up_actions": 0,
        "exemplary_cases": 0,
    }
    accounts = dict(
        Account.objects.filter(username__in=["office", "office_jinan", "inspector", "leader"]).values_list(
            "username", "pk"
        )
    )
    round_rows, sample_rows, inspection_rows, action_rows, case_rows = [], [], [], [], []
    round_id = (AppraisalRound.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    inspection_id = (Inspection.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    for program, office, inspector in CAMPAIGNS:
        campaign = Campaign.objects.filter(program_key=program).order_by("id").first()
        if campaign is None:
            continue
        questions = campaign_questions(campaign)
        per_cadre = campaign_per_cadre(campaign)
        cadre_ids = sorted(set(Pairing.objects.filter(campaign=campaign).values_list("cadre_id", flat=True)))
        if not cadre_ids:
            continue
        # A cadre's standing with the residents: most do well, some poorly.
        quality = {c: min(1.0, max(0.0, rng.gauss(0.8, 0.15))) for c in cadre_ids}
        office_cadre = Cadre.objects.filter(account_id=accounts[office]).values_list("id", flat=True).first()
        for quarter, start, end in QUARTERS:
            if end < campaign.start or start > DEMO_TODAY or (campaign.end and start > campaign.end):
                continue
            current = end > DEMO_TODAY
            drawn_on = start + dt.timedelta(days=7) if current else end - dt.timedelta(days=14)
            drawn_on = max(drawn_on, campaign.start)
            round_seed = rng.getrandbits(48)
            drawn = draw_sample(eligible_pairings(campaign, drawn_on), seed=round_seed, per_cadre=per_cadre)
            if not any(drawn.values()):
                continue
            released_at = None if current else _at(end + dt.timedelta(days=10), 10, 0)
            round_rows.append(
                (
                    round_id,
                    campaign.pk,
                    f"2026-Q{quarter}",
                    start,
                    end,
                    questions,
                    per_cadre,
                    round_seed,
                    "open" if current else "released",
                    accounts[office],
                    _at(drawn_on, 9, 0),
                    accounts[office] if released_at else None,
                    released_at,
                )
            )
            call_end = min(DEMO_TODAY, end + dt.timedelta(days=7))
            for cadre_id, chosen in drawn.items():
                q = quality[cadre_id]
                for position, (pairing_id, household_id, region_id) in enumerate(chosen, start=1):
                    roll = rng.random()
                    # The current round: about half the households asked so far; the office's own
                    # appraisal is left to others.
                    if (current and rng.random() < 0.5) or cadre_id == office_cadre:
                        status = "pending"
                    elif roll < 0.07:
                        status = "unreachable"
                    elif roll < 0.09:
                        status = "declined"
                    else:
                        status = "answered"
                    verdict, answers, channel, recorded, called, answered = "", {}, "", None, None, None
                    if status != "pending":
                        channel = "link" if status == "answered" and rng.random() < 0.15 else "phone"
                        when = _at(
                            _day(rng, drawn_on + dt.timedelta(days=1), call_end),
                            rng.randrange(9, 18),
                            rng.randrange(60),
                        )
                        if channel == "phone":
                            recorded, called = accounts[office], when
                    if status == "answered":
                        r = rng.random()
                        verdict = (
                            "satisfied" if r < q else "basic" if r < q + (1 - q) * 0.7 else "unsatisfied"
                        )
                        answered = when
                        for question in questions:
                            if question.get("type") == "yesno":
                                answers[question["key"]] = "yes" if rng.random() < 0.5 + q / 2 else "no"
                            elif question.get("type", "verdict") == "verdict":
                                answers[question["key"]] = verdict if rng.random() < 0.8 else "basic"
                            elif rng.random() < 0.1:
                                answers[question["key"]] = rng.choice(COMMENTS)
                    sample_rows.append(
                        (
                            round_id,
                            cadre_id,
                            pairing_id,
                            household_id,
                            region_id,
                            position,
                            status,
                            channel,
                            verdict,
                            answers,
                            "",
                            recorded,
                            called,
                            answered,
                        )
                    )
            round_id += 1

        # Inspections: a few cadres a month by every method, the weaker ones rated lower.
        unit_region = dict(Cadre.objects.filter(id__in=cadre_ids).values_list("id", "unit__region_id"))
        points = list(
            LiaisonPoint.objects.filter(pairings__campaign=campaign).distinct().values_list("id", "region_id")
        )
        start = max(campaign.start, dt.date(2026, 1, 1))
        stop = min(DEMO_TODAY, campaign.end or DEMO_TODAY)
        count = max(3, len(cadre_ids) // 6)
        inspector_id = accounts[inspector]
        inspector_cadre = Cadre.objects.filter(account_id=inspector_id).values_list("id", flat=True).first()
        kinds = ["open", "unannounced", "revisit", "democratic"]
        for _ in range(count):
            cadre_id = rng.choice(cadre_ids)
            if cadre_id == inspector_cadre:
                continue
            kind = rng.choices(kinds, weights=[4, 3, 3, 1])[0]
            day = _day(rng, start, stop)
            q = quality[cadre_id]
            rating = "good" if q > 0.85 else "fair" if q > 0.7 else "average" if q > 0.5 else "poor"
            point_id, region_id = None, unit_region[cadre_id]
            if points and kind == "democratic":
                point_id, region_id = rng.choice(points)
            inspection_rows.append(
                (
                    inspection_id,
                    campaign.pk,
                    kind,
                    day,
                    inspector_id,
                    cadre_id,
                    point_id,
                    region_id,
                    METHODS[kind],
                    rng.choice(FINDINGS[rating]),
                    rating,
                    inspector_id,
                    _at(day, 17, 0),
                )
            )
            if rating in ("average", "poor") or rng.random() < 0.15:
                for text in rng.sample(ACTIONS, rng.randint(1, 2)):
                    deadline = day + dt.timedelta(days=rng.choice([7, 14, 30]))
                    done = deadline < DEMO_TODAY and rng.random() < 0.75
                    done_on = (
                        min(DEMO_TODAY, deadline - dt.timedelta(days=rng.randint(-5, 5))) if done else None
                    )
                    action_rows.append(
                        (
                            inspection_id,
                            text,
                            cadre_id,
                            deadline,
                            done_on,
                            "已整改" if done else "",
                            inspector_id if done else None,
                        )
                    )
            inspection_id += 1

        # Exemplary cases: the best cadres nominated, some selected and published, a team too.
        best = sorted(cadre_ids, key=lambda c: -quality[c])[:3]
        team = Team.objects.filter(campaign=campaign).order_by("id").first()
        cadre_region = unit_region
        for index, cadre_id in enumerate(best):
            title, story = STORIES[index % len(STORIES)]
            nominated = _at(_day(rng, max(start, dt.date(2026, 6, 1)), dt.date(2026, 10, 31)), 10, 0)
            status = ["published", "selected", "nominated"][index]
            case_rows.append(
                (
                    campaign.pk,
                    "cadre",
                    cadre_id,
                    None,
                    None,
                    cadre_region[cadre_id],
                    title,
                    story,
                    status,
                    accounts["leader"] if office == "office" else accounts[office],
                    nominated,
                    accounts[office] if status != "nominated" else None,
                    nominated + dt.timedelta(days=5) if status != "nominated" else None,
                    nominated + dt.timedelta(days=9) if status == "published" else None,
                )
            )
        if team is not None:
            nominated = _at(dt.date(2026, 9, 1), 10, 0)
            case_rows.append(
                (
                    campaign.pk,
                    "team",
                    None,
                    team.pk,
                    None,
                    campaign.region_id,
                    f"{team.name}：先进工作队",
                    "工作队结对帮扶成效明显，群众满意度高。",
                    "published",
                    accounts[office],
                    nominated,
                    accounts[office],
                    nominated + dt.timedelta(days=3),
                    nominated + dt.timedelta(days=6),
                )
            )

    counts["appraisal_rounds"] = fast_insert(
        AppraisalRound,
        [
            "id",
            "campaign_id",
            "period",
            "start",
            "end",
            "questions",
            "per_cadre",
            "seed",
            "status",
            "drawn_by_id",
            "drawn_at",
            "released_by_id",
            "released_at",
        ],
        round_rows,
    )
    counts["appraisal_samples"] = fast_insert(
        Sample,
        [
            "round_id",
            "cadre_id",
            "pairing_id",
            "household_id",
            "region_id",
            "position",
            "status",
            "channel",
            "verdict",
            "answers",
            "comment",
            "recorded_by_id",
            "called_at",
            "answered_at",
        ],
        sample_rows,
        progress=progress,
        label=gettext_noop("appraisal"),
    )
    counts["inspections"] = fast_insert(
        Inspection,
        [
            "id",
            "campaign_id",
            "kind",
            "date",
            "inspector_id",
            "cadre_id",
            "point_id",
            "region_id",
            "method",
            "findings",
            "rating",
            "created_by_id",
            "created_at",
        ],
        inspection_rows,
    )
    counts["follow_up_actions"] = fast_insert(
        FollowUpAction,
        ["inspection_id", "text", "owner_id", "deadline", "done_on", "done_note", "done_by_id"],
        action_rows,
    )
    counts["exemplary_cases"] = fast_insert(
        ExemplaryCase,
        [
            "campaign_id",
            "subject",
            "cadre_id",
            "team_id",
            "point_id",
            "region_id",
            "title",
            "story",
            "status",
            "nominated_by_id",
            "nominated_at",
            "decided_by_id",
            "decided_at",
            "published_at",
        ],
        case_rows,
    )
    # Rounds and inspections were written with their ids: move PostgreSQL's sequences past them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [AppraisalRound, Inspection]):
            cursor.execute(sql)
    return counts
