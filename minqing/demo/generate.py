"""The demo: two real counties with made-up townships, villages, units, cadres,
households and members, deterministic for a seed.

双牌县 (431123, seed 001's county) at the chosen scale, and 晋安区 (350111, seed
002's district) with one small township. Everything below the county codes is
invented and marked as demo; ID numbers have valid check digits and belong to
nobody we know of. Rows are written in bulk with ids assigned here (the database
must be empty), inside one transaction.
"""

import datetime as dt
import random
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils.translation import gettext, gettext_noop

from minqing.core import collector
from minqing.core.audit import audit_record
from minqing.core.identity import id_check_char
from minqing.core.personal import IdNumber, Phone
from minqing.core.roles import Role
from minqing.core.text import pinyin_keys
from minqing.geo.models import Region
from minqing.org.models import Account, Cadre, Grant, Unit
from minqing.people.models import (
    EconomicStatus,
    HardshipGrading,
    Household,
    IncomeSource,
    Member,
    Tag,
    Tagging,
)

from . import names
from .appraisal import build_appraisal
from .assessment import build_assessment
from .campaigns import build_campaigns
from .fast import bulk_load, fast_insert_objects, indexes_later, instance_maker
from .fieldwork import build_fieldwork
from .tickets import build_tickets

REFERENCE_DATE = dt.date(2026, 1, 1)  # "today" of the demo, so a seed always gives the same people


@dataclass(frozen=True)
class Scale:
    townships: int
    villages_per_township: int
    groups_per_village: int
    households_per_village: int
    units: int
    cadres: int


SCALES = {
    "village": Scale(
        townships=1,
        villages_per_township=3,
        groups_per_village=3,
        households_per_village=60,
        units=6,
        cadres=30,
    ),
    "township": Scale(
        townships=2,
        villages_per_township=12,
        groups_per_village=5,
        households_per_village=250,
        units=15,
        cadres=300,
    ),
    "county": Scale(
        townships=15,
        villages_per_township=13,
        groups_per_village=6,
        households_per_village=600,
        units=60,
        cadres=3000,
    ),
}
JINAN = Scale(
    townships=1, villages_per_township=3, groups_per_village=2, households_per_village=40, units=4, cadres=20
)

DEMO_ACCOUNTS = {
    "sysadmin": gettext_noop("system administrator (accounts; no residents' data)"),
    "secadmin": gettext_noop("security administrator (roles, scopes)"),
    "auditor": gettext_noop("audit administrator (the audit trail only)"),
    "office": gettext_noop("campaign office of 双牌县 (may unmask personal data)"),
    "office_jinan": gettext_noop("campaign office of 晋安区"),
    "office_jiangcun": gettext_noop("township campaign office of 江村乡, 双牌县 (its 蹲点服务 campaign)"),
    "leader": gettext_noop("county leader of 双牌县"),
    "cadre": gettext_noop("a cadre of 双牌县 (own records only)"),
    "unit": gettext_noop("handling unit: 双牌县民政局"),
    "village": gettext_noop("party branch of one village of 双牌县"),
    "inspector": gettext_noop("inspector of 双牌县"),
}


class DemoError(Exception):
    pass


@dataclass
class Counts:
    regions: int = 0
    units: int = 0
    cadres: int = 0
    households: int = 0
    members: int = 0
    gradings: int = 0
    taggings: int = 0


@dataclass
class Timings:
    """Wall-clock and CPU seconds per phase of a demo load, so its cost can be seen and compared."""

    phases: list[tuple[str, float, float]] = field(default_factory=list)

    def begin(self, label: str):
        """Start timing `label`; call what this returns when the phase is over."""
        wall, cpu = time.perf_counter(), time.process_time()

        def end():
            self.phases.append((label, time.perf_counter() - wall, time.process_time() - cpu))

        return end

    @contextmanager
    def phase(self, label: str):
        end = self.begin(label)
        try:
            yield
        finally:
            end()


