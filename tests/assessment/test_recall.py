"""Recall (召回): the at-risk rule, proposed → approved by the leading group → carried out,
which hands pairings, open demands and help plans to a successor; the criticism notice."""

import datetime as dt
import io
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from minqing.assessment import selectors, services
from minqing.assessment.documents import recall_notice_docx, recall_notice_pdf
from minqing.assessment.models import Recall
from minqing.core.models import AuditEvent
from minqing.fieldwork.models import HelpPlan
from minqing.fieldwork.services import commitment_progress, help_plan_create
from minqing.programs.models import Pairing
from minqing.tickets.models import Ticket, TicketEvent
from minqing.tickets.services import ticket_create

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def recalled(scenario):
    """A cadre who was at the point only once and had one day rejected, with two pairings,
    an owned demand, a demand led as 包联领导, an unfinished and a finished help plan."""
    # Open-ended: with an end in December the template's survey phase (next April) would lie
    # outside the campaign, which starting it refuses.
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 8, 1), end=None)
    cadre, successor = scenario.cadre("staff", "王召回"), scenario.cadre("staff", "赵接任")
    point = scenario.point()
    household = scenario.household()
    scenario.pair(campaign, cadre, household)
    scenario.pair(campaign, cadre, point, kind="baocun")
    scenario.days_at(cadre, point, dt.date(2026, 8, 3))
    scenario.days_at(cadre, point, dt.date(2026, 9, 4), confirm=False)
    owned = ticket_create(
        actor=scenario.office, campaign=campaign, title="水管漏水", description="漏水", region=scenario.group
    )
    led = ticket_create(
        actor=scenario.office,
        campaign=campaign,
        title="道路硬化",
        description="路差",
        region=scenario.group,
        leader=cadre,
    )
    Ticket.objects.filter(pk=owned.pk).update(owner=cadre.account, status="accepted")
    open_plan = help_plan_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        title="危房改造",
        target=household,
        deadline=dt.date(2026, 12, 31),
        commitments=[("联系施工队", dt.date(2026, 12, 1))],
    )
    done_plan = help_plan_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        title="送医保",
        target=household,
        deadline=dt.date(2026, 9, 30),
        commitments=[("代办医保", dt.date(2026, 9, 1))],
    )
    commitment_progress(
        actor=scenario.office,
        commitment=done_plan.commitments.get(),
        progress=100,
        done_on=dt.date(2026, 9, 1),
    )
    services.recall_rule_set(actor=scenario.office, campaign=campaign, absences_at_least=3)
    return {
        "campaign": campaign,
        "cadre": cadre,
        "successor": successor,
        "owned": owned,
        "led": led,
        "open_plan": open_plan,
        "done_plan": done_plan,
    }


def test_the_rule_flags_repeated_unexcused_absence_with_its_reasons(recalled):
    flagged = selectors.at_risk(recalled["campaign"], TODAY)
    assert [f.cadre for f in flagged] == [recalled["cadre"]]
    # Rejected on 4 Sep; August has one day of two due, September to October none: 1 + 3 = 4.
    assert "4" in flagged[0].reasons[0]
    services.recall_rule_set(actor=None, campaign=recalled["campaign"], absences_at_least=5)
    assert selectors.at_risk(recalled["campaign"], TODAY) == []


