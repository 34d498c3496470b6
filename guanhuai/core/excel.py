"""The parts of an Excel upload every import shares: reading a cell as typed, refusing an oversized,
empty, non-Excel or wrong-template file with the same Chinese messages, and opening a workbook fast.
Each app keeps its own columns, row checks and error workbook.

Two readers:
- `sheet_rows` reads the first worksheet with calamine (Rust): .xlsx and .xlsm, legacy .xls (Excel 97–2003
  and WPS), and .ods, whatever program saved them (shared or inline strings, with or without a dimension).
  It is several times faster than openpyxl, and fills merged cells below the header from their top-left
  cell, as the person who merged them meant.
- `open_workbook` / `openpyxl_rows` is the openpyxl read-only reader (.xlsx only), still used by the imports
  that have not moved to `sheet_rows`.

`check_upload` takes either as `reader`."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

import python_calamine
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from guanhuai.core.errors import ValidationError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What `sheet_rows` reads, for upload forms (`accept=`) and messages.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def cell_text(value: Any) -> str:
    """A cell as the user typed it. Codes typed as numbers come back as int or float (440224.0 →
    "440224"); dates come back as date or datetime (→ "2025-03-01")."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def too_large(size: int, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("文件太大（%(size).1f MB），上限为 %(max).1f MB。")
        % {"size": size / 1024 / 1024, "max": max_bytes / 1024 / 1024},
        code="file_too_large",
    )


def read_upload(upload: Any, *, max_bytes: int) -> bytes:
    """The bytes of an uploaded file, refusing an oversized one before reading it into memory."""
    if upload.size is not None and upload.size > max_bytes:
        raise too_large(upload.size, max_bytes)
    return upload.read()


def content_disposition(filename: str, fallback: str = "guanhuai.xlsx") -> str:
    """An attachment header that keeps a Chinese file name (RFC 6266 filename*), with an ASCII fallback."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that does not look for its size when opened. openpyxl finds the <dimension>
    element with an "end" event parser, so for a sheet without one (files written by openpyxl's write-only
    mode, as generators produce) it parses the whole sheet just to open it: seconds per 100k rows, before
    the real read. The rows are read to their end regardless, so a missing or wrong dimension
    (some tools write "A1") cannot cut the file short either."""

    def _get_size(self) -> None:
        return None


class _Reader(ExcelReader):
    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            ws = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def open_workbook(content: bytes) -> Any:
    """A read-only workbook, or a ValidationError for an empty, non-Excel or damaged file."""
    if not content:
        raise ValidationError(_("上传的文件是空的。"), code="empty_file")
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise ValidationError(_("文件不是Excel（.xlsx）格式，请使用下载的模板填写。"), code="not_excel")
    try:
        reader = _Reader(io.BytesIO(content), read_only=True, data_only=True)
        reader.read()
        return reader.wb
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ValidationError(
            _("文件不是Excel（.xlsx）格式，或已损坏，请使用下载的模板填写。"), code="not_excel"
        )


Rows = Iterator[Sequence[Any]]


def openpyxl_rows(content: bytes) -> Rows:
    """The rows of the first worksheet through openpyxl (read-only, .xlsx only), as value tuples."""
    wb = open_workbook(content)
    try:
        if not wb.worksheets:
            raise ValidationError(_("文件中没有工作表。"), code="empty_file")
        yield from wb.worksheets[0].iter_rows(values_only=True)
    finally:
        wb.close()


def _not_spreadsheet() -> ValidationError:
    return ValidationError(
        _("文件不是Excel（.xlsx、.xls）或ODS（.ods）格式，或已损坏，请使用下载的模板填写。"), code="not_excel"
    )


def _open_sheet(content: bytes) -> Any:
    if not content:
        raise ValidationError(_("上传的文件是空的。"), code="empty_file")
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except python_calamine.PasswordError:
        raise ValidationError(_("文件设置了打开密码，请取消密码后再上传。"), code="encrypted_file")
    except (python_calamine.CalamineError, ValueError, OSError):
        raise _not_spreadsheet()
    visible = [
        m.name
        for m in book.sheets_metadata
        if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        and m.visible == python_calamine.SheetVisibleEnum.Visible
    ]
    if not visible:
        raise ValidationError(_("文件中没有工作表。"), code="empty_file")
    try:
        return book.get_sheet_by_name(visible[0])
    except python_calamine.CalamineError:
        raise _not_spreadsheet()


