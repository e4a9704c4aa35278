"""Chinese text helpers for search: pinyin keys and Traditional → Simplified."""

import functools

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

_t2s = OpenCC("t2s")


@functools.lru_cache(maxsize=20_000)
def _syllable(char: str) -> str:
    found = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
    return found[0].lower() if found and found[0].isascii() else ""


# Surnames whose reading differs from the character's usual one.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "仇": "qiu",
    "解": "xie",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "盖": "ge",
    "覃": "qin",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "长孙": "zhangsun",
}
_SURNAME_STARTS = frozenset(surname[0] for surname in SURNAME_READINGS)


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name: 张三 → ("zhangsan", "zs"). Names are read
    character by character (cached), with the surname's own reading first."""
    syllables = []
    rest = name
    if name[:1] in _SURNAME_STARTS:
        for surname, reading in SURNAME_READINGS.items():
            if name.startswith(surname):
                syllables.append(reading)
                rest = name[len(surname) :]
                break
    syllables += [s for s in map(_syllable, rest) if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def to_simplified(text: str) -> str:
    return _t2s.convert(text)