def test_a_recall_carried_out_leaves_the_cadre_with_no_active_pairings_and_every_open_item_with_the_successor(
    recalled, actor
):
    campaign, cadre, successor = recalled["campaign"], recalled["cadre"], recalled["successor"]
    office, leader = actor("office"), actor("leader")
    recall = services.recall_propose(actor=office, campaign=campaign, cadre=cadre)
    assert recall.status == Recall.Status.PROPOSED and recall.reasons
    with pytest.raises(PermissionDenied):
        services.recall_decide(actor=office, recall=recall, approve=True)  # only the leading group decides
    with pytest.raises(ValidationError):
        services.recall_carry_out(actor=office, recall=recall, successor=successor)  # not approved yet
    services.recall_decide(actor=leader, recall=recall, approve=True, reason="同意召回")
    with pytest.raises(PermissionDenied):
        services.recall_carry_out(actor=leader, recall=recall, successor=successor)
    on = dt.date(2026, 11, 20)
    recall = services.recall_carry_out(actor=office, recall=recall, successor=successor, on_date=on)

    assert recall.status == Recall.Status.CARRIED_OUT
    assert not Pairing.objects.filter(cadre=cadre).active_on(on).exists()
    assert Pairing.objects.filter(cadre=successor, campaign=campaign).active_on(on).count() == 2
    owned, led = (Ticket.objects.get(pk=recalled[k].pk) for k in ("owned", "led"))
    assert owned.owner_id == successor.account_id and led.leader_id == successor.pk
    assert not Ticket.objects.filter(owner=cadre.account).exclude(status__in=("closed", "merged")).exists()
    assert HelpPlan.objects.get(pk=recalled["open_plan"].pk).cadre_id == successor.pk
    assert (
        HelpPlan.objects.get(pk=recalled["done_plan"].pk).cadre_id == cadre.pk
    )  # finished: stays as history
    assert recall.moved == {"pairings": 2, "teams": 0, "tickets": 2, "help_plans": 1}
    assert TicketEvent.objects.filter(ticket=owned, action="handover").exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"recall.propose", "recall.approve", "recall.carry_out", "cadre.handover"} <= actions
    assert AuditEvent.objects.filter(action="ticket.handover", object_id=str(owned.pk)).exists()
    assert AuditEvent.objects.filter(
        action="help_plan.handover", object_id=str(recalled["open_plan"].pk)
    ).exists()
    assert [e.action for e in recall.events.all()] == ["propose", "approve", "carry_out"]
    assert selectors.at_risk(campaign, TODAY) == []  # out of the field


def test_a_second_recall_while_one_is_under_way_and_an_unflagged_one_without_a_reason_are_refused(
    recalled, scenario, actor
):
    office = actor("office")
    services.recall_propose(actor=office, campaign=recalled["campaign"], cadre=recalled["cadre"])
    with pytest.raises(ValidationError):
        services.recall_propose(actor=office, campaign=recalled["campaign"], cadre=recalled["cadre"])
    with pytest.raises(ValidationError):
        services.recall_propose(actor=office, campaign=recalled["campaign"], cadre=recalled["successor"])
    with pytest.raises(ValidationError):
        services.recall_rule_set(actor=office, campaign=recalled["campaign"], resident_score_below="abc")
    assert Recall.objects.filter(campaign=recalled["campaign"]).count() == 1


def test_the_criticism_notice_is_a_pdf_and_a_word_document_naming_the_cadre_and_the_reasons(
    recalled, actor, tmp_path
):
    recall = services.recall_propose(
        actor=actor("office"), campaign=recalled["campaign"], cadre=recalled["cadre"]
    )
    recall = services.recall_decide(actor=actor("leader"), recall=recall, approve=True)
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(recall_notice_pdf(recall, user=actor("office")))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "通报批评" in text and "王召回" in text and "缺勤" in text
    document = Document(io.BytesIO(recall_notice_docx(recall, user=actor("office"))))
    words = "\n".join(p.text for p in document.paragraphs)
    assert "王召回" in words and "通报批评" in words and recalled["campaign"].name in words
    assert AuditEvent.objects.filter(action="recall.notice", object_id=str(recall.pk)).count() == 2


def test_the_office_proposes_the_leader_approves_and_the_office_carries_out_through_the_pages(
    recalled, client_as
):
    campaign, cadre, successor = recalled["campaign"], recalled["cadre"], recalled["successor"]
    office, leader = client_as("office"), client_as("leader")
    listing = office.get(f"/assessment/recalls/?campaign={campaign.pk}")
    assert listing.status_code == 200 and "王召回" in listing.content.decode()
    response = office.post(f"/assessment/campaigns/{campaign.pk}/recalls/propose/", {"cadre": cadre.pk})
    recall = Recall.objects.get(campaign=campaign, cadre=cadre)
    assert response.status_code == 302
    assert office.post(f"/assessment/recalls/{recall.pk}/act/", {"action": "approve"}).status_code == 403
    assert leader.post(f"/assessment/recalls/{recall.pk}/act/", {"action": "approve"}).status_code == 302
    page = office.get(f"/assessment/recalls/{recall.pk}/")
    assert "赵接任" in page.content.decode()
    office.post(
        f"/assessment/recalls/{recall.pk}/act/",
        {"action": "carry_out", "successor": successor.pk, "on_date": "2026-11-20"},
    )
    recall.refresh_from_db()
    assert recall.status == Recall.Status.CARRIED_OUT and recall.successor == successor
    assert office.get(f"/assessment/recalls/{recall.pk}/notice.docx").status_code == 200
    # The history in words, each step with who took it (not the workflow's keys).
    import re

    history = re.search(
        r'<table class="responsive" id="events">.*?</table>',
        office.get(f"/assessment/recalls/{recall.pk}/").content.decode(),
        re.S,
    ).group(0)
    steps = [re.sub(r"<[^>]+>", "|", row) for row in re.findall(r"<tr><td.*?</tr>", history, re.S)]
    assert "提出召回" in steps[0] and "— → 已提议" in steps[0]
    assert "领导小组同意" in steps[1] and "已提议 → 已批准" in steps[1]
    assert "已执行" in steps[2] and "已批准 → 已执行" in steps[2]
    assert "carry_out" not in history and "approved" not in history and "proposed" not in history


