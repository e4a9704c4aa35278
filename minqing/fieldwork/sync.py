"""Records made on a phone, offline, arrive here, each under the UUID the phone gave it.

The same UUID with the same payload returns the record made the first time (a retry
whose answer was lost); the same UUID with another payload is a conflict (409, both
versions shown); an edit names the version it started from and a stale one is a 409.
Two uploads of one UUID racing each other meet the unique constraint: one creates, the
other reads what the first made and answers as a retry would.
"""

import datetime as dt
import logging
import uuid as uuidlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core import prepared
from minqing.core.dates import day_text
from minqing.core.scope import scoped_first
from minqing.people.models import Household, Member
from minqing.programs.models import Campaign, LiaisonPoint, Team

from . import services
from .models import Activity, AttendanceDay, Deed, ReliefPayment, Visit, WorkLog
from .selectors import activity_campaign_for, cadre_of, visit_edit_deadline

logger = logging.getLogger(__name__)

KINDS = {
    "visit": Visit,
    "deed": Deed,
    "attendance": AttendanceDay,
    "worklog": WorkLog,
    "relief": ReliefPayment,
    "activity": Activity,
}


@dataclass
class SyncResult:
    status: int  # 200 same record, 201 created, 409 conflict, 422 invalid
    record: object = None
    conflict: dict | None = None
    errors: dict | None = None


def _date(value) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({"date": [_("Enter a date as YYYY-MM-DD.")]}) from None


def _whole(value, field: str) -> int:
    """A count sent as a number (or its digits); 0 when absent."""
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise ValidationError({field: [_("Enter a whole number.")]})
    return int(value)


def record_target(user, spec) -> object:
    if not isinstance(spec, dict) or spec.get("type") not in ("household", "member", "point"):
        raise ValidationError({"target": [_("Choose whom the record is about.")]})
    model, permission = {
        "household": (Household, "people.view"),
        "member": (Member, "people.view"),
        "point": (LiaisonPoint, "programs.view"),
    }[spec["type"]]
    found = scoped_first(model, user, permission, spec.get("id"))
    if found is None:
        raise ValidationError({"target": [_("This target is not among yours.")]})
    return found


def _team(user, value):
    if not value:
        return None
    found = scoped_first(Team, user, "programs.view", value)
    if found is None:
        raise ValidationError({"team": [_("This team is not among yours.")]})
    return found


def _campaign(user, value) -> Campaign:
    found = scoped_first(Campaign, user, "programs.view", value)
    if found is None:
        raise ValidationError({"campaign": [_("This campaign is not among yours.")]})
    return found


def _activity_campaign(user, cadre, value) -> Campaign:
    """As _campaign, and a running campaign the cadre takes part in through its unit: the
    activities rule asks a cadre there even with no pairing or team (activity_campaign_for)."""
    found = activity_campaign_for(user=user, cadre=cadre, pk=value)
    if found is None:
        raise ValidationError({"campaign": [_("This campaign is not among yours.")]})
    return found


def _create(kind: str, user, cadre, payload: dict, uuid, digest: str):
    p = payload
    common = {"actor": user, "uuid": uuid, "digest": digest}
    if kind == "visit":
        return services.visit_record(
            campaign=_campaign(user, p.get("campaign")),
            cadre=cadre,
            date=_date(p.get("date")),
            form=str(p.get("form", "")),
            target=record_target(user, p.get("target")),
            content=str(p.get("content", "")),
            outcome=str(p.get("outcome", "")),
            found=p.get("found") or {},
            problems=p.get("problems") or [],
            latitude=p.get("latitude"),
            longitude=p.get("longitude"),
            **common,
        )
    if kind == "deed":
        return services.deed_record(
            campaign=_campaign(user, p.get("campaign")),
            cadre=cadre,
            kind=str(p.get("kind", "")),
            title=str(p.get("title", "")),
            beneficiary=record_target(user, p.get("target")),
            date=_date(p.get("date")),
            value_yuan=p.get("value_yuan", 0),
            evidence=str(p.get("evidence", "")),
            **common,
        )
    if kind == "relief":
        return services.relief_pay(
            campaign=_campaign(user, p.get("campaign")),
            cadre=cadre,
            household=record_target(user, {"type": "household", "id": p.get("household")}),
            amount_yuan=p.get("amount_yuan", 0),
            date=_date(p.get("date")),
            team=_team(user, p.get("team")),
            **common,
        )
    if kind == "activity":
        return services.activity_record(
            campaign=_activity_campaign(user, cadre, p.get("campaign")),
            cadre=cadre,
            kind=str(p.get("kind", "")),
            title=str(p.get("title", "")),
            date=_date(p.get("date")),
            team=_team(user, p.get("team")),
            point=record_target(user, {"type": "point", "id": p["point"]}) if p.get("point") else None,
            attendance=_whole(p.get("attendance"), "attendance"),
            **common,
        )
    point = record_target(user, {"type": "point", "id": p.get("point")})
    if kind == "attendance":
        return services.attendance_check_in(cadre=cadre, point=point, date=_date(p.get("date")), **common)
    return services.worklog_write(
        cadre=cadre, point=point, date=_date(p.get("date")), content=str(p.get("content", "")), **common
    )


