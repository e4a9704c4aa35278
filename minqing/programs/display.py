"""How a campaign's configuration reads on a page and in a download: each rule parameter by
its label with its value in words (the template's names for pairing kinds, activities and
phases; translated names for choices; 元; dates as people write them), a version's changes
one per line, and rule names beside the values now in force. Presentation only."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, npgettext_lazy, pgettext

from minqing.core import dates

from .models import CampaignVersion
from .rules import PERIOD_LABELS, RULE_TYPES, Param
from .schema import MONTHDAY_RE, monthday_text

# Reasons the system gives for a version, stored as keys and shown in the reader's language
# (a reason an office types is shown as typed).
STARTED_FROM_TEMPLATE = CampaignVersion.STARTED_FROM_TEMPLATE
SYSTEM_REASONS = {STARTED_FROM_TEMPLATE: gettext_noop("Started from the template")}

# Parameters a name quotes: when one of these differs from the value the campaign started
# with, the rule's name (the template's wording) is shown with the value now in force.
QUOTED_KINDS = ("int", "yuan", "date", "int_list")


# What a rule type's verdicts count: a bare count or "done/asked" in its required and actual
# columns is shown with this unit (2 → 2天, 3/4 → 3/4项); any other text is shown as the rule
# wrote it (dates, "2 of 3 on time"). The context keeps these apart from other pages' counts.
COUNTED = "counted in a compliance verdict"
COUNT_UNITS = {
    "day": npgettext_lazy(COUNTED, "%(n)s day", "%(n)s days", "count"),
    "week": npgettext_lazy(COUNTED, "%(n)s week", "%(n)s weeks", "count"),
    "month": npgettext_lazy(COUNTED, "%(n)s month", "%(n)s months", "count"),
    "activity": npgettext_lazy(COUNTED, "%(n)s activity", "%(n)s activities", "count"),
    "household": npgettext_lazy(COUNTED, "%(n)s household", "%(n)s households", "count"),
    "target": npgettext_lazy(COUNTED, "%(n)s target", "%(n)s targets", "count"),
    "cadre": npgettext_lazy(COUNTED, "%(n)s cadre", "%(n)s cadres", "count"),
    "point": npgettext_lazy(COUNTED, "%(n)s point", "%(n)s points", "count"),
    "deed": npgettext_lazy(COUNTED, "%(n)s deed", "%(n)s deeds", "count"),
    "problem": npgettext_lazy(COUNTED, "%(n)s problem", "%(n)s problems", "count"),
    "project": npgettext_lazy(COUNTED, "%(n)s project", "%(n)s projects", "count"),
    "incident": npgettext_lazy(COUNTED, "%(n)s incident", "%(n)s incidents", "count"),
}
RULE_UNITS = {
    "activities.held": "activity",
    "composition.slots": "target",
    "coverage.cadre_has_target": "target",
    "coverage.household_has_cadre": "cadre",
    "deeds.per_point": "deed",
    "deeds.per_target": "household",  # linked households with enough deeds
    "problems.solved_per_point": "problem",
    "projects.per_village": "project",
    "quota.hardship_by_rank": "household",
    "quota.leader_links": "point",
    "relief.per_team": "household",
    "reports.leader_weekly": "week",
    "reports.monthly": "month",
    "service_days.monthly": "day",
    "stay.concentrated": "day",
    "stay.days_per_month": "month",  # months with enough confirmed days
    "visits.per_target": "target",  # targets visited often enough
    "zero.incidents": "incident",
}


def count_text(value, rule_type: str) -> str:
    """A verdict's count with the unit of what its rule counts: "2" → 2天, "3/4" → 3/4项.
    Text that is no count, or a rule type with no unit, is returned as it is."""
    text = str(value)
    unit = COUNT_UNITS.get(RULE_UNITS.get(rule_type, ""))
    parts = text.split("/")
    if unit is None or len(parts) > 2 or not all(part.isdigit() for part in parts):
        return text
    return unit % {"n": text, "count": int(parts[-1])}


def join_words(items) -> str:
    """Items as a list in the reader's language: 甲、乙、丙 / a, b, c."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


