"""Cell values as offices type them, made comparable: Traditional → Simplified,
full-width digits and letters → ASCII, stray spaces removed, whole numbers as digits."""

import functools
import re
import unicodedata
from pathlib import Path

import opencc

from minqing.core.text import to_simplified


@functools.cache
def _traditional_chars() -> frozenset[str]:
    """Characters opencc's t2s would change: text without any of them (nearly every cell)
    skips the converter, which costs ~25 µs a call."""
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    chars = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if source and source not in targets.split(" "):
            chars.add(source)
    return frozenset(chars)


_WIDE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDE[0x3000] = 0x20
_SPACES = re.compile(r"\s+")
_TRADITIONAL: frozenset[str] = frozenset()


def simplified(text: str) -> str:
    global _TRADITIONAL
    if not _TRADITIONAL:
        _TRADITIONAL = _traditional_chars()
    if _TRADITIONAL.isdisjoint(text):
        return text
    return to_simplified(text)


def clean_text(value) -> str:
    """Free text (a name, an address): narrow digits, Simplified, single spaces, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if not text.isascii():
        text = simplified(text.translate(_WIDE))
    return " ".join(text.split())


def clean_compact(value) -> str:
    """A name, a code or a label: like clean_text, with no spaces at all."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if not text.isascii():
        text = simplified(text.translate(_WIDE))
    return "".join(text.split())


@functools.lru_cache(maxsize=4096)
def heading_key(text: str) -> str:
    """A column heading reduced for matching: NFKC, Simplified, no spaces, no required-marks,
    no trailing note in brackets (身份证号（必填） → 身份证号)."""
    text = str(text or "")
    if text.isascii():
        # What the steps below leave of ASCII text (a row number, a code in a data row).
        return "".join(text.split()).strip("*").lower().replace("(", "").replace(")", "")
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub("", simplified(text)).strip("*※").lower()
    text = re.sub(r"\((必填|选填|可选|必须|选填项|必填项|[^)]*填写[^)]*)\)$", "", text)
    return text.replace("(", "").replace(")", "")
