"""Demands (诉求): every problem a tracked ticket with its full event history."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.core.identity import mask_text_identifiers
from minqing.core.personal import EncryptedField, LookupHashField, Phone


class Status(models.TextChoices):
    # The ledgers' columns of the same English words are dates (登记日期, 回复日期).
    REGISTERED = "registered", pgettext_lazy("ticket status", "Registered")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", pgettext_lazy("ticket status", "Replied")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    ESCALATED = "escalated", _("Escalated")
    RETURNED = "returned", _("Returned")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged")


class Tier(models.TextChoices):
    ON_SPOT = "on_spot", _("Resolved on the spot")
    TOWNSHIP = "township", _("Resolved by the township")
    ESCALATED = "escalated", _("Escalated for coordination")


class Channel(models.TextChoices):
    VISIT = "visit", _("Visit")
    FEEDBACK = "feedback", _("Feedback form")
    RECEPTION = "reception", _("Reception day")
    OFFICE = "office", _("Campaign office")
    QR = "qr", _("Public QR page")
    OPEN311 = "open311", _("Open311")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    URGENT = 3, _("Urgent")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


# Statuses in which the ticket waits for a handling unit to claim it.
CLAIMABLE = (Status.REGISTERED, Status.ESCALATED, Status.REOPENED)
# Statuses in which nobody has to act any more.
FINISHED = (Status.REPLIED, Status.VERIFIED, Status.CLOSED, Status.MERGED)


class Ticket(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    campaign = models.ForeignKey(
        "programs.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    ledger = models.CharField(_("ledger"), max_length=40, blank=True)
    category = models.CharField(_("category"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.OFFICE)
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    contact_name = models.CharField(_("contact name"), max_length=40, blank=True)
    contact_phone = EncryptedField(_("contact phone"), value_class=Phone)
    contact_phone_hash = LookupHashField(source="contact_phone")
    # The last four digits, kept apart so that public tracking needs no decryption.
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    point = models.ForeignKey(
        "programs.LiaisonPoint",
        verbose_name=_("liaison point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    photo = models.FileField(_("photo"), upload_to="tickets/%Y/%m/", blank=True)
    lat = models.FloatField(null=True, blank=True)
    long = models.FloatField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices, default=Tier.TOWNSHIP)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("handling unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets_owned",
    )
    leader = models.ForeignKey(
        "org.Cadre",
        verbose_name=_("leader in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets_led",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # Seconds from registration to the first acceptance, kept so that the response rate is
    # an integer comparison (date arithmetic is a Python function per row on SQLite).
    response_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    resolved = models.BooleanField(_("resolved"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The ledger's own fields (from the campaign's template) that anyone who sees the ticket may read …
    extra = models.JSONField(_("ledger fields"), default=dict, blank=True)
    # … and those of petition and dispute cases (包案 leader, parties, history): tickets.sensitive only.
    sensitive = models.JSONField(_("case fields"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["region", "registered_at"], name="tickets_region_at"),
            models.Index(fields=["unit", "status"], name="tickets_unit_status"),
            models.Index(fields=["status", "deadline"], name="tickets_status_deadline"),
            models.Index(fields=["campaign", "ledger"], name="tickets_campaign_ledger"),
            models.Index(fields=["owner", "status"], name="tickets_owner_status"),
            models.Index(fields=["registered_at"], name="tickets_registered_at"),
            # A campaign's demands registered in a period, for the dashboard (made by figures 0002).
            models.Index(fields=["campaign", "registered_at"], name="tickets_campaign_registered"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def masked_description(self) -> str:
        """The description as pages, the API, the feed and masked exports show it: the phone
        and ID numbers a resident wrote into it masked, as the contact phone is."""
        return mask_text_identifiers(self.description)

    @property
    def masked_reply(self) -> str:
        """The handling unit's reply as pages, the tracking page, the API and the feed show
        it: an answer often names the resident, their phone or ID number (masked)."""
        return mask_text_identifiers(self.reply)

    @property
    def is_overdue(self) -> bool:
        if self.status in FINISHED:
            return bool(self.replied_at and self.replied_at > self.deadline)
        return timezone.now() > self.deadline

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.CLOSED, Status.MERGED)


class TicketEvent(models.Model):
    """One change of a ticket: who, when, from which status to which, and why."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=80, blank=True)
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("demand event")
        verbose_name_plural = _("demand events")
        ordering = ["ticket_id", "at", "id"]
        # The few escalations and reopenings of a campaign's demands, found without reading
        # every event of its demands (the tickets.deadlines rule).
        indexes = [models.Index(fields=["action", "ticket"], name="tickets_event_action")]

    def __str__(self):
        return f"{self.ticket_id} {self.action}"

    @property
    def masked_reason(self) -> str:
        """The reason (or a follow-up's note) as the ticket's page shows it, numbers masked."""
        return mask_text_identifiers(self.reason)


class DeadlineExtension(models.Model):
    """延期: the handling unit asks for a later deadline, with a reason; an account that may
    dispatch the ticket approves (the ticket's deadline moves) or refuses, with a reason.
    A request still pending when the ticket leaves its unit's hands (replied, escalated,
    returned, merged) lapses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        LAPSED = "lapsed", _("Lapsed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("reason"))
    old_deadline = models.DateTimeField(_("deadline before"))
    new_deadline = models.DateTimeField(_("deadline asked for"))
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["ticket_id", "requested_at", "id"]
        constraints = [
            # At most one request waits per ticket (the service says so first, in words).
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(status="pending"), name="tickets_one_pending_extension"
            )
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="tickets_extension_status")]

    def __str__(self):
        return f"{self.ticket_id} {self.status}"

    @property
    def masked_reason(self) -> str:
        return mask_text_identifiers(self.reason)

    @property
    def masked_decision_reason(self) -> str:
        return mask_text_identifiers(self.decision_reason)


class TicketSequence(models.Model):
    """The last number given per year, locked while a code is taken (readable codes MQ-2026-000123)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"
