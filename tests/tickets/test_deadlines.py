import datetime as dt

from django.utils import timezone

from minqing.tickets import workflow
from minqing.tickets.models import Ticket, Tier

SHUGEN = {"on_spot_days": 0, "township_days": 10, "escalated_days": 20, "followup_days": 7}


class FakeCampaign:
    def __init__(self, deadlines):
        self.config = {"deadlines": deadlines}


def at(day, hour=9):
    return timezone.make_aware(dt.datetime(2026, 5, day, hour))


def test_on_the_spot_is_due_by_the_end_of_the_same_day():
    deadline = workflow.deadline_for(campaign=FakeCampaign(SHUGEN), tier=Tier.ON_SPOT, start=at(4, 23))
    assert timezone.localtime(deadline).date() == dt.date(2026, 5, 4)
    assert deadline >= at(4, 23) and deadline < at(5, 0)


def test_the_township_tier_allows_the_campaigns_days_counted_from_registration():
    deadline = workflow.deadline_for(campaign=FakeCampaign(SHUGEN), tier=Tier.TOWNSHIP, start=at(4))
    assert timezone.localtime(deadline).date() == dt.date(2026, 5, 14)


def test_a_category_may_have_its_own_days():
    campaign = FakeCampaign({**SHUGEN, "public_order_days": 2})
    deadline = workflow.deadline_for(
        campaign=campaign, tier=Tier.TOWNSHIP, category="public_order", start=at(4)
    )
    assert timezone.localtime(deadline).date() == dt.date(2026, 5, 6)


def test_without_a_campaign_the_defaults_apply():
    deadline = workflow.deadline_for(campaign=None, tier=Tier.ESCALATED, start=at(1))
    assert timezone.localtime(deadline).date() == dt.date(2026, 5, 16)


def test_a_ticket_replied_at_the_last_moment_is_on_time_and_one_later_is_overdue():
    deadline = workflow.deadline_for(campaign=FakeCampaign(SHUGEN), tier=Tier.TOWNSHIP, start=at(4))
    on_time = Ticket(status="replied", deadline=deadline, replied_at=deadline)
    late = Ticket(status="replied", deadline=deadline, replied_at=deadline + dt.timedelta(microseconds=1))
    assert not on_time.is_overdue and late.is_overdue


def test_an_open_ticket_is_flagged_overdue_only_after_its_deadline(desk):
    ticket = desk.dispatched()
    assert not ticket.is_overdue
    Ticket.objects.filter(pk=ticket.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    assert Ticket.objects.get(pk=ticket.pk).is_overdue
