"""Races on the ledger, with real threads each on its own PostgreSQL connection.

Every race is made deterministic in two steps: the threads meet at a `threading.Barrier` just before the
service call, and the main thread holds the contended row (the fund, or the receipt counter) locked until
all of them are queued behind it (seen in `pg_locks`), then lets go. So every run really has all the
callers inside the service at once, whichever wins.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from guanhuai.accounts.services import token_create
from guanhuai.core.testing import fresh, lock, outcomes, race
from guanhuai.funds import selectors, services
from guanhuai.funds.ledger import InsufficientFunds
from guanhuai.funds.models import (
    Allocation,
    Disbursement,
    Donation,
    Fund,
    LedgerTransaction,
    Receipt,
    ReceiptSequence,
)
from guanhuai.funds.tests.factories import allocate, donor, fund, give, restore_purposes

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrency needs PostgreSQL: SQLite has one writer at a time and no SELECT … FOR UPDATE, "
        "so these races cannot happen there (run with DATABASE_URL=postgres://…)",
    ),
    # Each test commits for real (the threads must see the data), and the tables are flushed afterwards.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def purposes(db: None) -> None:
    restore_purposes()


TODAY = dt.date(2025, 6, 2)


# --- (a) the overdraw race ------------------------------------------------------------------------------


def funded_allocation(tree, money, amount: str, name: str) -> tuple[Fund, Allocation]:
    """A fund given `amount` today, all of it allocated under `name`."""
    f = fund(money.manager, tree.province)
    give(money.finance, f, donor(money.manager, tree.province), amount, on=TODAY)
    return f, allocate(money.manager, f, amount, name=name, posted_on=TODAY)


def payer(money, allocation: Allocation, amount: str) -> Callable[[int], Disbursement]:
    """What racing finance officer i does: pay `amount` out of the allocation to payee i."""

    def pay(i: int) -> Disbursement:
        return services.disbursement_record(
            actor=fresh(money.finance),
            allocation=Allocation.objects.get(pk=allocation.pk),
            amount=amount,
            paid_on=TODAY,
            payee=f"收款人{i}",
        )[0]

    return pay


def test_two_disbursements_on_the_last_money_exactly_one_succeeds(tree, money):
    # given: a fund whose allocation holds money for exactly one payment of 3,000
    f, allocation = funded_allocation(tree, money, "3000", name="最后一笔")

    # when: two finance officers pay 3,000 out of it at the same moment
    won, lost = outcomes(race(2, payer(money, allocation, "3000"), hold=lock(f)))

    # then: one is paid, the other refused with a clear message, and the ledger still proves out
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], InsufficientFunds)
    assert "“最后一笔”的分配余额不足：还差 ¥3,000.00" in str(lost[0])
    assert Disbursement.objects.get() == won[0]
    assert LedgerTransaction.objects.count() == 3  # donation, allocation, ONE disbursement
    assert services.allocation_remaining(allocation) == Decimal("0.00")
    assert selectors.reconcile().ok


def test_many_disbursements_racing_never_overdraw_the_allocation(tree, money):
    f, allocation = funded_allocation(tree, money, "1000", name="慰问金")

    won, lost = outcomes(race(5, payer(money, allocation, "300"), hold=lock(f)))

    # 1,000 pays three of 300; the other two are refused, whatever order the lock gives them.
    assert len(won) == 3 and len(lost) == 2
    assert all(isinstance(e, InsufficientFunds) for e in lost)
    assert services.allocation_remaining(allocation) == Decimal("100.00")
    assert selectors.reconcile().ok


# --- (b) receipt numbering under concurrency -------------------------------------------------------------


@pytest.mark.parametrize("counter_exists", [False, True], ids=["first-receipt-of-the-year", "counter-exists"])
def test_concurrent_donations_get_receipt_numbers_1_to_n_without_gaps_or_duplicates(
    tree, money, counter_exists
):
    # given: N funds of one branch (so the fund locks do not serialise the donations: only the receipt
    # counter can), and, in one case, no counter yet for the year (the first receipts race to create it)
    n = 8
    funds = [fund(money.manager, tree.province, name=f"基金{i}") for i in range(n)]
    giver = donor(money.manager, tree.province)
    year = timezone.localdate().year
    if counter_exists:
        ReceiptSequence.objects.create(org_unit=tree.province, year=year, last_number=0)

    # when: N finance officers record a donation each at the same moment
    def record(i: int) -> Donation:
        return give(fresh(money.finance), Fund.objects.get(pk=funds[i].pk), giver, f"{100 + i}", on=TODAY)

    hold = (
        (lambda: list(ReceiptSequence.objects.select_for_update().filter(org_unit=tree.province, year=year)))
        if counter_exists
        else None
    )
    won, lost = outcomes(race(n, record, hold=hold))

    # then: N receipts numbered exactly 1..N, each on its own donation, and nothing to explain in the gaps
    assert lost == [] and len(won) == n
    receipts = Receipt.objects.filter(org_unit=tree.province, year=year)
    assert sorted(receipts.values_list("seq", flat=True)) == list(range(1, n + 1))
    assert len(set(receipts.values_list("number", flat=True))) == n
    assert {r.donation_id for r in receipts} == {d.pk for d in won}
    assert ReceiptSequence.objects.get(org_unit=tree.province, year=year).last_number == n
    assert selectors.receipt_gap_report(org_unit=tree.province, year=year) == []
    assert selectors.reconcile().ok


# --- (c) two allocations racing for the last money --------------------------------------------------------


def test_two_allocations_racing_for_the_last_money_exactly_one_is_made(tree, money):
    f = fund(money.manager, tree.province)
    give(money.finance, f, donor(money.manager, tree.province), "5000", on=TODAY)

    def earmark(i: int) -> Allocation:
        return allocate(
            fresh(money.manager),
            Fund.objects.get(pk=f.pk),
            "5000",
            name=f"青春健康项目{i}",
            purpose_code="youth_health",
            target_ref=f"project:{i}",
            posted_on=TODAY,
        )

    won, lost = outcomes(race(2, earmark, hold=lock(f)))

    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], InsufficientFunds)
    assert "可用资金不足：还差 ¥5,000.00" in str(lost[0])
    # The loser's allocation row went back with its transaction: no budget without money behind it.
    assert list(Allocation.objects.all()) == won
    balances = selectors.balances(f)
    assert balances.available == Decimal("0.00") and balances.allocated == Decimal("5000.00")
    assert selectors.reconcile().ok


# --- a double click -----------------------------------------------------------------------------------------


def test_a_double_clicked_donation_is_recorded_once_and_both_requests_get_it(tree, money):
    f = fund(money.manager, tree.province)
    giver = donor(money.manager, tree.province)

    def record(i: int) -> Donation:
        return give(
            fresh(money.finance), Fund.objects.get(pk=f.pk), giver, "100", on=TODAY, idempotency_key="k1"
        )

    won, lost = outcomes(race(2, record, hold=lock(f)))

    assert lost == [] and won[0].pk == won[1].pk
    assert LedgerTransaction.objects.count() == 1 and Receipt.objects.count() == 1
    assert selectors.balances(f).available == Decimal("100.00")


def test_a_double_clicked_disbursement_pays_once(tree, money):
    f = fund(money.manager, tree.province)
    give(money.finance, f, donor(money.manager, tree.province), "1000", on=TODAY)
    allocation = allocate(money.manager, f, "1000", name="慰问金", posted_on=TODAY)

    def pay(i: int) -> Disbursement:
        return services.disbursement_record(
            actor=fresh(money.finance),
            allocation=Allocation.objects.get(pk=allocation.pk),
            amount="600",
            paid_on=TODAY,
            payee="某户",
            idempotency_key="pay-1",
        )[0]

    won, lost = outcomes(race(2, pay, hold=lock(f)))

    # Without the key the second would be refused for want of money; with it, it is the same payment.
    assert lost == [] and won[0].pk == won[1].pk
    assert Disbursement.objects.count() == 1
    assert services.allocation_remaining(allocation) == Decimal("400.00")
    assert selectors.reconcile().ok


def test_eight_concurrent_api_requests_with_one_key_give_exactly_one_201(tree, money):
    # given: one key, sent by the same officer eight times at once over the API
    f = fund(money.manager, tree.province)
    giver = donor(money.manager, tree.province)
    _token, plain = token_create(actor=money.finance, name="并发")
    body = json.dumps(
        {
            "donor_id": giver.pk,
            "fund_id": f.pk,
            "kind": "cash",
            "channel": "bank_transfer",
            "amount": "100",
            "received_on": TODAY.isoformat(),
        }
    )

    def post(i: int) -> tuple[int, int]:
        response = Client().post(
            "/api/v1/funds/donations",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {plain}", "Idempotency-Key": "eight"},
        )
        return response.status_code, response.json()["id"]

    # when
    won, lost = outcomes(race(8, post, hold=lock(f)))

    # then: one 201, seven 200 with the same donation, one donation, one receipt
    assert lost == []
    assert sorted(status for status, _id in won) == [200] * 7 + [201]
    assert len({donation_id for _status, donation_id in won}) == 1
    assert Donation.objects.count() == 1 and Receipt.objects.count() == 1
    assert selectors.balances(f).available == Decimal("100.00")
