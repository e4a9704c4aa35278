"""Every write of assessments, recalls and leaders' records: one transaction each, audited."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record
from minqing.core.dates import day_text
from minqing.core.identity import mask_text_identifiers
from minqing.core.scope import scope_for, scoped
from minqing.programs.models import Campaign

from . import components, periods, selectors
from .models import AssessmentResult, AssessmentRun, LeaderRecord, Recall, RecallEvent, RecallRule, WeightSet


def _require(actor, permission: str) -> None:
    if actor is not None and not scope_for(actor).has(permission):
        raise PermissionDenied


# Weights ---------------------------------------------------------------------------


def _clean_weights(weights: dict) -> dict[str, int]:
    known = components.default_weights()
    errors, clean = [], {}
    for key, value in weights.items():
        if key not in known:
            errors.append(_("There is no component “%(key)s”.") % {"key": key})
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0 or number > 100 or str(value).strip() not in (str(number), f"{number}.0"):
            errors.append(_("The weight of “%(key)s” must be a whole number from 0 to 100.") % {"key": key})
            continue
        clean[key] = number
    if errors:
        raise ValidationError({"weights": errors})
    full = {key: clean.get(key, 0) for key in known}
    if sum(full.values()) <= 0:
        raise ValidationError({"weights": [_("At least one weight must be more than 0.")]})
    return full


@transaction.atomic
def weights_initial(*, actor, campaign: Campaign) -> WeightSet:
    """The campaign's first weights (the catalogue's defaults), in force from its start."""
    existing = WeightSet.objects.filter(campaign=campaign).order_by("version").first()
    if existing is not None:
        return existing
    weights = WeightSet.objects.create(
        campaign=campaign,
        version=1,
        effective_from=campaign.start,
        weights=components.default_weights(),
        reason=_("Default weights"),
        changed_by=actor,
    )
    audit_record(
        action="assessment.weights", obj=weights, user=actor, detail={"version": 1, **weights.weights}
    )
    return weights


@transaction.atomic
def weights_change(
    *, actor, campaign: Campaign, weights: dict, effective_from: dt.date, reason: str
) -> WeightSet:
    """A new version of the weights, in force from a date; periods already assessed keep
    their stored results (they are never recomputed behind the office's back)."""
    _require(actor, "assessment.manage")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason for the change.")]})
    clean = _clean_weights(weights)
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    previous = WeightSet.objects.filter(campaign=campaign).order_by("-version").first()
    if previous is None:
        previous = weights_initial(actor=actor, campaign=campaign)
    weight_set = WeightSet.objects.create(
        campaign=campaign,
        version=previous.version + 1,
        effective_from=effective_from,
        weights=clean,
        reason=reason.strip(),
        changed_by=actor,
    )
    audit_record(
        action="assessment.weights",
        obj=weight_set,
        user=actor,
        detail={
            "campaign": campaign.pk,
            "version": weight_set.version,
            "from_date": effective_from.isoformat(),
            "before": previous.weights,
            "after": clean,
            "reason": reason.strip(),
        },
    )
    return weight_set


# Assessment ------------------------------------------------------------------------


@transaction.atomic
def assessment_run(*, actor, campaign: Campaign, period: str, today: dt.date | None = None) -> AssessmentRun:
    """Assess every cadre of the campaign for the period with the weights in force for it,
    rank them, and store the results (a new run; earlier runs stay as they were)."""
    _require(actor, "assessment.manage")
    period = periods.normalize(period)
    start, end = periods.campaign_window(campaign, period, today or timezone.localdate())
    weights_initial(actor=actor, campaign=campaign)
    weight_set = (
        selectors.weight_set_for(campaign, start)
        or WeightSet.objects.filter(campaign=campaign).order_by("version").first()
    )
    rows = selectors.compute(campaign, start, end, weight_set.weights)
    run = AssessmentRun.objects.create(
        campaign=campaign,
        period=period,
        start=start,
        end=end,
        weight_set=weight_set,
        weights=weight_set.weights,
        components=[c.key for c in components.ordered_components()],
        cadre_count=len(rows),
        run_by=actor,
    )
    AssessmentResult.objects.bulk_create(
        [
            AssessmentResult(
                run=run,
                cadre_id=row["cadre_id"],
                unit_id=row["unit_id"],
                parts={
                    key: {
                        "score": part.score,
                        "actual": part.actual,
                        **({"detail": part.detail} if part.detail else {}),
                    }
                    for key, part in row["parts"].items()
                },
                total=row["total"],
                rank_campaign=row["rank_campaign"],
                rank_unit=row["rank_unit"],
                weights_version=weight_set.version,
            )
            for row in rows
        ],
        batch_size=2000,
    )
    audit_record(
        action="assessment.run",
        obj=run,
        user=actor,
        detail={
            "campaign": campaign.pk,
            "period": period,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "weights_version": weight_set.version,
            "cadres": len(rows),
        },
    )
    return run


# Recall ----------------------------------------------------------------------------


def _threshold(value, name: str, maximum: float | None = 100.0):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {name: [_("Give a number, or leave it empty to switch this check off.")]}
        ) from None
    if number < 0 or (maximum is not None and number > maximum):
        raise ValidationError({name: [_("Give a number from 0 to 100.")]})
    return number