def test_the_dashboard_tile_of_cadres_at_risk_equals_the_list_behind_it(client_as, actor):
    from django.urls import reverse

    from minqing.figures import selectors as figures
    from minqing.figures.periods import parse_period
    from minqing.programs.models import Campaign

    campaign = Campaign.objects.get(program_key="xiajiceng")
    office = actor("office")
    sel = figures.selection_for(
        user=office, campaign=campaign, period=parse_period("2026", today=TODAY), today=TODAY
    )
    flagged = selectors.at_risk_visible(user=office, campaign=campaign, as_of=TODAY)
    value = figures.TILES["recall_at_risk"].value(office, sel)
    records = figures.tile_records(user=office, sel=sel, key="recall_at_risk")
    assert value == len(records) == len(flagged) > 0  # the demo flags some cadres
    page = client_as("office").get(
        reverse("figures:tile-list", args=[campaign.pk, "recall_at_risk"]) + "?period=2026"
    )
    assert page.status_code == 200 and str(flagged[0].cadre.account) in page.content.decode()
    # A section's cadre is named with the section's unit (民政局·办公室: every body has a 办公室).
    for row in records:
        unit = row.flagged.cadre.unit
        assert f"（{unit.label}）" in str(row) and (not unit.parent_id or "·" in unit.label)
    dashboard = client_as("office").get(reverse("figures:dashboard", args=[campaign.pk]) + "?period=2026")
    assert "recall_at_risk" in dashboard.content.decode()


def test_a_section_s_cadre_is_named_with_the_unit_on_the_recall_pages_the_api_and_the_notice(
    recalled, scenario, client_as, actor
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minqing.org.models import Cadre, Unit
    from minqing.org.services import token_create, unit_create

    campaign, cadre, successor = recalled["campaign"], recalled["cadre"], recalled["successor"]
    office = client_as("office")
    recall = services.recall_propose(actor=actor("office"), campaign=campaign, cadre=cadre)
    listing_url = f"/assessment/recalls/?campaign={campaign.pk}"

    def listing_queries():
        with CaptureQueriesContext(connection) as captured:
            html = office.get(listing_url).content.decode()
        return html, len(captured)

    _html, in_a_body = listing_queries()
    # Every bureau has its 办公室: the section is named with its unit, 测试局N·办公室.
    section = unit_create(
        actor=None, name="办公室", region=scenario.unit.region, parent=scenario.unit, kind=Unit.Kind.SECTION
    )
    Cadre.objects.filter(pk__in=[cadre.pk, successor.pk]).update(unit=section)
    named = f"{scenario.unit.name}·办公室"
    html, in_a_section = listing_queries()
    assert named in html
    assert in_a_section == in_a_body  # the parent read in the same query, not one per row

    services.recall_decide(actor=actor("leader"), recall=recall, approve=True)
    detail = office.get(f"/assessment/recalls/{recall.pk}/").content.decode()
    assert f"<dd>{named}</dd>" in detail  # the cadre recalled
    assert f"赵接任（{named}）" in detail  # the successor offered
    words = "\n".join(
        p.text
        for p in Document(
            io.BytesIO(office.get(f"/assessment/recalls/{recall.pk}/notice.docx").content)
        ).paragraphs
    )
    assert named in words

    token = token_create(actor=None, account=actor("office"))
    flagged = client_as(None).get(
        f"/api/v1/assessment/campaigns/{campaign.pk}/at-risk?as_of={TODAY.isoformat()}",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert flagged.status_code == 200
    assert [row["unit_name"] for row in flagged.json() if row["cadre"] == cadre.pk] == [named]
