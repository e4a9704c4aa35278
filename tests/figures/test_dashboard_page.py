"""The dashboard page: every number links to a list with exactly that many rows."""

import re

import pytest
from django.test import Client

from minqing.figures import selectors

from .conftest import OTHER_TOWNSHIP, TODAY, TOWNSHIP


def _tile_numbers(html: str) -> dict[str, tuple[str, str]]:
    """data-tile → (href, shown number) of every tile link on the page (the first of each)."""
    found = {}
    for href, key, text in re.findall(
        r'<a class="number[^"]*" href="([^"]+)" data-tile="([^"]+)">\s*([^<]*?)\s*</a>', html
    ):
        found.setdefault(key, (href.replace("&amp;", "&"), text))
    return found


def _with_deferred_tiles(client, html: str) -> str:
    """The page with the numbers it loads after itself (the deferred tiles) filled in."""
    for url in re.findall(r'hx-get="([^"]*/dashboard/tiles/[^"]+)"', html):
        fragment = client.get(url.replace("&amp;", "&"))
        assert fragment.status_code == 200, url
        html += fragment.content.decode()
    return html


def test_every_number_on_the_dashboard_leads_to_that_many_records(client_as, campaign):
    client = client_as("office")
    response = client.get(f"/campaigns/{campaign.pk}/dashboard/?period=2026")
    assert response.status_code == 200
    html = _with_deferred_tiles(client, response.content.decode())
    numbers = _tile_numbers(html)
    assert set(numbers) == set(selectors.TILES)
    for key, (href, shown) in numbers.items():
        listing = client.get(href)
        assert listing.status_code == 200, href
        tile = selectors.TILES[key]
        total = listing.context["total"]
        if tile.kind == "yuan":
            values = [getattr(r, tile.sum_field) for r in listing.context["page"].paginator.object_list]
            assert shown.replace(",", "") == f"{sum(values):.2f}", key
        else:
            assert int(shown) == total, key
            assert len(listing.context["page"].object_list) == min(total, 50), key
            assert f'id="record-count">{total}<' in listing.content.decode()


def test_the_rates_show_their_numerator_and_denominator_as_links(client_as, campaign):
    response = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/?period=2026")
    figures = response.context["figures"]
    html = response.content.decode()
    for rate in selectors.RATES:
        value = figures.rates[rate.key]
        expected = selectors.ratio(figures.values[rate.numerator], figures.values[rate.denominator])
        assert value == expected
        note = figures.notes.get(rate.key)
        tile = html.split(f'id="rate-{rate.key}"', 1)[1].split("</article>", 1)[0]
        if value is None and note is not None and note.short:
            # Not asked, or not yet due: said in words, not as "0 / 0" (report punctuality).
            assert note.short in tile and f'data-tile="{rate.numerator}"' not in tile
            continue
        assert f'data-tile="{rate.numerator}">{figures.values[rate.numerator]}</a>' in tile


def test_the_breakdown_links_drill_down_to_a_township(client_as, campaign):
    client = client_as("office")
    html = client.get(f"/campaigns/{campaign.pk}/dashboard/?period=2026").content.decode()
    assert f"region={TOWNSHIP}" in html
    township = client.get(f"/campaigns/{campaign.pk}/dashboard/?period=2026&region={TOWNSHIP}")
    assert township.status_code == 200
    assert township.context["sel"].region.code == TOWNSHIP
    assert township.context["figures"].by_region  # villages of the township


def test_a_bad_period_is_explained_and_the_month_shown(client_as, campaign):
    response = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/?period=lastmonth")
    assert response.status_code == 200
    assert response.context["problem"]
    assert response.context["sel"].period.kind == "month"


def test_a_region_outside_the_scope_is_not_found(township_office, campaign, other_township):
    client = Client()
    client.force_login(township_office)
    assert client.get(f"/campaigns/{campaign.pk}/dashboard/?region={other_township.code}").status_code == 404
    assert client.get(f"/campaigns/{campaign.pk}/dashboard/?region={TOWNSHIP}").status_code == 200


def test_the_compliance_summary_matches_the_compliance_page(client_as, campaign):
    client = client_as("office")
    fragment = client.get(f"/campaigns/{campaign.pk}/dashboard/compliance/?period=2026")
    summary = fragment.context["summary"]
    html = fragment.content.decode()
    href = re.search(r'href="([^"]+)" data-tile="compliance_fail"', html)[1].replace("&amp;", "&")
    page = client.get(href)
    assert page.context["page"].paginator.count == summary.failed


