from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.core.dates import day_text
from minqing.core.forms import IsoDateInput
from minqing.core.text import pinyin_keys
from minqing.org.models import Cadre, Unit

from . import dates
from .display import choice_labels, ref_names
from .grades import DEFAULT_GRADES, grade_choices
from .models import LiaisonPoint, Team, UnitPairing
from .rules import RULE_TYPES

DATE = IsoDateInput()


class FilterableSelect(forms.Select):
    """A long list to choose from (hundreds of cadres): the page's script puts a search box
    above it that narrows the options to those whose text holds what is typed, or whose
    pinyin does (张三 is found by "zs" and by "zhangsan"). Without the script, a plain list."""

    placeholder = _("Type to narrow the list: a name, a unit or pinyin initials")

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-filter": self.placeholder, **(attrs or {})}, choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in (None, ""):
            full, initials = pinyin_keys(str(label))
            option["attrs"]["data-keys"] = f"{full} {initials}"
        return option


class FilterableSelectMultiple(FilterableSelect, forms.SelectMultiple):
    pass


def cadre_choice_label(cadre) -> str:
    """A cadre in a picker: name and unit, a section with its parent's name (load unit__parent)."""
    return f"{cadre.account}（{cadre.unit.label}）"


def unit_choice_label(unit) -> str:
    return unit.label


def point_choice_label(point) -> str:
    """A point in a picker; a retired one (offered only where it already is) says so."""
    if point.retired_on is None:
        return point.name
    return _("%(name)s (retired on %(date)s)") % {"name": point.name, "date": day_text(point.retired_on)}


class CampaignStartForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"))
    name = forms.CharField(label=_("Campaign name"), max_length=120)
    region = forms.ChoiceField(label=_("Region"))
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), required=False, widget=DATE)
    units = forms.ModelMultipleChoiceField(
        label=_("Participating units"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_(
            "Cadres of these units (and their sections) take part. None chosen: every unit in the region."
        ),
    )

    def __init__(self, *args, programs=(), regions=(), units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(key, f"{name}（{seed}）") for key, name, seed in programs]
        self.fields["region"].choices = [(r.code, r.name) for r in regions]
        if units is not None:
            self.fields["units"].queryset = units
        self.fields["units"].label_from_instance = unit_choice_label

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The campaign cannot end before it starts."))
        return data


def _param_field(spec, value, *, refs, labels):
    """A rule parameter's field: choices (fixed ones, or the campaign's pairing kinds,
    activities and phases) are offered by their names and kept as their keys."""
    label = spec.label or ""
    if spec.kind in ("int", "yuan"):
        return forms.IntegerField(label=label, min_value=spec.minimum, max_value=spec.upper, initial=value)
    if spec.kind == "date":
        return forms.DateField(
            label=label,
            widget=DATE,
            initial=dates.stored(value),
            required=spec.required,
        )
    if spec.kind == "bool":
        return forms.BooleanField(label=label, required=False, initial=value)
    if spec.kind in ("ref", "ref_list") or spec.choices:
        names = refs.get(spec.ref, {}) if spec.kind in ("ref", "ref_list") else labels
        keys = list(names) if spec.kind in ("ref", "ref_list") else list(spec.choices)
        # A stored key the campaign no longer names stays choosable, so saving keeps it.
        stored = value if isinstance(value, list) else [value] if value else []
        keys += [key for key in stored if key not in keys]
        choices = [(key, names.get(key, key)) for key in keys]
        if spec.kind in ("list", "ref_list"):
            return forms.MultipleChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=stored,
                widget=forms.CheckboxSelectMultiple,
            )
        if spec.kind == "ref" and not spec.required:  # "" = not limited (to one phase)
            choices = [("", "—")] + choices
        return forms.ChoiceField(
            label=label, choices=choices, initial=value, required=spec.required or spec.kind != "ref"
        )
    if spec.kind == "int_list":
        return forms.CharField(
            label=label,
            initial=", ".join(str(v) for v in value or []),
            required=False,
            help_text=_("Numbers separated by commas"),
        )
    return forms.CharField(
        label=label,
        required=False,
        initial=", ".join(value) if isinstance(value, list) else (value or ""),
        help_text=_("Keys separated by commas") if spec.kind == "list" else "",
    )


