"""Chinese text helpers: pinyin search keys for names, Simplified → Traditional for the portal, and dates as
documents write them (2025年3月1日)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's most common reading.
SURNAME_READINGS = {
    "曾": ["zeng"],
    "单": ["shan"],
    "解": ["xie"],
    "仇": ["qiu"],
    "朴": ["piao"],
    "查": ["zha"],
    "区": ["ou"],
    "盖": ["ge"],
    "乐": ["yue"],
    "覃": ["qin"],
    "繁": ["po"],
    "员": ["yun"],
    "翟": ["zhai"],
    "缪": ["miao"],
    "种": ["chong"],
    "秘": ["bi"],
    "重": ["chong"],
    "折": ["she"],
    "召": ["shao"],
    "都": ["du"],
    "尉迟": ["yu", "chi"],
    "长孙": ["zhang", "sun"],
    "万俟": ["mo", "qi"],
}


def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a personal name, reading the surname correctly: 曾枫 → ("zengfeng", "zf")."""
    name = (name or "").strip()
    if not name:
        return "", ""
    syllables: list[str] = []
    rest = name
    for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
        if name.startswith(surname):
            syllables, rest = list(SURNAME_READINGS[surname]), name[len(surname) :]
            break
    syllables += lazy_pinyin(rest, style=Style.NORMAL, errors="ignore")
    full = "".join(s.lower() for s in syllables)
    initials = "".join(s[0].lower() for s in syllables if s)
    return full, initials


@lru_cache(maxsize=1)
def _s2t():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    return _s2t().convert(text) if text else text


def chinese_date(day: dt.date) -> str:
    """2025年3月1日, as receipts, notices and certificates write a date (no leading zeros)."""
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}
