"""Field work: visits (民情日记), work logs, attendance, deeds, help plans, relief,
activities, incidents, monthly reports and team summaries."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core.identity import mask_text_identifiers


class SyncedRecord(models.Model):
    """What a record made on a phone carries: the phone's UUID (so a retried upload is
    recognised), a digest of what was sent (so a different upload under the same UUID
    is a conflict, not a silent overwrite) and a version for optimistic locking."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload_digest = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True


class CountedVisits(models.Manager):
    """The visits that count: every one not withdrawn. Visit's default manager, so that each
    figure, rule, report and list that reads `Visit.objects` (or a scope over the default
    manager) leaves a withdrawn visit out in the query it already makes. `Visit.records`
    reads every visit, the withdrawn ones too (a visit's page, its history, sync)."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class Visit(SyncedRecord):
    # No index of its own where a composite index below starts with the column (campaign, household,
    # member, point, date, region): each index is written on every upload.
    campaign = models.ForeignKey(
        "programs.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,
    )
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="visits"
    )
    date = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=40)
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,
    )
    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,
    )
    point = models.ForeignKey(
        "programs.LiaisonPoint",
        verbose_name=_("liaison point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,
    )
    others_present = models.ManyToManyField(
        "org.Cadre",
        verbose_name=_("cadres present"),
        blank=True,
        related_name="visits_joined",
        through="VisitPresence",
    )
    found = models.JSONField(_("what was found"), default=dict, blank=True)
    content = models.TextField(_("content"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    problems = models.JSONField(_("problems raised"), default=list, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+", db_index=False)
    # Set when the visit is withdrawn (who and why: its VisitChange); it then stays on record and
    # stops counting. The last column of each composite index below, so that the queries that
    # leave withdrawn visits out are still answered from the index alone.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)

    records = models.Manager()
    objects = CountedVisits()

    class Meta:
        default_manager_name = "objects"
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-id"]
        indexes = [
            # A household's visits by date; with the cadre and campaign, "did this cadre visit
            # this household in the period" is answered from the index alone (the dashboard asks
            # it for each of a county's ~15,000 pairings).
            models.Index(
                fields=["household", "date", "cadre", "campaign", "withdrawn_at"],
                name="fieldwork_visit_hh_cadre",
            ),
            models.Index(fields=["member", "date", "withdrawn_at"], name="fieldwork_visit_member"),
            models.Index(fields=["point", "date", "withdrawn_at"], name="fieldwork_visit_point"),
            models.Index(fields=["region"], name="fieldwork_visit_region"),
            # Read by the dashboard (figures): whether a pairing's cadre visited its target in the
            # period, and a period's visits by region and cadre or by household, from the index alone.
            models.Index(
                fields=["campaign", "cadre", "date", "household", "member", "point", "withdrawn_at"],
                name="figures_visit_cadre_targets",
            ),
            models.Index(
                fields=["date", "campaign", "region", "cadre", "withdrawn_at"],
                name="figures_visit_date_campaign",
            ),
            models.Index(fields=["date", "household", "withdrawn_at"], name="figures_visit_date_household"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False) | Q(member__isnull=False) | Q(point__isnull=False),
                name="fieldwork_visit_has_target",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.cadre} → {self.target}"

    @property
    def target(self):
        return self.household or self.member or self.point

    @property
    def form_name(self) -> str:
        return self.campaign.visit_form_name(self.form)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def masked_content(self) -> str:
        """What was seen and talked about as pages, the API, research reports and the
        command line show it: a resident's phone or ID number written into it masked, as
        in a demand's description (Ticket.masked_description). The correction form alone
        shows the text as written, to be corrected (its read is recorded: visit.view)."""
        return mask_text_identifiers(self.content)

    @property
    def masked_outcome(self) -> str:
        """The outcome as shown, numbers masked (see masked_content)."""
        return mask_text_identifiers(self.outcome)

    @property
    def masked_problems(self) -> list[str]:
        """The problems raised as the visit's page and the API show them: a resident's
        phone or ID number in one masked (the demand made from it shows it masked too)."""
        return [mask_text_identifiers(problem) for problem in self.problems or []]


class CountedPresences(models.Manager):
    """The cadres present at visits that count (see CountedVisits)."""

    def get_queryset(self):
        return super().get_queryset().filter(visit__withdrawn_at__isnull=True)


class VisitPresence(models.Model):
    """A cadre present at another cadre's visit: the table Django made for `others_present`,
    named as a model so that `objects` (read by the visit rules) leaves withdrawn visits out;
    the relation itself (`visit.others_present`) reads and writes through `records`."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE)
    cadre = models.ForeignKey("org.Cadre", on_delete=models.CASCADE)

    records = models.Manager()
    objects = CountedPresences()

    class Meta:
        db_table = "fieldwork_visit_others_present"
        default_manager_name = "records"
        unique_together = [("visit", "cadre")]

    def __str__(self):
        return f"{self.visit_id}:{self.cadre_id}"


