"""Files the funds app hands out: receipt PDFs, fund statements (PDF and Excel) and donor statements.

Documents only lay out what selectors computed; they never sum the ledger themselves. The lines of a fund
statement come from one function, `statement_lines`, so the PDF, the workbook and the CLI table cannot
disagree with each other or with `selectors.fund_statement`.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from guanhuai.core import pdf
from guanhuai.core.cells import safe_row
from guanhuai.core.money import CENT, amount_in_words, yuan
from guanhuai.core.text import chinese_date
from guanhuai.funds.models import Receipt
from guanhuai.funds.selectors import Statement
from guanhuai.funds.states import Channel, DonationKind, DonorKind, PublicName, ReceiptStatus

MONEY_FORMAT = "#,##0.00"


def issuer_name(unit: Any) -> str:
    """The association at a branch, as it signs documents: 广东省 → 广东省计划生育协会."""
    return _("%(unit)s计划生育协会") % {"unit": unit.name}


# --- receipts ---------------------------------------------------------------------------------------------


@dataclass
class ReceiptContent:
    """What a receipt says, separate from how it is drawn (tests and the bench read this too)."""

    title: str
    issuer: str
    issuer_code: str
    number: str
    issued_on: dt.date
    rows: list[tuple[str, str]]
    reissue_of: str = ""  # the original's number, for a 补开 receipt
    voided: bool = False
    void_reason: str = ""
    issued_by: str = ""


def receipt_content(receipt: Receipt) -> ReceiptContent:
    donation = receipt.donation
    donor = donation.donor
    # The donor's own receipt always carries the real name: 爱心人士 is only how the *public* sees them.
    donor_text = donor.name
    if donor.kind == DonorKind.ORGANISATION and donor.credit_code:
        donor_text += _("（统一社会信用代码 %(c)s）") % {"c": donor.credit_code}
    rows: list[tuple[str, str]] = [(_("捐赠人"), donor_text)]
    if donation.kind == DonationKind.CASH:
        rows += [
            (_("捐赠金额（小写）"), yuan(donation.amount)),
            (_("捐赠金额（大写）"), _("人民币%(w)s") % {"w": amount_in_words(donation.amount)}),
            (_("捐赠方式"), str(Channel(donation.channel).label) if donation.channel else "—"),
        ]
    else:
        items = donation.items + (f" × {donation.quantity}" if donation.quantity else "")
        rows += [
            (_("捐赠物资"), items),
            (_("物资估值（小写）"), yuan(donation.amount)),
            (_("物资估值（大写）"), _("人民币%(w)s") % {"w": amount_in_words(donation.amount)}),
            (_("估值依据"), donation.valuation_basis),
        ]
    rows += [
        (_("收到日期"), chinese_date(donation.received_on)),
        (_("受赠基金"), donation.fund.name),
        (_("指定用途"), donation.purpose.name if donation.purpose else _("不限定用途")),
    ]
    issued_by = receipt.issued_by
    return ReceiptContent(
        title=_("捐赠收据"),
        issuer=issuer_name(receipt.org_unit),
        issuer_code=receipt.org_unit.code,
        number=receipt.number,
        issued_on=receipt.issued_on,
        rows=rows,
        reissue_of=receipt.duplicate_of.number if receipt.duplicate_of else "",
        voided=receipt.status == ReceiptStatus.VOIDED,
        void_reason=receipt.void_reason,
        # The officer's name; an account without one leaves the line to sign by hand, never the login.
        issued_by=issued_by.get_full_name() if issued_by else "",
    )


def official_chinese(fn: Callable[..., bytes]) -> Callable[..., bytes]:
    """Receipts and statements are official documents: always in Simplified Chinese, whatever the
    language of the person who prints them."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> bytes:
        with translation.override("zh-hans"):
            return fn(*args, **kwargs)

    return wrapper