@transaction.atomic
def recall_rule_set(
    *, actor, campaign: Campaign, resident_score_below=None, absences_at_least=None, composite_below=None
) -> RecallRule:
    _require(actor, "assessment.manage")
    values = {
        "resident_score_below": _threshold(resident_score_below, "resident_score_below"),
        "composite_below": _threshold(composite_below, "composite_below"),
    }
    absences = _threshold(absences_at_least, "absences_at_least", maximum=None)
    if absences is not None and absences != int(absences):
        raise ValidationError({"absences_at_least": [_("Give a whole number of absences.")]})
    values["absences_at_least"] = int(absences) if absences is not None else None
    rule, _created = RecallRule.objects.select_for_update().get_or_create(campaign=campaign)
    before = {name: getattr(rule, name) for name in values}
    for name, value in values.items():
        setattr(rule, name, value)
    rule.changed_by, rule.changed_at = actor, timezone.now()
    rule.save()
    audit_record(action="recall.rule", obj=rule, user=actor, detail={"before": before, "after": values})
    return rule


def _recall_event(recall: Recall, *, actor, action: str, from_status: str, reason: str = "") -> None:
    RecallEvent.objects.create(
        recall=recall,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=recall.status,
        reason=reason,
    )


@transaction.atomic
def recall_propose(
    *, actor, campaign: Campaign, cadre, reasons: list[str] | None = None, note: str = ""
) -> Recall:
    """Propose recalling a cadre of the campaign, with the at-risk reasons (or the office's own)."""
    _require(actor, "recall.propose")
    if (
        not campaign.pairings.filter(cadre=cadre).exists()
        and not campaign.teams.filter(members=cadre).exists()
    ):
        raise ValidationError({"cadre": [_("This cadre has no pairing or team in this campaign.")]})
    if Recall.objects.filter(
        campaign=campaign, cadre=cadre, status__in=(Recall.Status.PROPOSED, Recall.Status.APPROVED)
    ).exists():
        raise ValidationError({"cadre": [_("A recall of this cadre is already under way.")]})
    if reasons is None:
        flagged = next((f for f in selectors.at_risk(campaign) if f.cadre.pk == cadre.pk), None)
        reasons = flagged.reasons if flagged else []
    reasons = [str(r).strip() for r in reasons if str(r).strip()]
    if not reasons and not (note or "").strip():
        raise ValidationError(
            {"note": [_("The rule does not flag this cadre: say why the recall is proposed.")]}
        )
    recall = Recall.objects.create(
        campaign=campaign, cadre=cadre, reasons=reasons, note=(note or "").strip(), proposed_by=actor
    )
    _recall_event(recall, actor=actor, action="propose", from_status="", reason=recall.note)
    audit_record(
        action="recall.propose",
        obj=recall,
        user=actor,
        detail={"campaign": campaign.pk, "cadre": cadre.pk, "reasons": reasons},
    )
    return recall


