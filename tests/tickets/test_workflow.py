import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from minqing.core.models import AuditEvent
from minqing.tickets import services, workflow
from minqing.tickets.models import Satisfaction, Status, Ticket, Tier


def test_a_new_ticket_gets_a_readable_code_an_event_and_an_audit_row(desk):
    ticket = desk.ticket()
    year = timezone.localdate().year
    assert ticket.code.startswith(f"MQ-{year}-") and len(ticket.code) == len(f"MQ-{year}-000001")
    assert ticket.status == Status.REGISTERED and ticket.version == 1
    assert list(ticket.events.values_list("action", "to_status")) == [("register", "registered")]
    assert AuditEvent.objects.filter(action="ticket.register", object_id=str(ticket.pk)).exists()
    assert str(ticket.contact_phone) == "138****5678" and ticket.phone_last4 == "5678"


def test_the_full_path_from_registration_to_close_writes_one_event_per_step(desk):
    ticket = desk.replied()
    services.ticket_follow_up(
        actor=desk.office, ticket=ticket, resolved=True, satisfaction=Satisfaction.SATISFIED
    )
    services.ticket_verify(actor=desk.office, ticket=ticket)
    services.ticket_close(actor=desk.office, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.closed_at and ticket.reply
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions == ["register", "dispatch", "claim", "reply", "follow_up", "verify", "close"]
    assert all(e.actor_label for e in ticket.events.all())


@pytest.mark.parametrize("status", [s for s in Status.values])
def test_every_transition_not_on_the_graph_is_refused(desk, status):
    calls = {
        "claim": lambda t: services.ticket_claim(actor=desk.unit_user, ticket=t),
        "start": lambda t: services.ticket_start(actor=desk.unit_user, ticket=t),
        "reply": lambda t: services.ticket_reply(actor=desk.unit_user, ticket=t, reply="已处理完毕"),
        "verify": lambda t: services.ticket_verify(actor=desk.office, ticket=t),
        "close": lambda t: services.ticket_close(actor=desk.office, ticket=t),
        "escalate": lambda t: services.ticket_escalate(actor=desk.office, ticket=t, reason="需协调"),
        "return": lambda t: services.ticket_return(actor=desk.office, ticket=t, reason="非本单位职责"),
        "reopen": lambda t: services.ticket_reopen(actor=desk.office, ticket=t, reason="群众不满意"),
        "follow_up": lambda t: services.ticket_follow_up(
            actor=desk.office, ticket=t, resolved=True, satisfaction="satisfied"
        ),
        "dispatch": lambda t: services.ticket_dispatch(actor=desk.office, ticket=t, unit=desk.unit),
        "merge": lambda t: services.ticket_merge(actor=desk.office, ticket=t, into=other),
    }
    other = desk.ticket(title="重复的诉求")
    ticket = desk.dispatched()
    # Put the ticket straight into the status under test; the graph alone decides.
    Ticket.objects.filter(pk=ticket.pk).update(status=status, replied_at=timezone.now(), reply="已答复")
    for action, call in calls.items():
        ticket = Ticket.objects.get(pk=ticket.pk)
        before = (ticket.status, ticket.version)
        if workflow.allowed(action, status):
            continue
        with pytest.raises(services.TransitionRefused):
            call(ticket)
        ticket.refresh_from_db()
        assert (ticket.status, ticket.version) == before, action


def test_merged_is_final(desk):
    assert workflow.actions_from(Status.MERGED) == []


def test_a_stale_version_is_refused_and_changes_nothing(desk):
    ticket = desk.ticket()
    services.ticket_edit(actor=desk.office, ticket=ticket, version=1, title="路灯损坏")
    with pytest.raises(services.StaleTicket) as info:
        services.ticket_edit(actor=desk.office, ticket=ticket, version=1, title="另一个标题")
    assert info.value.current_version == 2
    assert Ticket.objects.get(pk=ticket.pk).title == "路灯损坏"


def test_a_unit_cannot_dispatch_and_a_cadre_cannot_claim(desk, actor):
    ticket = desk.ticket()
    with pytest.raises(PermissionDenied):
        services.ticket_dispatch(actor=desk.unit_user, ticket=ticket, unit=desk.unit)
    with pytest.raises(PermissionDenied):
        services.ticket_claim(actor=actor("cadre"), ticket=ticket)


def test_a_second_claim_is_refused_with_the_first_owner_named(desk, actor):
    ticket = desk.dispatched()
    services.ticket_claim(actor=desk.unit_user, ticket=ticket)
    with pytest.raises(services.TransitionRefused) as info:
        services.ticket_claim(actor=actor("leader"), ticket=ticket)
    assert "周敏" in " ".join(info.value.messages)


def test_escalation_moves_to_the_next_tier_with_a_new_deadline(desk):
    ticket = desk.dispatched(tier=Tier.ON_SPOT)
    assert timezone.localtime(ticket.deadline).date() == timezone.localdate()
    services.ticket_escalate(actor=desk.office, ticket=ticket, reason="需乡镇协调")
    ticket.refresh_from_db()
    assert ticket.tier == Tier.TOWNSHIP and ticket.status == Status.ESCALATED
    assert timezone.localtime(ticket.deadline).date() == timezone.localdate() + dt.timedelta(days=10)
    event = ticket.events.get(action="escalate")
    assert event.reason == "需乡镇协调" and event.detail == {"from_tier": "on_spot", "to_tier": "township"}


def test_a_returned_ticket_goes_back_to_the_office_and_can_be_dispatched_again(desk):
    ticket = desk.dispatched()
    services.ticket_return(actor=desk.unit_user, ticket=ticket, reason="属交通局职责")
    ticket.refresh_from_db()
    assert ticket.status == Status.RETURNED and ticket.unit is None
    services.ticket_dispatch(actor=desk.office, ticket=ticket, unit=desk.unit)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REGISTERED


def test_a_dissatisfied_follow_up_reopens_the_ticket_with_a_new_deadline(desk):
    ticket = desk.replied()
    services.ticket_follow_up(
        actor=desk.office,
        ticket=ticket,
        resolved=False,
        satisfaction=Satisfaction.DISSATISFIED,
        note="还有一盏没修",
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED and ticket.owner is None and ticket.satisfaction == "dissatisfied"
    assert ticket.events.filter(action="reopen", reason="还有一盏没修").exists()


def test_close_needs_a_reply(desk):
    ticket = desk.dispatched()
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.VERIFIED)
    with pytest.raises(services.TransitionRefused):
        services.ticket_close(actor=desk.office, ticket=Ticket.objects.get(pk=ticket.pk))


def test_a_ledger_or_category_the_campaign_lacks_is_refused(desk):
    with pytest.raises(services.ValidationError):
        desk.ticket(ledger="nope")
    with pytest.raises(services.ValidationError):
        desk.ticket(category="nope")


def test_the_cli_lists_acts_and_gives_rates(desk):
    import io

    from django.core.management import call_command

    ticket = desk.dispatched()
    out = io.StringIO()
    call_command("ticket", "act", ticket.code, "claim", "--as", "unit", stdout=out)
    call_command("ticket", "act", ticket.code, "reply", "--as", "unit", "--text", "已办理", stdout=out)
    call_command("ticket", "show", ticket.code, "--as", "office", stdout=out)
    call_command("ticket", "list", "--as", "office", "--status", "replied", stdout=out)
    call_command("ticket", "rates", "--as", "office", "--json", stdout=out)
    text = out.getvalue()
    assert f"{ticket.code} replied v4" in text and "response_rate" in text
    assert str(services.ACTION_LABELS["claim"]) in text  # the events, in words
