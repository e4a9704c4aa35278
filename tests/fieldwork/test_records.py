"""The other field records reach the system by the command line and the sync API, and the
monthly attendance sheet reads back from its Excel and PDF files."""

import datetime as dt
import json
import shutil
import subprocess
import uuid

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from python_calamine import CalamineWorkbook

from minqing.fieldwork.models import Activity, HelpPlan, Incident, MonthlyReport, ReliefPayment
from minqing.fieldwork.services import attendance_check_in, attendance_decide
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.models import Campaign, LiaisonPoint, Team


@pytest.fixture
def dazou(db):
    return Campaign.objects.get(program_key="dazoufang")


def test_the_attendance_sheet_lists_each_confirmed_day_in_excel_and_pdf(db, tmp_path, actor):
    cadre = Account.objects.get(username="cadre").cadre
    point = LiaisonPoint.objects.filter(kind="village", region__code__startswith="431123").first()
    for day in (dt.date(2026, 2, 3), dt.date(2026, 2, 4)):
        attendance_decide(
            actor=actor("village"),
            day=attendance_check_in(actor=None, cadre=cadre, point=point, date=day),
            confirm=True,
        )
    xlsx = tmp_path / "sheet.xlsx"
    call_command(
        "fieldwork",
        "attendance-sheet",
        "--point",
        str(point.pk),
        "--month",
        "2026-02",
        "--as",
        "office",
        "-o",
        str(xlsx),
    )
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    mine = next(r for r in rows[3:] if r[1] == str(cadre.account))
    assert mine[-1] == 2 and mine[2 + 3] == "✓" and mine[2 + 4] == "✓"
    if shutil.which("pdftotext"):
        pdf = tmp_path / "sheet.pdf"
        call_command(
            "fieldwork",
            "attendance-sheet",
            "--point",
            str(point.pk),
            "--month",
            "2026-02",
            "--as",
            "office",
            "--format",
            "pdf",
            "-o",
            str(pdf),
        )
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert str(cadre.account) in text and point.name in text


def test_incidents_plans_and_report_drafts_from_the_command_line(dazou, capsys):
    point = dazou.teams.first().points.first()
    call_command(
        "fieldwork",
        "incident",
        "--campaign",
        str(dazou.pk),
        "--point",
        str(point.pk),
        "--kind",
        "major_case",
        "--date",
        "2026-03-20",
        "--description",
        "盗窃案",
    )
    assert Incident.objects.filter(kind="major_case", point=point).exists()
    call_command(
        "fieldwork",
        "plan",
        "--campaign",
        str(dazou.pk),
        "--cadre",
        "cadre",
        "--point",
        str(point.pk),
        "--title",
        "三年绿化计划",
        "--deadline",
        "2028-12-31",
        "--commitment",
        "种植乔木500株@2026-12-31",
        "--commitment",
        "建成村口游园@2027-10-01",
    )
    plan = HelpPlan.objects.get(title="三年绿化计划")
    assert plan.commitments.count() == 2
    xia = Campaign.objects.get(program_key="xiajiceng")
    call_command(
        "fieldwork", "report-draft", "--campaign", str(xia.pk), "--cadre", "cadre", "--month", "2026-06"
    )
    report = MonthlyReport.objects.get(
        campaign=xia, cadre__account__username="cadre", month=dt.date(2026, 6, 1)
    )
    assert report.due == dt.date(2026, 7, 5) and report.figures["visits"] >= 0


def test_relief_and_activities_sync_like_visits(dazou):
    leader = Account.objects.get(username="office")  # an office worker who is also a cadre
    token = token_create(actor=None, account=leader)
    # One of its own teams: an activity names a team its organizer leads or belongs to.
    team = Team.objects.filter(campaign=dazou, members__account=leader).first()
    from minqing.core.scope import scoped
    from minqing.people.models import Household

    household = (
        scoped(Household, leader, "people.view").filter(region__code__startswith=dazou.region.prefix).first()
    )
    relief = {
        "campaign": dazou.pk,
        "household": household.pk,
        "amount_yuan": "300",
        "date": "2026-03-20",
        "team": team.pk,
    }
    key = str(uuid.uuid4())
    put = Client().put(
        f"/api/v1/sync/relief/{key}",
        json.dumps({"payload": relief}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert put.status_code == 201, put.content
    again = Client().put(
        f"/api/v1/sync/relief/{key}",
        json.dumps({"payload": relief}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert again.status_code == 200 and ReliefPayment.objects.filter(uuid=key).count() == 1
    activity = {
        "campaign": dazou.pk,
        "kind": "policy_training",
        "title": "科技培训",
        "date": "2026-03-21",
        "team": team.pk,
        "attendance": 35,
    }
    assert (
        Client()
        .put(
            f"/api/v1/sync/activity/{uuid.uuid4()}",
            json.dumps({"payload": activity}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        .status_code
        == 201
    )
    assert Activity.objects.filter(title="科技培训", attendance=35).exists()


def test_the_attendance_sheet_names_a_cadres_section_with_its_body(db, tmp_path, actor):
    """Sections share names across bodies (办公室): the Excel sheet's unit cell reads
    双牌县委办公室·办公室. Read back with openpyxl."""
    from minqing.org.models import Cadre, Unit

    cadre = Account.objects.get(username="cadre").cadre
    section = Unit.objects.filter(kind=Unit.Kind.SECTION, name="办公室").select_related("parent").first()
    Cadre.objects.filter(pk=cadre.pk).update(unit=section)
    point = LiaisonPoint.objects.filter(kind="village", region__code__startswith="431123").first()
    attendance_decide(
        actor=actor("village"),
        day=attendance_check_in(actor=None, cadre=cadre, point=point, date=dt.date(2026, 2, 3)),
        confirm=True,
    )
    xlsx = tmp_path / "sheet.xlsx"
    call_command(
        "fieldwork",
        "attendance-sheet",
        "--point",
        str(point.pk),
        "--month",
        "2026-02",
        "--as",
        "office",
        "-o",
        str(xlsx),
    )
    rows = list(openpyxl.load_workbook(xlsx).worksheets[0].iter_rows(min_row=4, values_only=True))
    mine = next(r for r in rows if r[1] == str(cadre.account))
    assert mine[2] == f"{section.parent.name}·办公室"
