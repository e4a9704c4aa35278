"""Every write of appraisal, inspections and exemplary cases, each in one transaction
with its audit row."""

import datetime as dt
import hashlib
import random
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core.audit import audit_record
from minqing.core.scope import scope_for
from minqing.figures import periods
from minqing.programs.models import Campaign, LiaisonPoint, Pairing, Team

from .models import (
    AppraisalLink,
    AppraisalRound,
    ExemplaryCase,
    FollowUpAction,
    Inspection,
    Rating,
    Sample,
    Verdict,
)

DEFAULT_PER_CADRE = 3
LINK_DAYS = 14
# A round's period as stored (one round per campaign and period): 2026-10, 2026-Q4, 2026-H2, 2026.
PERIOD_LABELS = {
    "month": lambda start: f"{start:%Y-%m}",
    "quarter": lambda start: f"{start.year}-Q{(start.month - 1) // 3 + 1}",
    "half": lambda start: f"{start.year}-H{(start.month - 1) // 6 + 1}",
    "year": lambda start: str(start.year),
}


def default_questions() -> list[dict]:
    """Asked when the campaign's program defines none (its `[appraisal]` section)."""
    return [
        {"key": "visited", "text": _("Has the cadre visited your household?"), "type": "yesno"},
        {"key": "helped", "text": _("Did the cadre help with the problems you raised?"), "type": "verdict"},
        {"key": "conduct", "text": _("How satisfied are you with the cadre's conduct?"), "type": "verdict"},
    ]


def campaign_questions(campaign: Campaign) -> list[dict]:
    questions = (campaign.config.get("appraisal") or {}).get("questions")
    return [dict(q) for q in questions] if questions else default_questions()


def campaign_per_cadre(campaign: Campaign) -> int:
    return int((campaign.config.get("appraisal") or {}).get("per_cadre") or DEFAULT_PER_CADRE)


def parse_period(text: str) -> tuple[str, dt.date, dt.date]:
    """'2026-10' (a month), '2026-Q4' (a quarter), '2026-H2' (a half year) or '2026' (a year)
    → (label, first day, last day), read by the figures' parser. '2026Q4' (the dashboard's
    spelling) is read as '2026-Q4'; weeks and ranges are refused."""
    text = (text or "").strip()
    try:
        period = periods.parse_period(text, today=timezone.localdate(), halves=True) if text else None
    except periods.PeriodError:
        period = None
    if period is None or period.kind not in PERIOD_LABELS:
        raise ValidationError(
            {"period": [_("Give the period as 2026-10 (month), 2026-Q4, 2026-H2 or 2026 (year).")]}
        )
    return PERIOD_LABELS[period.kind](period.start), period.start, period.end


def _require(user, permission: str) -> None:
    if user is not None and not scope_for(user).has(permission):
        raise PermissionDenied


# The sample -------------------------------------------------------------------------


def eligible_pairings(campaign: Campaign, on: dt.date) -> dict[int, list[tuple[int, int, str]]]:
    """Each cadre's household pairings active on `on`: cadre id → [(pairing id, household id,
    region code)] in id order. One query."""
    by_cadre: dict[int, list[tuple[int, int, str]]] = {}
    for pairing_id, cadre_id, household_id, region_id in (
        Pairing.objects.filter(campaign=campaign, household__isnull=False)
        .active_on(on)
        .order_by("cadre_id", "id")
        .values_list("id", "cadre_id", "household_id", "region_id")
    ):
        by_cadre.setdefault(cadre_id, []).append((pairing_id, household_id, region_id))
    return by_cadre