@dataclass
class Builder:
    rng: random.Random
    counts: Counts = field(default_factory=Counts)
    regions: list = field(default_factory=list)
    next_ids: dict = field(
        default_factory=lambda: {"household": 1, "member": 1, "unit": 1, "account": 1, "cadre": 1}
    )
    used_ids: set = field(default_factory=set)
    makers: dict = field(default_factory=dict)

    def new(self, model):
        """The instance maker of `model` (see fast.instance_maker), made once per build."""
        if model not in self.makers:
            self.makers[model] = instance_maker(model)
        return self.makers[model]

    def take_id(self, kind: str) -> int:
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    # People -----------------------------------------------------------------

    def person_name(self) -> str:
        surname = self.rng.choice(names.SURNAME_LIST)
        given = "".join(self.rng.choice(names.GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2, 2))))
        return surname + given

    def id_number(self, county: str, birth: dt.date, sex: str) -> str:
        while True:
            order = self.rng.randrange(0, 100)
            sex_digit = self.rng.randrange(1, 10, 2) if sex == "M" else self.rng.randrange(0, 10, 2)
            first17 = f"{county}{birth:%Y%m%d}{order:02d}{sex_digit}"
            number = first17 + id_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randrange(0, 10)}{self.rng.randrange(0, 10**8):08d}"

    def birth(self, min_age: int, max_age: int) -> dt.date:
        age_days = self.rng.randrange(min_age * 365, max_age * 365 + 1)
        return REFERENCE_DATE - dt.timedelta(days=age_days + 1)


def _region(code: str, name: str, level: int, parent: str | None, is_demo: bool) -> Region:
    return Region(code=code, name=name, level=level, parent_id=parent, is_demo=is_demo)


def _village_name(rng: random.Random, used: set[str]) -> str:
    while True:
        stem = rng.choice(names.VILLAGE_STEMS_A) + rng.choice(names.VILLAGE_STEMS_A)
        name = stem + rng.choice(names.VILLAGE_SUFFIX)
        if stem[0] != stem[1] and name not in used:
            used.add(name)
            return name


def build_regions(
    b: Builder, county_code: str, county_name: str, scale: Scale, township_stems: list[str]
) -> list[Region]:
    villages = []
    used_names: set[str] = set()
    for t in range(scale.townships):
        code = f"{county_code}{100 + t:03d}000"
        stem = township_stems[t % len(township_stems)] + ("" if t < len(township_stems) else str(t))
        township = _region(
            code, stem + ("镇" if t % 3 else "乡"), Region.Level.TOWNSHIP, county_code.ljust(12, "0"), True
        )
        b.regions.append(township)
        for v in range(scale.villages_per_township):
            vcode = f"{code[:9]}{200 + v:03d}"
            village = _region(vcode, _village_name(b.rng, used_names), Region.Level.VILLAGE, code, True)
            b.regions.append(village)
            villages.append((township, village))
            for g in range(scale.groups_per_village):
                b.regions.append(
                    _region(f"{vcode}{g + 1:03d}", names.GROUP_NAMES[g % 10], Region.Level.GROUP, vcode, True)
                )
    return villages


