from django.db import models
from django.utils.translation import gettext_lazy as _

# Significant digits of the statistical division code at each level; the rest are zeros.
LEVEL_DIGITS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12, 6: 15}


class Region(models.Model):
    """A division keyed by its statistical code: 12 digits (GB/T 2260 + 3 + 3) down to the
    village; a villagers' group (村民小组) takes its village's code plus 3 digits."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        CITY = 2, _("City")
        COUNTY = 3, _("County")
        TOWNSHIP = 4, _("Township")
        VILLAGE = 5, _("Village")
        GROUP = 6, _("Group")

    code = models.CharField(_("code"), max_length=15, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("Made up for the demo; not a real division.")
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: LEVEL_DIGITS[self.level]]


def level_of_code(code: str) -> int:
    """The level a code stands for: the deepest level with a non-zero part."""
    if len(code) == 15:
        return 6
    if len(code) != 12 or not code.isdigit():
        raise ValueError(code)
    for level in (5, 4, 3, 2):
        start = LEVEL_DIGITS[level - 1]
        if int(code[start : LEVEL_DIGITS[level]]):
            return level
    return 1


def parent_code(code: str) -> str | None:
    level = level_of_code(code)
    if level == 1:
        return None
    keep = LEVEL_DIGITS[level - 1]
    return code[:keep].ljust(12, "0")


def village_and_group(region) -> tuple[str, str]:
    """The village (or community) a place lies in and its villagers' group, by name: a
    group (村民小组, level 6) is named under its village, since every village has a 三组;
    any other region is its own place, with no group. Load region__parent with the region
    (select_related), so that a list of them costs no query per row."""
    if region is None:
        return "", ""
    if region.level == Region.Level.GROUP and region.parent_id:
        return region.parent.name, region.name
    return region.name, ""


def village_and_group_names(name: str, level: int, parent_name: str | None) -> tuple[str, str]:
    """village_and_group for a region read with values_list (its name, level, parent's name)."""
    if level == Region.Level.GROUP and parent_name:
        return parent_name, name
    return name, ""


def region_short_name(region) -> str:
    """A region as a list names it in one cell: a group with its village (柏利村五组);
    anything else by its own name. Load region__parent."""
    village, group = village_and_group(region)
    return f"{village}{group}"
