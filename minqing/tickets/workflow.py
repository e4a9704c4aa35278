"""The status graph of a ticket and the deadlines of its tiers.

registered → accepted → in progress → replied → verified → closed, with the side
paths escalated (next tier, new deadline), returned (wrong unit), reopened
(resident dissatisfied) and merged (duplicate). An action is allowed only from
the statuses listed here; anything else is refused."""

import datetime as dt

from django.utils import timezone

from .models import Status, Tier

S = Status
# The statuses in which the handling unit holds the ticket and may ask for more time.
EXTENDABLE: tuple[str, ...] = (S.ACCEPTED, S.IN_PROGRESS)
# action → (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "dispatch": ((S.REGISTERED, S.RETURNED, S.ESCALATED, S.REOPENED), None),
    "claim": ((S.REGISTERED, S.ESCALATED, S.REOPENED), S.ACCEPTED),
    "start": ((S.ACCEPTED,), S.IN_PROGRESS),
    "reply": ((S.ACCEPTED, S.IN_PROGRESS), S.REPLIED),
    "verify": ((S.REPLIED,), S.VERIFIED),
    "close": ((S.VERIFIED,), S.CLOSED),
    "escalate": ((S.REGISTERED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED), S.ESCALATED),
    "return": ((S.REGISTERED, S.ACCEPTED, S.IN_PROGRESS, S.ESCALATED, S.REOPENED), S.RETURNED),
    "reopen": ((S.REPLIED, S.VERIFIED, S.CLOSED), S.REOPENED),
    "merge": ((S.REGISTERED, S.RETURNED, S.ESCALATED, S.REOPENED, S.ACCEPTED), S.MERGED),
    "follow_up": ((S.REPLIED, S.VERIFIED, S.CLOSED), None),
    # 延期: the unit that took the ticket asks for more time, the office decides; the status stays.
    "extend": (EXTENDABLE, None),
    "extend_approve": (EXTENDABLE, None),
    "extend_refuse": (EXTENDABLE, None),
    "edit": (tuple(s for s in S.values if s != S.MERGED), None),
    # Filing into another ledger or category of the campaign: the status stays.
    "classify": (tuple(s for s in S.values if s != S.MERGED), None),
}

NEXT_TIER = {Tier.ON_SPOT: Tier.TOWNSHIP, Tier.TOWNSHIP: Tier.ESCALATED, Tier.ESCALATED: Tier.ESCALATED}
# extension_max_days: how far one extension may move the deadline (a campaign may set its own).
DEFAULT_DEADLINES = {
    "on_spot_days": 0,
    "township_days": 7,
    "escalated_days": 15,
    "followup_days": 7,
    "extension_max_days": 30,
}


def allowed(action: str, status: str) -> bool:
    sources, _ = TRANSITIONS[action]
    return status in sources


def actions_from(status: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def days_for(deadlines: dict, tier: str, category: str = "") -> int:
    """Days a tier allows; a campaign may give a category its own (`<category>_days`)."""
    if category and f"{category}_days" in deadlines:
        return deadlines[f"{category}_days"]
    key = f"{tier}_days"
    return deadlines.get(key, DEFAULT_DEADLINES[key])


def campaign_deadlines(campaign) -> dict:
    return {**DEFAULT_DEADLINES, **((campaign.config.get("deadlines") if campaign else None) or {})}


def deadline_for(*, campaign, tier: str, category: str = "", start: dt.datetime) -> dt.datetime:
    """The end of the last allowed day (local time): on the spot = the same day."""
    days = days_for(campaign_deadlines(campaign), tier, category)
    last_day = timezone.localtime(start).date() + dt.timedelta(days=days)
    return end_of_day(last_day)


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59, 999999)))