def build_households(b: Builder, county_code: str, villages, scale: Scale, rows: dict, progress=None) -> None:
    rng = b.rng
    new_household, new_grading, new_tagging = b.new(Household), b.new(HardshipGrading), b.new(Tagging)
    groups_by_village: dict[str, list[Region]] = {}
    for region in b.regions:
        if region.level == Region.Level.GROUP:
            groups_by_village.setdefault(region.parent_id, []).append(region)
    for township, village in villages:
        groups = groups_by_village[village.code]
        for seq in range(1, scale.households_per_village + 1):
            group = groups[(seq - 1) * len(groups) // scale.households_per_village]
            hid = b.take_id("household")
            household = new_household(
                id=hid,
                code=f"{village.code}-{seq:04d}",
                region_id=group.code,
                address=f"{township.name}{village.name}{group.name}{rng.randrange(1, 120)}号",
                economic_status=rng.choices(
                    [
                        EconomicStatus.WELL_OFF,
                        EconomicStatus.AVERAGE,
                        EconomicStatus.STRAINED,
                        EconomicStatus.POOR,
                    ],
                    weights=[15, 55, 22, 8],
                )[0],
                income_sources=sorted(
                    set(
                        rng.choices(
                            [
                                IncomeSource.FARMING,
                                IncomeSource.MIGRANT_WORK,
                                IncomeSource.LOCAL_WAGES,
                                IncomeSource.BUSINESS,
                                IncomeSource.PENSION,
                                IncomeSource.SUBSIDY,
                            ],
                            weights=[40, 30, 15, 6, 6, 3],
                            k=rng.randrange(1, 3),
                        )
                    )
                ),
            )
            members = _household_members(b, county_code, household)
            household.size = len(members)
            household.head_id = members[0].id
            level = rng.choices([0, 1, 2, 3], weights=[90, 5.5, 3, 1.5])[0]
            if household.economic_status == EconomicStatus.POOR and level == 0 and rng.random() < 0.5:
                level = 1
            household.hardship_level = level
            rows["households"].append(household)
            rows["members"].extend(members)
            if level:
                first = REFERENCE_DATE - dt.timedelta(days=rng.randrange(400, 1500))
                earlier = rng.choice([1, 2, 3]) if rng.random() < 0.35 else None
                if earlier and earlier != level:
                    rows["gradings"].append(
                        new_grading(
                            household_id=hid,
                            level=earlier,
                            previous_level=0,
                            graded_on=first,
                            reason="入户调查初评（演示）",
                        )
                    )
                    rows["gradings"].append(
                        new_grading(
                            household_id=hid,
                            level=level,
                            previous_level=earlier,
                            graded_on=first + dt.timedelta(days=rng.randrange(90, 360)),
                            reason="年度复核调整（演示）",
                        )
                    )
                else:
                    rows["gradings"].append(
                        new_grading(
                            household_id=hid,
                            level=level,
                            previous_level=0,
                            graded_on=first,
                            reason="入户调查评定（演示）",
                        )
                    )
            if level >= 2 and rng.random() < 0.3:
                rows["taggings"].append(
                    new_tagging(household_id=hid, tag=Tag.WUBAO if len(members) == 1 else Tag.DIBAO)
                )
            elif level == 1 and rng.random() < 0.25:
                rows["taggings"].append(new_tagging(household_id=hid, tag=Tag.DIBAO))
            _member_tags(b, household, members, rows)
        if progress is not None:
            progress(gettext_noop("preparing households"), scale.households_per_village)


def _household_members(b: Builder, county_code: str, household: Household) -> list[Member]:
    rng = b.rng
    new_member = b.new(Member)
    size = rng.choices([1, 2, 3, 4, 5, 6], weights=[8, 18, 25, 27, 15, 7])[0]
    head_sex = "M" if rng.random() < 0.82 else "F"
    head_birth = b.birth(25 if size > 1 else 45, 85)
    surname = rng.choice(names.SURNAME_LIST)
    plan = [(Member.Relation.HEAD, head_sex, head_birth)]
    if size >= 2:
        plan.append(
            (
                Member.Relation.SPOUSE,
                "F" if head_sex == "M" else "M",
                head_birth + dt.timedelta(days=rng.randrange(-1500, 1500)),
            )
        )
    head_age = (REFERENCE_DATE - head_birth).days // 365
    for _ in range(size - len(plan)):
        if head_age > 62 and rng.random() < 0.5:
            plan.append((Member.Relation.GRANDCHILD, rng.choice("MF"), b.birth(1, 17)))
        elif head_age < 50 and rng.random() < 0.3:
            plan.append(
                (
                    Member.Relation.PARENT,
                    rng.choice("MF"),
                    b.birth(min(head_age + 20, 90), min(head_age + 35, 95)),
                )
            )
        else:
            plan.append(
                (
                    Member.Relation.CHILD,
                    rng.choice("MF"),
                    b.birth(max(0, head_age - 40), max(1, head_age - 20)),
                )
            )
    members = []
    for relation, sex, birth in plan:
        if birth > REFERENCE_DATE:
            birth = REFERENCE_DATE - dt.timedelta(days=rng.randrange(30, 365))
        name = b.person_name()
        if (
            relation in (Member.Relation.CHILD, Member.Relation.GRANDCHILD)
            or relation == Member.Relation.HEAD
        ):
            name = surname + name[len(name) - rng.choice((1, 2)) :]
        age = (REFERENCE_DATE - birth).days // 365
        has_id = age >= 16 or rng.random() < 0.85
        number = b.id_number(county_code, birth, sex) if has_id else None
        phone = b.phone() if age >= 18 and rng.random() < 0.8 else None
        full, initials = pinyin_keys(name)
        members.append(
            new_member(
                id=b.take_id("member"),
                household_id=household.id,
                name=name,
                relation=relation,
                sex=sex,
                birth_date=birth,
                id_number=IdNumber(number) if number else None,
                phone=Phone(phone) if phone else None,
                name_pinyin=full,
                name_initials=initials,
            )
        )
    return members


def _member_tags(b: Builder, household: Household, members: list[Member], rows: dict) -> None:
    rng = b.rng
    for member in members:
        age = (REFERENCE_DATE - member.birth_date).days // 365
        tags = []
        if rng.random() < 0.02:
            tags.append(Tag.DISABLED)
        if age >= 70 and len(members) == 1:
            tags.append(Tag.ELDERLY_ALONE)
        if (
            age < 16
            and household.income_sources
            and "migrant_work" in household.income_sources
            and rng.random() < 0.4
        ):
            tags.append(Tag.LEFT_BEHIND_CHILD)
        if age >= 60 and rng.random() < 0.03:
            tags.append(Tag.VETERAN_PARTY_MEMBER)
        if 30 <= age <= 65:
            roll = rng.random()
            if roll < 0.006:
                tags.append(Tag.RESIDENTS_REPRESENTATIVE)
            elif roll < 0.009:
                tags.append(Tag.WEALTH_EXPERT)
            elif roll < 0.010:
                tags.append(Tag.MODEL_WORKER)
            elif roll < 0.012:
                tags.append(Tag.NOTABLE)
            elif roll < 0.013:
                tags.append(Tag.KEY_PETITIONER)
        for tag in tags:
            rows["taggings"].append(b.new(Tagging)(household_id=household.id, member_id=member.id, tag=tag))


def build_units(
    b: Builder, county_code: str, county_prefix: str, township_regions: list[Region], scale: Scale, rows: dict
) -> list[Unit]:
    """County bodies, their sections, and the township governments; returns the units that hold cadres."""
    county_region = county_code.ljust(12, "0")
    bodies = []
    body_count = max(2, scale.units - len(township_regions))
    body_names = names.COUNTY_UNITS[:body_count]
    for index, name in enumerate(body_names):
        uid = b.take_id("unit")
        unit = Unit(
            id=uid,
            name=county_prefix + name[1:] if name.startswith("县") else county_prefix + name,
            kind=Unit.Kind.BODY,
            region_id=county_region,
            path=f"{uid:06d}",
            sort=index,
        )
        bodies.append(unit)
    for index, township in enumerate(township_regions):
        uid = b.take_id("unit")
        bodies.append(
            Unit(
                id=uid,
                name=f"{township.name}人民政府",
                kind=Unit.Kind.TOWNSHIP,
                region_id=township.code,
                path=f"{uid:06d}",
                sort=100 + index,
            )
        )
    sections = []
    for body in bodies[: max(1, len(bodies) // 4)]:
        for s_index, section in enumerate(names.SECTIONS[:2]):
            uid = b.take_id("unit")
            sections.append(
                Unit(
                    id=uid,
                    name=section,
                    kind=Unit.Kind.SECTION,
                    parent_id=body.id,
                    region_id=body.region_id,
                    path=f"{body.path}{uid:06d}",
                    sort=s_index,
                )
            )
    rows["units"].extend(bodies + sections)
    return bodies + sections


def build_cadres(b: Builder, units: list[Unit], scale: Scale, rows: dict, reserved: dict[str, tuple]) -> dict:
    """Cadres spread over the units; the first ones of a county take the demo logins named in `reserved`."""
    rng = b.rng
    made = {}
    reserved_items = list(reserved.items())
    for index in range(scale.cadres):
        unit = units[index % len(units)]
        if index < len(units):
            rank = Cadre.Rank.PRINCIPAL
        elif index < 3 * len(units):
            rank = Cadre.Rank.MEMBER
        elif index < 5 * len(units):
            rank = Cadre.Rank.SECTION_HEAD
        else:
            rank = Cadre.Rank.STAFF
        aid = b.take_id("account")
        if index < len(reserved_items):
            username, (full_name, wanted_unit) = reserved_items[index]
            unit = wanted_unit or unit
        else:
            username, full_name = f"c{aid:05d}", b.person_name()
        account = Account(
            id=aid,
            username=username,
            full_name=full_name,
            password="!",
            is_demo=True,
            date_joined=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        cadre = Cadre(
            id=b.take_id("cadre"),
            account_id=aid,
            unit_id=unit.id,
            rank=rank,
            # One draw, as before (the demo's other choices stay as they were), read for the unit.
            post=names.post_for(
                unit.name, unit.kind, rank, rng.choice(range(len(names.POSTS_BY_RANK[rank])))
            ),
            is_party_member=rng.random() < 0.8,
            is_sanmen=rank == Cadre.Rank.STAFF and rng.random() < 0.15,
            phone=Phone(b.phone()),
        )
        rows["accounts"].append(account)
        rows["cadres"].append(cadre)
        made[username] = cadre
    return made


def _bulk(model, objs, progress, label: str, batch: int = 2000) -> None:
    for start in range(0, len(objs), batch):
        model.objects.bulk_create(objs[start : start + batch], batch_size=batch)
        if progress is not None:
            progress(label, min(batch, len(objs) - start))


def demo_password() -> tuple[str, bool]:
    """The demo password: MINQING_DEMO_PASSWORD, else one generated once and kept in var/."""
    if settings.DEMO_PASSWORD:
        return settings.DEMO_PASSWORD, False
    path = Path(settings.VAR_DIR) / "demo_password"
    if path.exists():
        return path.read_text().strip(), False
    password = "Mq-" + secrets.token_urlsafe(12) + "-7a"
    path.write_text(password)
    path.chmod(0o600)
    return password, True


def database_is_empty() -> bool:
    return not (Region.objects.exists() or Account.objects.exists() or Household.objects.exists())


def build(*, scale: str = "village", seed: int = 1, progress=None) -> tuple["Builder", dict, dict]:
    """Every demo row, in memory, the same for the same scale and seed."""
    if scale not in SCALES:
        raise DemoError(gettext("There is no demo scale %(scale)s.") % {"scale": scale})
    b = Builder(rng=random.Random(seed))
    rows = {k: [] for k in ("units", "accounts", "cadres", "households", "members", "gradings", "taggings")}

    # Regions: the real province, city and county, then made-up townships, villages and groups.
    b.regions += [
        _region("430000000000", "湖南省", 1, None, False),
        _region("431100000000", "永州市", 2, "430000000000", False),
        _region("431123000000", "双牌县", 3, "431100000000", False),
        _region("350000000000", "福建省", 1, None, False),
        _region("350100000000", "福州市", 2, "350000000000", False),
        _region("350111000000", "晋安区", 3, "350100000000", False),
    ]
    sp_villages = build_regions(b, "431123", "双牌县", SCALES[scale], names.TOWNSHIP_STEMS)
    ja_villages = build_regions(b, "350111", "晋安区", JINAN, ["宦溪"])
    build_households(b, "431123", sp_villages, SCALES[scale], rows, progress)
    build_households(b, "350111", ja_villages, JINAN, rows, progress)

    sp_townships = [r for r in b.regions if r.level == Region.Level.TOWNSHIP and r.code.startswith("431123")]
    ja_townships = [r for r in b.regions if r.level == Region.Level.TOWNSHIP and r.code.startswith("350111")]
    sp_units = build_units(b, "431123", "双牌县", sp_townships, SCALES[scale], rows)
    ja_units = build_units(b, "350111", "晋安区", ja_townships, JINAN, rows)
    office_unit = sp_units[0]
    civil_affairs = next((u for u in sp_units if "民政" in u.name), sp_units[1])
    sp_cadres = build_cadres(
        b,
        sp_units,
        SCALES[scale],
        rows,
        {
            "office": ("唐晓兰", office_unit),
            "leader": ("蒋国华", None),
            "cadre": ("李建军", None),
            "unit": ("周敏", civil_affairs),
            "inspector": ("何志刚", None),
        },
    )
    ja_cadres = build_cadres(b, ja_units, JINAN, rows, {"office_jinan": ("林秀英", ja_units[0])})
    return b, rows, {"sp_cadres": sp_cadres, "ja_cadres": ja_cadres, "sp_villages": sp_villages}


def generate(
    *, scale: str = "village", seed: int = 1, progress=None, timings: Timings | None = None
) -> Counts:
    """Write the demo into an empty database, in one transaction (with Python's garbage
    collector paused: the millions of objects built here are not garbage)."""
    if not database_is_empty():
        raise DemoError(gettext("the database is not empty"))
    with collector.paused():
        return _generate(scale=scale, seed=seed, progress=progress, timings=timings)


def _generate(*, scale: str, seed: int, progress, timings: Timings | None) -> Counts:
    timings = timings or Timings()
    phase = timings.phase
    with phase(gettext_noop("people in memory")):
        b, rows, named = build(scale=scale, seed=seed, progress=progress)
        password, _ = demo_password()
    sp_cadres, ja_cadres, sp_villages = named["sp_cadres"], named["ja_cadres"], named["sp_villages"]

    with bulk_load():
        with transaction.atomic():
            with phase(gettext_noop("regions, units and cadres")):
                _bulk(Region, b.regions, progress, gettext_noop("regions"))
                _bulk(Unit, rows["units"], progress, gettext_noop("units"))
                _bulk(Account, rows["accounts"], progress, gettext_noop("accounts"))
                _bulk(Cadre, rows["cadres"], progress, gettext_noop("cadres"))
            with phase(gettext_noop("households")):
                fast_insert_objects(
                    Household, rows["households"], progress=progress, label=gettext_noop("households")
                )
            # Not the households' indexes: their head_id index finds, for each new member, the
            # household waiting for it as its head (a deferred foreign key).
            with indexes_later(Member):
                with phase(gettext_noop("members")):
                    fast_insert_objects(
                        Member, rows["members"], progress=progress, label=gettext_noop("members")
                    )
                indexed = timings.begin(gettext_noop("indexes of members"))
            indexed()
            with phase(gettext_noop("gradings and tags")):
                fast_insert_objects(
                    HardshipGrading, rows["gradings"], progress=progress, label=gettext_noop("gradings")
                )
                fast_insert_objects(Tagging, rows["taggings"], progress=progress, label=gettext_noop("tags"))
                _reset_sequences()
            with phase(gettext_noop("demo logins")):
                _demo_logins(b, password, sp_cadres, ja_cadres, sp_villages)
            with phase(gettext_noop("campaigns")):
                campaigns = build_campaigns(seed)
            with phase(gettext_noop("field work")):
                campaigns.update(build_fieldwork(seed, progress))
            with phase(gettext_noop("demands")):
                campaigns.update(build_tickets(seed, progress=progress))
            with phase(gettext_noop("appraisal")):
                campaigns.update(build_appraisal(seed, progress=progress))
            with phase(gettext_noop("assessment")):
                campaigns.update(build_assessment(seed, progress=progress))
            counts = Counts(
                regions=len(b.regions),
                units=len(rows["units"]),
                cadres=len(rows["cadres"]),
                households=len(rows["households"]),
                members=len(rows["members"]),
                gradings=len(rows["gradings"]),
                taggings=len(rows["taggings"]),
            )
            audit_record(
                action="demo.load", detail={"scale": scale, "seed": seed, **counts.__dict__, **campaigns}
            )
            committed = timings.begin(gettext_noop("commit"))
        committed()
        # Fresh statistics, so the query planner picks the right indexes over a big new demo.
        if not connection.in_atomic_block:
            with phase(gettext_noop("statistics")), connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA analysis_limit=1000")  # sample, do not read every row
                    cursor.execute("ANALYZE")
                else:
                    # After a bulk load PostgreSQL also needs its visibility map (VACUUM) before
                    # it answers counts from an index alone; autovacuum would come to it later.
                    cursor.execute("VACUUM ANALYZE")
        settled = timings.begin(gettext_noop("journal and disk"))
    settled()
    return counts


def _reset_sequences() -> None:
    models = [Unit, Account, Cadre, Household, Member, HardshipGrading, Tagging]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _demo_logins(b: Builder, password: str, sp_cadres: dict, ja_cadres: dict, sp_villages) -> None:
    """The demo accounts: passwords set, roles and scopes granted."""
    county = Region.objects.get(code="431123000000")
    # The township of the county's 蹲点服务 campaign (demo.campaigns starts it in the first one).
    township = Region.objects.filter(parent=county).order_by("code").first()
    jinan = Region.objects.get(code="350111000000")
    hunan, fujian = Region.objects.get(code="430000000000"), Region.objects.get(code="350000000000")
    village = Region.objects.get(code=sp_villages[0][1].code)
    admins = {
        "sysadmin": "系统管理员",
        "secadmin": "安全管理员",
        "auditor": "审计管理员",
        "village": "桐木村党支部",
        "office_jiangcun": f"{township.name}活动办",
    }
    for username, full_name in admins.items():
        Account.objects.create(username=username, full_name=full_name, is_demo=True)
    grants = [
        ("sysadmin", Role.SYSADMIN, {"regions": [hunan, fujian]}),
        ("secadmin", Role.SECADMIN, {"regions": [hunan, fujian]}),
        ("auditor", Role.AUDITOR, {}),
        ("office", Role.OFFICE, {"regions": [county], "can_unmask": True}),
        ("office_jinan", Role.OFFICE, {"regions": [jinan], "can_unmask": True}),
        ("office_jiangcun", Role.OFFICE, {"regions": [township]}),
        ("leader", Role.LEADER, {"regions": [county], "own_records": True}),
        ("cadre", Role.CADRE, {"own_records": True}),
        ("unit", Role.HANDLING_UNIT, {"units": [Unit.objects.get(pk=sp_cadres["unit"].unit_id)]}),
        ("village", Role.VILLAGE, {"regions": [village]}),
        ("inspector", Role.INSPECTOR, {"regions": [county]}),
    ]
    password_hash = make_password(password)  # one slow hash for the accounts that share it
    for username, role, scope in grants:
        account = Account.objects.get(username=username)
        account.password = password_hash
        account.save(update_fields=["password"])
        grant = Grant.objects.create(
            account=account,
            role=role,
            own_records=scope.get("own_records", False),
            can_unmask=scope.get("can_unmask", False),
        )
        grant.regions.set(scope.get("regions", []))
        grant.units.set(scope.get("units", []))
