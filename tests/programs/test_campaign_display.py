"""How a campaign reads on its pages: parameters, choices and version changes in words, dates
as people write them, rule names beside changed quotas, the checklist download with the
page's filters, units told apart by their parent, targets by name."""

import datetime as dt
import io
import re

from django.conf import settings
from django.utils import timezone
from python_calamine import CalamineWorkbook

from minqing.org.services import account_create, cadre_create, unit_create
from minqing.programs import engine
from minqing.programs.models import Campaign, CampaignVersion
from minqing.programs.services import campaign_change, pairing_create


def page(client, url: str, language: str = "zh-hans") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def rule_of(campaign, rule_type: str) -> dict:
    return next(r for r in campaign.config["rules"] if r["type"] == rule_type)


def lines(html: str, list_class: str) -> list[str]:
    """The items of every <ul class="list_class"> on the page, as text."""
    found = []
    for block in re.findall(rf'<ul class="{list_class}">(.*?)</ul>', html, re.S):
        found += [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", block, re.S)]
    return found


# 1. Parameters ------------------------------------------------------------------------


def test_the_campaign_page_shows_each_parameter_by_its_label_and_its_value_in_words(scenario, client_as):
    client = client_as("office")
    dundian = scenario.campaign("dundian")
    html = page(client, f"/campaigns/{dundian.pk}/")
    params = lines(html, "params")
    assert "蹲点：1" not in params  # the template's own names, not keys or Python lists
    assert "['station']" not in html and "min = " not in html and "ranks = " not in html
    assert "每名干部联系对象数：1" in params
    assert "计入的结对类型（不填则为全部）：蹲点社区" in params
    assert "适用的干部类别（不填则为全部）：主要领导、班子成员" in params
    assert "名单报送截止日期：2026年4月15日" in params  # the 一联五 list, due 04-15 in the template

    xiajiceng = scenario.campaign("xiajiceng")
    params = lines(page(client, f"/campaigns/{xiajiceng.pk}/"), "params")
    assert "须覆盖的最低困难等级：一般困难" in params
    assert "活动项目：一次入户走访、一次受益群众座谈、一次集中接访、一次政策宣讲" in params
    assert "统计周期：在每个阶段" in params
    assert "限定阶段：调查摸底（四个一）" in params
    assert "开展主体：干部" in params
    assert "home_visit_round" not in html

    dazoufang = scenario.campaign("dazoufang")
    params = lines(page(client, f"/campaigns/{dazoufang.pk}/"), "params")
    assert "每户慰问金下限（元）：200元" in params
    english = lines(page(client, f"/campaigns/{dazoufang.pk}/", "en"), "params")
    assert "Yuan per household, at least: 200 yuan" in english


# 2. The edit form -----------------------------------------------------------------------


def test_the_edit_form_offers_choices_by_their_names_and_keeps_their_keys(scenario, client_as):
    client = client_as("office")
    campaign = scenario.campaign("dazoufang")
    zero = rule_of(campaign, "zero.incidents")
    activities = rule_of(campaign, "activities.held")
    html = page(client, f"/campaigns/{campaign.pk}/edit/")
    assert re.search(r'<option value="phase" selected>在每个阶段</option>', html)
    assert re.search(r'<option value="team" selected>工作队</option>', html)
    assert re.search(r'<option value="field" selected>组织实施</option>', html)  # 限定阶段: a phase by name
    assert ">phase<" not in html and ">half_year<" not in html and ">cadre<" not in html
    assert re.search(rf'name="rule__{zero["key"]}__kinds" value="casualty"[^>]*checked>\s*人员伤亡', html)
    assert re.search(
        rf'name="rule__{activities["key"]}__activities" value="shared_labour"[^>]*checked>', html
    )
    assert "safety_accident, casualty" not in html
    assert "每个工作队慰问困难群众" in html  # the rule type's label, not left empty

    form = {
        "name": campaign.name,
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "reason": "只看伤亡和案件",
    }
    for phase in campaign.config["phases"]:
        form[f"phase__{phase['key']}__start"] = phase["start"]
        form[f"phase__{phase['key']}__end"] = phase["end"]
    for rule in campaign.config["rules"]:
        form[f"rule__{rule['key']}__enabled"] = "on"
        for name, value in rule["params"].items():
            form[f"rule__{rule['key']}__{name}"] = value
    form[f"rule__{zero['key']}__kinds"] = ["casualty", "major_case"]
    form[f"rule__{activities['key']}__activities"] = ["policy_training"]
    response = client.post(f"/campaigns/{campaign.pk}/edit/", form)
    assert response.status_code == 302, re.findall(r'role="alert">(.*?)<', response.content.decode())
    campaign.refresh_from_db()
    assert campaign.rule(zero["key"])["params"]["kinds"] == ["casualty", "major_case"]
    assert campaign.rule(activities["key"])["params"]["activities"] == ["policy_training"]


# 3. Versions ----------------------------------------------------------------------------


def test_the_version_history_names_each_change_on_its_own_line_in_words(scenario, client_as):
    campaign = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2027, 4, 8))
    relief = rule_of(campaign, "relief.per_team")
    summary = rule_of(campaign, "reports.team_summary")
    zero = rule_of(campaign, "zero.incidents")
    first_phase = campaign.config["phases"][0]
    campaign_change(
        actor=scenario.office,
        campaign=campaign,
        reason="县里提高标准",
        end=dt.date(2027, 4, 10),
        phases={first_phase["key"]: (dt.date(2026, 3, 9), dt.date(2026, 3, 10))},
        params={
            (relief["key"], "min_yuan"): 300,
            (summary["key"], "due"): dt.date(2027, 4, 10),
            (zero["key"], "kinds"): ["casualty"],
        },
        enabled={rule_of(campaign, "deeds.per_point")["key"]: False},
    )
    client = client_as("office")
    html = page(client, f"/campaigns/{campaign.pk}/")
    changes = lines(html, "changes")
    assert "结束：2027年4月8日 → 2027年4月10日" in changes
    assert f"阶段“{first_phase['name']}”：2026年3月8日–2026年3月10日 → 2026年3月9日–2026年3月10日" in changes
    assert f"{relief['name']} · 每户慰问金下限（元）：200元 → 300元" in changes
    assert f"{summary['name']} · 截止日期：2026年4月5日 → 2027年4月10日" in changes
    assert (
        f"{zero['name']} · 事件类型：安全生产事故、人员伤亡、进京赴省上访、党组织瘫痪、重大案件 → 人员伤亡"
        in changes
    )
    assert f"{rule_of(campaign, 'deeds.per_point')['name']}：停用" in changes
    assert f"依据方案《百乡千村万户大走访》启动；参加单位：{scenario.unit.name}" in changes
    assert "care_for_vulnerable" not in html and "min_yuan" not in html and "2027-04-10" not in html

    english = page(client, f"/campaigns/{campaign.pk}/", "en")
    assert "Started from the template" in english and "依据方案模板启动" not in english
    assert f"{relief['name']} · Yuan per household, at least: 200 yuan → 300 yuan" in lines(
        english, "changes"
    )


