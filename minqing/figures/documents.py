"""Periodic documents from the figures: weekly feedback, monthly roll-up, quarterly bulletin,
annual summary and the briefing (简报), as Word (.docx, in the layout of official documents:
red masthead, document number, title, body in 仿宋, date in words) and PDF (WeasyPrint, Noto CJK
by family name), with tables and charts drawn on the server (matplotlib, Agg: no screen).

A document is first built as a `Paper` (a list of blocks) from the selectors' figures, then
written as .docx or PDF, so both formats carry the same numbers as the dashboard.

The briefing features exemplary cases: `register_feature_source(fn)` lets another app supply
them (fn(user, sel) → list of Feature); until one does, the briefing features the cadres and
teams with the best figures of the period.
"""

import base64
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from minqing.core.money import yuan_text

from . import selectors
from .models import IssuedDocument
from .periods import month_of, quarter_of, week_of, year_of
from .services import document_issue

KINDS = {
    "weekly": gettext_lazy("Weekly feedback"),
    "monthly": gettext_lazy("Monthly roll-up"),
    "quarterly": gettext_lazy("Quarterly bulletin"),
    "annual": gettext_lazy("Annual summary"),
    "briefing": gettext_lazy("Briefing"),
}
DEFAULT_PERIOD = {
    "weekly": week_of,
    "monthly": month_of,
    "quarterly": quarter_of,
    "annual": year_of,
    "briefing": month_of,
}
FORMATS = ("docx", "pdf")
RED = (0xD4, 0x00, 0x00)
# Fonts of official documents, with the faces Word should fall back to where they are missing.
TITLE_FONT, BODY_FONT, HEADING_FONT, KAI_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
FONT_FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei", KAI_FONT: "楷体"}
LATIN_FONT = "Times New Roman"


@dataclass
class Block:
    kind: str  # heading, paragraph, table, chart
    text: str = ""
    header: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    png: bytes = b""


@dataclass
class Feature:
    """One exemplary case of a briefing: who, and what they did, in a sentence or two."""

    title: str
    text: str


FeatureSource = Callable[[object, selectors.Selection], list[Feature]]
FEATURE_SOURCES: list[FeatureSource] = []


def register_feature_source(source: FeatureSource) -> FeatureSource:
    """Let another app (the exemplary cases of issue #7) supply the briefing's featured cases."""
    FEATURE_SOURCES.append(source)
    return source


@dataclass
class Paper:
    kind: str
    masthead: str
    number: str
    title: str
    recipients: str
    issuer: str
    date: dt.date
    blocks: list[Block]
    figures: selectors.Figures

    @property
    def date_text(self) -> str:
        return date_format(self.date, "DATE_FORMAT")

    @property
    def filename(self) -> str:
        """The file's name in the reader's language: what the figures are of and the title
        (campaign, period and kind), e.g. 江村乡-2026年机关干部下基层活动11月工作汇总."""
        name = f"{selection_name(self.figures.selection)}-{self.title}"
        return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name)[:150]

    @property
    def ascii_filename(self) -> str:
        """The name for clients that do not read filename*: kind, campaign, period and selection."""
        sel = self.figures.selection
        parts = [self.kind, str(sel.campaign.pk), sel.period.code]
        if sel.region is not None:
            parts.append(sel.region.code)
        for key in ("unit", "team", "cadre"):
            if getattr(sel, key) is not None:
                parts.append(f"{key}{getattr(sel, key).pk}")
        return "-".join(parts)


