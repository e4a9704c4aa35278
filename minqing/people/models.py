from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core.personal import EncryptedField, IdNumber, LookupHashField, Phone


class HardshipLevel(models.IntegerChoices):
    NONE = 0, _("None")
    GENERAL = 1, _("General hardship")
    SERIOUS = 2, _("Serious hardship")
    EXTREME = 3, _("Extreme hardship")


class Tag(models.TextChoices):
    WUBAO = "wubao", _("Five-guarantee household")
    DIBAO = "dibao", _("Minimum-living-allowance household")
    DISABLED = "disabled", _("Disabled")
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
    VETERAN_PARTY_MEMBER = "veteran_party_member", _("Veteran party member")
    RESIDENTS_REPRESENTATIVE = "residents_rep", _("Residents' representative")
    WEALTH_EXPERT = "wealth_expert", _("Wealth-creation expert")
    MODEL_WORKER = "model_worker", _("Model worker")
    NOTABLE = "notable", _("Notable person")
    KEY_PETITIONER = "key_petitioner", _("Key petitioner")


class EconomicStatus(models.TextChoices):
    WELL_OFF = "well_off", _("Well off")
    AVERAGE = "average", _("Average")
    STRAINED = "strained", _("Tight")
    POOR = "poor", _("Hard up")
    # Nobody has said yet (a list without the column, a household recorded without it): stored
    # as such rather than as a guess of 一般 that would then count as found.
    UNKNOWN = "unknown", _("Not given")


class IncomeSource(models.TextChoices):
    FARMING = "farming", _("Farming")
    MIGRANT_WORK = "migrant_work", _("Migrant work")
    LOCAL_WAGES = "local_wages", _("Local wages")
    BUSINESS = "business", _("Business")
    PENSION = "pension", _("Pension")
    SUBSIDY = "subsidy", _("Subsidies")
    OTHER = "other", _("Other")


class Household(models.Model):
    code = models.CharField(_("household number"), max_length=24, unique=True)
    # No index of its own: the (region, code) and (region, hardship level) indexes lead with it.
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,
    )
    address = models.CharField(_("address"), max_length=200)
    head = models.ForeignKey(
        "Member",
        verbose_name=_("head of household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    size = models.PositiveSmallIntegerField(_("family size"), default=1)
    economic_status = models.CharField(
        _("economic status"), max_length=16, choices=EconomicStatus.choices, default=EconomicStatus.UNKNOWN
    )
    income_sources = models.JSONField(_("income sources"), default=list, blank=True)
    hardship_level = models.PositiveSmallIntegerField(
        _("hardship level"), choices=HardshipLevel.choices, default=HardshipLevel.NONE, db_index=True
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["region_id", "code"]
        indexes = [
            models.Index(fields=["region", "code"], name="people_hh_region_code"),
            models.Index(fields=["region", "hardship_level"], name="people_hh_region_level"),
        ]

    def __str__(self):
        return self.code

    def income_source_labels(self) -> list[str]:
        labels = dict(IncomeSource.choices)
        return [str(labels.get(code, code)) for code in self.income_sources]


class Member(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Relation(models.TextChoices):
        HEAD = "head", _("Head")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        GRANDCHILD = "grandchild", _("Grandchild")
        GRANDPARENT = "grandparent", _("Grandparent")
        SIBLING = "sibling", _("Sibling")
        CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
        OTHER = "other", _("Other")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("name"), max_length=40)
    id_number = EncryptedField(_("ID number"), value_class=IdNumber)
    id_number_hash = LookupHashField(source="id_number", unique=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = EncryptedField(_("phone"), value_class=Phone)
    phone_hash = LookupHashField(source="phone")
    relation = models.CharField(
        _("relation to head"), max_length=16, choices=Relation.choices, default=Relation.OTHER
    )
    # Pinyin of the name, for search: full ("zhangsan") and initials ("zs").
    name_pinyin = models.CharField(max_length=120, blank=True, editable=False)
    name_initials = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["household_id", "id"]
        # Search matches a name prefix and needs only the household: these indexes cover the
        # look-up. The pattern operator class lets PostgreSQL serve LIKE 'x%' from them too
        # (SQLite ignores operator classes and is searched by range).
        indexes = [
            models.Index(
                fields=["name", "household"],
                name="people_member_name_hh",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(
                fields=["name_pinyin", "household"],
                name="people_member_pinyin_hh",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(
                fields=["name_initials", "household"],
                name="people_member_initials_hh",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def __str__(self):
        return self.name


class Tagging(models.Model):
    """A tag on a household, or on one of its members (member set)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="taggings")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="taggings"
    )
    tag = models.CharField(_("tag"), max_length=24, choices=Tag.choices)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        indexes = [models.Index(fields=["tag", "household"], name="people_tagging_tag_hh")]
        constraints = [
            models.UniqueConstraint(fields=["household", "member", "tag"], name="people_tagging_unique"),
        ]

    def __str__(self):
        return self.get_tag_display()


class HardshipGrading(models.Model):
    """One (re-)grading of a household's hardship level: the dated history."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="gradings")
    level = models.PositiveSmallIntegerField(_("hardship level"), choices=HardshipLevel.choices)
    previous_level = models.PositiveSmallIntegerField(
        _("previous level"), choices=HardshipLevel.choices, null=True, blank=True
    )
    graded_on = models.DateField(_("graded on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hardship grading")
        verbose_name_plural = _("hardship gradings")
        ordering = ["household_id", "-graded_on", "-id"]

    def __str__(self):
        return f"{self.household} {self.graded_on} {self.get_level_display()}"


class HouseholdChange(models.Model):
    """A fact about a household changed by a visit or an office: the history of the record."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("field"), max_length=40)
    old = models.JSONField(_("before"), null=True)
    new = models.JSONField(_("after"), null=True)
    source = models.CharField(_("source"), max_length=40, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("household change")
        verbose_name_plural = _("household changes")
        ordering = ["household_id", "-changed_at"]

    def __str__(self):
        return f"{self.household} {self.field}"
