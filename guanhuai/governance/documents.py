"""Files the governance app hands out: the side-by-side diff of two versions as a PDF (A4 landscape, the
embedded CJK font of core/pdf.py). It only lays out what `diff.diff` computed, so the page and the PDF
cannot disagree."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanhuai.core import pdf
from guanhuai.core.text import chinese_date
from guanhuai.governance.diff import ADDED, CHANGED, REMOVED, Diff, Segment
from guanhuai.governance.models import DocumentVersion

_OLD = "#b02a37"  # removed text: red, struck through
_NEW = "#146c43"  # added text: green, underlined


def _markup(segments: list[Segment], *, new: bool) -> str:
    parts = []
    for seg in segments:
        text = escape(seg.text).replace("\n", "<br/>")
        if seg.changed:
            text = (
                f'<font color="{_NEW}"><u>{text}</u></font>'
                if new
                else f'<font color="{_OLD}"><strike>{text}</strike></font>'
            )
        parts.append(text)
    return "".join(parts)


def _label(clause: Any) -> str:
    if clause is None:
        return ""
    return _("第%(n)s条") % {"n": clause.number}


def diff_pdf(
    first: DocumentVersion, second: DocumentVersion, result: Diff, *, changes_only: bool = False
) -> bytes:
    """The diff as an official document, always in Simplified Chinese."""
    with translation.override("zh-hans"):
        return _diff_pdf(first, second, result, changes_only=changes_only)


def _diff_pdf(first: DocumentVersion, second: DocumentVersion, result: Diff, *, changes_only: bool) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    st = pdf.styles()
    document = first.document
    title = _("%(title)s 修订对照表") % {"title": document.title}
    kinds = {CHANGED: _("修改"), ADDED: _("新增"), REMOVED: _("删除")}
    story: list[Any] = [
        Paragraph(escape(title), st["title"]),
        Spacer(1, 6),
        Paragraph(
            escape(
                _(
                    "%(unit)s · 左：第%(a)s版（%(sa)s） 右：第%(b)s版（%(sb)s） · 修改%(c)d条，新增%(n)d条，删除%(r)d条"
                )
                % {
                    "unit": document.unit.name,
                    "a": first.number,
                    "sa": first.get_status_display(),
                    "b": second.number,
                    "sb": second.get_status_display(),
                    "c": result.count(CHANGED),
                    "n": result.count(ADDED),
                    "r": result.count(REMOVED),
                }
            ),
            st["small"],
        ),
        Spacer(1, 8),
    ]
    header = [
        Paragraph(escape(_("第%(n)s版") % {"n": first.number}), st["cell"]),
        Paragraph(escape(_("第%(n)s版") % {"n": second.number}), st["cell"]),
        Paragraph(escape(_("变化")), st["cell"]),
    ]
    data = [header]
    highlight = []
    for row in result.rows if not changes_only else result.changes:
        left = f"{escape(_label(row.old))} {_markup(row.old_segments, new=False)}" if row.old else ""
        right = f"{escape(_label(row.new))} {_markup(row.new_segments, new=True)}" if row.new else ""
        data.append(
            [
                Paragraph(left, st["cell"]),
                Paragraph(right, st["cell"]),
                Paragraph(escape(kinds.get(row.kind, "")), st["cell"]),
            ]
        )
        if row.kind != "same":
            highlight.append(len(data) - 1)
    width = landscape(A4)[0] - 72
    table = Table(data, colWidths=[width * 0.46, width * 0.46, width * 0.08], repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), pdf.cjk_font()),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
    ]
    style += [("BACKGROUND", (0, i), (-1, i), colors.HexColor("#fff8e1")) for i in highlight]
    table.setStyle(TableStyle(style))
    story += [
        table,
        Spacer(1, 8),
        Paragraph(
            escape(
                _("第%(b)s版文本指纹（SHA-256）：%(f)s")
                % {"b": second.number, "f": second.fingerprint or _("草案尚未生成")}
            ),
            st["small"],
        ),
        Paragraph(escape(_("生成日期：%(d)s") % {"d": chinese_date(timezone.localdate())}), st["small"]),
    ]
    return pdf.build(story, pagesize=landscape(A4), title=title, author=document.unit.name)
