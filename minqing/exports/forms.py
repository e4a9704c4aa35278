from django import forms


class ExportRequestForm(forms.Form):
    """The reason for a full export; the service says when it is too short."""

    reason = forms.CharField(required=False, max_length=200, strip=False)
