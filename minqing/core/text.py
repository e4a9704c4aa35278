"""Chinese text helpers for search: pinyin keys and Traditional → Simplified."""

import functools

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

_t2s = OpenCC("t2s")


@functools.lru_cache(maxsize=200_000)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name: 张三 → ("zhangsan", "zs")."""
    syllables = [s for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore") if s.isascii()]
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full, initials


def to_simplified(text: str) -> str:
    return _t2s.convert(text)
