"""The cadre list: name, unit, post, rank, party membership, phone. A cadre is matched by
username, else by the keyed hash of the phone, else (a row without a username) by name in
the unit; a new one gets an account that cannot sign in until an administrator sets its
password."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import crypto
from minqing.core.identity import normalize_phone
from minqing.core.personal import Phone
from minqing.core.text import pinyin_keys
from minqing.org.models import Account, Cadre, Unit

from . import values
from .engine import Column, Importer
from .normalize import clean_compact

RANKS = {
    "主要领导": Cadre.Rank.PRINCIPAL,
    "主要负责人": Cadre.Rank.PRINCIPAL,
    "班子成员": Cadre.Rank.MEMBER,
    "领导班子成员": Cadre.Rank.MEMBER,
    "股室负责人": Cadre.Rank.SECTION_HEAD,
    "股室长": Cadre.Rank.SECTION_HEAD,
    "中层干部": Cadre.Rank.SECTION_HEAD,
    "一般干部": Cadre.Rank.STAFF,
    "干部": Cadre.Rank.STAFF,
    "工作人员": Cadre.Rank.STAFF,
}

COLUMNS = (
    Column(
        "username",
        ("用户名", "账号", "登录名"),
        gettext_lazy("username (to match an existing cadre)"),
        "compact",
    ),
    Column("name", ("姓名", "干部姓名"), gettext_lazy("name"), "compact", required=True, example="李建军"),
    Column(
        "unit",
        ("单位", "所在单位", "工作单位", "单位名称"),
        gettext_lazy("unit; a section as 单位/股室"),
        "compact",
        required=True,
        example="双牌县民政局",
    ),
    Column("post", ("职务", "职位", "岗位"), gettext_lazy("post"), example="副局长"),
    Column(
        "rank",
        ("职级", "级别", "类别"),
        gettext_lazy("rank: 主要领导, 班子成员, 股室负责人, 一般干部"),
        "compact",
        example="班子成员",
    ),
    Column(
        "party",
        ("是否党员", "政治面貌", "党员"),
        gettext_lazy("party member: 是/否"),
        "compact",
        example="是",
    ),
    Column("sanmen", ("三门干部", "是否三门干部"), gettext_lazy("'three-gate' cadre: 是/否"), "compact"),
    Column(
        "phone",
        ("联系电话", "手机", "手机号码", "电话"),
        gettext_lazy("mobile phone"),
        "phone",
        example="13912345678",
    ),
)


@dataclass
class CadrePlan:
    row: int
    username: str
    full_name: str
    unit_id: int
    fields: dict
    phone: str = ""
    existing: dict | None = None
    changes: dict = field(default_factory=dict)


class CadreImporter(Importer):
    kind = "cadres"
    title = gettext_lazy("Cadres")
    permission = "programs.manage"
    example_places = {"unit": "unit"}
    columns = COLUMNS

    def _units(self, ctx) -> tuple[dict, dict]:
        qs = Unit.objects.all()
        condition = ctx.region_q("region_id")
        if condition is not None:
            qs = qs.filter(condition)
        by_name: dict[str, list[int]] = {}
        by_path: dict[tuple[str, str], int] = {}
        units = list(qs.values("id", "name", "parent_id"))
        # By the names as a cell is cleaned: 县委办（档案局） is matched by the cell that copies it.
        names = {u["id"]: clean_compact(u["name"]) for u in units}
        for u in units:
            by_name.setdefault(names[u["id"]], []).append(u["id"])
            if u["parent_id"] in names:
                by_path[(names[u["parent_id"]], names[u["id"]])] = u["id"]
        return by_name, by_path

    def validate(self, rows, ctx):
        by_name, by_path = self._units(ctx)
        plans, seen_users, seen_phones = [], {}, {}
        for row in rows:
            unit_text = row.get("unit")
            unit_id = None
            if "/" in unit_text:
                parent, _sep, child = unit_text.partition("/")
                unit_id = by_path.get((parent, child))
            else:
                found = by_name.get(unit_text, [])
                if len(found) > 1:
                    ctx.error(row.number, "unit", _("Several units have this name; write it as 单位/股室."))
                    continue
                unit_id = found[0] if found else None
            if unit_id is None:
                ctx.error(row.number, "unit", _("There is no unit of this name in your area."))
            if not row.get("name"):
                ctx.error(row.number, "name", _("Give the cadre's name."))
            fields = {}
            if row.get("post"):
                fields["post"] = values.text(ctx, row, "post", 60)
            if row.get("rank"):
                rank = values.choice(ctx, row, "rank", RANKS)
                if rank:
                    fields["rank"] = str(rank)
            for key, name in (("party", "is_party_member"), ("sanmen", "is_sanmen")):
                flag = values.yes_no(ctx, row, key)
                if flag is not None:
                    fields[name] = flag
            phone = values.phone(ctx, row, "phone")
            phone = normalize_phone(phone) if phone else ""
            username = row.get("username")
            if username:
                problem = _username_problem(username)
                if problem:
                    ctx.error(row.number, "username", problem)
            if len(row.get("name")) > FULL_NAME_MAX:
                ctx.error(
                    row.number, "name", _("A name has at most %(n)s characters.") % {"n": FULL_NAME_MAX}
                )
            if username and username in seen_users:
                ctx.error(
                    row.number,
                    "username",
                    _("This username already appears in row %(row)s.") % {"row": seen_users[username]},
                )
            if phone and phone in seen_phones:
                ctx.error(
                    row.number,
                    "phone",
                    _("This phone already appears in row %(row)s.") % {"row": seen_phones[phone]},
                )
            seen_users.setdefault(username, row.number)
            seen_phones.setdefault(phone, row.number)
            if unit_id is not None and row.get("name"):
                plans.append(CadrePlan(row.number, username, row.get("name"), unit_id, fields, phone or ""))
        if not ctx.errors:
            self._match(plans, ctx)
        return plans

    def _match(self, plans, ctx):
        usernames = [p.username for p in plans if p.username]
        phone_hashes = {crypto.lookup_hash(p.phone, context=b"phone"): p for p in plans if p.phone}
        fields = (
            "id",
            "account_id",
            "account__username",
            "account__full_name",
            "unit_id",
            "unit__region_id",
            "post",
            "rank",
            "is_party_member",
            "is_sanmen",
            "phone_hash",
        )
        # Cadres are looked up only within the importer's area: one outside it (or an
        # account that is no cadre, an administrator's) is never matched or described. A
        # phone held outside is then like a phone never seen (phones need not be unique);
        # a username is unique in the whole system, so one taken by any account the
        # importer cannot reach is refused, with one message whoever holds it.
        cadres = Cadre.objects.all()
        area = ctx.region_q("unit__region_id")
        if area is not None:
            cadres = cadres.filter(area)
        by_user = {
            c["account__username"]: c for c in cadres.filter(account__username__in=usernames).values(*fields)
        }
        by_phone = {
            c["phone_hash"]: c for c in cadres.filter(phone_hash__in=list(phone_hashes)).values(*fields)
        }
        taken = set(Account.objects.filter(username__in=usernames).values_list("username", flat=True))
        # A row without a username is also found by its name in its unit (a list kept without
        # usernames or phones is imported twice without making every cadre twice).
        by_name: dict[tuple, list[dict]] = {}
        unnamed = [p for p in plans if not p.username]
        if unnamed:
            for c in Cadre.objects.filter(
                account__full_name__in={p.full_name for p in unnamed},
                unit_id__in={p.unit_id for p in unnamed},
                account__is_active=True,
            ).values(*fields):
                by_name.setdefault((c["account__full_name"], c["unit_id"]), []).append(c)
        chosen: dict[int, int] = {}  # cadre id → the row that matched it
        for plan in plans:
            digest = crypto.lookup_hash(plan.phone, context=b"phone") if plan.phone else None
            found = by_user.get(plan.username) if plan.username else None
            if found is None and plan.username in taken:
                ctx.taken_elsewhere(plan.row, "username", str(USERNAME_TAKEN))
                continue
            if found is None and digest:
                found = by_phone.get(digest)
            if found is None and not plan.username:
                # Namesakes whose stored phone differs from the row's are other people.
                same = [
                    c
                    for c in by_name.get((plan.full_name, plan.unit_id), ())
                    if not (digest and c["phone_hash"] and c["phone_hash"] != digest)
                ]
                if len(same) > 1:
                    ctx.error(
                        plan.row,
                        "name",
                        _(
                            "Several cadres of this unit have this name: give the username or the "
                            "phone to say which."
                        ),
                    )
                    continue
                found = same[0] if same else None
            if found is None:
                continue
            if found["id"] in chosen:
                ctx.error(
                    plan.row,
                    "name",
                    _("This cadre already appears in row %(row)s.") % {"row": chosen[found["id"]]},
                )
                continue
            chosen[found["id"]] = plan.row
            plan.existing = found
            changes = {k: v for k, v in plan.fields.items() if found[k] != v}
            if plan.unit_id != found["unit_id"]:
                changes["unit_id"] = plan.unit_id
            if digest and digest != found["phone_hash"]:
                changes["phone"] = plan.phone
            if plan.full_name != found["account__full_name"]:
                changes["full_name"] = plan.full_name
            plan.changes = changes

    def counts(self, plans):
        return {
            "cadres_created": sum(p.existing is None for p in plans),
            "cadres_updated": sum(bool(p.existing and p.changes) for p in plans),
            "cadres_unchanged": sum(bool(p.existing and not p.changes) for p in plans),
        }

    def write(self, plans, ctx):
        new = [p for p in plans if p.existing is None]
        used = set(Account.objects.values_list("username", flat=True).filter(username__regex=r"^[a-z]+\d*$"))
        accounts = []
        for plan in new:
            username = plan.username or self._username(plan.full_name, used)
            used.add(username)
            account = Account(username=username, full_name=plan.full_name)
            account.set_unusable_password()
            accounts.append(account)
        Account.objects.bulk_create(accounts, batch_size=1000)
        cadres = Cadre.objects.bulk_create(
            [
                Cadre(account=a, unit_id=p.unit_id, phone=Phone(p.phone) if p.phone else None, **p.fields)
                for p, a in zip(new, accounts, strict=True)
            ],
            batch_size=1000,
        )
        ctx.wrote("cadres_created", (c.pk for c in cadres))
        for plan in plans:
            if not (plan.existing and plan.changes):
                continue
            ctx.wrote("cadres_updated", (plan.existing["id"],))
            cadre = Cadre.objects.select_related("account").get(pk=plan.existing["id"])
            for name, value in plan.changes.items():
                if name == "full_name":
                    cadre.account.full_name = value
                    cadre.account.save(update_fields=["full_name"])
                else:
                    setattr(cadre, name, Phone(value) if name == "phone" else value)
            cadre.save()

    @staticmethod
    def _username(full_name: str, used: set) -> str:
        base = pinyin_keys(full_name)[0] or "cadre"
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}{n}"
        return candidate


FULL_NAME_MAX = Account._meta.get_field("full_name").max_length
# Whoever holds the username (a cadre outside the importer's area, an administrator, an
# account that is no cadre): the same words, which say no more than that it is taken.
USERNAME_TAKEN = gettext_lazy(
    "This username is already taken by an account this list cannot change: leave the username "
    "empty for a new cadre (one is made from the name), or ask the system administrator."
)


def _username_problem(username: str) -> str:
    """Why a username from the file cannot be an account's ("" when it can)."""
    from django.core.exceptions import ValidationError

    field = Account._meta.get_field("username")
    if len(username) > field.max_length:
        return _("A username has at most %(n)s characters.") % {"n": field.max_length}
    for validator in field.validators:
        try:
            validator(username)
        except ValidationError as exc:
            return " ".join(exc.messages)
    return ""
