"""The imports are no oracle for "is this ID number, household number, username or phone
registered anywhere": an identifier held outside the importer's area is answered as one
never registered where that can be done (pairings, cadres' phones), and otherwise (a
person, a household, an account is registered once in the whole system) with one message
that does not say where. Every run, dry runs included, leaves one audit row counting such
rows, so a file of numbers sent to learn which exist shows in the audit trail."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from minqing.core.identity import id_check_char
from minqing.core.models import AuditEvent
from minqing.documents.imports.cadres import USERNAME_TAKEN
from minqing.documents.imports.engine import import_run
from minqing.documents.imports.households import CODE_TAKEN, ID_TAKEN
from minqing.geo.models import Region
from minqing.org.models import Account, Cadre, Grant, Unit
from minqing.org.services import token_create
from minqing.people.models import Household, Member
from minqing.programs.models import LiaisonPoint
from minqing.programs.selectors import campaign_cadres
from minqing.programs.services import campaign_start


def fresh_id(n: int = 777) -> str:
    """A valid ID number no demo resident has."""
    first17 = f"350111{1930 + n % 10}0303{n % 1000:03d}"
    return first17 + id_check_char(first17)


def resident_of(prefix: str, exclude_prefix: str = "") -> Member:
    members = Member.objects.filter(household__region__code__startswith=prefix, id_number__isnull=False)
    if exclude_prefix:
        members = members.exclude(household__region__code__startswith=exclude_prefix)
    return members.select_related("household").order_by("id").first()


def village_of(prefix: str) -> Region:
    return Region.objects.filter(code__startswith=prefix, level=Region.Level.VILLAGE).order_by("code").first()


def run(actor, kind, tmp_path, text, name="list.csv", **kwargs):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_run(actor=actor, kind=kind, path=path, dry_run=True, **kwargs)


def messages(report) -> list[tuple[str, str]]:
    return [(e.column, e.message) for e in report.errors]


# Households ---------------------------------------------------------------------------


def test_an_id_number_held_in_another_county_is_refused_without_saying_where(actor, tmp_path):
    jinan = actor("office_jinan")
    village = village_of("350111")
    shuangpai = resident_of("431123")
    elsewhere = run(
        jinan,
        "households",
        tmp_path,
        f"村（社区）,户主姓名,姓名,身份证号\n{village.name},王五,王五,{shuangpai.id_number.reveal()}\n",
    )
    assert messages(elsewhere) == [("身份证号", str(ID_TAKEN))]
    assert elsewhere.outside == 1
    # Its household number: the same kind of words, on its own column (a number the office
    # wrote its own way; one formed from a village's code is checked against the row's village).
    formed = shuangpai.household.code
    Household.objects.filter(pk=shuangpai.household_id).update(code="SP-0001")
    code = run(jinan, "households", tmp_path, f"户编号,村（社区）,姓名\nSP-0001,{village.name},王五\n")
    assert messages(code) == [("户编号", str(CODE_TAKEN))] and code.outside == 1
    # A number formed from another county's village code is refused for that, in the same
    # words whether or not it is registered: it tells nothing.
    Household.objects.filter(pk=shuangpai.household_id).update(code=formed)
    registered, unregistered = (
        run(jinan, "households", tmp_path, f"户编号,村（社区）,姓名\n{number},{village.name},王五\n")
        for number in (formed, formed[:12] + "-9999")
    )
    assert messages(registered) == messages(unregistered) != []
    assert [column for column, _message in messages(registered)] == ["户编号"]
    assert registered.outside == unregistered.outside == 0
    # A number never registered is imported (a person may be registered once: that much
    # cannot be hidden); the run that asked is audited with its count (below).
    unknown = run(
        jinan,
        "households",
        tmp_path,
        f"村（社区）,户主姓名,姓名,身份证号\n{village.name},王五,王五,{fresh_id()}\n",
    )
    assert unknown.ok and unknown.outside == 0


def test_a_neighbouring_village_out_of_sight_gets_the_same_words_as_another_county(actor, tmp_path):
    own = Grant.objects.get(account__username="village").regions.get()
    neighbour = resident_of("431123", exclude_prefix=own.prefix)
    report = run(
        actor("village"),
        "households",
        tmp_path,
        f"村,姓名,身份证号,与户主关系\n{own.name},王五,{neighbour.id_number.reveal()},户主\n",
    )
    assert messages(report) == [("身份证号", str(ID_TAKEN))] and report.outside == 1


def test_an_id_number_in_a_household_in_sight_is_still_named_as_such(actor, tmp_path):
    """Within the importer's area nothing is hidden: the other household is named."""
    member = resident_of("431123")
    other = (
        Household.objects.filter(region__code__startswith="431123").exclude(pk=member.household_id).first()
    )
    report = run(
        actor("office"),
        "households",
        tmp_path,
        f"户编号,区划代码,姓名,身份证号,与户主关系\n{other.code},{other.region_id},王五,{member.id_number.reveal()},户主\n",
    )
    assert [c for c, _m in messages(report)] == ["身份证号"]
    assert str(ID_TAKEN) not in report.messages()[0] and report.outside == 0