def test_a_first_version_stored_with_the_starters_words_reads_in_the_readers_language(scenario, client_as):
    campaign = scenario.campaign("xiajiceng")
    assert campaign.versions.get(number=1).reason == CampaignVersion.STARTED_FROM_TEMPLATE
    campaign.versions.filter(number=1).update(reason="依据方案模板启动")  # as rows were kept before
    english = page(client_as("office"), f"/campaigns/{campaign.pk}/", "en")
    assert "Started from the template" in english and "依据方案模板启动" not in english
    assert "依据方案模板启动" in page(client_as("office"), f"/campaigns/{campaign.pk}/")


# 4. Dates -------------------------------------------------------------------------------


def test_dates_on_chinese_pages_read_as_people_write_them(scenario, client_as):
    client = client_as("office")
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    html = page(client, f"/campaigns/{campaign.pk}/")
    assert '<td data-label="起始日期">2026年4月15日</td>' in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r'(href|value)="[^"]*"', "", html))

    programs = page(client, "/programs/")
    assert "调查摸底（四个一）：4月15日–4月30日" in programs
    assert "04-15" not in programs
    assert "April 15 – April 30" in page(client, "/programs/", "en")

    audit = page(client_as("auditor", verified=True), "/security/audit/")
    times = re.findall(r'<td data-label="时间">(.*?)</td>', audit)
    assert times and all(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}", t) for t in times)


# 5. Words -------------------------------------------------------------------------------


def test_team_members_are_called_duiyuan_and_the_audit_outcome_is_a_result(scenario, client_as):
    campaign = scenario.campaign("dazoufang")
    teams = page(client_as("office"), f"/campaigns/{campaign.pk}/teams/")
    assert "<th>队员</th>" in teams and "家庭成员" not in teams
    household = page(client_as("office"), f"/people/households/{scenario.household().pk}/")
    assert "家庭成员" in household
    audit = page(client_as("auditor", verified=True), "/security/audit/")
    assert "<th>结果</th>" in audit and "检查结果" not in audit


# 6. Rule names and changed quotas -------------------------------------------------------


def test_a_rule_named_with_a_changed_quota_shows_the_value_now_in_force_beside_its_name(scenario, client_as):
    campaign = scenario.campaign("dazoufang")
    relief, deeds = rule_of(campaign, "relief.per_team"), rule_of(campaign, "deeds.per_point")
    campaign_change(
        actor=scenario.office,
        campaign=campaign,
        reason="提高标准",
        params={(relief["key"], "min_households"): 25, (deeds["key"], "min"): 2},
    )
    client = client_as("office")
    expected = [
        "每个工作队走访慰问不少于20户，每户不少于200元（已调整：每队慰问户数为25）",
        "每个联系点办1至2件实事（已调整：每个联系点实事数为2）",
    ]
    for url in (f"/campaigns/{campaign.pk}/", f"/campaigns/{campaign.pk}/compliance/?as_of=2026-06-01"):
        html = page(client, url)
        for title in expected:
            assert title in html, url
    unchanged = rule_of(campaign, "problems.solved_per_point")["name"]
    assert f"{unchanged}（" not in page(client, f"/campaigns/{campaign.pk}/")
    assert f"{relief['name']} (changed: Households per team set to 25)" in page(
        client, f"/campaigns/{campaign.pk}/", "en"
    )


