"""The commands that print or write residents' or cadres' personal data record each run as the
pages do their reads: one audit row on the command line's channel, by the --as account or else
the operator (no account), naming what was read and how many rows, never the data itself."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from minqing.assessment import services as assessment_services
from minqing.core.models import AuditEvent
from minqing.fieldwork.services import help_plan_create
from minqing.org.models import Account, Cadre
from minqing.programs.models import Campaign, Pairing
from minqing.tickets.models import Ticket
from minqing.tickets.selectors import ticket_list


@pytest.fixture
def campaign(db):
    return Campaign.objects.select_related("region").get(program_key="xiajiceng")


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _read_row(before: int, action: str) -> AuditEvent:
    """The one row of `action` the run wrote."""
    rows = list(AuditEvent.objects.filter(id__gt=before, action=action))
    assert len(rows) == 1, list(AuditEvent.objects.filter(id__gt=before).values_list("action", flat=True))
    return rows[0]


def _personal() -> set[str]:
    """What the commands print that names someone: cadres' and residents' names, demands' titles."""
    names = set(Account.objects.exclude(full_name="").values_list("full_name", flat=True))
    names |= set(Ticket.objects.values_list("title", flat=True))
    return {name for name in names if len(name) >= 2}


def _assert_no_personal_data(event: AuditEvent, printed: str = "") -> None:
    detail = json.dumps(event.detail, ensure_ascii=False)
    personal = _personal()
    if printed:
        shown = {name for name in personal if name in printed}
        assert shown, "the command printed no one's name: the test proves nothing"
        personal = shown
    assert not [name for name in personal if name in detail], detail


def _a_help_plan(campaign) -> None:
    pairing = (
        Pairing.objects.filter(campaign=campaign, household__isnull=False).select_related("cadre").first()
    )
    help_plan_create(
        actor=None,
        campaign=campaign,
        cadre=pairing.cadre,
        title="增收计划",
        target=pairing.household,
        deadline=dt.date(2027, 6, 30),
    )


def _a_recall(campaign) -> None:
    cadre = Pairing.objects.filter(campaign=campaign, end__isnull=True).first().cadre
    assessment_services.recall_propose(
        actor=None, campaign=campaign, cadre=cadre, reasons=["多次缺勤"], note=""
    )


def _at_risk_rule(campaign) -> None:
    # Every cadre whose composite score of the year is below 100 is flagged.
    assessment_services.recall_rule_set(actor=None, campaign=campaign, composite_below="100")
    call_command(
        "assessment", "run", "--campaign", str(campaign.pk), "--period", "2026", stdout=io.StringIO()
    )


def _an_appraisal_round(campaign) -> None:
    call_command(
        "appraisal",
        "draw",
        "--campaign",
        str(campaign.pk),
        "--period",
        "2026-11",
        "--seed",
        "5",
        stdout=io.StringIO(),
    )


# (arguments, the row's action, the account it names, what to set up first)
PRINTED = [
    (["fieldwork", "visits", "--campaign", "{campaign}"], "visit.list", "", None),
    (["fieldwork", "plans", "--campaign", "{campaign}"], "help_plan.list", "", _a_help_plan),
    (["ticket", "list", "--as", "office", "--limit", "1000"], "ticket.list", "office", None),
    (["ticket", "overdue", "--as", "office", "--json"], "ticket.list", "office", None),
    (["ticket", "show", "{ticket}", "--as", "office"], "ticket.view", "office", None),
    (
        ["appraisal", "results", "--campaign", "{campaign}", "--period", "2026-11"],
        "appraisal.results.view",
        "",
        _an_appraisal_round,
    ),
    (["inspection", "list", "--campaign", "{campaign}"], "inspection.list", "", None),
    (["inspection", "overdue", "--campaign", "{campaign}"], "inspection.overdue.view", "", None),
    (
        ["inspection", "results", "--campaign", "{campaign}", "--start", "2026-01-01", "--end", "2026-12-31"],
        "inspection.results.view",
        "",
        None,
    ),
    (
        ["assessment", "at-risk", "--campaign", "{campaign}", "--as-of", "2026-11-20"],
        "assessment.at_risk.view",
        "",
        _at_risk_rule,
    ),
    (["recall", "list", "--campaign", "{campaign}"], "recall.list", "", _a_recall),
    (
        ["figures", "--campaign", "{campaign}", "--period", "2026", "--by", "cadre", "--as", "office"],
        "figures.view",
        "office",
        None,
    ),
    (["figures", "--campaign", "{campaign}", "--period", "2026", "--by", "cadre"], "figures.view", "", None),
]


