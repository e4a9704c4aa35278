"""The pairing list of a campaign: cadre, kind (and slot), target — a household by 户编号
or its head's ID number, a member by ID number, or a point by name and village. A
pairing is matched by (campaign, cadre, kind, slot, target) among the active ones."""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import crypto
from minqing.core.identity import normalize_phone
from minqing.core.treecode import prefix_q
from minqing.people.models import Household, Member
from minqing.programs.models import LiaisonPoint, Pairing
from minqing.programs.selectors import campaign_cadres
from minqing.programs.services import (
    pairing_start_problem,
    point_retired_message,
    slot_allows_several,
    slot_taken_message,
)

from . import values
from .engine import Column, Importer
from .lookup import village_key
from .normalize import clean_compact

COLUMNS = (
    Column(
        "cadre",
        ("干部姓名", "结对干部", "干部", "帮扶干部", "联系干部", "姓名"),
        gettext_lazy("cadre's name"),
        "compact",
        example="李建军",
    ),
    Column(
        "username",
        ("干部用户名", "用户名", "账号"),
        gettext_lazy("cadre's username (when names repeat)"),
        "compact",
    ),
    Column(
        "cadre_phone",
        ("干部手机", "干部电话", "干部联系电话"),
        gettext_lazy("cadre's phone (when names repeat)"),
        "phone",
    ),
    Column(
        "kind",
        ("结对类型", "类型", "结对方式"),
        gettext_lazy("pairing kind, as the campaign names it"),
        "compact",
        required=True,
        example="结对帮扶",
        example_varies=True,
    ),
    Column(
        "slot", ("对象类别", "名额", "联系对象类别"), gettext_lazy("slot (一联五 and the like)"), "compact"
    ),
    Column(
        "household",
        ("户编号", "对象户编号", "户号"),
        gettext_lazy("household number of the target"),
        "compact",
        example="431123101200-0001",
    ),
    Column(
        "id_number",
        ("身份证号", "对象身份证号", "公民身份号码", "身份证号码", "户主身份证号"),
        gettext_lazy("ID number of the target person (or of the head of the target household)"),
        "id",
    ),
    Column(
        "point",
        ("联系点", "联系点名称", "点位"),
        gettext_lazy("liaison point (for a point pairing)"),
        "compact",
    ),
    Column("village", ("所属村", "村（社区）", "村"), gettext_lazy("village of the point"), "compact"),
    Column(
        "start",
        ("开始日期", "结对日期", "起始日期", "结对时间"),
        gettext_lazy("first day of the pairing"),
        "date",
        example="2026-04-15",
    ),
    Column("note", ("备注",), gettext_lazy("note")),
)


@dataclass
class PairingPlan:
    row: int
    cadre_id: int
    kind: str
    slot: str
    target: str  # household, member or point
    target_id: int
    region: str
    start: object
    note: str
    exists: bool = False


_NOTE = re.compile(r"\([^()]*\)$")


def _by_label(definitions: list[dict]) -> dict[str, dict]:
    """A template's kinds (or slots) by what a cell may hold: the key, the name as a cell is
    cleaned (挂钩联系（乡镇、村、企业、项目） → 挂钩联系(乡镇、村、企业、项目), no spaces) and, where
    no other has it, the name without its closing note in brackets (挂钩联系)."""
    found: dict[str, dict] = {}
    short: dict[str, list[dict]] = {}
    for definition in definitions:
        name = clean_compact(definition["name"])
        found[definition["key"]] = found[name] = definition
        brief = _NOTE.sub("", name)
        if brief and brief != name:
            short.setdefault(brief, []).append(definition)
    for brief, matches in short.items():
        if len(matches) == 1:
            found.setdefault(brief, matches[0])
    return found