def _column_letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def _cell_name(row: int, col: int) -> str:
    return f"{_column_letters(col)}{row + 1}"


class MergedHeader(ValidationError):
    """The header row has merged cells: the columns below them cannot be told apart."""


def sheet_rows(content: bytes, *, header_rows: int = 1) -> Rows:
    """The rows of the first visible worksheet of an .xlsx, .xls or .ods file, each a list of cell values
    from column A, row 1 first (a row's index is its Excel row number minus one).

    A merged range in the first `header_rows` rows raises `MergedHeader`, naming the cells; a merged
    range below gives every cell of it the value of its top-left cell (a 户编号 merged over a household's
    rows belongs to each of them)."""
    sheet = _open_sheet(content)
    try:
        merged = list(sheet.merged_cell_ranges or [])
    except (python_calamine.CalamineError, AttributeError):  # formats without merge information
        merged = []
    in_header = [(a, b) for a, b in merged if a[0] < header_rows]
    if in_header:
        raise MergedHeader(
            _("表头有合并单元格（%(cells)s）：请取消合并，让每一列只有一个表头，或使用下载的模板。")
            % {"cells": "、".join(f"{_cell_name(*a)}:{_cell_name(*b)}" for a, b in in_header[:5])},
            code="merged_header",
        )
    fill: dict[int, list[tuple[int, int, int, int]]] = {}
    for (r0, c0), (r1, c1) in merged:
        for r in range(r0 + 1, r1 + 1):
            fill.setdefault(r, []).append((r0, c0, c1, r1))
    tops: dict[tuple[int, int], Any] = {}
    top_rows = {r0 for (r0, _c0), _end in merged}
    pad = [""] * (sheet.start[1] if sheet.start else 0)
    for index, cells in enumerate(sheet.iter_rows()):
        row = pad + cells if pad else cells
        if index in top_rows:
            for (r0, c0), (_r1, c1) in merged:
                if r0 == index:
                    tops[(r0, c0)] = row[c0] if c0 < len(row) else ""
                    if c1 > c0:
                        row = list(row) + [""] * (c1 + 1 - len(row))
                        row[c0 + 1 : c1 + 1] = [tops[(r0, c0)]] * (c1 - c0)
        for r0, c0, c1, _r1 in fill.get(index, ()):
            row = list(row) + [""] * max(0, c1 + 1 - len(row))
            row[c0 : c1 + 1] = [tops.get((r0, c0), "")] * (c1 + 1 - c0)
        yield row


def check_header(
    header: Sequence[Any] | None,
    expected: Sequence[str],
    *,
    matches: Callable[[list[str]], bool] | None = None,
) -> None:
    """Refuse a first row that is not the template's header (exact, unless `matches` is more lenient)."""
    got = [cell_text(v) for v in (header or ())]
    while got and not got[-1]:
        got.pop()
    ok = matches(got) if matches is not None else got[: len(expected)] == list(expected)
    if not ok:
        raise ValidationError(
            _("表头与模板不一致：第1行应为“%(want)s”，实际为“%(got)s”。请使用下载的模板。")
            % {"want": " / ".join(expected), "got": " / ".join(got) or _("（空）")},
            code="bad_headers",
        )


def check_upload(
    content: bytes,
    *,
    max_bytes: int,
    expected: Sequence[str],
    no_rows_message: str,
    matches: Callable[[list[str]], bool] | None = None,
    reader: Callable[[bytes], Rows] = openpyxl_rows,
) -> None:
    """The quick checks made in the request before a job is queued: size, format, header, at least one
    data row. Stops at the first data row (calamine parses the sheet whole, which at 100k rows is about
    a second)."""
    if len(content) > max_bytes:
        raise too_large(len(content), max_bytes)
    rows = reader(content)
    try:
        check_header(next(rows, None), expected, matches=matches)
        for row in rows:
            if any(cell_text(v) for v in row):
                return
        raise ValidationError(no_rows_message, code="empty_file")
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
