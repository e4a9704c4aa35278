"""Where verdicts show: the compliance page (filters, drill-down), the Excel checklist,
the API and the command; and the engine's query count does not grow with cadres."""

import datetime as dt
import io
import json
import re

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs import engine
from minqing.programs.models import Campaign


def county_campaign():
    return Campaign.objects.get(program_key="xiajiceng")


def test_the_page_shows_each_rule_and_drills_into_a_failing_cadre(client_as, db):
    campaign = county_campaign()
    client = client_as("office")
    page = client.get(f"/campaigns/{campaign.pk}/compliance/?as_of=2026-11-21").content.decode()
    for rule in campaign.config["rules"]:
        assert rule["name"] in page
    failing = next(
        v
        for v in engine.evaluate(campaign, dt.date(2026, 11, 21))
        if v.status == "fail" and v.subject_type == "cadre"
    )
    drill = client.get(f"/campaigns/{campaign.pk}/compliance/?as_of=2026-11-21&cadre={failing.cadre_id}")
    html = drill.content.decode()
    assert failing.missing[0] in html
    rows = re.findall(r'<tr class="status-(\w+)">', html)
    assert rows and "fail" in rows
    # From the failing cadre, the ways to act on it: their pairings, a new one, a handover.
    actions = re.search(r'<p id="cadre-actions">(.*?)</p>', html).group(1)
    assert f"/campaigns/{campaign.pk}/pairings/?cadre={failing.cadre_id}" in actions
    assert f"/cadres/{failing.cadre_id}/handover/" in actions
    assert client.get(f"/campaigns/{campaign.pk}/pairings/?cadre={failing.cadre_id}").status_code == 200


def test_the_failure_filter_lists_only_failures_and_exactly_as_many_as_counted(client_as, db):
    campaign = county_campaign()
    verdicts = engine.evaluate(campaign, dt.date(2026, 11, 21))
    failures = [v for v in verdicts if v.status == "fail"]
    html = (
        client_as("office")
        .get(f"/campaigns/{campaign.pk}/compliance/?as_of=2026-11-21&status=fail")
        .content.decode()
    )
    rows = re.findall(r'<tr class="status-(\w+)">', html)
    assert set(rows) == {"fail"} and len(rows) == min(len(failures), 50)


