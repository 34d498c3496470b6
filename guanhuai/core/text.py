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


# Every syllable pypinyin can give for a character, toneless, ü written v as in `name_pinyin` (lv, nve).
SYLLABLES = frozenset(
    (
        "a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca cai "
        "can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai "
        "chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di "
        "dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng "
        "fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha "
        "hai han hang hao he hei hen heng hm hng hong hou hu hua huai huan huang hui hun huo ji jia jian "
        "jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku "
        "kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng li lia lian liang liao lie lin "
        "ling liu lo long lou lu luan lun luo lv lve m ma mai man mang mao me mei men meng mi mian miao mie "
        "min ming miu mo mou mu n na nai nan nang nao ne nei nen neng ng ni nia nian niang niao nie nin ning "
        "niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping "
        "po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri "
        "rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei "
        "shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta "
        "tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei "
        "wen weng wo wong wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye "
        "yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao "
        "zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan "
        "zui zun zuo "
    ).split()
)
# Letters a syllable can start with: i, u and v never do.
INITIAL_LETTERS = frozenset("abcdefghjklmnopqrstwxyz")
# Interjections (嗯 n/ng, 呣 m, 噷 hm, 哼 hng): never part of a name, but they would split keys wrongly.
_NOT_IN_NAMES = frozenset({"n", "m", "ng", "hm", "hng"})
MAX_MIXED_READINGS = 8


def pinyin_mixed_readings(key: str) -> list[tuple[str, str]]:
    """The ways a search key mixes full syllables with initials, as (initials, pattern) pairs: "wangxy" →
    ("wxy", "^wangx[a-z]*y"), read as wang + x + y. A name matches a reading when its initials start with
    the reading's initials and its full pinyin matches the pattern.

    Only readings where an initial comes before another part are given: a key of full syllables (with a
    partial last one) is a prefix of the full pinyin, and a key of initials a prefix of the initials; the
    caller matches those two directly. The pattern cannot see where a syllable ends ("x[a-z]*" may run past
    the next boundary), so a reading can match a little more than it says when a name has more syllables
    than the key has parts; the initials keep that rare. Only the readings with the fewest parts are given,
    at most MAX_MIXED_READINGS of them, so a long key stays a short query."""
    key = key.lower()
    found: list[list[str]] = []

    def walk(rest: str, parts: list[str]) -> None:
        if len(found) > 200 or len(parts) > 6:
            return
        if not rest:
            found.append(parts)
            return
        # After the first part, a part starting with a vowel (张恩 zhang'en) is read only as a plain
        # prefix: as a mixed reading it mostly splits a syllable in two (wang → w + ang).
        if parts and rest[0] in "aoe":
            return
        if rest[0] in INITIAL_LETTERS:
            walk(rest[1:], [*parts, rest[0]])
        for end in range(2, min(len(rest), 6) + 1):
            piece = rest[:end]
            if piece in _NOT_IN_NAMES:
                continue
            if piece in SYLLABLES or (end == len(rest) and any(s.startswith(piece) for s in SYLLABLES)):
                walk(rest[end:], [*parts, piece])

    walk(key, [])
    readings: dict[tuple[str, str], int] = {}
    for parts in found:
        # An initial followed by more: the readings the two plain prefixes cannot find.
        if not any(len(p) == 1 for p in parts[:-1]) or all(len(p) == 1 for p in parts):
            continue
        pattern = "^" + "".join(p + "[a-z]*" if len(p) == 1 else p for p in parts[:-1]) + parts[-1]
        reading = ("".join(p[0] for p in parts), pattern)
        readings[reading] = min(readings.get(reading, 99), len(parts))
    if not readings:
        return []
    # The readings with the fewest parts: wang + x + y, not wan + g + x + y.
    fewest = min(readings.values())
    return sorted(r for r, n in readings.items() if n == fewest)[:MAX_MIXED_READINGS]


def chinese_date(day: dt.date) -> str:
    """The one way a printed document writes a date: 2026年9月5日 (no leading zeros, as official
    documents write it), on receipts, statements and notices alike."""
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


@lru_cache(maxsize=8)
def _opencc(config: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(config)


def to_traditional(text: str, *, config: str = "s2t") -> str:
    """Simplified → Traditional through OpenCC: `s2t` (plain characters), `s2hk` or `s2twp` (Taiwan
    phrases), as the portal's site chooses."""
    return _opencc(config).convert(text) if text else text


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC `t2s`): the portal's search compares both sides in Simplified."""
    return _opencc("t2s").convert(text) if text else text
