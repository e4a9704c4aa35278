from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.forms import IsoDateInput, TelInput

from .models import Priority, Satisfaction, Status, Tier
from .services import demand_ledgers, ticket_categories


def _choices(empty, items):
    return [("", empty)] + list(items)


def village_choices(villages) -> list:
    """Villages grouped by township (<optgroup>), the county named too when they lie in more
    than one, so that a village is found among those of its own township (load parent__parent)."""
    villages = list(villages)
    counties = {v.parent.parent_id for v in villages if v.parent_id}
    groups: dict[str, list] = {}
    for village in villages:
        township = village.parent
        if township is None:
            label = "—"
        elif len(counties) > 1 and township.parent_id:
            label = f"{township.parent.name} · {township.name}"
        else:
            label = township.name
        groups.setdefault(label, []).append((village.code, village.name))
    return list(groups.items())


class FollowingSelect(forms.Select):
    """A list whose options belong to what is chosen in another list of the form (a
    campaign's ledgers): the page's script offers only those of the choice made there.
    `owners` maps an option's value to the values of the other list it belongs to."""

    def __init__(self, follows: str, attrs=None):
        super().__init__({"data-follows": f"id_{follows}", **(attrs or {})})
        self.owners: dict[str, list] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in (None, ""):
            option["attrs"]["data-for"] = " ".join(str(o) for o in self.owners.get(str(value), ()))
        return option


class TicketFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Code or title")}),
    )
    campaign = forms.TypedChoiceField(label=_("Campaign"), required=False, coerce=int, empty_value=None)
    # With a campaign chosen, only its ledgers and categories are offered; with none, all.
    ledger = forms.ChoiceField(
        label=_("Ledger"), required=False, widget=FollowingSelect("campaign", {"data-follows-any": ""})
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, widget=FollowingSelect("campaign", {"data-follows-any": ""})
    )
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
        owners = {"ledger": {}, "category": {}}
        for c in campaigns:
            for name, items, found in (
                ("ledger", demand_ledgers(c), ledgers),
                ("category", ticket_categories(c), categories),
            ):
                for item in items:
                    found[item["key"]] = item["name"]
                    owners[name].setdefault(item["key"], []).append(c.pk)
        self.fields["ledger"].widget.owners = owners["ledger"]
        self.fields["category"].widget.owners = owners["category"]
        self.fields["ledger"].choices = _choices(_("Any ledger"), sorted(ledgers.items()))
        self.fields["category"].choices = _choices(_("Any category"), sorted(categories.items()))
        self.fields["region"].choices = _choices(
            _("All my regions"), [(r.prefix, ("　" * max(0, r.level - 3)) + r.name) for r in regions]
        )
        self.fields["unit"].choices = _choices(_("Any unit"), [(u.pk, u.name) for u in units])


