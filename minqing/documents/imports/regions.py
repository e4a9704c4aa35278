"""The region list: statistical division code and name. A region is matched by its code;
a new name renames it. Parents must be in the file or in the system."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core.scope import scope_for
from minqing.geo.models import Region, level_of_code, parent_code

from . import values
from .engine import Column, Importer

COLUMNS = (
    Column(
        "code",
        ("区划代码", "代码", "统计用区划代码", "行政区划代码", "code"),
        gettext_lazy("12-digit code (15 for a group)"),
        "compact",
        required=True,
        example="431123101201",
    ),
    Column(
        "name",
        ("名称", "区划名称", "name", "村（社区）名称"),
        gettext_lazy("name"),
        "compact",
        required=True,
        example="桐木村",
    ),
)


@dataclass
class RegionPlan:
    row: int
    code: str
    name: str
    level: int
    existing: str | None = None  # its stored name


class RegionImporter(Importer):
    kind = "regions"
    title = gettext_lazy("Regions")
    permission = "accounts.manage"
    example_places = {"code": "village_code", "name": "name"}
    allow_office = True
    columns = COLUMNS

    def validate(self, rows, ctx):
        plans: dict[str, RegionPlan] = {}
        own = self._own_regions(ctx)
        for row in rows:
            code, name = row.get("code"), values.text(ctx, row, "name", 100)
            if not code.isdigit() or len(code) not in (12, 15):
                ctx.error(row.number, "code", _("A region code has 12 digits (15 for a villagers' group)."))
                continue
            if not name:
                ctx.error(row.number, "name", _("The name is empty."))
                continue
            if code in plans:
                ctx.error(
                    row.number,
                    "code",
                    _("This code already appears in row %(row)s.") % {"row": plans[code].row},
                )
                continue
            if not ctx.in_scope(code):
                ctx.error(row.number, "code", _("This region lies outside your area."))
                continue
            plans[code] = RegionPlan(row.number, code, name, level_of_code(code))
        stored = dict(
            Region.objects.filter(code__in=set(plans) | {parent_code(c) or "" for c in plans}).values_list(
                "code", "name"
            )
        )
        for plan in plans.values():
            parent = parent_code(plan.code)
            if parent and parent not in plans and parent not in stored:
                ctx.error(
                    plan.row,
                    "code",
                    _("Its parent %(parent)s is neither in the file nor in the system.") % {"parent": parent},
                )
            plan.existing = stored.get(plan.code)
            if plan.code in own and plan.existing is not None and plan.existing != plan.name:
                ctx.error(
                    plan.row,
                    "name",
                    _(
                        "An office imports the regions below its own: %(name)s itself is renamed by the "
                        "system administrator."
                    )
                    % {"name": plan.existing},
                )
        return sorted(plans.values(), key=lambda p: (p.level, p.code))

    def _own_regions(self, ctx) -> set[str]:
        """The regions an office's grants are for, when only its office role lets it import
        regions: it may import below them, not rename them (the audit keeps no old name)."""
        if ctx.actor is None:
            return set()
        scope = scope_for(ctx.actor)
        admin = scope.region_prefixes(self.permission)
        return {
            p.ljust(12, "0")
            for g in scope.grants
            if g.role == "office"
            for p in g.region_prefixes
            if not any(p.startswith(a) for a in admin)
        }

    def counts(self, plans):
        return {
            "regions_created": sum(p.existing is None for p in plans),
            "regions_updated": sum(p.existing is not None and p.existing != p.name for p in plans),
            "regions_unchanged": sum(p.existing == p.name for p in plans),
        }

    def write(self, plans, ctx):
        Region.objects.bulk_create(
            [
                Region(
                    code=p.code,
                    name=p.name,
                    level=p.level,
                    parent_id=parent_code(p.code),
                    is_demo=bool(ctx.options.get("is_demo")),
                )
                for p in plans
                if p.existing is None
            ],
            batch_size=1000,
        )
        ctx.wrote("regions_created", (p.code for p in plans if p.existing is None))
        for plan in plans:
            if plan.existing is not None and plan.existing != plan.name:
                Region.objects.filter(code=plan.code).update(name=plan.name)
                ctx.wrote("regions_updated", (plan.code,))