@pytest.mark.parametrize(
    ("args", "action", "username", "prepare"), PRINTED, ids=lambda v: v if isinstance(v, str) else None
)
def test_each_command_that_prints_personal_data_records_one_read(campaign, args, action, username, prepare):
    if prepare is not None:
        prepare(campaign)
    ticket = ticket_list(user=Account.objects.get(username="office")).order_by("id").first()
    args = [arg.format(campaign=campaign.pk, ticket=ticket.code) for arg in args]
    before = _last_id()
    out = io.StringIO()
    call_command(*args, stdout=out)
    event = _read_row(before, action)
    assert (event.channel, event.username) == ("cli", username)
    assert event.user_id == (Account.objects.get(username=username).pk if username else None)
    assert event.detail["shown"] > 0
    # Each cadre's inspection results are keyed by the cadre's id, not named.
    _assert_no_personal_data(event, "" if action == "inspection.results.view" else out.getvalue())


def test_the_research_report_command_records_the_download_with_its_file(campaign, tmp_path):
    cadre = (
        Pairing.objects.filter(campaign=campaign, end__isnull=True)
        .select_related("cadre__account")
        .first()
        .cadre
    )
    out = tmp_path / "research.docx"
    before = _last_id()
    call_command(
        "fieldwork",
        "research",
        "--cadre",
        cadre.account.username,
        "--campaign",
        str(campaign.pk),
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    event = _read_row(before, "research_report.download")
    assert (event.channel, event.username, event.object_type, event.object_id) == (
        "cli",
        "",
        "org.cadre",
        str(cadre.pk),
    )
    assert event.detail["file"] == str(out) and event.detail["campaign"] == campaign.pk
    assert str(cadre.account) not in json.dumps(event.detail, ensure_ascii=False)


# Commands whose document helper already writes the page's row: it is the command line's now.
def test_a_ledger_export_is_recorded_as_the_command_lines(campaign, tmp_path):
    before = _last_id()
    call_command(
        "ledger",
        "export",
        campaign=campaign.pk,
        ledger="deeds",
        output=str(tmp_path / "deeds.xlsx"),
        username="leader",
        stdout=io.StringIO(),
    )
    event = _read_row(before, "ledger.export")
    assert (event.channel, event.username) == ("cli", "leader") and event.detail["rows"] > 0
    _assert_no_personal_data(event)


def test_printed_liaison_cards_are_recorded_as_the_command_lines(campaign, tmp_path):
    before = _last_id()
    call_command(
        "cards",
        campaign=campaign.pk,
        site_url="https://minqing.example.gov.cn",
        output=str(tmp_path / "cards.pdf"),
        stdout=io.StringIO(),
    )
    event = _read_row(before, "cards.print")
    assert (event.channel, event.username, event.user_id) == ("cli", "", None) and event.detail["cards"] > 0
    _assert_no_personal_data(event)


def test_a_periodic_document_is_recorded_as_the_command_lines(campaign, tmp_path):
    before = _last_id()
    command = ["report", "monthly", "--campaign", str(campaign.pk), "--period", "2026-10", "-o"]
    call_command(*command, str(tmp_path / "operator.docx"), stdout=io.StringIO())
    operator = _read_row(before, "figures.document")
    before = _last_id()
    call_command(*command, str(tmp_path / "office.docx"), "--as", "office", stdout=io.StringIO())
    office = _read_row(before, "figures.document")
    assert (operator.channel, operator.username, operator.user_id) == ("cli", "", None)
    assert (office.channel, office.username) == ("cli", "office")
    _assert_no_personal_data(office)


def test_figures_record_a_read_only_when_they_are_a_cadres_and_never_name_the_cadre(campaign):
    """Figures of regions name no one (as the dashboard's, not recorded); one cadre's figures
    are that cadre's record: recorded, the cadre named only by the id asked for."""
    command = ["figures", "--campaign", str(campaign.pk), "--period", "2026"]
    before = _last_id()
    call_command(*command, "--by", "region", stdout=io.StringIO())
    assert not AuditEvent.objects.filter(id__gt=before).exists()
    cadre = Cadre.objects.filter(pairings__campaign=campaign).select_related("account").first()
    call_command(*command, "--cadre", str(cadre.pk), stdout=io.StringIO())
    event = _read_row(before, "figures.view")
    assert event.detail["selection"] == f"cadre={cadre.pk}" and event.detail["shown"] == 1
    assert str(cadre.account) not in json.dumps(event.detail, ensure_ascii=False)
