from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.core import context
from minqing.core.forms import IsoDateInput
from minqing.core.roles import Role

from . import locks
from .models import Lock

GENERIC_LOGIN_ERROR = _(
    "Sign-in failed. Check the username and password; after repeated failures sign-in is locked for a while."
)


class LoginForm(AuthenticationForm):
    """One message whatever went wrong (unknown name, wrong password, disabled, locked), so
    that the page tells an attacker nothing."""

    error_messages = {"invalid_login": GENERIC_LOGIN_ERROR, "inactive": GENERIC_LOGIN_ERROR}

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if username and self.cleaned_data.get("password"):
            ip = context.current().ip
            if locks.is_locked(Lock.Kind.USERNAME, username.lower()) or locks.is_locked(Lock.Kind.IP, ip):
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": username},
                    request=self.request,
                    minqing_locked=True,
                )
                raise ValidationError(GENERIC_LOGIN_ERROR, code="invalid_login")
        return super().clean()


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("one-time code", "Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class AccountCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]{3,150}$",
        error_messages={"invalid": _("Use 3 or more letters, digits or _ . @ + -.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=60)


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. auth. or personal.unmask")}),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=IsoDateInput())


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    regions = forms.CharField(
        label=_("Region codes"),
        required=False,
        max_length=2000,
        help_text=_(
            "12-digit division codes, separated by spaces or commas; each reaches its whole subtree."
        ),
    )
    units = forms.CharField(
        label=_("Unit numbers"),
        required=False,
        max_length=2000,
        help_text=_("Unit numbers, separated by spaces or commas; each reaches its sections too."),
    )
    own_records = forms.BooleanField(label=_("Own records"), required=False)
    can_unmask = forms.BooleanField(label=_("May unmask personal data"), required=False)

    @staticmethod
    def _split(value: str) -> list[str]:
        return [v for v in value.replace(",", " ").replace("，", " ").split() if v]

    def clean_regions(self):
        from minqing.geo.models import Region

        codes = self._split(self.cleaned_data["regions"])
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationError(_("Unknown region codes: %(codes)s") % {"codes": ", ".join(missing)})
        return [found[c] for c in codes]

    def clean_units(self):
        from minqing.org.models import Unit

        ids = self._split(self.cleaned_data["units"])
        if not all(i.isdigit() for i in ids):
            raise ValidationError(_("Unit numbers are digits."))
        found = {str(u.pk): u for u in Unit.objects.filter(pk__in=[int(i) for i in ids])}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError(_("Unknown unit numbers: %(ids)s") % {"ids": ", ".join(missing)})
        return [found[i] for i in ids]
