"""Forms of the appraisal pages; each parses input for one service call."""

from django import forms
from django.utils.translation import gettext_lazy as _

WHOLE_NUMBER = {"invalid": _("Give the number of households or the share as a whole number.")}


class RoundDrawForm(forms.Form):
    """Drawing a sample (the campaign is chosen apart: one out of sight is a 404); the
    service checks the period and the ranges."""

    period = forms.CharField(label=_("Period"), max_length=20)
    per_cadre = forms.IntegerField(
        label=_("Households per cadre"), required=False, error_messages=WHOLE_NUMBER
    )
    share = forms.IntegerField(
        label=_("or a share of each cadre's households (%)"), required=False, error_messages=WHOLE_NUMBER
    )
