from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from minqing.core.forms import IsoDateInput

from .models import HardshipLevel, Tag

HARDSHIP_FILTER = [("", _("Any level")), ("any", _("Any hardship"))] + [
    (str(value), label) for value, label in HardshipLevel.choices
]


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, pinyin, ID number or phone")}
        ),
    )
    region = forms.CharField(
        label=_("Region"),
        required=False,
        max_length=15,
        widget=forms.Select,
        validators=[RegexValidator(r"^\d{2,15}$", _("Choose a region from the list."))],
    )
    hardship = forms.ChoiceField(label=_("Hardship level"), required=False, choices=HARDSHIP_FILTER)
    tag = forms.ChoiceField(label=_("Tag"), required=False, choices=[("", _("Any tag"))] + list(Tag.choices))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = [("", _("All my regions"))] + [
            (r.prefix, ("　" * max(0, r.level - 3)) + r.name) for r in regions
        ]

    def hardship_value(self):
        value = self.cleaned_data.get("hardship") or ""
        return None if value == "" else ("any" if value == "any" else int(value))


class RevealForm(forms.Form):
    member = forms.IntegerField()
    field = forms.ChoiceField(choices=[("id_number", _("ID number")), ("phone", _("phone"))])
    reason = forms.CharField(label=_("Reason"), max_length=200, min_length=4)


class RegradeForm(forms.Form):
    level = forms.TypedChoiceField(label=_("New hardship level"), choices=HardshipLevel.choices, coerce=int)
    graded_on = forms.DateField(label=_("Graded on"), widget=IsoDateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)
