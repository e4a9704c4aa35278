"""Judgement of the cadres: residents' appraisal (群众评议) drawn from the cadres' paired
households, inspections (督查) with follow-up actions, and exemplary cases (先进典型)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


# The residents' score of one answer, 0–100.
VERDICT_POINTS = {Verdict.SATISFIED: 100, Verdict.BASIC: 60, Verdict.UNSATISFIED: 0}


class AppraisalRound(models.Model):
    """One period's appraisal of a campaign's cadres: the questions asked (copied from the
    campaign, so a later change never alters a round), the seed the sample was drawn with,
    and whether the publication list (公示) has been released."""

    class Status(models.TextChoices):
        OPEN = "open", _("Collecting answers")
        RELEASED = "released", _("Published")

    campaign = models.ForeignKey(
        "programs.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="appraisal_rounds",
    )
    period = models.CharField(_("period"), max_length=10)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    questions = models.JSONField(_("questions"), default=list)
    per_cadre = models.PositiveIntegerField(_("households per cadre"))
    # Instead of a number, a share of each cadre's households (percent, at least one household).
    share = models.PositiveSmallIntegerField(_("share of households (%)"), null=True, blank=True)
    seed = models.BigIntegerField(_("seed"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appraisal round")
        verbose_name_plural = _("appraisal rounds")
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "period"], name="appraisal_round_one_per_period")
        ]

    def __str__(self):
        return f"{self.campaign} · {self.period}"

    @property
    def period_text(self) -> str:
        """The period as people read it (2026年第二季度), not as stored (2026-Q2)."""
        from .documents import period_text

        return period_text(self.period)


class Sample(models.Model):
    """One household drawn for one cadre in a round, and its answer (by phone callback or
    through a one-time link). Never shown to the cadre it is about."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone callback")
        LINK = "link", _("One-time link")

    class Status(models.TextChoices):
        PENDING = "pending", _("Not asked yet")
        ANSWERED = "answered", _("Answered")
        UNREACHABLE = "unreachable", _("Not reached")
        DECLINED = "declined", _("Declined to answer")

    round = models.ForeignKey(AppraisalRound, on_delete=models.CASCADE, related_name="samples")
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="appraisal_samples"
    )
    pairing = models.ForeignKey(
        "programs.Pairing", on_delete=models.PROTECT, related_name="appraisal_samples"
    )
    household = models.ForeignKey(
        "people.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    verdict = models.CharField(_("overall verdict"), max_length=12, choices=Verdict.choices, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sampled household")
        verbose_name_plural = _("sampled households")
        ordering = ["round_id", "cadre_id", "position"]
        indexes = [models.Index(fields=["round", "cadre"], name="appraisal_sample_cadre")]
        constraints = [
            models.UniqueConstraint(fields=["round", "pairing"], name="appraisal_sample_once"),
            models.CheckConstraint(
                condition=Q(status="answered", verdict__in=list(Verdict.values)) | ~Q(status="answered"),
                name="appraisal_sample_answer_has_verdict",
            ),
        ]

    def __str__(self):
        return f"{self.round} · {self.cadre} · {self.position}"


class AppraisalLink(models.Model):
    """A one-time link (and its QR code) to a sampled household's questionnaire. Only the
    SHA-256 of the token is kept; it works once and until it expires."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="links")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("appraisal link")
        verbose_name_plural = _("appraisal links")

    def __str__(self):
        return f"{self.sample_id} · {self.created_at:%Y-%m-%d}"


class Rating(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fairly good")
    AVERAGE = "average", _("Average")
    POOR = "poor", _("Poor")


# An inspection's rating as a score, 0–100.
RATING_POINTS = {Rating.GOOD: 100, Rating.FAIR: 80, Rating.AVERAGE: 60, Rating.POOR: 0}


class Inspection(models.Model):
    """A supervisor's check of a cadre or a point, with findings and a rating."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Open check")
        UNANNOUNCED = "unannounced", _("Unannounced check")
        REVISIT = "revisit", _("Revisit of people served")
        DEMOCRATIC = "democratic", _("Democratic appraisal")

    campaign = models.ForeignKey(
        "programs.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="inspections"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"), db_index=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="inspections_made",
    )
    cadre = models.ForeignKey(
        "org.Cadre",
        verbose_name=_("cadre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    point = models.ForeignKey(
        "programs.LiaisonPoint",
        verbose_name=_("liaison point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    # The point's region, or the cadre's unit's region: scope filters need no join.
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=200, blank=True)
    findings = models.TextField(_("findings"))
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["campaign", "cadre", "date"], name="appraisal_inspection_cadre")]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadre__isnull=False) | Q(point__isnull=False), name="appraisal_inspection_target"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.date}"


class FollowUpAction(models.Model):
    """What an inspection asks to be put right, by whom and by when."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        "org.Cadre", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="follow_up_actions"
    )
    deadline = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.CharField(_("how it was done"), max_length=300, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["deadline", "id"]

    def __str__(self):
        return self.text

    @property
    def done(self) -> bool:
        return self.done_on is not None


class ExemplaryCase(models.Model):
    """A cadre, team or point nominated as an example, selected, then published."""

    class Subject(models.TextChoices):
        CADRE = "cadre", _("Cadre")
        TEAM = "team", _("Work team")
        POINT = "point", _("Liaison point")

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        SELECTED = "selected", _("Selected")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Not selected")

    campaign = models.ForeignKey(
        "programs.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="exemplary_cases",
    )
    subject = models.CharField(_("subject"), max_length=8, choices=Subject.choices)
    cadre = models.ForeignKey(
        "org.Cadre",
        verbose_name=_("cadre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        "programs.Team",
        verbose_name=_("work team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    point = models.ForeignKey(
        "programs.LiaisonPoint",
        verbose_name=_("liaison point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    story = models.TextField(_("story"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NOMINATED)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(_("nominated at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("exemplary case")
        verbose_name_plural = _("exemplary cases")
        ordering = ["-nominated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject="cadre", cadre__isnull=False, team__isnull=True, point__isnull=True)
                    | Q(subject="team", cadre__isnull=True, team__isnull=False, point__isnull=True)
                    | Q(subject="point", cadre__isnull=True, team__isnull=True, point__isnull=False)
                ),
                name="appraisal_case_one_subject",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def subject_name(self) -> str:
        return str(self.cadre or self.team or self.point)