class VisitChange(models.Model):
    """A correction or the withdrawal of a visit: who, when, why, and the corrected fields as
    they were and as they became. The visit's own history, read with the visit; the audit row
    of the change names the fields without quoting what was written."""

    class Action(models.TextChoices):
        CORRECTED = "corrected", _("Corrected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    version = models.PositiveIntegerField(_("version"))
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("visit change")
        verbose_name_plural = _("visit changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.visit_id} {self.action} v{self.version}"


class Photo(models.Model):
    """A photo of a visit or a deed: re-encoded on upload (no EXIF, no GPS), kept outside
    the web root, served only through a scoped view."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    deed = models.ForeignKey("Deed", null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    path = models.CharField(max_length=200, editable=False)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    # SHA-256 of the bytes as sent: a retried upload under the same UUID is recognised.
    source_digest = models.CharField(max_length=64, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return str(self.uuid)


class WorkLog(SyncedRecord):
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="work_logs"
    )
    point = models.ForeignKey(
        "programs.LiaisonPoint",
        verbose_name=_("liaison point"),
        on_delete=models.PROTECT,
        related_name="work_logs",
    )
    date = models.DateField(_("date"))
    content = models.TextField(_("content"))

    class Meta:
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "point", "date"], name="fieldwork_worklog_day")
        ]

    def __str__(self):
        return f"{self.date} {self.cadre}"


class AttendanceDay(SyncedRecord):
    """A day a cadre was at the point; the village branch confirms or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="attendance"
    )
    point = models.ForeignKey(
        "programs.LiaisonPoint",
        verbose_name=_("liaison point"),
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance day")
        verbose_name_plural = _("attendance days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "point", "date"], name="fieldwork_attendance_day")
        ]
        indexes = [
            models.Index(fields=["cadre", "status", "date"], name="fieldwork_attendance_cadre"),
            # The dashboard's confirmed days of a period by point and cadre (figures).
            models.Index(fields=["point", "date", "status", "cadre"], name="figures_attendance_point_date"),
        ]

    def __str__(self):
        return f"{self.date} {self.cadre} @ {self.point}"

    @staticmethod
    def in_campaign(campaign) -> Q:
        """The days that count for a campaign, as a condition on AttendanceDay: the dashboard's
        days at the points and the compliance rules' stay days are the same days.

        A day names a cadre and a point, not a campaign. It counts for the campaign when it lies
        in the campaign's dates and region and on that day the cadre held a pairing of the
        campaign with that point or with a household or member of the point's village, or led or
        was a member of one of the campaign's teams at that point (teams are not dated: within
        the campaign's dates, up to and including the day the team was dissolved). So a campaign counts only the days its own work took the cadre to
        the point, and a campaign just started counts none of the days other campaigns' work did.
        """
        from django.db.models import Exists, OuterRef
        from django.db.models.functions import Substr

        from minqing.core.treecode import prefix_q
        from minqing.geo.models import LEVEL_DIGITS
        from minqing.programs.models import Pairing, Team

        # One probe of the cadre's pairings in the campaign per day. A village point's region is
        # the village; a household's is the village or one of its groups (its 12 digits and 3 more).
        held = (
            Pairing.objects.filter(
                campaign=campaign, cadre_id=OuterRef("cadre_id"), start__lte=OuterRef("date")
            )
            .filter(Q(end__isnull=True) | Q(end__gte=OuterRef("date")))
            .annotate(village=Substr("region_id", 1, LEVEL_DIGITS[5]))
            .filter(
                Q(point_id=OuterRef("point_id")) | Q(point__isnull=True, village=OuterRef("point__region_id"))
            )
        )
        # The teams' points first (one list for the query): most days are at none of them.
        team_points = Team.points.through.objects.filter(team__campaign=campaign)
        # A dissolved team counts through its dissolution day, not after.
        at_team = team_points.filter(liaisonpoint_id=OuterRef("point_id")).filter(
            Q(team__dissolved_on__isnull=True) | Q(team__dissolved_on__gte=OuterRef("date"))
        )
        in_team = Q(point_id__in=team_points.values("liaisonpoint_id")) & (
            Q(Exists(at_team.filter(team__leader_id=OuterRef("cadre_id"))))
            | Q(Exists(at_team.filter(team__members=OuterRef("cadre_id"))))
        )
        dates = Q(date__gte=campaign.start)
        if campaign.end is not None:
            dates &= Q(date__lte=campaign.end)
        return prefix_q("point__region_id", campaign.region.prefix) & dates & (Q(Exists(held)) | in_team)


class Deed(SyncedRecord):
    class Kind(models.TextChoices):
        POLICY = "policy", _("Policy")
        INFORMATION = "information", _("Information")
        PROJECT = "project", _("Project")
        FUNDS = "funds", _("Funds")
        TECHNOLOGY = "technology", _("Technology")
        LEGAL_AID = "legal_aid", _("Legal aid")
        LABOUR = "labour", _("Labour")
        GOODS = "goods", _("Goods")
        ERRAND = "errand", _("Errand done on the resident's behalf")
        VOLUNTEER = "volunteer", _("Volunteer service")

    campaign = models.ForeignKey(
        "programs.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="deeds"
    )
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="deeds"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("what was done"), max_length=200)
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("beneficiary household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deeds",
    )
    point = models.ForeignKey(
        "programs.LiaisonPoint",
        verbose_name=_("beneficiary point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deeds",
    )
    value_yuan = models.DecimalField(_("value (yuan)"), max_digits=12, decimal_places=2, default=0)
    date = models.DateField(_("date"))
    evidence = models.TextField(_("evidence"), blank=True)
    confirmed_on = models.DateField(_("confirmed by the beneficiary on"), null=True, blank=True)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("deed")
        verbose_name_plural = _("deeds")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["campaign", "cadre"], name="fieldwork_deed_cadre")]
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False) | Q(point__isnull=False),
                name="fieldwork_deed_has_beneficiary",
            ),
        ]

    def __str__(self):
        return self.title