@official_chinese
def receipt_pdf(receipt: Receipt) -> bytes:
    """An A5 landscape receipt with the issuing branch, number, donor, amount in figures and in capitals,
    channel or goods, fund and purpose. A re-issue says 补开 and names the original; a voided receipt
    carries a 作废 watermark on every page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    c = receipt_content(receipt)
    st = pdf.styles()
    font = pdf.cjk_font()
    page = landscape(A5)
    width = page[0] - 2 * 12 * mm

    story: list[Any] = [Paragraph(c.title, st["title"]), Spacer(0, 2 * mm)]
    head = Table(
        [
            [
                Paragraph(
                    escape(_("开具单位：%(n)s（组织代码 %(c)s）") % {"n": c.issuer, "c": c.issuer_code}),
                    st["body"],
                ),
                Paragraph(_("收据编号：%(n)s") % {"n": c.number}, st["right"]),
            ],
            ["", Paragraph(_("开具日期：%(d)s") % {"d": chinese_date(c.issued_on)}, st["right"])],
        ],
        colWidths=[width * 0.58, width * 0.42],
    )
    head.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [head, Spacer(0, 2 * mm)]
    if c.reissue_of:
        story.append(
            Paragraph(
                _("<font color='#b02a37'>【补开】</font>本收据为补开，原收据编号 %(n)s 已作废。")
                % {"n": escape(c.reissue_of)},
                st["body"],
            )
        )
        story.append(Spacer(0, 1.5 * mm))
    body = Table(
        [
            [Paragraph(escape(label), st["body"]), Paragraph(escape(value), st["body"])]
            for label, value in c.rows
        ],
        colWidths=[width * 0.24, width * 0.76],
    )
    body.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("GRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#555555")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [body, Spacer(0, 3 * mm)]
    if c.voided:
        story.append(
            Paragraph(
                _("<font color='#b02a37'>本收据已作废</font>：%(r)s") % {"r": escape(c.void_reason or "—")},
                st["body"],
            )
        )
    story.append(
        Paragraph(
            escape(
                _("经办人：%(who)s　　开具单位（盖章）：%(issuer)s")
                % {"who": c.issued_by or "＿＿＿＿＿＿", "issuer": c.issuer}
            ),
            st["small"],
        )
    )
    story.append(Paragraph(_("感谢您对计划生育协会公益事业的支持！"), st["small"]))

    def decorate(canvas: Any, doc: Any) -> None:
        if c.reissue_of:
            canvas.saveState()
            canvas.setFont(font, 14)
            canvas.setFillColorRGB(0.69, 0.16, 0.22)
            canvas.drawString(12 * mm, page[1] - 10 * mm, _("补开"))
            canvas.restoreState()
        if c.voided:
            pdf.watermark(canvas, _("作废"))

    return pdf.build(
        story,
        pagesize=page,
        title=_("捐赠收据 %(n)s") % {"n": c.number},
        author=c.issuer,
        margins=12 * mm,
        on_page=decorate,
    )


# --- fund statements --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    label: str
    amount: Decimal | None  # None: a heading
    level: int = 0  # 1: a breakdown line ("其中：…")

    def __post_init__(self) -> None:
        # Sums may come back from the database with more places than cents (SQLite adds in binary
        # floating point); a document shows and exports exactly two.
        if self.amount is not None:
            object.__setattr__(self, "amount", Decimal(self.amount).quantize(CENT, rounding=ROUND_HALF_UP))


def statement_lines(st: Statement) -> list[Line]:
    lines = [
        Line(_("一、资金"), None),
        Line(_("期初余额"), st.opening),
        Line(_("本期资金捐赠收入"), st.cash_donations),
        Line(_("本期基金转入"), st.transfers_in),
        Line(_("本期基金转出"), st.transfers_out),
        Line(_("本期支出合计"), st.disbursements),
    ]
    lines += [
        Line(_("其中：%(p)s") % {"p": purpose}, amount, level=1)
        for purpose, amount in st.disbursements_by_purpose.items()
    ]
    lines += [
        Line(_("期末余额"), st.closing),
        Line(_("二、物资（按估值）"), None),
        Line(_("期初物资"), st.opening_in_kind),
        Line(_("本期物资捐赠收入"), st.in_kind_donations),
        Line(_("本期物资发放"), st.in_kind_distributed),
        Line(_("期末物资"), st.closing_in_kind),
    ]
    return lines


def statement_period(st: Statement) -> str:
    return _("%(a)s 至 %(b)s") % {"a": st.start.isoformat(), "b": st.end.isoformat()}


def reconciled_text(st: Statement) -> str:
    return _("一致") if st.reconciled else _("不一致，请运行对账检查")


@official_chinese
def statement_pdf(st: Statement) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    s = pdf.styles()
    font = pdf.cjk_font()
    width = A4[0] - 2 * 18 * mm
    fund = st.fund
    story: list[Any] = [
        Paragraph(escape(_("%(fund)s收支报表") % {"fund": fund.name}), s["title"]),
        Spacer(0, 3 * mm),
        Paragraph(
            escape(
                _("所属组织：%(n)s（组织代码 %(c)s）")
                % {"n": issuer_name(fund.org_unit), "c": fund.org_unit.code}
            ),
            s["body"],
        ),
        Paragraph(_("报表期间：%(p)s") % {"p": statement_period(st)}, s["body"]),
        Paragraph(_("金额单位：元"), s["body"]),
        Spacer(0, 3 * mm),
    ]
    indented = ParagraphStyle("cjk-cell-indented", parent=s["cell"], leftIndent=14)
    rows: list[list[Any]] = [[Paragraph(_("项目"), s["cell"]), Paragraph(_("金额（元）"), s["cell_right"])]]
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for i, line in enumerate(statement_lines(st), start=1):
        label = escape(line.label)
        if line.amount is None:
            rows.append([Paragraph(label, s["cell"]), ""])
            style += [("SPAN", (0, i), (-1, i)), ("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f6f6f6"))]
        else:
            label_style = indented if line.level else s["cell"]
            rows.append(
                [Paragraph(label, label_style), Paragraph(yuan(line.amount, symbol=False), s["cell_right"])]
            )
    table = Table(rows, colWidths=[width * 0.65, width * 0.35], repeatRows=1)
    table.setStyle(TableStyle(style))
    story += [
        table,
        Spacer(0, 4 * mm),
        Paragraph(_("与账簿核对：%(r)s") % {"r": reconciled_text(st)}, s["body"]),
        Paragraph(_("生成时间：%(t)s") % {"t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, s["small"]),
    ]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, _("第 %(n)d 页") % {"n": doc.page})
        canvas.restoreState()

    return pdf.build(
        story,
        pagesize=A4,
        title=_("%(fund)s收支报表 %(p)s") % {"fund": fund.name, "p": statement_period(st)},
        author=issuer_name(fund.org_unit),
        margins=18 * mm,
        on_page=footer,
    )


def _bold_row(ws: Worksheet, row: int) -> None:
    for cell in ws[row]:
        cell.font = Font(bold=True)


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _money_cell(ws: Worksheet, row: int, col: int, amount: Decimal) -> None:
    # Decimal goes in as an exact number; the format shows two places (never a float round trip).
    cell = ws.cell(row=row, column=col, value=amount)
    cell.number_format = MONEY_FORMAT


def statement_xlsx(st: Statement) -> bytes:
    fund = st.fund
    wb = Workbook()
    ws = wb.active
    ws.title = _("基金收支报表")
    ws.append(safe_row([_("%(fund)s收支报表") % {"fund": fund.name}]))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(safe_row([_("所属组织"), f"{issuer_name(fund.org_unit)}（{fund.org_unit.code}）"]))
    ws.append([_("报表期间"), statement_period(st)])
    ws.append([_("与账簿核对"), reconciled_text(st)])
    ws.append([])
    ws.append([_("项目"), _("金额（元）")])
    _bold_row(ws, ws.max_row)
    for line in statement_lines(st):
        ws.append(safe_row([("　　" * line.level) + line.label]))
        if line.amount is None:
            _bold_row(ws, ws.max_row)
        else:
            _money_cell(ws, ws.max_row, 2, line.amount)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 20
    return _save(wb)


# --- donor statements -------------------------------------------------------------------------------------


def donor_headers() -> list[str]:
    return [
        _("收到日期"),
        _("基金"),
        _("指定用途"),
        _("捐赠类型"),
        _("金额/估值（元）"),
        _("方式/物资"),
        _("数量"),
        _("估值依据"),
        _("收据编号"),
        _("状态"),
    ]


def _receipt_text(donation: Any) -> str:
    parts = []
    for r in sorted(donation.receipts.all(), key=lambda r: (r.year, r.seq)):
        parts.append(r.number if r.status == ReceiptStatus.ISSUED else _("%(n)s（已作废）") % {"n": r.number})
    return "；".join(parts)


def donor_statement_xlsx(data: dict[str, Any]) -> bytes:
    """All of a donor's gifts and their receipts (`selectors.donor_statement`), plus pledges against what
    was received. Reversed gifts are listed, marked, and left out of the totals."""
    donor = data["donor"]
    wb = Workbook()
    ws = wb.active
    ws.title = _("捐赠明细")
    ws.append([_("捐赠人对账单")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(safe_row([_("捐赠人"), donor.name]))
    ws.append([_("类型"), str(DonorKind(donor.kind).label)])
    if donor.credit_code:
        ws.append(safe_row([_("统一社会信用代码"), donor.credit_code]))
    ws.append([_("公开方式"), str(PublicName(donor.public_name).label)])
    ws.append([])
    ws.append(donor_headers())
    _bold_row(ws, ws.max_row)
    for d in data["donations"]:
        cash = d.kind == DonationKind.CASH
        ws.append(
            safe_row(
                [
                    d.received_on,
                    d.fund.name,
                    d.purpose.name if d.purpose else "",
                    str(DonationKind(d.kind).label),
                    None,
                    (str(Channel(d.channel).label) if d.channel else "") if cash else d.items,
                    "" if cash else d.quantity,
                    "" if cash else d.valuation_basis,
                    _receipt_text(d),
                    _("已冲销") if d.reversed else _("有效"),
                ]
            )
        )
        row = ws.max_row
        ws.cell(row=row, column=1).number_format = "yyyy-mm-dd"
        _money_cell(ws, row, 5, d.amount)
    ws.append([])
    ws.append([_("资金捐赠合计（不含已冲销）"), None, None, None, None])
    _money_cell(ws, ws.max_row, 5, data["total_cash"])
    ws.append([_("物资捐赠合计（不含已冲销）"), None, None, None, None])
    _money_cell(ws, ws.max_row, 5, data["total_in_kind"])
    for col, width in zip("ABCDEFGHIJ", (12, 20, 16, 10, 16, 16, 10, 20, 30, 10), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=1, max_row=5):
        for cell in row:
            cell.alignment = Alignment(horizontal="left")

    if data["pledges"]:
        ps = wb.create_sheet(_("认捐"))
        ps.append(
            [_("基金"), _("每期金额（元）"), _("周期"), _("开始日期"), _("结束日期"), _("已收到（元）")]
        )
        _bold_row(ps, 1)
        for item in data["pledges"]:
            p = item["pledge"]
            ps.append(safe_row([p.fund.name, None, p.get_schedule_display(), p.starts_on, p.ends_on]))
            _money_cell(ps, ps.max_row, 2, p.amount)
            _money_cell(ps, ps.max_row, 6, item["received"])
            ps.cell(row=ps.max_row, column=4).number_format = "yyyy-mm-dd"
            ps.cell(row=ps.max_row, column=5).number_format = "yyyy-mm-dd"
        for col, width in zip("ABCDEF", (20, 14, 10, 12, 12, 14), strict=True):
            ps.column_dimensions[col].width = width
    return _save(wb)


def statement_table(st: Statement) -> str:
    """The statement as a plain-text table for the CLI."""
    lines = statement_lines(st)
    title = _("%(fund)s收支报表（%(p)s）") % {"fund": st.fund.name, "p": statement_period(st)}
    out = [title, ""]

    def width(text: str) -> int:
        # CJK characters take two columns in a terminal.
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    labels = [("  " * line.level) + line.label for line in lines]
    col = max(width(label) for label in labels) + 2
    for label, line in zip(labels, lines, strict=True):
        if line.amount is None:
            out.append(label)
        else:
            out.append(label + " " * (col - width(label)) + f"{yuan(line.amount, symbol=False):>18}")
    out += ["", _("与账簿核对：%(r)s") % {"r": reconciled_text(st)}]
    return "\n".join(out)
