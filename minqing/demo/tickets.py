"""A year of demands for the demo: about one ticket per two households of the county,
spread over the running campaigns' dates up to the demo's today, with realistic
outcomes — most answered in time and closed after a satisfied follow-up, some late,
some still open past their deadline, a few returned, escalated, reopened or merged.
Rows are built in memory and written with bulk_create, events included."""

import datetime as dt
import random

from django.utils import timezone
from django.utils.translation import gettext_noop

from minqing.core.personal import Phone
from minqing.demo.fast import fast_insert, fast_insert_objects, indexes_later, instance_maker
from minqing.org.models import Account, Unit
from minqing.people.models import Household
from minqing.programs.models import Campaign, LiaisonPoint
from minqing.tickets import workflow
from minqing.tickets.models import Channel, Status, Ticket, TicketEvent, TicketSequence, Tier

REPLIES = [
    "已联系相关部门现场处理，问题已解决。",
    "已纳入本月工作计划，正在协调资金。",
    "已向群众解释政策，并协助办理申请手续。",
    "经核实情况属实，已责成村委会整改。",
    "已上门回复，约定下周复查。",
]
TITLES = {
    "livelihood": ["饮水困难", "住房漏雨", "用电不稳定"],
    "urban_rural": ["村道破损", "路灯不亮", "排水沟堵塞"],
    "social_security": ["低保申请", "医保报销咨询", "养老金未到账"],
    "education_health": ["孩子上学路远", "村卫生室缺药"],
    "environment": ["河道垃圾", "养殖场异味"],
    "public_order": ["邻里纠纷", "夜间噪音"],
    "hardship_relief": ["大病救助", "临时困难救助"],
    "income": ["农产品销路", "务工信息"],
    "culture": ["文化活动场地"],
    "cadre_conduct": ["办事推诿"],
    "enterprise": ["企业用工难", "企业融资难"],
    "project": ["项目用地协调"],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def build_tickets(seed: int, *, per_households: int = 2, today: dt.date | None = None, progress=None) -> dict:
    rng = random.Random(seed * 104729 + 5)
    today = today or timezone.localdate()
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    campaigns = list(Campaign.objects.select_related("region").order_by("id"))
    households = list(Household.objects.values_list("id", "region_id"))
    accounts = list(Account.objects.filter(cadre__isnull=False).values_list("id", "cadre__unit__region_id"))
    units = list(Unit.objects.values_list("id", "region_id", "kind"))
    points = {}
    for pk, region in LiaisonPoint.objects.filter(kind="village").values_list("id", "region_id"):
        points[region[:9]] = points.get(region[:9], []) + [pk]
    tickets, events = [], []
    new_ticket = instance_maker(Ticket)
    next_id = (Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    number = 0
    for campaign in campaigns:
        prefix = campaign.region.prefix
        mine = [h for h in households if h[1].startswith(prefix)]
        categories = [c["key"] for c in campaign.config.get("ticket_categories", [])] or [""]
        ledgers = [
            c["key"] for c in campaign.config.get("ledgers", []) if c["key"] not in ("deeds", "hardship")
        ]
        county_units = [u for u in units if u[1].startswith(prefix[:6])]
        town_units = {u[1][:9]: u[0] for u in county_units if u[2] == Unit.Kind.TOWNSHIP}
        body_units = [u[0] for u in county_units if u[2] == Unit.Kind.BODY] or [u[0] for u in county_units]
        staff = [a[0] for a in accounts if a[1].startswith(prefix[:6])]
        first = campaign.start
        last = min(campaign.end or today, today - dt.timedelta(days=1))
        if not mine or last < first or not body_units:
            continue
        # Campaigns over the same region share its households (about one demand per two);
        # a campaign of a township or a zone inside it adds a smaller part of its own.
        alike = sum(1 for c in campaigns if c.region.prefix == prefix)
        share = len(mine) // per_households // (alike if len(prefix) <= 6 else 4 * alike)
        span = (last - first).days + 1
        for _ in range(share):
            number += 1
            household_id, region_id = rng.choice(mine)
            day = first + dt.timedelta(days=rng.randrange(span))
            registered = timezone.make_aware(
                dt.datetime.combine(day, dt.time(rng.randrange(8, 19), rng.randrange(60)))
            )
            tier = rng.choices([Tier.ON_SPOT, Tier.TOWNSHIP, Tier.ESCALATED], [30, 55, 15])[0]
            category = rng.choice(categories)
            unit = (town_units.get(region_id[:9]) if tier != Tier.ESCALATED else None) or rng.choice(
                body_units
            )
            deadline = workflow.deadline_for(
                campaign=campaign, tier=tier, category=category, start=registered
            )
            channel = rng.choices(
                [Channel.VISIT, Channel.FEEDBACK, Channel.RECEPTION, Channel.QR, Channel.OFFICE],
                [45, 15, 15, 20, 5],
            )[0]
            creator = rng.choice(staff) if staff and channel != Channel.QR else None
            t = new_ticket(
                id=next_id,
                code=f"MQ-{registered.year}-{number:06d}",
                campaign_id=campaign.pk,
                ledger=rng.choice(ledgers) if ledgers else "",
                category=category,
                title=rng.choice(TITLES.get(category, ["群众诉求"])),
                description="群众反映："
                + rng.choice(TITLES.get(category, ["群众诉求"]))
                + "，请尽快协调解决。",
                channel=channel,
                household_id=household_id if channel != Channel.QR else None,
                contact_name=rng.choice(SURNAMES) + rng.choice("先生女士大爷大妈")
                if channel == Channel.QR
                else "",
                contact_phone=Phone(phone) if (phone := _phone(rng, channel)) else None,
                phone_last4=phone[-4:],
                region_id=region_id,
                point_id=rng.choice(points.get(region_id[:9], [None])),
                tier=tier,
                unit_id=unit,
                status=Status.REGISTERED,
                registered_at=registered,
                deadline=deadline,
                created_by_id=creator,
                priority=rng.choices([1, 2, 3], [10, 80, 10])[0],
            )
            next_id += 1
            _outcome(t, rng, now, staff, events)
            tickets.append(t)
    names = dict(Account.objects.values_list("id", "full_name"))
    no_detail = {}
    with indexes_later(Ticket, TicketEvent):
        fast_insert_objects(Ticket, tickets, progress=progress, label=gettext_noop("tickets"))
        fast_insert(
            TicketEvent,
            [
                "ticket",
                "at",
                "actor",
                "actor_label",
                "action",
                "from_status",
                "to_status",
                "reason",
                "detail",
            ],
            (
                (ticket_id, at, actor, names.get(actor) or "群众", action, frm, to, reason, no_detail)
                for ticket_id, at, actor, action, frm, to, reason in events
            ),
            progress=progress,
            label=gettext_noop("ticket events"),
        )
    years = {}
    for t in tickets:
        years[t.registered_at.year] = max(years.get(t.registered_at.year, 0), int(t.code[-6:]))
    for year, last_number in years.items():
        TicketSequence.objects.update_or_create(year=year, defaults={"last": last_number})
    _reset_ticket_sequence()
    return {"tickets": len(tickets), "ticket_events": len(events)}


def _phone(rng: random.Random, channel: str) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if channel == Channel.QR else ""


def _event(events, t, at, actor, action, frm, to, reason=""):
    events.append((t.id, at, actor, action, frm, to, reason))


def _outcome(t: Ticket, rng: random.Random, now: dt.datetime, staff: list, events: list) -> None:
    """Walk the ticket along the graph as far as its age and luck take it."""
    h = dt.timedelta(hours=1)
    _event(events, t, t.registered_at, t.created_by_id, "register", "", Status.REGISTERED)
    office = staff[0] if staff else None
    dispatched = t.registered_at + rng.uniform(0.1, 3) * h
    if dispatched > now:
        return
    if rng.random() < 0.01:
        t.status = Status.MERGED
        _event(events, t, dispatched, office, "merge", Status.REGISTERED, Status.MERGED)
        return
    if rng.random() < 0.02:
        t.status, t.unit_id = Status.RETURNED, None
        _event(events, t, dispatched, office, "return", Status.REGISTERED, Status.RETURNED, "非本单位职责")
        return
    _event(events, t, dispatched, office, "dispatch", Status.REGISTERED, Status.REGISTERED)
    # Most are taken within the day; some lie unclaimed for more than 24 hours.
    accepted = dispatched + (rng.uniform(0.2, 20) if rng.random() < 0.9 else rng.uniform(24, 72)) * h
    if accepted > now or rng.random() < 0.015:
        return
    owner = rng.choice(staff) if staff else None
    t.status, t.owner_id, t.accepted_at = Status.ACCEPTED, owner, accepted
    t.response_seconds = int((accepted - t.registered_at).total_seconds())
    _event(events, t, accepted, owner, "claim", Status.REGISTERED, Status.ACCEPTED)
    allowed = (t.deadline - t.registered_at).total_seconds()
    late = rng.random() < 0.12
    stuck = rng.random() < 0.05
    replied = (
        t.registered_at + dt.timedelta(seconds=allowed * rng.uniform(1.05, 2.5))
        if late
        else accepted
        + dt.timedelta(seconds=max(0, (t.deadline - accepted).total_seconds()) * rng.uniform(0.05, 0.95))
    )
    if stuck or replied > now:
        t.status = Status.IN_PROGRESS
        _event(events, t, accepted + h, owner, "start", Status.ACCEPTED, Status.IN_PROGRESS)
        return
    t.status, t.replied_at, t.reply = Status.REPLIED, replied, rng.choice(REPLIES)
    _event(events, t, replied, owner, "reply", Status.ACCEPTED, Status.REPLIED)
    followed = replied + rng.uniform(4, 24 * 9) * h
    if followed > now or rng.random() < 0.12:
        return
    t.followed_up_at = followed
    t.resolved = rng.random() < 0.88
    t.satisfaction = rng.choices(
        ["satisfied", "basically", "dissatisfied"], [85, 12, 3] if t.resolved else [15, 45, 40]
    )[0]
    _event(events, t, followed, office, "follow_up", Status.REPLIED, Status.REPLIED)
    if t.satisfaction == "dissatisfied":
        t.status, t.owner_id = Status.REOPENED, None
        t.deadline = workflow.end_of_day(timezone.localtime(followed).date() + dt.timedelta(days=7))
        _event(events, t, followed, office, "reopen", Status.REPLIED, Status.REOPENED, "群众不满意")
        return
    verified = followed + rng.uniform(1, 48) * h
    if verified > now:
        return
    t.status = Status.VERIFIED
    _event(events, t, verified, office, "verify", Status.REPLIED, Status.VERIFIED)
    closed = verified + rng.uniform(1, 72) * h
    if closed > now or rng.random() < 0.1:
        return
    t.status, t.closed_at = Status.CLOSED, closed
    _event(events, t, closed, office, "close", Status.VERIFIED, Status.CLOSED)


def _reset_ticket_sequence() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, TicketEvent]):
            cursor.execute(sql)
