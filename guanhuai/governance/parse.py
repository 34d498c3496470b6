"""Clauses from an existing text: plain text or the paragraphs of a .docx, numbered 第一章 / 第一条 (Chinese
numerals, or Arabic digits: 第1条). A line that starts a chapter sets the chapter for the clauses after it;
a line that starts a clause starts one; any other line continues the clause before it (a clause's items
(一)(二) sit on their own lines). Text before the first clause (the title, a preamble) is returned as the
preamble, not lost. Clauses are renumbered in order: the number is where a clause stands, and the import
reports where the source's own numbering skipped or repeated, for the clerk to check."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from guanhuai.core.errors import ValidationError

_NUM = "零〇一二三四五六七八九十百千两0-9０-９"
CHAPTER = re.compile(rf"^\s*第\s*([{_NUM}]+)\s*章\s*(.*)$")
CLAUSE = re.compile(rf"^\s*第\s*([{_NUM}]+)\s*条\s*[：:、.．]?\s*(.*)$")
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int:
    """第二十三 → 23, 一百零五 → 105, 十二 → 12, 23 → 23."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (digit or 1) * _UNITS[ch]
            digit = 0
        else:
            raise ValueError(ch)
    return total + digit


@dataclass
class ParsedClause:
    chapter_number: int | None
    chapter_title: str
    number: int
    text: str


@dataclass
class Parsed:
    clauses: list[ParsedClause] = field(default_factory=list)
    preamble: str = ""
    # The source's own numbers where they were not 1, 2, 3… (skipped or repeated), for the clerk to check.
    renumbered: list[tuple[int, int]] = field(default_factory=list)


def parse_lines(lines: list[str]) -> Parsed:
    parsed = Parsed()
    chapter: int | None = None
    chapter_title = ""
    preamble: list[str] = []
    current: list[str] | None = None
    source_numbers: list[int] = []

    def close() -> None:
        if current is not None:
            body = "\n".join(part for part in current if part).strip()
            parsed.clauses.append(ParsedClause(chapter, chapter_title, len(parsed.clauses) + 1, body))

    for raw in lines:
        line = raw.strip().replace("\u3000", " ").strip()
        if not line:
            continue
        if m := CHAPTER.match(line):
            try:
                number = chinese_number(m.group(1))
            except ValueError:
                number = None
            if number is not None:
                close()
                current = None
                chapter, chapter_title = number, m.group(2).strip()
                continue
        if m := CLAUSE.match(line):
            try:
                source_numbers.append(chinese_number(m.group(1)))
            except ValueError:
                source_numbers.append(0)
            close()
            current = [m.group(2).strip()]
            continue
        if current is None:
            preamble.append(line)
        else:
            current.append(line)
    close()
    parsed.preamble = "\n".join(preamble)
    parsed.renumbered = [(src, i) for i, src in enumerate(source_numbers, start=1) if src != i]
    empty = [c.number for c in parsed.clauses if not c.text]
    if not parsed.clauses:
        raise ValidationError(
            _("没有识别出条款：每一条应以“第一条”“第二条”（或“第1条”）开头，各占一行。"), code="source"
        )
    if empty:
        raise ValidationError(
            _("第%(n)s条没有条文内容。") % {"n": "、".join(str(n) for n in empty)}, code="source"
        )
    return parsed


def parse_text(text: str) -> Parsed:
    return parse_lines(text.splitlines())


def parse_docx(data: bytes) -> Parsed:
    """The paragraphs of a Word document, in order (tables are not read: charters are running text)."""
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError(_("无法读取这个Word文件（只支持 .docx 格式）。"), code="source") from exc
    return parse_lines([p.text for p in document.paragraphs])


def parse_upload(name: str, data: bytes) -> Parsed:
    if name.lower().endswith(".docx"):
        return parse_docx(data)
    if name.lower().endswith(".txt") or not name:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return parse_text(data.decode(encoding))
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("无法识别文本文件的编码（请用 UTF-8 或 GBK 保存）。"), code="source")
    raise ValidationError(_("只能导入 .docx 或 .txt 文件。"), code="source")
