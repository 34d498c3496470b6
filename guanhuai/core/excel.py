"""The parts of an Excel upload every import shares: reading a cell as typed, refusing an oversized,
empty, non-Excel or wrong-template file with the same Chinese messages, and opening a workbook fast.
Each app keeps its own columns, row checks and error workbook."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from guanhuai.core.errors import ValidationError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def check_header(
    header: tuple[Any, ...] | None,
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
) -> None:
    """The quick checks made in the request before a job is queued: size, format, header, at least one
    data row. Reads only the first rows, so it stays fast on a 100k-row file."""
    if len(content) > max_bytes:
        raise too_large(len(content), max_bytes)
    wb = open_workbook(content)
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise ValidationError(_("文件中没有工作表。"), code="empty_file")
        rows = ws.iter_rows(values_only=True)
        check_header(next(rows, None), expected, matches=matches)
        for row in rows:
            if any(cell_text(v) for v in row):
                return
        raise ValidationError(no_rows_message, code="empty_file")
    finally:
        wb.close()