def test_a_teams_compliance_summary_links_to_the_compliance_page_filtered_to_the_team(
    client_as, campaign, mixed_team
):
    """The team's numbers are the team's line of the compliance page, and lead to its verdicts."""
    team, _cadre = mixed_team
    client = client_as("office")
    fragment = client.get(f"/campaigns/{campaign.pk}/dashboard/compliance/?period=2026&team={team.pk}")
    summary = fragment.context["summary"]
    html = fragment.content.decode()
    counts = {"pass": summary.passed, "fail": summary.failed, "no_records": summary.no_records}
    assert sum(counts.values()) > 0
    for status, count in counts.items():
        href = re.search(rf'href="([^"]+)" data-tile="compliance_{status}"', html)[1].replace("&amp;", "&")
        assert f"team={team.pk}" in href
        assert client.get(href).context["page"].paginator.count == count
    page = client.get(f"/campaigns/{campaign.pk}/compliance/?as_of={summary.as_of.isoformat()}")
    (line,) = [t for t in page.context["by_team"] if t.key == team.pk]
    assert (line.passed, line.failed, line.no_records) == tuple(counts.values())


def test_another_app_adds_a_tile_with_its_list(client_as, campaign):
    """How issue #7 adds "cadres at risk of recall": a Tile with `records`, registered."""
    from dataclasses import dataclass

    from minqing.core.scope import scoped
    from minqing.org.models import Cadre

    @dataclass
    class PartyMembers(selectors.Tile):
        def records(self, user, sel):
            return scoped(Cadre, user, "org.view").filter(is_party_member=True).select_related("account")

    tile = PartyMembers("party_member_cadres", "党员干部", "extra")
    selectors.register_tile(tile, section_label="其他")
    try:
        client = client_as("office")
        response = client.get(f"/campaigns/{campaign.pk}/dashboard/?period=2026")
        shown = _tile_numbers(response.content.decode())["party_member_cadres"]
        listing = client.get(shown[0])
        assert int(shown[1]) == listing.context["total"] == len(tile.records(listing.wsgi_request.user, None))
        assert listing.context["total"] > 0
    finally:
        selectors.TILES.pop("party_member_cadres")
        selectors.SECTIONS.pop("extra")


def test_a_deferred_tile_is_loaded_after_the_page_and_equals_its_list(client_as, campaign):
    """A tile whose cost grows with the county (the cadres at risk of recall) is not computed by
    the page: the page asks for it after loading, and its number still equals its list."""
    from dataclasses import dataclass

    from minqing.core.scope import scoped
    from minqing.org.models import Cadre

    calls = []

    @dataclass
    class SlowTile(selectors.Tile):
        def records(self, user, sel):
            calls.append(sel)
            return scoped(Cadre, user, "org.view").filter(is_party_member=True).select_related("account")

    selectors.register_tile(SlowTile("slow_cadres", "党员干部", "extra", deferred=True), section_label="其他")
    try:
        client = client_as("office")
        response = client.get(f"/campaigns/{campaign.pk}/dashboard/?period=2026")
        assert calls == [] and "slow_cadres" not in response.context["figures"].values
        html = response.content.decode()
        assert "slow_cadres" not in _tile_numbers(html)
        href, shown = _tile_numbers(_with_deferred_tiles(client, html))["slow_cadres"]
        assert len(calls) == 1 and calls[0].period.code == "2026"
        listing = client.get(href)
        assert int(shown) == listing.context["total"] > 0
        assert client.get(f"/campaigns/{campaign.pk}/dashboard/tiles/nothing/").status_code == 404
    finally:
        selectors.TILES.pop("slow_cadres")
        selectors.SECTIONS.pop("extra")


def test_the_at_risk_tile_is_deferred(campaign):
    assert selectors.TILES["recall_at_risk"].deferred


def test_a_township_office_reads_the_county_campaigns_compliance_without_links(township_office, campaign):
    client = Client()
    client.force_login(township_office)
    fragment = client.get(f"/campaigns/{campaign.pk}/dashboard/compliance/?period=2026")
    assert fragment.status_code == 200
    assert fragment.context["linked"] is False
    assert "/compliance/?" not in fragment.content.decode()


