"""The household roster: one row per member, the household's cells merged (or repeated,
or left blank) over its member rows; or one row per household with its head only.

A household is matched by its 户编号, else by its head's ID number; a member by the keyed
hash of the ID number, else (no ID number) by name within the household. A re-import
of the same file therefore finds everything and changes nothing."""

import functools
import json
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from minqing.core import crypto
from minqing.core.identity import normalize_phone
from minqing.core.personal import IdNumber, Phone
from minqing.core.text import pinyin_keys
from minqing.people.models import (
    EconomicStatus,
    HardshipGrading,
    Household,
    IncomeSource,
    Member,
    Tag,
    Tagging,
)

from . import values
from .bulk import Inserter, allocate_ids
from .engine import Column, Importer
from .lookup import RegionResolver

HARDSHIP = {
    "无": 0,
    "否": 0,
    "不困难": 0,
    "非困难": 0,
    "0": 0,
    "一般困难": 1,
    "一般": 1,
    "1": 1,
    "比较困难": 2,
    "较困难": 2,
    "比较": 2,
    "2": 2,
    "特别困难": 3,
    "特困": 3,
    "特别": 3,
    "3": 3,
}
ECONOMY = {
    "富裕": EconomicStatus.WELL_OFF,
    "较好": EconomicStatus.WELL_OFF,
    "宽裕": EconomicStatus.WELL_OFF,
    "一般": EconomicStatus.AVERAGE,
    "中等": EconomicStatus.AVERAGE,
    "紧张": EconomicStatus.STRAINED,
    "较差": EconomicStatus.STRAINED,
    "困难": EconomicStatus.POOR,
    "贫困": EconomicStatus.POOR,
    # As the roster export writes a household nobody has assessed: its file imports again.
    "未填": EconomicStatus.UNKNOWN,
    "不详": EconomicStatus.UNKNOWN,
    "未知": EconomicStatus.UNKNOWN,
}
INCOME = {
    "务农": IncomeSource.FARMING,
    "种养殖": IncomeSource.FARMING,
    "种植": IncomeSource.FARMING,
    "养殖": IncomeSource.FARMING,
    "外出务工": IncomeSource.MIGRANT_WORK,
    "务工": IncomeSource.MIGRANT_WORK,
    "本地务工": IncomeSource.LOCAL_WAGES,
    "工资": IncomeSource.LOCAL_WAGES,
    "经商": IncomeSource.BUSINESS,
    "个体经营": IncomeSource.BUSINESS,
    "养老金": IncomeSource.PENSION,
    "退休金": IncomeSource.PENSION,
    "补贴": IncomeSource.SUBSIDY,
    "政策补助": IncomeSource.SUBSIDY,
    "其他": IncomeSource.OTHER,
}
RELATION = {
    "户主": Member.Relation.HEAD,
    "本人": Member.Relation.HEAD,
    "配偶": Member.Relation.SPOUSE,
    "妻": Member.Relation.SPOUSE,
    "妻子": Member.Relation.SPOUSE,
    "夫": Member.Relation.SPOUSE,
    "丈夫": Member.Relation.SPOUSE,
    "子": Member.Relation.CHILD,
    "女": Member.Relation.CHILD,
    "儿子": Member.Relation.CHILD,
    "女儿": Member.Relation.CHILD,
    "长子": Member.Relation.CHILD,
    "次子": Member.Relation.CHILD,
    "长女": Member.Relation.CHILD,
    "次女": Member.Relation.CHILD,
    "子女": Member.Relation.CHILD,
    "父亲": Member.Relation.PARENT,
    "母亲": Member.Relation.PARENT,
    "父母": Member.Relation.PARENT,
    "孙子": Member.Relation.GRANDCHILD,
    "孙女": Member.Relation.GRANDCHILD,
    "外孙": Member.Relation.GRANDCHILD,
    "外孙女": Member.Relation.GRANDCHILD,
    "祖父": Member.Relation.GRANDPARENT,
    "祖母": Member.Relation.GRANDPARENT,
    "兄": Member.Relation.SIBLING,
    "弟": Member.Relation.SIBLING,
    "姐": Member.Relation.SIBLING,
    "妹": Member.Relation.SIBLING,
    "兄弟姐妹": Member.Relation.SIBLING,
    "儿媳": Member.Relation.CHILD_IN_LAW,
    "女婿": Member.Relation.CHILD_IN_LAW,
}
HOUSEHOLD_TAGS = frozenset({str(Tag.WUBAO), str(Tag.DIBAO)})
TAGS = {
    "五保户": Tag.WUBAO,
    "五保": Tag.WUBAO,
    "特困供养": Tag.WUBAO,
    "低保户": Tag.DIBAO,
    "低保": Tag.DIBAO,
    "残疾人": Tag.DISABLED,
    "残疾": Tag.DISABLED,
    "独居老人": Tag.ELDERLY_ALONE,
    "空巢老人": Tag.ELDERLY_ALONE,
    "留守儿童": Tag.LEFT_BEHIND_CHILD,
    "老党员": Tag.VETERAN_PARTY_MEMBER,
    "群众代表": Tag.RESIDENTS_REPRESENTATIVE,
    "居民代表": Tag.RESIDENTS_REPRESENTATIVE,
    "村民代表": Tag.RESIDENTS_REPRESENTATIVE,
    "致富能手": Tag.WEALTH_EXPERT,
    "劳动模范": Tag.MODEL_WORKER,
    "劳模": Tag.MODEL_WORKER,
    "知名人士": Tag.NOTABLE,
    "乡贤": Tag.NOTABLE,
    "重点信访人员": Tag.KEY_PETITIONER,
}
# An ID number or 户编号 that a household outside the importer's area holds. A person is
# registered once in the whole system, so the row cannot be imported; the words say no
# more than that, the same for a neighbouring village the importer cannot see as for
# another county. (A number never registered is imported: the two cannot be made alike
# without giving up one registration per person, so every run, dry runs too, is audited
# with the count of such rows.)
ID_TAKEN = gettext_lazy(
    "This ID number is already registered in the system, in a record you cannot change (a person "
    "is registered only once). Ask the office above you to sort it out."
)
CODE_TAKEN = gettext_lazy(
    "This household number is already used in the system by a record you cannot change. Use "
    "another number, or ask the office above you to sort it out."
)
SEPARATORS = str.maketrans({c: "," for c in "，、;；/ "})

