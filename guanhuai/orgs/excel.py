"""The Excel side of the branch-tree import: the template, a quick check of an upload, reading rows, and
the error workbook.

The headers are a file format, not UI text: they stay Chinese whatever the interface language, so a
template downloaded by an English-speaking operator still imports for a Chinese one (and vice versa).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from guanhuai.core import excel
from guanhuai.core.cells import safe_cell
from guanhuai.core.errors import ValidationError
from guanhuai.core.excel import cell_text
from guanhuai.orgs.bulk import Row, RowError

HEADERS = ["区划代码", "名称", "上级区划代码", "级别", "类型"]
ERROR_HEADER = "错误原因"
EXAMPLE_ROWS = [
    ["440224102000", "丙镇", "440224", "乡镇(街道)", "镇"],
    ["440224102001", "丙村", "440224102000", "村(社区)", "村"],
]
TEMPLATE_NAME = "组织架构导入模板.xlsx"
ERROR_NAME = "组织架构导入错误.xlsx"


@dataclass
class Sheet:
    """The data rows of an upload: (Excel row number, the five cells as text)."""

    rows: list[tuple[int, list[str]]]

    def to_rows(self) -> list[Row]:
        return [
            Row(line=line, code=v[0], name=v[1], parent_code=v[2], level=v[3], kind=v[4])
            for line, v in self.rows
        ]


def safe_name(name: str) -> str:
    """A storage name for the upload: its base name, always ending in .xlsx."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1][:80] or "import"
    return base if base.lower().endswith(".xlsx") else base + ".xlsx"


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "组织架构"
    ws.append(HEADERS)
    for row in EXAMPLE_ROWS:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDE", (16, 20, 16, 12, 8), strict=True):
        ws.column_dimensions[col].width = width
        # Text format, so that a 12-digit code is not shown as 4.40224E+11.
        for n in range(2, 502):
            ws[f"{col}{n}"].number_format = "@"
    notes = wb.create_sheet("填写说明")
    for line in (
        ["每行一个组织。上级必须已在系统中，或出现在本文件的前面各行。"],
        ["级别可填：省、市、县(区)、乡镇(街道)、村(社区)。"],
        ["类型：乡镇级填 镇、乡 或 街道；村级填 村 或 社区；其他级别留空。"],
        ["区划代码：省、市、县为6位，乡镇和村为12位统计用代码。"],
        ["请删除示例行后再导入。整份文件有任何一行出错，都不会写入数据。"],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def check_upload(content: bytes, *, max_bytes: int) -> None:
    excel.check_upload(
        content,
        max_bytes=max_bytes,
        expected=HEADERS,
        no_rows_message=_("文件中没有数据行：请在表头下方填写要导入的组织。"),
    )


def read_sheet(content: bytes) -> Sheet:
    """All data rows of the first worksheet. Blank rows are skipped; row numbers are Excel's."""
    wb = excel.open_workbook(content)
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        excel.check_header(next(it, None), HEADERS)
        rows: list[tuple[int, list[str]]] = []
        for line, row in enumerate(it, start=2):
            values = [cell_text(v) for v in row[: len(HEADERS)]]
            values += [""] * (len(HEADERS) - len(values))
            if any(values):
                rows.append((line, values))
    finally:
        wb.close()
    if not rows:
        raise ValidationError(_("文件中没有数据行：请在表头下方填写要导入的组织。"), code="empty_file")
    return Sheet(rows=rows)


def error_workbook(sheet: Sheet, errors: list[RowError]) -> bytes:
    """The uploaded rows as they were typed, plus a 错误原因 column; rows with errors are highlighted."""
    reasons: dict[int, list[str]] = {}
    for e in errors:
        reasons.setdefault(e.line, []).append(e.message)
    wb = Workbook()
    ws = wb.active
    ws.title = "导入错误"
    ws.append([*HEADERS, ERROR_HEADER])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    # Each row goes back to its original row number, so "第N行" in a message matches both files.
    for line, values in sheet.rows:
        reason = "；".join(reasons.get(line, []))
        for i, value in enumerate([*values, reason], start=1):
            cell = ws.cell(row=line, column=i, value=safe_cell(value))
            if reason:
                cell.fill = fill
    for col, width in zip("ABCDEF", (16, 20, 16, 12, 8, 60), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