def _tables_shown(page: str) -> dict:
    """The breakdown tables as the page shows them: {table id: [(row label, row href, [(tile, href, text)])]}."""
    from html import unescape

    tables = {}
    for table_id, body in re.findall(
        r'<table class="responsive striped" id="([^"]+)">(.*?)</table>', page, re.S
    ):
        rows = []
        # A row without a selection of its own (the demands no unit handles) has no link.
        for row_href, linked_label, plain_label, cells_html in re.findall(
            r'<tr>\s*<td data-label=[^>]*>(?:<a href="([^"]*)" class="drill">([^<]*)</a>|([^<]*))</td>(.*?)</tr>',
            body,
            re.S,
        ):
            label = linked_label or plain_label
            cells = [
                (unescape(key), unescape(href), unescape(linked or plain))
                for href, key, linked, plain in re.findall(
                    r'<td data-label="[^"]*">(?:<a href="([^"]*)" data-tile="([^"]*)">([^<]*)</a>|([^<]*))</td>',
                    cells_html,
                )
            ]
            rows.append((unescape(label), unescape(row_href), cells))
        tables[table_id] = rows
    return tables


def _cells_match_their_lists(client, page_url: str, tables=("by-unit", "by-team"), rows=6):
    response = client.get(page_url)
    assert response.status_code == 200
    checked = 0
    for table_id, shown in _tables_shown(response.content.decode()).items():
        if table_id not in tables:
            continue
        for label, _href, cells in shown[:rows]:
            for key, href, text in cells:
                if not href or selectors.TILES[key].kind == "yuan":
                    continue
                listing = client.get(href)
                assert listing.status_code == 200, href
                assert listing.context["page"].paginator.count == int(text), (table_id, label, key, href)
                checked += 1
    return checked


def test_every_breakdown_cell_equals_the_count_of_its_list_within_a_region(
    client_as, campaign, other_township
):
    """Unit rows of a township's dashboard keep the township in their links."""
    client = client_as("office")
    checked = _cells_match_their_lists(
        client, f"/campaigns/{campaign.pk}/dashboard/?period=2026&region={TOWNSHIP}", tables=("by-unit",)
    )
    assert checked


@pytest.fixture
def mixed_team(campaign):
    """A team of two cadres with visits in different top-level units."""
    from minqing.fieldwork.models import Visit
    from minqing.org.models import Cadre
    from minqing.programs.models import Team

    chosen = {}
    for cadre in Cadre.objects.filter(
        pk__in=Visit.objects.filter(campaign=campaign, date__year=2026).values("cadre_id")
    ).select_related("unit"):
        chosen.setdefault(cadre.unit.path[:6], cadre)
    first, second = list(chosen.values())[:2]
    team = Team.objects.create(campaign=campaign, name="混编工作队", leader=first)
    team.members.add(first, second)
    return team, first


def test_every_breakdown_cell_equals_the_count_of_its_list_within_a_unit(client_as, campaign, mixed_team):
    """Team rows of a unit's dashboard keep the unit in their links."""
    from minqing.org.models import Unit

    team, cadre = mixed_team
    top = Unit.objects.get(path=cadre.unit.path[:6])
    client = client_as("office")
    checked = _cells_match_their_lists(
        client, f"/campaigns/{campaign.pk}/dashboard/?period=2026&unit={top.pk}", tables=("by-team",)
    )
    assert checked


def test_the_compliance_summary_follows_the_region_team_and_unit_subtree(
    actor, campaign, other_township, mixed_team
):
    """The summary counts the selection's verdicts like the tiles: region, team, unit subtree."""
    from minqing.figures.periods import parse_period
    from minqing.org.models import Unit
    from minqing.programs.selectors import compliance

    from .conftest import TODAY, sel_for

    office = actor("office")
    year = parse_period("2026", today=TODAY)
    whole = selectors.compliance_summary(user=office, sel=sel_for(office, campaign, year))
    everything = compliance(user=office, campaign=campaign, as_of=whole.as_of).verdicts
    assert whole.total == len(everything)
    other = selectors.compliance_summary(
        user=office, sel=sel_for(office, campaign, year, region=OTHER_TOWNSHIP)
    )
    township = selectors.compliance_summary(user=office, sel=sel_for(office, campaign, year, region=TOWNSHIP))
    assert township.total < whole.total
    assert other.total < whole.total
    team, _cadre = mixed_team
    by_team = selectors.compliance_summary(user=office, sel=sel_for(office, campaign, year, team=team.pk))
    assert 0 < by_team.total < whole.total
    # A top unit with sub-units: its summary holds the verdicts of every unit below it.
    parent = next(u for u in Unit.objects.order_by("path") if Unit.objects.filter(parent=u).exists())
    below = set(Unit.objects.filter(path__startswith=parent.path).values_list("pk", flat=True))
    by_unit = selectors.compliance_summary(user=office, sel=sel_for(office, campaign, year, unit=parent.pk))
    expected = [v for v in everything if v.unit_id in below]
    assert len(expected) > len([v for v in everything if v.unit_id == parent.pk])
    assert by_unit.total >= len(expected)


