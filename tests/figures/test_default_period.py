"""The dashboard opens on a month of the campaign: this month while it runs, its first month
before it starts, its last month after it ended (a month outside it shows nothing)."""

import datetime as dt

from django.utils import timezone

from minqing.figures.periods import campaign_month, campaign_timing
from minqing.programs.models import Campaign


class Dates:
    def __init__(self, start, end):
        self.start, self.end = start, end


def test_the_default_month_is_within_the_campaign():
    today = dt.date(2026, 11, 20)
    past = Dates(dt.date(2026, 3, 8), dt.date(2026, 4, 8))
    future = Dates(dt.date(2027, 3, 8), dt.date(2027, 4, 8))
    running = Dates(dt.date(2026, 1, 1), None)
    assert (campaign_month(past, today).code, campaign_timing(past, today)) == ("2026-04", "ended")
    assert (campaign_month(future, today).code, campaign_timing(future, today)) == ("2027-03", "not_started")
    assert (campaign_month(running, today).code, campaign_timing(running, today)) == ("2026-11", "")
    last_day = Dates(dt.date(2026, 10, 1), today)
    assert (campaign_month(last_day, today).code, campaign_timing(last_day, today)) == ("2026-11", "")


def _dated(campaign, start, end):
    Campaign.objects.filter(pk=campaign.pk).update(start=start, end=end)
    campaign.refresh_from_db()
    return campaign


def test_a_campaign_not_yet_started_opens_on_its_first_month_and_says_so(client_as, campaign):
    today = timezone.localdate()
    start = today.replace(day=1) + dt.timedelta(days=100)
    _dated(campaign, start, start + dt.timedelta(days=31))
    response = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["sel"].period.code == f"{start:%Y-%m}"
    html = response.content.decode()
    assert 'id="campaign-timing"' in html and "has not started yet" in html
    # A period asked for is shown as asked, still with the word on the campaign.
    asked = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/?period={today:%Y-%m}")
    assert asked.context["sel"].period.code == f"{today:%Y-%m}"
    assert 'id="campaign-timing"' in asked.content.decode()


def test_an_ended_campaign_opens_on_its_last_month_and_says_so(client_as, campaign):
    today = timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=200)
    _dated(campaign, end - dt.timedelta(days=31), end)
    response = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["sel"].period.code == f"{end:%Y-%m}"
    html = response.content.decode()
    assert 'id="campaign-timing"' in html and "ended on" in html
    # A period the box refuses falls back on the same month, not today's.
    refused = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/?period=nonsense")
    assert refused.context["problem"] and refused.context["sel"].period.code == f"{end:%Y-%m}"


def test_a_running_campaign_opens_on_this_month_without_a_word(client_as, campaign):
    today = timezone.localdate()
    _dated(campaign, today - dt.timedelta(days=60), today + dt.timedelta(days=60))
    response = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/")
    assert response.context["sel"].period.code == f"{today:%Y-%m}"
    assert 'id="campaign-timing"' not in response.content.decode()


def test_the_api_without_a_period_gives_the_campaigns_month_too(client, campaign, capsys):
    from django.core.management import call_command

    today = timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=200)
    _dated(campaign, end - dt.timedelta(days=31), end)
    call_command("token", "create", "office")
    token = capsys.readouterr().out.strip()
    body = client.get(f"/api/v1/campaigns/{campaign.pk}/figures", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["period"]["code"] == f"{end:%Y-%m}"
