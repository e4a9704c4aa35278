"""Every write to programs, campaigns, points, teams and pairings."""

import calendar
import copy
import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from minqing.core.audit import audit_record
from minqing.core.dates import day_text
from minqing.core.scope import scope_for, scoped
from minqing.org.models import Cadre, Unit
from minqing.people.models import Household, Member

from . import dates
from .grades import GradeLists, grade_key, grade_problem
from .models import (
    Campaign,
    CampaignVersion,
    Handover,
    LiaisonPoint,
    Pairing,
    PointGrading,
    ProgramTemplate,
    Team,
    UnitPairing,
)
from .rules import RULE_TYPES
from .schema import MONTHDAY_RE, TemplateError, TemplateInvalid, library_files, parse_template
from .selectors import campaign_cadres, pairings_after, point_campaigns_above

logger = logging.getLogger(__name__)

# Programs --------------------------------------------------------------------------


def program_sources() -> dict[str, str]:
    """key → TOML text: the five shipped templates and those offices added."""
    sources = {key: path.read_text(encoding="utf-8") for key, path in library_files().items()}
    for template in ProgramTemplate.objects.order_by("key"):
        sources.setdefault(template.key, template.source)
    return sources


def program_catalogue() -> dict[str, dict]:
    """key → checked template: the programs a campaign can be started from. One an office
    added before the schema grew stricter and that it now refuses is left out (and logged)
    rather than breaking every list of programs; its campaigns keep their own copy."""
    found = {}
    for key, text in program_sources().items():
        try:
            found[key] = parse_template(text)
        except TemplateInvalid as exc:
            logger.warning("program %s no longer passes the template check:\n%s", key, exc)
    return found


def program_get(key: str) -> dict:
    sources = program_sources()
    if key not in sources:
        raise ValidationError({"program": [_("There is no program “%(key)s”.") % {"key": key}]})
    try:
        return parse_template(sources[key])
    except TemplateInvalid as exc:
        raise ValidationError(
            {
                "program": [
                    _("The program “%(key)s” no longer passes the template check: %(errors)s")
                    % {"key": key, "errors": "; ".join(str(e) for e in exc.errors)}
                ]
            }
        ) from None


PROGRAM_TEXT_MAX = 256 * 1024  # characters; the five shipped templates are 2–4 thousand


def program_check(text: str) -> dict:
    """The checked template in this text, for a new program: TemplateInvalid with every
    error and its line, or a key that exists already (the five's or an office's)."""
    if len(text) > PROGRAM_TEXT_MAX:
        raise TemplateInvalid(
            [
                TemplateError(
                    None,
                    "",
                    _("the template is too long (at most %(n)s characters)") % {"n": PROGRAM_TEXT_MAX},
                )
            ]
        )
    data = parse_template(text.removeprefix("\ufeff"))
    if data["key"] in program_sources():
        raise TemplateInvalid([TemplateError(1, "key", _("a program with this key exists already"))])
    return data


@transaction.atomic
def program_add(*, actor, text: str) -> ProgramTemplate:
    """Add a program from its template text (checked by program_check). Programs are shared
    by every office: adding one needs the define permission. No actor: the command line."""
    if actor is not None and not scope_for(actor).has("programs.define"):
        raise PermissionDenied
    text = text.removeprefix("\ufeff")  # kept without a byte-order mark
    data = program_check(text)
    try:
        with transaction.atomic():  # two adds of one key at once: the unique key keeps one
            template = ProgramTemplate.objects.create(
                key=data["key"], name=data["name"], source=text, added_by=actor
            )
    except IntegrityError:
        raise TemplateInvalid(
            [TemplateError(1, "key", _("a program with this key exists already"))]
        ) from None
    audit_record(action="program.add", obj=template, user=actor, detail={"key": data["key"]})
    return template


# Campaigns -------------------------------------------------------------------------


def _on(year: int, monthday: str) -> dt.date:
    """A template's month-day in a year. 29 February falls on the 28th in a year without
    it: a deadline stays in the month it names and never moves later. The schema admits
    no other month-day that is not a day of the calendar."""
    month, day = (int(part) for part in monthday.split("-"))
    if (month, day) == (2, 29) and not calendar.isleap(year):
        day = 28
    return dt.date(year, month, day)


def _window(year: int, phase: dict) -> tuple[dt.date, dt.date]:
    """A template phase's window beginning in a year (a winter phase ends in the next one)."""
    crosses = phase["start"] > phase["end"]
    return _on(year, phase["start"]), _on(year + (1 if crosses else 0), phase["end"])


def _year_round(phase: dict) -> bool:
    """A phase whose window is the whole year (01-01 to 12-31, or a day to the day before)."""
    first, last = _window(2001, phase)
    return (last - first).days >= 364


def resolve_config(template: dict, start: dt.date, end: dt.date | None = None) -> tuple[dict, list[dict]]:
    """A campaign's own copy of its template, laid out on the calendar from the campaign's
    start, and what the layout changed of the template's year (kept with the first version
    and said on the page that started it).

    Each phase takes its window over the start (cut to begin on it) or else the next one:
    a phase still to come in the start's year keeps its window, a winter phase its window
    across the coming new year. A phase whose window of the start's year had already ended
    before the start is placed in the next year only if the campaign's end reaches it;
    otherwise it is left out, with the rules that count in it. When every phase of the year
    had ended, the campaign runs the template's next year. A phase reaching over the end is
    cut to it; one wholly after it is left as it falls, for the caller to refuse. The phases
    are listed in date order.

    A due date is its first day on or after the start, unless that day is in the next year
    past what the campaign runs (its end, or without one its last phase): then its day had
    passed before the start, and the rule is switched off with the start as its date, for
    the office to give it one on the Change page."""
    config = copy.deepcopy(template)
    phases = config.get("phases", [])
    windows = {}
    for phase in phases:
        for year in (start.year - 1, start.year, start.year + 1):
            first, last = _window(year, phase)
            if last >= start:
                break
        # Its window of the start's year ended before the start: it comes round next year.
        windows[phase["key"]] = (first, last, first.year > start.year)
    all_passed = bool(phases) and all(passed for _f, _l, passed in windows.values())
    fitted, kept, left_out = [], [], {}
    if all_passed:
        was = [_window(windows[phase["key"]][0].year - 1, phase) for phase in phases]
        fitted.append(
            {
                "all_passed": True,
                "from": [min(w[0] for w in was).isoformat(), max(w[1] for w in was).isoformat()],
                "to": [
                    min(w[0] for w in windows.values()).isoformat(),
                    max(w[1] for w in windows.values()).isoformat(),
                ],
            }
        )
    for phase in phases:
        first, last, passed = windows[phase["key"]]
        was = _window(first.year - 1, phase)
        if passed and not all_passed and (end is None or first > end):
            left_out[phase["key"]] = phase["name"]
            fitted.append(
                {
                    "phase": phase["key"],
                    "name": phase["name"],
                    "from": [was[0].isoformat(), was[1].isoformat()],
                    "left_out": True,
                }
            )
            continue
        if end is None or first <= end:
            # A year-round phase (全年开展) runs as long as the campaign, across the new year.
            reach_end = end if end is not None and end > last and _year_round(phase) else last
            cut = (max(first, start), min(reach_end, end) if end else reach_end)
            if passed and not all_passed:
                fitted.append(
                    {
                        "phase": phase["key"],
                        "from": [was[0].isoformat(), was[1].isoformat()],
                        "to": [cut[0].isoformat(), cut[1].isoformat()],
                        "next_year": True,
                    }
                )
            elif cut != (first, last):
                fitted.append(
                    {
                        "phase": phase["key"],
                        "from": [first.isoformat(), last.isoformat()],
                        "to": [cut[0].isoformat(), cut[1].isoformat()],
                    }
                )
            first, last = cut
        phase["start"], phase["end"] = first.isoformat(), last.isoformat()
        kept.append(phase)
    if "phases" in config:
        config["phases"] = sorted(kept, key=lambda p: (p["start"], p["end"]))
    # How far the campaign runs: its end, or without one its last phase.
    reach = end or max((dt.date.fromisoformat(p["end"]) for p in kept), default=None)
    last_phase_end = max((dt.date.fromisoformat(p["end"]) for p in kept), default=None)
    if end is not None and last_phase_end is not None and last_phase_end < end:
        # Days after the last phase: said, for the office to stretch a phase if they count.
        fitted.append({"uncovered": [(last_phase_end + dt.timedelta(days=1)).isoformat(), end.isoformat()]})

    def resolve(value):
        """(the date, the day of the start's year that had passed before the start, or None)."""
        if not (isinstance(value, str) and MONTHDAY_RE.match(value)):
            return value, None
        found = _on(start.year, value)
        if found >= start:
            return found.isoformat(), None
        following = _on(start.year + 1, value)
        if all_passed or (reach is not None and following <= reach):
            return following.isoformat(), None
        return start.isoformat(), found

    for rule in config.get("rules", []):
        params = rule.setdefault("params", {})
        for name, spec in RULE_TYPES[rule["type"]].params.items():
            if name not in params:
                continue
            if spec.kind == "date":
                params[name], passed_day = resolve(params[name])
                if passed_day is not None:
                    rule["disabled"] = True
                    fitted.append(
                        {"rule": rule["key"], "param": name, "from": passed_day.isoformat(), "off": "due"}
                    )
            elif spec.ref == "phases":
                named = params[name] if isinstance(params[name], list) else [params[name]]
                gone = [key for key in named if key in left_out]
                if gone and not rule.get("disabled"):
                    rule["disabled"] = True
                    fitted.append(
                        {"rule": rule["key"], "phase": gone[0], "name": left_out[gone[0]], "off": "phase"}
                    )
    cadence = config.get("cadence", {})
    for key, value in list(cadence.items()):
        cadence[key] = resolve(value)[0]
    return config, fitted


