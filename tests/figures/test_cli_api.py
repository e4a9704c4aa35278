"""`minqing figures`, `minqing report` and the API give the dashboard's figures."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from minqing.figures import documents, selectors
from minqing.figures.management.commands._viewer import CampaignOffice
from minqing.figures.periods import parse_period
from minqing.org.models import Account
from minqing.org.services import token_create

from .conftest import TODAY, TOWNSHIP, sel_for


def _plain(values):
    """JSON numbers: counts whole, sums of money (Decimal) as floats."""
    return {k: v if isinstance(v, int) else float(v) for k, v in values.items()}


def test_the_figures_command_prints_the_selectors_figures_as_json(campaign):
    out = io.StringIO()
    call_command(
        "figures",
        "--campaign",
        str(campaign.pk),
        "--period",
        "2026",
        "--region",
        TOWNSHIP,
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    viewer = CampaignOffice(campaign)
    sel = selectors.selection_for(
        user=viewer, campaign=campaign, period=parse_period("2026", today=TODAY), region=TOWNSHIP
    )
    figures = selectors.figures(user=viewer, sel=sel, breakdowns=False)
    assert data["figures"] == _plain(figures.values)
    assert data["rates"] == figures.rates
    assert data["region"] == TOWNSHIP


def test_the_figures_command_reads_in_an_accounts_scope(campaign, actor):
    out = io.StringIO()
    call_command(
        "figures", "--campaign", str(campaign.pk), "--period", "2026", "--as", "cadre", "--json", stdout=out
    )
    cadre = actor("cadre")
    mine = selectors.figures(user=cadre, sel=sel_for(cadre, campaign, parse_period("2026", today=TODAY)))
    assert json.loads(out.getvalue())["figures"]["visits"] == mine.values["visits"]


def test_the_figures_command_refuses_bad_input(campaign):
    with pytest.raises(CommandError, match="2026-10"):
        call_command("figures", "--campaign", str(campaign.pk), "--period", "October")
    with pytest.raises(CommandError):
        call_command("figures", "--campaign", "99999")
    with pytest.raises(CommandError):
        call_command("figures", "--campaign", str(campaign.pk), "--region", "350111000000")


def test_the_report_command_writes_a_word_file_with_the_figures(campaign, tmp_path):
    target = tmp_path / "月汇总.docx"
    call_command(
        "report",
        "monthly",
        "--campaign",
        str(campaign.pk),
        "--period",
        "2026-10",
        "--format",
        "docx",
        "-o",
        str(target),
        stdout=io.StringIO(),
    )
    doc = Document(str(target))
    viewer = CampaignOffice(campaign)
    sel = selectors.selection_for(user=viewer, campaign=campaign, period=parse_period("2026-10", today=TODAY))
    rows = next([[c.text for c in r.cells] for r in t.rows[1:]] for t in doc.tables if len(t.columns) == 3)
    assert rows == documents.figure_rows(selectors.figures(user=viewer, sel=sel))


def test_the_report_command_writes_a_pdf(campaign, tmp_path):
    target = tmp_path / "bulletin.pdf"
    call_command(
        "report",
        "quarterly",
        "--campaign",
        str(campaign.pk),
        "--period",
        "2026Q3",
        "--format",
        "pdf",
        "-o",
        str(target),
        stdout=io.StringIO(),
    )
    assert target.read_bytes().startswith(b"%PDF")


def _api(client, username):
    token = token_create(actor=None, account=Account.objects.get(username=username))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_api_gives_the_figures_and_the_records_behind_them(client, actor, campaign):
    auth = _api(client, "office")
    response = client.get(f"/api/v1/campaigns/{campaign.pk}/figures?period=2026&by=region", **auth)
    assert response.status_code == 200
    data = response.json()
    office = actor("office")
    figures = selectors.figures(user=office, sel=sel_for(office, campaign, parse_period("2026", today=TODAY)))
    for key, value in figures.values.items():
        assert data["figures"][key] == (value if isinstance(value, int) else float(value)), key
    assert [g["key"] for g in data["groups"]] == [g.key for g in figures.by_region]
    for key in ("visits", "demands_overdue", "uncovered_households"):
        records = client.get(
            f"/api/v1/campaigns/{campaign.pk}/figures/{key}?period=2026&size=200", **auth
        ).json()
        assert records["count"] == figures.values[key]
        assert len(records["items"]) == min(200, figures.values[key])


def test_the_command_and_the_api_give_the_same_figures_as_json_numbers(client, campaign):
    out = io.StringIO()
    call_command(
        "figures",
        *("--campaign", str(campaign.pk), "--period", "2026", "--as", "office", "--by", "unit", "--json"),
        stdout=out,
    )
    cli = json.loads(out.getvalue())
    api = client.get(
        f"/api/v1/campaigns/{campaign.pk}/figures?period=2026&by=unit", **_api(client, "office")
    ).json()
    assert cli["figures"] == api["figures"]
    assert cli["rates"] == api["rates"]
    assert [(g["key"], g["figures"]) for g in cli["groups"]] == [
        (g["key"], g["figures"]) for g in api["groups"]
    ]
    # A sum of money is a number in both, never the string "61100.00".
    assert isinstance(cli["figures"]["deeds_value"], float) and cli["figures"]["deeds_value"] > 0
    assert isinstance(api["figures"]["deeds_value"], float)


def test_the_api_gives_a_document(client, campaign):
    auth = _api(client, "office")
    response = client.get(
        f"/api/v1/campaigns/{campaign.pk}/documents/quarterly?format=pdf&period=2026Q3", **auth
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    docx = client.get(f"/api/v1/campaigns/{campaign.pk}/documents/briefing?period=2026-10", **auth)
    assert docx.status_code == 200 and docx.content.startswith(b"PK")


def test_the_api_refuses_what_is_out_of_scope_or_malformed(client, campaign):
    from minqing.programs.models import Campaign

    other = Campaign.objects.get(program_key="sanfuwu")
    auth = _api(client, "office")
    assert client.get(f"/api/v1/campaigns/{other.pk}/figures", **auth).status_code == 404
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/figures?period=soon", **auth).status_code == 422
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/figures/nothing", **auth).status_code == 404
    assert (
        client.get(f"/api/v1/campaigns/{campaign.pk}/figures?region=350111000000", **auth).status_code == 404
    )
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/documents/memo", **auth).status_code == 404
    unit = _api(client, "unit")
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/figures", **unit).status_code == 403


def test_the_dashboard_offers_the_documents_for_download(client_as, campaign):
    client = client_as("office")
    html = client.get(f"/campaigns/{campaign.pk}/dashboard/?period=2026-10").content.decode()
    assert f"/campaigns/{campaign.pk}/documents/monthly.docx?period=2026-10" in html
    response = client.get(f"/campaigns/{campaign.pk}/documents/quarterly.pdf?period=2026Q4")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert client.get(f"/campaigns/{campaign.pk}/documents/memo.docx").status_code == 404
