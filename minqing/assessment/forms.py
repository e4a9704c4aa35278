"""The assessment pages' forms: they keep what was typed so that a refused form comes back
as it was sent; the services judge the values and say which field is wrong."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _day(text: str, message) -> dt.date:
    """A YYYY-MM-DD day; today when empty."""
    try:
        return dt.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        raise ValidationError(message) from None


class AssessmentRunForm(forms.Form):
    period = forms.CharField(required=False, max_length=10)


class RecallRuleForm(forms.Form):
    resident_score_below = forms.CharField(required=False, max_length=20)
    absences_at_least = forms.CharField(required=False, max_length=20)
    composite_below = forms.CharField(required=False, max_length=20)


class RecallActForm(forms.Form):
    """Approve, reject or carry out a recall."""

    reason = forms.CharField(required=False, max_length=500)
    successor = forms.CharField(required=False)
    on_date = forms.CharField(required=False)

    def clean_on_date(self) -> dt.date:
        return _day(self.cleaned_data["on_date"], _("Give the date of the handover as YYYY-MM-DD."))


class LeaderRecordDraftForm(forms.Form):
    kind = forms.CharField(required=False)
    day = forms.CharField(required=False)

    def clean_day(self) -> dt.date:
        return _day(self.cleaned_data["day"], _("Give a day of the week or quarter as YYYY-MM-DD."))


class LeaderRecordWriteForm(forms.Form):
    """A leader's weekly work record: a day of the week (its Monday or any other) and the text."""

    day = forms.CharField(required=False)
    text = forms.CharField(required=False, max_length=20000)
    version = forms.CharField(required=False)

    def clean_day(self) -> dt.date:
        return _day(self.cleaned_data["day"], _("Give a day of the week as YYYY-MM-DD."))

    def clean_version(self) -> int | None:
        value = (self.cleaned_data["version"] or "").strip()
        return int(value) if value.isdigit() else None
