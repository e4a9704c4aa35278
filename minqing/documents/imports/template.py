"""A downloadable template per list: the office's usual layout (title, filing line,
header) with every column this import understands, an example row (序号 示例, which no import takes as data), and the ID-number
and phone columns formatted as text so Excel keeps every digit."""

import io

import xlsxwriter
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from minqing.core.treecode import prefix_q

from .engine import EXAMPLE_MARK, Importer, scope_prefixes


def _within(field: str, prefixes: tuple[str, ...] | None) -> Q:
    """The records under the importer's regions (None: the command line's everything)."""
    if prefixes is None:
        return Q()
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= prefix_q(field, prefix)
    return condition


def scope_examples(importer: Importer, user) -> dict[str, str]:
    """The example row's places, from the account's own area as its import would find them:
    its first village with that village's township and first group, a household of the
    area, a unit of it. A template names a place the office has, not one of another county;
    with nothing in the area, the columns' own examples stay. A few queries per download."""
    from minqing.geo.models import Region
    from minqing.org.models import Unit
    from minqing.people.models import Household

    prefixes = scope_prefixes(importer, user)
    if prefixes == ():
        return {}
    found: dict[str, str] = {}
    village = (
        Region.objects.filter(_within("code", prefixes), level=Region.Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
        .first()
    )
    if village is not None:
        township = (
            village.parent.name if village.parent and village.parent.level == Region.Level.TOWNSHIP else ""
        )
        group = village.children.filter(level=Region.Level.GROUP).order_by("code").first()
        found.update(
            village=village.name,
            township=township,
            group=group.name if group else "",
            address=f"{township}{village.name}{group.name if group else ''}12号",
            name=village.name,
            code=f"{village.code}-0001",
            village_code=village.code,
        )
        household = (
            Household.objects.filter(_within("region_id", prefixes), code__startswith=village.code)
            .order_by("code")
            .values_list("code", flat=True)
            .first()
        )
        found["household"] = household or found["code"]
    unit = (
        Unit.objects.filter(_within("region_id", prefixes), kind=Unit.Kind.BODY, parent__isnull=True)
        .order_by("path")
        .values_list("name", flat=True)
        .first()
    )
    if unit is not None:
        found["unit"] = unit
    return {key: found[source] for key, source in importer.example_places.items() if found.get(source)}


def campaign_examples(importer: Importer, campaign) -> dict[str, str]:
    """The example cells a campaign's template names: its first pairing kind, and its first day
    as the pairing's (a 2027 campaign's example is not dated 2026)."""
    if campaign is None or not importer.needs_campaign:
        return {}
    found = {column.key: campaign.start.isoformat() for column in importer.columns if column.kind == "date"}
    kinds = campaign.config.get("pairing_kinds", [])
    if kinds and any(column.key == "kind" for column in importer.columns):
        found["kind"] = kinds[0]["name"]
    return found


def column_note(column, example: str, campaign=None) -> str:
    """What a column holds, as the template's header comment and its Columns sheet say it: a
    date with an example day, a campaign's pairing kind with the kinds it has."""
    note = str(column.label)
    if column.kind == "date" and example:
        note = _("%(label)s (such as %(example)s)") % {"label": note, "example": example}
    kinds = campaign.config.get("pairing_kinds", []) if campaign is not None else []
    if column.key == "kind" and kinds:
        note = _("%(label)s: %(choices)s") % {
            "label": note,
            "choices": pgettext("list separator", ", ").join(k["name"] for k in kinds),
        }
    return note


def template_xlsx(importer: Importer, *, campaign=None, user=None) -> bytes:
    """The list's template; with `user`, the example row names places of the user's area."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "SimSun"})
    note = book.add_format({"font_size": 9, "font_color": "#555555", "font_name": "SimSun"})
    header = book.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "bg_color": "#E8EEF8",
            "font_name": "SimSun",
            "text_wrap": True,
        }
    )
    text = book.add_format({"num_format": "@", "border": 1, "font_name": "SimSun"})
    sheet = book.add_worksheet(str(importer.title)[:31])
    columns = list(importer.columns)
    width = len(columns)
    sheet.merge_range(0, 0, 0, width, str(importer.title), title)
    sheet.merge_range(1, 0, 1, width, "填报单位：            填报日期：    年  月  日", note)
    sheet.write(2, 0, "序号", header)
    examples = scope_examples(importer, user) if user is not None else {}
    examples.update(campaign_examples(importer, campaign))
    notes = [column_note(c, examples.get(c.key, c.example), campaign) for c in columns]
    for index, column in enumerate(columns, start=1):
        sheet.write(2, index, column.headings[0], header)
        sheet.write_comment(2, index, notes[index - 1] + (" *" if column.required else ""))
        # Every column as text: ID numbers and phones would otherwise lose digits.
        sheet.set_column(index, index, max(10, len(column.headings[0]) * 3), text)
    # The example row: 示例 in its 序号 cell, so that an import skips it as long as it is
    # left as downloaded (rows typed under it, or over it with a number, are imported).
    sample = book.add_format({"font_color": "#808080", "italic": True, "font_name": "SimSun"})
    sample_text = book.add_format(
        {"num_format": "@", "border": 1, "font_name": "SimSun", "font_color": "#808080", "italic": True}
    )
    sheet.write_string(3, 0, EXAMPLE_MARK, sample)
    sheet.write_comment(
        3,
        0,
        _(
            "The example row (序号 示例) is never imported. Type your rows under it, or over it "
            "with a number in place of 示例."
        ),
    )
    for index, column in enumerate(columns, start=1):
        sheet.write_string(3, index, examples.get(column.key, column.example), sample_text)
    sheet.freeze_panes(3, 0)
    help_sheet = book.add_worksheet(_("Columns")[:31])
    help_sheet.write_row(0, 0, [_("Heading"), _("Also understood"), _("Content"), _("Required")], header)
    for row, column in enumerate(columns, start=1):
        help_sheet.write_row(
            row,
            0,
            [
                column.headings[0],
                "、".join(column.headings[1:]),
                notes[row - 1],
                pgettext("import column", "required")
                if column.required
                else pgettext("import column", "optional"),
            ],
        )
    help_sheet.set_column(0, 0, 16)
    help_sheet.set_column(1, 1, 40)
    help_sheet.set_column(2, 2, 50)
    book.close()
    return buffer.getvalue()