def day_text(value) -> str:
    """A date kept as text as people read it: an ISO date as 2026年4月15日 (as
    minqing.core.dates writes every day), a template's month-day (04-15) as 4月15日;
    anything else as it is."""
    if isinstance(value, str) and MONTHDAY_RE.match(value):
        return monthday_text(value)
    return dates.day_text(value)


def day_range_text(start, end) -> str:
    return _("%(start)s – %(end)s") % {"start": day_text(start), "end": day_text(end)}


def choice_labels() -> dict[str, str]:
    """The translated names of the fixed choices a rule parameter may take (the keys of the
    different parameters do not overlap: periods, subjects, ranks, incident kinds)."""
    from minqing.fieldwork.models import Incident
    from minqing.org.models import Cadre

    from .documents import subject_labels

    return {
        **{key: str(label) for key, label in PERIOD_LABELS.items()},
        **subject_labels(),
        **{key: str(label) for key, label in Cadre.Rank.choices},
        **{key: str(label) for key, label in Incident.Kind.choices},
    }


def ref_names(config: dict) -> dict[str, dict[str, str]]:
    """The campaign's own names for the keys a parameter may refer to."""
    return {
        ref: {item["key"]: item.get("name", item["key"]) for item in config.get(ref, [])}
        for ref in ("pairing_kinds", "activities", "phases")
    }


def _int_text(name: str, value) -> str:
    if name == "min_level":
        from minqing.people.models import HardshipLevel

        if value in HardshipLevel.values:
            return str(HardshipLevel(value).label)
    return str(value)


def param_text(spec: Param, value, *, name: str = "", refs=None, labels=None) -> str:
    """One parameter's value in words."""
    if value is None or value == "" or value == []:
        return "—"
    if spec.kind == "bool":
        return _("yes") if value else _("no")
    if spec.kind == "yuan":
        return _("%(n)s yuan") % {"n": value}
    if spec.kind == "int":
        return _int_text(name, value)
    if spec.kind == "date":
        return day_text(value)
    if spec.kind in ("ref", "ref_list"):
        names = (refs or {}).get(spec.ref, {})
        items = value if isinstance(value, list) else [value]
        return join_words(names.get(item, item) for item in items)
    if spec.choices:
        labels = choice_labels() if labels is None else labels
        items = value if isinstance(value, list) else [value]
        return join_words(labels.get(item, item) for item in items)
    if isinstance(value, list):
        return join_words(value)
    return str(value)


def rule_params(rule: dict, config: dict, *, refs=None, labels=None) -> list[tuple[str, str]]:
    """(label, value in words) for each parameter a rule is evaluated with: those the template
    or the office set, and the defaults that mean something."""
    rule_type = RULE_TYPES.get(rule["type"])
    if rule_type is None:
        return [(name, str(value)) for name, value in rule.get("params", {}).items()]
    refs = ref_names(config) if refs is None else refs
    labels = choice_labels() if labels is None else labels
    params = rule.get("params", {})
    shown = []
    for name, spec in rule_type.params.items():
        if name not in params and spec.default in (None, "", []):
            continue
        value = params.get(name, spec.default)
        shown.append((str(spec.label or name), param_text(spec, value, name=name, refs=refs, labels=labels)))
    return shown


def rule_titles(campaign) -> dict[str, str]:
    """rule key → the rule's name as shown: the template's wording, and where the office has
    since changed a number or date of the rule, the values now in force beside it. The name
    is never rewritten: its numbers may be written in words (一周) or be bounds that are no
    parameter (1至2件), so a rewritten name could say what nobody decided."""
    first = (
        CampaignVersion.objects.filter(campaign=campaign, number=1).values_list("config", flat=True).first()
        or {}
    )
    started = {r["key"]: r for r in first.get("rules", [])}
    config = campaign.config
    refs, labels = ref_names(config), choice_labels()
    titles = {}
    for rule in config.get("rules", []):
        rule_type = RULE_TYPES.get(rule["type"])
        before = started.get(rule["key"])
        changed = []
        if rule_type is not None and before is not None:
            for name, spec in rule_type.params.items():
                if spec.kind not in QUOTED_KINDS:
                    continue
                now = rule.get("params", {}).get(name, spec.default)
                if before.get("params", {}).get(name, spec.default) != now:
                    text = param_text(spec, now, name=name, refs=refs, labels=labels)
                    changed.append(
                        _("%(label)s set to %(value)s") % {"label": spec.label or name, "value": text}
                    )
        titles[rule["key"]] = (
            _("%(name)s (changed: %(values)s)")
            % {"name": rule["name"], "values": pgettext("clause separator", "; ").join(changed)}
            if changed
            else rule["name"]
        )
    return titles


