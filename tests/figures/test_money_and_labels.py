"""Money reads the same on the dashboard's tiles, its tables and lists (61,100.00, whatever
the language), and the Chinese pages' link labels and lists use Chinese punctuation."""

import re
from decimal import Decimal

from django.utils import translation

from minqing.core.money import yuan_text
from minqing.figures import selectors


def test_yuan_text_groups_thousands_with_two_decimals():
    assert yuan_text(Decimal("61100")) == "61,100.00"
    assert yuan_text(1234567.5) == "1,234,567.50"
    assert yuan_text(0) == "0.00"
    assert yuan_text(None) == ""


def _money_tiles(html):
    """The tiles' numbers: the first link of each key (the tables below link the same keys)."""
    found = {}
    for key, text in re.findall(r'data-tile="(deeds_value|relief_paid)">\s*([^<]*?)\s*</a>', html):
        found.setdefault(key, text)
    return found


def test_a_money_tile_reads_as_the_table_below_it_in_chinese(client_as, campaign):
    client = client_as("office")
    with translation.override("zh-hans"):
        response = client.get(f"/campaigns/{campaign.pk}/dashboard/?period=2026")
    values = response.context["figures"].values
    assert values["deeds_value"] >= 1000  # the demo's deeds: a sum with thousands
    shown = _money_tiles(response.content.decode())
    assert shown["deeds_value"] == yuan_text(values["deeds_value"])
    assert "," in shown["deeds_value"]
    # The breakdown table's cells are written the same way.
    table = response.context["tables"][0]["rows"]
    cells = "".join(str(r["cells"]) for r in table)
    for group in response.context["figures"].by_region:
        if group.values.get("deeds_value"):
            assert yuan_text(group.values["deeds_value"]) in cells


def test_the_deferred_money_tile_and_the_list_behind_it_use_the_same_format(client_as, campaign):
    client = client_as("office")
    key = next(k for k, t in selectors.TILES.items() if t.kind == "yuan")
    with translation.override("zh-hans"):
        fragment = client.get(f"/campaigns/{campaign.pk}/dashboard/tiles/{key}/?period=2026").content.decode()
        listing = client.get(f"/campaigns/{campaign.pk}/dashboard/figures/{key}/?period=2026")
    number = re.search(r'data-tile="[^"]+">\s*([^<]*?)\s*</a>', fragment)[1]
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", number)
    rows = listing.context["page"].object_list
    html = listing.content.decode()
    for row in rows[:5]:
        assert yuan_text(getattr(row, selectors.TILES[key].sum_field)) in html


def _chinese(monkeypatch, msgid, msgstr):
    """The Chinese catalogue with one entry set (as the merged translation will have it)."""
    catalog = translation.trans_real.translation("zh-hans")._catalog._catalogs[0]
    monkeypatch.setitem(catalog, msgid, msgstr)


def test_the_document_links_name_word_in_a_translated_label(client_as, campaign, monkeypatch):
    url = f"/campaigns/{campaign.pk}/dashboard/?period=2026"
    html = client_as("office").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"download>Weekly feedback[^<]* \(Word\)</a>", html)
    _chinese(monkeypatch, "%(label)s (Word)", "%(label)s（Word）")
    html = client_as("office").get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "（Word）</a>" in html and " (Word)</a>" not in html


def test_the_liaison_cards_link_of_a_point_is_a_translated_label(client_as, db, monkeypatch):
    import datetime as dt

    from minqing.programs.models import Pairing

    today = dt.date.today()
    pairing = (
        Pairing.objects.filter(point__isnull=False, start__lte=today)
        .exclude(end__lt=today)
        .select_related("campaign")
        .first()
    )
    _chinese(monkeypatch, "Liaison cards (%(name)s)", "连心卡（%(name)s）")
    html = (
        client_as("office")
        .get(f"/points/{pairing.point_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert f"连心卡（{pairing.campaign.name}）</a>" in html


def test_the_program_list_joins_rules_and_phases_with_a_chinese_separator(client_as, db):
    with translation.override("zh-hans"):
        html = client_as("office").get("/programs/").content.decode()
    summaries = re.findall(r"<summary>([^<]*条规则[^<]*)</summary>", html)
    assert summaries and all("、" in s and "," not in s for s in summaries), summaries
    html = client_as("office").get("/programs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"<summary>\d+ rules?, \d+ phases?</summary>", html)


def test_the_lists_behind_the_tiles_name_a_group_with_its_village_and_a_section_with_its_body(
    client_as, campaign
):
    """As the ledgers do: 柏利村五组, not 五组 (households are placed at villagers' groups),
    and 双牌县委办公室·办公室, not 办公室 (sections share names across bodies)."""
    from minqing.org.models import Unit
    from minqing.tickets.models import Ticket

    client = client_as("office")
    with translation.override("zh-hans"):
        listing = client.get(f"/campaigns/{campaign.pk}/dashboard/figures/hardship_households/?period=2026")
    rows = listing.context["page"].object_list
    html = listing.content.decode()
    assert rows
    for household in rows:
        region = household.region
        assert region.level == 6
        assert f'<td data-label="区域">{region.parent.name}{region.name}</td>' in html

    section = Unit.objects.filter(kind=Unit.Kind.SECTION, name="办公室").select_related("parent").first()
    ticket = Ticket.objects.filter(campaign=campaign).order_by("-registered_at", "-id").first()
    Ticket.objects.filter(pk=ticket.pk).update(unit=section)
    with translation.override("zh-hans"):
        html = client.get(f"/campaigns/{campaign.pk}/dashboard/figures/demands/?period=2026").content.decode()
    assert f'<td data-label="承办单位">{section.parent.name}·办公室</td>' in html