class PairingImporter(Importer):
    kind = "pairings"
    title = gettext_lazy("Pairings")
    permission = "programs.manage"
    example_places = {"household": "household"}
    columns = COLUMNS
    needs_campaign = True

    def validate(self, rows, ctx):
        campaign = ctx.campaign
        self.retired: dict[int, tuple[str, object]] = {}  # point id → (name as typed, retired on)
        kinds = _by_label(campaign.config.get("pairing_kinds", []))
        cadres = list(
            campaign_cadres(campaign).values(
                "id", "account__username", "account__full_name", "phone_hash", "unit__region_id"
            )
        )
        by_name: dict[str, list[dict]] = {}
        for c in cadres:
            by_name.setdefault(c["account__full_name"], []).append(c)
        by_user = {c["account__username"]: c for c in cadres}
        by_phone = {c["phone_hash"]: c for c in cadres if c["phone_hash"]}
        resolved = []
        for row in rows:
            cadre = self._cadre(row, ctx, by_name, by_user, by_phone)
            definition = kinds.get(row.get("kind"))
            if definition is None:
                ctx.error(
                    row.number,
                    "kind",
                    _("This campaign has no pairing kind “%(kind)s”; it has: %(kinds)s.")
                    % {
                        "kind": row.get("kind"),
                        "kinds": "、".join(k["name"] for k in campaign.config.get("pairing_kinds", [])),
                    },
                )
                continue
            slot = ""
            slots = {label: s["key"] for label, s in _by_label(definition.get("slots", [])).items()}
            if slots:
                slot = slots.get(row.get("slot"), "")
                if not slot:
                    ctx.error(
                        row.number,
                        "slot",
                        _("Choose one of the slots of “%(kind)s”: %(slots)s.")
                        % {
                            "kind": definition["name"],
                            "slots": "、".join(s["name"] for s in definition["slots"]),
                        },
                    )
            elif row.get("slot"):
                ctx.error(row.number, "slot", _("“%(kind)s” has no slots.") % {"kind": definition["name"]})
            start = values.date(ctx, row, "start")
            start = campaign.start if start is None else start
            problem = pairing_start_problem(campaign, start) if start is not False else ""
            if problem:
                ctx.error(row.number, "start", problem)
                start = False  # the row goes no further (no second error about the same row)
            resolved.append((row, cadre, definition, slot, start))
        targets = self._targets(resolved, ctx)
        plans = []
        seen, slots_seen = {}, {}
        for row, cadre, definition, slot, start in resolved:
            target = targets.get(row.number)
            if cadre is None or target is None or start is False:
                continue
            # Found only within the campaign's region and the importer's area (_targets).
            target_id, region = target
            key = (cadre["id"], definition["key"], slot, definition["target"], target_id)
            if key in seen:
                ctx.error(
                    row.number,
                    "username" if row.get("username") else "cadre",  # a column the file has
                    _("This pairing already appears in row %(row)s.") % {"row": seen[key]},
                )
                continue
            seen[key] = row.number
            if slot and not slot_allows_several(definition, slot):
                taken = (cadre["id"], definition["key"], slot)
                if taken in slots_seen:
                    ctx.error(
                        row.number,
                        "slot",
                        _(
                            "This cadre's “%(slot)s” already appears in row %(row)s; the program allows one of each."
                        )
                        % {"slot": row.get("slot"), "row": slots_seen[taken]},
                    )
                    continue
                slots_seen[taken] = row.number
            plans.append(
                PairingPlan(
                    row.number,
                    cadre["id"],
                    definition["key"],
                    slot,
                    definition["target"],
                    target_id,
                    region,
                    start,
                    values.text(ctx, row, "note", 200),
                )
            )
        if not ctx.errors:
            active, holders = set(), {}
            for p in Pairing.objects.filter(
                Q(end__isnull=True) | Q(end__gte=timezone.localdate()), campaign=campaign
            ).values(
                "cadre_id",
                "kind",
                "slot",
                "household_id",
                "member_id",
                "point_id",
                "household__code",
                "member__name",
                "point__name",
            ):
                target = (
                    ("household", p["household_id"])
                    if p["household_id"]
                    else (("member", p["member_id"]) if p["member_id"] else ("point", p["point_id"]))
                )
                active.add((p["cadre_id"], p["kind"], p["slot"], *target))
                if p["slot"]:
                    name = p["member__name"] or p["household__code"] or p["point__name"]
                    holders.setdefault((p["cadre_id"], p["kind"], p["slot"]), (target, name))
            names = {c["id"]: c["account__full_name"] or c["account__username"] for c in cadres}
            for plan in plans:
                plan.exists = (plan.cadre_id, plan.kind, plan.slot, plan.target, plan.target_id) in active
                retired = self.retired.get(plan.target_id) if plan.target == "point" else None
                if retired and not plan.exists:
                    # A point retired takes no new pairing (one that runs already is unchanged).
                    ctx.error(
                        plan.row, "point", point_retired_message(LiaisonPoint(name=retired[0]), retired[1])
                    )
                    continue
                holder = holders.get((plan.cadre_id, plan.kind, plan.slot))
                definition = kinds[plan.kind]
                # One of each 一联五 slot, counting those the campaign already holds.
                if (
                    holder
                    and holder[0] != (plan.target, plan.target_id)
                    and not slot_allows_several(definition, plan.slot)
                ):
                    ctx.error(
                        plan.row,
                        "slot",
                        slot_taken_message(names[plan.cadre_id], definition, plan.slot, holder[1]),
                    )
        return plans

    def _cadre(self, row, ctx, by_name, by_user, by_phone):
        if row.get("username"):
            found = by_user.get(row.get("username"))
            if found is None:
                ctx.error(row.number, "username", _("No cadre of this campaign has this username."))
            return found
        if row.get("cadre_phone"):
            found = by_phone.get(
                crypto.lookup_hash(normalize_phone(row.get("cadre_phone")), context=b"phone")
            )
            if found is None:
                ctx.error(row.number, "cadre_phone", _("No cadre of this campaign has this phone."))
            return found
        found = by_name.get(row.get("cadre"), [])
        if not row.get("cadre"):
            ctx.error(row.number, "cadre", _("Give the cadre's name."))
        elif not found:
            ctx.error(row.number, "cadre", _("No cadre of this campaign has this name."))
        elif len(found) > 1:
            ctx.error(row.number, "cadre", _("Several cadres have this name; add their username or phone."))
        else:
            return found[0]
        return None

    def _targets(self, resolved, ctx) -> dict[int, tuple[int, str]]:
        """row number → (target id, region code), with a few queries for the whole file."""
        codes, hashes, points = set(), set(), set()
        wanted = {}
        for row, _cadre, definition, _slot, _start in resolved:
            target = definition["target"]
            if target == "point":
                if not row.get("point"):
                    ctx.error(row.number, "point", _("Give the liaison point's name."))
                    continue
                points.add(row.get("point"))
                wanted[row.number] = ("point", row.get("point"), row.get("village"))
            elif target == "household" and row.get("household"):
                # An ID number beside the household number must be valid and of that
                # household (the head's, as the column says, or a member's): never ignored.
                checked = values.id_number(ctx, row, "id_number") if row.get("id_number") else ("", None)
                if checked is None:
                    continue
                digest = crypto.lookup_hash(checked[0], context=b"id_number") if checked[0] else None
                if digest:
                    hashes.add(digest)
                codes.add(row.get("household"))
                wanted[row.number] = ("household", row.get("household"), digest)
            else:
                checked = values.id_number(ctx, row, "id_number")
                if checked is None:
                    continue
                if not checked[0]:
                    key = "household" if target == "household" else "id_number"
                    message = (
                        _("Give the household number or the head's ID number.")
                        if target == "household"
                        else _("Give the member's ID number.")
                    )
                    ctx.error(row.number, key, message)
                    continue
                digest = crypto.lookup_hash(checked[0], context=b"id_number")
                hashes.add(digest)
                wanted[row.number] = (target + "_by_id", digest)
        # Targets are looked up only within the campaign's region and the importer's area:
        # a number registered elsewhere is answered as one never registered, so the list
        # cannot be used to learn whether a number exists in another county or village.
        households = {
            h["code"]: (h["id"], h["region_id"])
            for h in Household.objects.filter(_within(ctx, "region_id"), code__in=codes).values(
                "id", "code", "region_id"
            )
        }
        members = {
            m["id_number_hash"]: m
            for m in Member.objects.filter(
                _within(ctx, "household__region_id"), id_number_hash__in=hashes
            ).values("id", "id_number_hash", "household_id", "household__region_id")
        }
        # Points by their names as a cell is cleaned (a name kept with full-width brackets or
        # spaces matches the cell that copies it): every point of the region, a few hundred.
        by_point: dict[str, list[dict]] = {}
        if points:
            for p in LiaisonPoint.objects.filter(_within(ctx, "region_id")).values(
                "id", "name", "region_id", "region__name", "retired_on"
            ):
                by_point.setdefault(clean_compact(p["name"]), []).append(p)
        found = {}
        for number, want in wanted.items():
            if want[0] == "household":
                hit = households.get(want[1])
                if hit is None:
                    ctx.error(
                        number,
                        "household",
                        _("No household with this number in the campaign's region within your area."),
                    )
                    continue
                member = members.get(want[2]) if want[2] else None
                if want[2] and (member is None or member["household_id"] != hit[0]):
                    ctx.error(
                        number,
                        "id_number",
                        _("This ID number is not of anyone in household %(code)s: check both cells.")
                        % {"code": want[1]},
                    )
                    continue
                found[number] = hit
            elif want[0] in ("household_by_id", "member_by_id"):
                member = members.get(want[1])
                if member is None:
                    ctx.error(
                        number,
                        "id_number",
                        _("No resident with this ID number in the campaign's region within your area."),
                    )
                    continue
                if want[0] == "household_by_id":
                    found[number] = (member["household_id"], member["household__region_id"])
                else:
                    found[number] = (member["id"], member["household__region_id"])
            else:
                candidates = by_point.get(want[1], [])
                if want[2]:
                    village = village_key(want[2])
                    candidates = [p for p in candidates if village_key(p["region__name"]) == village]
                if not candidates:
                    ctx.error(
                        number,
                        "point",
                        _("No liaison point of this name in the campaign's region within your area."),
                    )
                elif len(candidates) > 1:
                    ctx.error(number, "point", _("Several points have this name; add the village column."))
                else:
                    found[number] = (candidates[0]["id"], candidates[0]["region_id"])
                    if candidates[0]["retired_on"] is not None:
                        self.retired[candidates[0]["id"]] = (
                            candidates[0]["name"],
                            candidates[0]["retired_on"],
                        )
        return found

    def counts(self, plans):
        return {
            "pairings_created": sum(not p.exists for p in plans),
            "pairings_unchanged": sum(p.exists for p in plans),
        }

    def write(self, plans, ctx):
        created = Pairing.objects.bulk_create(
            [
                Pairing(
                    campaign=ctx.campaign,
                    cadre_id=p.cadre_id,
                    kind=p.kind,
                    slot=p.slot,
                    region_id=p.region,
                    start=p.start,
                    note=p.note,
                    created_by=ctx.actor,
                    **{f"{p.target}_id": p.target_id},
                )
                for p in plans
                if not p.exists
            ],
            batch_size=1000,
        )
        ctx.wrote("pairings_created", (p.pk for p in created))


def _within(ctx, field_name: str) -> Q:
    """The condition on a region code field: within the campaign's region and the importer's area."""
    condition = prefix_q(field_name, ctx.campaign.region.prefix)
    area = ctx.region_q(field_name)
    return condition if area is None else condition & area