def document_title(campaign_name: str, period, kind: str) -> str:
    """The title; a campaign named with the period's year (2026年机关干部下基层活动) is not
    followed by the year again: 2026年机关干部下基层活动11月工作汇总, …活动工作总结."""
    shown = period.label
    if str(period.start.year) in campaign_name and period.label_in_its_year is not None:
        shown = period.label_in_its_year
    if not shown:
        whole = {
            "weekly": _("Weekly feedback on %(campaign)s"),
            "monthly": _("Roll-up of %(campaign)s"),
            "quarterly": _("Bulletin on %(campaign)s"),
            "annual": _("Summary of %(campaign)s"),
            "briefing": _("%(campaign)s: briefing"),
        }
        return whole[kind] % {"campaign": campaign_name}
    titles = {
        "weekly": _("Weekly feedback on %(campaign)s (%(period)s)"),
        "monthly": _("Roll-up of %(campaign)s for %(period)s"),
        "quarterly": _("Bulletin on %(campaign)s in %(period)s"),
        "annual": _("Summary of %(campaign)s for %(period)s"),
        "briefing": _("%(campaign)s: briefing for %(period)s"),
    }
    return titles[kind] % {"campaign": campaign_name, "period": shown}


def selection_name(sel: selectors.Selection) -> str:
    """What the figures are of, by name: the region, unit (with its parent), team or cadre."""
    if sel.cadre is not None:
        return str(sel.cadre)
    if sel.team is not None:
        return sel.team.name
    if sel.unit is not None:
        return sel.unit.label
    return sel.area.name


def issuer_of(campaign) -> str:
    return _("%(region)s campaign office") % {"region": campaign.region.name}


def _yuan(value) -> str:
    return yuan_text(value)


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def _value_text(tile, value) -> str:
    return _yuan(value) if tile.kind == "yuan" else str(value)


def figure_rows(figures: selectors.Figures) -> list[list[str]]:
    """(序号, figure, value) for every tile and rate: the table both formats and the tests read."""
    rows = []
    for tile in selectors.TILES.values():
        label = str(tile.label)
        if tile.key == "not_visited_households":
            # "Lately" is the selection's window: say which.
            days = figures.selection.idle_days
            label = _("%(figure)s (%(window)s)") % {
                "figure": label,
                "window": ngettext("%(n)s day", "%(n)s days", days) % {"n": days},
            }
        rows.append([label, _value_text(tile, figures.values[tile.key])])
    for rate in selectors.RATES:
        value, note = figures.rates[rate.key], figures.notes.get(rate.key)
        rows.append([str(rate.label), note.short if value is None and note and note.short else _rate(value)])
    return [[str(n)] + row for n, row in enumerate(rows, 1)]


def _group_rows(groups, limit=None) -> list[list[str]]:
    rows = []
    for n, group in enumerate(groups[:limit] if limit else groups, 1):
        row = [str(n), group.label]
        for key in selectors.BREAKDOWN_TILES:
            tile = selectors.TILES[key]
            row.append(_value_text(tile, group.values.get(key, 0)))
        rows.append(row)
    return rows


def _group_header(first) -> list[str]:
    return [_("No."), first] + [str(selectors.TILES[k].label) for k in selectors.BREAKDOWN_TILES]


def summary_text(figures: selectors.Figures) -> str:
    v, r, sel = figures.values, figures.rates, figures.selection
    area = sel.region.name if sel.region else sel.campaign.region.name
    return _(
        "In %(period)s, %(area)s had %(hardship)s households in hardship, %(covered)s of them paired "
        "with a cadre (coverage %(coverage)s). Cadres made %(visits)s visits and visited %(visited)s of "
        "%(due)s targets; %(demands)s demands were collected, %(resolved)s resolved and %(overdue)s "
        "overdue (response rate %(response)s, resolution rate %(resolution)s, satisfaction rate "
        "%(satisfaction)s). %(deeds)s deeds worth %(value)s yuan were done, %(relief)s yuan of relief "
        "paid, and %(days)s days spent at the points."
    ) % {
        "period": sel.period.label,
        "area": area,
        "hardship": v["hardship_households"],
        "covered": v["covered_households"],
        "coverage": _rate(r["coverage_rate"]),
        "visits": v["visits"],
        "visited": v["targets_visited"],
        "due": v["targets_due"],
        "demands": v["demands"],
        "resolved": v["demands_resolved"],
        "overdue": v["demands_overdue"],
        "response": _rate(r["response_rate"]),
        "resolution": _rate(r["resolution_rate"]),
        "satisfaction": _rate(r["satisfaction_rate"]),
        "deeds": v["deeds"],
        "value": _yuan(v["deeds_value"]),
        "relief": _yuan(v["relief_paid"]),
        "days": v["attendance_days"],
    }