class HelpPlan(models.Model):
    campaign = models.ForeignKey("programs.Campaign", on_delete=models.PROTECT, related_name="help_plans")
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="help_plans"
    )
    title = models.CharField(_("title"), max_length=200)
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="help_plans"
    )
    point = models.ForeignKey(
        "programs.LiaisonPoint", null=True, blank=True, on_delete=models.PROTECT, related_name="help_plans"
    )
    deadline = models.DateField(_("deadline"))
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("help plan")
        verbose_name_plural = _("help plans")
        ordering = ["deadline"]

    def __str__(self):
        return self.title


class Commitment(models.Model):
    """A committed item or milestone of a help plan, with its progress."""

    plan = models.ForeignKey(HelpPlan, on_delete=models.CASCADE, related_name="commitments")
    title = models.CharField(_("commitment"), max_length=200)
    due = models.DateField(_("due"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due"]

    def __str__(self):
        return self.title


class ReliefPayment(SyncedRecord):
    campaign = models.ForeignKey(
        "programs.Campaign", on_delete=models.PROTECT, related_name="relief_payments"
    )
    team = models.ForeignKey(
        "programs.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relief_payments",
    )
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="relief_payments",
    )
    amount_yuan = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    date = models.DateField(_("date"))
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("relief payment")
        verbose_name_plural = _("relief payments")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.household} ¥{self.amount_yuan}"


