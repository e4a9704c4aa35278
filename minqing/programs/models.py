"""Programs (templates), campaigns started from them, liaison points, teams and pairings."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .grades import grade_label


class ProgramTemplate(models.Model):
    """A program added by an office without code (`minqing program add FILE`). The five
    seed programs ship as files in programs/library/ and need no row."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    source = models.TextField(_("template text (TOML)"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("program template")
        verbose_name_plural = _("program templates")
        ordering = ["key"]

    def __str__(self):
        return self.name


class Campaign(models.Model):
    """A program running for a region (and optionally a unit subtree) between dates. Its
    configuration is a copy of the template, changed per campaign and versioned."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")

    name = models.CharField(_("name"), max_length=120)
    program_key = models.CharField(_("program"), max_length=40)
    program_name = models.CharField(_("program name"), max_length=100)
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    units = models.ManyToManyField(
        "org.Unit",
        verbose_name=_("participating units"),
        blank=True,
        related_name="campaigns",
        help_text=_("Cadres of these units (and their sections) take part. Empty: every unit in the region."),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    config = models.JSONField(_("configuration"), default=dict)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start", "id"]

    def __str__(self):
        return self.name

    def rule(self, key: str) -> dict | None:
        return next((r for r in self.config.get("rules", []) if r["key"] == key), None)

    def pairing_kind(self, key: str) -> dict | None:
        return next((k for k in self.config.get("pairing_kinds", []) if k["key"] == key), None)

    def pairing_label(self, kind: str, slot: str = "") -> str:
        """A pairing's kind (and 一联五 slot) by the names of the template, not its keys."""
        found = self.pairing_kind(kind) or {}
        label = found.get("name", kind)
        if slot:
            slot_name = next((s["name"] for s in found.get("slots", []) if s["key"] == slot), slot)
            label = f"{label} · {slot_name}"
        return label

    def visit_form_name(self, form: str) -> str:
        return next((f["name"] for f in self.config.get("visit_forms", []) if f["key"] == form), form)

    def visit_forms_for(self, target_type: str, point_kind: str = "") -> list[dict]:
        """The campaign's visit forms that fit a target ("household", "member" or "point", and
        a point's kind): those whose `targets` name it (see form_fits) or name nothing. When
        none fits (a template that names no form for such a target) every form does, so that a
        visit can always be recorded."""
        forms = self.config.get("visit_forms", [])
        return [f for f in forms if form_fits(f, target_type, point_kind)] or forms

    @property
    def report_due_day(self) -> int:
        """The day of the next month a monthly report is due by: the `due_day` of the
        campaign's monthly-report rule when it has one on (what the check uses, and what the
        office may change per campaign), else its program's `cadence.monthly_report_due_day`
        (the programs without the rule), else the 5th. The reports' pages, the phone and the
        assessment all read it here."""
        from .rules import RULE_TYPES

        rule_type = RULE_TYPES["reports.monthly"]
        for rule in self.config.get("rules", []):
            if rule.get("type") == rule_type.type and not rule.get("disabled"):
                return int(rule.get("params", {}).get("due_day", rule_type.params["due_day"].default))
        return int(self.config.get("cadence", {}).get("monthly_report_due_day", 5))

    def phase_on(self, day: dt.date) -> dict | None:
        for phase in self.config.get("phases", []):
            if phase["start"] <= day.isoformat() <= phase["end"]:
                return phase
        return None


def form_fits(form: dict, target_type: str, point_kind: str = "") -> bool:
    """Whether a visit form fits a target. A form's `targets` lists what it is for: "household"
    (a household and its members), "member", "point" (any point) or a kind of point
    ("village", "enterprise", …); a form without `targets` (every form of the templates
    before there were any, kept in the campaigns started from them) fits every target."""
    targets = form.get("targets")
    if not targets:
        return True
    if target_type == "point":
        return "point" in targets or point_kind in targets
    return target_type in targets or (target_type == "member" and "household" in targets)


