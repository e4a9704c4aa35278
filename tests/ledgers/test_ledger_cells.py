"""What the ledgers' cells hold, read back with openpyxl from the real .xlsx: a household,
demand or deed placed at a villagers' group is listed under its village, with the group in a
column of its own; units are named with their parent (sections share names across bodies);
days are Excel dates shown as the export's language writes them. None of it costs a query
per row."""

import datetime as dt

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext, override, pgettext

from minqing.fieldwork.models import Deed
from minqing.geo.models import Region
from minqing.ledgers import selectors, services
from minqing.ledgers.definitions import ledger_spec
from minqing.org.models import Account, Unit
from minqing.programs.models import Campaign
from minqing.tickets.models import Ticket

LEDGERS = ("hot_hard", "deeds", "hardship")


@pytest.fixture
def campaign(db):
    return Campaign.objects.get(program_key="xiajiceng")


@pytest.fixture
def section(db):
    """A section whose name other bodies' sections share (办公室)."""
    unit = Unit.objects.filter(kind=Unit.Kind.SECTION, name="办公室").select_related("parent").first()
    assert Unit.objects.filter(kind=Unit.Kind.SECTION, name=unit.name).count() > 1
    return unit


def _export(campaign, key, tmp_path, *, language="zh-hans", region_code=""):
    path = tmp_path / f"{key}-{language}.xlsx"
    with override(language):
        services.ledger_export(
            actor=Account.objects.get(username="office"),
            campaign=campaign,
            key=key,
            path=str(path),
            region_code=region_code,
        )
    return openpyxl.load_workbook(path).worksheets[0]


def _table(sheet) -> tuple[dict[str, int], list[tuple]]:
    """Column label → index, and the data rows (as values) under the header's one or two rows."""
    two = sheet.cell(row=4, column=1).value in (None, "")
    labels = {}
    for col in range(1, sheet.max_column + 1):
        lower = sheet.cell(row=4, column=col).value if two else None
        labels[lower or sheet.cell(row=3, column=col).value] = col - 1
    first = 5 if two else 4
    return labels, list(sheet.iter_rows(min_row=first, values_only=True))


def _records(campaign, key):
    """The ledger's records in the order of its rows, as the office exports them."""
    spec = ledger_spec(campaign, key)
    office = Account.objects.get(username="office")
    return list(
        selectors.ledger_queryset(user=office, campaign=campaign, spec=spec).select_related("region__parent")
    )


def _labels(*names, context=None) -> list[str]:
    with override("zh-hans"):
        return [pgettext(context, n) if context else gettext(n) for n in names]


@pytest.mark.parametrize("key", LEDGERS)
def test_the_village_column_names_the_village_and_the_group_has_its_own_column(campaign, tmp_path, key):
    labels, rows = _table(_export(campaign, key, tmp_path))
    village_at, group_at = (labels[label] for label in _labels("Village or community", "Villagers' group"))
    assert group_at == village_at + 1
    records = _records(campaign, key)
    assert len(rows) == len(records) > 0
    in_groups = 0
    for row, record in zip(rows, records, strict=True):
        region = record.region
        village, group = row[village_at], row[group_at] or ""
        if region.level == Region.Level.GROUP:
            in_groups += 1
            assert (village, group) == (region.parent.name, region.name), record.pk
            assert region.parent.level == Region.Level.VILLAGE
        else:
            assert (village, group) == (region.name, ""), record.pk
    assert in_groups, "the demo places these records at villagers' groups: the check above can fail"