def best_by_figures(
    user, sel: selectors.Selection, figures: selectors.Figures | None = None
) -> list[Feature]:
    """The default featured cases: the cadres and teams with the most visits and deeds."""
    features = []
    for group in figures.top_cadres("visits", 3) if figures else []:
        if group.values.get("visits"):
            features.append(
                Feature(
                    group.label,
                    _("%(visits)s visits, %(deeds)s deeds worth %(value)s yuan, %(days)s days at the point.")
                    % {
                        "visits": group.values.get("visits", 0),
                        "deeds": group.values.get("deeds", 0),
                        "value": _yuan(group.values.get("deeds_value", 0)),
                        "days": group.values.get("attendance_days", 0),
                    },
                )
            )
    for group in (figures.by_team if figures else [])[:2]:
        if group.values.get("visits"):
            features.append(
                Feature(
                    group.label,
                    _("The team made %(visits)s visits and resolved %(resolved)s demands.")
                    % {
                        "visits": group.values.get("visits", 0),
                        "resolved": group.values.get("demands_resolved", 0),
                    },
                )
            )
    return features


# Charts ---------------------------------------------------------------------------------


def _font():
    from matplotlib import font_manager

    return font_manager.FontProperties(family=["Noto Sans CJK SC", "Noto Serif CJK SC", "sans-serif"])