def _phase_problem(phase: dict, start: dt.date, end: dt.date | None) -> str:
    """Why a phase's window does not fit the campaign's dates, naming the phase; "" if it does."""
    first, last = dates.stored(phase["start"]), dates.stored(phase["end"])
    names = {"phase": phase["name"], "from": day_text(phase["start"]), "to": day_text(phase["end"])}
    if first is None or last is None:
        return _("Phase “%(phase)s” has no valid dates (%(from)s – %(to)s).") % names
    if last < first:
        return _("Phase “%(phase)s” ends before it starts.") % names
    if last < start:
        return _("Phase “%(phase)s” (%(from)s – %(to)s) lies before the campaign starts (%(start)s).") % {
            **names,
            "start": day_text(start),
        }
    if first < start:
        return _("Phase “%(phase)s” starts on %(from)s, before the campaign starts (%(start)s).") % {
            **names,
            "start": day_text(start),
        }
    if end is not None and first > end:
        return _("Phase “%(phase)s” (%(from)s – %(to)s) lies after the campaign ends (%(end)s).") % {
            **names,
            "end": day_text(end),
        }
    if end is not None and last > end:
        return _("Phase “%(phase)s” ends on %(to)s, after the campaign ends (%(end)s).") % {
            **names,
            "end": day_text(end),
        }
    return ""


def _overlap_problems(phases: list[dict], changed: set[str]) -> dict[str, list[str]]:
    """Phases whose windows overlap, each pair told once at the changed phase of it."""
    windows = []
    for phase in phases:
        first, last = dates.stored(phase["start"]), dates.stored(phase["end"])
        if first is not None and last is not None and first <= last:
            windows.append((first, last, phase))
    problems: dict[str, list[str]] = {}
    for index, (first, last, phase) in enumerate(windows):
        for other_first, other_last, other in windows[index + 1 :]:
            if first <= other_last and other_first <= last and changed & {phase["key"], other["key"]}:
                at = phase["key"] if phase["key"] in changed else other["key"]
                problems.setdefault(f"phase.{at}", []).append(
                    _(
                        "Phase “%(phase)s” (%(from)s – %(to)s) overlaps phase “%(other)s” (%(other_from)s – %(other_to)s)."
                    )
                    % {
                        "phase": phase["name"],
                        "from": day_text(phase["start"]),
                        "to": day_text(phase["end"]),
                        "other": other["name"],
                        "other_from": day_text(other["start"]),
                        "other_to": day_text(other["end"]),
                    }
                )
    return problems


def _param_label(rule: dict, name: str) -> str:
    """A rule's parameter as people find it on the Change page: “rule name” · label."""
    spec = RULE_TYPES[rule["type"]].params.get(name)
    return _("“%(rule)s” · %(param)s") % {"rule": rule["name"], "param": (spec.label if spec else "") or name}


def _due_problem(rule: dict, name: str, value, start: dt.date, end: dt.date | None) -> str:
    """Why a date parameter (a due date) lies outside the campaign's dates, naming it; ""
    when it lies inside, or is still a template's month-day."""
    if not isinstance(value, str) or MONTHDAY_RE.match(value):
        return ""
    day = dates.stored(value)
    names = {"what": _param_label(rule, name), "date": day_text(value)}
    if day is not None and day < start:
        return _("%(what)s (%(date)s) lies before the campaign starts (%(start)s).") % {
            **names,
            "start": day_text(start),
        }
    if day is not None and end is not None and day > end:
        return _("%(what)s (%(date)s) lies after the campaign ends (%(end)s).") % {
            **names,
            "end": day_text(end),
        }
    return ""


def _date_params(config: dict):
    """(rule, parameter name, value) of every date parameter the rules of a configuration hold."""
    for rule in config.get("rules", []):
        for name, spec in RULE_TYPES[rule["type"]].params.items():
            if spec.kind == "date" and name in rule.get("params", {}):
                yield rule, name, rule["params"][name]


def _campaign_date_errors(start: dt.date | None, end: dt.date | None) -> dict[str, list[str]]:
    errors = {}
    if start is not None and (problem := dates.out_of_span(start, _("The campaign's start"))):
        errors["start"] = [problem]
    if end is not None and (problem := dates.out_of_span(end, _("The campaign's end"))):
        errors["end"] = [problem]
    return errors


NAME_MAX = Campaign._meta.get_field("name").max_length


