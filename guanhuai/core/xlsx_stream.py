"""One-sheet .xlsx files written row by row in constant memory, for the big exports (the registry export,
the 应享未享 list, the registry import's error workbook).

Two engines do this: xlsxwriter in `constant_memory` mode and openpyxl in write-only mode. `guanhuai bench
xlsx` writes the registry export's 100,000 rows with both; xlsxwriter was faster (see docs/privacy.md for
the figures), so it is the default. Every row goes through `core.cells.safe_row` (formula injection), and
xlsxwriter is also told never to turn a text into a formula, a number or a link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import IO, Any

from guanhuai.core.cells import safe_row

ENGINES = ("xlsxwriter", "openpyxl")
DEFAULT_ENGINE = "xlsxwriter"
DATE_FORMAT = "yyyy-mm-dd"


class XlsxStream:
    """`with XlsxStream(out, "户籍人口", widths=[14, 10]) as sheet: sheet.append([...])`; the file is complete
    in `out` when the block ends."""

    def __init__(
        self,
        out: IO[bytes],
        sheet_name: str,
        *,
        widths: Sequence[float] = (),
        engine: str = DEFAULT_ENGINE,
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}")
        self.engine = engine
        self.rows = 0
        if engine == "xlsxwriter":
            import xlsxwriter

            self._book: Any = xlsxwriter.Workbook(
                out,
                {
                    "constant_memory": True,
                    "strings_to_formulas": False,
                    "strings_to_numbers": False,
                    "strings_to_urls": False,
                    "default_date_format": DATE_FORMAT,
                    "remove_timezone": True,
                },
            )
            self._sheet = self._book.add_worksheet(sheet_name)
            for i, width in enumerate(widths):
                self._sheet.set_column(i, i, width)
        else:
            from openpyxl import Workbook
            from openpyxl.utils import get_column_letter

            self._out = out
            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet(sheet_name)
            for i, width in enumerate(widths, start=1):
                self._sheet.column_dimensions[get_column_letter(i)].width = width

    def append(self, values: Iterable[Any]) -> None:
        row = safe_row(values)
        if self.engine == "xlsxwriter":
            write = self._sheet.write_string
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    write(self.rows, col, value)
                elif isinstance(value, (dt.date, dt.datetime)):
                    self._sheet.write_datetime(self.rows, col, value)
                else:
                    self._sheet.write(self.rows, col, value)
        else:
            self._sheet.append(row)
        self.rows += 1

    def close(self) -> None:
        if self.engine == "xlsxwriter":
            self._book.close()
        else:
            self._book.save(self._out)

    def __enter__(self) -> XlsxStream:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
