from django import forms


class FullExportForm(forms.Form):
    """The reason for a ledger with identifiers in full. The service judges it, after it has
    checked (and audited) that the user may unmask at all: no check of the form comes first."""

    reason = forms.CharField(required=False, strip=False)
