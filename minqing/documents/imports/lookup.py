"""Finding a row's region by the names offices write (乡镇, 村, 组) or by its code, only
inside the importing user's scope."""

import re

from django.utils.translation import gettext as _

from minqing.geo.models import LEVEL_DIGITS, Region

from .normalize import clean_compact

_NUMERALS = "零一二三四五六七八九"
# A 户编号 as the system forms them: its village's 12-digit code, a hyphen, a serial number.
HOUSEHOLD_CODE = re.compile(r"^(\d{12})-\d+$")


def _chinese_number(n: int) -> str:
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def group_key(name: str) -> str:
    """第1村民小组, 1组, 一组 → 一组."""
    name = clean_compact(name).removeprefix("第").replace("村民小组", "组").replace("小组", "组")
    name = re.sub(r"\d{1,2}", lambda m: _chinese_number(int(m.group())), name)
    return name if name.endswith("组") else name + "组"


def village_key(name: str) -> str:
    name = clean_compact(name)
    for long, short in (("村民委员会", "村"), ("村委会", "村"), ("居民委员会", "社区"), ("居委会", "社区")):
        if name.endswith(long):
            return name[: -len(long)] + short
    return name


# The words a list adds to a township's name, and the kinds of township its name ends with.
_TOWNSHIP_TAILS = ("人民政府", "政府", "办事处", "管理委员会", "管委会")
_TOWNSHIP_KINDS = ("民族乡", "街道", "苏木", "乡", "镇")


def township_key(name: str) -> str:
    """江村乡人民政府 → 江村乡; 城关街道办事处, 城关街道办 → 城关街道; 经济开发区管委会 → 经济开发区."""
    name = clean_compact(name)
    if name.endswith("街道办") and len(name) > 3:
        return name[:-1]
    for tail in _TOWNSHIP_TAILS:
        if name.endswith(tail) and len(name) > len(tail):
            return name[: -len(tail)]
    return name


def _township_stem(key: str) -> str:
    """江村乡 → 江村: what a list that leaves out the kind of township writes."""
    for kind in _TOWNSHIP_KINDS:
        if key.endswith(kind) and len(key) > len(kind):
            return key[: -len(kind)]
    return key