@transaction.atomic
def campaign_start(
    *, actor, program_key: str, name: str, region, start: dt.date, end: dt.date | None = None, units=()
) -> Campaign:
    """Start a campaign from a program template. The template's month-days become dates on
    or after the start; its phases are fitted to the campaign's dates. A phase or due date
    that would fall wholly outside them is refused rather than kept where no cadre can meet
    it (and where the Change page would refuse it): the office chooses dates that cover it."""
    errors = _campaign_date_errors(start, end)
    if not (name or "").strip():
        errors["name"] = [_("Give the campaign a name.")]
    elif len(name.strip()) > NAME_MAX:
        errors["name"] = [_("A campaign's name has at most %(n)s characters.") % {"n": NAME_MAX}]
    if not errors and end is not None and end < start:
        errors["end"] = [_("The campaign cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    template = program_get(program_key)
    config, fitted = resolve_config(template, start, end)
    hint = _(
        "Choose campaign dates that cover them; once the campaign has started, its phases "
        "and due dates can be moved on its Change page."
    )
    year = next((fit for fit in fitted if fit.get("all_passed")), None)
    if year is not None and end is not None and dt.date.fromisoformat(year["to"][0]) > end:
        # Said once, with the days of the start's year, not phase by phase with next year's.
        raise ValidationError(
            {
                "dates": [
                    _(
                        "The phases of “%(program)s” (%(from)s – %(to)s) had ended before the campaign "
                        "starts (%(start)s), and next year they begin on %(next)s, after it ends (%(end)s)."
                    )
                    % {
                        "program": template["name"],
                        "from": day_text(year["from"][0]),
                        "to": day_text(year["from"][1]),
                        "start": day_text(start),
                        "next": day_text(year["to"][0]),
                        "end": day_text(end),
                    },
                    hint,
                ]
            }
        )
    outside = [_phase_problem(phase, start, end) for phase in config.get("phases", [])]
    outside += [_due_problem(rule, param, value, start, end) for rule, param, value in _date_params(config)]
    outside = [problem for problem in outside if problem]
    if outside:
        raise ValidationError({"dates": [*outside, hint]})
    units = list(units or ())
    _check_units(units, region)
    campaign = Campaign.objects.create(
        name=name.strip(),
        program_key=program_key,
        program_name=template["name"],
        region=region,
        start=start,
        end=end,
        config=config,
        created_by=actor,
    )
    if units:
        campaign.units.set(units)
    first = {"what": "start", "program": program_key, "units": _unit_keys(units)}
    if fitted:
        first["fitted"] = fitted
    CampaignVersion.objects.create(
        campaign=campaign,
        number=1,
        config=campaign.config,
        start=start,
        end=end,
        changed_by=actor,
        changes=[first],
        reason=CampaignVersion.STARTED_FROM_TEMPLATE,
    )
    audit_record(
        action="campaign.start",
        obj=campaign,
        user=actor,
        detail={
            "program": program_key,
            "region": region.code,
            "start": start.isoformat(),
            "end": end.isoformat() if end else None,
            "units": _unit_keys(units),
            **({"fitted": fitted} if fitted else {}),
        },
    )
    return campaign


def fitted_phases(campaign: Campaign) -> list[str]:
    """What starting the campaign changed of its template's year, in words (for the page and
    the command that started it): phases cut to its dates, placed in the next year or left
    out, and rules switched off."""
    version = campaign.versions.filter(number=1).first()
    phases = {p["key"]: p["name"] for p in campaign.config.get("phases", [])}
    rules = {r["key"]: r for r in campaign.config.get("rules", [])}
    found = []
    for fit in version.changes[0].get("fitted", []) if version and version.changes else []:
        if fit.get("all_passed"):
            found.append(
                _(
                    "Every phase of the program had ended before the campaign starts (%(was_from)s – "
                    "%(was_to)s): they are placed in the next year, %(from)s – %(to)s. To run them "
                    "sooner, move them on the campaign's Change page."
                )
                % {
                    "from": day_text(fit["to"][0]),
                    "to": day_text(fit["to"][1]),
                    "was_from": day_text(fit["from"][0]),
                    "was_to": day_text(fit["from"][1]),
                }
            )
        elif fit.get("off"):
            rule = rules.get(fit["rule"], {"key": fit["rule"], "name": fit["rule"], "type": ""})
            if fit["off"] == "due" and rule["type"]:
                found.append(
                    _(
                        "%(what)s (%(date)s) had passed before the campaign starts: the rule is switched "
                        "off until you give it a date and switch it on on the campaign's Change page."
                    )
                    % {"what": _param_label(rule, fit["param"]), "date": day_text(fit["from"])}
                )
            else:
                found.append(
                    _(
                        "Rule “%(rule)s” counts in phase “%(phase)s”, which is left out: the rule is switched off."
                    )
                    % {"rule": rule["name"], "phase": fit.get("name", fit.get("phase", ""))}
                )
        elif fit.get("uncovered"):
            found.append(
                _(
                    "From %(from)s to the campaign's end (%(to)s) no phase of the program runs: records "
                    "of those days count in no phase. Stretch a phase on the campaign's Change page if "
                    "they should."
                )
                % {"from": day_text(fit["uncovered"][0]), "to": day_text(fit["uncovered"][1])}
            )
        elif fit.get("left_out"):
            found.append(
                _(
                    "Phase “%(phase)s” (%(from)s – %(to)s) had ended before the campaign starts: it is left out."
                )
                % {"phase": fit["name"], "from": day_text(fit["from"][0]), "to": day_text(fit["from"][1])}
            )
        elif fit.get("next_year"):
            found.append(
                _(
                    "Phase “%(phase)s” (%(was_from)s – %(was_to)s) had ended before the campaign starts: "
                    "it is placed in the next year, %(from)s – %(to)s."
                )
                % {
                    "phase": phases.get(fit["phase"], fit["phase"]),
                    "from": day_text(fit["to"][0]),
                    "to": day_text(fit["to"][1]),
                    "was_from": day_text(fit["from"][0]),
                    "was_to": day_text(fit["from"][1]),
                }
            )
        else:
            found.append(
                _(
                    "Phase “%(phase)s” was fitted to the campaign's dates: %(from)s – %(to)s instead of %(was_from)s – %(was_to)s."
                )
                % {
                    "phase": phases.get(fit["phase"], fit["phase"]),
                    "from": day_text(fit["to"][0]),
                    "to": day_text(fit["to"][1]),
                    "was_from": day_text(fit["from"][0]),
                    "was_to": day_text(fit["from"][1]),
                }
            )
    return found


def _unit_keys(units) -> list[str]:
    """Units as they are kept in versions and the audit trail: "id:name", sorted by id."""
    return [f"{u.pk}:{u.name}" for u in sorted(units, key=lambda u: u.pk)]


def unit_can_take_part(unit, region) -> bool:
    """A unit inside the campaign's region, or one above it (a county bureau whose cadres go
    down to a township); never one of another county."""
    return unit.region_id.startswith(region.prefix) or region.code.startswith(unit.region.prefix)


def _check_units(units, region) -> None:
    outside = [u.name for u in units if not unit_can_take_part(u, region)]
    if outside:
        raise ValidationError(
            {
                "units": [
                    _("These units lie outside the campaign's region: %(names)s")
                    % {"names": "、".join(outside)}
                ]
            }
        )


def _check_value(rule: dict, name: str, value, campaign: Campaign) -> str:
    rule_type = RULE_TYPES[rule["type"]]
    spec = rule_type.params.get(name)
    if spec is None:
        return _("this rule has no parameter “%(name)s”") % {"name": name}
    context = {
        "pairing_kinds": {k["key"] for k in campaign.config.get("pairing_kinds", [])},
        "activities": {a["key"] for a in campaign.config.get("activities", [])},
        "phases": {p["key"] for p in campaign.config.get("phases", [])},
    }
    return rule_type.param_problem(spec, value, context)


@transaction.atomic
def campaign_change(
    *,
    actor,
    campaign: Campaign,
    reason: str,
    start: dt.date | None = None,
    end: dt.date | None | str = "keep",
    params: dict | None = None,
    phases: dict | None = None,
    enabled: dict | None = None,
    units=None,
    name: str | None = None,
) -> Campaign:
    """Change the name, dates, phase windows, rule parameters, which rules are on or the
    participating units (None: keep them). Each change is kept as a version with who, when,
    why and what.

    What a change touches is checked against the result: new campaign dates lie in the span
    of years and every phase and due date within them; a moved phase lies within the
    campaign and overlaps no other; a moved due date lies within the campaign. Each message
    names the phase or the rule's parameter."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason for the change.")]})
    report_due_day = campaign.report_due_day
    config = copy.deepcopy(campaign.config)
    changes = []
    new_start = start if start is not None and start != campaign.start else None
    new_end = end if end != "keep" and end != campaign.end else "keep"
    # The dates the campaign will have, also those kept as they are: one stored with a
    # mistyped year (before this check) is corrected before anything else changes.
    errors = _campaign_date_errors(
        new_start or campaign.start, campaign.end if new_end == "keep" else new_end
    )
    if new_start is not None and "start" not in errors:
        changes.append({"what": "start", "from": campaign.start.isoformat(), "to": new_start.isoformat()})
        campaign.start = new_start
    if new_end != "keep" and "end" not in errors:
        changes.append(
            {
                "what": "end",
                "from": campaign.end.isoformat() if campaign.end else None,
                "to": new_end.isoformat() if new_end else None,
            }
        )
        campaign.end = new_end
    dates_changed = bool(changes)
    if name is not None:
        name = name.strip()
        if not name:
            errors["name"] = [_("Give the campaign a name.")]
        elif name != campaign.name:
            changes.append({"what": "name", "from": campaign.name, "to": name})
            campaign.name = name
    if not errors and campaign.end and campaign.end < campaign.start:
        errors["end"] = [_("The campaign cannot end before it starts.")]
    moved_phases = set()
    for key, window in (phases or {}).items():
        phase = next((p for p in config.get("phases", []) if p["key"] == key), None)
        if phase is None:
            errors[f"phase.{key}"] = [_("There is no phase “%(key)s”.") % {"key": key}]
            continue
        new_window = [d.isoformat() for d in window]
        if [phase["start"], phase["end"]] != new_window:
            changes.append({"what": f"phase.{key}", "from": [phase["start"], phase["end"]], "to": new_window})
            phase["start"], phase["end"] = new_window
            moved_phases.add(key)
    moved_params = set()
    for (rule_key, name), value in (params or {}).items():
        rule = next((r for r in config.get("rules", []) if r["key"] == rule_key), None)
        if rule is None:
            errors[f"{rule_key}.{name}"] = [_("There is no rule “%(key)s”.") % {"key": rule_key}]
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        problem = _check_value(rule, name, value, campaign)
        if problem:
            errors[f"{rule_key}.{name}"] = [
                _("%(what)s: %(problem)s") % {"what": _param_label(rule, name), "problem": problem}
            ]
            continue
        old = rule.setdefault("params", {}).get(name, RULE_TYPES[rule["type"]].params[name].default)
        if old != value:
            changes.append({"what": f"{rule_key}.{name}", "from": old, "to": value})
            rule["params"][name] = value
            moved_params.add((rule_key, name))
    for rule in config.get("rules", []):
        moved = {name for rule_key, name in moved_params if rule_key == rule["key"]}
        if not moved:
            continue
        refused = {name for name in RULE_TYPES[rule["type"]].params if f"{rule['key']}.{name}" in errors}
        for lower, upper, problem in RULE_TYPES[rule["type"]].order_problems(rule["params"], skip=refused):
            at = upper if upper in moved else lower
            errors.setdefault(f"{rule['key']}.{at}", []).append(
                _("%(what)s: %(problem)s") % {"what": _param_label(rule, at), "problem": problem}
            )
    if "start" not in errors and "end" not in errors:
        for phase in config.get("phases", []):
            if dates_changed or phase["key"] in moved_phases:
                problem = _phase_problem(phase, campaign.start, campaign.end)
                if problem:
                    errors.setdefault(f"phase.{phase['key']}", []).append(problem)
        for key, problems in _overlap_problems(config.get("phases", []), moved_phases).items():
            errors.setdefault(key, []).extend(problems)
        for rule, name, value in _date_params(config):
            if dates_changed or (rule["key"], name) in moved_params:
                problem = _due_problem(rule, name, value, campaign.start, campaign.end)
                if problem:
                    errors.setdefault(f"{rule['key']}.{name}", []).append(problem)
    for rule_key, on in (enabled or {}).items():
        rule = next((r for r in config.get("rules", []) if r["key"] == rule_key), None)
        if rule is None:
            errors[f"{rule_key}"] = [_("There is no rule “%(key)s”.") % {"key": rule_key}]
            continue
        if rule.get("disabled", False) == on:
            changes.append({"what": f"{rule_key}.enabled", "from": not on, "to": on})
            rule["disabled"] = not on
    new_units = None
    if units is not None:
        new_units = list(units)
        old_keys, new_keys = _unit_keys(campaign.units.all()), _unit_keys(new_units)
        try:
            _check_units(new_units, campaign.region)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if old_keys != new_keys:
            changes.append({"what": "units", "from": old_keys, "to": new_keys})
        else:
            new_units = None
    if errors:
        raise ValidationError(errors)
    if not changes:
        return campaign
    campaign.config = config
    campaign.version += 1
    campaign.save()
    if new_units is not None:
        campaign.units.set(new_units)
    detail = {"version": campaign.version, "changes": changes, "reason": reason.strip()}
    if campaign.report_due_day != report_due_day:
        # The monthly reports' pages and the phone show the day the check now uses.
        from minqing.fieldwork.services import monthly_report_due_sync

        detail["monthly_reports_due_moved"] = monthly_report_due_sync(campaign=campaign)
    CampaignVersion.objects.create(
        campaign=campaign,
        number=campaign.version,
        config=config,
        start=campaign.start,
        end=campaign.end,
        changes=changes,
        reason=reason.strip(),
        changed_by=actor,
    )
    audit_record(action="campaign.change", obj=campaign, user=actor, detail=detail)
    return campaign


# Points and teams ------------------------------------------------------------------


@transaction.atomic
def point_create(*, actor, name: str, kind: str, region, grade: str = "", address: str = "") -> LiaisonPoint:
    if kind not in LiaisonPoint.Kind.values:
        raise ValidationError({"kind": [_("Choose a kind of liaison point from the list.")]})
    if not (name or "").strip():
        raise ValidationError({"name": [_("Give the liaison point a name.")]})
    name = name.strip()
    grade = grade_key(grade)
    problem = grade_problem(grade, GradeLists().for_region(region.code)) if grade else ""
    if problem:
        raise ValidationError({"grade": [problem]})
    if LiaisonPoint.objects.filter(region=region, kind=kind, name=name).exists():
        raise ValidationError({"name": [_point_exists_message(name, kind, region)]})
    try:
        with transaction.atomic():
            point = LiaisonPoint.objects.create(
                region=region, kind=kind, name=name, grade=grade, address=address.strip()
            )
    except IntegrityError:  # the same point entered twice at once: one of them
        raise ValidationError({"name": [_point_exists_message(name, kind, region)]}) from None
    if grade:
        PointGrading.objects.create(point=point, grade=grade, graded_on=timezone.localdate(), graded_by=actor)
    audit_record(action="point.create", obj=point, user=actor)
    return point


def _point_exists_message(name: str, kind: str, region) -> str:
    return _(
        "%(region)s already has a %(kind)s named “%(name)s”: open it from the list to change its "
        "address or grade."
    ) % {"region": region.name, "kind": LiaisonPoint.Kind(kind).label, "name": name}


@transaction.atomic
def point_update(*, actor, point: LiaisonPoint, name: str, address: str) -> LiaisonPoint:
    """Correct a point's name or address (its kind and region stay: pairings count by them;
    its grade changes with its history, point_regrade). Audited with what it was. Only who
    manages points over its region (no actor: the system)."""
    point_check_change(actor, point)
    name, address = (name or "").strip(), (address or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the liaison point a name.")]})
    point = LiaisonPoint.objects.select_for_update().select_related("region").get(pk=point.pk)
    if (
        name != point.name
        and LiaisonPoint.objects.filter(region=point.region, kind=point.kind, name=name).exists()
    ):
        raise ValidationError({"name": [_point_exists_message(name, point.kind, point.region)]})
    before = {"name": point.name, "address": point.address}
    if before == {"name": name, "address": address}:
        return point
    point.name, point.address = name, address
    point.save(update_fields=["name", "address"])
    audit_record(
        action="point.update",
        obj=point,
        user=actor,
        detail={"before": before, "after": {"name": name, "address": address}},
    )
    return point


@transaction.atomic
def point_regrade(*, actor, point: LiaisonPoint, grade: str, graded_on: dt.date, reason: str) -> PointGrading:
    """Record a grade as of a day. Gradings are ordered by their day (then by entry): a
    back-dated one takes the grade before it as its previous grade, becomes the previous
    grade of the one after it, and leaves the point's current grade to the latest. Only who
    manages points over its region (no actor: the system)."""
    point_check_change(actor, point)
    errors = {}
    grade = grade_key(grade)
    if not grade:
        errors["grade"] = [_("Give the new grade.")]
    else:
        problem = grade_problem(grade, GradeLists().for_region(point.region_id))
        if problem:
            errors["grade"] = [problem]
    today = timezone.localdate()
    if graded_on > today:
        errors["graded_on"] = [
            _("The grading date (%(date)s) cannot be later than today (%(today)s).")
            % {"date": day_text(graded_on), "today": day_text(today)}
        ]
    if errors:
        raise ValidationError(errors)
    point = LiaisonPoint.objects.select_for_update().get(pk=point.pk)
    if point.retired_on is not None:
        raise ValidationError(
            _("%(point)s was retired on %(date)s: its grade is kept as it was.")
            % {"point": point.name, "date": day_text(point.retired_on)}
        )
    history = list(point.gradings.order_by("graded_on", "id"))
    before = [g for g in history if g.graded_on <= graded_on]
    after = [g for g in history if g.graded_on > graded_on]
    if before:
        previous = before[-1].grade
    elif after:
        previous = after[0].previous_grade  # what the point was before its earliest grading
    else:
        previous = point.grade
    grading = PointGrading.objects.create(
        point=point,
        grade=grade,
        previous_grade=previous,
        graded_on=graded_on,
        reason=reason.strip(),
        graded_by=actor,
    )
    if after:
        after[0].previous_grade = grading.grade
        after[0].save(update_fields=["previous_grade"])
    else:
        point.grade = grading.grade
        point.save(update_fields=["grade"])
    audit_record(
        action="point.regrade",
        obj=point,
        user=actor,
        detail={
            "from": grading.previous_grade,
            "to": grading.grade,
            "on": graded_on.isoformat(),
            "current": point.grade,
        },
    )
    return grading


def _points_outside(points, campaign: Campaign) -> list[str]:
    return [p.name for p in points if not p.region_id.startswith(campaign.region.prefix)]


def _team_problems(campaign, *, name, leader, members, points, team=None) -> dict:
    """What is wrong with a team of the campaign as given (its errors by field): a name it
    already has, points outside its region, cadres who do not take part in it."""
    errors = {}
    if not name:
        errors["name"] = [_("Give the team a name.")]
    elif Team.objects.filter(campaign=campaign, name=name).exclude(pk=team.pk if team else None).exists():
        errors["name"] = [_("This campaign already has a team named “%(name)s”.") % {"name": name}]
    outside = _points_outside(points, campaign)
    if outside:
        errors["points"] = [
            _("These points lie outside the campaign's region: %(names)s") % {"names": "、".join(outside)}
        ]
    # A retired point the team already has stays with it (its history); a new one may not be one.
    kept = set(team.points.values_list("pk", flat=True)) if team is not None else set()
    retired = [p.name for p in points if p.pk not in kept and p.retired_on is not None]
    if retired:
        errors.setdefault("points", []).append(
            _("These points were retired and take no new team: %(names)s") % {"names": "、".join(retired)}
        )
    # A team is made of the campaign's own cadres (its units' active cadres), as its form offers.
    chosen = {cadre.pk for cadre in members} | ({leader.pk} if leader is not None else set())
    taking_part = set(campaign_cadres(campaign).filter(pk__in=chosen).values_list("pk", flat=True))
    if leader is not None and leader.pk not in taking_part:
        errors["leader"] = [_("The team leader does not take part in this campaign.")]
    strangers = [str(cadre.account) for cadre in members if cadre.pk not in taking_part]
    if strangers:
        errors["members"] = [
            _("These cadres do not take part in this campaign: %(names)s") % {"names": "、".join(strangers)}
        ]
    return errors


def _locked_campaign(campaign: Campaign) -> Campaign:
    # The campaign's row is locked so that two offices naming a team at once cannot both
    # pass the check for the name (NO KEY: rows that merely refer to the campaign still go in).
    return (
        Campaign.objects.select_related("region")
        .select_for_update(no_key=True, of=("self",))
        .get(pk=campaign.pk)
    )


@transaction.atomic
def team_create(
    *,
    actor,
    campaign: Campaign,
    name: str,
    kind: str = Team.Kind.WORK_TEAM,
    leader=None,
    members=(),
    points=(),
) -> Team:
    campaign = _locked_campaign(campaign)
    name, members, points = (name or "").strip(), list(members), list(points)
    errors = _team_problems(campaign, name=name, leader=leader, members=members, points=points)
    if errors:
        raise ValidationError(errors)
    team = Team.objects.create(campaign=campaign, name=name, kind=kind, leader=leader)
    team.members.set(members)
    team.points.set(points)
    audit_record(
        action="team.create",
        obj=team,
        user=actor,
        detail={"leader": leader.pk if leader else None, "members": len(members), "points": len(points)},
    )
    return team


def _team_state(team: Team) -> dict:
    return {
        "name": team.name,
        "kind": team.kind,
        "leader": team.leader_id,
        "members": sorted(team.members.values_list("pk", flat=True)),
        "points": sorted(team.points.values_list("pk", flat=True)),
    }


def team_may_change(actor, team: Team) -> bool:
    """Whether the actor may change or dissolve this team: one who manages its campaign
    (no actor: the system itself)."""
    if actor is None:
        return True
    return scoped(Campaign.objects.filter(pk=team.campaign_id), actor, "programs.manage").exists()


def team_dissolved_message(team: Team) -> str:
    return _(
        "%(team)s was dissolved on %(date)s: it is kept as it was then and can no longer be changed."
    ) % {
        "team": team.name,
        "date": day_text(team.dissolved_on),
    }


@transaction.atomic
def team_update(*, actor, team: Team, name: str, kind: str, leader=None, members=(), points=()) -> Team:
    """Rename a team, change its kind, leader, members or points: checked as a new team is,
    audited with what it was and what it is. Only who manages the campaign (no actor: the system).
    A dissolved team is kept as it was."""
    if not team_may_change(actor, team):
        raise PermissionDenied
    campaign = _locked_campaign(team.campaign)
    team = Team.objects.select_for_update(of=("self",)).get(pk=team.pk)
    if team.dissolved_on is not None:
        raise ValidationError(team_dissolved_message(team))
    name, members, points = (name or "").strip(), list(members), list(points)
    if kind not in Team.Kind.values:
        raise ValidationError({"kind": [_("Choose a kind of team from the list.")]})
    errors = _team_problems(campaign, name=name, leader=leader, members=members, points=points, team=team)
    if errors:
        raise ValidationError(errors)
    before = _team_state(team)
    team.name, team.kind, team.leader = name, kind, leader
    team.save(update_fields=["name", "kind", "leader"])
    team.members.set(members)
    team.points.set(points)
    after = _team_state(team)
    if after != before:
        audit_record(action="team.update", obj=team, user=actor, detail={"before": before, "after": after})
    return team


# Dissolving a team, retiring a point ----------------------------------------------


def team_dissolve_problem(team: Team, day: dt.date) -> str:
    """Why a team may not be dissolved on this day, or "": not before its campaign starts (a
    team counts from then, whenever it was entered: offices enter teams after the fact), not
    after its campaign ends, and not on a day to come (it takes effect at once: the team
    leaves the forms at once and the rules from the next day)."""
    campaign = team.campaign
    if day < campaign.start:
        return _(
            "A team cannot be dissolved before its campaign starts (%(date)s): it counts from that day."
        ) % {"date": day_text(campaign.start)}
    today = timezone.localdate()
    if day > today:
        return _(
            "The dissolution date (%(date)s) cannot be later than today (%(today)s): dissolve the team "
            "when its task has ended."
        ) % {"date": day_text(day), "today": day_text(today)}
    if campaign.end is not None and day > campaign.end:
        return _("A team cannot be dissolved after its campaign ends (%(date)s).") % {
            "date": day_text(campaign.end)
        }
    return ""


@transaction.atomic
def team_dissolve(*, actor, team: Team, dissolved_on: dt.date, reason: str) -> Team:
    """工作队撤销: the team ends on a day that has come, with a reason. It is kept as it was
    (leader, members, points, records), counts in the rules through that day and not after,
    is no longer offered in forms and can no longer be changed. Audited."""
    if not team_may_change(actor, team):
        raise PermissionDenied
    # The row is locked so that two offices dissolving (or changing) the team at once act once.
    team = Team.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=team.pk)
    if team.dissolved_on is not None:
        raise ValidationError(team_dissolved_message(team))
    errors = {}
    problem = team_dissolve_problem(team, dissolved_on)
    if problem:
        errors["dissolved_on"] = [problem]
    reason = (reason or "").strip()
    problem = reason_problem(reason, _("Give the reason for dissolving the team."))
    if problem:
        errors["reason"] = [problem]
    if errors:
        raise ValidationError(errors)
    team.dissolved_on, team.dissolved_reason = dissolved_on, reason
    team.save(update_fields=["dissolved_on", "dissolved_reason"])
    audit_record(
        action="team.dissolve",
        obj=team,
        user=actor,
        detail={"campaign": team.campaign_id, "on": dissolved_on.isoformat(), "reason": reason},
    )
    return team


def _retired_on(point: LiaisonPoint, *, lock: bool = False) -> dt.date | None:
    """The day the point was retired, as stored now; `lock` holds its row until the end of the
    transaction, so that a point retired at the same moment takes no new pairing."""
    rows = LiaisonPoint.objects.filter(pk=point.pk)
    if lock:
        rows = rows.select_for_update(no_key=True)
    return rows.values_list("retired_on", flat=True).get()


def point_retired_message(point: LiaisonPoint, retired_on: dt.date) -> str:
    return _("%(point)s was retired on %(date)s: it takes no new pairing or team.") % {
        "point": point.name,
        "date": day_text(retired_on),
    }


def point_may_change(actor, point: LiaisonPoint) -> bool:
    """Whether the actor may correct, regrade or retire this point: one who manages points over
    its region (no actor: the system itself)."""
    if actor is None:
        return True
    return scoped(LiaisonPoint.objects.filter(pk=point.pk), actor, "programs.manage").exists()


def point_held_above_message(point: LiaisonPoint, campaigns) -> str:
    return _(
        "%(point)s is used by %(campaigns)s, run by a higher level: it is shown here to read, and only "
        "the office running that campaign may rename, regrade or retire it."
    ) % {"point": point.name, "campaigns": pgettext("list separator", ", ").join(c.name for c in campaigns)}


def point_check_change(actor, point: LiaisonPoint) -> None:
    """Refuse (PermissionDenied) a correction, grading or retirement of the point by an actor who
    does not manage its region, or whose grants lie below a campaign using it (a township office
    and the county's campaign at its village: point_campaigns_above), saying why."""
    if not point_may_change(actor, point):
        raise PermissionDenied
    if actor is not None:
        above = point_campaigns_above(user=actor, point=point)
        if above:
            raise PermissionDenied(point_held_above_message(point, above))


def point_retire_problem(point: LiaisonPoint, day: dt.date) -> str:
    """Why a point may not be retired on this day, or "": not before it was entered, not on a
    day to come (it takes effect at once)."""
    entered = timezone.localdate(point.created_at)
    if day < entered:
        return _("The point was entered on %(date)s: it cannot be retired before that day.") % {
            "date": day_text(entered)
        }
    today = timezone.localdate()
    if day > today:
        return _(
            "The retirement date (%(date)s) cannot be later than today (%(today)s): retire the point "
            "when it has ended."
        ) % {"date": day_text(day), "today": day_text(today)}
    return ""


@transaction.atomic
def point_retire(*, actor, point: LiaisonPoint, retired_on: dt.date, reason: str) -> LiaisonPoint:
    """Retire a point (合村并组, an enterprise closed) on a day that has come, with a reason.
    Refused while a cadre's or a unit's pairing with it still counts after that day: each of
    those is ended with its own reason first (pairing_end, unit_pairing_end). The point is
    kept with its history, counts in the rules through that day and not after, and is no
    longer offered in forms. Audited."""
    point_check_change(actor, point)
    # Locked: a pairing recorded at the same moment waits, and is then refused (pairing_create).
    point = LiaisonPoint.objects.select_for_update().get(pk=point.pk)
    if point.retired_on is not None:
        raise ValidationError(
            _("%(point)s was already retired on %(date)s.")
            % {"point": point.name, "date": day_text(point.retired_on)}
        )
    errors = {}
    problem = point_retire_problem(point, retired_on)
    if problem:
        errors["retired_on"] = [problem]
    reason = (reason or "").strip()
    problem = reason_problem(reason, _("Give the reason for retiring the point."))
    if problem:
        errors["reason"] = [problem]
    if errors:
        raise ValidationError(errors)
    pairings, unit_pairings = pairings_after(point, retired_on)
    counts = (pairings.count(), unit_pairings.count())
    if any(counts):
        campaigns = set(pairings.values_list("campaign_id", flat=True)) | set(
            unit_pairings.values_list("campaign_id", flat=True)
        )
        seen = Campaign.objects.filter(pk__in=campaigns)
        if actor is not None:
            seen = scoped(seen, actor, "programs.view")
        names = [c.name for c in seen.order_by("start", "id")]
        hidden = len(campaigns) - len(names)
        if hidden:
            names.append(
                ngettext("%(n)s campaign outside your area", "%(n)s campaigns outside your area", hidden)
                % {"n": hidden}
            )
        raise ValidationError(
            _(
                "Pairings with %(point)s still count after %(date)s (cadres' pairings: %(pairings)s, "
                "units' pairings: %(units)s; in %(campaigns)s). End each of them first, with its own "
                "reason, on its campaign's Pairings or Unit pairings page (the point's page links "
                "them); then retire the point."
            )
            % {
                "point": point.name,
                "date": day_text(retired_on),
                "pairings": counts[0],
                "units": counts[1],
                "campaigns": pgettext("list separator", ", ").join(names),
            }
        )
    point.retired_on, point.retired_reason = retired_on, reason
    point.save(update_fields=["retired_on", "retired_reason"])
    audit_record(
        action="point.retire",
        obj=point,
        user=actor,
        detail={"on": retired_on.isoformat(), "reason": reason, "teams": point.teams.count()},
    )
    return point


# Pairings --------------------------------------------------------------------------

TARGET_LABELS = {
    "household": gettext_lazy("household"),
    "member": gettext_lazy("member"),
    "point": gettext_lazy("liaison point"),
}


def target_region(target) -> str:
    """The region code of a household, member (its household's) or liaison point."""
    if isinstance(target, Member):
        return target.household.region_id
    return target.region_id


def campaign_records(campaign: Campaign) -> dict[str, int]:
    """What refers to a campaign besides its own versions and units: each kind of record by
    its name, with how many (pairings, teams, visits, demands, …), found as a delete would."""
    from django.db import router
    from django.db.models.deletion import Collector, ProtectedError, RestrictedError

    found: dict[str, int] = {}
    own = {Campaign, CampaignVersion, Campaign.units.through}
    collector = Collector(using=router.db_for_write(Campaign))
    try:
        collector.collect([campaign])
    except (ProtectedError, RestrictedError) as exc:
        for obj in exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects:
            name = str(type(obj)._meta.verbose_name_plural)
            found[name] = found.get(name, 0) + 1
        return found
    for model, objs in collector.data.items():
        if model not in own and objs:
            found[str(model._meta.verbose_name_plural)] = len(objs)
    for qs in collector.fast_deletes:
        if qs.model not in own:
            count = qs.count()
            if count:
                name = str(qs.model._meta.verbose_name_plural)
                found[name] = found.get(name, 0) + count
    return found


@transaction.atomic
def campaign_withdraw(*, actor, campaign: Campaign, reason: str) -> None:
    """Remove a campaign started by mistake, before anything is recorded in it: it goes,
    and the audit row keeps what it was. One with records (a pairing, a team, a visit, …) is
    ended instead, by giving it an end date on its Change page."""
    if (
        actor is not None
        and not scoped(Campaign.objects.filter(pk=campaign.pk), actor, "programs.manage").exists()
    ):
        raise PermissionDenied
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    reason = (reason or "").strip()
    problem = reason_problem(reason, _("Give the reason for removing the campaign."))
    if problem:
        raise ValidationError({"reason": [problem]})
    records = campaign_records(campaign)
    if records:
        listed = pgettext("list separator", ", ").join(f"{name} {n}" for name, n in sorted(records.items()))
        raise ValidationError(
            _(
                "The campaign has records (%(records)s): it cannot be removed. End it instead: give "
                "it an end date on its Change page."
            )
            % {"records": listed}
        )
    audit_record(
        action="campaign.withdraw",
        obj=campaign,
        user=actor,
        detail={
            "name": campaign.name,
            "program": campaign.program_key,
            "region": campaign.region_id,
            "start": campaign.start.isoformat(),
            "end": campaign.end.isoformat() if campaign.end else None,
            "reason": reason,
        },
    )
    campaign.delete()


def pairing_start_problem(campaign: Campaign, start: dt.date) -> str:
    """Why a pairing (of a cadre or a unit) may not start on this day in the campaign, or ""."""
    if start < campaign.start:
        return _("A pairing cannot start before its campaign (%(date)s).") % {
            "date": day_text(campaign.start)
        }
    if campaign.end is not None and start > campaign.end:
        return _("A pairing cannot start after its campaign ends (%(date)s).") % {
            "date": day_text(campaign.end)
        }
    return ""


def pairing_end_problem(campaign: Campaign, start: dt.date, end: dt.date) -> str:
    """Why a pairing (of a cadre or a unit) that started on `start` may not end on `end`, or "".
    The day must have come: a pairing "ended" on a later day would stay active until then,
    with no way left to end it otherwise. It stays active through its end day."""
    if end < start:
        return _("A pairing cannot end before it starts.")
    today = timezone.localdate()
    if end > today:
        return _(
            "The end date (%(date)s) cannot be later than today (%(today)s): end the pairing when it ends."
        ) % {"date": day_text(end), "today": day_text(today)}
    if campaign.end is not None and end > campaign.end:
        return _("A pairing cannot end after its campaign ends (%(date)s).") % {
            "date": day_text(campaign.end)
        }
    return ""


def slot_allows_several(definition: dict, slot: str) -> bool:
    """Whether a cadre may hold several pairings of one slot at once (`several = true` on the
    slot in the template); 一联五 means one of each."""
    return any(s["key"] == slot and s.get("several", False) for s in definition.get("slots", []))


def slot_taken_message(cadre, definition: dict, slot: str, holder: str) -> str:
    slot_name = next((s["name"] for s in definition.get("slots", []) if s["key"] == slot), slot)
    return _(
        "%(cadre)s already has a “%(slot)s” in this campaign: %(target)s. End that pairing first; "
        "the program allows one of each."
    ) % {"cadre": cadre, "slot": slot_name, "target": holder}


@transaction.atomic
def pairing_create(
    *,
    actor,
    campaign: Campaign,
    cadre: Cadre,
    kind: str,
    target,
    start: dt.date,
    slot: str = "",
    note: str = "",
) -> Pairing:
    errors = {}
    definition = campaign.pairing_kind(kind)
    if definition is None:
        errors["kind"] = [_("This campaign has no pairing kind “%(kind)s”.") % {"kind": kind}]
    else:
        expected = {"household": Household, "member": Member, "point": LiaisonPoint}[definition["target"]]
        if not isinstance(target, expected):
            errors["target"] = [
                _("A “%(kind)s” pairing links a %(target)s.")
                % {"kind": definition["name"], "target": TARGET_LABELS[definition["target"]]}
            ]
        slots = {s["key"] for s in definition.get("slots", [])}
        if slots and slot not in slots:
            errors["slot"] = [_("Choose one of the slots of “%(kind)s”.") % {"kind": definition["name"]}]
        if not slots and slot:
            errors["slot"] = [_("“%(kind)s” has no slots.") % {"kind": definition["name"]}]
    if not errors and not target_region(target).startswith(campaign.region.prefix):
        errors["target"] = [_("The target lies outside the campaign's region.")]
    if not errors and isinstance(target, LiaisonPoint):
        retired = _retired_on(target, lock=True)
        if retired is not None:
            errors["target"] = [point_retired_message(target, retired)]
    problem = pairing_start_problem(campaign, start)
    if problem:
        errors["start"] = [problem]
    if errors:
        raise ValidationError(errors)
    # The cadre's row is locked so that two offices pairing the same cadre at once cannot
    # both pass the checks below (NO KEY: rows that merely refer to the cadre still go in).
    Cadre.objects.select_for_update(no_key=True).filter(pk=cadre.pk).values_list("pk", flat=True).get()
    field = {Household: "household", Member: "member", LiaisonPoint: "point"}[type(target)]
    # The same link may not overlap an existing one, whether it started before or starts later.
    overlapping = Pairing.objects.filter(
        Q(end__isnull=True) | Q(end__gte=start), campaign=campaign, cadre=cadre, kind=kind, slot=slot
    )
    same_link = list(overlapping.filter(**{field: target}).values_list("end", flat=True))
    if same_link:
        running = None in same_link  # one without an end runs on: "already paired" it is
        last_end = None if running else max(same_link)
        if last_end is not None and last_end >= start:
            # Ended, but active through its end day: the new one starts the day after.
            raise ValidationError(
                {
                    "start": [
                        _(
                            "This cadre's pairing with this target was ended on %(end)s and counts through "
                            "that day: a new one starts on %(next)s at the earliest."
                        )
                        % {"end": day_text(last_end), "next": day_text(last_end + dt.timedelta(days=1))}
                    ]
                }
            )
        raise ValidationError({"target": [_("This cadre is already paired with this target.")]})
    if slot and not slot_allows_several(definition, slot):
        holder = overlapping.select_related("household", "member", "point").first()
        if holder is not None:
            raise ValidationError(
                {"slot": [slot_taken_message(cadre.account, definition, slot, holder.target)]}
            )
    pairing = Pairing.objects.create(
        campaign=campaign,
        cadre=cadre,
        kind=kind,
        slot=slot,
        start=start,
        note=note,
        created_by=actor,
        region_id=target_region(target),
        **{field: target},
    )
    audit_record(
        action="pairing.create",
        obj=pairing,
        user=actor,
        detail={
            "campaign": campaign.pk,
            "cadre": cadre.pk,
            "kind": kind,
            "slot": slot,
            "target": f"{field}:{target.pk}",
            "start": start.isoformat(),
        },
    )
    return pairing


def pairing_may_change(actor, pairing: Pairing) -> bool:
    """Whether the actor may end or withdraw this cadre's pairing: one who manages its
    campaign and sees the pairing (as the pairings page offers it). No actor: the system."""
    if actor is None:
        return True
    return (
        scoped(Campaign.objects.filter(pk=pairing.campaign_id), actor, "programs.manage").exists()
        and scoped(Pairing.objects.filter(pk=pairing.pk), actor, "programs.view").exists()
    )


def _end_reason(pairing, end: dt.date, reason: str) -> str:
    """The reason for ending a pairing (of a cadre or a unit) on `end`, trimmed;
    ValidationError with what is wrong with the day and the reason, both at once."""
    errors = {}
    problem = pairing_end_problem(pairing.campaign, pairing.start, end)
    if problem:
        errors["end"] = [problem]
    reason = (reason or "").strip()
    problem = reason_problem(reason, _("Give the reason for ending the pairing."))
    if problem:
        errors["reason"] = [problem]
    if errors:
        raise ValidationError(errors)
    return reason


@transaction.atomic
def pairing_end(*, actor, pairing: Pairing, end: dt.date, reason: str) -> Pairing:
    """End a pairing on a day that has come: a pairing "ended" on a later day would stay
    active until then, with no way left to end it otherwise."""
    if not pairing_may_change(actor, pairing):
        raise PermissionDenied
    pairing = Pairing.objects.select_for_update().select_related("campaign").get(pk=pairing.pk)
    if pairing.end is not None:
        raise ValidationError(_("This pairing has already ended."))
    reason = _end_reason(pairing, end, reason)
    pairing.end = end
    pairing.save(update_fields=["end"])
    audit_record(
        action="pairing.end", obj=pairing, user=actor, detail={"end": end.isoformat(), "reason": reason}
    )
    return pairing


def _withdraw_reason(start: dt.date, reason: str) -> str:
    """The reason for withdrawing a pairing (of a cadre or a unit) that starts on `start`,
    trimmed; ValidationError if it has begun (it is ended instead) or the reason is refused."""
    if start <= timezone.localdate():
        raise ValidationError(
            _(
                "This pairing began on %(date)s: end it instead. Only a pairing that has not begun is withdrawn."
            )
            % {"date": day_text(start)}
        )
    reason = (reason or "").strip()
    problem = reason_problem(reason, _("Give the reason for withdrawing the pairing."))
    if problem:
        raise ValidationError({"reason": [problem]})
    return reason


@transaction.atomic
def pairing_withdraw(*, actor, pairing: Pairing, reason: str) -> None:
    """Withdraw a pairing recorded for a day still to come (typed by mistake, or plans
    changed): it never began, so it goes, and the audit row keeps what it was. One that has
    begun is ended instead (pairing_end), so that its days stay in the record."""
    if not pairing_may_change(actor, pairing):
        raise PermissionDenied
    pairing = Pairing.objects.select_for_update().select_related("campaign").get(pk=pairing.pk)
    reason = _withdraw_reason(pairing.start, reason)
    audit_record(
        action="pairing.withdraw",
        obj=pairing,
        user=actor,
        detail={
            "campaign": pairing.campaign_id,
            "cadre": pairing.cadre_id,
            "kind": pairing.kind,
            "slot": pairing.slot,
            "household": pairing.household_id,
            "member": pairing.member_id,
            "point": pairing.point_id,
            "start": pairing.start.isoformat(),
            "reason": reason,
        },
    )
    try:
        pairing.delete()
    except ProtectedError as exc:  # a record names it (never so far for one not begun)
        raise ValidationError(_("Records refer to this pairing: it cannot be withdrawn.")) from exc


# The points each kind of unit pairing links (twinning, between party organizations, any).
UNIT_PAIRING_POINTS = {
    UnitPairing.Kind.COVERS_VILLAGE: {LiaisonPoint.Kind.VILLAGE},
    UnitPairing.Kind.COVERS_COMMUNITY: {LiaisonPoint.Kind.VILLAGE},
    UnitPairing.Kind.COVERS_ENTERPRISE: {LiaisonPoint.Kind.ENTERPRISE, LiaisonPoint.Kind.PARK},
}


@transaction.atomic
def unit_pairing_create(
    *, actor, campaign: Campaign, unit, point: LiaisonPoint, kind: str, start: dt.date
) -> UnitPairing:
    # The campaign's row is locked so that the same pairing entered twice at once is one.
    campaign = (
        Campaign.objects.select_related("region")
        .select_for_update(no_key=True, of=("self",))
        .get(pk=campaign.pk)
    )
    errors = {}
    if kind not in UnitPairing.Kind.values:
        errors["kind"] = [_("Choose a kind of unit pairing from the list.")]
    if not unit_can_take_part(unit, campaign.region):
        errors["unit"] = [
            _("These units lie outside the campaign's region: %(names)s") % {"names": unit.name}
        ]
    if _points_outside([point], campaign):
        errors["point"] = [_("The target lies outside the campaign's region.")]
    elif (retired := _retired_on(point, lock=True)) is not None:
        errors["point"] = [point_retired_message(point, retired)]
    elif kind in UNIT_PAIRING_POINTS and point.kind not in UNIT_PAIRING_POINTS[kind]:
        errors["point"] = [
            _("A unit covering a village or community links a village or community point.")
            if kind != UnitPairing.Kind.COVERS_ENTERPRISE
            else _("A unit covering an enterprise links an enterprise or an industrial park.")
        ]
    problem = pairing_start_problem(campaign, start)
    if problem:
        errors["start"] = [problem]
    if not errors:
        duplicate = UnitPairing.objects.filter(
            Q(end__isnull=True) | Q(end__gte=start), campaign=campaign, unit=unit, point=point, kind=kind
        ).exists()
        if duplicate:
            errors["point"] = [
                _("%(unit)s is already paired with %(point)s in this way.")
                % {"unit": unit.name, "point": point.name}
            ]
    if errors:
        raise ValidationError(errors)
    pairing = UnitPairing.objects.create(campaign=campaign, unit=unit, point=point, kind=kind, start=start)
    audit_record(
        action="unit_pairing.create",
        obj=pairing,
        user=actor,
        detail={"unit": unit.pk, "point": point.pk, "kind": kind},
    )
    return pairing


UNIT_PAIRING_REASON_MAX = 200


def reason_problem(reason: str, missing: str) -> str:
    """Why a pairing's reason (trimmed) is refused: `missing` when empty, too long; or ""."""
    if not reason:
        return missing
    if len(reason) > UNIT_PAIRING_REASON_MAX:
        return _("A reason has at most %(n)s characters.") % {"n": UNIT_PAIRING_REASON_MAX}
    return ""


def unit_pairing_may_end(actor, unit_pairing: UnitPairing) -> bool:
    """Whether the actor may end this pairing: whom the unit pairing page lets record it, one
    who manages the campaign and the unit and sees the point. No actor: the system itself."""
    if actor is None:
        return True
    return (
        scoped(Campaign.objects.filter(pk=unit_pairing.campaign_id), actor, "programs.manage").exists()
        and scoped(Unit.objects.filter(pk=unit_pairing.unit_id), actor, "programs.manage").exists()
        and scoped(LiaisonPoint.objects.filter(pk=unit_pairing.point_id), actor, "programs.view").exists()
    )


@transaction.atomic
def unit_pairing_end(*, actor, unit_pairing: UnitPairing, end: dt.date, reason: str) -> UnitPairing:
    """End a unit's pairing with a point, on a day that has come (as a cadre's pairing ends):
    it counts as active through that day and as ended from the next."""
    if not unit_pairing_may_end(actor, unit_pairing):
        raise PermissionDenied
    # The row is locked so that two offices ending the same pairing at once end it once.
    unit_pairing = (
        UnitPairing.objects.select_for_update(of=("self",))
        .select_related("campaign", "unit", "point")
        .get(pk=unit_pairing.pk)
    )
    if unit_pairing.end is not None:
        raise ValidationError(_("This pairing has already ended."))
    reason = _end_reason(unit_pairing, end, reason)
    unit_pairing.end = end
    unit_pairing.save(update_fields=["end"])
    audit_record(
        action="unit_pairing.end",
        obj=unit_pairing,
        user=actor,
        detail={
            "campaign": unit_pairing.campaign_id,
            "unit": unit_pairing.unit_id,
            "point": unit_pairing.point_id,
            "kind": unit_pairing.kind,
            "end": end.isoformat(),
            "reason": reason,
        },
    )
    return unit_pairing


@transaction.atomic
def unit_pairing_withdraw(*, actor, unit_pairing: UnitPairing, reason: str) -> None:
    """Withdraw a unit pairing recorded for a day still to come (as a cadre's pairing is
    withdrawn): it never began, so it goes, and the audit row keeps what it was. One that
    has begun is ended instead (unit_pairing_end)."""
    if not unit_pairing_may_end(actor, unit_pairing):
        raise PermissionDenied
    unit_pairing = UnitPairing.objects.select_for_update(of=("self",)).get(pk=unit_pairing.pk)
    reason = _withdraw_reason(unit_pairing.start, reason)
    audit_record(
        action="unit_pairing.withdraw",
        obj=unit_pairing,
        user=actor,
        detail={
            "campaign": unit_pairing.campaign_id,
            "unit": unit_pairing.unit_id,
            "point": unit_pairing.point_id,
            "kind": unit_pairing.kind,
            "start": unit_pairing.start.isoformat(),
            "reason": reason,
        },
    )
    try:
        unit_pairing.delete()
    except ProtectedError as exc:
        raise ValidationError(_("Records refer to this pairing: it cannot be withdrawn.")) from exc


@transaction.atomic
def cadre_handover(
    *, actor, from_cadre: Cadre, to_cadre: Cadre, on_date: dt.date, reason: str, campaigns=None
) -> Handover:
    """Move the active and future pairings, team leadership and team membership, open
    demands and unfinished help plans of a cadre to a successor in one step: a running
    pairing ends the day before and a new one, with the same end, starts that day; one that
    starts that day or later changes hands whole (the cadre held none of its days) and the
    handover keeps it (moved_whole), so the cadre's pages list it as handed over as they do
    the ones that ended.
    `campaigns` limits the handover to the campaigns the actor manages."""
    if from_cadre.pk == to_cadre.pk:
        raise ValidationError({"to_cadre": [_("Choose a different cadre as the successor.")]})
    if not to_cadre.account.is_active:
        raise ValidationError({"to_cadre": [_("The successor's account is disabled.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the handover.")]})
    today = timezone.localdate()
    if on_date > today:
        # A handover takes effect at once (the successor is told, the demands move): one
        # dated later would end the pairings on that day with nothing to show until then.
        raise ValidationError(
            {
                "on_date": [
                    _("The handover date (%(date)s) cannot be later than today (%(today)s).")
                    % {"date": day_text(on_date), "today": day_text(today)}
                ]
            }
        )
    pairings = (
        Pairing.objects.select_for_update()
        .filter(cadre=from_cadre)
        .filter(Q(end__isnull=True) | Q(end__gte=on_date))
    )
    # A dissolved team is kept as it was: its leader and members do not change hands.
    teams_qs = Team.objects.filter(
        Q(campaign__end__isnull=True) | Q(campaign__end__gte=on_date), dissolved_on__isnull=True
    )
    if campaigns is not None:
        pairings = pairings.filter(campaign__in=campaigns)
        teams_qs = teams_qs.filter(campaign__in=campaigns)
    pairings = list(pairings)
    # A pairing that has begun keeps its holder for the days it ran: it ends the day before
    # the handover and the successor's starts that day. One that began after the date the
    # handover gives could only change hands whole, rewriting who held it: refused.
    begun_after = [p for p in pairings if on_date < p.start <= today]
    if begun_after:
        latest = max(p.start for p in begun_after)
        raise ValidationError(
            {
                "on_date": [
                    _(
                        "%(n)s of the pairings began after %(date)s, the last on %(start)s: a handover "
                        "dated earlier would move them as if the successor had held them from the start. "
                        "Date the handover %(start)s or later."
                    )
                    % {"n": len(begun_after), "date": day_text(on_date), "start": day_text(latest)}
                ]
            }
        )
    moved, whole = 0, []
    for pairing in pairings:
        moved += 1
        if pairing.start >= on_date:
            pairing.cadre = to_cadre
            pairing.save(update_fields=["cadre"])
            whole.append(pairing)
            continue
        original_end = pairing.end
        pairing.end = on_date - dt.timedelta(days=1)
        pairing.save(update_fields=["end"])
        Pairing.objects.create(
            campaign_id=pairing.campaign_id,
            cadre=to_cadre,
            kind=pairing.kind,
            slot=pairing.slot,
            household_id=pairing.household_id,
            member_id=pairing.member_id,
            point_id=pairing.point_id,
            region_id=pairing.region_id,
            start=on_date,
            end=original_end,
            note=pairing.note,
            handed_over_from=pairing,
            created_by=actor,
        )
    teams = 0
    for team in teams_qs.filter(leader=from_cadre):
        team.leader = to_cadre
        team.save(update_fields=["leader"])
        teams += 1
    for team in teams_qs.filter(members=from_cadre):
        team.members.remove(from_cadre)
        team.members.add(to_cadre)
        teams += 1
    handover = Handover.objects.create(
        from_cadre=from_cadre,
        to_cadre=to_cadre,
        on_date=on_date,
        reason=reason.strip(),
        pairings_moved=moved,
        teams_moved=teams,
        by=actor,
    )
    handover.moved_whole.add(*whole)
    tickets = _hand_over_tickets(actor, from_cadre, to_cadre, campaigns, reason.strip())
    plans = _hand_over_plans(actor, from_cadre, to_cadre, campaigns, on_date)
    handover.tickets_moved, handover.plans_moved = len(tickets), len(plans)
    audit_record(
        action="cadre.handover",
        obj=handover,
        user=actor,
        detail={
            "from": from_cadre.pk,
            "to": to_cadre.pk,
            "pairings": moved,
            "pairings_moved_whole": [p.pk for p in whole],
            "teams": teams,
            "tickets": tickets,
            "help_plans": plans,
            "on": on_date.isoformat(),
        },
    )
    return handover


def _hand_over_tickets(actor, from_cadre: Cadre, to_cadre: Cadre, campaigns, reason: str) -> list[str]:
    """The cadre's open demands (owned, or led as 包联领导) go to the successor, each with an event."""
    from minqing.tickets.models import Status, Ticket, TicketEvent

    open_tickets = (
        Ticket.objects.select_for_update(of=("self",))
        .filter(Q(owner_id=from_cadre.account_id) | Q(leader=from_cadre))
        .exclude(status__in=(Status.CLOSED, Status.MERGED))
    )
    if campaigns is not None:
        open_tickets = open_tickets.filter(campaign__in=campaigns)
    codes = []
    for ticket in open_tickets.order_by("id"):
        changed = {}
        if ticket.owner_id == from_cadre.account_id:
            ticket.owner_id = to_cadre.account_id
            changed["owner"] = [from_cadre.account_id, to_cadre.account_id]
        if ticket.leader_id == from_cadre.pk:
            ticket.leader = to_cadre
            changed["leader"] = [from_cadre.pk, to_cadre.pk]
        ticket.version += 1
        ticket.save(update_fields=["owner", "leader", "version"])
        TicketEvent.objects.create(
            ticket=ticket,
            actor=actor,
            actor_label=str(actor) if actor is not None else "",
            action="handover",
            from_status=ticket.status,
            to_status=ticket.status,
            reason=reason,
            detail=changed,
        )
        audit_record(action="ticket.handover", obj=ticket, user=actor, detail=changed)
        codes.append(ticket.code)
    return codes


def _hand_over_plans(actor, from_cadre: Cadre, to_cadre: Cadre, campaigns, on_date: dt.date) -> list[int]:
    """Help plans with a commitment not yet done (or none, and a deadline still ahead) go to the successor."""
    from minqing.fieldwork.models import HelpPlan

    plans = HelpPlan.objects.filter(cadre=from_cadre)
    if campaigns is not None:
        plans = plans.filter(campaign__in=campaigns)
    unfinished = plans.filter(
        Q(commitments__done_on__isnull=True, commitments__isnull=False)
        | Q(commitments__isnull=True, deadline__gte=on_date)
    ).values("id")
    moved = []
    for plan in HelpPlan.objects.select_for_update().filter(pk__in=unfinished).order_by("id"):
        plan.cadre = to_cadre
        plan.save(update_fields=["cadre"])
        audit_record(
            action="help_plan.handover",
            obj=plan,
            user=actor,
            detail={"from": from_cadre.pk, "to": to_cadre.pk},
        )
        moved.append(plan.pk)
    return moved


def active_pairings_guard(account) -> str:
    """Refuse to deactivate a cadre who still has active pairings (org.services asks)."""
    count = Pairing.objects.filter(cadre__account=account).active_on(timezone.localdate()).count()
    if count:
        return _("%(name)s still has %(n)s active pairings: hand them over to a successor first.") % {
            "name": account,
            "n": count,
        }
    return ""
