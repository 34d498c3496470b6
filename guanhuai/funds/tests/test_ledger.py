"""The ledger: balanced, append-only, never below zero, closed periods stay closed."""

import datetime as dt
from decimal import Decimal

import pytest

from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.funds import selectors, services
from guanhuai.funds.ledger import InsufficientFunds, PeriodClosed
from guanhuai.funds.models import LedgerEntry, LedgerTransaction, Receipt
from guanhuai.funds.tests.factories import allocate, donor, fund, give, purpose


@pytest.fixture
def setup(tree, money):
    f = fund(money.manager, tree.province)
    d = donor(money.manager, tree.province, credit_code="91110000600037341L")
    return f, d


def test_a_donation_posts_balanced_entries_and_shows_in_the_balance(setup, money):
    f, d = setup
    give(money.finance, f, d, "1000.50")
    assert selectors.balances(f).available == Decimal("1000.50")
    assert selectors.reconcile().ok


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "amount_not_positive"),
        ("-5", "amount_not_positive"),
        ("12.345", "amount_precision"),
        ("abc", "amount_format"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(setup, money, amount, code):
    f, d = setup
    with pytest.raises(ValidationError) as err:
        give(money.finance, f, d, amount)
    assert err.value.code == code
    assert LedgerTransaction.objects.count() == 0 and Receipt.objects.count() == 0


def test_invalid_credit_code_is_refused(tree, money):
    with pytest.raises(ValidationError):
        donor(money.manager, tree.province, name="某公司", credit_code="91350203M0001QAY9B")


def test_restricted_fund_refuses_a_purpose_it_does_not_allow(tree, money):
    f = fund(money.manager, tree.province, name="失独帮扶专项", restricted=True, purposes=["bereaved"])
    d = donor(money.manager, tree.province)
    with pytest.raises(ValidationError, match="只能用于失独家庭帮扶"):
        give(money.finance, f, d, "100", purpose=purpose("youth_health"))
    give(money.finance, f, d, "100", purpose=purpose("bereaved"))
    with pytest.raises(ValidationError):
        services.allocation_create(
            actor=money.manager,
            fund=f,
            purpose=purpose("general"),
            target_kind="project",
            target_ref="project:1",
            name="综合",
            amount="50",
        )


def test_disbursement_beyond_the_allocation_is_refused(setup, money):
    f, d = setup
    give(money.finance, f, d, "500")
    alloc = allocate(money.manager, f, "300")
    with pytest.raises(InsufficientFunds):
        services.allocation_create(
            actor=money.manager,
            fund=f,
            purpose=purpose("general"),
            target_kind="project",
            target_ref="project:2",
            name="超额",
            amount="300",
        )
    services.disbursement_record(
        actor=money.finance, allocation=alloc, amount="200", paid_on=dt.date(2025, 4, 1), payee="某学校"
    )
    with pytest.raises(InsufficientFunds, match="还差 ¥100.00"):
        services.disbursement_record(
            actor=money.finance, allocation=alloc, amount="200", paid_on=dt.date(2025, 4, 1), payee="某学校"
        )
    assert selectors.balances(f).available == Decimal("200.00")
    assert selectors.reconcile().ok


def test_reversal_is_a_new_transaction_and_the_original_stays(setup, money):
    f, d = setup
    donation = give(money.finance, f, d, "800")
    services.donation_reverse(actor=money.manager, donation=donation, reason="重复登记")
    assert LedgerTransaction.objects.count() == 2
    assert LedgerEntry.objects.count() == 4
    assert selectors.balances(f).available == 0
    assert donation.receipts.get().status == "voided"
    with pytest.raises(Conflict):
        services.donation_reverse(actor=money.manager, donation=donation, reason="again")
    assert selectors.reconcile().ok


def test_a_spent_donation_cannot_be_reversed(setup, money):
    f, d = setup
    donation = give(money.finance, f, d, "100")
    services.allocation_create(
        actor=money.manager,
        fund=f,
        purpose=purpose("general"),
        target_kind="project",
        target_ref="p",
        name="全部",
        amount="100",
    )
    with pytest.raises(InsufficientFunds):
        services.donation_reverse(actor=money.manager, donation=donation, reason="错")


def test_closed_period_refuses_posting(setup, money):
    f, d = setup
    give(money.finance, f, d, "100", on=dt.date(2025, 3, 10))
    services.period_close(actor=money.manager, fund=f, period="2025-03")
    with pytest.raises(PeriodClosed, match="2025-03 已结账"):
        give(money.finance, f, d, "100", on=dt.date(2025, 3, 20))
    with pytest.raises(PeriodClosed):
        give(money.finance, f, d, "100", on=dt.date(2025, 2, 1))
    give(money.finance, f, d, "100", on=dt.date(2025, 4, 1))


def test_receipts_are_numbered_per_branch_per_year_without_gaps_and_void_twice_is_refused(setup, money):
    f, d = setup
    numbers = [give(money.finance, f, d, "10").receipts.get().number for _ in range(3)]
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000003"]
    receipt = Receipt.objects.get(number=numbers[1])
    services.receipt_void(actor=money.finance, receipt=receipt, reason="填写错误")
    with pytest.raises(Conflict, match="不能再次作废"):
        services.receipt_void(actor=money.finance, receipt=receipt, reason="again")
    reissued = services.receipt_reissue(actor=money.finance, receipt=receipt, reason="重开")
    assert reissued.duplicate_of == receipt and reissued.seq == 4
    report = selectors.receipt_gap_report(org_unit=f.org_unit, year=reissued.year)
    assert [(r["seq"], r["status"]) for r in report] == [(2, "voided")]


def test_transfer_out_of_a_restricted_fund_is_refused(tree, money):
    restricted = fund(money.manager, tree.province, name="失独专项", restricted=True, purposes=["bereaved"])
    general = fund(money.manager, tree.province, name="综合基金")
    d = donor(money.manager, tree.province)
    give(money.finance, restricted, d, "100", purpose=purpose("bereaved"))
    with pytest.raises(ValidationError):
        services.transfer_record(
            actor=money.manager,
            from_fund=restricted,
            to_fund=general,
            amount="50",
            posted_on=dt.date(2025, 3, 2),
        )
    give(money.finance, general, d, "100")
    services.transfer_record(
        actor=money.manager, from_fund=general, to_fund=restricted, amount="60", posted_on=dt.date(2025, 3, 2)
    )
    assert selectors.balances(restricted).available == Decimal("160.00")
    assert selectors.reconcile().ok


def test_statement_is_reconciled_to_the_ledger(setup, money):
    f, d = setup
    give(money.finance, f, d, "1000", on=dt.date(2024, 12, 1))
    give(money.finance, f, d, "500", on=dt.date(2025, 2, 1))
    services.donation_record(
        actor=money.finance,
        donor=d,
        fund=f,
        kind="in_kind",
        amount="300",
        items="大米",
        quantity="30袋",
        valuation_basis="市场价",
        received_on=dt.date(2025, 2, 2),
    )
    alloc = allocate(money.manager, f, "400", name="帮扶", target_ref="p", posted_on=dt.date(2025, 2, 3))
    services.disbursement_record(
        actor=money.finance, allocation=alloc, amount="250", paid_on=dt.date(2025, 2, 4), payee="某户"
    )
    st = selectors.fund_statement(f, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert st.opening == Decimal("1000.00")
    assert st.cash_donations == Decimal("500.00") and st.in_kind_donations == Decimal("300.00")
    assert st.disbursements_by_purpose == {"综合帮扶": Decimal("250.00")}
    assert st.closing == Decimal("1250.00") and st.closing_in_kind == Decimal("300.00")
    assert st.reconciled


def test_a_township_finance_officer_cannot_record_into_a_provincial_fund(setup, money):
    from guanhuai.core.errors import NotFound

    f, d = setup
    with pytest.raises(NotFound):
        give(money.town_finance, f, d, "10")


def test_replayed_idempotency_key_posts_once(setup, money):
    f, d = setup
    a = give(money.finance, f, d, "10", idempotency_key="form-123")
    b = give(money.finance, f, d, "10", idempotency_key="form-123")
    assert a.pk == b.pk and LedgerTransaction.objects.count() == 1


def test_an_allocation_can_be_paid_out_to_the_last_cent(setup, money):
    # SQLite adds decimals as floats: 40.03 + 40.03 + 40.04 must leave exactly 0.00, not -2.8e-14.
    f, d = setup
    give(money.finance, f, d, "120.10")
    alloc = allocate(money.manager, f, "120.10", name="分三次", target_ref="p")
    for amount in ("40.03", "40.03", "40.04"):
        services.disbursement_record(
            actor=money.finance, allocation=alloc, amount=amount, paid_on=dt.date(2025, 1, 2), payee="某户"
        )
    assert services.allocation_remaining(alloc) == Decimal("0.00")
    assert selectors.balances(f).allocated == Decimal("0.00")
    assert selectors.reconcile().ok
    assert selectors.fund_statement(f, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)).reconciled


def test_a_beneficiary_outside_the_allocations_area_is_refused(tree, money, people):
    # given a 韶关 fund's allocation, and a family in 梅州, another city of the province
    from guanhuai.accounts.tests.factories import user_with_role
    from guanhuai.funds.models import Disbursement
    from guanhuai.orgs.tests.factories import OrgUnitFactory
    from guanhuai.registry.tests.factories import family

    meizhou = OrgUnitFactory(code="441400", name="梅州市", level="city", parent=tree.province)
    village = OrgUnitFactory(
        code="441402100001", name="梅村", level="village", kind="village", parent=meizhou
    )
    registrar = user_with_role("village_clerk", village, username="mei_clerk")
    outsider = family(registrar, village).members.order_by("pk").first()
    insider = family(people.clerk_a, tree.village_a).members.order_by("pk").first()
    f = fund(money.manager, tree.city, name="韶关关怀基金")
    give(money.finance, f, donor(money.manager, tree.city), "1000", on=dt.date(2025, 3, 1))
    alloc = allocate(money.manager, f, "500", name="韶关帮扶", posted_on=dt.date(2025, 3, 2))

    # when the province fund manager pays the 梅州 person from it
    with pytest.raises(ValidationError) as refused:
        services.disbursement_record(
            actor=money.manager, allocation=alloc, amount="100", paid_on=dt.date(2025, 4, 1), person=outsider
        )

    # then it is refused, and nothing is paid; a 韶关 family is paid
    assert refused.value.code == "beneficiary_outside_area"
    assert not Disbursement.objects.filter(person=outsider).exists()
    services.disbursement_record(
        actor=money.manager, allocation=alloc, amount="100", paid_on=dt.date(2025, 4, 1), person=insider
    )
    assert selectors.reconcile().ok