class TicketForm(forms.Form):
    campaign = forms.TypedChoiceField(
        label=_("Campaign"),
        coerce=int,
        error_messages={
            "required": _("Choose the campaign the demand belongs to."),
            "invalid_choice": _("You may not register demands for this campaign; choose one from the list."),
        },
    )
    ledger = forms.ChoiceField(label=_("Ledger"), required=False, widget=FollowingSelect("campaign"))
    category = forms.ChoiceField(label=_("Category"), required=False, widget=FollowingSelect("campaign"))
    channel = forms.ChoiceField(label=_("Channel"))
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    region = forms.ChoiceField(
        label=_("Village or community"),
        error_messages={
            "required": _("Choose the village or community where the problem is."),
            "invalid_choice": _("You may not register demands for this village; choose one from the list."),
        },
    )
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

    def __init__(
        self, *args, campaigns=(), villages=(), channels=(), sensitive=False, campaign=None, **kwargs
    ):
        """`campaign`: the id of the campaign the page was opened for (?campaign=), chosen
        when it is one of `campaigns`."""
        super().__init__(*args, **kwargs)
        self.campaigns = {c.pk: c for c in campaigns}
        # Chosen for the staff member only when there is no other to choose, or the page was
        # opened for it: a demand left on the list's first campaign would be filed under the
        # wrong one. Otherwise the list opens on an empty, required choice.
        choices = [(c.pk, c.name) for c in campaigns]
        if len(self.campaigns) == 1:
            self.fields["campaign"].choices = choices
            self.fields["campaign"].initial = choices[0][0]
        else:
            self.fields["campaign"].choices = _choices(_("Choose a campaign"), choices)
            if campaign in self.campaigns:
                self.fields["campaign"].initial = campaign
        for name, of in (("ledger", demand_ledgers), ("category", ticket_categories)):
            # One option per key; the script offers it with the campaigns that have it. A
            # campaign's ledgers of deeds or households list no demands: not offered.
            items: dict[str, str] = {}
            owners: dict[str, list] = {}
            for c in campaigns:
                for item in of(c):
                    items.setdefault(item["key"], item["name"])
                    owners.setdefault(item["key"], []).append(c.pk)
            self.fields[name].choices = _choices("—", items.items())
            self.fields[name].widget.owners = owners
        self.villages = {v.code: v for v in villages}
        # An empty choice first, as on the public intake: a demand left on the list's first
        # village would be filed for the wrong one.
        self.fields["region"].choices = (
            _choices(_("Choose a village or community"), village_choices(self.villages.values()))
            if self.villages
            else []
        )
        self.fields["channel"].choices = channels
        if not sensitive:
            for name in ("case_owner", "parties", "history"):
                del self.fields[name]

    def clean(self):
        """The ledger and the category must be the chosen campaign's own: said here with the
        campaign's name (the service checks them too, naming only their keys)."""
        data = super().clean()
        campaign = self.campaigns.get(data.get("campaign"))
        if campaign is None:
            return data
        name = {"campaign": campaign.name}
        for field, of, message in (
            (
                "ledger",
                demand_ledgers,
                _("The campaign “%(campaign)s” keeps no such ledger; choose one of its own."),
            ),
            (
                "category",
                ticket_categories,
                _("The campaign “%(campaign)s” has no such category; choose one of its own."),
            ),
        ):
            key = data.get(field)
            if key and key not in {item["key"] for item in of(campaign)}:
                self.add_error(field, message % name)
        return data


class PublicIntakeForm(forms.Form):
    """What the QR page asks: no ID number, ever."""

    name = forms.CharField(label=_("Your name"), max_length=40)
    phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        widget=TelInput(),
    )
    village = forms.ChoiceField(
        label=_("Village or community"),
        error_messages={
            "required": _("Choose the village or community where the problem is."),
            "invalid_choice": _("Choose the village or community where the problem is."),
        },
    )
    category = forms.ChoiceField(label=_("Kind of problem"), required=False)
    text = forms.CharField(
        label=_("What is the problem or request?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    photo = forms.ImageField(label=_("Photo (optional)"), required=False)

    def __init__(self, *args, villages=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        # An empty choice first: a resident in a hurry who leaves the list alone must choose,
        # not file into the first village of the county (a card's scan chooses its point's).
        self.fields["village"].choices = _choices(
            _("Choose a village or community"), village_choices(villages)
        )
        if categories:
            self.fields["category"].choices = _choices("—", categories)
        else:
            # Categories are a campaign's own: a page opened without one has none to offer.
            del self.fields["category"]


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
    ledger = forms.CharField(required=False, max_length=40)
    category = forms.CharField(required=False, max_length=40)
    resolved = forms.CharField(required=False)
    satisfaction = forms.CharField(required=False)
    note = forms.CharField(required=False, strip=False)
    new_deadline = forms.DateField(
        required=False,
        widget=IsoDateInput,
        error_messages={"invalid": _("Give the new last day as a date.")},
    )
