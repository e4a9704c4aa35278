"""延期: the handling unit asks for more time, the office approves or refuses."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import formats, timezone, translation

from minqing.core.models import AuditEvent
from minqing.org.services import token_create
from minqing.programs.rules import FAIL, PASS, RULE_TYPES, Context
from minqing.tickets import selectors, services
from minqing.tickets.models import DeadlineExtension, Ticket


def day_of(moment) -> dt.date:
    return timezone.localtime(moment).date()


@pytest.fixture
def taken(desk):
    """A demand dispatched to 民政局 and taken by its account."""
    ticket = desk.dispatched()
    return services.ticket_claim(actor=desk.unit_user, ticket=ticket)


def ask(desk, ticket, days=5, reason="需协调供电公司更换变压器"):
    new = day_of(ticket.deadline) + dt.timedelta(days=days)
    return services.ticket_extend(actor=desk.unit_user, ticket=ticket, new_deadline=new, reason=reason)


def test_an_approved_request_moves_the_deadline_with_an_event_and_an_audit_row_each(desk, taken):
    old = taken.deadline
    ask(desk, taken)
    taken.refresh_from_db()
    assert taken.deadline == old and taken.status == "accepted"
    services.ticket_extend_approve(actor=desk.office, ticket=taken, reason="同意")
    taken.refresh_from_db()
    assert day_of(taken.deadline) == day_of(old) + dt.timedelta(days=5)
    assert taken.status == "accepted"
    extension = DeadlineExtension.objects.get(ticket=taken)
    assert extension.status == "approved" and extension.decided_by == desk.office
    assert extension.old_deadline == old
    actions = list(taken.events.values_list("action", flat=True))
    assert actions[-2:] == ["extend", "extend_approve"]
    for action in ("ticket.extend", "ticket.extend_approve"):
        assert AuditEvent.objects.filter(action=action, object_id=str(taken.pk)).exists()


def test_a_refused_request_keeps_the_deadline_and_says_why(desk, taken):
    old = taken.deadline
    ask(desk, taken)
    with pytest.raises(ValidationError) as info:
        services.ticket_extend_refuse(actor=desk.office, ticket=taken, reason="")
    assert "reason" in info.value.message_dict
    services.ticket_extend_refuse(actor=desk.office, ticket=taken, reason="可在期限内办结")
    taken.refresh_from_db()
    assert taken.deadline == old
    extension = DeadlineExtension.objects.get(ticket=taken)
    assert extension.status == "refused" and extension.decision_reason == "可在期限内办结"
    assert taken.events.last().action == "extend_refuse"
    # Refused: the unit may ask again.
    ask(desk, taken, days=3)
    assert DeadlineExtension.objects.filter(ticket=taken, status="pending").count() == 1


def test_a_second_request_while_one_waits_is_refused(desk, taken):
    ask(desk, taken)
    version = Ticket.objects.get(pk=taken.pk).version
    with translation.override("en"), pytest.raises(services.TransitionRefused) as info:
        ask(desk, taken, days=2)
    assert "already waiting" in " ".join(info.value.messages)
    assert Ticket.objects.get(pk=taken.pk).version == version
    assert DeadlineExtension.objects.filter(ticket=taken).count() == 1


def test_the_new_last_day_is_bounded_and_must_be_later(desk, taken):
    for days in (0, -1, 31):
        with pytest.raises(ValidationError) as info:
            ask(desk, taken, days=days)
        assert "new_deadline" in info.value.message_dict, days
    ask(desk, taken, days=30)
    assert DeadlineExtension.objects.filter(ticket=taken).count() == 1


def test_a_campaign_may_set_its_own_bound(desk, taken):
    desk.campaign.config = {**desk.campaign.config, "deadlines": {"extension_max_days": 3}}
    desk.campaign.save(update_fields=["config"])
    taken = Ticket.objects.get(pk=taken.pk)
    with pytest.raises(ValidationError):
        ask(desk, taken, days=4)
    ask(desk, taken, days=3)


def test_a_request_after_the_deadline_keeps_the_ticket_overdue_until_approved(desk, taken):
    past = timezone.now() - dt.timedelta(days=2)
    Ticket.objects.filter(pk=taken.pk).update(deadline=past)
    taken = Ticket.objects.get(pk=taken.pk)
    ask(desk, taken, days=10)
    taken.refresh_from_db()
    assert taken.is_overdue
    assert selectors.ticket_list(user=desk.office, overdue=True).filter(pk=taken.pk).exists()
    services.ticket_extend_approve(actor=desk.office, ticket=taken)
    taken.refresh_from_db()
    assert not taken.is_overdue
    assert not selectors.ticket_list(user=desk.office, overdue=True).filter(pk=taken.pk).exists()


def test_only_the_tickets_unit_asks_and_only_a_dispatcher_decides(desk, taken, actor):
    for name in ("leader", "cadre", "office"):
        # The leader handles demands but is not this one's unit; the office reaches it by region.
        with pytest.raises(PermissionDenied):
            services.ticket_extend(
                actor=actor(name),
                ticket=taken,
                new_deadline=day_of(taken.deadline) + dt.timedelta(days=2),
                reason="理由充分",
            )
    ask(desk, taken)
    for name in ("unit", "leader", "cadre", "office_jinan"):
        with pytest.raises(PermissionDenied):
            services.ticket_extend_approve(actor=actor(name), ticket=taken)
    assert DeadlineExtension.objects.get(ticket=taken).status == "pending"


def test_an_office_colleague_of_the_handling_unit_does_not_decide_its_units_request(client_as, desk, taken):
    colleague = desk.colleague()
    ask(desk, taken)
    for decide in (services.ticket_extend_approve, services.ticket_extend_refuse):
        with pytest.raises(PermissionDenied):
            decide(actor=colleague, ticket=taken, reason="同意")
    assert DeadlineExtension.objects.get(ticket=taken).status == "pending"
    page = client_as(colleague.username, verified=True).get(f"/tickets/{taken.pk}/").content.decode()
    assert taken.code in page and 'value="extend_approve"' not in page
    services.ticket_extend_approve(actor=desk.office, ticket=taken)
    assert DeadlineExtension.objects.get(ticket=taken).status == "approved"


def test_a_ticket_leaving_the_units_hands_lets_its_request_lapse(desk, taken):
    ask(desk, taken)
    services.ticket_reply(actor=desk.unit_user, ticket=taken, reply="已办结")
    assert DeadlineExtension.objects.get(ticket=taken).status == "lapsed"
    with pytest.raises(services.TransitionRefused):
        services.ticket_extend_approve(actor=desk.office, ticket=taken)


def test_a_request_is_only_for_a_ticket_the_unit_took(desk):
    ticket = desk.dispatched()
    with pytest.raises(services.TransitionRefused):
        services.ticket_extend(
            actor=desk.unit_user,
            ticket=ticket,
            new_deadline=day_of(ticket.deadline) + dt.timedelta(days=2),
            reason="人手不足",
        )


def test_the_pages_ask_and_decide_and_a_wrong_role_gets_403(client_as, desk, taken):
    unit, office = client_as("unit"), client_as("office")
    url = f"/tickets/{taken.pk}/act/"
    page = unit.get(f"/tickets/{taken.pk}/").content.decode()
    assert 'value="extend"' in page
    new = day_of(taken.deadline) + dt.timedelta(days=4)
    with translation.override("en"):
        refused = unit.post(
            url, {"action": "extend", "version": taken.version, "new_deadline": "", "reason": "x"}
        )
    assert refused.status_code == 200 and DeadlineExtension.objects.count() == 0
    assert 'aria-invalid="true"' in refused.content.decode()
    unit.post(
        url,
        {"action": "extend", "version": taken.version, "new_deadline": new.isoformat(), "reason": "待协调"},
    )
    version = Ticket.objects.get(pk=taken.pk).version
    assert DeadlineExtension.objects.get(ticket=taken).status == "pending"
    assert unit.post(url, {"action": "extend_approve", "version": version}).status_code == 403
    board = office.get(f"/tickets/{taken.pk}/").content.decode()
    assert 'value="extend_approve"' in board and "待协调" in board
    office.post(url, {"action": "extend_approve", "version": version, "reason": "同意"})
    taken.refresh_from_db()
    assert day_of(taken.deadline) == new


def test_the_tracking_page_shows_the_new_deadline_but_not_the_reason(client, desk, taken):
    ask(desk, taken, days=6, reason="等待上级批复资金")
    services.ticket_extend_approve(actor=desk.office, ticket=taken, reason="内部批注")
    taken.refresh_from_db()
    page = client.post(
        "/t/track/", {"code": taken.code, "last4": "5678"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'id="track-deadline"' in page and "(extended)" in page
    assert "等待上级批复资金" not in page and "内部批注" not in page


def test_the_api_asks_and_decides(client, desk, taken, actor):
    def post(account, payload):
        token = token_create(actor=None, account=actor(account))
        return client.post(
            f"/api/v1/tickets/{taken.pk}/actions",
            payload,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    new = day_of(taken.deadline) + dt.timedelta(days=7)
    bad = post("unit", {"action": "extend", "version": taken.version, "new_deadline": None, "reason": "待料"})
    assert bad.status_code == 422
    asked = post(
        "unit",
        {"action": "extend", "version": taken.version, "new_deadline": new.isoformat(), "reason": "待料"},
    )
    assert asked.status_code == 200
    body = asked.json()
    assert body["pending_extension"]["reason"] == "待料"
    again = post(
        "unit",
        {"action": "extend", "version": body["version"], "new_deadline": new.isoformat(), "reason": "再"},
    )
    assert again.status_code == 422
    assert post("unit", {"action": "extend_approve", "version": body["version"]}).status_code == 403
    approved = post("office", {"action": "extend_approve", "version": body["version"]})
    assert approved.status_code == 200
    assert "pending_extension" not in approved.json()
    assert day_of(dt.datetime.fromisoformat(approved.json()["deadline"])) == new


def test_the_command_line_asks_and_refuses(desk, taken, capsys):
    new = day_of(taken.deadline) + dt.timedelta(days=2)
    call_command(
        "ticket",
        "act",
        taken.code,
        "extend",
        "--as",
        "unit",
        "--text",
        "材料未到",
        "--deadline",
        new.isoformat(),
    )
    with pytest.raises(CommandError):
        call_command("ticket", "act", taken.code, "extend_refuse", "--as", "unit", "--text", "不行")
    call_command("ticket", "act", taken.code, "extend_refuse", "--as", "office", "--text", "期限内可办结")
    assert DeadlineExtension.objects.get(ticket=taken).status == "refused"


def test_an_approved_extension_counts_on_time_in_the_rates_and_the_rule(desk, taken):
    deadline = taken.deadline
    ask(desk, taken, days=5)
    services.ticket_extend_approve(actor=desk.office, ticket=taken)
    other = services.ticket_claim(actor=desk.unit_user, ticket=desk.dispatched(title="另一盏路灯"))
    late = deadline + dt.timedelta(days=3)
    for ticket in (taken, other):
        Ticket.objects.filter(pk=ticket.pk).update(status="replied", replied_at=late, reply="已修")
    as_of = timezone.now() + dt.timedelta(days=40)
    rows = selectors.rates(user=desk.office, by="unit", campaign=desk.campaign.pk, as_of=as_of)
    row = next(r for r in rows if r["group"] == desk.unit.pk)
    assert row["on_time"] == 1 and row["replied"] == 2
    rule = RULE_TYPES["tickets.deadlines"]("k", "n", {"township_days": 10})
    verdicts = rule.evaluate(Context(desk.campaign, day_of(as_of)))
    verdict = next(v for v in verdicts if v.subject_id == desk.unit.pk)
    assert verdict.status == FAIL
    missing = " ".join(verdict.missing)
    assert other.code in missing and taken.code not in missing
    Ticket.objects.filter(pk=other.pk).update(replied_at=deadline)
    verdicts = rule.evaluate(Context(desk.campaign, day_of(as_of)))
    assert next(v for v in verdicts if v.subject_id == desk.unit.pk).status == PASS


def test_an_extension_granted_to_one_unit_does_not_move_the_next_units_last_day(desk, taken):
    from minqing.org.models import Unit

    ask(desk, taken, days=5)
    services.ticket_extend_approve(actor=desk.office, ticket=taken)
    extension = DeadlineExtension.objects.get(ticket=taken)
    other = Unit.objects.filter(path__startswith=desk.unit.path[:4]).exclude(pk=desk.unit.pk).first()
    services.ticket_escalate(actor=desk.office, ticket=taken, reason="需县级协调", unit=other)
    # Replied on the extension's last day: late for the escalated tier's two days.
    Ticket.objects.filter(pk=taken.pk).update(
        status="replied", replied_at=extension.new_deadline - dt.timedelta(hours=1), reply="已修"
    )
    as_of = timezone.now() + dt.timedelta(days=40)
    rule = RULE_TYPES["tickets.deadlines"]("k", "n", {"escalated_days": 2})

    def missing():
        verdicts = rule.evaluate(Context(desk.campaign, day_of(as_of)))
        return " ".join(next(v for v in verdicts if v.subject_id == other.pk).missing)

    assert taken.code in missing()
    # Granted before the escalation, it does not count for the unit now holding it either …
    DeadlineExtension.objects.filter(pk=extension.pk).update(unit=other)
    assert taken.code in missing()
    # … granted to that unit after the escalation, it does.
    escalated = taken.events.get(action="escalate").at
    DeadlineExtension.objects.filter(pk=extension.pk).update(decided_at=escalated + dt.timedelta(minutes=1))
    assert taken.code not in missing()


def test_an_extension_granted_before_a_reopening_does_not_move_the_new_last_day(desk, taken):
    ask(desk, taken, days=20)
    services.ticket_extend_approve(actor=desk.office, ticket=taken)
    extension = DeadlineExtension.objects.get(ticket=taken)
    services.ticket_reply(actor=desk.unit_user, ticket=taken, reply="已修")
    services.ticket_reopen(actor=desk.office, ticket=taken, reason="群众不满意")
    # Reopened today: ten days of its tier from today, not the extension's twenty-odd.
    rule = RULE_TYPES["tickets.deadlines"]("k", "n", {"township_days": 10})

    def verdict(day):
        verdicts = rule.evaluate(Context(desk.campaign, day))
        return next(v for v in verdicts if v.subject_id == desk.unit.pk)

    day = timezone.localdate() + dt.timedelta(days=11)
    assert day <= day_of(extension.new_deadline)
    v = verdict(day)
    assert v.status == FAIL and taken.code in " ".join(v.missing)
    assert taken.code not in " ".join(verdict(day - dt.timedelta(days=1)).missing)


def test_the_office_finds_waiting_requests_in_its_scope_in_a_fixed_number_of_queries(client_as, desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def waiting():
        ticket = services.ticket_claim(actor=desk.unit_user, ticket=desk.dispatched(title="待延期的诉求"))
        return ask(desk, ticket, reason="需要协调多个部门")

    first = waiting()
    ask(
        desk,
        services.ticket_claim(actor=desk.unit_user, ticket=desk.dispatched(title="另一件")),
        reason="请打13907461234联系",
    )
    office = client_as("office")

    def count():
        with CaptureQueriesContext(connection) as queries:
            page = office.get("/tickets/extensions/")
        assert page.status_code == 200
        return len(queries), page.content.decode()

    n, page = count()
    assert first.code in page and "需要协调多个部门" in page
    assert "139****1234" in page and "13907461234" not in page  # a reason is shown masked
    for _ in range(3):
        waiting()
    assert count()[0] == n
    assert first.code not in client_as("office_jinan").get("/tickets/extensions/").content.decode()
    assert client_as("unit").get("/tickets/extensions/").status_code == 403
    assert AuditEvent.objects.filter(action="ticket.list", detail__filters__extensions=True).exists()


def test_the_refusals_of_a_new_last_day_name_the_days_as_the_page_writes_dates(client_as, desk, taken):
    """须晚于现时限（2026年11月30日）, not （2026-11-30）: in the reader's language, on the page."""
    unit = client_as("unit")
    url = f"/tickets/{taken.pk}/act/"
    current = day_of(taken.deadline)
    latest = current + dt.timedelta(days=services.extension_max_days(desk.campaign))

    def refused(new: dt.date, **headers) -> str:
        page = unit.post(
            url,
            {
                "action": "extend",
                "version": taken.version,
                "new_deadline": new.isoformat(),
                "reason": "待协调",
            },
            **headers,
        ).content.decode()
        assert DeadlineExtension.objects.count() == 0
        return page

    for new, day in ((current, current), (latest + dt.timedelta(days=1), latest)):
        page = refused(new)
        assert f"{day.year}年{day.month}月{day.day}日" in page, day
        assert day.isoformat() not in page.replace(f'value="{new.isoformat()}"', "")
        english = refused(new, HTTP_ACCEPT_LANGUAGE="en")
        with translation.override("en"):
            assert formats.date_format(day, "DATE_FORMAT") in english
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as info:
            ask(desk, taken, days=0)
    assert (
        f"（{current.year}年{current.month}月{current.day}日）" in info.value.message_dict["new_deadline"][0]
    )