def record_payload(record) -> dict:
    """What a stored record says, in the shape a phone sends."""
    if isinstance(record, Visit):
        target = record.target
        return {
            "campaign": record.campaign_id,
            "date": record.date.isoformat(),
            "form": record.form,
            "target": {
                "type": record.household_id and "household" or record.member_id and "member" or "point",
                "id": target.pk,
            },
            "content": record.content,
            "outcome": record.outcome,
            "found": record.found,
            "problems": record.problems,
            "version": record.version,
            "withdrawn": record.withdrawn_at is not None,
        }
    if isinstance(record, Deed):
        return {
            "campaign": record.campaign_id,
            "kind": record.kind,
            "title": record.title,
            "target": {
                "type": "household" if record.household_id else "point",
                "id": record.household_id or record.point_id,
            },
            "date": record.date.isoformat(),
            "value_yuan": str(record.value_yuan),
            "evidence": record.evidence,
            "version": record.version,
        }
    if isinstance(record, ReliefPayment):
        return {
            "campaign": record.campaign_id,
            "household": record.household_id,
            "amount_yuan": str(record.amount_yuan),
            "date": record.date.isoformat(),
            "team": record.team_id,
            "version": record.version,
        }
    if isinstance(record, Activity):
        return {
            "campaign": record.campaign_id,
            "kind": record.kind,
            "title": record.title,
            "date": record.date.isoformat(),
            "team": record.team_id,
            "point": record.point_id,
            "attendance": record.attendance,
            "version": record.version,
            "withdrawn": record.withdrawn_at is not None,
        }
    if isinstance(record, AttendanceDay):
        return {
            "point": record.point_id,
            "date": record.date.isoformat(),
            "status": record.status,
            "version": record.version,
        }
    return {
        "point": record.point_id,
        "date": record.date.isoformat(),
        "content": record.content,
        "version": record.version,
    }


def _stored(model, uuid):
    """The record stored under this UUID (unique), if any: a withdrawn visit too, so that
    a phone sending it again is answered with it (still withdrawn) and it never comes back."""
    if not isinstance(uuid, uuidlib.UUID):
        try:
            uuid = uuidlib.UUID(str(uuid))
        except ValueError:
            return None
    return prepared.first(("sync-stored", model), lambda value: model._base_manager.filter(uuid=value), uuid)


def sync_put(*, user, kind: str, uuid, payload: dict, base_version: int | None = None) -> SyncResult:
    if kind not in KINDS:
        return SyncResult(422, errors={"kind": [_("Unknown kind of record.")]})
    model = KINDS[kind]
    digest = services.payload_digest(payload)
    cadre = cadre_of(user)
    if cadre is None:
        return SyncResult(422, errors={"cadre": [_("Only a cadre's account records field work.")]})
    if base_version is not None or kind != "visit":
        # An edit, or a kind phones send seldom: looked up first, a retry is one read.
        existing = _stored(model, uuid)
        if existing is not None:
            return _existing(user, cadre, kind, existing, payload, digest, base_version)
    # A new visit (nearly every upload) is not looked up first: its INSERT leaves a visit
    # stored under the UUID as it is (ON CONFLICT DO NOTHING), and the service then writes
    # nothing and returns None. No refused statement, so no rollback: that would log an
    # error and, on PostgreSQL, drop the connection's prepared statements.
    retry = base_version is None and kind == "visit"
    try:
        # The service is one transaction (the checks before it only read): no savepoint
        # inside another, so its audit append is followed by the COMMIT and nothing else.
        record = _create(kind, user, cadre, payload, uuid, digest)
    except ValidationError as exc:
        # A retry whose checks fail now (the campaign closed since) is answered from what
        # is stored, as if it had been looked up first.
        existing = _stored(model, uuid) if retry else None
        if existing is not None:
            return _existing(user, cadre, kind, existing, payload, digest, base_version)
        return SyncResult(
            422, errors=exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        )
    except (TypeError, ValueError, AttributeError):
        # A field of a JSON type no check expected: nothing was written (the service's
        # transaction is undone); the phone gets a message, the log the trace.
        logger.exception("sync %s %s: a field of an unexpected type", kind, uuid)
        existing = _stored(model, uuid) if retry else None
        if existing is not None:
            return _existing(user, cadre, kind, existing, payload, digest, base_version)
        return SyncResult(
            422, errors={"__all__": [_("A field of this record has a value of the wrong type.")]}
        )
    except IntegrityError:
        # Another upload of the same UUID won the race (or the day is taken): answer from
        # what is stored.
        record = None
    if record is None:
        existing = _stored(model, uuid)
        if existing is None:
            return SyncResult(422, errors={"__all__": [_("This record clashes with one already stored.")]})
        return _existing(user, cadre, kind, existing, payload, digest, base_version)
    return SyncResult(201, record=record)


