"""`guanhuai funds reconcile|statement|gaps`, run as a shell would run them (exit codes included)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import ManagementUtility
from django.db import connections
from django.utils import timezone

from guanhuai.funds import services
from guanhuai.funds.models import LedgerEntry, ReceiptSequence
from guanhuai.funds.tests.factories import donor, fund, give


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """`run_from_argv` closes every connection when it ends; the test's transaction lives on one."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def run(*argv: str) -> int:
    """Run `guanhuai <argv>` in-process; returns the exit code."""
    try:
        ManagementUtility(["guanhuai", *argv]).execute()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def ledger(tree, money):
    f = fund(money.manager, tree.province)
    d = donor(money.manager, tree.province)
    give(money.finance, f, d, "1000.00", on=dt.date(2025, 3, 1))
    give(money.finance, f, d, "250.50", on=dt.date(2025, 6, 1))
    return f, d


def test_reconcile_passes_on_a_good_ledger(ledger, capsys):
    assert run("funds", "reconcile") == 0
    out = capsys.readouterr().out
    assert "交易：2 笔" in out and "分录：4 条" in out
    assert "对账通过" in out


def test_reconcile_fails_with_exit_1_when_an_entry_is_unbalanced(ledger, capsys):
    f, _d = ledger
    txn = LedgerEntry.objects.filter(fund=f).first().transaction
    # Written behind the ledger's back, as a bad migration or a hand edit in the database would.
    LedgerEntry.objects.create(
        transaction=txn, fund=f, account="cash", amount=Decimal("5.00"), posted_on=txn.posted_on
    )

    assert run("funds", "reconcile") == 1
    captured = capsys.readouterr()
    assert "分录：5 条" in captured.out
    assert f"transaction {txn.pk} fund {f.pk} is off by 5" in captured.out
    assert "对账未通过" in captured.err


def test_statement_prints_the_year_as_a_table(ledger, capsys):
    f, _d = ledger
    assert run("funds", "statement", "--fund", str(f.pk), "--year", "2025") == 0
    out = capsys.readouterr().out
    assert "生育关怀基金收支报表（2025-01-01 至 2025-12-31）" in out
    lines = {line.split()[0]: line.split()[-1] for line in out.splitlines() if len(line.split()) >= 2}
    assert lines["本期资金捐赠收入"] == "1,250.50"
    assert lines["期末余额"] == "1,250.50"
    assert "与账簿核对：一致" in out


def test_statement_as_a_user_is_scoped(ledger, capsys, money):
    f, _d = ledger
    assert run("funds", "statement", "--fund", str(f.pk), "--user", money.town_finance.username) == 1
    assert "未找到" in capsys.readouterr().err
    assert run("funds", "statement", "--fund", "999999") == 1


def test_gaps_lists_voided_numbers_and_fails_on_a_missing_one(ledger, capsys, money, tree):
    f, d = ledger
    year = timezone.localdate().year
    receipt = give(money.finance, f, d, "10").receipts.get()
    services.receipt_void(actor=money.finance, receipt=receipt, reason="金额写错")

    assert run("funds", "gaps", "--unit", "440000", "--year", str(year)) == 0
    out = capsys.readouterr().out
    assert "作废 1 张，缺号 0 个" in out
    assert f"{receipt.number}  作废  金额写错" in out

    # A number taken and never accounted for: exactly what the report exists to catch.
    ReceiptSequence.objects.filter(org_unit=tree.province, year=year).update(last_number=4)
    assert run("funds", "gaps", "--unit", "440000", "--year", str(year)) == 1
    out = capsys.readouterr().out
    assert "作废 1 张，缺号 1 个" in out and "#000004  缺号" in out
