"""The publication list (公示) as PDF, and the QR code of a one-time link."""

import segno
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record


def qr_svg(text: str) -> str:
    return segno.make(text, error="m").svg_inline(scale=5, dark="#111", light="#fff")


def publication_title(appraisal_round) -> str:
    return _("Residents' appraisal of the cadres of %(campaign)s, %(period)s: publication list") % {
        "campaign": appraisal_round.campaign.name,
        "period": appraisal_round.period,
    }


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