def _existing(user, cadre, kind, record, payload, digest, base_version) -> SyncResult:
    if record.cadre_id != cadre.pk:
        return SyncResult(
            409,
            conflict={
                "stored": None,
                "sent": payload,
                "reason": _("This UUID belongs to another cadre's record."),
            },
        )
    if record.payload_digest == digest:
        return SyncResult(200, record=record)
    if base_version is None or kind != "visit":
        return SyncResult(409, record=record, conflict={"stored": record_payload(record), "sent": payload})
    return _edit_visit(user, record, payload, digest, base_version)


def _fixed_fields(payload: dict, stored: dict) -> list[str]:
    """The fields an edit would change that a correction does not: campaign, target, found."""
    changed = []
    if "campaign" in payload and str(payload["campaign"]) != str(stored["campaign"]):
        changed.append("campaign")
    target = payload.get("target", stored["target"])
    if not isinstance(target, dict) or (str(target.get("type")), str(target.get("id"))) != (
        stored["target"]["type"],
        str(stored["target"]["id"]),
    ):
        changed.append("target")
    if "found" in payload and (payload["found"] or {}) != (stored["found"] or {}):
        changed.append("found")
    return changed


def _edit_visit(user, visit: Visit, payload: dict, digest: str, base_version: int) -> SyncResult:
    """An edit of a visit made from the version the phone had: a correction as on the web
    (services.visit_correct: its date, form and notes, within the same days, kept as a
    VisitChange). The problems raised became demands and are not changed here. A refused edit
    is answered 409 with the stored visit and why (stale, withdrawn, the days for correcting it
    passed), or 422 with the fields at fault; the phone keeps its record, marked refused."""

    def refused(current, reason=None) -> SyncResult:
        conflict = {"stored": record_payload(current), "sent": payload}
        if reason:
            conflict["reason"] = reason
        return SyncResult(409, record=current, conflict=conflict)

    stored = record_payload(visit)
    fixed = _fixed_fields(payload, stored)
    same = all(
        str(payload.get(key, stored[key])) == str(stored[key])
        for key in ("date", "form", "content", "outcome")
    )
    if not fixed and same and payload.get("problems", stored["problems"]) == stored["problems"]:
        # Nothing to change (a resend of what is kept): answered as kept, whatever the days.
        return SyncResult(200, record=visit)
    if fixed:
        # Whom it visited, in which campaign and what it found (already in the household's
        # record) are not corrected: refused rather than answered as if kept.
        return SyncResult(
            422,
            record=visit,
            errors={
                key: [
                    _(
                        "A correction does not change whom the visit was to, its campaign or what it found: "
                        "record another visit, or correct the household itself."
                    )
                ]
                for key in fixed
            },
        )
    try:
        problems = payload.get("problems", visit.problems)
        if not isinstance(problems, list) or not all(isinstance(p, str) for p in problems):
            raise ValidationError({"problems": [_("List the problems raised as text, one item each.")]})
        if [p.strip() for p in problems if p.strip()] != visit.problems:
            raise ValidationError(
                {
                    "problems": [
                        _(
                            "The problems raised on a visit became demands: they are not changed on the "
                            "visit (each demand is followed up on its own)."
                        )
                    ]
                }
            )
        current = services.visit_correct(
            actor=user,
            visit=visit,
            date=_date(payload.get("date", visit.date.isoformat())),
            form=str(payload.get("form", visit.form)),
            content=str(payload.get("content", visit.content)),
            outcome=str(payload.get("outcome", visit.outcome)),
            others_present=list(visit.others_present.all()),
            reason=str(payload.get("reason", "")),
            base_version=base_version,
            digest=digest,
        )
    except services.StaleEdit as exc:
        return refused(exc.current)
    except PermissionDenied:
        # The visit's own cadre (checked before): the days for correcting it have passed.
        deadline = timezone.localdate(visit_edit_deadline(visit))
        return refused(
            visit,
            _(
                "The days for correcting this visit have passed (%(n)s days after it was recorded, "
                "until %(date)s): ask the campaign office to correct it."
            )
            % {"n": settings.VISIT_EDIT_DAYS, "date": day_text(deadline)},
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):  # the visit itself refuses (withdrawn)
            return refused(visit, " ".join(exc.messages))
        return SyncResult(422, record=visit, errors=exc.message_dict)
    return SyncResult(200, record=current)