class CountedActivities(models.Manager):
    """The activities that count: every one not withdrawn (see CountedVisits). Activity's
    default manager, so that the activities rule, the phone's due list and the research figures
    leave a withdrawn activity out; `Activity.records` reads them all (its page, sync)."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class Activity(SyncedRecord):
    """A forum, policy talk, training, party meeting, clean-up day … held by a cadre or a team."""

    campaign = models.ForeignKey("programs.Campaign", on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("organized by"), on_delete=models.PROTECT, related_name="activities"
    )
    team = models.ForeignKey(
        "programs.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    point = models.ForeignKey(
        "programs.LiaisonPoint",
        verbose_name=_("liaison point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    attendance = models.PositiveIntegerField(_("people attending"), default=0)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    # Set when the activity is withdrawn (who and why: its ActivityChange); it then stays on
    # record and stops counting.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)

    records = models.Manager()
    objects = CountedActivities()

    class Meta:
        default_manager_name = "objects"
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date"]
        # A campaign's activities by date: its list, filtered by month, newest first.
        indexes = [models.Index(fields=["campaign", "date"], name="fieldwork_activity_date")]

    def __str__(self):
        return self.title

    @property
    def kind_name(self) -> str:
        """The kind as the campaign lists it (一次政策宣讲), else as it was written (a kind of a
        campaign that lists none, or one it has dropped since)."""
        from minqing.programs.rules.activities_held import activity_names

        return activity_names(self.campaign).get(self.kind, self.kind)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ActivityChange(models.Model):
    """A correction or the withdrawal of an activity: who, when, why, and the corrected fields
    as they were and as they became (see VisitChange)."""

    Action = VisitChange.Action

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    version = models.PositiveIntegerField(_("version"))
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("activity change")
        verbose_name_plural = _("activity changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.activity_id} {self.action} v{self.version}"


class Incident(models.Model):
    class Kind(models.TextChoices):
        SAFETY_ACCIDENT = "safety_accident", _("Work-safety accident")
        CASUALTY = "casualty", _("Casualty")
        PETITION_UPWARD = "petition_upward", _("Petition taken to Beijing or the province")
        PARALYSED_PARTY_ORG = "paralysed_party_org", _("Paralysed party organization")
        MAJOR_CASE = "major_case", _("Major case")

    campaign = models.ForeignKey("programs.Campaign", on_delete=models.PROTECT, related_name="incidents")
    point = models.ForeignKey(
        "programs.LiaisonPoint",
        verbose_name=_("liaison point"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    date = models.DateField(_("date"))
    description = models.TextField(_("description"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class MonthlyReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    campaign = models.ForeignKey(
        "programs.Campaign", on_delete=models.PROTECT, related_name="monthly_reports"
    )
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="monthly_reports"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    figures = models.JSONField(_("figures"), default=dict)
    text = models.TextField(_("report"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    due = models.DateField(_("due"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "cadre", "month"], name="fieldwork_report_month")
        ]

    def __str__(self):
        return f"{self.cadre} {self.month:%Y-%m}"

    @property
    def late(self) -> bool:
        return self.submitted_on is not None and self.submitted_on > self.due

    @property
    def days_overdue(self) -> int:
        """How many days a draft is past its due day (0 once submitted, or not yet due)."""
        if self.status != self.Status.DRAFT:
            return 0
        return max((timezone.localdate() - self.due).days, 0)


class TeamSummary(models.Model):
    campaign = models.ForeignKey("programs.Campaign", on_delete=models.PROTECT, related_name="team_summaries")
    team = models.ForeignKey(
        "programs.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="summaries"
    )
    text = models.TextField(_("summary"))
    figures = models.JSONField(_("figures"), default=dict)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("team summary")
        verbose_name_plural = _("team summaries")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "team"], name="fieldwork_teamsummary_one_per_team")
        ]

    def __str__(self):
        return str(self.team)