COLUMNS = (
    Column(
        "code",
        ("户编号", "户号", "家庭编号", "户籍编号"),
        gettext_lazy("household number"),
        "compact",
        block=True,
        example="431123101200-0001",
    ),
    Column(
        "township",
        ("乡镇", "乡镇（街道）", "所属乡镇", "乡镇街道"),
        gettext_lazy("township"),
        "compact",
        block=True,
        example="江村乡",
    ),
    Column(
        "village",
        ("村（社区）", "村", "所属村", "行政村", "社区", "村社区", "村名"),
        gettext_lazy("village or community"),
        "compact",
        block=True,
        example="桐木村",
    ),
    Column(
        "group",
        ("组", "村民小组", "组别", "所属组"),
        gettext_lazy("villagers' group"),
        "compact",
        block=True,
        example="一组",
    ),
    Column(
        "region_code",
        ("区划代码", "行政区划代码"),
        gettext_lazy("region code (instead of the names)"),
        "compact",
        block=True,
    ),
    Column(
        "address",
        ("住址", "家庭住址", "地址", "家庭地址", "现住址"),
        gettext_lazy("address"),
        block=True,
        example="江村乡桐木村一组12号",
    ),
    Column(
        "size",
        ("人口", "家庭人口", "家庭人口数", "户人口", "人口数"),
        gettext_lazy("family size"),
        "compact",
        block=True,
        example="3",
    ),
    Column(
        "hardship",
        ("困难等级", "困难程度", "困难类别"),
        gettext_lazy("hardship: 一般困难, 比较困难, 特别困难"),
        "compact",
        block=True,
        example="一般困难",
    ),
    Column(
        "economy",
        ("经济状况", "家庭经济状况"),
        gettext_lazy("economic status: 富裕, 一般, 紧张, 困难"),
        "compact",
        block=True,
    ),
    Column(
        "income",
        ("收入来源", "主要收入来源"),
        gettext_lazy("income sources, separated by 、"),
        "compact",
        block=True,
    ),
    Column(
        "head_name",
        ("户主姓名", "户主"),
        gettext_lazy("head of household (a list of heads only)"),
        "compact",
        block=True,
    ),
    Column(
        "name",
        ("姓名", "成员姓名", "家庭成员", "成员"),
        gettext_lazy("member's name"),
        "compact",
        example="张三",
    ),
    Column(
        "id_number",
        ("身份证号", "公民身份号码", "身份证号码", "身份证", "证件号码"),
        gettext_lazy("ID number, as text"),
        "id",
        example="431123198507150014",
    ),
    Column(
        "relation",
        ("与户主关系", "关系", "与户主的关系"),
        gettext_lazy("relation: 户主, 配偶, 子, 女, 父亲, …"),
        "compact",
        example="户主",
    ),
    Column(
        "phone",
        ("联系电话", "手机", "手机号码", "电话", "手机号"),
        gettext_lazy("mobile phone"),
        "phone",
        example="13812345678",
    ),
    Column("landline", ("固定电话", "座机", "家庭电话"), gettext_lazy("landline"), "phone"),
    Column(
        "tags",
        ("标签", "人员类别", "特殊群体", "人员类型"),
        gettext_lazy("tags: 低保户、残疾人、留守儿童 …"),
        "compact",
    ),
    Column("note", ("备注",), gettext_lazy("note"), block=True),
)


@dataclass(slots=True)
class MemberPlan:
    row: int
    name: str
    relation: str
    id_number: str = ""
    id_hash: str | None = None
    birth_date: object = None  # from the ID number
    sex: str = ""
    phone: str = ""
    tags: list[str] = field(default_factory=list)
    existing: dict | None = None  # the matched member's stored values
    changes: dict = field(default_factory=dict)
    member_id: int | None = None


@dataclass(slots=True)
class HouseholdPlan:
    row: int
    code: str
    region: str | None
    fields: dict
    members: list[MemberPlan] = field(default_factory=list)
    existing: dict | None = None
    changes: dict = field(default_factory=dict)
    default_address: str = ""
    stored_tags: set = field(default_factory=set)
    household_id: int | None = None
    head_id: int | None = None
    numbered: bool = False  # no 户编号 in the file: the system gave it its village's next number
    placed_in: str = ""  # no village in the file: the one its 户编号 names (its name, for the notes)