def draw_sample(
    by_cadre: dict[int, list], *, seed: int, per_cadre: int, share: int | None = None
) -> dict[int, list]:
    """The households drawn per cadre: for each cadre in id order, `per_cadre` of its
    pairings (all if fewer) — or, with `share`, that percentage of them rounded up — chosen
    by one random.Random(seed). The same pairings and seed always give the same sample."""
    rng = random.Random(seed)
    drawn = {}
    for cadre_id in sorted(by_cadre):
        candidates = by_cadre[cadre_id]
        count = -(-len(candidates) * share // 100) if share else per_cadre
        drawn[cadre_id] = rng.sample(candidates, min(max(1, count), len(candidates)))
    return drawn


@transaction.atomic
def round_draw(
    *,
    actor,
    campaign: Campaign,
    period: str,
    per_cadre: int | None = None,
    share: int | None = None,
    seed: int | None = None,
) -> AppraisalRound:
    """Open the period's appraisal round and draw its sample from the cadres' household
    pairings active on the day of the draw (the period's end if it is over). Households per
    cadre: as given, else the program's `[appraisal] per_cadre`, else three; or a share of
    each cadre's households (percent)."""
    _require(actor, "appraisal.manage")
    if per_cadre is None:
        per_cadre = campaign_per_cadre(campaign)
    label, start, end = parse_period(period)
    if per_cadre < 1 or per_cadre > 50:
        raise ValidationError({"per_cadre": [_("Draw between 1 and 50 households per cadre.")]})
    if share is not None and not 1 <= share <= 100:
        raise ValidationError({"share": [_("The share is a percentage from 1 to 100.")]})
    if campaign.status != "running":
        raise ValidationError({"campaign": [_("The campaign is not running.")]})
    if AppraisalRound.objects.filter(campaign=campaign, period=label).exists():
        raise ValidationError({"period": [_("This period already has an appraisal round.")]})
    if seed is None:
        # 48 bits: enough to be unguessable, too short to pass for an ID or phone number on a page.
        seed = secrets.randbits(48)
    on = min(end, timezone.localdate())
    drawn = draw_sample(eligible_pairings(campaign, on), seed=seed, per_cadre=per_cadre, share=share)
    if not any(drawn.values()):
        raise ValidationError({"campaign": [_("No cadre of this campaign has an active household pairing.")]})
    appraisal_round = AppraisalRound.objects.create(
        campaign=campaign,
        period=label,
        start=start,
        end=end,
        questions=campaign_questions(campaign),
        per_cadre=per_cadre,
        share=share,
        seed=seed,
        drawn_by=actor,
    )
    Sample.objects.bulk_create(
        [
            Sample(
                round=appraisal_round,
                cadre_id=cadre_id,
                pairing_id=pairing_id,
                household_id=household_id,
                region_id=region_id,
                position=position,
            )
            for cadre_id, chosen in drawn.items()
            for position, (pairing_id, household_id, region_id) in enumerate(chosen, start=1)
        ],
        batch_size=2000,
    )
    audit_record(
        action="appraisal.draw",
        obj=appraisal_round,
        user=actor,
        detail={
            "period": label,
            "per_cadre": per_cadre,
            "share": share,
            "cadres": sum(1 for chosen in drawn.values() if chosen),
            "households": sum(len(chosen) for chosen in drawn.values()),
        },
    )
    return appraisal_round


def redraw(appraisal_round: AppraisalRound) -> dict[int, list[int]]:
    """The sample the stored seed gives over the pairings as they were at the draw: cadre id
    → pairing ids. Equal to the stored sample unless someone changed it."""
    on = min(appraisal_round.end, timezone.localtime(appraisal_round.drawn_at).date())
    drawn = draw_sample(
        eligible_pairings(appraisal_round.campaign, on),
        seed=appraisal_round.seed,
        per_cadre=appraisal_round.per_cadre,
        share=appraisal_round.share,
    )
    return {cadre_id: [p[0] for p in chosen] for cadre_id, chosen in drawn.items() if chosen}


# Answers ----------------------------------------------------------------------------


def _clean_answers(appraisal_round: AppraisalRound, answers: dict | None) -> dict:
    answers = answers or {}
    known = {q["key"]: q for q in appraisal_round.questions}
    unknown = set(answers) - set(known)
    if unknown:
        raise ValidationError(
            {"answers": [_("Unknown questions: %(keys)s") % {"keys": ", ".join(sorted(unknown))}]}
        )
    cleaned = {}
    for key, value in answers.items():
        if value in ("", None):
            continue
        kind = known[key].get("type", "verdict")
        if kind == "verdict" and value not in Verdict.values:
            raise ValidationError(
                {"answers": [_("Answer “%(q)s” with one of the choices.") % {"q": known[key]["text"]}]}
            )
        if kind == "yesno" and value not in ("yes", "no"):
            raise ValidationError(
                {"answers": [_("Answer “%(q)s” with yes or no.") % {"q": known[key]["text"]}]}
            )
        cleaned[key] = str(value)[:500]
    return cleaned


def _check_open(sample: Sample) -> None:
    if sample.round.status != AppraisalRound.Status.OPEN:
        raise ValidationError(_("The publication list of this round is released; answers are closed."))


def _refuse_self(actor, sample: Sample, action: str) -> None:
    """The cadre appraised never records or handles their own appraisal; the refusal is audited."""
    if actor is not None and sample.cadre.account_id == actor.pk:
        audit_record(action=action, obj=sample, user=actor, result="denied", detail={"reason": "self"})
        raise ValidationError(_("You cannot record an appraisal of yourself."))


def callback_record(
    *,
    actor,
    sample: Sample,
    status: str,
    verdict: str = "",
    answers: dict | None = None,
    comment: str = "",
    called_at: dt.datetime | None = None,
) -> Sample:
    """The office records a phone callback: reached and answered, not reached or declined.
    The cadre being appraised can never record it."""
    _require(actor, "appraisal.manage")
    _refuse_self(actor, sample, "appraisal.callback")
    with transaction.atomic():
        return _callback_write(
            actor=actor,
            sample=sample,
            status=status,
            verdict=verdict,
            answers=answers,
            comment=comment,
            called_at=called_at,
        )


def _callback_write(*, actor, sample, status, verdict, answers, comment, called_at) -> Sample:
    sample = Sample.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=sample.pk)
    _lock_round(sample)
    _check_open(sample)
    if sample.status == Sample.Status.ANSWERED:
        raise ValidationError(_("This household has already answered."))
    if status not in Sample.Status.values or status == Sample.Status.PENDING:
        raise ValidationError({"status": [_("Choose the outcome of the call.")]})
    now = timezone.now()
    called_at = called_at or now
    if called_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"called_at": [_("The call cannot lie in the future.")]})
    if status == Sample.Status.ANSWERED:
        if verdict not in Verdict.values:
            raise ValidationError({"verdict": [_("Choose satisfied, basically satisfied or unsatisfied.")]})
        sample.answers = _clean_answers(sample.round, answers)
        sample.verdict = verdict
        sample.answered_at = called_at
    else:
        sample.verdict = ""
        sample.answers = {}
    sample.status = status
    sample.channel = Sample.Channel.PHONE
    sample.comment = (comment or "").strip()[:2000]
    sample.called_at = called_at
    sample.recorded_by = actor
    sample.save()
    audit_record(
        action="appraisal.callback",
        obj=sample,
        user=actor,
        detail={"status": status, "verdict": sample.verdict, "cadre": sample.cadre_id},
    )
    return sample


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_issue(*, actor, sample: Sample, days: int = LINK_DAYS) -> str:
    """A one-time link for a sampled household: returns the token (shown once); only its
    digest is kept. Earlier unused links of the household stop working."""
    _require(actor, "appraisal.manage")
    _refuse_self(actor, sample, "appraisal.link")
    with transaction.atomic():
        return _link_write(actor=actor, sample=sample, days=days)


