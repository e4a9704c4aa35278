"""The publication list (公示) as PDF, and the QR code of a one-time link."""

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core.audit import audit_record


def qr_svg(text: str) -> str:
    return segno.make(text, error="m").svg_inline(scale=5, dark="#111", light="#fff")


def publication_title(appraisal_round) -> str:
    return _("Residents' appraisal of the cadres of %(campaign)s, %(period)s: publication list") % {
        "campaign": appraisal_round.campaign.name,
        "period": period_text(appraisal_round.period),
    }


QUARTERS = {
    1: gettext_lazy("the first quarter of %(year)s"),
    2: gettext_lazy("the second quarter of %(year)s"),
    3: gettext_lazy("the third quarter of %(year)s"),
    4: gettext_lazy("the fourth quarter of %(year)s"),
}
HALVES = {
    1: gettext_lazy("the first half of %(year)s"),
    2: gettext_lazy("the second half of %(year)s"),
}


def period_text(period: str) -> str:
    """A round's period as people read it (2026年第二季度, 2026年10月, 2026年下半年, 2026年),
    not as it is stored (2026-Q2); read by the figures' period parser."""
    from minqing.core.dates import month_text
    from minqing.figures import periods

    try:
        found = periods.parse_period(period, today=timezone.localdate(), halves=True)
    except periods.PeriodError:
        return period
    year = found.start.year
    if found.kind == "quarter":
        return QUARTERS[(found.start.month - 1) // 3 + 1] % {"year": year}
    if found.kind == "half":
        return HALVES[1 if found.start.month == 1 else 2] % {"year": year}
    if found.kind == "month":
        return month_text(found.start)
    return found.label


def publication_pdf(appraisal_round, context: dict, *, user) -> bytes:
    from weasyprint import HTML

    html = render_to_string("appraisal/publication_print.html", {**context, "user": user})
    pdf = HTML(string=html).write_pdf()
    audit_record(
        action="appraisal.publication.export",
        obj=appraisal_round,
        user=user,
        detail={"rows": len(context["results"]), "format": "pdf"},
    )
    return pdf