def test_a_bad_period_in_a_document_link_is_refused_with_its_reason(client_as, campaign):
    from minqing.figures.models import IssuedDocument

    client = client_as("office")
    before = IssuedDocument.objects.count()
    response = client.get(f"/campaigns/{campaign.pk}/documents/monthly.docx?period=lastmonth")
    assert response.status_code == 400
    assert "lastmonth" in response.content.decode() or "期" in response.content.decode()
    assert IssuedDocument.objects.count() == before


def test_the_breakdown_tables_show_exactly_the_figures(client_as, campaign):
    """Each table row shows its group's name and, for each breakdown tile, the group's figure, linked
    to the list behind it (none for 0): compared with the selector's groups, not with the view's."""
    from django.urls import reverse
    from django.utils.html import escape

    from minqing.figures.periods import parse_period

    from .conftest import sel_for

    office = client_as("office")
    page = office.get(f"/campaigns/{campaign.pk}/dashboard/?period=2026").content.decode()
    shown = _tables_shown(page)
    from minqing.org.models import Account

    figures = selectors.figures(
        user=Account.objects.get(username="office"),
        sel=sel_for(Account.objects.get(username="office"), campaign, parse_period("2026", today=TODAY)),
        deferred=False,
    )
    expected = {
        "by-region": figures.by_region,
        "by-unit": figures.by_unit,
        "by-cadre": figures.top_cadres(n=20),
    }
    if figures.by_team:
        expected["by-team"] = figures.by_team
    assert set(shown) == set(expected)
    linked = 0
    for table_id, groups in expected.items():
        assert [row[0] for row in shown[table_id]] == [g.label for g in groups], table_id
        for (_label, _href, cells), group in zip(shown[table_id], groups, strict=True):
            assert len(cells) == len(selectors.BREAKDOWN_TILES)
            for (shown_key, href, text), key in zip(cells, selectors.BREAKDOWN_TILES, strict=True):
                assert shown_key == (key if href else "")
                tile, value = selectors.TILES[key], group.values.get(key, 0)
                assert text == (f"{value:,.2f}" if tile.kind == "yuan" else str(value))
                base = reverse("figures:tile-list", args=[campaign.pk, key])
                assert href == (f"{base}?{group.query}" if value and group.linked else "")
                if href:
                    assert f'<a href="{escape(href)}" data-tile="{key}">' in page  # & written &amp;
                linked += bool(href)
    assert linked > 0


def test_a_name_in_the_tables_cannot_write_markup(client_as, campaign):
    from minqing.geo.models import Region

    Region.objects.create(
        code="431123198000", name='<script>alert("x")</script>&', level=4, parent_id="431123000000"
    )
    page = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/?period=2026").content.decode()
    assert '<script>alert("x")' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    assert [row for row in _tables_shown(page)["by-region"] if row[0].startswith("<script>")]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2026年10月", "2026-10"),
        ("２０２６年１０月", "2026-10"),
        ("2026年第四季度", "2026Q4"),
        ("2026年", "2026"),
    ],
)
def test_the_period_box_takes_the_period_as_the_page_writes_it(client_as, campaign, typed, code):
    response = client_as("office").get(f"/campaigns/{campaign.pk}/dashboard/", {"period": typed})
    assert response.status_code == 200
    assert response.context["problem"] == ""
    assert response.context["sel"].period.code == code
    assert f'name="period" value="{code}"' in response.content.decode()


def test_the_unvisited_tile_says_its_window_in_each_languages_punctuation(client_as, campaign):
    """English brackets in English, full-width ones in Chinese (before: "（30 days）" in English)."""
    client = client_as("office")
    url = f"/campaigns/{campaign.pk}/dashboard/?period=2026"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    days = client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["sel"].idle_days
    assert f"Paired households not visited lately ({days} days)" in english
    assert "（" not in english and "：" not in re.sub(r"<[^>]+>", "", english.split("<main", 1)[1])
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"（{days}天）" in chinese
