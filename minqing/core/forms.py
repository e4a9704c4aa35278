"""What pages share about forms."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError


class IsoDateInput(forms.DateInput):
    """A date box. Its value is always ISO text (2026-11-20), whatever the language: an
    <input type="date"> drops any other text, and Chinese's first input format is 2026/11/20,
    so a page in Chinese would open the box empty and a save would then lose the date. ISO with
    a four-digit year too (strftime writes the year 202 as "202"). Every date box of the
    project's forms is one of these."""

    input_type = "date"

    def format_value(self, value):
        if isinstance(value, dt.date):
            return value.isoformat()
        return super().format_value(value)


class TelInput(forms.TextInput):
    """A phone box: on a phone, <input type="tel"> (with inputmode=tel) opens the number pad."""

    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "tel", "autocomplete": "tel", **(attrs or {})})


def add_errors(form, exc: ValidationError) -> None:
    """A service's errors at the form's fields of the same name, the others above the form,
    so that a refused form is shown again as it was sent, each error where it belongs."""
    found = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    for field, errors in found.items():
        form.add_error(field if field in form.fields else None, errors)
