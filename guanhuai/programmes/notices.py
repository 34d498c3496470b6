"""The printable public notice (公示): an A4 page for the village notice board.

It carries only what the public may see (DESIGN.md, Privacy): surname + mask, the village and the amount
per period, never an ID number, an account or a full name; and it says where and until when to object.
The font is embedded (core/pdf.py) so it prints the same anywhere. Always in Simplified Chinese: it is an
official document, whatever the language of the clerk who prints it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _

from guanhuai.core import pdf
from guanhuai.core.money import yuan
from guanhuai.core.text import chinese_date
from guanhuai.programmes.models import PublicNotice
from guanhuai.programmes.selectors.applications import (
    NoticeRow,
    how_to_object,
    notice_households,
    notice_rows,
)


@dataclass(frozen=True)
class NoticeContent:
    title: str
    intro: str
    village: str
    period: str
    rows: list[NoticeRow]
    how_to_object: str
    issuer: str
    issued_on: str


def notice_content(notice: PublicNotice) -> NoticeContent:
    programme = notice.programme
    rows = notice_rows(notice, paper=True)
    return NoticeContent(
        title=notice.title,
        intro=_(
            "根据%(basis)s，经本人申请、村（居）委会审核，以下 %(n)d 户拟纳入“%(programme)s”扶助对象，"
            "现予公示。"
        )
        % {"basis": cited(programme.legal_basis), "n": notice_households(rows), "programme": programme.name},
        village=notice.org_unit.name,
        period=_("公示期：%(a)s 至 %(b)s（共 %(days)d 天）")
        % {
            "a": chinese_date(notice.opens_on),
            "b": chinese_date(notice.closes_on),
            "days": (notice.closes_on - notice.opens_on).days + 1,
        },
        rows=rows,
        how_to_object=how_to_object(notice),
        issuer=(
            _("%(village)s居民委员会") if notice.org_unit.kind == "community" else _("%(village)s村民委员会")
        )
        % {"village": notice.org_unit.name},
        issued_on=chinese_date(notice.opens_on),
    )


def cited(basis: str) -> str:
    """The legal basis as a sentence cites it: in 《》 unless it names its documents in 《》 itself
    (《中华人民共和国人口与计划生育法》；…制度), which would otherwise print 《《."""
    basis = basis.strip()
    return basis if "《" in basis else f"《{basis}》"


def amount_text(row: NoticeRow) -> str:
    """¥590.00/月, or —: a row without an amount is a gap the clerk must see, not a phrase that reads
    like one."""
    if row.amount is None:
        return "—"
    text = f"{yuan(row.amount)}{row.unit}"
    if row.beneficiaries > 1:
        text += _("（每人）")
    return text


def notice_pdf(notice: PublicNotice) -> bytes:
    with translation.override("zh-hans"):
        return _notice_pdf(notice)


def _notice_pdf(notice: PublicNotice) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    c = notice_content(notice)
    st = pdf.styles()
    font = pdf.cjk_font()
    width = A4[0] - 2 * 18 * mm

    story: list[Any] = [
        Paragraph(escape(c.title), st["title"]),
        Spacer(0, 4 * mm),
        Paragraph(escape(c.intro), st["body"]),
        Spacer(0, 2 * mm),
        Paragraph(escape(c.period), st["body"]),
        Spacer(0, 3 * mm),
    ]
    data: list[list[Any]] = [
        [
            Paragraph(_("序号"), st["cell"]),
            Paragraph(_("姓名"), st["cell"]),
            Paragraph(_("村（社区）"), st["cell"]),
            Paragraph(_("扶助标准"), st["cell"]),
        ]
    ]
    for i, row in enumerate(c.rows, 1):
        data.append(
            [
                Paragraph(str(i), st["cell"]),
                Paragraph(escape(row.name), st["cell"]),
                Paragraph(escape(row.village), st["cell"]),
                Paragraph(escape(amount_text(row)), st["cell_right"]),
            ]
        )
    table = Table(data, colWidths=[width * 0.1, width * 0.3, width * 0.3, width * 0.3], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("GRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#555555")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(0, 5 * mm), Paragraph(escape(c.how_to_object), st["body"]), Spacer(0, 10 * mm)]
    story.append(Paragraph(escape(c.issuer), st["right"]))
    story.append(Paragraph(escape(c.issued_on), st["right"]))
    return pdf.build(story, pagesize=A4, title=c.title, author=c.issuer, margins=18 * mm)
