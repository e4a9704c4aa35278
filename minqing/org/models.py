import hashlib
import secrets
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core.personal import EncryptedField, LookupHashField, Phone
from minqing.core.roles import Role


class Account(AbstractUser):
    """A person who signs in: a cadre, an office worker, an administrator."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set for a new account and after a reset: the next sign-in asks for a new password."),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Changes whenever the account's grants change (core.scope caches a scope under it).
    scope_key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username


def unit_label(name: str, parent_name: str | None = "") -> str:
    """A unit named with its parent unit ("民政局·办公室"), for rows read with values_list."""
    return f"{parent_name}·{name}" if parent_name else name


class Unit(models.Model):
    """A government body or one of its sections; `path` is the concatenation of the
    6-digit ids from the root, so its prefixes are the unit's ancestors."""

    class Kind(models.TextChoices):
        BODY = "body", _("Government body")
        SECTION = "section", _("Section")
        TOWNSHIP = "township", _("Township government")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.BODY)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="units"
    )
    path = models.CharField(max_length=120, db_index=True, editable=False, default="")
    sort = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The name as lists and pickers show it: a section with its parent unit's name, since
        the sections of different bodies share names (办公室, 综合股). Load the parent with it."""
        return unit_label(self.name, self.parent.name if self.parent_id else "")

    @property
    def depth(self) -> int:
        return len(self.path) // 6

    def compute_path(self) -> str:
        own = f"{self.pk:06d}"
        return (self.parent.path if self.parent_id else "") + own


class Cadre(models.Model):
    """The official behind an account: unit, post, rank and flags."""

    class Rank(models.TextChoices):
        PRINCIPAL = "principal", _("Principal")
        MEMBER = "member", _("Leadership member")
        SECTION_HEAD = "section_head", _("Section head")
        STAFF = "staff", _("Staff")

    account = models.OneToOneField(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="cadre"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cadres")
    post = models.CharField(_("post"), max_length=60, blank=True)
    rank = models.CharField(_("rank"), max_length=16, choices=Rank.choices, default=Rank.STAFF)
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_sanmen = models.BooleanField(
        _("'three-gate' cadre"),
        default=False,
        help_text=_("Young cadre gone from home to school to office, without grassroots experience."),
    )
    phone = EncryptedField(_("phone"), value_class=Phone)
    phone_hash = LookupHashField(source="phone")

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["unit__path", "id"]

    def __str__(self):
        return str(self.account)


class Grant(models.Model):
    """A role held by an account, with the data it reaches. An account's scope is the
    union of its grants; with no grant it sees nothing."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    regions = models.ManyToManyField(
        "geo.Region", verbose_name=_("region subtrees"), blank=True, related_name="+"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("unit subtrees"), blank=True, related_name="+")
    own_records = models.BooleanField(
        _("own records"),
        default=False,
        help_text=_("The targets the account is paired with and the records it made."),
    )
    can_unmask = models.BooleanField(_("may unmask personal data"), default=False)
    created_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["account", "role"], name="org_grant_one_per_role")]

    def __str__(self):
        return f"{self.account} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for API v1. Only its SHA-256 is kept; the token is shown once."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="tokens"
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.account})"

    STATES = {
        "active": _("active"),
        "revoked": _("revoked"),
        "account_disabled": _("account disabled"),
    }

    @property
    def state(self) -> str:
        """active, revoked, or account_disabled (refused too: authentication reads the account)."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.account.is_active else "account_disabled"

    @property
    def state_label(self) -> str:
        return self.STATES[self.state]

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return "mq_" + secrets.token_urlsafe(32)