# Pairings -----------------------------------------------------------------------------


@pytest.fixture
def jinan_campaign(db):
    jinan = Account.objects.get(username="office_jinan")
    today = timezone.localdate()
    campaign = campaign_start(
        actor=jinan,
        program_key="shugen",
        name="晋安隐私",
        region=Region.objects.get(code="350111000000"),
        start=dt.date(today.year, 1, 1),
        end=dt.date(today.year + 1, 12, 31),
    )
    cadre = campaign_cadres(campaign).select_related("account").first()
    return campaign, cadre.account.username


def pairing_errors(actor, tmp_path, campaign, username, column, value, kind="帮扶困难户"):
    report = run(
        actor("office_jinan"),
        "pairings",
        tmp_path,
        f"干部用户名,结对类型,{column}\n{username},{kind},{value}\n",
        campaign=campaign,
    )
    return report, messages(report)


def test_a_pairing_target_registered_elsewhere_is_answered_as_one_never_registered(
    actor, tmp_path, jinan_campaign
):
    campaign, username = jinan_campaign
    shuangpai = resident_of("431123")
    cases = {
        "身份证号": (shuangpai.id_number.reveal(), fresh_id()),
        "户编号": (shuangpai.household.code, "431123999999-0001"),
    }
    for column, (registered, unknown) in cases.items():
        _report, elsewhere = pairing_errors(actor, tmp_path, campaign, username, column, registered)
        _report, never = pairing_errors(actor, tmp_path, campaign, username, column, unknown)
        assert elsewhere == never and len(never) == 1 and never[0][0] == column, (column, elsewhere, never)
    # Liaison points too: one of 双牌县 is as unknown as a name nobody uses.
    point = LiaisonPoint.objects.filter(region__code__startswith="431123").first()
    _report, elsewhere = pairing_errors(
        actor, tmp_path, campaign, username, "联系点", point.name, "联村工作队"
    )
    _report, never = pairing_errors(
        actor, tmp_path, campaign, username, "联系点", "没有的联系点", "联村工作队"
    )
    assert elsewhere == never and len(never) == 1
    # The campaign's own households are still found, by number and by ID number.
    own = resident_of("350111")
    for column, value in (("户编号", own.household.code), ("身份证号", own.id_number.reveal())):
        report, found = pairing_errors(actor, tmp_path, campaign, username, column, value)
        assert found == [] and report.counts["pairings_created"] == 1, found


# Cadres -------------------------------------------------------------------------------


def test_cadre_usernames_out_of_sight_and_administrators_get_one_message(actor, tmp_path):
    unit = Unit.objects.filter(region__code__startswith="350111").order_by("id").first()
    assert not Cadre.objects.filter(account__username="sysadmin").exists()
    report = run(
        actor("office_jinan"),
        "cadres",
        tmp_path,
        f"用户名,姓名,单位\ncadre,甲,{unit.name}\nsysadmin,乙,{unit.name}\n",
    )
    assert messages(report) == [("用户名", str(USERNAME_TAKEN))] * 2 and report.outside == 2
    # A username held by a cadre in sight matches that cadre.
    own = (
        Cadre.objects.select_related("account", "unit")
        .filter(unit__region__code__startswith="350111")
        .first()
    )
    report = run(
        actor("office_jinan"),
        "cadres",
        tmp_path,
        f"用户名,姓名,单位\n{own.account.username},{own.account.full_name},{own.unit.name}\n",
    )
    assert report.ok and report.counts["cadres_created"] == 0, report.messages()


