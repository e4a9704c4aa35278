"""Print-ready PDFs (WeasyPrint, Noto Sans CJK SC by family name, found through fontconfig):
liaison cards of business-card size (90 × 54 mm), one per page or ten to an A4 sheet with
cut marks, and the disclosure board of a village."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record

CARD_W, CARD_H = 90, 54  # mm, the usual Chinese business card
SHEET_COLS, SHEET_ROWS = 2, 5
PAGE_W, PAGE_H = 210, 297
LEFT = (PAGE_W - SHEET_COLS * CARD_W) / 2
TOP = (PAGE_H - SHEET_ROWS * CARD_H) / 2
LAYOUTS = ("sheet", "single")


@dataclass
class Mark:
    x: float
    y: float
    w: float
    h: float


def _cut_marks() -> list[Mark]:
    """Short lines in the margin where the sheet is cut: in line with every card edge."""
    marks, length, gap = [], 6, 2
    for col in range(SHEET_COLS + 1):
        x = LEFT + col * CARD_W
        marks.append(Mark(x, TOP - gap - length, 0, length))
        marks.append(Mark(x, TOP + SHEET_ROWS * CARD_H + gap, 0, length))
    for row in range(SHEET_ROWS + 1):
        y = TOP + row * CARD_H
        marks.append(Mark(LEFT - gap - length, y, length, 0))
        marks.append(Mark(LEFT + SHEET_COLS * CARD_W + gap, y, length, 0))
    return marks


def _pages(entries, per_page: int):
    return [entries[i : i + per_page] for i in range(0, len(entries), per_page)] or [[]]


def cards_pdf(entries, *, layout: str = "sheet", user=None, campaign=None) -> bytes:
    from weasyprint import HTML

    per_page = 1 if layout == "single" else SHEET_COLS * SHEET_ROWS
    pages = []
    for page in _pages(entries, per_page):
        cards = []
        for index, entry in enumerate(page):
            col, row = index % SHEET_COLS, index // SHEET_COLS
            cards.append({"entry": entry, "x": LEFT + col * CARD_W, "y": TOP + row * CARD_H})
        pages.append(cards)
    html = render_to_string(
        "cards/cards_print.html",
        {
            "pages": pages,
            "single": layout == "single",
            "marks": _cut_marks(),
            "card_w": CARD_W,
            "card_h": CARD_H,
            "title": _("Liaison cards"),
        },
    )
    pdf = HTML(string=html).write_pdf()
    audit_record(
        action="cards.print",
        obj=campaign,
        user=user,
        detail={"cards": len(entries), "layout": layout},
    )
    return pdf


def board_pdf(village, entries) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "cards/board_print.html",
        {"village": village, "entries": entries, "today": timezone.localdate(), "print": True},
    )
    return HTML(string=html).write_pdf()
