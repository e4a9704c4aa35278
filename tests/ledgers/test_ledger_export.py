"""Ledgers as Excel, read back by an independent reader (python-calamine) and by the raw
XML of the file: layout, masking, unmasking with a reason, formula injection, scope."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext, override
from python_calamine import CalamineWorkbook

from minqing.core.models import AuditEvent
from minqing.core.treecode import prefix_q
from minqing.ledgers.definitions import ledger_specs
from minqing.ledgers.selectors import ledger_counts
from minqing.org.models import Account, Cadre, Grant
from minqing.org.services import token_create
from minqing.people.models import Household
from minqing.programs.models import Campaign, Pairing
from minqing.tickets.models import Ticket
from minqing.tickets.services import ticket_create
from tests.test_masking import leaks


@pytest.fixture
def campaign(db):
    return Campaign.objects.get(program_key="xiajiceng")


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    if isinstance(response, FileResponse):
        return b"".join(response.streaming_content)
    return response.content


def _cells(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def _sheet_xml(content: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()


def _data(rows: list[list], header_rows: int) -> list[list]:
    return rows[2 + header_rows :]


def _header_rows(rows) -> int:
    return 2 if rows[3][0] == "" else 1


def test_every_ledger_of_the_campaign_comes_out_in_the_government_layout(client_as, campaign):
    office = client_as("office")
    page = office.get(f"/campaigns/{campaign.pk}/ledgers/").content.decode()
    specs = ledger_specs(campaign)
    assert {s.key for s in specs} == {"hardship", "hot_hard", "deeds"}
    for spec in specs:
        assert spec.name in page
        response = office.get(f"/campaigns/{campaign.pk}/ledgers/{spec.key}.xlsx")
        assert isinstance(response, FileResponse), "a ledger is streamed from a file"
        rows = _cells(_body(response))
        assert rows[0][0] == f"{campaign.name} · {spec.name}"
        assert "office" in rows[1][0] and "导出" in rows[1][0]
        assert rows[2][0] == "序号"
        for field in spec.fields:
            header = rows[2] + rows[3]
            if field["key"] not in ("case_owner", "parties", "history"):
                assert field["label"] in header, (spec.key, field["label"])
        data = _data(rows, _header_rows(rows))
        assert [r[0] for r in data] == [float(n) for n in range(1, len(data) + 1)], "序号 runs 1..n"
        counted = {
            s.key: n for s, n in ledger_counts(user=Account.objects.get(username="office"), campaign=campaign)
        }
        assert len(data) == counted[spec.key] > 0, spec.key
        assert f">{counted[spec.key]}<" in page


def test_grouped_columns_get_a_merged_upper_header(client_as, campaign):
    content = _body(client_as("office").get(f"/campaigns/{campaign.pk}/ledgers/hardship.xlsx"))
    rows = _cells(content)
    xml = _sheet_xml(content)
    merges = set(re.findall(r'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"/>', xml))
    upper, lower = rows[2], rows[3]
    group = upper.index("困难情况")
    assert lower[group] == "困难层次" and lower[group + 1] == "致困原因"
    col = chr(ord("A") + group)
    assert f"{col}3:{chr(ord(col) + 1)}3" in merges, "the group label spans its two columns"
    assert "A3:A4" in merges, "序号 is merged down over both header rows"
    assert upper[0] == "序号" and lower[0] == ""


@pytest.mark.parametrize("role", ["leader", "inspector", "cadre", "village"])
def test_an_export_without_the_unmask_permission_holds_no_full_identifier(client_as, campaign, role):
    client = client_as(role)
    for spec in ledger_specs(campaign):
        response = client.get(f"/campaigns/{campaign.pk}/ledgers/{spec.key}.xlsx")
        if response.status_code == 404:
            continue
        content = _body(response)
        for row in _cells(content):
            for cell in row:
                assert not leaks(str(cell)), f"{role} {spec.key}: {cell}"
        assert not leaks(_sheet_xml(content))


def test_asking_to_unmask_without_the_permission_is_refused_and_audited(client_as, campaign):
    response = client_as("leader").post(
        f"/campaigns/{campaign.pk}/ledgers/hardship.xlsx", {"reason": "核对困难户身份"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="ledger.export", result="denied", username="leader").exists()


def test_unmasking_needs_a_reason_and_is_audited_with_it(client_as, campaign):
    office = client_as("office")
    refused = office.post(f"/campaigns/{campaign.pk}/ledgers/hardship.xlsx", {"reason": ""})
    # Refused: the list page again with the reason's error at its field (tests/ledgers/test_form_pages.py).
    assert refused.status_code == 200 and not isinstance(refused, FileResponse)
    masked = _cells(_body(office.get(f"/campaigns/{campaign.pk}/ledgers/hardship.xlsx")))
    assert not any(leaks(str(c)) for row in masked for c in row)
    full = _cells(
        _body(office.post(f"/campaigns/{campaign.pk}/ledgers/hardship.xlsx", {"reason": "民政核对"}))
    )
    household = (
        Household.objects.filter(region__code__startswith="431123", hardship_level__gte=1)
        .exclude(head__id_number=None)
        .select_related("head")
        .first()
    )
    values = {str(c) for row in full for c in row}
    assert household.head.id_number.reveal() in values
    assert "民政核对" in full[1][0]
    event = AuditEvent.objects.filter(action="ledger.export", username="office").latest("id")
    assert event.detail["masked"] is False and event.detail["reason"] == "民政核对"
    assert event.detail["rows"] == len(full) - 4


def test_cells_that_look_like_formulas_stay_text(client_as, campaign, actor):
    village = Grant.objects.get(account__username="village").regions.get()
    ticket_create(
        actor=actor("office"),
        campaign=campaign,
        ledger="hot_hard",
        title="=cmd|' /C calc'!A0",
        description="+SUM(A1:A9)",
        contact_name='@HYPERLINK("http://x")',
        region=village,
        extra={"measure": "-2+3"},
    )
    content = _body(client_as("office").get(f"/campaigns/{campaign.pk}/ledgers/hot_hard.xlsx"))
    xml = _sheet_xml(content)
    assert "<f>" not in xml and "<f " not in xml, "no live formula in the sheet"
    values = {str(c) for row in _cells(content) for c in row}
    assert "'=cmd|' /C calc'!A0" in values
    assert "'+SUM(A1:A9)" in values and "'-2+3" in values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)


def test_a_user_exports_only_the_rows_of_their_scope(client_as, campaign):
    village = Grant.objects.get(account__username="village").regions.get()
    in_village = set(
        Ticket.objects.filter(
            campaign=campaign, ledger="hot_hard", region__code__startswith=village.code
        ).values_list("code", flat=True)
    )
    everywhere = set(
        Ticket.objects.filter(campaign=campaign, ledger="hot_hard").values_list("code", flat=True)
    )
    assert in_village and everywhere - in_village
    office_rows = _cells(_body(client_as("office").get(f"/campaigns/{campaign.pk}/ledgers/hot_hard.xlsx")))
    assert {r[1] for r in _data(office_rows, 2)} == everywhere
    # The same office narrowed to one village by ?region=.
    narrowed = _cells(
        _body(
            client_as("office").get(f"/campaigns/{campaign.pk}/ledgers/hot_hard.xlsx?region={village.code}")
        )
    )
    assert {r[1] for r in _data(narrowed, 2)} == in_village
    # The other county's office does not see the campaign at all.
    assert client_as("office_jinan").get(f"/campaigns/{campaign.pk}/ledgers/hot_hard.xlsx").status_code == 404
    cadre_codes = (
        set(
            Ticket.objects.filter(
                campaign=campaign, ledger="hot_hard", created_by__username="cadre"
            ).values_list("code", flat=True)
        )
        | set(
            Ticket.objects.filter(campaign=campaign, ledger="hot_hard", owner__username="cadre").values_list(
                "code", flat=True
            )
        )
        | set(
            Ticket.objects.filter(
                campaign=campaign, ledger="hot_hard", leader__account__username="cadre"
            ).values_list("code", flat=True)
        )
    )
    cadre_rows = _cells(_body(client_as("cadre").get(f"/campaigns/{campaign.pk}/ledgers/hot_hard.xlsx")))
    assert {r[1] for r in _data(cadre_rows, 2)} == cadre_codes


def test_an_unknown_ledger_or_region_changes_nothing_and_says_why(client_as, campaign):
    office = client_as("office")
    before = AuditEvent.objects.filter(action="ledger.export").count()
    response = office.get(f"/campaigns/{campaign.pk}/ledgers/nope.xlsx", follow=True)
    assert "nope" in response.content.decode()
    response = office.get(f"/campaigns/{campaign.pk}/ledgers/hot_hard.xlsx?region=999", follow=True)
    assert "999" in response.content.decode()
    assert AuditEvent.objects.filter(action="ledger.export").count() == before


def test_the_command_writes_the_ledger_to_a_file(campaign, tmp_path):
    out = tmp_path / "deeds.xlsx"
    stdout = io.StringIO()
    call_command("ledger", "export", campaign=campaign.pk, ledger="deeds", output=str(out), stdout=stdout)
    rows = _cells(out.read_bytes())
    assert rows[0][0].endswith("实事台账")
    assert f"{len(rows) - 4} 行" in stdout.getvalue()
    out2 = tmp_path / "village.xlsx"
    village = Grant.objects.get(account__username="village").regions.get()
    call_command(
        "ledger",
        "export",
        campaign=campaign.pk,
        ledger="hot_hard",
        region=village.code,
        output=str(out2),
        username="leader",
        stdout=io.StringIO(),
    )
    codes = {r[1] for r in _data(_cells(out2.read_bytes()), 2)}
    assert codes == set(
        Ticket.objects.filter(
            campaign=campaign, ledger="hot_hard", region__code__startswith=village.code
        ).values_list("code", flat=True)
    )


def test_the_api_lists_the_ledgers_and_streams_one(client, campaign):
    token = token_create(actor=None, account=Account.objects.get(username="leader"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get(f"/api/v1/campaigns/{campaign.pk}/ledgers", **auth).json()
    assert {item["key"] for item in listed} == {"hardship", "hot_hard", "deeds"}
    counts = {item["key"]: item["rows"] for item in listed}
    content = _body(client.get(f"/api/v1/campaigns/{campaign.pk}/ledgers/hot_hard/file", **auth))
    assert len(_cells(content)) - 4 == counts["hot_hard"]
    refused = client.post(
        f"/api/v1/campaigns/{campaign.pk}/ledgers/hot_hard/file",
        {"reason": "核对"},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 403


def test_the_list_page_counts_the_rows_of_the_region_its_downloads_are_narrowed_to(client_as, campaign):
    office = client_as("office")
    village = Grant.objects.get(account__username="village").regions.get()
    page = office.get(f"/campaigns/{campaign.pk}/ledgers/?region={village.code}").content.decode()
    whole = {
        s.key: n for s, n in ledger_counts(user=Account.objects.get(username="office"), campaign=campaign)
    }
    for spec in ledger_specs(campaign):
        rows = _cells(
            _body(office.get(f"/campaigns/{campaign.pk}/ledgers/{spec.key}.xlsx?region={village.code}"))
        )
        downloaded = len(_data(rows, _header_rows(rows))) if len(rows) > 3 else 0
        counted = re.search(
            rf"<td[^>]*>{re.escape(spec.name)}</td>.*?class=\"num\">(\d+)</td>", page, re.DOTALL
        ).group(1)
        assert int(counted) == downloaded, (spec.key, counted, downloaded)
        assert f"?region={village.code}" in page
    assert any(
        n < whole[s.key]
        for s, n in ledger_counts(
            user=Account.objects.get(username="office"), campaign=campaign, region=village
        )
    ), "the village holds fewer rows than the county: the check above can fail"


def test_an_unknown_region_on_the_list_page_says_so_and_counts_the_whole_campaign(client_as, campaign):
    office = client_as("office")
    page = office.get(f"/campaigns/{campaign.pk}/ledgers/?region=999").content.decode()
    assert 'role="alert"' in page and "999" in page and "未知" in page
    # The downloads are not narrowed to a code that names nothing.
    assert ".xlsx?region=999" not in page and 'type="hidden" name="region" value="999"' not in page
    whole = ledger_counts(user=Account.objects.get(username="office"), campaign=campaign)
    for spec, n in whole:
        assert re.search(rf"{re.escape(spec.name)}</td>.*?class=\"num\">{n}</td>", page, re.DOTALL), spec.key


def _paired_column(rows) -> list:
    with override("zh-hans"):
        label = gettext("Paired cadre")
    header = rows[2] + rows[3]
    col = rows[2].index(label) if label in rows[2] else rows[3].index(label)
    assert label in header
    return col


def test_the_hardship_ledger_names_only_a_cadre_paired_today_by_full_name_or_username(client_as, campaign):
    household = (
        Household.objects.filter(prefix_q("region_id", campaign.region.prefix), hardship_level__gte=1)
        .exclude(head=None)
        .order_by("code")
        .first()
    )
    cadres = list(Cadre.objects.filter(prefix_q("unit__region_id", campaign.region.prefix))[:2])
    ended, current = cadres
    Account.objects.filter(pk=ended.account_id).update(full_name="已结束的干部")
    Account.objects.filter(pk=current.account_id).update(full_name="")
    today = timezone.localdate()
    # The household's own pairings (kept by appraisal samples) end a while ago.
    Pairing.objects.filter(household=household).update(end=today - dt.timedelta(days=3))
    common = {"campaign": campaign, "household": household, "region": household.region, "kind": "帮扶"}
    Pairing.objects.create(cadre=current, start=today - dt.timedelta(days=300), **common)
    # Started later than the current one and ended yesterday: it must not be named.
    Pairing.objects.create(
        cadre=ended, start=today - dt.timedelta(days=30), end=today - dt.timedelta(days=1), **common
    )
    rows = _cells(_body(client_as("office").get(f"/campaigns/{campaign.pk}/ledgers/hardship.xlsx")))
    col = _paired_column(rows)
    row = next(r for r in rows if household.code in r)
    assert row[col] == current.account.username
    Pairing.objects.filter(household=household, cadre=current).update(end=today - dt.timedelta(days=2))
    rows = _cells(_body(client_as("office").get(f"/campaigns/{campaign.pk}/ledgers/hardship.xlsx")))
    assert next(r for r in rows if household.code in r)[col] == "", "a household whose pairings ended"