def test_units_are_named_with_their_parent_in_the_demands_and_deeds_ledgers(campaign, tmp_path, section):
    ticket = Ticket.objects.filter(campaign=campaign, ledger="hot_hard").order_by("id").first()
    Ticket.objects.filter(pk=ticket.pk).update(unit=section)
    labels, rows = _table(_export(campaign, "hot_hard", tmp_path))
    handling_at = labels[_labels("Handling unit")[0]]
    code_at = labels[_labels("Code", context="demand")[0]]
    row = next(r for r in rows if r[code_at] == ticket.code)
    assert row[handling_at] == f"{section.parent.name}·办公室"
    units = {
        t.code: t.unit.label if t.unit_id else ""
        for t in Ticket.objects.filter(campaign=campaign, ledger="hot_hard").select_related("unit__parent")
    }
    assert {r[code_at]: r[handling_at] or "" for r in rows} == units

    labels, rows = _table(_export(campaign, "deeds", tmp_path))
    unit_at = labels[_labels("Unit")[0]]
    expected = [d.cadre.unit.label for d in _records(campaign, "deeds")]
    assert [r[unit_at] for r in rows] == expected
    assert any("·" in label for label in expected), "some deeds are by cadres of sections"


@pytest.mark.parametrize("key", LEDGERS)
def test_a_ledger_costs_as_many_queries_for_a_village_as_for_the_whole_county(campaign, tmp_path, key):
    office = Account.objects.get(username="office")
    village = Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE).first()
    counted = {}
    for code in (campaign.region.code, village.code):
        with CaptureQueriesContext(connection) as queries:
            done = services.ledger_export(
                actor=office,
                campaign=campaign,
                key=key,
                path=str(tmp_path / f"{code}.xlsx"),
                region_code=code,
            )
        counted[code] = (done.rows, len(queries))
    (county_rows, county_queries), (village_rows, village_queries) = counted.values()
    assert county_rows > village_rows, counted
    assert county_queries == village_queries, counted


def _width(sheet, column: int) -> float:
    """A column's width (openpyxl keeps a run of columns of one width under the run's first)."""
    return next(d.width for d in sheet.column_dimensions.values() if d.min <= column <= d.max)


def _day_cells(sheet, columns: list[str]):
    labels, rows = _table(sheet)
    return [[row[labels[label]] for label in columns] for row in rows], [labels[c] for c in columns]


def test_the_days_of_the_demands_ledger_are_excel_dates_in_the_exports_language(campaign, tmp_path):
    tickets = _records(campaign, "hot_hard")
    expected = [
        [
            timezone.localtime(t.registered_at).date(),
            timezone.localtime(t.deadline).date(),
            timezone.localtime(t.replied_at).date() if t.replied_at else None,
        ]
        for t in tickets
    ]
    assert any(row[2] for row in expected), "some demands are replied: their day is checked too"
    for language, number_format in (("zh-hans", 'yyyy"年"m"月"d"日"'), ("en", "yyyy-mm-dd")):
        sheet = _export(campaign, "hot_hard", tmp_path, language=language)
        with override(language):
            names = [gettext("Registered"), gettext("Deadline"), gettext("Replied")]
        values, columns = _day_cells(sheet, names)
        assert [[v.date() if v else None for v in row] for row in values] == expected
        first = 5
        for offset, row in enumerate(expected):
            for col, day in zip(columns, row, strict=True):
                cell = sheet.cell(row=first + offset, column=col + 1)
                if day is None:
                    assert not cell.value
                    continue
                assert cell.is_date and isinstance(cell.value, dt.datetime), (language, cell.coordinate)
                assert cell.number_format == number_format, (language, cell.number_format)
        for col in columns:
            assert _width(sheet, col + 1) >= 14, "2026年12月30日 fits, no ####"


def test_the_days_of_the_deeds_ledger_are_excel_dates(campaign, tmp_path):
    deeds = _records(campaign, "deeds")
    Deed.objects.filter(pk=deeds[0].pk).update(confirmed_on=deeds[0].date + dt.timedelta(days=2))
    deeds = _records(campaign, "deeds")
    sheet = _export(campaign, "deeds", tmp_path)
    values, columns = _day_cells(sheet, _labels("Date", "Confirmed by the beneficiary on"))
    assert [[v.date() if v else None for v in row] for row in values] == [
        [d.date, d.confirmed_on] for d in deeds
    ]
    cells = [sheet.cell(row=5, column=col + 1) for col in columns]
    assert all(c.is_date and c.number_format == 'yyyy"年"m"月"d"日"' for c in cells)
    # The text of the sheet holds no ISO day: every day is a number Excel formats.
    shared = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str))
    assert deeds[0].date.isoformat() not in shared