def _locked(recall: Recall, expected: str) -> Recall:
    locked = Recall.objects.select_for_update().get(pk=recall.pk)
    if locked.status != expected:
        raise ValidationError(
            _("This recall is “%(status)s”: this step is not possible now.")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def recall_decide(*, actor, recall: Recall, approve: bool, reason: str = "") -> Recall:
    """The leading group approves or rejects a proposed recall."""
    _require(actor, "recall.approve")
    recall = _locked(recall, Recall.Status.PROPOSED)
    if not approve and not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for rejecting the recall.")]})
    recall.status = Recall.Status.APPROVED if approve else Recall.Status.REJECTED
    recall.decided_by, recall.decided_at = actor, timezone.now()
    recall.save(update_fields=["status", "decided_by", "decided_at"])
    action = "approve" if approve else "reject"
    _recall_event(
        recall, actor=actor, action=action, from_status=Recall.Status.PROPOSED, reason=reason.strip()
    )
    audit_record(action=f"recall.{action}", obj=recall, user=actor, detail={"reason": reason.strip()})
    return recall


@transaction.atomic
def recall_carry_out(
    *, actor, recall: Recall, successor, on_date: dt.date | None = None, reason: str = ""
) -> Recall:
    """Withdraw the cadre: pairings, team places, open demands and help plans go to the
    successor (programs' handover), in the campaigns the actor manages, in one transaction."""
    from minqing.programs.services import cadre_handover

    _require(actor, "recall.carry_out")
    recall = _locked(recall, Recall.Status.APPROVED)
    if successor is None:
        raise ValidationError({"successor": [_("Choose the successor who takes over.")]})
    on_date = on_date or timezone.localdate()
    text = (reason or "").strip() or _("Recall of %(name)s") % {"name": recall.cadre.account}
    handover = cadre_handover(
        actor=actor,
        from_cadre=recall.cadre,
        to_cadre=successor,
        on_date=on_date,
        reason=text[:200],
        campaigns=scoped(Campaign, actor, "programs.manage") if actor is not None else None,
    )
    recall.status = Recall.Status.CARRIED_OUT
    recall.successor, recall.handover = successor, handover
    recall.carried_out_by, recall.carried_out_on = actor, on_date
    recall.moved = {
        "pairings": handover.pairings_moved,
        "teams": handover.teams_moved,
        "tickets": handover.tickets_moved,
        "help_plans": handover.plans_moved,
    }
    recall.save(
        update_fields=["status", "successor", "handover", "carried_out_by", "carried_out_on", "moved"]
    )
    _recall_event(recall, actor=actor, action="carry_out", from_status=Recall.Status.APPROVED, reason=text)
    audit_record(
        action="recall.carry_out",
        obj=recall,
        user=actor,
        detail={
            "successor": successor.pk,
            "on": on_date.isoformat(),
            "handover": handover.pk,
            **recall.moved,
        },
    )
    return recall


# Leaders' records ---------------------------------------------------------------------


def record_figures(cadre, start: dt.date, end: dt.date) -> dict:
    """What the leader's own records say about the period: visits, demands, deeds, days at points."""
    from django.db.models import Count, Q, Sum

    from minqing.fieldwork.models import AttendanceDay, Deed, Visit
    from minqing.tickets.models import Ticket

    visits = Visit.objects.filter(Q(cadre=cadre) | Q(others_present=cadre), date__gte=start, date__lte=end)
    points = sorted(
        {name for name in visits.exclude(point__isnull=True).values_list("point__name", flat=True)}
    )
    begin = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    finish = timezone.make_aware(dt.datetime.combine(end, dt.time.max))
    demands = Ticket.objects.filter(
        Q(leader=cadre) | Q(owner_id=cadre.account_id) | Q(created_by_id=cadre.account_id)
    )
    registered = demands.filter(registered_at__gte=begin, registered_at__lte=finish)
    deeds = Deed.objects.filter(cadre=cadre, date__gte=start, date__lte=end).aggregate(
        n=Count("id"), value=Sum("value_yuan")
    )
    return {
        "visits": visits.distinct().count(),
        "points_visited": points,
        "problems_raised": sum(len(p or []) for p in visits.distinct().values_list("problems", flat=True)),
        "demands_registered": registered.count(),
        "demands_answered": demands.filter(replied_at__gte=begin, replied_at__lte=finish).count(),
        "demands_open": demands.exclude(status__in=("closed", "merged", "replied", "verified")).count(),
        "deeds": deeds["n"] or 0,
        "deeds_value_yuan": str(deeds["value"] or 0),
        "days_at_points": AttendanceDay.objects.filter(
            cadre=cadre, status=AttendanceDay.Status.CONFIRMED, date__gte=start, date__lte=end
        ).count(),
        "recent_visits": [
            {"date": d.isoformat(), "content": mask_text_identifiers(c)[:80]}
            for d, c in visits.distinct().order_by("-date", "-id").values_list("date", "content")[:8]
        ],
    }


def draft_text(kind: str, cadre, start: dt.date, end: dt.date, figures: dict) -> str:
    lines = [
        (
            _("Weekly work record of %(name)s, %(start)s to %(end)s")
            if kind == LeaderRecord.Kind.WEEKLY
            else _("Report of %(name)s to the standing committee, %(start)s to %(end)s")
        )
        % {"name": cadre.account, "start": day_text(start), "end": day_text(end)},
        "",
        _("1. Going down: %(visits)s visits; %(days)s days at the linked points%(points)s.")
        % {
            "visits": figures["visits"],
            "days": figures["days_at_points"],
            "points": ("（" + "、".join(figures["points_visited"]) + "）")
            if figures["points_visited"]
            else "",
        },
        _(
            "2. Problems: %(problems)s raised on visits; %(registered)s demands registered, %(answered)s answered, "
            "%(open)s still open."
        )
        % {
            "problems": figures["problems_raised"],
            "registered": figures["demands_registered"],
            "answered": figures["demands_answered"],
            "open": figures["demands_open"],
        },
        _("3. Deeds: %(n)s, worth %(value)s yuan.")
        % {"n": figures["deeds"], "value": figures["deeds_value_yuan"]},
        _("4. Next steps:"),
    ]
    for visit in figures["recent_visits"]:
        lines.insert(-1, f"   · {day_text(visit['date'])} {visit['content']}")
    return "\n".join(lines)


@transaction.atomic
def leader_record_draft(*, actor, cadre, kind: str, day: dt.date) -> LeaderRecord:
    """Draft (or redraft, while still a draft) the record of the week or quarter containing `day`."""
    if kind not in LeaderRecord.Kind.values:
        raise ValidationError({"kind": [_("Choose a weekly record or a quarterly report.")]})
    if actor is not None and not selectors.can_write_record(actor, cadre):
        raise PermissionDenied
    start, end = periods.week_of(day) if kind == LeaderRecord.Kind.WEEKLY else periods.quarter_of(day)
    figures = record_figures(cadre, start, end)
    text = draft_text(kind, cadre, start, end, figures)
    record = LeaderRecord.objects.select_for_update().filter(cadre=cadre, kind=kind, start=start).first()
    if record is not None and record.status == LeaderRecord.Status.SUBMITTED:
        raise ValidationError(_("This record has been submitted and can no longer be redrafted."))
    if record is None:
        record = LeaderRecord(cadre=cadre, kind=kind, start=start, end=end, created_by=actor)
    else:
        record.version += 1
    record.figures, record.text = figures, text
    record.save()
    audit_record(
        action="leader_record.draft",
        obj=record,
        user=actor,
        detail={"kind": kind, "start": start.isoformat()},
    )
    return record


@transaction.atomic
def leader_record_save(
    *, actor, record: LeaderRecord, text: str, version: int, submit: bool = False
) -> LeaderRecord:
    if actor is not None and not selectors.can_write_record(actor, record):
        raise PermissionDenied
    record = LeaderRecord.objects.select_for_update().get(pk=record.pk)
    if record.status == LeaderRecord.Status.SUBMITTED:
        raise ValidationError(_("This record has been submitted and can no longer be changed."))
    if version != record.version:
        raise ValidationError(
            _("Someone changed this record meanwhile: reload it and apply your changes again.")
        )
    if not (text or "").strip():
        raise ValidationError({"text": [_("The record cannot be empty.")]})
    record.text = text.strip()
    record.version += 1
    if submit:
        record.status = LeaderRecord.Status.SUBMITTED
        record.submitted_on = timezone.localdate()
    record.save()
    audit_record(
        action="leader_record.submit" if submit else "leader_record.edit",
        obj=record,
        user=actor,
        detail={"version": record.version},
    )
    return record


def campaign_span(campaign) -> str:
    """A campaign with its dates, as people read them."""
    if campaign.end is None:
        return _("%(name)s, from %(start)s") % {"name": campaign.name, "start": day_text(campaign.start)}
    return _("%(name)s, %(start)s to %(end)s") % {
        "name": campaign.name,
        "start": day_text(campaign.start),
        "end": day_text(campaign.end),
    }


@transaction.atomic
def leader_record_write(
    *,
    actor,
    cadre,
    day: dt.date,
    text: str,
    submit: bool = False,
    version: int | None = None,
    today: dt.date | None = None,
) -> LeaderRecord:
    """The leader's weekly work record of the week (Monday to Sunday) containing `day`,
    written directly: made, or the week's draft changed, never a second record of a week.
    The week must lie in a campaign that asks this leader for weekly records and have begun;
    a submitted record stays as it was submitted. `version`, when given, is the draft's
    version the writer saw: a draft changed meanwhile is not overwritten."""
    if actor is not None and not selectors.can_write_record(actor, cadre):
        raise PermissionDenied
    today = today or timezone.localdate()
    start, end = periods.week_of(day)
    errors: dict[str, list[str]] = {}
    campaigns = selectors.weekly_record_campaigns(cadre)
    if not campaigns:
        errors["day"] = [_("No campaign asks %(name)s for a weekly work record.") % {"name": cadre.account}]
    elif start > today:
        errors["day"] = [_("The week of %(day)s has not begun yet.") % {"day": day_text(start)}]
    elif not any(c.start <= end and (c.end is None or start <= c.end) for c in campaigns):
        errors["day"] = [
            _("The week of %(day)s is outside the campaign (%(campaigns)s).")
            % {"day": day_text(start), "campaigns": "; ".join(campaign_span(c) for c in campaigns)}
        ]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("The record cannot be empty.")]
    if errors:
        raise ValidationError(errors)
    record = (
        LeaderRecord.objects.select_for_update()
        .filter(cadre=cadre, kind=LeaderRecord.Kind.WEEKLY, start=start)
        .first()
    )
    if record is not None and record.status == LeaderRecord.Status.SUBMITTED:
        raise ValidationError(
            {
                "day": [
                    _("The record of the week of %(day)s has been submitted and can no longer be changed.")
                    % {"day": day_text(start)}
                ]
            }
        )
    if record is not None and version is not None and version != record.version:
        raise ValidationError(
            _("Someone changed this record meanwhile: reload it and apply your changes again.")
        )
    created = record is None
    if created:
        record = LeaderRecord(
            cadre=cadre, kind=LeaderRecord.Kind.WEEKLY, start=start, end=end, created_by=actor
        )
    else:
        record.version += 1
    # The week's figures as of now, kept with the text (frozen when it is submitted).
    record.figures = record_figures(cadre, start, end)
    record.text = text
    if submit:
        record.status = LeaderRecord.Status.SUBMITTED
        record.submitted_on = today
    record.save()
    audit_record(
        action="leader_record.submit" if submit else "leader_record.write",
        obj=record,
        user=actor,
        detail={
            "kind": record.kind,
            "cadre": cadre.pk,
            "start": start.isoformat(),
            "version": record.version,
            "created": created,
        },
    )
    return record