class RegionResolver:
    """Every township, village and group in scope, loaded once and matched in memory."""

    def __init__(self, ctx):
        qs = Region.objects.filter(level__gte=Region.Level.TOWNSHIP)
        condition = ctx.region_q("code")
        if condition is not None:
            qs = qs.filter(condition)
        self.ctx = ctx
        self.by_code: dict[str, tuple] = {}
        self.townships: dict[str, list[str]] = {}
        self.villages: dict[str, list[str]] = {}
        self.groups: dict[tuple[str, str], str] = {}
        for code, name, level, parent in qs.values_list("code", "name", "level", "parent_id"):
            self.by_code[code] = (name, level, parent)
            if level == Region.Level.TOWNSHIP:
                self.townships.setdefault(township_key(name), []).append(code)
            elif level == Region.Level.VILLAGE:
                self.villages.setdefault(village_key(name), []).append(code)
            elif level == Region.Level.GROUP:
                self.groups[(parent, group_key(name))] = code
        self._outside: dict[str, bool] = {}
        self._township_names: dict[str, str] = {}
        self._township_checked: dict[tuple, tuple | None] = {}
        self._township_codes: dict[str, set[str]] = {}

    def _groups_of(self, village_code: str) -> list[str]:
        """A village's groups in the order of their codes (一组, 二组, … as it numbers them);
        worked out once per village, on the first row that names a group it lacks."""
        if not hasattr(self, "_by_village"):
            self._by_village: dict[str, list[tuple[str, str]]] = {}
            for (parent, key), code in self.groups.items():
                self._by_village.setdefault(parent, []).append((code, key))
            self._known: dict[str, list[str]] = {}
        if village_code not in self._known:
            self._known[village_code] = [key for _code, key in sorted(self._by_village.get(village_code, []))]
        return self._known[village_code]

    def name_of(self, code: str) -> str:
        return self.by_code.get(code, ("",))[0]

    def _exists_outside(self, village: str) -> bool:
        if village not in self._outside:
            self._outside[village] = Region.objects.filter(
                level=Region.Level.VILLAGE, name__in=[village, clean_compact(village)]
            ).exists()
        return self._outside[village]

    def _township_name(self, code: str) -> str:
        """A township's name: loaded with the area, or (an importer whose area lies below
        the township) read once per township."""
        if code in self.by_code:
            return self.by_code[code][0]
        if code not in self._township_names:
            self._township_names[code] = (
                Region.objects.filter(code=code).values_list("name", flat=True).first() or ""
            )
        return self._township_names[code]

    def _townships_named(self, township: str) -> set[str]:
        """The codes of the townships in scope a row's 乡镇 names, as township_problem reads it:
        by its name (人民政府, 办事处 … dropped), or without its 乡/镇/街道 when no township is so
        named. Once per name."""
        found = self._township_codes.get(township)
        if found is None:
            written = township_key(township)
            found = set(self.townships.get(written, []))
            if not found:
                stem = _township_stem(written)
                found = {
                    code
                    for key, codes in self.townships.items()
                    if _township_stem(key) == stem
                    for code in codes
                }
            self._township_codes[township] = found
        return found

    def township_problem(self, region: str, township: str, *, from_household_code: bool = False):
        """None when the row's 乡镇 `township` is the township that `region` (the row's
        village or group, or a township) lies in, else ("township", message). The name may
        be written with 人民政府 or 办事处 after it, or without its 乡/镇/街道, unless it is then
        another township's name. Worked out once per region and name (rows share them)."""
        key = (region, township, from_household_code)
        if key in self._township_checked:
            return self._township_checked[key]
        problem = None
        level = self.by_code.get(region, ("", None))[1]
        if level is not None and level >= Region.Level.TOWNSHIP:
            parent_code = region[: LEVEL_DIGITS[Region.Level.TOWNSHIP]].ljust(12, "0")
            parent = self._township_name(parent_code)
            written, own = township_key(township), township_key(parent)
            same = written == own or (
                _township_stem(written) == _township_stem(own) and written not in self.townships
            )
            if parent and not same:
                names = {"township": township, "parent": parent}
                if level == Region.Level.TOWNSHIP:
                    message = _("“%(township)s” is not the township of the region code %(code)s, %(parent)s.")
                    names["code"] = region
                else:
                    village = region[:12]
                    names.update(village=self.name_of(village), code=village)
                    message = (
                        _(
                            "“%(township)s” is not the township of %(village)s (%(code)s), the village "
                            "the 户编号 names: that village lies in %(parent)s."
                        )
                        if from_household_code
                        else _(
                            "“%(township)s” is not the township of the row's village, %(village)s "
                            "(%(code)s), which lies in %(parent)s."
                        )
                    )
                problem = ("township", message % names)
        self._township_checked[key] = problem
        return problem

    def village_of_household(self, household_code: str) -> str:
        """The village a 户编号 of the system's form names by its first 12 digits, when it is
        a village the importer reaches; else "" (a number of another form names none)."""
        match = HOUSEHOLD_CODE.match(household_code)
        if match and self.by_code.get(match[1], ("", None))[1] == Region.Level.VILLAGE:
            return match[1]
        return ""

    def resolve(
        self,
        *,
        code: str = "",
        township: str = "",
        village: str = "",
        group: str = "",
        village_code: str = "",
    ):
        """(region code, None) or (None, (column key, message)). `village_code`: the village
        when the row names none (see village_of_household), its groups found by name."""
        if code:
            code = clean_compact(code)
            if code in self.by_code:
                return code, None
            if code.isdigit() and Region.objects.filter(code=code).exists():
                return None, ("region_code", _("This region lies outside your area."))
            return None, ("region_code", _("There is no region with this code."))
        if village_code and not village:
            candidates = [village_code]
        elif not village:
            return None, ("village", _("Give the village (or the region code)."))
        else:
            candidates = self.villages.get(village_key(village), [])
        if township and len(candidates) > 1:
            wanted = self._townships_named(township)
            candidates = [c for c in candidates if self.by_code[c][2] in wanted]
            if not candidates:
                return None, (
                    "township",
                    _("No village of this name lies in “%(township)s”.") % {"township": township},
                )
        if not candidates:
            if self._exists_outside(village):
                return None, ("village", _("This village lies outside your area."))
            return None, ("village", _("There is no village of this name in your area."))
        if len(candidates) > 1:
            return None, (
                "village",
                _("Several villages have this name; add the township column to tell them apart."),
            )
        village_code = candidates[0]
        if not group:
            return village_code, None
        group_code = self.groups.get((village_code, group_key(group)))
        if group_code is None:
            # In the order of their codes (一组, 二组, … as the village numbers them).
            known = self._groups_of(village_code)
            if not known:
                return None, ("group", _("The village has no villagers' groups in the system."))
            return None, (
                "group",
                _("The village has no group of this name; its groups are: %(groups)s.")
                % {"groups": "、".join(known[:20]) + ("…" if len(known) > 20 else "")},
            )
        return group_code, None
