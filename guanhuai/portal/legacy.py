"""Reading an article page scraped from an old disclosure site (政务公开) into what an `Article` needs. Pure:
no database; `services.legacy` files the result into a column.

What a scrape carries, and what happens to each part (the fixture in `tests/data/` and its README show it):

- **reading annotations**: a pinyin reading in brackets after a character, `計(jì)生`, `作(zuò)用(yòng)`,
  `了(le)`. The character is the text; the annotation is removed wherever it is (title, author, body). An
  annotation is a bracket holding only lower-case Latin letters (with tone marks or ü) that follows a
  Chinese character; the text's own brackets hold something else and are kept: 《…》, `村(居)`,
  `(2016年5月20日…)`;
- **the site's chrome**, stripped and reported: the breadcrumb (`當前位置:首頁 > …`), the read counter after
  the date (`閱讀次數(`), the truncated repeat of the first paragraph, the previous/next links
  (`上一篇:`/`下一篇:`), the footer's list (site name, mobile version, phone, address, e-mail) and the visit
  counter (`訪問統計:1989465`);
- **the article**: the title (the first line after the breadcrumb), the publication time (the date line,
  `2016-07-08 11:21:10`, in the site's time zone), the author line (the short line before the body), and the
  body's paragraphs (indented lines; full- and half-width spaces and no-break spaces trimmed).

The page keeps its own form (Traditional here): stored text is never converted (docs/portal.md).
A file without a title, a publication time or a body is not an article page and is refused with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.core.errors import ValidationError

_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_PINYIN = r"[a-zāáǎàēéěèêīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]+"
# A reading after a character: 計(jì), 了(le), and the same in full-width brackets 計（jì）.
ANNOTATION = re.compile(rf"(?<={_HAN})(?:\({_PINYIN}\)|（{_PINYIN}）)")
_SPACES = " \t\u3000\xa0"
_DATE_LINE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T\xa0]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?(.*)$")
_BREADCRUMB = ("當前位置", "当前位置", "您的位置", "您现在的位置", "您現在的位置")
_NEIGHBOURS = ("上一篇", "下一篇", "上一條", "下一条", "下一條", "上一条")
_FOOTER_MARKS = ("訪問統計", "访问统计", "版權所有", "版权所有", "手機版", "手机版")
_ENDING = "。！？；…”」』）)"

MAX_BYTES = 2 * 1024 * 1024


@dataclass
class Stripped:
    kind: str  # "annotations", "breadcrumb", "counter", "repeat", "neighbours", "footer"
    text: str

    @property
    def label(self) -> str:
        return {
            "annotations": _("读音标注"),
            "breadcrumb": _("位置导航"),
            "counter": _("阅读次数"),
            "repeat": _("截断的重复段落"),
            "neighbours": _("上一篇/下一篇"),
            "footer": _("页脚"),
        }.get(self.kind, self.kind)


@dataclass
class LegacyArticle:
    title: str
    published_at: dt.datetime
    author: str
    paragraphs: list[str]
    annotations: int  # how many reading annotations were removed
    stripped: list[Stripped] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The same article gives the same key (`Article.legacy_key`), so a second import is a no-op."""
        text = "\n".join([self.title, self.published_at.isoformat(), *self.paragraphs])
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def body_text(self) -> str:
        return "\n".join(self.paragraphs)


def _refuse(name: str, reason: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s”不是可以导入的文章页面：%(reason)s") % {"name": name, "reason": reason},
        code="not_article",
    )


def decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_BYTES:
        raise _refuse(name, _("文件超过 2 MB。"))
    if b"\x00" in raw[:4096]:
        raise _refuse(name, _("这是二进制文件，不是文字页面。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(name, _("文字编码无法识别（应为 UTF-8 或 GB18030）。"))


def strip_annotations(text: str) -> tuple[str, int]:
    return ANNOTATION.subn("", text)


def _clean(line: str) -> str:
    """Trimmed, with no-break spaces as plain ones and runs of half-width spaces as one."""
    return re.sub(r" {2,}", " ", line.replace("\xa0", " ")).strip(_SPACES)


def _is_footer(line: str) -> bool:
    """A line of the site's footer: a bullet, or a short line with a counter, copyright or mobile link (a
    body paragraph may mention 版权所有; it is long)."""
    return line.startswith(("•", "·")) or (len(line) <= 60 and any(m in line for m in _FOOTER_MARKS[:6]))


def parse(text: str, name: str = "") -> LegacyArticle:
    """The article in a scraped page; `ValidationError` (code "not_article") saying what is missing."""
    text, annotations = strip_annotations(text.replace("\r\n", "\n").replace("\r", "\n"))
    raw_lines = text.split("\n")
    stripped: list[Stripped] = []
    if annotations:
        stripped.append(Stripped("annotations", _("读音标注 %(n)d 处，如“計(jì)”→“計”") % {"n": annotations}))

    # the head: breadcrumb, title, date line
    i = 0
    n = len(raw_lines)

    def next_line() -> int:
        j = i
        while j < n and not _clean(raw_lines[j]):
            j += 1
        return j

    i = next_line()
    if i < n and _clean(raw_lines[i]).startswith(_BREADCRUMB):
        stripped.append(Stripped("breadcrumb", _clean(raw_lines[i])))
        i = next_line() if i + 1 >= n else i + 1
        i = next_line()
    if i >= n:
        raise _refuse(name, _("文件是空的。"))
    title = _clean(raw_lines[i])
    if _DATE_LINE.match(title):
        raise _refuse(name, _("没有找到标题（第一行就是日期）。"))
    i += 1
    i = next_line()
    match = _DATE_LINE.match(_clean(raw_lines[i])) if i < n else None
    if match is None:
        raise _refuse(name, _("标题“%(t)s”之后没有发布时间（如 2016-07-08 11:21:10）。") % {"t": title[:40]})
    y, mo, d, hh, mm, ss, rest = match.groups()
    try:
        # the old site's own time zone is the deployment's (TIME_ZONE, Asia/Shanghai); zoneinfo takes tzinfo=
        published_at = dt.datetime(
            int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0),
            tzinfo=timezone.get_current_timezone(),
        )  # fmt: skip
    except ValueError:
        raise _refuse(name, _("发布时间“%(v)s”不是有效的日期。") % {"v": _clean(raw_lines[i])}) from None
    if _clean(rest):
        stripped.append(Stripped("counter", _clean(rest)))
    i += 1

    # the rest: lines before the body (repeat, author), the body (indented lines), then the chrome
    before: list[str] = []
    paragraphs: list[str] = []
    tail: list[str] = []
    for raw in raw_lines[i:]:
        line = _clean(raw)
        if not line:
            continue
        if tail or line.startswith(_NEIGHBOURS) or _is_footer(line):
            tail.append(line)
            continue
        indented = raw[:1] in _SPACES
        if indented or paragraphs:
            paragraphs.append(line)
        else:
            before.append(line)
    if not paragraphs:
        # A page without indentation: the body is what follows a short author line, if there is one.
        paragraphs, before = before, []
        if len(paragraphs) > 1 and _looks_like_author(paragraphs[0]):
            before = [paragraphs.pop(0)]
    if not paragraphs:
        raise _refuse(name, _("没有找到正文。"))
    author = ""
    for line in before:
        if _is_repeat(line, paragraphs[0]):
            stripped.append(Stripped("repeat", line))
        elif not author and _looks_like_author(line):
            author = line
        else:
            # an unrecognised line before the body is body too: better kept than lost
            paragraphs.insert(0, line)
    for line in tail:
        kind = "neighbours" if line.startswith(_NEIGHBOURS) else "footer"
        stripped.append(Stripped(kind, line.lstrip("•· ")))
    return LegacyArticle(
        title=title[:200],
        published_at=published_at,
        author=author[:100],
        paragraphs=paragraphs,
        annotations=annotations,
        stripped=stripped,
    )


def _is_repeat(line: str, first: str) -> bool:
    """The scrape's cut-off copy of the first paragraph (its summary), with or without "…"."""
    cut = line.rstrip(".…").strip(_SPACES)
    return len(cut) >= 8 and first.startswith(cut) and len(cut) < len(first)


def _looks_like_author(line: str) -> bool:
    return len(line) <= 40 and not line.endswith(tuple(_ENDING)) and "，" not in line and "," not in line
