"""Documents: a cadre's result sheet for the personnel file (PDF), the criticism notice of a
recall (通报批评, PDF and Word) and a leader's record (PDF and Word)."""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record

from .selectors import part_rows


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context)).write_pdf()


def _docx(title: str, paragraphs: list[str], signature: list[str]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold, run.font.size = True, Pt(18)
    for text in paragraphs:
        document.add_paragraph(text)
    for line in signature:
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# The result sheet ----------------------------------------------------------------------


def result_sheet_title(result) -> str:
    return _("Assessment of %(name)s, %(period)s") % {
        "name": result.cadre.account,
        "period": result.run.period,
    }


def result_sheet_pdf(result, *, user) -> bytes:
    pdf = _pdf(
        "assessment/result_sheet_print.html",
        {
            "result": result,
            "parts": part_rows(result),
            "title": result_sheet_title(result),
            "campaign": result.run.campaign,
            "printed": date_format(timezone.localdate()),
            "user": user,
        },
    )
    audit_record(
        action="assessment.sheet", obj=result, user=user, detail={"run": result.run_id, "format": "pdf"}
    )
    return pdf


# The criticism notice --------------------------------------------------------------------


def notice_title(recall) -> str:
    return _("Notice of criticism of comrade %(name)s") % {"name": recall.cadre.account}


def notice_paragraphs(recall) -> list[str]:
    cadre = recall.cadre
    reasons = "；".join(str(r) for r in recall.reasons) or recall.note
    paragraphs = [
        _(
            "In the campaign “%(campaign)s”, comrade %(name)s of %(unit)s (%(post)s) did not fulfil the duties "
            "of a stationed cadre: %(reasons)s."
        )
        % {
            "campaign": recall.campaign.name,
            "name": cadre.account,
            "unit": cadre.unit.label,
            "post": cadre.post or cadre.get_rank_display(),
            "reasons": reasons,
        }
    ]
    if recall.decided_at:
        paragraphs.append(
            _(
                "On %(day)s the leading group decided to recall comrade %(name)s from the point and to criticize "
                "them in a notice."
            )
            % {"day": date_format(timezone.localtime(recall.decided_at).date()), "name": cadre.account}
        )
    if recall.status == recall.Status.CARRIED_OUT and recall.successor_id:
        paragraphs.append(
            _("From %(day)s comrade %(successor)s takes over the pairings, open demands and help plans.")
            % {"day": date_format(recall.carried_out_on), "successor": recall.successor.account}
        )
    paragraphs.append(
        _(
            "Every cadre should take this as a warning, keep close to the people and carry out the duties "
            "of the campaign in earnest."
        )
    )
    return paragraphs


def notice_signature(recall) -> list[str]:
    day = recall.decided_at and timezone.localtime(recall.decided_at).date() or timezone.localdate()
    return [
        _("Leading group office of “%(campaign)s”") % {"campaign": recall.campaign.name},
        date_format(day),
    ]


def recall_notice_pdf(recall, *, user) -> bytes:
    pdf = _pdf(
        "assessment/recall_notice_print.html",
        {
            "title": notice_title(recall),
            "paragraphs": notice_paragraphs(recall),
            "signature": notice_signature(recall),
        },
    )
    audit_record(action="recall.notice", obj=recall, user=user, detail={"format": "pdf"})
    return pdf


def recall_notice_docx(recall, *, user) -> bytes:
    data = _docx(notice_title(recall), notice_paragraphs(recall), notice_signature(recall))
    audit_record(action="recall.notice", obj=recall, user=user, detail={"format": "docx"})
    return data


# Leaders' records --------------------------------------------------------------------------


def record_title(record) -> str:
    return _("%(kind)s of %(name)s, %(start)s to %(end)s") % {
        "kind": record.get_kind_display(),
        "name": record.cadre.account,
        "start": date_format(record.start),
        "end": date_format(record.end),
    }


def _record_signature(record) -> list[str]:
    lines = [str(record.cadre.account)]
    if record.submitted_on:
        lines.append(date_format(record.submitted_on))
    else:
        lines.append(_("Draft"))
    return lines


def leader_record_pdf(record, *, user) -> bytes:
    pdf = _pdf(
        "assessment/leader_record_print.html",
        {
            "title": record_title(record),
            "paragraphs": record.text.splitlines(),
            "signature": _record_signature(record),
        },
    )
    audit_record(action="leader_record.export", obj=record, user=user, detail={"format": "pdf"})
    return pdf


def leader_record_docx(record, *, user) -> bytes:
    data = _docx(record_title(record), record.text.splitlines(), _record_signature(record))
    audit_record(action="leader_record.export", obj=record, user=user, detail={"format": "docx"})
    return data
