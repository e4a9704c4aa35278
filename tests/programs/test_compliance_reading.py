"""The compliance page and its checklist read as a county office reads them: a rule limited
to one phase names it, counts carry their unit, a cadre's drill-down counts that cadre's
verdicts, each failure links to where it is put right, and the checklist has columns to
sort and filter by."""

import datetime as dt
import io
import re

import openpyxl
from django.urls import reverse
from django.utils import translation

from minqing.programs import display, engine
from minqing.programs.models import Campaign

AS_OF = dt.date(2026, 11, 21)


def county_campaign():
    return Campaign.objects.get(program_key="xiajiceng")


def test_an_activities_rule_limited_to_one_phase_names_that_phase(db):
    campaign = county_campaign()
    phase = next(p["name"] for p in campaign.config["phases"] if p["key"] == "survey")
    with translation.override("en"):
        found = [v for v in engine.evaluate(campaign, AS_OF) if v.rule == "four_ones"]
    assert found
    assert {v.required for v in found} == {f"each of 4 listed activities held in the phase “{phase}”"}


def _row_cells(html):
    import re

    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        for row in re.findall(r'<tr class="status-\w+">(.*?)</tr>', html, re.S)
    ]


AFTER = dt.date(2027, 1, 1)  # the county campaign is over: every rule has failures


def _page(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def _cell(row, label):
    return next(cell for cell in row if f'data-label="{label}"' in cell)


def _text(cell):
    return re.sub(r"<[^>]+>", "", cell).strip()


def _rows(html):
    """(rule name, {column label: cell html}) for each verdict row of the page."""
    found = []
    for row in re.findall(r'<tr class="status-\w+">(.*?)</tr>', html, re.S):
        cells = dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S))
        found.append(cells)
    return found


def test_counts_on_the_page_carry_the_unit_of_what_the_rule_counts(client_as, db):
    campaign = county_campaign()
    html = _page(client_as("office"), f"/campaigns/{campaign.pk}/compliance/?as_of={AFTER}&status=fail")
    verdicts = [v for v in engine.evaluate(campaign, AFTER) if v.status == "fail"]
    rows = _rows(html)
    assert len(rows) == len(verdicts)
    actual = {}
    for verdict, row in zip(verdicts, rows, strict=True):
        actual.setdefault(verdict.rule, set()).add((verdict.actual, _text(row["Actual"])))
    # Days of a stay, activities held of those asked, targets visited often enough, targets
    # a cadre links: each count with its unit, never a bare 2 or 3/4.
    for shown, text in actual["concentrated_week"]:
        assert text == f"{shown} day" if shown == "1" else text == f"{shown} days"
    assert all(text == f"{shown} activities" for shown, text in actual["four_ones"])
    for shown, text in actual["visit_twice"]:
        assert text == (f"{shown} target" if shown.endswith("/1") else f"{shown} targets")
    assert all(re.fullmatch(r"\d+ targets?", text) for _s, text in actual["every_cadre_has_target"])
    with translation.override("en"):
        assert display.count_text("—", "stay.concentrated") == "—"
        assert display.count_text("2 of 3 on time", "tickets.deadlines") == "2 of 3 on time"


def test_each_failure_links_to_the_page_where_it_is_put_right(client_as, db):
    campaign = county_campaign()
    html = _page(client_as("office"), f"/campaigns/{campaign.pk}/compliance/?as_of={AFTER}&status=fail")
    verdicts = [v for v in engine.evaluate(campaign, AFTER) if v.status == "fail"]
    links = {}
    for verdict, row in zip(verdicts, _rows(html), strict=True):
        found = re.search(r'href="([^"]+)"', row["Where to fix it"])
        links.setdefault(verdict.rule, set()).add(found.group(1) if found else "")
        if verdict.rule == "every_cadre_has_target":
            assert found.group(1) == f"/campaigns/{campaign.pk}/pairings/?cadre={verdict.cadre_id}"
    assert links["concentrated_week"] == {reverse("fieldwork:attendance-pending")}
    assert links["visit_twice"] == {reverse("fieldwork:visit-list")}
    assert links["deeds_per_household"] == {reverse("fieldwork:deed-list")}
    assert links["every_hardship_household_covered"] == {f"/campaigns/{campaign.pk}/pairings/"}
    # The campaign's activity records, where the missing ones are seen (and recorded).
    assert links["four_ones"] == {f"{reverse('fieldwork:activity-list')}?campaign={campaign.pk}"}
    # A passing verdict has nothing to fix.
    passing = _page(client_as("office"), f"/campaigns/{campaign.pk}/compliance/?as_of={AFTER}&status=pass")
    assert all('href="' not in row["Where to fix it"] for row in _rows(passing))


