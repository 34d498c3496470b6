"""The Excel side of the household import: the template, the quick check of an upload, reading rows, and
the error workbook.

The headers are a file format, not UI text: they stay Chinese whatever the interface language. A header is
accepted with or without its hint in brackets ("户籍类型" or "户籍类型(城镇|农村)"), so a file typed by hand
from a printed list imports as well as the downloaded template.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from guanhuai.core import excel
from guanhuai.core.cells import safe_row
from guanhuai.core.excel import cell_text as text
from guanhuai.core.validators import id_check_char


@dataclass(frozen=True)
class Column:
    field: str  # ImportRow field
    header: str
    hint: str = ""
    width: int = 12
    text: bool = False  # formatted as text in the template, so long digit strings stay exact

    @property
    def title(self) -> str:
        return self.header + self.hint


COLUMNS = [
    Column("household_number", "户编号", "(可选)", 12, text=True),
    Column("village_code", "村(社区)代码", "", 16, text=True),
    Column("address", "住址", "", 24),
    Column("hukou_type", "户籍类型", "(城镇|农村)", 12),
    Column("name", "姓名", "", 10),
    Column("id_number", "身份证号", "", 22, text=True),
    Column("relation", "与户主关系", "(户主|配偶|子女|父母|孙子女|兄弟姐妹|其他亲属)", 14),
    Column("phone", "联系电话", "", 14, text=True),
    Column("hukou_place", "户籍地", "", 20),
    Column("certificate", "持有光荣证", "(是|否)", 10),
    Column("migrant", "流动人口", "(是|否)", 10),
]
FIELDS = [c.field for c in COLUMNS]
HEADERS = [c.title for c in COLUMNS]
ERROR_HEADER = "错误原因"
TEMPLATE_NAME = "户籍人口导入模板.xlsx"
ERROR_NAME = "户籍人口导入错误.xlsx"
EXAMPLE_VILLAGE = "440224100001"


def _example_id(body: str) -> str:
    return body + id_check_char(body)


# One household of three, grouped by its 户编号. The IDs are valid (checksum) but made up.
EXAMPLE_ROWS = [
    ["H001", EXAMPLE_VILLAGE, "幸福路1号", "农村", "王建国", _example_id("44022419600501001"), "户主",
     "13800138000", "广东省韶关市仁化县", "是", "否"],
    ["H001", EXAMPLE_VILLAGE, "", "", "李秀英", _example_id("44022419620702002"), "配偶", "", "", "是", "否"],
    ["H001", EXAMPLE_VILLAGE, "", "", "王小明", _example_id("44022419850301003"), "子女", "", "", "", "是"],
]  # fmt: skip

NOTES = [
    "每行一人。同一户的各行填写相同的“户编号”；不填户编号时，从“户主”那一行起，紧接着的各行属于同一户。",
    "每户必须有且只有一名户主。住址和户籍类型填在户主那一行即可，其他成员留空表示与户主相同。",
    "村(社区)代码为12位统计用代码，必须是您所选导入范围内的村或社区。",
    "身份证号填18位（15位旧号会自动升级为18位）。性别和出生日期由身份证号得出，无需填写。",
    "户籍类型填“城镇”或“农村”；与户主关系填：户主、配偶、子女、父母、孙子女、兄弟姐妹、其他亲属。",
    "持有光荣证、流动人口填“是”或“否”，不填视为“否”。",
    "户主的配偶和子女会自动登记为夫妻和亲子关系。",
    "一户中有任何一行出错，整户都不会导入；可下载错误文件，按“错误原因”改正后重新上传。",
    "请删除示例行后再导入。",
]


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "户籍人口"
    ws.append(HEADERS)
    for row in EXAMPLE_ROWS:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(COLUMNS):
        letter = chr(ord("A") + i)
        ws.column_dimensions[letter].width = max(col.width, len(col.title) * 2)
        if col.text:
            for n in range(2, 1002):
                ws[f"{letter}{n}"].number_format = "@"
    choices = {
        "hukou_type": "城镇,农村",
        "relation": "户主,配偶,子女,父母,孙子女,兄弟姐妹,其他亲属",
        "certificate": "是,否",
        "migrant": "是,否",
    }
    for i, col in enumerate(COLUMNS):
        if col.field in choices:
            letter = chr(ord("A") + i)
            dv = DataValidation(type="list", formula1=f'"{choices[col.field]}"', allow_blank=True)
            dv.add(f"{letter}2:{letter}100000")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    for line in NOTES:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_HINT = re.compile(r"[(（][^()（）]*[)）]$")


def _norm(header: str) -> str:
    return header.replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")


def _header_ok(got: str, col: Column) -> bool:
    got = _norm(got)
    return got in (col.header, _norm(col.title)) or (
        _HINT.search(got) is not None and _HINT.sub("", got) == col.header
    )


def _headers_match(got: list[str]) -> bool:
    return len(got) >= len(COLUMNS) and all(_header_ok(g, c) for g, c in zip(got, COLUMNS, strict=False))


def _check_header(header: Any) -> None:
    excel.check_header(header, [c.header for c in COLUMNS], matches=_headers_match)


def check_upload(content: bytes, *, max_bytes: int) -> None:
    excel.check_upload(
        content,
        max_bytes=max_bytes,
        expected=[c.header for c in COLUMNS],
        matches=_headers_match,
        no_rows_message=_("文件中没有数据行：请在表头下方填写要导入的人员。"),
        reader=excel.sheet_rows,
    )


def iter_rows(
    content: bytes, *, reader: Callable[[bytes], excel.Rows] = excel.sheet_rows
) -> Iterator[tuple[int, dict[str, str]]]:
    """(Excel row number, {field: text}) for every non-blank data row of the first worksheet of an .xlsx,
    .xls or .ods file. `reader` is there for the benchmark, which times openpyxl against calamine."""
    rows = reader(content)
    try:
        _check_header(next(rows, None))
        width = len(COLUMNS)
        for line, row in enumerate(rows, start=2):
            values = [text(v) for v in row[:width]]
            if any(values):
                values += [""] * (width - len(values))
                yield line, dict(zip(FIELDS, values, strict=True))
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def error_workbook(rows: Iterator[tuple[dict[str, str], str]]) -> bytes:
    """The rejected rows as typed plus a 错误原因 column, in the template's layout: fix and upload again.
    Written in write-only mode, so a file with many errors does not need them all in memory."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("导入错误")
    for i, col in enumerate(COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = max(col.width, len(col.title) * 2)
    ws.column_dimensions[chr(ord("A") + len(COLUMNS))].width = 60
    ws.append([*HEADERS, ERROR_HEADER])
    for values, reason in rows:
        ws.append(safe_row([values.get(f, "") for f in FIELDS] + [reason]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
