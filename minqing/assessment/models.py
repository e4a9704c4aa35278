"""Composite assessment (weights per campaign, versioned; results stored per period),
recall (召回) with its workflow, and leaders' records (weekly record, quarterly report)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WeightSet(models.Model):
    """The weights of the components for a campaign, from a date on. A period is assessed
    with the newest version in force at the period's start, so a change from next year on
    leaves this year's figures alone; versions are never edited, only added."""

    campaign = models.ForeignKey(
        "programs.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="weight_sets"
    )
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("in force from"))
    weights = models.JSONField(_("weights"), default=dict)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("weight set")
        verbose_name_plural = _("weight sets")
        ordering = ["campaign_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="assessment_weights_version")
        ]

    def __str__(self):
        return f"{self.campaign} v{self.version}"


class AssessmentRun(models.Model):
    """One assessment of every cadre of a campaign for a period, with the weights used."""

    campaign = models.ForeignKey(
        "programs.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="assessments"
    )
    period = models.CharField(_("period"), max_length=10)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    weight_set = models.ForeignKey(WeightSet, on_delete=models.PROTECT, related_name="runs")
    weights = models.JSONField(_("weights"), default=dict)
    components = models.JSONField(_("components"), default=list)
    cadre_count = models.PositiveIntegerField(default=0)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["campaign_id", "-period", "-run_at", "-id"]
        indexes = [models.Index(fields=["campaign", "period", "run_at"], name="assessment_run_period")]

    def __str__(self):
        return f"{self.campaign} {self.period}"


class AssessmentResult(models.Model):
    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="results")
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="assessments"
    )
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    parts = models.JSONField(_("components"), default=dict)
    total = models.FloatField(_("composite score"), null=True, blank=True)
    rank_campaign = models.PositiveIntegerField(_("rank in the campaign"), null=True, blank=True)
    rank_unit = models.PositiveIntegerField(_("rank in the unit"), null=True, blank=True)
    weights_version = models.PositiveIntegerField(_("weights version"))

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        ordering = ["run_id", "rank_campaign", "id"]
        indexes = [models.Index(fields=["cadre", "run"], name="assessment_result_cadre")]
        constraints = [models.UniqueConstraint(fields=["run", "cadre"], name="assessment_result_once")]

    def __str__(self):
        return f"{self.cadre} {self.total}"


class RecallRule(models.Model):
    """When a cadre of the campaign is at risk of recall; an empty threshold is off."""

    campaign = models.OneToOneField(
        "programs.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="recall_rule"
    )
    resident_score_below = models.FloatField(_("residents' score below"), null=True, blank=True)
    absences_at_least = models.PositiveIntegerField(_("unexcused absences, at least"), null=True, blank=True)
    composite_below = models.FloatField(_("composite score below"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("recall rule")
        verbose_name_plural = _("recall rules")

    def __str__(self):
        return str(self.campaign)


class Recall(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CARRIED_OUT = "carried_out", _("Carried out")

    campaign = models.ForeignKey(
        "programs.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="recalls"
    )
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="recalls"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    reasons = models.JSONField(_("reasons"), default=list)
    note = models.TextField(_("note"), blank=True)
    successor = models.ForeignKey(
        "org.Cadre",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recalls_succeeded",
    )
    handover = models.ForeignKey(
        "programs.Handover", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moved = models.JSONField(_("handed over"), default=dict, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_out_on = models.DateField(_("carried out on"), null=True, blank=True)

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        ordering = ["-proposed_at", "-id"]

    def __str__(self):
        return f"{self.cadre} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.APPROVED)


class RecallEvent(models.Model):
    """One step of a recall: who, when, from which status to which, and why."""

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("recall event")
        verbose_name_plural = _("recall events")
        ordering = ["recall_id", "at", "id"]

    ACTIONS = {
        "propose": _("Proposed for recall"),
        "approve": _("Approved by the leading group"),
        "reject": _("Rejected by the leading group"),
        "carry_out": _("Carried out"),
    }

    def __str__(self):
        return f"{self.recall_id} {self.action}"

    @property
    def action_label(self) -> str:
        return str(self.ACTIONS.get(self.action, self.action))

    @property
    def from_label(self) -> str:
        return Recall.Status(self.from_status).label if self.from_status in Recall.Status.values else ""

    @property
    def to_label(self) -> str:
        return (
            Recall.Status(self.to_status).label if self.to_status in Recall.Status.values else self.to_status
        )


class LeaderRecord(models.Model):
    """A leader's weekly work record (每周工作记录) or quarterly report to the standing
    committee (向常委会专题汇报), drafted from the leader's own records, then edited and submitted."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly work record")
        QUARTERLY = "quarterly", _("Quarterly report to the standing committee")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("leader"), on_delete=models.PROTECT, related_name="leader_records"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    figures = models.JSONField(_("figures"), default=dict)
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("leader's record")
        verbose_name_plural = _("leaders' records")
        ordering = ["-start", "cadre_id"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "kind", "start"], name="assessment_leader_record_once")
        ]

    def __str__(self):
        return f"{self.cadre} {self.get_kind_display()} {self.start}"