def test_a_cadre_phone_held_out_of_sight_is_like_a_phone_never_seen(actor, tmp_path):
    unit = Unit.objects.filter(region__code__startswith="350111").order_by("id").first()
    shuangpai = Cadre.objects.filter(unit__region__code__startswith="431123", phone__isnull=False).first()
    for phone in (shuangpai.phone.reveal(), "13700009999"):
        report = run(
            actor("office_jinan"), "cadres", tmp_path, f"姓名,单位,手机\n新干部,{unit.name},{phone}\n"
        )
        assert report.ok and report.counts["cadres_created"] == 1, report.messages()


# Every run is audited ------------------------------------------------------------------


def _latest_import(kind: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=f"import.{kind}").latest("id")


def test_a_dry_run_through_the_api_leaves_an_audit_row_counting_rows_held_elsewhere(client, db):
    jinan = Account.objects.get(username="office_jinan")
    token = token_create(actor=None, account=jinan)
    village = village_of("350111")
    lines = [
        f"{village.name},王{k},王{k},{resident_of('431123').id_number.reveal() if k == 0 else fresh_id(k)}"
        for k in range(3)
    ]
    body = "村（社区）,户主姓名,姓名,身份证号\n" + "\n".join(lines) + "\n"
    before = AuditEvent.objects.count()
    upload = SimpleUploadedFile("probe.csv", body.encode("utf-8-sig"), content_type="text/csv")
    response = client.post(
        "/api/v1/imports/households?dry_run=true", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.json()["dry_run"] and len(response.json()["errors"]) == 1
    assert AuditEvent.objects.count() == before + 1
    event = _latest_import("households")
    assert event.user == jinan and event.result == "failed"
    assert {k: event.detail[k] for k in ("dry_run", "file", "rows", "errors", "outside")} == {
        "dry_run": True,
        "file": "probe.csv",
        "rows": 3,
        "errors": 1,
        "outside": 1,
    }


def test_a_clean_dry_run_on_the_page_and_the_command_is_audited_too(client_as, tmp_path):
    village = village_of("431123")
    path = tmp_path / "clean.csv"
    path.write_text(
        f"村,姓名,身份证号,与户主关系\n{village.name},王五,{fresh_id(5)},户主\n", encoding="utf-8"
    )
    client = client_as("office")
    before = AuditEvent.objects.count()
    with open(path, "rb") as fh:
        response = client.post("/imports/households/", {"file": fh})
    assert response.context["report"].ok
    assert AuditEvent.objects.count() == before + 1
    event = _latest_import("households")
    assert event.username == "office" and event.result == "ok"
    assert event.detail["dry_run"] is True and event.detail["errors"] == 0 and event.detail["outside"] == 0
    assert event.detail["households_created"] == 1
    call_command("import", "households", str(path), "--dry-run", "--quiet")
    assert AuditEvent.objects.count() == before + 2
    event = _latest_import("households")
    assert event.user is None and event.detail["dry_run"] is True and event.detail["rows"] == 1


def test_a_written_import_keeps_its_one_audit_row(actor, tmp_path):
    village = village_of("431123")
    path = tmp_path / "written.csv"
    path.write_text(
        f"村,姓名,身份证号,与户主关系\n{village.name},王六,{fresh_id(6)},户主\n", encoding="utf-8"
    )
    before = AuditEvent.objects.count()
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.written
    assert AuditEvent.objects.count() == before + 1
    event = _latest_import("households")
    assert event.result == "ok" and event.detail["dry_run"] is False
    assert event.detail["households_created"] == 1 and event.detail["file"] == "written.csv"
    assert Household.objects.filter(head__name="王六").exists()