def test_a_cadre_drill_down_counts_that_cadres_verdicts_by_rule(client_as, db):
    campaign = county_campaign()
    verdicts = engine.evaluate(campaign, AFTER)
    cadre = next(v for v in verdicts if v.status == "fail" and v.rule == "four_ones").cadre_id
    html = _page(client_as("office"), f"/campaigns/{campaign.pk}/compliance/?as_of={AFTER}&cadre={cadre}")
    table = re.search(r'<table class="responsive" id="by-rule">(.*?)</table>', html, re.S).group(1)
    counted = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        cells = dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S))
        rule = re.search(r"rule=(\w+)", cells["Rule"]).group(1)
        assert f"cadre={cadre}" in cells["Rule"]  # the rule's link stays with the cadre
        counted[rule] = {k: int(_text(cells[k])) for k in ("Pass", "Fail", "No records yet", "Not yet due")}
    mine = [v for v in verdicts if v.cadre_id == cadre]
    labels = {"pass": "Pass", "fail": "Fail", "no_records": "No records yet", "not_due": "Not yet due"}
    for rule, counts in counted.items():
        expected = {labels[s]: sum(v.rule == rule and v.status == s for v in mine) for s in labels}
        assert counts == expected, rule
    assert sum(sum(c.values()) for c in counted.values()) == len(mine) < len(verdicts)
    name = next(v.subject for v in mine if v.subject_type == "cadre")
    assert f"By rule: {name}" in html


def test_the_unit_and_team_tables_count_what_is_not_yet_due(client_as, db):
    campaign = county_campaign()
    report = engine.ComplianceReport(campaign, AS_OF, engine.evaluate(campaign, AS_OF))
    assert report.totals["not_due"]
    html = _page(client_as("office"), f"/campaigns/{campaign.pk}/compliance/?as_of={AS_OF}")
    table = re.search(r'<table class="responsive" id="by-unit">(.*?)</table>', html, re.S).group(1)
    assert "<th>Not yet due</th>" in table
    shown = sum(int(n) for n in re.findall(r'<td data-label="Not yet due">(\d+)</td>', table))
    assert shown == sum(1 for v in report.verdicts if v.status == "not_due" and v.unit_id)


def test_the_checklist_has_unit_and_village_columns_to_sort_and_filter_by(client_as, db):
    """Read back with openpyxl: a household is placed at a villagers' group, and the checklist
    names its village in the village column and the group in a column of its own."""
    from minqing.geo.models import Region
    from minqing.org.models import Cadre
    from minqing.people.models import Household

    campaign = county_campaign()
    response = client_as("office").get(
        f"/campaigns/{campaign.pk}/compliance.xlsx?as_of={AS_OF}", HTTP_ACCEPT_LANGUAGE="en"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    header = rows[2]
    unit_at, place_at = header.index("Unit"), header.index("Village or liaison point")
    group_at = header.index("Villagers' group")
    assert header.index("Subject") < unit_at < place_at < group_at < header.index("Required")
    verdicts = engine.evaluate(campaign, AS_OF)
    data = rows[3:]
    assert len(data) == len(verdicts)
    cadres = {c.pk: c for c in Cadre.objects.select_related("unit__parent")}
    households = {h.pk: h for h in Household.objects.select_related("region__parent")}
    in_groups = 0
    for row, verdict in zip(data, verdicts, strict=True):
        if verdict.subject_type == "cadre":
            unit = cadres[verdict.cadre_id].unit
            assert row[unit_at] == unit.label
            assert row[3].endswith(f"（{row[unit_at]}）")  # the name as before, the unit apart
            assert row[place_at] == row[group_at] == ""
        if verdict.subject_type == "household":
            region = households[verdict.subject_id].region
            assert region.level == Region.Level.GROUP
            in_groups += 1
            assert (row[place_at], row[group_at]) == (region.parent.name, region.name)
            assert region.parent.level == Region.Level.VILLAGE
    assert in_groups


def test_the_missing_activities_read_without_a_stray_space_in_chinese():
    from django.utils.translation import gettext as _

    with translation.override("zh-hans"):
        lacks = _("%(name)s: still to do: %(activities)s") % {"name": "甲", "activities": "乙"}
        lacks_in = _("%(name)s: still to do in %(period)s: %(activities)s") % {
            "name": "甲",
            "period": "三月",
            "activities": "乙",
        }
    assert lacks == "甲：还差乙"
    assert "还差 " not in lacks_in and lacks_in.startswith("甲：")
