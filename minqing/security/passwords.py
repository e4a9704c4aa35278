"""The password policy (MLPS level 3): length by role, character classes, no username,
not common, not one of the last few; administrators change theirs every 90 days."""

import datetime as dt
import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def is_admin_account(user) -> bool:
    """Holds one of the three administrator roles (or is about to be given one)."""
    if user is None:
        return False
    if getattr(user, "_minqing_admin_intent", False):
        return True
    if not getattr(user, "pk", None):
        return False
    from minqing.core.scope import scope_for

    return scope_for(user).is_admin


def min_length_for(user) -> int:
    return settings.PASSWORD_ADMIN_MIN_LENGTH if is_admin_account(user) else settings.PASSWORD_MIN_LENGTH


class RoleLengthValidator:
    """8 characters, 12 for administrators."""

    def validate(self, password, user=None):
        minimum = min_length_for(user)
        if len(password) < minimum:
            raise ValidationError(
                ngettext(
                    "The password must have at least %(n)d character.",
                    "The password must have at least %(n)d characters.",
                    minimum,
                )
                % {"n": minimum},
                code="password_too_short",
            )

    def get_help_text(self):
        return _("At least %(n)d characters (%(admin)d for administrators).") % {
            "n": settings.PASSWORD_MIN_LENGTH,
            "admin": settings.PASSWORD_ADMIN_MIN_LENGTH,
        }


def character_classes(password: str) -> int:
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not c.isalnum() or c in string.punctuation for c in password)
    return sum((lower, upper, digit, other))


class CharacterClassValidator:
    """At least 3 of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(n)d of: lower-case letters, upper-case letters, "
                    "digits, other characters."
                )
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("A mix of at least %(n)d of: lower-case, upper-case, digits, other characters.") % {
            "n": self.min_classes
        }


class UsernameNotContainedValidator:
    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in password.lower():
            raise ValidationError(
                _("The password must not contain the username."), code="password_contains_username"
            )

    def get_help_text(self):
        return _("Not containing your username.")


class HistoryValidator:
    """Not the current password nor one of the last PASSWORD_HISTORY ones."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        from minqing.org.models import Account

        from .models import PasswordHistory

        previous = list(
            PasswordHistory.objects.filter(account_id=user.pk).values_list("password", flat=True)[
                : settings.PASSWORD_HISTORY
            ]
        )
        current = Account.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current:
            previous.insert(0, current)
        if any(check_password(password, encoded) for encoded in previous[: settings.PASSWORD_HISTORY]):
            raise ValidationError(
                ngettext(
                    "The password must differ from your last password.",
                    "The password must differ from your last %(n)d passwords.",
                    settings.PASSWORD_HISTORY,
                )
                % {"n": settings.PASSWORD_HISTORY},
                code="password_reused",
            )

    def get_help_text(self):
        return _("Not one of your last %(n)d passwords.") % {"n": settings.PASSWORD_HISTORY}


def password_expired(user) -> bool:
    """Administrators change their password every PASSWORD_ADMIN_MAX_AGE_DAYS days
    (demo accounts excepted)."""
    if user.is_demo or not is_admin_account(user):
        return False
    if user.password_changed_at is None:
        return True
    age = dt.timedelta(days=settings.PASSWORD_ADMIN_MAX_AGE_DAYS)
    return timezone.now() - user.password_changed_at > age


def password_change_required(user) -> bool:
    """Demo accounts are created without the flag (they share the demo password on
    purpose); a reset sets it on any account."""
    return user.must_change_password or password_expired(user)
