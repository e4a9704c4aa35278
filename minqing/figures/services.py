"""Writes of the figures app: the number of a document, given once per campaign, kind, period
and selection, in one transaction with its audit row."""

from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Max

from minqing.core.audit import audit_record
from minqing.core.scope import scoped
from minqing.org.models import Account
from minqing.programs.models import Campaign

from .models import IssuedDocument


def selection_key(sel) -> str:
    params = sel.params()
    return urlencode({k: params[k] for k in ("region", "unit", "team", "cadre", "idle") if k in params})


def may_number(actor, campaign) -> bool:
    """Whether the actor numbers the documents of the campaign: its office (who manages it, the
    issuer the documents name) or the commands. Anyone else who reads them (a leader, a township
    office reading the county's campaign) gets a copy without a number: a reader's download must
    not take one of the office's official numbers."""
    if not isinstance(actor, Account):
        return True
    return scoped(Campaign.objects.filter(pk=campaign.pk), actor, "programs.manage").exists()


@transaction.atomic
def document_issue(*, actor, sel, kind: str, fmt: str) -> IssuedDocument | None:
    """The document's number (taken the first time the office generates it; None while it has
    none and the actor may not number it), with an audit row for this generation."""
    key = selection_key(sel)
    # The commands read as the campaign office without an account: recorded as the system.
    account = actor if isinstance(actor, Account) else None
    issued = _issued(sel, kind, key)
    if issued is None and not may_number(actor, sel.campaign):
        audit_record(
            action="figures.document",
            obj=sel.campaign,
            user=account,
            detail={"kind": kind, "format": fmt, "period": sel.period.code, "selection": key, "number": None},
        )
        return None
    if issued is None:
        # The campaign row serializes numbering (one sequence per campaign and year, per
        # briefings and per other documents); a rival that numbered this document while we
        # waited for the lock is seen once we hold it.
        Campaign.objects.select_for_update().filter(pk=sel.campaign.pk).first()
        issued = _issued(sel, kind, key)
    if issued is None:
        year = sel.period.end.year
        same_series = IssuedDocument.objects.filter(campaign=sel.campaign, year=year)
        same_series = (
            same_series.filter(kind=kind)
            if kind == IssuedDocument.Kind.BRIEFING
            else same_series.exclude(kind=IssuedDocument.Kind.BRIEFING)
        )
        last = same_series.aggregate(n=Max("number"))["n"] or 0
        try:
            with transaction.atomic():
                issued = IssuedDocument.objects.create(
                    campaign=sel.campaign,
                    kind=kind,
                    period=sel.period.code,
                    selection=key,
                    year=year,
                    number=last + 1,
                    created_by=account,
                )
        except IntegrityError:
            # Numbered by a rival after all (a database without row locks): theirs stands.
            issued = _issued(sel, kind, key)
            if issued is None:
                raise
    audit_record(
        action="figures.document",
        obj=issued,
        user=account,
        detail={
            "kind": kind,
            "format": fmt,
            "period": sel.period.code,
            "selection": key,
            "number": issued.number,
        },
    )
    return issued


def _issued(sel, kind: str, key: str) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(
        campaign=sel.campaign, kind=kind, period=sel.period.code, selection=key
    ).first()
