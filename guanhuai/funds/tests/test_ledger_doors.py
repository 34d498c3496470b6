"""The ledger's one door, for one posting or many, and the database that refuses every other way in."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from guanhuai.core.errors import ValidationError
from guanhuai.core.testing import python_sources
from guanhuai.funds import ledger, selectors, services
from guanhuai.funds.ledger import InsufficientFunds, Line, PeriodClosed, Posting
from guanhuai.funds.models import LedgerEntry, LedgerTransaction
from guanhuai.funds.services import disbursement_lines
from guanhuai.funds.states import Account, TxnKind
from guanhuai.funds.tests.factories import allocate, donor, fund, give

DAY = dt.date(2025, 4, 1)


@pytest.fixture
def alloc(tree, money):
    """An allocation of ¥300 out of a fund given ¥500."""
    f = fund(money.manager, tree.province)
    give(money.finance, f, donor(money.manager, tree.province), "500", on=dt.date(2025, 3, 1))
    allocation = allocate(money.manager, f, "300", posted_on=dt.date(2025, 3, 2))
    return allocation


def pay(amount: str, key: str | None = None, *, alloc, on: dt.date = DAY) -> Posting:
    return Posting(TxnKind.DISBURSEMENT, on, "支出", disbursement_lines(alloc, Decimal(amount)), None, key)


def test_post_many_posts_each_transaction_balanced_and_a_replay_posts_nothing(alloc, money):
    postings = [pay("100", "k1", alloc=alloc), pay("50", "k2", alloc=alloc), pay("25", alloc=alloc)]
    txns = ledger.post_many(actor=money.finance, postings=postings)
    assert [t.entries.count() for t in txns] == [2, 2, 2]
    assert ledger.balance(alloc.fund, Account.ALLOCATED, allocation=alloc) == Decimal("125.00")
    again = ledger.post_many(actor=money.finance, postings=postings[:2])
    assert [t.pk for t in again] == [t.pk for t in txns[:2]]
    assert LedgerTransaction.objects.filter(kind=TxnKind.DISBURSEMENT).count() == 3
    assert selectors.reconcile().ok


def test_post_many_refuses_an_overdraw_and_writes_nothing(alloc, money):
    with pytest.raises(InsufficientFunds, match="还差 ¥50.00"):
        ledger.post_many(actor=money.finance, postings=[pay("200", alloc=alloc), pay("150", alloc=alloc)])
    assert not LedgerTransaction.objects.filter(kind=TxnKind.DISBURSEMENT).exists()


def test_post_many_refuses_a_closed_period_for_any_posting(alloc, money):
    services.period_close(actor=money.manager, fund=alloc.fund, period="2025-03")
    with pytest.raises(PeriodClosed, match="2025-03 已结账"):
        ledger.post_many(
            actor=money.finance,
            postings=[pay("10", alloc=alloc), pay("10", alloc=alloc, on=dt.date(2025, 3, 31))],
        )
    assert not LedgerTransaction.objects.filter(kind=TxnKind.DISBURSEMENT).exists()


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (lambda a: [Line(fund=a.fund, account=Account.DISBURSEMENTS, amount=Decimal("5"))], "unbalanced"),
        (lambda a: disbursement_lines(a, Decimal("0.005")), "entry_amount"),
        (lambda a: [], None),
    ],
)
def test_post_many_refuses_a_bad_posting_like_post_does(alloc, money, bad, code):
    postings = [pay("10", alloc=alloc), Posting(TxnKind.DISBURSEMENT, DAY, "坏", bad(alloc))]
    with pytest.raises(ValidationError) as many:
        ledger.post_many(actor=money.finance, postings=postings)
    with pytest.raises(ValidationError) as one:
        ledger.post(
            actor=money.finance, kind=TxnKind.DISBURSEMENT, posted_on=DAY, description="坏", lines=bad(alloc)
        )
    assert many.value.message == one.value.message and many.value.code == one.value.code
    assert not LedgerTransaction.objects.filter(kind=TxnKind.DISBURSEMENT).exists()


def test_post_many_refuses_the_same_key_twice_in_one_batch(alloc, money):
    with pytest.raises(ValidationError, match="重复的幂等键"):
        ledger.post_many(
            actor=money.finance, postings=[pay("1", "k", alloc=alloc), pay("2", "k", alloc=alloc)]
        )


def refused(statement) -> None:
    """The database refuses `statement` (a callable); the test's transaction goes on."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        statement()


def test_the_database_refuses_to_update_or_delete_ledger_rows_via_the_orm(alloc, money):
    txn = LedgerTransaction.objects.filter(kind=TxnKind.ALLOCATION).get()
    entry = txn.entries.order_by("pk").first()
    refused(lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00")))
    refused(lambda: LedgerEntry.objects.filter(pk=entry.pk).delete())
    refused(lambda: txn.save())
    txn.description = "改过"
    refused(lambda: LedgerTransaction.objects.filter(pk=txn.pk).update(description="改过"))
    entry.refresh_from_db()
    assert LedgerEntry.objects.filter(transaction=txn).count() == 2
    assert LedgerTransaction.objects.get(pk=txn.pk).description != "改过"
    assert selectors.balances(alloc.fund).available == Decimal("200.00")


def test_the_database_refuses_to_update_or_delete_ledger_rows_via_raw_sql(alloc, money):
    txn = LedgerTransaction.objects.filter(kind=TxnKind.ALLOCATION).get()

    def execute(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [txn.pk])

    refused(lambda: execute("UPDATE funds_ledgerentry SET amount = 0.01 WHERE transaction_id = %s"))
    refused(lambda: execute("DELETE FROM funds_ledgerentry WHERE transaction_id = %s"))
    refused(lambda: execute("UPDATE funds_ledgertransaction SET description = 'x' WHERE id = %s"))
    refused(lambda: execute("DELETE FROM funds_ledgertransaction WHERE id = %s"))
    assert LedgerEntry.objects.filter(transaction=txn).count() == 2
    assert selectors.reconcile().ok


@pytest.mark.django_db(transaction=True)
def test_a_flush_still_empties_the_ledger(tree, money):
    """Tests' teardown and a fresh database flush every table: TRUNCATE on PostgreSQL (the row triggers do
    not see it), DELETE inside `ledger.maintenance()` on SQLite."""
    f = fund(money.manager, tree.province)
    give(money.finance, f, donor(money.manager, tree.province), "10")
    assert LedgerEntry.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not LedgerEntry.objects.exists() and not LedgerTransaction.objects.exists()


def test_no_module_but_the_ledger_writes_ledger_rows():
    """`ledger.post` and `ledger.post_many` are the only writers. (The funds benchmark fills its scratch
    database with historic rows by COPY, outside the package: benchmarks/funds.py.)"""
    import re
    from pathlib import Path

    import guanhuai

    root = Path(guanhuai.__file__).parent
    writes = re.compile(
        r"(?<!class )Ledger(?:Entry|Transaction)(?:\.objects\.(?:create|bulk_create|get_or_create|update_or_create)\b|\()"
    )
    found = sorted(
        str(path.relative_to(root))
        for path in python_sources(root)
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path != root / "funds" / "ledger.py"
        if writes.search(path.read_text(encoding="utf-8"))
    )
    assert found == []
