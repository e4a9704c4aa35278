"""Understand what someone typed in the search box.

An 18-character ID number is looked up exactly through its keyed hash; a phone
number likewise; Latin letters are pinyin (initials `zs` or full `zhangsan`);
Chinese is a name prefix after Traditional → Simplified, or a hardship or tag
word (困難戶 finds the households in hardship)."""

import re
from dataclasses import dataclass, field

from django.db.models import Q

from minqing.core.identity import (
    LANDLINE_RE,
    MOBILE_RE,
    mask_id_number,
    mask_identifiers_in,
    mask_phone,
    normalize_id_number,
    normalize_phone,
)
from minqing.core.personal import IdNumber, Phone, lookup_hash_for
from minqing.core.text import to_simplified
from minqing.core.treecode import startswith_q

from .models import HardshipLevel, Tag

# Words residents and office staff use, in Simplified Chinese (queries are converted first).
HARDSHIP_WORDS = {
    "特别困难": [HardshipLevel.EXTREME],
    "比较困难": [HardshipLevel.SERIOUS],
    "一般困难": [HardshipLevel.GENERAL],
    "困难户": [HardshipLevel.GENERAL, HardshipLevel.SERIOUS, HardshipLevel.EXTREME],
    "困难群众": [HardshipLevel.GENERAL, HardshipLevel.SERIOUS, HardshipLevel.EXTREME],
}
TAG_WORDS = {
    "五保": Tag.WUBAO,
    "低保": Tag.DIBAO,
    "残疾": Tag.DISABLED,
    "独居老人": Tag.ELDERLY_ALONE,
    "空巢老人": Tag.ELDERLY_ALONE,
    "留守儿童": Tag.LEFT_BEHIND_CHILD,
    "老党员": Tag.VETERAN_PARTY_MEMBER,
    "群众代表": Tag.RESIDENTS_REPRESENTATIVE,
    "致富能手": Tag.WEALTH_EXPERT,
    "劳动模范": Tag.MODEL_WORKER,
    "劳模": Tag.MODEL_WORKER,
    "能人": Tag.NOTABLE,
    "乡贤": Tag.NOTABLE,
    "重点信访": Tag.KEY_PETITIONER,
}
ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
PINYIN = re.compile(r"^[A-Za-z]{1,30}$")
HOUSEHOLD_CODE = re.compile(r"^\d{12,15}-\d{1,6}$")


@dataclass
class ParsedQuery:
    text: str
    kind: str  # id_number, phone, pinyin, name, label, empty
    member_q: Q | None = None  # condition on Member
    household_q: Q | None = None  # condition on Household
    tag: str = ""  # households with this tag (on the household or a member)
    words: list[str] = field(default_factory=list)


def parse_query(raw: str) -> ParsedQuery:
    text = (raw or "").strip()[:60]
    if not text:
        return ParsedQuery(text, "empty")
    compact = text.replace(" ", "")
    if ID_LIKE.match(compact):
        digest = lookup_hash_for(IdNumber, normalize_id_number(compact))
        return ParsedQuery(text, "id_number", member_q=Q(id_number_hash=digest))
    phone = normalize_phone(compact.replace("-", ""))
    if MOBILE_RE.match(phone) or LANDLINE_RE.match(normalize_phone(compact)):
        digest = lookup_hash_for(Phone, normalize_phone(compact))
        return ParsedQuery(text, "phone", member_q=Q(phone_hash=digest))
    if PINYIN.match(compact):
        key = compact.lower()
        return ParsedQuery(
            text, "pinyin", member_q=startswith_q("name_initials", key) | startswith_q("name_pinyin", key)
        )
    simple = to_simplified(compact)
    for word, levels in HARDSHIP_WORDS.items():
        if word in simple:
            return ParsedQuery(text, "label", household_q=Q(hardship_level__in=levels), words=[word])
    for word, tag in TAG_WORDS.items():
        if word in simple:
            return ParsedQuery(text, "label", tag=tag, words=[word])
    if HOUSEHOLD_CODE.match(compact):
        return ParsedQuery(text, "household", household_q=Q(code=compact))
    return ParsedQuery(text, "name", member_q=startswith_q("name", simple))


def masked_identifier(raw: str) -> str:
    """The masked form of a query that is a full ID number or phone, or that holds a run of
    digits like one (a mistyped ID number is still personal); else ""."""
    parsed = parse_query(raw)
    compact = parsed.text.replace(" ", "")
    if parsed.kind == "id_number":
        return mask_id_number(compact)
    if parsed.kind == "phone":
        return mask_phone(compact)
    # A run of digits like one inside other text is masked too when a query is echoed.
    masked = mask_identifiers_in(parsed.text)
    return masked if masked != parsed.text else ""
