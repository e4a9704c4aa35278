"""The four figures on a hand-made scenario, with the numbers worked out by hand."""

import datetime as dt
import re

from django.utils import timezone

from minqing.geo.models import Region
from minqing.org.services import unit_create
from minqing.tickets import selectors
from minqing.tickets.models import Ticket

AS_OF = timezone.make_aware(dt.datetime(2026, 6, 1, 12))


def at(month, day, hour=9):
    return timezone.make_aware(dt.datetime(2026, month, day, hour))


def test_the_three_rates_and_the_on_time_rate_match_the_hand_count(desk):
    unit = unit_create(actor=desk.office, name="测试住建局", region=Region.objects.get(code="431123000000"))
    registered = at(5, 4)
    deadline = timezone.make_aware(dt.datetime(2026, 5, 14, 23, 59, 59))  # township: 10 days (shugen)

    def made(**fields):
        if "accepted_at" in fields:
            at_ = fields.get("registered_at", registered)
            fields["response_seconds"] = int((fields["accepted_at"] - at_).total_seconds())
        ticket = desk.ticket()
        Ticket.objects.filter(pk=ticket.pk).update(
            unit=unit,
            registered_at=fields.pop("registered_at", registered),
            deadline=fields.pop("deadline", deadline),
            **fields,
        )
        return ticket

    h = dt.timedelta(hours=1)
    # T1: taken after 2 h, replied on day 3, resolved, satisfied.
    made(
        status="replied",
        accepted_at=registered + 2 * h,
        replied_at=at(5, 7),
        resolved=True,
        satisfaction="satisfied",
    )
    # T2: taken after 30 h (too late to count as a response), replied after the deadline, unresolved, dissatisfied.
    made(
        status="replied",
        accepted_at=registered + 30 * h,
        replied_at=at(5, 15),
        resolved=False,
        satisfaction="dissatisfied",
    )
    # T3: taken after 1 h, replied within the deadline, resolved, basically satisfied.
    made(
        status="closed",
        accepted_at=registered + h,
        replied_at=at(5, 10),
        resolved=True,
        satisfaction="basically",
    )
    # T4: taken after 5 h, never replied, deadline passed: due and not on time.
    made(status="in_progress", accepted_at=registered + 5 * h)
    # T5: registered on 30 May, not yet taken, deadline 9 June: not due yet.
    made(status="registered", registered_at=at(5, 30), deadline=at(6, 9, 23))
    # T6: a duplicate merged into T1: counted nowhere.
    made(status="merged", accepted_at=registered + h)

    rows = selectors.rates(user=desk.office, by="unit", campaign=desk.campaign, as_of=AS_OF)
    row = next(r for r in rows if r["group"] == unit.pk)
    assert (row["total"], row["responded"], row["rated"], row["resolved"]) == (5, 3, 3, 2)
    assert (row["satisfaction_rated"], row["satisfied"], row["due"], row["on_time"]) == (3, 2, 4, 2)
    assert row["response_rate"] == 60.0  # 3 / 5
    assert row["resolution_rate"] == 66.7  # 2 / 3
    assert row["satisfaction_rate"] == 66.7  # (1 satisfied + 1 basically) / 3
    assert row["on_time_rate"] == 50.0  # 2 / 4


def test_rates_are_limited_to_the_viewers_scope(desk, actor):
    desk.replied()
    assert selectors.rates(user=actor("office_jinan"), by="unit", campaign=desk.campaign) == []
    assert selectors.rates(user=actor("auditor"), by="ledger") == []


def test_rates_by_unit_take_one_query(desk, django_assert_num_queries, actor):
    desk.replied()
    office = actor("office")
    from minqing.core.scope import scope_for

    scope_for(office)
    with django_assert_num_queries(1):
        selectors.rates(user=office, by="unit")


def test_the_figures_page_names_ledgers_and_categories_as_the_campaign_does(client_as, desk):
    desk.replied()  # ledger "minqing", category "urban_rural" of 树根工作法
    office = client_as("office")
    by_ledger = office.get("/tickets/figures/?by=ledger").content.decode()
    # Other campaigns of the county name "minqing" too (民情日记汇总): the row says both.
    assert re.search(r"<td>[^<]*民情台账[^<]*</td>", by_ledger)
    assert "<td>minqing</td>" not in by_ledger
    by_category = office.get("/tickets/figures/?by=category").content.decode()
    assert re.search(r"<td>[^<]*城乡建设[^<]*</td>", by_category)
    assert "<td>urban_rural</td>" not in by_category


def test_a_key_two_campaigns_name_differently_is_named_by_both(desk, actor):
    from minqing.programs.models import Campaign

    other = Campaign.objects.exclude(pk=desk.campaign.pk).filter(region=desk.campaign.region).first()
    config = dict(other.config)
    config["ledgers"] = [*config.get("ledgers", []), {"key": "minqing", "name": "民情日记汇总"}]
    Campaign.objects.filter(pk=other.pk).update(config=config)
    desk.ticket()
    names = selectors.group_labels("ledger", ["minqing", "unknown_key"], user=desk.office)
    assert set(names["minqing"].split("、")) >= {"民情台账", "民情日记汇总"}
    assert names["unknown_key"] == "unknown_key"  # no campaign names it: shown as it is
    only = selectors.group_labels("ledger", ["minqing"], user=desk.office, campaign=desk.campaign.pk)
    assert only == {"minqing": "民情台账"}


def test_the_api_rates_keep_the_key_and_add_the_name(desk, client, capsys):
    from django.core.management import call_command

    desk.replied()
    call_command("token", "create", "office")
    token = capsys.readouterr().out.strip()
    rows = client.get(
        f"/api/v1/tickets/rates?by=category&campaign={desk.campaign.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    row = next(r for r in rows if r["group"] == "urban_rural")
    assert row["name"] == "城乡建设"
    units = client.get("/api/v1/tickets/rates?by=unit", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert any(r["group"] == desk.unit.pk and r["name"] == desk.unit.name for r in units)


def test_the_cli_rates_name_the_ledgers(desk):
    import io

    from django.core.management import call_command

    desk.replied()
    out = io.StringIO()
    call_command("ticket", "rates", "--as", "office", "--by", "ledger", stdout=out)
    assert "民情台账" in out.getvalue()


def test_naming_the_ledgers_takes_one_query(desk, django_assert_num_queries, actor):
    desk.replied()
    office = actor("office")
    from minqing.core.scope import scope_for

    scope_for(office)
    rows = selectors.rates(user=office, by="ledger")
    with django_assert_num_queries(1):
        selectors.group_labels("ledger", [r["group"] for r in rows], user=office)