def bar_chart(labels: list[str], series: dict[str, list], title: str = "") -> bytes:
    """A grouped bar chart as PNG, drawn without a screen. The documents leave the title out:
    they caption the chart in their own text."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    font = _font()
    fig = Figure(figsize=(6.4, 3.2), dpi=150)
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        ax.bar([x + i * width for x in range(len(labels))], values, width=width, label=name)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(labels))])
    ax.set_xticklabels(
        labels,
        fontproperties=font,
        rotation=30 if len(labels) > 5 else 0,
        ha="right" if len(labels) > 5 else "center",
        fontsize=8,
    )
    if title:
        ax.set_title(title, fontproperties=font, fontsize=10)
    ax.legend(prop=font, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def rate_chart(rates: list[tuple[str, float]], title: str = "") -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    font = _font()
    fig = Figure(figsize=(6.4, 2.6), dpi=150)
    ax = fig.add_subplot()
    names = [n for n, _v in rates][::-1]
    values = [v for _n, v in rates][::-1]
    bars = ax.barh(range(len(values)), values, color="#c0392b")
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontproperties=font, fontsize=8)
    ax.set_xlim(0, 100)
    for bar, value in zip(bars, values, strict=True):
        ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, f"{value}%", va="center", fontsize=7)
    if title:
        ax.set_title(title, fontproperties=font, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


# The paper ------------------------------------------------------------------------------


def build(*, user, sel: selectors.Selection, kind: str, fmt: str) -> Paper:
    """The document's content from the selectors' figures; takes (or reuses) its number."""
    figures = selectors.figures(user=user, sel=sel)
    issued = document_issue(actor=user, sel=sel, kind=kind, fmt=fmt)
    campaign = sel.campaign
    issuer = issuer_of(campaign)
    area = sel.region.name if sel.region else campaign.region.name
    # Not numbered by the office yet (read by a leader): the number's place is left blank.
    n, year = (issued.number, issued.year) if issued else ("\u3000", sel.period.end.year)
    if kind == IssuedDocument.Kind.BRIEFING:
        masthead = _("Work briefing")
        number = _("Issue %(n)s, %(year)s") % {"n": n, "year": year}
    else:
        masthead = _("%(issuer)s document") % {"issuer": issuer}
        number = _("%(short)s〔%(year)s〕%(n)s") % {"short": issuer, "year": year, "n": n}
    title = document_title(campaign.name, sel.period, kind)
    blocks = [Block("paragraph", summary_text(figures))]
    blocks.append(Block("heading", _("1. The figures")))
    blocks.append(Block("table", header=[_("No."), _("Figure"), _("Value")], rows=figure_rows(figures)))
    groups = figures.by_region
    if groups:
        blocks.append(Block("heading", _("2. By region")))
        blocks.append(Block("table", header=_group_header(_("Region")), rows=_group_rows(groups)))
        labels = [g.label for g in groups]
    else:
        groups = figures.top_cadres(n=10)
        labels = [g.label for g in groups]
    blocks.append(
        Block(
            "chart",
            text=_("Visits and demands of %(area)s") % {"area": area},
            png=bar_chart(
                labels,
                {
                    str(selectors.TILES[k].label): [g.values.get(k, 0) for g in groups]
                    for k in ("visits", "demands", "demands_resolved")
                },
            ),
        )
    )
    rates = [
        (str(r.label), figures.rates[r.key]) for r in selectors.RATES if figures.rates[r.key] is not None
    ]
    if rates:
        blocks.append(Block("chart", text=_("Rates"), png=rate_chart(rates)))
    if kind != "weekly" and figures.by_cadre:
        blocks.append(Block("heading", _("3. Cadres with the most visits")))
        blocks.append(
            Block("table", header=_group_header(_("Cadre")), rows=_group_rows(figures.top_cadres(n=10)))
        )
    if kind in ("quarterly", "annual") and figures.by_unit:
        blocks.append(Block("heading", _("4. By unit")))
        blocks.append(Block("table", header=_group_header(_("Unit")), rows=_group_rows(figures.by_unit, 20)))
    if kind == "briefing":
        features = [f for source in FEATURE_SOURCES for f in source(user, sel)] or best_by_figures(
            user, sel, figures
        )
        blocks.append(Block("heading", _("Exemplary cases")))
        for feature in features:
            blocks.append(Block("paragraph", f"{feature.title}：{feature.text}"))
        if not features:
            blocks.append(Block("paragraph", _("No case to feature in this period.")))
    if kind in ("quarterly", "annual", "monthly"):
        problems = _(
            "To be followed up: %(uncovered)s households in hardship without a cadre, %(idle)s paired "
            "households not visited for %(days)s days, %(overdue)s overdue demands, %(not_visited)s "
            "targets not visited in the period."
        ) % {
            "uncovered": figures.values["uncovered_households"],
            "idle": figures.values["not_visited_households"],
            "days": sel.idle_days,
            "overdue": figures.values["demands_overdue"],
            "not_visited": figures.values["targets_not_visited"],
        }
        blocks.append(Block("heading", _("Problems to solve")))
        blocks.append(Block("paragraph", problems))
    return Paper(
        kind=kind,
        masthead=masthead,
        number=number,
        title=title,
        recipients=_("To the townships and the units of the campaign:"),
        issuer=issuer,
        date=timezone.localdate(),
        blocks=blocks,
        figures=figures,
    )


# Word -----------------------------------------------------------------------------------


def _fonts(run, east_asian: str, size_pt: float, bold=False, color=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = LATIN_FONT
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor(*color)
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph(doc, text, font, size, *, align=None, bold=False, color=None, indent=False, space_after=0):
    from docx.shared import Pt

    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _fonts(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _red_rule(doc):
    """The red line under the masthead (a bottom border of an empty paragraph)."""
    from docx.oxml.ns import qn

    p = doc.add_paragraph()
    p_pr = p._p.get_or_add_pPr()
    borders = p_pr.makeelement(qn("w:pBdr"), {})
    bottom = borders.makeelement(
        qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "18", qn("w:space"): "1", qn("w:color"): "D40000"}
    )
    borders.append(bottom)
    p_pr.append(borders)


def _font_fallbacks(doc):
    """Declare the official fonts in the font table with the faces to use where they are missing."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    try:
        part = doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(part.blob)
    for name, alt in FONT_FALLBACKS.items():
        font = etree.SubElement(root, f"{{{ns}}}font", {f"{{{ns}}}name": name})
        etree.SubElement(font, f"{{{ns}}}altName", {f"{{{ns}}}val": alt})
        etree.SubElement(font, f"{{{ns}}}charset", {f"{{{ns}}}val": "86"})  # GB2312
        etree.SubElement(
            font, f"{{{ns}}}family", {f"{{{ns}}}val": "roman" if name != HEADING_FONT else "modern"}
        )
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def to_docx(paper: Paper) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    doc = Document()
    section = doc.sections[0]
    # GB/T 9704: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _font_fallbacks(doc)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", BODY_FONT
    )
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(
        doc,
        paper.masthead,
        TITLE_FONT,
        36 if paper.kind == "briefing" else 26,
        align=center,
        color=RED,
        space_after=12,
    )
    _paragraph(doc, paper.number, BODY_FONT, 16, align=center)
    if paper.kind == "briefing":
        _paragraph(doc, f"{paper.issuer}　　　　{paper.date_text}", BODY_FONT, 14, align=center)
    _red_rule(doc)
    _paragraph(doc, paper.title, TITLE_FONT, 22, align=center, space_after=16)
    if paper.kind != "briefing":
        _paragraph(doc, paper.recipients, BODY_FONT, 16)
    for block in paper.blocks:
        if block.kind == "heading":
            _paragraph(doc, block.text, HEADING_FONT, 16, indent=True)
        elif block.kind == "paragraph":
            _paragraph(doc, block.text, BODY_FONT, 16, indent=True)
        elif block.kind == "chart":
            doc.add_picture(io.BytesIO(block.png), width=Cm(15))
            doc.paragraphs[-1].alignment = center
            _paragraph(doc, block.text, KAI_FONT, 12, align=center)
        elif block.kind == "table":
            table = doc.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = ""
                _fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = ""
                    _fonts(cell.paragraphs[0].add_run(text), BODY_FONT, 10.5)
    if paper.kind != "briefing":
        right = WD_ALIGN_PARAGRAPH.RIGHT
        doc.add_paragraph()
        _paragraph(doc, paper.issuer, BODY_FONT, 16, align=right)
        _paragraph(doc, paper.date_text, BODY_FONT, 16, align=right)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# PDF ------------------------------------------------------------------------------------


def to_pdf(paper: Paper) -> bytes:
    from weasyprint import HTML

    blocks = [
        {**block.__dict__, "src": "data:image/png;base64," + base64.b64encode(block.png).decode()}
        if block.kind == "chart"
        else block.__dict__
        for block in paper.blocks
    ]
    html = render_to_string("figures/document_print.html", {"paper": paper, "blocks": blocks})
    return HTML(string=html).write_pdf()


def content_disposition(name: str, ascii_name: str) -> str:
    """An attachment named in UTF-8 (RFC 6266 filename*), with an ASCII name for old clients."""
    from urllib.parse import quote

    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def generate(*, user, sel: selectors.Selection, kind: str, fmt: str) -> tuple[bytes, str, str]:
    """(content, Content-Disposition, content type) of a document."""
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(kind)
    sel = selectors.viewers_selection(user=user, sel=sel)
    paper = build(user=user, sel=sel, kind=kind, fmt=fmt)
    disposition = content_disposition(f"{paper.filename}.{fmt}", f"{paper.ascii_filename}.{fmt}")
    if fmt == "docx":
        return (
            to_docx(paper),
            disposition,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    return to_pdf(paper), disposition, "application/pdf"
