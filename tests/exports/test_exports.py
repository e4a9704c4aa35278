"""Personal-data exports: masked by default; a full export needs a reason and a second
person's approval (who may unmask all of it), is capped, stamped with requester, approver
and time on every sheet, fetched once and audited with its filter and row count. Cells
that would run as formulas are neutralized."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import FileResponse
from django.test import override_settings
from django.utils import translation
from python_calamine import CalamineWorkbook

from minqing.core.models import AuditEvent
from minqing.exports import services
from minqing.exports.models import ExportRequest
from minqing.exports.roster import RosterRow, roster_workbook, safe_cell
from minqing.org.services import token_create
from minqing.people.models import Household

FULL_ID = re.compile(r"^\d{17}[\dX]$")
MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
COUNTY_A = {"region": "431123", "hardship": None, "tag": "", "q": ""}


def body(response) -> bytes:
    """The file of a download: written to a temporary file and streamed, never built in memory."""
    assert response.status_code == 200, response.status_code
    assert isinstance(response, FileResponse), "an export is streamed from a file"
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def sheets(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def sheet_xml(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/worksheets/sheet")]


def id_column(rows: list[list]) -> list[str]:
    return [r[5] for r in rows[4:] if r[5]]


def test_the_household_list_exports_a_masked_roster_in_the_government_layout(client_as, db):
    response = client_as("office").get("/exports/households.xlsx?hardship=any")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    content = body(response)
    roster = next(iter(sheets(content).values()))
    expected = Household.objects.filter(region__code__startswith="431123", hardship_level__gt=0).count()
    assert roster[0][0] == "家庭户花名册"
    assert (
        roster[2][0] == "序号"
        and roster[2][4] == "户主"
        and roster[3][4] == "姓名"
        and roster[3][5] == "身份证号"
    )
    assert [r[0] for r in roster[4:]] == list(range(1, expected + 1))
    ids = id_column(roster)
    assert ids and all(MASKED_ID.match(v) for v in ids)
    first = sheet_xml(content)[0]
    assert '<mergeCell ref="A1:J1"/>' in first and '<mergeCell ref="E3:G3"/>' in first
    event = AuditEvent.objects.filter(action="export.households", username="office").latest("id")
    assert event.detail == {
        "masked": True,
        "filters": {"region": "", "hardship": "any", "tag": "", "q": ""},
        "rows": expected,
    }


def test_a_full_export_without_approval_is_refused_and_the_refusal_audited(db, actor, tmp_path):
    request = services.export_request_create(
        actor=actor("leader"), filters=COUNTY_A, reason="走访前核对联系方式"
    )
    out = tmp_path / "full.xlsx"
    with pytest.raises(ValidationError):
        services.export_request_run(actor=actor("leader"), request=request, path=str(out))
    assert not out.exists(), "nothing written"
    assert AuditEvent.objects.filter(action="export.households", result="denied", username="leader").exists()


def test_a_full_export_needs_a_reason(db, actor):
    with pytest.raises(ValidationError):
        services.export_request_create(actor=actor("leader"), filters=COUNTY_A, reason="  ")


def test_the_requester_cannot_approve_their_own_request(db, actor):
    request = services.export_request_create(
        actor=actor("office"), filters=COUNTY_A, reason="走访前核对联系方式"
    )
    with pytest.raises(ValidationError):
        services.export_request_approve(actor=actor("office"), request=request)


def test_the_approver_must_hold_the_unmask_permission_for_that_scope(db, actor):
    request = services.export_request_create(
        actor=actor("leader"), filters=COUNTY_A, reason="走访前核对联系方式"
    )
    for name in ("inspector", "office_jinan"):  # no unmask; unmask but for the other county
        with pytest.raises(PermissionDenied):
            services.export_request_approve(actor=actor(name), request=request)
    assert ExportRequest.objects.get(pk=request.pk).state == "requested"


def test_an_approved_full_export_is_stamped_on_every_sheet_and_audited_with_its_row_count(
    client_as, db, actor
):
    leader, office = client_as("leader"), client_as("office")
    response = leader.post("/exports/requests/new/", {"region": "431123", "reason": "入户走访前核对联系方式"})
    assert response.status_code == 302
    request = ExportRequest.objects.latest("id")
    assert (
        office.get("/exports/requests/").content.decode().count(f"/exports/requests/{request.pk}/approve/")
        == 1
    )
    assert office.post(f"/exports/requests/{request.pk}/approve/").status_code == 302
    response = leader.get(f"/exports/requests/{request.pk}/download/")
    assert response.status_code == 200
    expected = Household.objects.filter(region__code__startswith="431123").count()
    content = body(response)
    book = sheets(content)
    roster = next(iter(book.values()))
    ids = id_column(roster)
    assert len(roster) - 4 == expected and ids and all(FULL_ID.match(v) for v in ids)
    for name, rows in book.items():
        top = " ".join(str(v) for r in rows[:2] for v in r)
        assert "(leader)" in top and "(office)" in top, name
    for xml in sheet_xml(content):
        header = re.search(r"<oddHeader>(.*?)</oddHeader>", xml).group(1)
        assert "(leader)" in header and "(office)" in header
    stamp = roster[1][0]
    # The time as the pages write it in the reader's language (2026年11月23日 14:05), not ISO.
    assert (
        "(leader)" in stamp
        and "(office)" in stamp
        and re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}", stamp)
    )
    assert not re.search(r"\d{4}-\d{2}-\d{2}", stamp)
    event = AuditEvent.objects.filter(action="export.households", username="leader").latest("id")
    assert event.detail["masked"] is False and event.detail["rows"] == expected
    assert event.detail["approver"] == "office" and event.detail["filters"]["region"] == "431123"
    # Once only.
    assert leader.get(f"/exports/requests/{request.pk}/download/").status_code == 302
    assert ExportRequest.objects.get(pk=request.pk).state == "done"


def test_a_refused_request_cannot_be_fetched(db, actor, tmp_path):
    request = services.export_request_create(
        actor=actor("leader"), filters=COUNTY_A, reason="走访前核对联系方式"
    )
    services.export_request_refuse(actor=actor("office"), request=request, note="范围过大")
    with pytest.raises(ValidationError):
        services.export_request_run(actor=actor("leader"), request=request, path=str(tmp_path / "x.xlsx"))


def test_a_full_export_is_capped(db, actor):
    with (
        override_settings(EXPORT_MAX_ROWS=3),
        translation.override("en"),
        pytest.raises(ValidationError, match="at most 3"),
    ):
        services.export_request_create(actor=actor("leader"), filters=COUNTY_A, reason="走访前核对联系方式")


def test_the_approval_expires(db, actor, clock, tmp_path):
    request = services.export_request_create(
        actor=actor("leader"), filters=COUNTY_A, reason="走访前核对联系方式"
    )
    services.export_request_approve(actor=actor("office"), request=request)
    clock.advance(hours=73)
    with pytest.raises(ValidationError):
        services.export_request_run(
            actor=actor("leader"),
            request=ExportRequest.objects.get(pk=request.pk),
            path=str(tmp_path / "x.xlsx"),
        )


def test_an_export_cannot_be_filtered_by_a_full_identifier(db, actor):
    from minqing.people.models import Member

    member = Member.objects.exclude(id_number=None).first()
    with pytest.raises(ValidationError):
        services.export_request_create(
            actor=actor("office"), filters={**COUNTY_A, "q": member.id_number.reveal()}, reason="查找此人"
        )


def test_cells_that_would_run_as_formulas_are_neutralized(tmp_path):
    assert [safe_cell(v) for v in ["=1+1", "+86", "-2", "@SUM(A1)", "ok", "\t=x"]] == [
        "'=1+1",
        "'+86",
        "'-2",
        "'@SUM(A1)",
        "ok",
        "'\t=x",
    ]
    row = RosterRow('=HYPERLINK("http://x")', "村", "@cmd", "+张三", "", "", 1, "-", "无")
    path = tmp_path / "roster.xlsx"
    assert roster_workbook([row], path=str(path), title="t", stamp="s", facts=[]) == 1
    content = path.read_bytes()
    roster = next(iter(sheets(content).values()))
    assert roster[4][1].startswith("'=") and roster[4][3] == "'@cmd" and roster[4][4] == "'+张三"
    assert "<f>" not in sheet_xml(content)[0]


def test_the_api_exports_a_masked_roster_and_requests_a_full_one(client, db, actor):
    token = token_create(actor=None, account=actor("leader"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.get("/api/v1/exports/households?hardship=3", **auth)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert all(MASKED_ID.match(v) for v in id_column(next(iter(sheets(body(response)).values()))))
    created = client.post(
        "/api/v1/exports",
        {"region": "431123", "reason": "核对联系方式"},
        content_type="application/json",
        **auth,
    ).json()
    assert created["state"] == "requested"
    assert client.get(f"/api/v1/exports/{created['id']}/file", **auth).status_code == 400
    services.export_request_approve(
        actor=actor("office"), request=ExportRequest.objects.get(pk=created["id"])
    )
    response = client.get(f"/api/v1/exports/{created['id']}/file", **auth)
    assert response.status_code == 200
    assert all(FULL_ID.match(v) for v in id_column(next(iter(sheets(body(response)).values()))))


def test_the_command_line_exports_as_a_named_account(db, tmp_path, capsys):
    out = tmp_path / "roster.xlsx"
    call_command("export", "households", "--user", "village", "-o", str(out))
    roster = next(iter(sheets(out.read_bytes()).values()))
    assert all(MASKED_ID.match(v) for v in id_column(roster))
    assert "户写入" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="export.households", username="village").exists()


def test_the_roster_names_a_households_group_with_its_village(client_as, db):
    """Households are placed at villagers' groups: the Region cell says 柏利村五组, as the
    household list does, never a bare 五组 that every village has. Read with openpyxl."""
    content = body(client_as("office").get("/exports/households.xlsx?hardship=any"))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    households = {
        h.code: h
        for h in Household.objects.filter(code__in=[r[1] for r in rows]).select_related("region__parent")
    }
    assert len(households) == len(rows) > 0
    for row in rows:
        region = households[row[1]].region
        assert region.level == 6 and row[2] == f"{region.parent.name}{region.name}", row[1]