_HEAD_WORDS = ("户主", "本人")
_OTHER = str(Member.Relation.OTHER)
_HEAD = str(Member.Relation.HEAD)
_UNKNOWN_ECONOMY = str(EconomicStatus.UNKNOWN)
_RELATION = {k: str(v) for k, v in RELATION.items()}


class HouseholdImporter(Importer):
    kind = "households"
    title = gettext_lazy("Households and members")
    permission = "people.edit"
    columns = COLUMNS
    example_places = {
        "code": "code",
        "township": "township",
        "village": "village",
        "group": "group",
        "address": "address",
    }

    # Validation --------------------------------------------------------------------

    def validate(self, rows, ctx):
        self.misplaced: list[tuple[HouseholdPlan, str]] = []
        plans = list(self._plans(rows, ctx))
        self._check_misplaced(ctx)
        if not ctx.errors:
            self._match(plans, ctx)
        return plans

    def _plans(self, rows, ctx):
        """Each household's plan, checked row by row (errors into ctx), in file order."""
        self.hash_id = crypto.lookup_hasher(context=IdNumber.kind.encode())
        self.hash_phone = crypto.lookup_hasher(context=Phone.kind.encode())
        self.id_numbers = values.IdNumbers()
        # Numbers the file gives: a household numbered by us must not take one of them.
        self.file_codes = {row.values.get("code", "") for row in rows}
        has_relation = "relation" in ctx.present and any(r.get("relation") for r in rows[:200])
        blocks = self._blocks(rows, has_relation)
        resolver = RegionResolver(ctx)
        regions: dict[tuple, tuple] = {}
        seen_codes: dict[str, int] = {}
        seen_ids: dict[str, int] = {}
        member = self._member
        for block in blocks:
            plan = self._household(block, ctx, resolver, regions, seen_codes)
            members = plan.members
            first = True
            for row in block:
                found = member(row, ctx, has_relation, seen_ids, first)
                first = False
                if found is not None:
                    members.append(found)
            if members:
                for m in members:
                    if m.relation == _HEAD:
                        break
                else:
                    members[0].relation = _HEAD
            yield plan

    def _blocks(self, rows, has_relation: bool) -> list[list]:
        """Rows grouped into households: a new 户编号, a 户主 row, or new household cells start one."""
        blocks: list[list] = []
        current_key = None
        for row in rows:
            get = row.values.get
            code = get("code", "")
            key = (
                code,
                get("village", ""),
                get("group", ""),
                get("region_code", ""),
                get("address", ""),
                get("head_name", ""),
            )
            if not blocks:
                starts = True
            elif code:
                starts = code != current_key[0]
            elif row.continued:
                starts = has_relation and get("relation", "") in _HEAD_WORDS
            else:
                starts = not has_relation or get("relation", "") in _HEAD_WORDS or key != current_key
            if starts:
                blocks.append([row])
                current_key = key
            else:
                blocks[-1].append(row)
        return blocks

    def _household(self, block, ctx, resolver, regions, seen_codes) -> HouseholdPlan:
        first = block[0]
        get = first.values.get
        number = first.number
        code = get("code", "")
        # A row that names no village (nor region code) is in the village its 户编号 names,
        # when the number has the system's form and the village is one the importer reaches
        # (said in the notes); never guessed from the address.
        village_code = (
            "" if get("region_code", "") or get("village", "") else resolver.village_of_household(code)
        )
        # Households share their villages and groups: each place is resolved once.
        place = (
            get("region_code", ""),
            get("township", ""),
            get("village", ""),
            get("group", ""),
            village_code,
        )
        resolved = regions.get(place)
        if resolved is None:
            resolved = resolver.resolve(
                code=place[0], township=place[1], village=place[2], group=place[3], village_code=village_code
            )
            if resolved[1] is None and place[1]:
                # The 乡镇 the row writes must be its village's (named, or the 户编号's).
                wrong = resolver.township_problem(
                    resolved[0], place[1], from_household_code=bool(village_code)
                )
                if wrong:
                    resolved = (None, wrong)
            regions[place] = resolved
        region, problem = resolved
        if problem:
            ctx.error(number, *problem)
        if code:
            if len(code) > 24:
                ctx.error(number, "code", _("A household number has at most 24 characters."))
            elif code in seen_codes:
                ctx.error(
                    number,
                    "code",
                    _("This household number already appears in row %(row)s.") % {"row": seen_codes[code]},
                )
            seen_codes.setdefault(code, number)
        fields = {}
        present = ctx.present
        if "address" in present:
            address = get("address", "")
            fields["address"] = address if len(address) <= 200 else values.text(ctx, first, "address", 200)
        if get("size", ""):
            size = values.whole_number(ctx, first, "size", low=1, high=99)
            if size:
                fields["size"] = size
        # A blank cell of the column is no hardship; a list without the column grades nobody.
        if "hardship" in present:
            level = get("hardship", "")
            level = HARDSHIP.get(level) if level else 0
            if level is None:
                level = values.choice(ctx, first, "hardship", HARDSHIP, default=0)
            if level is not False:
                fields["hardship_level"] = level
        if get("economy", ""):
            status = values.choice(ctx, first, "economy", ECONOMY)
            if status:
                fields["economic_status"] = str(status)
        income = get("income", "")
        if income:
            sources = []
            for part in filter(None, income.translate(SEPARATORS).split(",")):
                if part not in INCOME:
                    ctx.error(
                        number,
                        "income",
                        _("“%(value)s” is not one of: %(choices)s.")
                        % {"value": part, "choices": "、".join(INCOME)},
                    )
                elif INCOME[part] not in sources:
                    sources.append(str(INCOME[part]))
            fields["income_sources"] = sorted(sources)
        if get("note", ""):
            fields["note"] = get("note", "")
        plan = HouseholdPlan(
            row=number,
            code=code,
            region=region,
            fields=fields,
            default_address=place[1] + place[2] + place[3],
            placed_in=resolver.name_of(village_code) if village_code and region else "",
        )
        # A number formed as the system forms them (a village's 12-digit code, a hyphen, a
        # serial) must be of the row's village: another village's number is a typing slip or a
        # household listed under the wrong village. Checked with the file's other households
        # (_check_misplaced), so this costs nothing per row beyond the comparison.
        if region and len(code) > 13 and code[12] == "-" and code[:12] != region[:12] and code[:12].isdigit():
            self.misplaced.append((plan, resolver.name_of(region[:12]) or resolver.name_of(region)))
        return plan

    def _check_misplaced(self, ctx) -> None:
        """Refuse the numbers of another village than their row's (see _household), except a
        household of the importer's area stored so already that the row leaves in its village
        (one query, only for a file that has such numbers): an old record is not made
        impossible to import again. The words are the same whether or not a number is
        registered elsewhere, so they tell nothing about other areas."""
        if not self.misplaced:
            return
        stored = dict(
            _select_in(
                Household, ("code", "region_id"), "code", [plan.code for plan, _name in self.misplaced]
            )
        )
        for plan, village in self.misplaced:
            found = stored.get(plan.code)
            if found is not None and found[:12] == plan.region[:12] and ctx.in_scope(found):
                continue
            ctx.error(
                plan.row,
                "code",
                _(
                    "This household number begins with the region code %(prefix)s, which is not the "
                    "code of the row's village, %(village)s (%(code)s): a number formed from a region "
                    "code must begin with its own village's code."
                )
                % {"prefix": plan.code[:12], "village": village, "code": plan.region[:12]},
            )

    def _member(self, row, ctx, has_relation, seen_ids, first: bool) -> MemberPlan | None:
        get = row.values.get
        number = row.number
        name = get("name", "") or (get("head_name", "") if first else "")
        if not name and not get("id_number", "") and not get("phone", ""):
            if not row.continued and first:
                ctx.error(number, "name", _("Give the member's name."))
            return None
        if not name:
            ctx.error(number, "name", _("Give the member's name."))
        if len(name) > 40:
            ctx.error(number, "name", _("A name has at most 40 characters."))
        relation = _OTHER
        if has_relation:
            relation = _RELATION.get(get("relation", ""), _OTHER)
        elif first:
            relation = _HEAD
        checked = self.id_numbers.check(ctx, row, "id_number")
        plan = MemberPlan(row=number, name=name, relation=relation)
        if checked:
            plan.id_number, plan.birth_date, plan.sex = checked
            if plan.id_number:
                plan.id_hash = digest = self.hash_id(plan.id_number)
                if digest in seen_ids:
                    ctx.error(
                        number,
                        "id_number",
                        _("This ID number already appears in row %(row)s.") % {"row": seen_ids[digest]},
                    )
                else:
                    seen_ids[digest] = number
        phone_key = "phone" if get("phone", "") else "landline"
        phone = get(phone_key, "")
        if phone:
            # A mobile number as cleaned cells hold it (nearly every phone) needs no other check.
            if not (len(phone) == 11 and phone[0] == "1" and phone[1] in "3456789" and phone.isdecimal()):
                phone = values.phone(ctx, row, phone_key)
                phone = normalize_phone(phone) if phone else ""
            plan.phone = phone
        tags = get("tags", "")
        if tags:
            for part in filter(None, tags.translate(SEPARATORS).split(",")):
                if part not in TAGS:
                    ctx.error(
                        number,
                        "tags",
                        _("Unknown tag “%(value)s”; use one of: %(choices)s.")
                        % {"value": part, "choices": "、".join(TAGS)},
                    )
                elif str(TAGS[part]) not in plan.tags:
                    plan.tags.append(str(TAGS[part]))
        return plan if name else None

    def _match(self, plans: list[HouseholdPlan], ctx) -> None:
        """Find what exists already (a few queries for the whole file) and what would change."""
        codes = [p.code for p in plans if p.code]
        hashes = [m.id_hash for p in plans for m in p.members if m.id_hash]
        by_code: dict[str, dict] = {}
        fields = (
            "id",
            "code",
            "region_id",
            "address",
            "size",
            "hardship_level",
            "economic_status",
            "income_sources",
            "note",
            "head_id",
        )
        # The look-ups are plain SQL, the whole list bound as one value: the ORM would
        # prepare each of a hundred thousand parameters.
        for h in _households(_select_in(Household, fields, "code", codes), fields):
            by_code[h["code"]] = h
        members: dict[str, dict] = {}
        member_fields = ("id", "household_id", "name", "relation", "id_number_hash", "phone_hash")
        for row in _select_in(Member, member_fields, "id_number_hash", hashes):
            members[row[4]] = dict(zip(member_fields, row, strict=True))
        # Households found through a member's ID number (no 户编号 in the file).
        extra = {m["household_id"] for m in members.values()} - {h["id"] for h in by_code.values()}
        by_id = {h["id"]: h for h in by_code.values()}
        for h in _households(_select_in(Household, fields, "id", sorted(extra)), fields):
            by_id[h["id"]] = h
        # Households the importer cannot reach (outside its area): a 户编号 or an ID number
        # one of them holds cannot be registered again (each is unique in the whole system),
        # so the row is refused, in words that do not say where (ID_TAKEN, CODE_TAKEN).
        outside = {h["id"] for h in by_id.values() if not ctx.in_scope(h["region_id"])}
        for plan in plans:
            if plan.code:
                found = by_code.get(plan.code)
                if found is not None and found["id"] in outside:
                    ctx.taken_elsewhere(plan.row, "code", str(CODE_TAKEN))
                    continue
                plan.existing = found
            if plan.existing is None:
                found = {members[m.id_hash]["household_id"] for m in plan.members if m.id_hash in members}
                if len(found) == 1 and not found & outside:
                    plan.existing = by_id.get(found.pop())
        self._match_by_head(plans, ctx, fields)
        matched = [p.existing["id"] for p in plans if p.existing]
        by_household: dict[int, list[dict]] = {}
        tags: dict[int, set] = {}
        # Members without an ID number, matched by name within their household (the others
        # were found by their keyed hash above).
        for row in _select_in(Member, member_fields, "household_id", matched, where=NO_ID_NUMBER):
            by_household.setdefault(row[1], []).append(dict(zip(member_fields, row, strict=True)))
        for household_id, member_id, tag in _select_in(
            Tagging, ("household_id", "member_id", "tag"), "household_id", matched
        ):
            tags.setdefault(household_id, set()).add((member_id, tag))
        for plan in plans:
            household = plan.existing
            if household is None:
                if plan.region is None:
                    continue
                for m in plan.members:
                    if m.id_hash in members:
                        self._registered_elsewhere(ctx, m, members[m.id_hash], outside)
                continue
            plan.changes = self._household_changes(plan, household)
            by_name = {m["name"]: m for m in by_household.get(household["id"], ())}
            for m in plan.members:
                found = members.get(m.id_hash) if m.id_hash else by_name.get(m.name)
                if found is not None and found["household_id"] != household["id"]:
                    self._registered_elsewhere(ctx, m, found, outside)
                    continue
                m.existing = found
                if found is not None:
                    m.changes = self._member_changes(m, found)
            plan.stored_tags = tags.get(household["id"], set())

    @staticmethod
    def _registered_elsewhere(ctx, m: MemberPlan, found: dict, outside: set) -> None:
        """A member whose ID number another household holds: one the importer can see is
        named as such; one it cannot gets the words that do not say where."""
        if found["household_id"] in outside:
            ctx.taken_elsewhere(m.row, "id_number", str(ID_TAKEN))
        else:
            ctx.error(
                m.row, "id_number", _("A resident with this ID number is registered in another household.")
            )

    def _match_by_head(self, plans: list[HouseholdPlan], ctx, fields: tuple[str, ...]) -> None:
        """A household the file gives neither a 户编号 nor an ID number for is found again by
        its place and its head's name (and phone, where the file gives one): importing such a
        list twice must not make every household twice. Several candidates are an error that
        says how to tell them apart."""
        keyless = [
            p
            for p in plans
            if p.existing is None
            and not p.code
            and p.region
            and p.members
            and not any(m.id_hash for m in p.members)
        ]
        if not keyless:
            return
        heads = {id(p): next((m for m in p.members if m.relation == _HEAD), p.members[0]) for p in keyless}
        candidates: dict[tuple, list[tuple]] = {}
        for household_id, region_id, name, phone_hash in Household.objects.filter(
            region_id__in={p.region for p in keyless},
            head__name__in={heads[id(p)].name for p in keyless},
        ).values_list("id", "region_id", "head__name", "head__phone_hash"):
            candidates.setdefault((region_id, name), []).append((household_id, phone_hash))
        chosen: dict[int, HouseholdPlan] = {}
        for plan in keyless:
            head = heads[id(plan)]
            found = candidates.get((plan.region, head.name), [])
            if len(found) > 1 and head.phone:
                digest = self.hash_phone(head.phone)
                found = [c for c in found if c[1] == digest]
            if not found:
                continue
            if len(found) > 1:
                ctx.error(
                    plan.row,
                    "name",
                    _(
                        "Several households here have a head named %(name)s: give the 户编号 or "
                        "the head's ID number to say which."
                    )
                    % {"name": head.name},
                )
                continue
            household_id = found[0][0]
            if household_id in chosen:
                ctx.error(
                    plan.row,
                    "name",
                    _("This household (same place and head) already appears in row %(row)s.")
                    % {"row": chosen[household_id].row},
                )
                continue
            chosen[household_id] = plan
        if chosen:
            for h in _households(_select_in(Household, fields, "id", sorted(chosen)), fields):
                chosen[h["id"]].existing = h

    def _household_changes(self, plan, household) -> dict:
        changes = {}
        for name, value in plan.fields.items():
            if name == "address" and not value:
                continue
            if household[name] != value:
                changes[name] = value
        region = plan.region
        if region and household["region_id"] != region and not household["region_id"].startswith(region):
            changes["region_id"] = region
        return changes

    def _member_changes(self, m: MemberPlan, found: dict) -> dict:
        changes = {}
        if m.name != found["name"]:
            changes["name"] = m.name
        if m.relation != found["relation"] and m.relation != Member.Relation.OTHER:
            changes["relation"] = m.relation
        if m.phone:
            digest = self.hash_phone(m.phone)
            if digest != found["phone_hash"]:
                changes["phone"] = m.phone
        return changes

    def counts(self, plans) -> dict[str, int]:
        counts = dict.fromkeys(
            (
                "households_created",
                "households_updated",
                "households_unchanged",
                "members_created",
                "members_updated",
                "members_unchanged",
                "households_numbered",
            ),
            0,
        )
        for plan in plans:
            if plan.existing is None:
                counts["households_created"] += 1
                if not plan.code:
                    counts["households_numbered"] += 1
                counts["members_created"] += len(plan.members)
                continue
            counts["households_updated" if plan.changes else "households_unchanged"] += 1
            for m in plan.members:
                if m.existing is None:
                    counts["members_created"] += 1
                elif m.changes:
                    counts["members_updated"] += 1
                else:
                    counts["members_unchanged"] += 1
        return counts

    # Writing -----------------------------------------------------------------------

    def write(self, plans, ctx) -> None:
        sqlite = connection.vendor == "sqlite"
        if not sqlite:
            self._write(plans, ctx)
            return
        with connection.cursor() as cursor:
            # A roster's keyed hashes land all over their indexes: with SQLite's default
            # 2 MB page cache most inserts would evict and re-read pages. 256 MB while
            # this import writes, then the connection's own size again.
            cursor.execute("PRAGMA cache_size")
            (cache_size,) = cursor.fetchone()
            cursor.execute("PRAGMA temp.cache_size")
            (temp_cache_size,) = cursor.fetchone()
            cursor.execute("PRAGMA cache_size = -262144")
            cursor.execute("PRAGMA temp.cache_size = -65536")  # the staged batches
        try:
            self._write(plans, ctx)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
                cursor.execute(f"PRAGMA temp.cache_size = {int(temp_cache_size)}")

    def _write(self, plans, ctx) -> None:
        actor = ctx.actor
        now = timezone.now()
        today = timezone.localdate()
        reason = _("Imported from %(file)s") % {"file": ctx.filename}
        new = [p for p in plans if p.existing is None]
        self._number_new(new)
        # The driver's form of the time once, and each list of income sources once.
        stamp = connection.ops.adapt_datetimefield_value(now)
        graded_on = connection.ops.adapt_datefield_value(today)
        grading = (reason[:200], actor.pk if actor is not None else None, stamp)
        # Changes to what exists first (a re-import changes few), then the new rows.
        gradings = []
        for plan in plans:
            if plan.existing is None:
                continue
            plan.household_id = plan.existing["id"]
            for m in plan.members:
                if m.existing is not None and m.changes:
                    self._update_member(m)
            if not plan.changes:
                continue
            changes = dict(plan.changes, updated_at=now)
            Household.objects.filter(pk=plan.household_id).update(**changes)
            if "hardship_level" in plan.changes:
                gradings.append(
                    (
                        plan.household_id,
                        plan.changes["hardship_level"],
                        plan.existing["hardship_level"],
                        graded_on,
                        *grading,
                    )
                )
        sqlite = connection.vendor == "sqlite"
        new_members = [m for plan in plans for m in plan.members if m.existing is None]
        member_households = [plan for plan in plans for m in plan.members if m.existing is None]
        for plan, household_id in zip(new, allocate_ids(Household, len(new)), strict=True):
            plan.household_id = household_id
        for m, member_id in zip(new_members, allocate_ids(Member, len(new_members)), strict=True):
            m.member_id = member_id
        ctx.wrote("households_created", (p.household_id for p in new))
        ctx.wrote("members_created", (m.member_id for m in new_members))
        ctx.wrote(
            "households_updated", (p.household_id for p in plans if p.existing is not None and p.changes)
        )
        ctx.wrote(
            "members_updated",
            (m.existing["id"] for p in plans for m in p.members if m.existing is not None and m.changes),
        )
        # Each household's head: a new household's is written with it (on PostgreSQL); one
        # that exists without a head gets it after the members are in.
        heads, taggings = [], []
        for plan in plans:
            stored_tags = plan.stored_tags
            head_id = plan.existing["head_id"] if plan.existing else None
            for m in plan.members:
                member_id = m.member_id if m.existing is None else m.existing["id"]
                if head_id is None and m.relation == _HEAD:
                    head_id = member_id
                    if plan.existing is not None:
                        heads.append((member_id, plan.household_id))
                for tag in m.tags:
                    # 五保户 and 低保户 are the household's (a cell merged down its rows, or
                    # written on one member's row, tags it once), the others a person's.
                    holder = None if tag in HOUSEHOLD_TAGS else member_id
                    if (holder, tag) not in stored_tags:
                        stored_tags.add((holder, tag))
                        taggings.append((plan.household_id, holder, tag))
            plan.head_id = head_id
        sources: dict[tuple, str] = {}
        household_rows = []
        for p in new:
            fields = p.fields
            income = tuple(fields.get("income_sources", ()))
            if income not in sources:
                sources[income] = json.dumps(list(income))
            household_rows.append(
                (
                    p.household_id,
                    p.code,
                    p.region,
                    fields.get("address") or self._default_address(p, ctx),
                    fields.get("size") or max(1, len(p.members)),
                    # No column (or an empty cell): not known, rather than a guess of 一般.
                    fields.get("economic_status", _UNKNOWN_ECONOMY),
                    sources[income],
                    fields.get("hardship_level", 0),
                    fields.get("note", ""),
                    None if sqlite else p.head_id,
                    stamp,
                    stamp,
                )
            )
        gradings[:0] = [
            (p.household_id, p.fields["hardship_level"], 0, graded_on, *grading)
            for p in new
            if p.fields.get("hardship_level")
        ]
        with Inserter() as inserter:
            # Each batch of members is encrypted, hashed and put in pinyin while the batch
            # before is being inserted.
            inserter.add(Household, HOUSEHOLD_COLUMNS, household_rows)
            for start in range(0, len(new_members), MEMBER_BATCH):
                end = start + MEMBER_BATCH
                rows = self._member_rows(new_members[start:end], member_households[start:end])
                inserter.add(Member, MEMBER_COLUMNS, rows)
            inserter.add(HardshipGrading, GRADING_COLUMNS, gradings)
            inserter.add(Tagging, ("household_id", "member_id", "tag"), taggings)
        with connection.cursor() as cursor:
            if sqlite and new:
                # A head written with its household, before its members, would leave SQLite
                # counting an unresolved reference, and then look for referring rows in five
                # tables on every member written. Set once the members are in: the first head
                # of each household, in file order (ids were handed out in file order).
                cursor.execute(
                    f"UPDATE {Household._meta.db_table} SET head_id = ("  # noqa: S608 - our own names
                    f"SELECT min(m.id) FROM {Member._meta.db_table} m "
                    f"WHERE m.household_id = {Household._meta.db_table}.id AND m.relation = %s) "
                    "WHERE id BETWEEN %s AND %s",
                    (_HEAD, new[0].household_id, new[-1].household_id),
                )
            if heads:
                cursor.executemany(
                    f"UPDATE {Household._meta.db_table} SET head_id = %s WHERE id = %s",  # noqa: S608
                    heads,
                )

    def _number_new(self, new: list[HouseholdPlan]) -> None:
        """Households without a 户编号 get their village's next number (the demo's pattern)."""
        missing = [p for p in new if not p.code]
        for plan, code in zip(missing, self._next_codes(missing), strict=True):
            plan.code, plan.numbered = code, True

    def _next_codes(self, missing: list[HouseholdPlan]) -> list[str]:
        """The numbers these households get, in file order: their village's code (the
        first 12 digits of their region's), a hyphen and the village's next serial number
        (one query for the whole file)."""
        if not missing:
            return []
        villages = {p.region[:12] for p in missing}
        highest: dict[str, int] = {}
        for code in (
            Household.objects.filter(code__regex=r"^\d{12}-\d+$")
            .filter(code__gte=min(villages), code__lt=max(villages) + ".")
            .values_list("code", flat=True)
        ):
            village, _sep, seq = code.partition("-")
            highest[village] = max(highest.get(village, 0), int(seq))
        taken = getattr(self, "file_codes", ())
        codes = []
        for plan in missing:
            village = plan.region[:12]
            while True:
                highest[village] = highest.get(village, 0) + 1
                code = f"{village}-{highest[village]:04d}"
                if code not in taken:  # another row of the file gives this number
                    break
            codes.append(code)
        return codes

    def notes(self, plans, ctx, *, written: bool) -> list[str]:
        return self._placed_note(plans) + self._numbered_note(plans, written=written)

    def _placed_note(self, plans) -> list[str]:
        """The households placed in the village their 户编号 names, the file naming none
        (see _household), said with their rows and villages (the first few)."""
        placed = [p for p in plans if p.placed_in]
        if not placed:
            return []
        shown = [
            _("row %(row)s: %(village)s") % {"row": p.row, "village": p.placed_in}
            for p in placed[:NUMBERED_SHOWN]
        ]
        if len(placed) > NUMBERED_SHOWN:
            more = len(placed) - NUMBERED_SHOWN
            shown.append(ngettext("%(n)s more household", "%(n)s more households", more) % {"n": more})
        message = ngettext(
            "%(n)s household names no village: it is placed in the village whose code its 户编号 begins "
            "with: %(rows)s.",
            "%(n)s households name no village: each is placed in the village whose code its 户编号 "
            "begins with: %(rows)s.",
            len(placed),
        )
        return [message % {"n": len(placed), "rows": pgettext("clause separator", "; ").join(shown)}]

    def _numbered_note(self, plans, *, written: bool) -> list[str]:
        """The households the system numbers itself, said with their rows and numbers (the
        first few): before writing, the numbers they would get now; after, those they got."""
        if written:
            numbered = [(p.row, p.code) for p in plans if p.numbered]
        else:
            missing = [p for p in plans if p.existing is None and not p.code]
            numbered = [(p.row, code) for p, code in zip(missing, self._next_codes(missing), strict=True)]
        if not numbered:
            return []
        shown = [
            _("row %(row)s: %(code)s") % {"row": row, "code": code} for row, code in numbered[:NUMBERED_SHOWN]
        ]
        if len(numbered) > NUMBERED_SHOWN:
            more = len(numbered) - NUMBERED_SHOWN
            shown.append(ngettext("%(n)s more household", "%(n)s more households", more) % {"n": more})
        rows = pgettext("clause separator", "; ").join(shown)
        if written:
            message = ngettext(
                "%(n)s household had no 户编号 and was numbered by the system (the village's code and "
                "its next serial number): %(rows)s.",
                "%(n)s households had no 户编号 and were numbered by the system (the village's code "
                "and its next serial number): %(rows)s.",
                len(numbered),
            )
        else:
            message = ngettext(
                "%(n)s household has no 户编号: the system will number it (the village's code and its "
                "next serial number, as the numbers stand now): %(rows)s.",
                "%(n)s households have no 户编号: the system will number them (the village's code and "
                "its next serial number, as the numbers stand now): %(rows)s.",
                len(numbered),
            )
        return [message % {"n": len(numbered), "rows": rows}]

    def _default_address(self, plan, ctx) -> str:
        return plan.default_address[:200] or plan.code

    def _member_rows(self, members: list[MemberPlan], households: list[HouseholdPlan]) -> list[tuple]:
        """The new members' rows as stored (ids allocated): ID numbers and phones encrypted
        (one list each), phones hashed, names in pinyin."""
        numbers = iter(crypto.encrypt_many([m.id_number for m in members if m.id_number], context=ID_CONTEXT))
        sealed_phones = iter(
            crypto.encrypt_many([m.phone for m in members if m.phone], context=PHONE_CONTEXT)
        )
        hash_phone = self.hash_phone
        # Each birth date in the driver's form once (residents share birthdays).
        adapt = connection.ops.adapt_datefield_value
        births: dict = {None: None}
        rows = []
        append = rows.append
        for m, household in zip(members, households, strict=True):
            full, initials = _pinyin(m.name)
            phone, birth = m.phone, m.birth_date
            if birth not in births:
                births[birth] = adapt(birth)
            append(
                (
                    m.member_id,
                    household.household_id,
                    m.name,
                    next(numbers) if m.id_number else None,
                    m.id_hash,
                    births[birth],
                    m.sex or "",
                    next(sealed_phones) if phone else None,
                    hash_phone(phone) if phone else None,
                    m.relation,
                    full,
                    initials,
                )
            )
        return rows

    def _update_member(self, m: MemberPlan) -> None:
        member = Member.objects.get(pk=m.existing["id"])
        for name, value in m.changes.items():
            setattr(member, name, Phone(value) if name == "phone" else value)
        if "name" in m.changes:
            member.name_pinyin, member.name_initials = pinyin_keys(member.name)
        member.save()


