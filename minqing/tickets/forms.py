from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Priority, Satisfaction, Status, Tier


def _choices(empty, items):
    return [("", empty)] + list(items)


class TicketFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Code or title")}),
    )
    campaign = forms.TypedChoiceField(label=_("Campaign"), required=False, coerce=int, empty_value=None)
    ledger = forms.ChoiceField(label=_("Ledger"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_choices(_("Any status"), Status.choices)
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=_choices(_("Any tier"), Tier.choices))
    region = forms.ChoiceField(label=_("Region"), required=False)
    unit = forms.TypedChoiceField(label=_("Handling unit"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, campaigns=(), regions=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = _choices(_("Any campaign"), [(c.pk, c.name) for c in campaigns])
        ledgers, categories = {}, {}
        for c in campaigns:
            ledgers.update({item["key"]: item["name"] for item in c.config.get("ledgers", [])})
            categories.update({item["key"]: item["name"] for item in c.config.get("ticket_categories", [])})
        self.fields["ledger"].choices = _choices(_("Any ledger"), sorted(ledgers.items()))
        self.fields["category"].choices = _choices(_("Any category"), sorted(categories.items()))
        self.fields["region"].choices = _choices(
            _("All my regions"), [(r.prefix, ("　" * max(0, r.level - 3)) + r.name) for r in regions]
        )
        self.fields["unit"].choices = _choices(_("Any unit"), [(u.pk, u.name) for u in units])


class TicketForm(forms.Form):
    campaign = forms.TypedChoiceField(label=_("Campaign"), coerce=int)
    ledger = forms.ChoiceField(label=_("Ledger"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    channel = forms.ChoiceField(label=_("Channel"))
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    region = forms.ChoiceField(label=_("Village or community"))
    contact_name = forms.CharField(label=_("Contact name"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, initial=Tier.TOWNSHIP)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    case_owner = forms.CharField(label=_("Leader who owns the case (包案)"), max_length=60, required=False)
    parties = forms.CharField(label=_("Parties"), max_length=200, required=False)
    history = forms.CharField(
        label=_("Case history"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, campaigns=(), regions=(), channels=(), sensitive=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [(c.pk, c.name) for c in campaigns]
        ledgers, categories = {}, {}
        for c in campaigns:
            ledgers.update(
                {item["key"]: f"{item['name']}（{c.name}）" for item in c.config.get("ledgers", [])}
            )
            categories.update({item["key"]: item["name"] for item in c.config.get("ticket_categories", [])})
        self.fields["ledger"].choices = _choices("—", ledgers.items())
        self.fields["category"].choices = _choices("—", categories.items())
        self.fields["region"].choices = [(r.code, r.name) for r in regions]
        self.fields["channel"].choices = channels
        if not sensitive:
            for name in ("case_owner", "parties", "history"):
                del self.fields[name]


class PublicIntakeForm(forms.Form):
    """What the QR page asks: no ID number, ever."""

    name = forms.CharField(label=_("Your name"), max_length=40)
    phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    village = forms.ChoiceField(label=_("Village or community"))
    category = forms.ChoiceField(label=_("Kind of problem"), required=False)
    text = forms.CharField(
        label=_("What is the problem or request?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    photo = forms.ImageField(label=_("Photo (optional)"), required=False)

    def __init__(self, *args, villages=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(r.code, r.name) for r in villages]
        self.fields["category"].choices = _choices("—", categories)


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "MQ-2026-000123", "autocapitalize": "characters"}),
    )
    last4 = forms.RegexField(
        label=_("Last four digits of your phone"),
        regex=r"^\d{4}$",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
    )


class RateForm(TrackForm):
    resolved = forms.TypedChoiceField(
        label=_("Was the problem resolved?"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything to add"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TicketActForm(forms.Form):
    """What the detail page's workflow forms send; the services judge it (a reason is
    required for some steps only), so a refusal comes back beside the field it concerns."""

    reply = forms.CharField(required=False, strip=False)
    reason = forms.CharField(required=False, strip=False)
    into = forms.CharField(required=False, max_length=20)
    unit = forms.CharField(required=False)
    tier = forms.CharField(required=False)
    leader = forms.CharField(required=False)
    resolved = forms.CharField(required=False)
    satisfaction = forms.CharField(required=False)
    note = forms.CharField(required=False, strip=False)