# 7. The checklist download --------------------------------------------------------------


def test_the_checklist_download_carries_and_applies_the_pages_filters(client_as, db):
    campaign = Campaign.objects.get(program_key="xiajiceng")
    client = client_as("office")
    url = f"/campaigns/{campaign.pk}/compliance/?as_of=2026-11-21&rule=four_ones&status=fail"
    html = page(client, url)
    link = re.search(r'id="checklist-download" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "rule=four_ones" in link and "status=fail" in link and "as_of=2026-11-21" in link
    rows_on_page = int(re.search(r'<h2>[^<]*<small class="muted">(\d+)</small></h2>', html).group(1))

    response = client.get(link)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    failing = [
        v
        for v in engine.evaluate(campaign, dt.date(2026, 11, 21))
        if v.rule == "four_ones" and v.status == "fail"
    ]
    data = [row for row in sheet[3:] if any(row)]
    assert len(data) == len(failing) == rows_on_page and failing
    assert {row[9] for row in data} == {"未达标"}
    title = sheet[0][0]
    assert "调查阶段“四个一”" in title and "结果：未达标" in title

    everything = client.get(f"/campaigns/{campaign.pk}/compliance.xlsx?as_of=2026-11-21")
    whole = CalamineWorkbook.from_filelike(io.BytesIO(everything.content)).get_sheet_by_index(0).to_python()
    assert len([row for row in whole[3:] if any(row)]) > len(data)
    assert "仅含" not in whole[0][0]


# 8. Units, breadcrumbs, targets ---------------------------------------------------------


def _section_cadre(scenario, section_name: str):
    section = unit_create(
        actor=scenario.office, name=section_name, region=scenario.county, parent=scenario.unit, kind="section"
    )
    account = account_create(
        actor=scenario.office, username=f"s{section.pk}", full_name="股室干部", password=None
    )
    return section, cadre_create(actor=scenario.office, account=account, unit=section, rank="staff")


def test_sections_are_named_with_their_parent_unit_where_units_are_listed_or_picked(scenario, client_as):
    section, cadre = _section_cadre(scenario, "办公室")
    campaign = scenario.campaign("xiajiceng")
    leaving = scenario.cadre("member")
    client = client_as("office")
    label = f"{scenario.unit.name}·办公室"

    compliance = page(client, f"/campaigns/{campaign.pk}/compliance/?as_of=2026-06-01")
    by_unit = re.search(r'<table class="responsive" id="by-unit">.*?</table>', compliance, re.S).group(0)
    assert f">{label}</a>" in by_unit
    assert f"股室干部（{label}）" in compliance  # the cadre as subject

    edit = page(client, f"/campaigns/{campaign.pk}/edit/")
    assert f'<option value="{section.pk}">{label}</option>' in edit
    handover = page(client, f"/cadres/{leaving.pk}/handover/")
    assert f"股室干部（{label}）" in handover
    assert f"{label}" in page(client, f"/campaigns/{campaign.pk}/unit-pairings/")

    book = client.get(f"/campaigns/{campaign.pk}/compliance.xlsx?as_of=2026-06-01&cadre={cadre.pk}")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(book.content)).get_sheet_by_index(0).to_python()
    assert any(row[3] == f"股室干部（{label}）" for row in sheet[3:])


def test_the_breadcrumb_of_a_campaign_page_ends_with_the_campaign_not_the_path(client_as, db):
    campaign = Campaign.objects.get(program_key="xiajiceng")
    client = client_as("office")
    html = page(client, f"/campaigns/{campaign.pk}/")
    crumb = re.search(r'<nav aria-label="breadcrumb">(.*?)</nav>', html, re.S).group(1)
    items = [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", crumb, re.S)]
    assert items == ["活动", campaign.name]
    # The language switch still comes back here.
    assert f'<input name="next" type="hidden" value="/campaigns/{campaign.pk}/">' in html
    teams = page(client, f"/campaigns/{campaign.pk}/teams/")
    crumb = re.search(r'<nav aria-label="breadcrumb">(.*?)</nav>', teams, re.S).group(1)
    assert re.sub(r"<[^>]+>|\s", "", crumb) == f"活动{campaign.name}工作队"


def test_the_handover_page_names_paired_households_by_their_head(scenario, client_as):
    today = timezone.localdate()
    campaign = scenario.campaign(
        "shugen", start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=30)
    )
    leaving = scenario.cadre("member")
    household = scenario.household(level=1, head="赵六")
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=leaving,
        kind="bangfu",
        target=household,
        start=today - dt.timedelta(days=10),
    )
    html = page(client_as("office"), f"/cadres/{leaving.pk}/handover/")
    listed = lines(html.replace('<ul id="handover-pairings">', '<ul class="handover">'), "handover")
    assert listed == [f"{campaign.name} · 帮扶困难户 · 赵六家"]
    assert household.code not in html
