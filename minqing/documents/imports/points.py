"""The liaison point list: villages and communities, enterprises, key projects, party
organizations. A point is matched by (region, kind, name); a changed grade is kept in its
grading history."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.programs.grades import GradeLists, grade_key, grade_problem
from minqing.programs.models import LiaisonPoint, PointGrading
from minqing.programs.selectors import points_campaigns_above
from minqing.programs.services import point_held_above_message

from . import values
from .engine import Column, Importer
from .lookup import RegionResolver
from .normalize import clean_compact

KINDS = {
    "村": LiaisonPoint.Kind.VILLAGE,
    "社区": LiaisonPoint.Kind.VILLAGE,
    "村（社区）": LiaisonPoint.Kind.VILLAGE,
    "村(社区)": LiaisonPoint.Kind.VILLAGE,
    "企业": LiaisonPoint.Kind.ENTERPRISE,
    "非公企业": LiaisonPoint.Kind.ENTERPRISE,
    "重点项目": LiaisonPoint.Kind.KEY_PROJECT,
    "项目": LiaisonPoint.Kind.KEY_PROJECT,
    "党组织": LiaisonPoint.Kind.PARTY_ORG,
    "基层党组织": LiaisonPoint.Kind.PARTY_ORG,
    "乡镇": LiaisonPoint.Kind.TOWNSHIP,
    "园区": LiaisonPoint.Kind.PARK,
    "工业园区": LiaisonPoint.Kind.PARK,
}

COLUMNS = (
    Column(
        "name",
        ("名称", "联系点名称", "联系点", "点位名称"),
        gettext_lazy("name"),
        required=True,
        example="桐木村",
    ),
    Column(
        "kind",
        ("类型", "类别", "联系点类型"),
        gettext_lazy("kind: 村, 社区, 企业, 重点项目, 党组织, 乡镇, 园区"),
        "compact",
        required=True,
        example="村",
    ),
    Column(
        "township",
        ("乡镇", "所属乡镇", "乡镇（街道）"),
        gettext_lazy("township"),
        "compact",
        example="江村乡",
    ),
    Column(
        "village",
        ("所属村", "村（社区）", "所在村"),
        gettext_lazy("village (for a point inside one)"),
        "compact",
        example="桐木村",
    ),
    Column(
        "region_code",
        ("区划代码", "行政区划代码"),
        gettext_lazy("region code (instead of the names)"),
        "compact",
    ),
    Column("grade", ("等级", "分类定级", "类别等级", "定级"), gettext_lazy("grade"), example="一类"),
    Column("address", ("地址", "所在地址", "住址"), gettext_lazy("address")),
)


@dataclass
class PointPlan:
    row: int
    name: str
    kind: str
    region: str
    grade: str
    address: str
    existing: dict | None = None
    changes: dict | None = None


class PointImporter(Importer):
    kind = "points"
    title = gettext_lazy("Liaison points")
    permission = "programs.manage"
    example_places = {"name": "name", "township": "township", "village": "village"}
    columns = COLUMNS

    def validate(self, rows, ctx):
        resolver = RegionResolver(ctx)
        grade_lists = GradeLists()
        plans, seen = [], {}
        for row in rows:
            name = values.text(ctx, row, "name", 120)
            kind = values.choice(ctx, row, "kind", KINDS)
            if not name:
                ctx.error(row.number, "name", _("Give the liaison point a name."))
            village = row.get("village")
            if not village and kind == LiaisonPoint.Kind.VILLAGE:
                village = name
            region, problem = None, None
            if row.get("region_code") or village:
                region, problem = resolver.resolve(
                    code=row.get("region_code"), township=row.get("township"), village=village
                )
            elif row.get("township"):
                found = resolver.townships.get(row.get("township"), [])
                region = found[0] if len(found) == 1 else None
                if region is None:
                    problem = ("township", _("There is no township of this name in your area."))
            else:
                problem = ("village", _("Give the township or village the point lies in."))
            if problem:
                ctx.error(row.number, *problem)
            # A grade by its key, label or as written before (一类村), one of the region's list.
            grade = grade_key(values.text(ctx, row, "grade", 40))
            problem = grade_problem(grade, grade_lists.for_region(region)) if grade and region else ""
            if problem:
                ctx.error(row.number, "grade", problem)
            if not (name and kind and region) or problem:
                continue
            key = (region, str(kind), name)
            if key in seen:
                ctx.error(
                    row.number, "name", _("This point already appears in row %(row)s.") % {"row": seen[key]}
                )
                continue
            seen[key] = row.number
            plans.append(
                PointPlan(
                    row.number,
                    name,
                    str(kind),
                    region,
                    grade,
                    values.text(ctx, row, "address", 200),
                )
            )
        if not ctx.errors:
            existing = {}
            for p in LiaisonPoint.objects.filter(region_id__in={p.region for p in plans}).values(
                "id", "region_id", "kind", "name", "grade", "address"
            ):
                # Names compared as a cell is cleaned: a point kept with full-width brackets or
                # spaces is found by the file that copies its name, not made twice.
                existing[(p["region_id"], p["kind"], clean_compact(p["name"]))] = p
            for plan in plans:
                found = existing.get((plan.region, plan.kind, clean_compact(plan.name)))
                if found:
                    plan.existing = found
                    plan.changes = {
                        k: getattr(plan, k)
                        for k in ("grade", "address")
                        if getattr(plan, k) and getattr(plan, k) != found[k]
                    }
            self.check_held_above(plans, ctx)
        return plans

    def check_held_above(self, plans, ctx):
        """A point a campaign of a higher level uses is that office's to regrade or correct
        (point_check_change): a row that would change one is refused, with the same message
        as the point's forms. Unchanged points are not looked at; the command line (no actor)
        is not limited."""
        if ctx.actor is None:
            return
        changing = [p for p in plans if p.existing and p.changes]
        held = points_campaigns_above(user=ctx.actor, point_ids=(p.existing["id"] for p in changing))
        for plan in changing:
            campaigns = held.get(plan.existing["id"])
            if campaigns:
                point = LiaisonPoint(pk=plan.existing["id"], name=plan.existing["name"])
                ctx.error(
                    plan.row,
                    "grade" if "grade" in plan.changes else "address",
                    point_held_above_message(point, campaigns),
                )

    def counts(self, plans):
        return {
            "points_created": sum(p.existing is None for p in plans),
            "points_updated": sum(bool(p.existing and p.changes) for p in plans),
            "points_unchanged": sum(bool(p.existing and not p.changes) for p in plans),
        }

    def write(self, plans, ctx):
        today = timezone.localdate()
        reason = (_("Imported from %(file)s") % {"file": ctx.filename})[:200]
        new = [
            LiaisonPoint(name=p.name, kind=p.kind, region_id=p.region, grade=p.grade, address=p.address)
            for p in plans
            if p.existing is None
        ]
        LiaisonPoint.objects.bulk_create(new, batch_size=1000)
        ctx.wrote("points_created", (point.pk for point in new))
        gradings = [
            PointGrading(point=point, grade=point.grade, graded_on=today, reason=reason, graded_by=ctx.actor)
            for point in new
            if point.grade
        ]
        for plan in plans:
            if plan.existing and plan.changes:
                LiaisonPoint.objects.filter(pk=plan.existing["id"]).update(**plan.changes)
                ctx.wrote("points_updated", (plan.existing["id"],))
                if "grade" in plan.changes:
                    gradings.append(
                        PointGrading(
                            point_id=plan.existing["id"],
                            grade=plan.grade,
                            previous_grade=plan.existing["grade"],
                            graded_on=today,
                            reason=reason,
                            graded_by=ctx.actor,
                        )
                    )
        PointGrading.objects.bulk_create(gradings, batch_size=1000)