class CampaignVersion(models.Model):
    """Every change of a campaign's dates, rules or quotas: the configuration before the
    change is kept, with who changed what and why."""

    # The reason of a campaign's first version, given by the system: kept as this key and
    # shown in the reader's language (programs.display), not in the starter's.
    STARTED_FROM_TEMPLATE = "started_from_template"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    config = models.JSONField(_("configuration"))
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    changes = models.JSONField(_("changes"), default=list)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("campaign version")
        verbose_name_plural = _("campaign versions")
        ordering = ["campaign_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="programs_version_unique")]

    def __str__(self):
        return f"{self.campaign} v{self.number}"


class LiaisonPoint(models.Model):
    """A village or community, enterprise, key project or party organization that cadres
    and teams are stationed at or linked to."""

    class Kind(models.TextChoices):
        VILLAGE = "village", _("Village or community")
        ENTERPRISE = "enterprise", _("Enterprise")
        KEY_PROJECT = "key_project", _("Key project")
        PARTY_ORG = "party_org", _("Party organization")
        TOWNSHIP = "township", _("Township")
        PARK = "park", _("Industrial park")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(_("grade"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # 合村并组, an enterprise closed: the point is kept with its history, and counts through
    # this day (as a pairing counts through its end day), not after.
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    retired_reason = models.CharField(_("reason for retiring"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("liaison point")
        verbose_name_plural = _("liaison points")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "name"], name="programs_point_unique")
        ]

    def __str__(self):
        return self.name

    def retired_by(self, day: dt.date) -> bool:
        """Whether the point no longer counts on this day (retired on an earlier one)."""
        return self.retired_on is not None and self.retired_on < day

    @property
    def grade_label(self) -> str:
        """The grade as people read it (a grade kept from before there was a list: as written)."""
        return grade_label(self.grade)


class PointGrading(models.Model):
    """分类定级: a point's grade and its history."""

    point = models.ForeignKey(LiaisonPoint, on_delete=models.CASCADE, related_name="gradings")
    grade = models.CharField(_("grade"), max_length=40)
    previous_grade = models.CharField(_("previous grade"), max_length=40, blank=True)
    graded_on = models.DateField(_("graded on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("point grading")
        verbose_name_plural = _("point gradings")
        ordering = ["point_id", "-graded_on", "-id"]

    def __str__(self):
        return f"{self.point} {self.grade_label}"

    @property
    def grade_label(self) -> str:
        return grade_label(self.grade)

    @property
    def previous_grade_label(self) -> str:
        return grade_label(self.previous_grade)


class Team(models.Model):
    class Kind(models.TextChoices):
        WORK_TEAM = "work_team", _("Work team")
        TASK_FORCE = "task_force", _("Task force")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.WORK_TEAM)
    leader = models.ForeignKey(
        "org.Cadre",
        verbose_name=_("team leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams_led",
    )
    members = models.ManyToManyField("org.Cadre", verbose_name=_("members"), blank=True, related_name="teams")
    points = models.ManyToManyField(LiaisonPoint, verbose_name=_("points"), blank=True, related_name="teams")
    # 工作队撤销 / 任务完成: the team is kept as it was, and counts through this day, not after.
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolved_reason = models.CharField(_("reason for dissolving"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["campaign_id", "name"]

    def __str__(self):
        return self.name

    def dissolved_by(self, day: dt.date) -> bool:
        """Whether the team no longer counts on this day (dissolved on an earlier one)."""
        return self.dissolved_on is not None and self.dissolved_on < day


def counting_on(day: dt.date, field: str) -> Q:
    """Teams (field "dissolved_on") or points ("retired_on") that still count on this day."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": day})


class ActivePairingQuerySet(models.QuerySet):
    def active_on(self, day: dt.date):
        return self.filter(Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day)))


class Pairing(models.Model):
    """A cadre paired with a household, a member or a point, of a kind the campaign's
    program defines (帮扶, a 一联五 slot, 包村, a leader's link, …)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="pairings"
    )
    cadre = models.ForeignKey(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="pairings"
    )
    kind = models.CharField(_("kind"), max_length=40)
    slot = models.CharField(_("slot"), max_length=40, blank=True)
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    point = models.ForeignKey(
        LiaisonPoint,
        verbose_name=_("liaison point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    # The target's region, kept here so that scope filters need no join.
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    handed_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActivePairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["campaign_id", "cadre_id", "id"]
        indexes = [
            models.Index(fields=["campaign", "cadre"], name="programs_pairing_cadre"),
            models.Index(fields=["campaign", "household"], name="programs_pairing_household"),
            models.Index(fields=["region"], name="programs_pairing_region"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(household__isnull=False, member__isnull=True, point__isnull=True)
                    | Q(household__isnull=True, member__isnull=False, point__isnull=True)
                    | Q(household__isnull=True, member__isnull=True, point__isnull=False)
                ),
                name="programs_pairing_one_target",
            ),
        ]

    def __str__(self):
        return f"{self.cadre} → {self.target}"

    @property
    def target(self):
        return self.household or self.member or self.point

    @property
    def target_type(self) -> str:
        return "household" if self.household_id else "member" if self.member_id else "point"

    @property
    def kind_label(self) -> str:
        return self.campaign.pairing_label(self.kind, self.slot)


class UnitPairing(models.Model):
    """A unit (or its party organization) paired with a point: 结对共建, 部门包村/包社区/包企业."""

    class Kind(models.TextChoices):
        TWINNING = "twinning", _("Party-organization twinning")
        COVERS_VILLAGE = "covers_village", _("Unit covers a village")
        COVERS_COMMUNITY = "covers_community", _("Unit covers a community")
        COVERS_ENTERPRISE = "covers_enterprise", _("Unit covers an enterprise")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="unit_pairings")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="point_pairings"
    )
    point = models.ForeignKey(
        LiaisonPoint, verbose_name=_("liaison point"), on_delete=models.PROTECT, related_name="unit_pairings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ActivePairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit pairing")
        verbose_name_plural = _("unit pairings")
        ordering = ["campaign_id", "unit_id"]

    def __str__(self):
        return f"{self.unit} → {self.point}"


class Handover(models.Model):
    """One cadre's pairings moved to a successor in one step."""

    from_cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="handovers_out")
    to_cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="handovers_in")
    on_date = models.DateField(_("handed over on"))
    reason = models.CharField(_("reason"), max_length=200)
    pairings_moved = models.PositiveIntegerField(default=0)
    # The pairings that changed hands whole (begun on the handover's day or to begin later: the
    # cadre held none of their days), so the cadre's pages still list them as handed over, as
    # they list those that ended the day before (whose successors name them, handed_over_from).
    moved_whole = models.ManyToManyField(
        Pairing, verbose_name=_("pairings that changed hands whole"), blank=True, related_name="+"
    )
    teams_moved = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.from_cadre} → {self.to_cadre} ({self.on_date})"