def _started_reason_texts() -> set[str]:
    """The started-from-template reason as rows stored it before it was kept as a key: in
    the language of whoever started the campaign."""
    texts = {SYSTEM_REASONS[STARTED_FROM_TEMPLATE]}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.add(_(SYSTEM_REASONS[STARTED_FROM_TEMPLATE]))
    return texts


def version_reason(version) -> str:
    if version.reason in SYSTEM_REASONS:
        return _(SYSTEM_REASONS[version.reason])
    if version.number == 1 and version.reason in _started_reason_texts():
        return _(SYSTEM_REASONS[STARTED_FROM_TEMPLATE])
    return version.reason


def _unit_names(keys) -> str:
    """Units as versions keep them ("id:name") by their names."""
    return join_words(str(key).split(":", 1)[-1] for key in keys or []) or "—"


def _from_to(what: str, before: str, after: str) -> str:
    return _("%(what)s: %(from)s → %(to)s") % {"what": what, "from": before, "to": after}


def version_changes(version, program_name: str = "") -> list[str]:
    """A version's changes, one line each, in words: what changed (the rule's name and the
    parameter's label, a phase's name) from what to what. Names are read from the version's
    own configuration, as they were then."""
    config = version.config or {}
    refs, labels = ref_names(config), choice_labels()
    rules = {r["key"]: r for r in config.get("rules", [])}
    phases = {p["key"]: p for p in config.get("phases", [])}
    lines = []
    for change in version.changes or []:
        what = change.get("what", "")
        before, after = change.get("from"), change.get("to")
        if what == "start" and "program" in change:
            line = _("Started from the program “%(name)s”") % {"name": program_name or change["program"]}
            if change.get("units"):
                line += _("; participating units: %(names)s") % {"names": _unit_names(change["units"])}
            lines.append(line)
        elif what in ("start", "end"):
            label = _("Start") if what == "start" else _("End")
            lines.append(_from_to(label, day_text(before) or "—", day_text(after) or "—"))
        elif what == "units":
            lines.append(_from_to(_("Participating units"), _unit_names(before), _unit_names(after)))
        elif what == "name":
            lines.append(_from_to(_("Name"), str(before), str(after)))
        elif what.startswith("phase.") and what[len("phase.") :] in phases:
            phase = phases[what[len("phase.") :]]
            lines.append(
                _from_to(
                    _("Phase “%(name)s”") % {"name": phase.get("name", phase["key"])},
                    day_range_text(*before) if isinstance(before, list) else "—",
                    day_range_text(*after) if isinstance(after, list) else "—",
                )
            )
        elif "." in what and what.split(".", 1)[0] in rules:
            rule_key, name = what.split(".", 1)
            rule = rules[rule_key]
            rule_type = RULE_TYPES.get(rule["type"])
            if name == "enabled":
                lines.append(
                    _("%(rule)s: switched on") % {"rule": rule["name"]}
                    if after
                    else _("%(rule)s: switched off") % {"rule": rule["name"]}
                )
                continue
            spec = rule_type.params.get(name) if rule_type else None
            if spec is None:
                lines.append(_from_to(f"{rule['name']} · {name}", str(before), str(after)))
                continue
            lines.append(
                _from_to(
                    f"{rule['name']} · {spec.label or name}",
                    param_text(spec, before, name=name, refs=refs, labels=labels),
                    param_text(spec, after, name=name, refs=refs, labels=labels),
                )
            )
        else:
            lines.append(_from_to(what, str(before), str(after)) if "to" in change else what)
    return lines
