"""Bank files: the payment file we send (CSV or Excel) and the result file the bank returns.

Payment file (UTF-8 with BOM for CSV, so Excel opens it; one sheet for xlsx), rows:

    批次号, <batch number>
    笔数, <count>
    总金额, <total in yuan, 2 places>
    校验码, <SHA-256 hex of the canonical lines>
    行号, 户名, 银行账号, 金额, 开户银行
    1, 王建国, 6222020200112233445, 590.00, 中国农业银行
    …

The canonical line of a payment is `line_no|account|name|amount` (amount with 2 places), lines joined by
"\\n" in line order, UTF-8: the bank recomputes the checksum over what it received. The full account
number appears only here. The resident ID is not in the file: banks credit an account by number and name,
so the ID is not necessary for the purpose (PIPL art. 6, minimum necessary).

Result file (CSV or xlsx) returned by the bank, rows:

    批次号, <batch number>
    笔数, <number of result rows>
    总金额, <sum of the result rows' amounts>
    行号, 银行账号, 金额, 结果, 失败原因, 日期
    1, 6222020200112233445, 590.00, 成功, , 2026-12-20
    2, ****3345, 590.00, 失败, 账户已销户, 2026-12-20

`结果` is 成功/失败 (or paid/failed); the account may be the full number or its last four digits; the date
is when the money arrived or came back. The parsing here checks only the file's own shape and header
totals; matching rows to payments is services.payments' work."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from guanhuai.core.cells import csv_writer, safe_cell
from guanhuai.core.errors import ValidationError
from guanhuai.core.excel import cell_text, open_workbook
from guanhuai.core.money import CENT, yuan
from guanhuai.core.xlsx_stream import XlsxStream

PAY_HEADER = ["行号", "户名", "银行账号", "金额", "开户银行"]
RESULT_HEADER = ["行号", "银行账号", "金额", "结果", "失败原因", "日期"]
LABEL_BATCH, LABEL_COUNT, LABEL_TOTAL, LABEL_CHECKSUM = "批次号", "笔数", "总金额", "校验码"
PAID_WORDS = {"成功", "paid", "已到账", "success"}
FAILED_WORDS = {"失败", "failed", "fail", "退回"}


def money_text(value: Decimal) -> str:
    return f"{Decimal(value).quantize(CENT):f}"


def canonical_line(line_no: int, account: str, name: str, amount: Decimal) -> str:
    return f"{line_no}|{account}|{name}|{money_text(amount)}"


@dataclass
class PaymentFile:
    number: str
    bank_name: str
    count: int = 0
    total: Decimal = Decimal("0.00")
    checksum: str = ""
    lines: list[tuple[int, str, str, Decimal]] = field(default_factory=list)


def build_payment_file(
    number: str, bank_name: str, rows: Iterable[tuple[int, str, str, Decimal]]
) -> PaymentFile:
    """Collect the lines (line_no, name, full account, amount) and compute count, total and checksum."""
    out = PaymentFile(number=number, bank_name=safe_cell(bank_name))
    digest = hashlib.sha256()
    total = Decimal("0.00")
    first = True
    for line_no, raw_name, account, amount in rows:
        # The name as written in the file, so the checksum is over what the bank receives.
        name = safe_cell(raw_name)
        if not first:
            digest.update(b"\n")
        first = False
        digest.update(canonical_line(line_no, account, name, amount).encode())
        total += amount
        out.lines.append((line_no, name, account, amount))
    out.count = len(out.lines)
    out.total = total.quantize(CENT)
    out.checksum = digest.hexdigest()
    return out


def _header_rows(f: PaymentFile) -> list[list[str]]:
    return [
        [LABEL_BATCH, f.number],
        [LABEL_COUNT, str(f.count)],
        [LABEL_TOTAL, money_text(f.total)],
        [LABEL_CHECKSUM, f.checksum],
        PAY_HEADER,
    ]


def payment_csv(f: PaymentFile) -> bytes:
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\r\n")
    writer.writerows(_header_rows(f))
    bank = f.bank_name
    writer.writerows(
        [line_no, name, account, money_text(amount), bank] for line_no, name, account, amount in f.lines
    )
    return buf.getvalue().encode("utf-8-sig")


def payment_xlsx(f: PaymentFile) -> bytes:
    buf = io.BytesIO()
    with XlsxStream(buf, _("银行代发"), widths=(8, 12, 24, 12, 16)) as sheet:
        for row in _header_rows(f):
            sheet.append(row)
        bank = f.bank_name
        for line_no, name, account, amount in f.lines:
            # Account and amount as text: Excel would turn a 19-digit number into 6.22E+18.
            sheet.append([line_no, name, account, money_text(amount), bank])
    return buf.getvalue()


# --- result files ----------------------------------------------------------------------------------------


@dataclass
class ResultRow:
    row: int  # row number in the file (1-based), for messages
    line_no: int | None
    account: str
    amount: Decimal | None
    paid: bool | None
    reason: str
    day: dt.date | None
    problem: str = ""


@dataclass
class ResultSheet:
    number: str
    count: int
    total: Decimal
    rows: list[ResultRow]


def _bad(message: str) -> ValidationError:
    return ValidationError(message, code="bad_result_file")


def _rows_of(content: bytes) -> Iterator[list[str]]:
    if content[:2] == b"PK":
        wb = open_workbook(content)
        try:
            ws = wb.worksheets[0]
            for row in ws.iter_rows(values_only=True):
                yield [cell_text(v) for v in row]
        finally:
            wb.close()
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            raise _bad(_("回盘文件既不是CSV文本，也不是Excel（.xlsx）文件。"))
    if "\x00" in text:
        raise _bad(_("回盘文件既不是CSV文本，也不是Excel（.xlsx）文件。"))
    for row in csv.reader(io.StringIO(text)):
        yield [c.strip() for c in row]


def _header_value(row: list[str] | None, label: str, n: int) -> str:
    if not row or len(row) < 2 or row[0] != label:
        raise _bad(
            _("回盘文件格式不对：第%(n)s行应为“%(label)s,…”，实际为“%(got)s”。")
            % {"n": n, "label": label, "got": ",".join(row or [])[:60] or _("（空）")}
        )
    return row[1]


def _parse_date(text: str) -> dt.date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def parse_result_file(content: bytes) -> ResultSheet:
    """Read a result file; refuse (ValidationError) a file of the wrong shape, or whose header count or
    total does not match its rows. Rows that cannot be read are kept with a `problem`."""
    if not content:
        raise _bad(_("上传的文件是空的。"))
    rows = _rows_of(content)
    number = _header_value(next(rows, None), LABEL_BATCH, 1)
    count_text = _header_value(next(rows, None), LABEL_COUNT, 2)
    total_text = _header_value(next(rows, None), LABEL_TOTAL, 3)
    try:
        count = int(count_text)
        total = Decimal(total_text.replace(",", "")).quantize(CENT)
    except (ValueError, ArithmeticError):
        raise _bad(
            _("回盘文件表头的笔数或总金额不是数字：%(c)s / %(t)s。") % {"c": count_text, "t": total_text}
        )
    header = next(rows, None) or []
    while header and not header[-1]:
        header.pop()
    if header[: len(RESULT_HEADER)] != RESULT_HEADER:
        raise _bad(
            _("回盘文件第4行应为“%(want)s”，实际为“%(got)s”。")
            % {"want": ",".join(RESULT_HEADER), "got": ",".join(header)[:80] or _("（空）")}
        )
    parsed: list[ResultRow] = []
    for i, raw in enumerate(rows, start=5):
        if not any(raw):
            continue
        cells = (raw + [""] * 6)[:6]
        parsed.append(_result_row(i, cells))
    file_total = sum((r.amount for r in parsed if r.amount is not None), Decimal("0.00")).quantize(CENT)
    if count != len(parsed) or total != file_total:
        raise _bad(
            _("回盘文件表头与明细不符：表头 %(hc)s 笔、合计 %(ht)s，明细 %(rc)s 笔、合计 %(rt)s。")
            % {"hc": count, "ht": yuan(total), "rc": len(parsed), "rt": yuan(file_total)}
        )
    return ResultSheet(number=number.strip(), count=count, total=total, rows=parsed)


def _result_row(i: int, cells: list[str]) -> ResultRow:
    line_text, account, amount_text, result, reason, day_text = cells
    row = ResultRow(
        row=i, line_no=None, account=account.replace(" ", ""), amount=None, paid=None, reason=reason, day=None
    )
    problems: list[str] = []
    try:
        row.line_no = int(line_text)
    except ValueError:
        problems.append(_("行号“%(v)s”不是数字") % {"v": line_text})
    try:
        amount = Decimal(amount_text.replace(",", ""))
        if amount != amount.quantize(CENT) or amount <= 0:
            raise ArithmeticError
        row.amount = amount.quantize(CENT)
    except (ArithmeticError, ValueError):
        problems.append(_("金额“%(v)s”不是有效金额") % {"v": amount_text})
    word = result.strip().lower()
    if word in PAID_WORDS:
        row.paid = True
    elif word in FAILED_WORDS:
        row.paid = False
        if not reason.strip():
            problems.append(_("失败的记录没有失败原因"))
    else:
        problems.append(_("结果“%(v)s”应为“成功”或“失败”") % {"v": result})
    row.day = _parse_date(day_text)
    if row.day is None:
        problems.append(_("日期“%(v)s”无法识别") % {"v": day_text})
    row.problem = "；".join(problems)
    return row


def result_csv(number: str, rows: list[tuple[int, str, Decimal, bool, str, dt.date]]) -> bytes:
    """A result file as a bank returns it (the demo, tests and the benchmark use this to play the bank)."""
    total = sum((r[2] for r in rows), Decimal("0.00"))
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\r\n")
    writer.writerows(
        [
            [LABEL_BATCH, number],
            [LABEL_COUNT, str(len(rows))],
            [LABEL_TOTAL, money_text(total)],
            RESULT_HEADER,
        ]
    )
    writer.writerows(
        [line_no, account, money_text(amount), "成功" if paid else "失败", reason, day.isoformat()]
        for line_no, account, amount, paid, reason, day in rows
    )
    return buf.getvalue().encode("utf-8-sig")


def read_payment_file(content: bytes) -> dict[str, Any]:
    """Read back a payment file (CSV): header values and lines. For tests and the demo's 'bank'."""
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    head = {r[0]: r[1] for r in rows[:4]}
    lines = [(int(r[0]), r[1], r[2], Decimal(r[3]), r[4]) for r in rows[5:] if r]
    return {
        "number": head[LABEL_BATCH],
        "count": int(head[LABEL_COUNT]),
        "total": Decimal(head[LABEL_TOTAL]),
        "checksum": head[LABEL_CHECKSUM],
        "header": rows[4],
        "lines": lines,
    }