class CampaignEditForm(forms.Form):
    """Dates, phase windows, rule parameters and which rules are on — with a reason."""

    name = forms.CharField(label=_("Name"), max_length=120)
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), required=False, widget=DATE)
    units = forms.ModelMultipleChoiceField(
        label=_("Participating units"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_(
            "Cadres of these units (and their sections) take part. None chosen: every unit in the region."
        ),
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=200)

    def __init__(self, *args, campaign, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["name"].initial = campaign.name
        self.fields["start"].initial = campaign.start
        self.fields["end"].initial = campaign.end
        if units is not None:
            self.fields["units"].queryset = units
        self.fields["units"].label_from_instance = unit_choice_label
        self.fields["units"].initial = list(campaign.units.values_list("pk", flat=True))
        self.phase_fields, self.rule_fields = [], []
        for phase in campaign.config.get("phases", []):
            names = (f"phase__{phase['key']}__start", f"phase__{phase['key']}__end")
            self.fields[names[0]] = forms.DateField(
                label=phase["name"], widget=DATE, initial=dates.stored(phase["start"])
            )
            self.fields[names[1]] = forms.DateField(
                label=phase["name"], widget=DATE, initial=dates.stored(phase["end"])
            )
            self.phase_fields.append((phase, self[names[0]], self[names[1]]))
        refs, labels = ref_names(campaign.config), choice_labels()
        for rule in campaign.config.get("rules", []):
            rule_type = RULE_TYPES[rule["type"]]
            bound = []
            enabled = f"rule__{rule['key']}__enabled"
            self.fields[enabled] = forms.BooleanField(
                label=_("On"), required=False, initial=not rule.get("disabled")
            )
            for name, spec in rule_type.params.items():
                field_name = f"rule__{rule['key']}__{name}"
                self.fields[field_name] = _param_field(
                    spec, rule.get("params", {}).get(name, spec.default), refs=refs, labels=labels
                )
                bound.append((name, spec, self[field_name]))
            self.rule_fields.append((rule, rule_type, self[enabled], bound))

    def changes(self) -> dict:
        data = self.cleaned_data
        phases = {
            phase["key"]: (data[f"phase__{phase['key']}__start"], data[f"phase__{phase['key']}__end"])
            for phase, _start, _end in self.phase_fields
        }
        params, enabled = {}, {}
        for rule, _type, _on, bound in self.rule_fields:
            enabled[rule["key"]] = data[f"rule__{rule['key']}__enabled"]
            for name, spec, _field in bound:
                value = data[f"rule__{rule['key']}__{name}"]
                if spec.kind in ("list", "ref_list") and isinstance(value, list):
                    value = list(value)
                elif spec.kind in ("list", "ref_list"):
                    value = [v.strip() for v in (value or "").replace("，", ",").split(",") if v.strip()]
                elif spec.kind == "int_list":
                    try:
                        value = [int(v) for v in (value or "").replace("，", ",").split(",") if v.strip()]
                    except ValueError:
                        value = value or ""
                elif spec.kind == "date":
                    value = value.isoformat() if value else None
                if value is None and spec.required:
                    continue
                params[(rule["key"], name)] = value
        return {
            "name": data["name"],
            "start": data["start"],
            "end": data.get("end"),
            "units": list(data.get("units") or []),
            "phases": phases,
            "params": params,
            "enabled": enabled,
            "reason": data["reason"],
        }


class PairingForm(forms.Form):
    cadre = forms.ModelChoiceField(label=_("Cadre"), queryset=Cadre.objects.none(), widget=FilterableSelect)
    kind = forms.ChoiceField(label=_("Kind"))
    slot = forms.ChoiceField(label=_("Slot"), required=False)
    household = forms.CharField(
        label=_("Household"),
        required=False,
        max_length=60,
        help_text=_(
            "For pairings with a household, or with one of its members: its number, "
            "or search by the head's name, pinyin initials or ID number"
        ),
    )
    member = forms.CharField(label=_("Member's name"), required=False, max_length=40)
    point = forms.ModelChoiceField(
        label=_("Liaison point"), required=False, queryset=LiaisonPoint.objects.none()
    )
    start = forms.DateField(label=_("From"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, campaign, cadres, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self.fields["cadre"].label_from_instance = cadre_choice_label
        self.fields["point"].queryset = points
        kinds = campaign.config.get("pairing_kinds", [])
        self.fields["kind"].choices = [(k["key"], k["name"]) for k in kinds]
        slots = [(s["key"], f"{k['name']}：{s['name']}") for k in kinds for s in k.get("slots", [])]
        if slots:
            self.fields["slot"].choices = [("", "—"), *slots]
        else:  # no kind of the campaign has slots (一联五's): no empty choice to offer
            del self.fields["slot"]
        # Suggestions while typing (htmx fills the datalist); the search also runs on save.
        self.fields["household"].widget.attrs.update(
            {
                "list": "household-options",
                "autocomplete": "off",
                "hx-get": reverse("programs:household-options", args=[campaign.pk]),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#household-options",
            }
        )


class PairingEndForm(forms.Form):
    end = forms.DateField(label=_("Until"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PairingWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=LiaisonPoint.Kind.choices)
    region = forms.ChoiceField(label=_("Region"))
    grade = forms.ChoiceField(label=_("Grade"), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)

    def __init__(self, *args, regions=(), grades=DEFAULT_GRADES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, ("　" * max(0, r.level - 3)) + r.name) for r in regions]
        # The grades some program in use has (the service checks the region's own).
        self.fields["grade"].choices = [("", "—"), *grade_choices(grades)]


class PointEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)


class PointRegradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("New grade"))
    graded_on = forms.DateField(label=_("Graded on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, grades=DEFAULT_GRADES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", "—"), *grade_choices(grades)]  # the point's region's grades


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Team.Kind.choices)
    leader = forms.ModelChoiceField(
        label=_("Team leader"), queryset=Cadre.objects.none(), required=False, widget=FilterableSelect
    )
    members = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("team", "Members"),
        queryset=Cadre.objects.none(),
        required=False,
        widget=FilterableSelectMultiple,
    )
    points = forms.ModelMultipleChoiceField(
        label=_("Points"), queryset=LiaisonPoint.objects.none(), required=False
    )

    def __init__(self, *args, cadres, points, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("leader", "members"):
            self.fields[name].queryset = cadres
            self.fields[name].label_from_instance = cadre_choice_label
        self.fields["points"].queryset = points
        self.fields["points"].label_from_instance = point_choice_label


class TeamDissolveForm(forms.Form):
    dissolved_on = forms.DateField(label=_("Dissolved on"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("For example: task completed, the campaign's field work has ended"),
    )


class PointRetireForm(forms.Form):
    retired_on = forms.DateField(label=_("Retired on"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("For example: merged into another village, the enterprise has closed"),
    )


class UnitPairingForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    point = forms.ModelChoiceField(label=_("Liaison point"), queryset=LiaisonPoint.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitPairing.Kind.choices)
    start = forms.DateField(label=_("From"), widget=DATE)

    def __init__(self, *args, units, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = unit_choice_label
        self.fields["point"].queryset = points


class HandoverForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=_("Successor"), queryset=Cadre.objects.none(), widget=FilterableSelect
    )
    on_date = forms.DateField(label=_("Handed over on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = cadres
        self.fields["successor"].label_from_instance = cadre_choice_label


class ProgramAddForm(forms.Form):
    """A new program's template: a file (.toml, as saved by any editor or Notepad) or the
    text pasted or corrected in the box; the file, when one is chosen, wins."""

    file = forms.FileField(label=_("Template file (.toml)"), required=False)
    text = forms.CharField(
        label=_("Or the template's text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
    )