def _link_write(*, actor, sample: Sample, days: int) -> str:
    _check_open(sample)
    if sample.status == Sample.Status.ANSWERED:
        raise ValidationError(_("This household has already answered."))
    now = timezone.now()
    AppraisalLink.objects.filter(sample=sample, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(24)
    link = AppraisalLink.objects.create(
        sample=sample, digest=_digest(token), expires_at=now + dt.timedelta(days=days), created_by=actor
    )
    audit_record(action="appraisal.link", obj=sample, user=actor, detail={"link": link.pk, "days": days})
    return token


class LinkRefused(Exception):
    """The link is unknown, used, expired or its round closed; the message says which."""


def link_find(token: str) -> AppraisalLink:
    link = (
        AppraisalLink.objects.select_related(
            "sample__round", "sample__cadre__account", "sample__cadre__unit__parent"
        )
        .filter(digest=_digest(token or ""))
        .first()
    )
    if link is None:
        raise LinkRefused(_("This link is not valid."))
    _refuse_link(link, link.sample, link.sample.round)
    return link


def _refuse_link(link: AppraisalLink, sample: Sample, appraisal_round: AppraisalRound) -> None:
    if link.used_at is not None or sample.status == Sample.Status.ANSWERED:
        raise LinkRefused(_("This link has already been used. Thank you, your answer was recorded."))
    if link.expires_at <= timezone.now():
        raise LinkRefused(_("This link has expired. Please ask the campaign office for a new one."))
    if appraisal_round.status != AppraisalRound.Status.OPEN:
        raise LinkRefused(_("This appraisal is closed."))


def _lock_round(sample: Sample) -> AppraisalRound:
    """Lock the sample's round (round_release locks it too) so that no answer lands in a
    round being released; attaches the fresh round to the sample."""
    sample.round = AppraisalRound.objects.select_for_update().get(pk=sample.round_id)
    return sample.round


def link_answer(*, token: str, verdict: str, answers: dict | None = None, comment: str = "") -> Sample:
    """A resident answers through the one-time link. It works once. After a first look
    without locks, the link, its sample and their round are locked (in that order; callbacks
    and the release lock the same rows) and checked again: a callback or a release that
    came first wins."""
    link_find(token)
    with transaction.atomic():
        return _link_answer_write(token=token, verdict=verdict, answers=answers, comment=comment)


def _link_answer_write(*, token: str, verdict: str, answers: dict | None, comment: str) -> Sample:
    link = AppraisalLink.objects.select_for_update().filter(digest=_digest(token or "")).first()
    if link is None:
        raise LinkRefused(_("This link is not valid."))
    sample = Sample.objects.select_for_update().get(pk=link.sample_id)
    appraisal_round = _lock_round(sample)
    _refuse_link(link, sample, appraisal_round)
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": [_("Choose satisfied, basically satisfied or unsatisfied.")]})
    cleaned = _clean_answers(appraisal_round, answers)
    now = timezone.now()
    link.used_at = now
    link.save(update_fields=["used_at"])
    sample.status = Sample.Status.ANSWERED
    sample.channel = Sample.Channel.LINK
    sample.verdict = verdict
    sample.answers = cleaned
    sample.comment = (comment or "").strip()[:2000]
    sample.answered_at = now
    sample.recorded_by = None
    sample.save(
        update_fields=["status", "channel", "verdict", "answers", "comment", "answered_at", "recorded_by"]
    )
    audit_record(action="appraisal.link_answer", obj=sample, detail={"link": link.pk, "verdict": verdict})
    return sample


@transaction.atomic
def round_release(*, actor, appraisal_round: AppraisalRound) -> AppraisalRound:
    """Release the publication list (公示): the round's results become public and its
    answers close."""
    _require(actor, "appraisal.manage")
    appraisal_round = AppraisalRound.objects.select_for_update().get(pk=appraisal_round.pk)
    if appraisal_round.status == AppraisalRound.Status.RELEASED:
        raise ValidationError(_("This publication list is already released."))
    if not appraisal_round.samples.filter(status=Sample.Status.ANSWERED).exists():
        raise ValidationError(_("No household has answered yet; there is nothing to publish."))
    appraisal_round.status = AppraisalRound.Status.RELEASED
    appraisal_round.released_at = timezone.now()
    appraisal_round.released_by = actor
    appraisal_round.save(update_fields=["status", "released_at", "released_by"])
    audit_record(action="appraisal.release", obj=appraisal_round, user=actor)
    return appraisal_round


# Inspections ------------------------------------------------------------------------


@transaction.atomic
def inspection_record(
    *,
    actor,
    campaign: Campaign,
    kind: str,
    date: dt.date,
    findings: str,
    rating: str,
    cadre=None,
    point: LiaisonPoint | None = None,
    method: str = "",
    actions: list[dict] | None = None,
) -> Inspection:
    """An inspector's check of a cadre or a point, with the follow-up actions it asks for
    ([{"text", "owner" (a Cadre), "deadline"}])."""
    _require(actor, "inspections.record")
    errors = {}
    if kind not in Inspection.Kind.values:
        errors["kind"] = [_("Choose the kind of inspection.")]
    if rating not in Rating.values:
        errors["rating"] = [_("Choose a rating.")]
    if cadre is None and point is None:
        errors["cadre"] = [_("Name the cadre or the point inspected.")]
    if not (findings or "").strip():
        errors["findings"] = [_("Write down the findings.")]
    if date > timezone.localdate():
        errors["date"] = [_("The date lies in the future.")]
    elif date < campaign.start or (campaign.end and date > campaign.end):
        errors["date"] = [_("The date lies outside the campaign.")]
    if cadre is not None and actor is not None and cadre.account_id == actor.pk:
        errors["cadre"] = [_("You cannot inspect yourself.")]
    if errors:
        raise ValidationError(errors)
    region_id = point.region_id if point is not None else cadre.unit.region_id
    inspection = Inspection.objects.create(
        campaign=campaign,
        kind=kind,
        date=date,
        inspector=actor,
        cadre=cadre,
        point=point,
        region_id=region_id,
        method=(method or "").strip()[:200],
        findings=findings.strip(),
        rating=rating,
        created_by=actor,
    )
    for action in actions or []:
        action_add(actor=actor, inspection=inspection, **action)
    audit_record(
        action="inspection.record",
        obj=inspection,
        user=actor,
        detail={
            "kind": kind,
            "rating": rating,
            "cadre": getattr(cadre, "pk", None),
            "point": getattr(point, "pk", None),
        },
    )
    return inspection


@transaction.atomic
def action_add(*, actor, inspection: Inspection, text: str, owner, deadline: dt.date) -> FollowUpAction:
    _require(actor, "inspections.record")
    if not (text or "").strip():
        raise ValidationError({"text": [_("Say what is to be done.")]})
    if owner is None:
        raise ValidationError({"owner": [_("Name who is to do it.")]})
    if deadline < inspection.date:
        raise ValidationError({"deadline": [_("The deadline lies before the inspection.")]})
    action = FollowUpAction.objects.create(
        inspection=inspection, text=text.strip()[:300], owner=owner, deadline=deadline
    )
    audit_record(
        action="inspection.action_add",
        obj=action,
        user=actor,
        detail={"inspection": inspection.pk, "owner": owner.pk, "deadline": deadline.isoformat()},
    )
    return action


@transaction.atomic
def action_done(
    *, actor, action: FollowUpAction, note: str = "", on: dt.date | None = None
) -> FollowUpAction:
    """The owner (or an inspector) marks a follow-up action done."""
    action = FollowUpAction.objects.select_for_update().select_related("owner").get(pk=action.pk)
    is_owner = actor is not None and action.owner.account_id == actor.pk
    if actor is not None and not (is_owner or scope_for(actor).has("inspections.record")):
        raise PermissionDenied
    if action.done_on is not None:
        raise ValidationError(_("This action is already done."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": [_("The date lies in the future.")]})
    action.done_on = on
    action.done_note = (note or "").strip()[:300]
    action.done_by = actor
    action.save(update_fields=["done_on", "done_note", "done_by"])
    audit_record(action="inspection.action_done", obj=action, user=actor, detail={"on": on.isoformat()})
    return action


# Exemplary cases --------------------------------------------------------------------


@transaction.atomic
def case_nominate(
    *, actor, campaign: Campaign, title: str, story: str, cadre=None, team: Team | None = None, point=None
) -> ExemplaryCase:
    _require(actor, "exemplary.nominate")
    subjects = [s for s in (("cadre", cadre), ("team", team), ("point", point)) if s[1] is not None]
    errors = {}
    if len(subjects) != 1:
        errors["subject"] = [_("Nominate one cadre, work team or point.")]
    if not (title or "").strip():
        errors["title"] = [_("Give the case a title.")]
    if not (story or "").strip():
        errors["story"] = [_("Tell the story of the case.")]
    if team is not None and team.campaign_id != campaign.pk:
        errors["team"] = [_("The team belongs to another campaign.")]
    if errors:
        raise ValidationError(errors)
    subject, target = subjects[0]
    if subject == "cadre":
        region_id = target.unit.region_id
    elif subject == "team":
        region_id = campaign.region_id
    else:
        region_id = target.region_id
    case = ExemplaryCase.objects.create(
        campaign=campaign,
        subject=subject,
        cadre=cadre,
        team=team,
        point=point,
        region_id=region_id,
        title=title.strip()[:120],
        story=story.strip(),
        nominated_by=actor,
    )
    audit_record(action="exemplary.nominate", obj=case, user=actor, detail={"subject": subject})
    return case


CASE_STEP_LABELS = {
    "select": gettext_lazy("Select"),
    "publish": gettext_lazy("Publish"),
    "reject": gettext_lazy("Do not select"),
}
CASE_STEPS = {
    # step: (from statuses, to status)
    "select": ({ExemplaryCase.Status.NOMINATED}, ExemplaryCase.Status.SELECTED),
    "reject": (
        {ExemplaryCase.Status.NOMINATED, ExemplaryCase.Status.SELECTED},
        ExemplaryCase.Status.REJECTED,
    ),
    "publish": ({ExemplaryCase.Status.SELECTED}, ExemplaryCase.Status.PUBLISHED),
}


@transaction.atomic
def case_decide(*, actor, case: ExemplaryCase, step: str) -> ExemplaryCase:
    """select → publish, or reject; only the office decides."""
    _require(actor, "exemplary.decide")
    case = ExemplaryCase.objects.select_for_update().get(pk=case.pk)
    if step not in CASE_STEPS:
        raise ValidationError(_("Unknown step."))
    sources, target = CASE_STEPS[step]
    if case.status not in sources:
        raise ValidationError(
            _("A case that is “%(status)s” cannot take this step.") % {"status": case.get_status_display()}
        )
    now = timezone.now()
    case.status = target
    if step == "publish":
        case.published_at = now
    else:
        case.decided_by = actor
        case.decided_at = now
    case.save()
    audit_record(action=f"exemplary.{step}", obj=case, user=actor)
    return case