MEMBER_BATCH = 10_000
NUMBERED_SHOWN = 10  # the rows a report names of the households the system numbers
ID_CONTEXT = IdNumber.kind.encode()
PHONE_CONTEXT = Phone.kind.encode()


@functools.lru_cache(maxsize=50_000)
def _pinyin(name: str) -> tuple[str, str]:
    return pinyin_keys(name)


HOUSEHOLD_COLUMNS = (
    "id",
    "code",
    "region_id",
    "address",
    "size",
    "economic_status",
    "income_sources",
    "hardship_level",
    "note",
    "head_id",
    "created_at",
    "updated_at",
)
GRADING_COLUMNS = (
    "household_id",
    "level",
    "previous_level",
    "graded_on",
    "reason",
    "graded_by_id",
    "created_at",
)
MEMBER_COLUMNS = (
    "id",
    "household_id",
    "name",
    "id_number",
    "id_number_hash",
    "birth_date",
    "sex",
    "phone",
    "phone_hash",
    "relation",
    "name_pinyin",
    "name_initials",
)


# Members without an ID number, written so that no database looks them up through the unique
# index of the keyed hash (SQLite would take it for `IS NULL` and walk every such member).
NO_ID_NUMBER = "coalesce(id_number_hash, '') = ''"


def _select_in(model, columns: tuple[str, ...], key: str, wanted: list, *, where: str = "") -> list[tuple]:
    """The rows of `model` whose `key` is one of `wanted` (and that meet `where`), in one
    query: the list is bound as one value (a JSON array on SQLite, an array on PostgreSQL)."""
    if not wanted:
        return []
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        condition, value = f"{quote(key)} IN (SELECT value FROM json_each(%s))", json.dumps(wanted)
    else:
        condition, value = f"{quote(key)} = ANY(%s)", list(wanted)
    sql = (
        f"SELECT {', '.join(quote(c) for c in columns)} "  # noqa: S608 - our own names
        f"FROM {quote(model._meta.db_table)} WHERE {condition}" + (f" AND {where}" if where else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        return cursor.fetchall()


def _households(rows: list[tuple], fields: tuple[str, ...]):
    """Household rows as the ORM's values() gives them (income sources as a list)."""
    at = fields.index("income_sources")
    decoded: dict[str, list] = {}  # most households share a list ("[]")
    for row in rows:
        household = dict(zip(fields, row, strict=True))
        income = row[at]
        if isinstance(income, str):
            found = decoded.get(income)
            if found is None:
                found = decoded[income] = json.loads(income)
            household["income_sources"] = list(found)
        yield household