def test_a_cadre_sees_only_their_own_verdicts(client_as, db):
    campaign = county_campaign()
    token = token_create(actor=None, account=Account.objects.get(username="cadre"))
    data = (
        client_as(None)
        .get(
            f"/api/v1/campaigns/{campaign.pk}/compliance?as_of=2026-11-21",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        .json()
    )
    own = Account.objects.get(username="cadre").cadre.pk
    assert data["verdicts"] and {v["cadre_id"] for v in data["verdicts"] if v["subject_type"] == "cadre"} == {
        own
    }


def _two_households_without_deeds(campaign):
    """A cadre linked to two more households with no deed for either: a gap list of two items
    (the demo's own such lists come and go with whom its recalls hand households to)."""
    from minqing.people.models import Household
    from minqing.programs.selectors import campaign_cadres
    from minqing.programs.services import pairing_create

    office = Account.objects.get(username="office")
    cadre = campaign_cadres(campaign).order_by("id").first()
    households = Household.objects.filter(
        region__code__startswith=campaign.region.prefix, pairings__isnull=True, deeds__isnull=True
    ).order_by("id")[:2]
    for household in households:
        pairing_create(
            actor=office,
            campaign=campaign,
            cadre=cadre,
            kind="bangfu",
            target=household,
            start=campaign.start,
        )


def test_the_checklist_export_has_one_row_per_verdict_and_no_live_formula(client_as, db):
    campaign = county_campaign()
    _two_households_without_deeds(campaign)
    response = client_as("office").get(f"/campaigns/{campaign.pk}/compliance.xlsx?as_of=2026-11-21")
    assert response["Content-Disposition"].startswith("attachment")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    expected = len(engine.evaluate(campaign, dt.date(2026, 11, 21)))
    data = rows[3:]
    assert len(data) == expected
    assert [int(r[0]) for r in data] == list(range(1, expected + 1))
    assert campaign.name in rows[0][0]
    # Counts are numbers Excel sums (not "number stored as text"), gaps joined as on the page.
    verdicts = engine.evaluate(campaign, dt.date(2026, 11, 21))
    counted = [(r, v) for r, v in zip(data, verdicts, strict=True) if str(v.required).isdigit()]
    assert counted and all(isinstance(r[7], float) and r[7] == int(v.required) for r, v in counted)
    several = [r for r, v in zip(data, verdicts, strict=True) if len(v.missing) > 1]
    assert several and all("；" in r[10] and "; " not in r[10] for r in several)
    assert 'filename="compliance-' in response["Content-Disposition"]
    failing = client_as("office").get(
        f"/campaigns/{campaign.pk}/compliance.xlsx?as_of=2026-11-21&status=fail"
    )
    assert f'filename="compliance-{campaign.pk}-2026-11-21-statusfail.xlsx"' in failing["Content-Disposition"]
    # A value that is not ASCII stays out of the name (the header would no longer be read).
    odd = client_as("office").get(f"/campaigns/{campaign.pk}/compliance.xlsx?as_of=2026-11-21&status=失败")
    assert f'filename="compliance-{campaign.pk}-2026-11-21.xlsx"' in odd["Content-Disposition"]


def test_the_command_prints_json_verdicts(db, capsys):
    campaign = county_campaign()
    call_command("compliance", "--campaign", str(campaign.pk), "--as-of", "2026-11-21", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2026-11-21"
    assert sum(data["totals"].values()) == len(data["verdicts"]) > 0


STATUSES = {"pass", "fail", "no_records", "not_due"}


def _by_rule_is_the_tally_of(data, verdicts):
    """Each rule's four counts are its verdicts', and they add up to the totals."""
    for tally in data["by_rule"]:
        mine = [v for v in verdicts if v.rule == tally["rule"]]
        assert {k: tally[k] for k in STATUSES} == {k: sum(v.status == k for v in mine) for k in STATUSES}
        assert tally["total"] == len(mine)
    assert {k: sum(t[k] for t in data["by_rule"]) for k in STATUSES} == data["totals"]


def test_the_command_gives_all_four_totals_and_per_rule_tallies_and_filters_only_the_verdicts(db, capsys):
    campaign = county_campaign()
    verdicts = engine.evaluate(campaign, dt.date(2026, 11, 21))
    call_command("compliance", "--campaign", str(campaign.pk), "--as-of", "2026-11-21", "--json")
    whole = json.loads(capsys.readouterr().out)
    assert set(whole["totals"]) == STATUSES  # a status with no verdict is there, with 0
    assert 0 in whole["totals"].values()
    assert [t["rule"] for t in whole["by_rule"]] == [
        r["key"] for r in campaign.config["rules"] if not r.get("disabled")
    ]
    _by_rule_is_the_tally_of(whole, verdicts)
    assert whole["status"] == "" and whole["shown"] == len(whole["verdicts"]) == len(verdicts)

    call_command(
        "compliance", "--campaign", str(campaign.pk), "--as-of", "2026-11-21", "--json", "--failures"
    )
    failing = json.loads(capsys.readouterr().out)
    assert failing["totals"] == whole["totals"] and failing["by_rule"] == whole["by_rule"]
    assert failing["status"] == "fail" and {v["status"] for v in failing["verdicts"]} == {"fail"}
    assert failing["shown"] == len(failing["verdicts"]) == whole["totals"]["fail"]


def test_the_api_gives_all_four_totals_and_per_rule_tallies_and_filters_only_the_verdicts(client, db):
    campaign = county_campaign()
    verdicts = engine.evaluate(campaign, dt.date(2026, 11, 21))
    token = token_create(actor=None, account=Account.objects.get(username="office"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/campaigns/{campaign.pk}/compliance?as_of=2026-11-21"
    whole = client.get(url, **auth).json()
    assert set(whole["totals"]) == STATUSES and 0 in whole["totals"].values()
    _by_rule_is_the_tally_of(whole, verdicts)
    assert whole["status"] == "" and whole["shown"] == len(whole["verdicts"]) == sum(whole["totals"].values())
    failing = client.get(url + "&status=fail", **auth).json()
    assert failing["totals"] == whole["totals"] and failing["by_rule"] == whole["by_rule"]
    assert failing["status"] == "fail" and {v["status"] for v in failing["verdicts"]} == {"fail"}
    assert failing["shown"] == len(failing["verdicts"]) == whole["totals"]["fail"]
    # The command and the API give the same report.
    out = io.StringIO()
    call_command(
        "compliance",
        "--campaign",
        str(campaign.pk),
        "--as-of",
        "2026-11-21",
        "--json",
        "--failures",
        stdout=out,
    )
    assert json.loads(out.getvalue()) == failing


def test_an_unknown_status_is_a_translated_422_not_an_empty_list(client, db):
    campaign = county_campaign()
    token = token_create(actor=None, account=Account.objects.get(username="office"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/campaigns/{campaign.pk}/compliance?status=bogus"
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **auth)
    assert chinese.status_code == 422
    assert (
        chinese.json()["detail"]
        == "status 应为 pass, fail, no_records, not_due 之一，不填则列出全部检查结果。"
    )
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **auth)
    assert english.status_code == 422
    assert (
        english.json()["detail"]
        == "status: one of pass, fail, no_records, not_due, or none for every verdict."
    )


def test_the_engine_uses_the_same_number_of_queries_for_more_cadres(scenario):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    from minqing.programs.services import pairing_create

    def count():
        fresh = Campaign.objects.get(pk=campaign.pk)
        with CaptureQueriesContext(connection) as captured:
            engine.evaluate(fresh, dt.date(2026, 6, 1))
        return len(captured)

    for _ in range(2):
        cadre = scenario.cadre()
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind="bangfu",
            target=scenario.household(level=1),
            start=dt.date(2026, 4, 20),
        )
    few = count()
    for _ in range(6):
        cadre = scenario.cadre()
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind="bangfu",
            target=scenario.household(level=1),
            start=dt.date(2026, 4, 20),
        )
    assert count() == few


def test_the_office_starts_and_edits_a_campaign_through_the_pages(client_as, db):
    client = client_as("office")
    response = client.post(
        "/campaigns/start/",
        {
            "program": "dundian",
            "name": "网页蹲点",
            "region": "431123000000",
            "start": "2026-04-01",
            "end": "2026-12-31",
        },
    )
    campaign = Campaign.objects.get(name="网页蹲点")
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    form = client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
    assert "rule__yilianwu__due" in form
    data = {"name": campaign.name, "start": "2026-04-01", "end": "2026-12-31", "reason": "推迟报送"}
    for phase in campaign.config["phases"]:
        data[f"phase__{phase['key']}__start"] = phase["start"]
        data[f"phase__{phase['key']}__end"] = phase["end"]
    for rule in campaign.config["rules"]:
        data[f"rule__{rule['key']}__enabled"] = "on"
        for name, value in rule["params"].items():
            # Lists of keys are ticked boxes (one value each); numbers are typed, comma-separated.
            if isinstance(value, list) and all(isinstance(v, int) for v in value):
                value = ", ".join(str(v) for v in value)
            data[f"rule__{rule['key']}__{name}"] = value
    data["rule__yilianwu__due"] = "2026-04-22"
    assert client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.version == 2 and campaign.rule("yilianwu")["params"]["due"] == "2026-04-22"


def test_the_office_records_a_pairing_through_the_page(client_as, db):
    from minqing.people.models import Household
    from minqing.programs.models import Pairing

    campaign = county_campaign()
    household = Household.objects.filter(region__code__startswith="431123", hardship_level=0).first()
    cadre = Account.objects.get(username="leader").cadre
    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/pairings/new/",
        {"cadre": cadre.pk, "kind": "bangfu", "household": household.code, "start": "2026-05-01"},
    )
    assert response.status_code == 302
    assert Pairing.objects.filter(campaign=campaign, cadre=cadre, household=household).exists()
    listing = client_as("office").get(f"/campaigns/{campaign.pk}/pairings/?cadre={cadre.pk}").content.decode()
    assert household.head.name in listing


def test_the_pairing_form_finds_a_household_by_the_heads_name(client_as, db):
    from minqing.core.models import AuditEvent
    from minqing.people.models import Household
    from minqing.programs.models import Pairing

    campaign = county_campaign()
    cadre = Account.objects.get(username="leader").cadre
    names = Household.objects.filter(region__code__startswith="431123", head__isnull=False).values_list(
        "head__name", flat=True
    )
    names = list(names)
    # A name no other head's name starts with, and a surname several heads share.
    unique = next(n for n in names if sum(other.startswith(n) for other in names) == 1)
    twice = next(n[0] for n in names if sum(other.startswith(n[0]) for other in names) > 1)
    household = Household.objects.get(region__code__startswith="431123", head__name=unique)
    client = client_as("office")
    options = client.get(f"/campaigns/{campaign.pk}/pairings/households/", {"household": unique})
    assert options.status_code == 200 and f'value="{household.code}"' in options.content.decode()
    assert AuditEvent.objects.filter(action="people.search", detail__query=unique).exists()
    response = client.post(
        f"/campaigns/{campaign.pk}/pairings/new/",
        {"cadre": cadre.pk, "kind": "bangfu", "household": unique, "start": "2026-05-01"},
    )
    assert response.status_code == 302
    assert Pairing.objects.filter(campaign=campaign, cadre=cadre, household=household).exists()
    before = Pairing.objects.count()
    response = client.post(
        f"/campaigns/{campaign.pk}/pairings/new/",
        {"cadre": cadre.pk, "kind": "bangfu", "household": twice, "start": "2026-05-01"},
        follow=True,
    )
    page = response.content.decode()
    assert "户编号" in page and twice in page  # several match: the numbers are listed, nothing saved
    assert Pairing.objects.count() == before
    response = client.post(
        f"/campaigns/{campaign.pk}/pairings/new/",
        {"cadre": cadre.pk, "kind": "bangfu", "household": "查无此人", "start": "2026-05-01"},
        follow=True,
    )
    assert "查无此人" in response.content.decode() and Pairing.objects.count() == before
    assert (
        client_as("office_jinan")
        .get(f"/campaigns/{campaign.pk}/pairings/households/?household=a")
        .status_code
        == 404
    )


def test_lists_show_the_names_of_slots_and_visit_forms_not_their_keys(client_as, db):
    import datetime as dt

    from minqing.fieldwork.services import visit_record
    from minqing.programs.models import Campaign, Pairing

    dundian = Campaign.objects.get(program_key="dundian")
    slotted = Pairing.objects.filter(campaign=dundian).exclude(slot="").select_related("campaign").first()
    assert slotted is not None  # the demo's 一联五 pairings carry slots
    page = client_as("office").get(f"/campaigns/{dundian.pk}/pairings/?cadre={slotted.cadre_id}")
    text = page.content.decode()
    assert "：" not in slotted.kind_label and slotted.slot not in slotted.kind_label
    assert slotted.kind_label in text and f"· {slotted.slot}<" not in text
    xiajiceng = Campaign.objects.get(program_key="xiajiceng")
    assert xiajiceng.pairing_label("bangfu") != "bangfu"
    pairing = Pairing.objects.filter(
        cadre__account__username="cadre", campaign=xiajiceng, household__isnull=False
    ).first()
    visit = visit_record(
        actor=pairing.cadre.account,
        campaign=xiajiceng,
        cadre=pairing.cadre,
        date=dt.date(2026, 6, 1),
        form="home_visit",
        target=pairing.household,
        content="看看表单名称",
    )
    detail = client_as("cadre").get(f"/fieldwork/visits/{visit.uuid}/").content.decode()
    assert xiajiceng.visit_form_name("home_visit") in detail and ">home_visit<" not in detail
