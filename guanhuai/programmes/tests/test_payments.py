"""Payment batches per bank, reconciliation with the bank's result file, re-issue, the ledger, and a
person's payment history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from guanhuai.funds import ledger
from guanhuai.funds.states import Account
from guanhuai.programmes.models import Entitlement, Payment, PaymentBatch, ResultFile
from guanhuai.programmes.selectors import payments as payment_selectors
from guanhuai.programmes.services import payments
from guanhuai.programmes.tests.cycle_fixtures import (
    allocation,
    approve_all,
    bank_result,
    enrol,
    generate,
    pay_cycle,
    person,
    programme,
)
from guanhuai.registry.services import bank_account_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(tree, staff):
    """A programme paying 590 a month from an allocation of 10,000, three beneficiaries at two banks and
    one without a bank account; December generated and approved."""
    alloc = allocation(staff.manager, staff.finance, tree.province, "10000.00")
    prog = programme(tree, staff, amount="590.00", allocation=alloc, funding_source="fund", code="tefu")
    abc = [person(staff.registrar, tree.village_a, n, bank="中国农业银行") for n in ("甲一", "甲二")]
    ccb = person(staff.registrar, tree.village_b, "乙一", bank="中国建设银行")
    none = person(staff.registrar, tree.village_b, "无账户", bank=None)
    for p in (*abc, ccb, none):
        enrol(prog, p)
    cycle = approve_all(staff, generate(staff, prog, "2026-12"))
    return cycle, alloc, abc, ccb, none


def test_batches_are_made_per_bank_and_a_second_click_creates_nothing(funded, staff):
    cycle, _alloc, abc, ccb, none = funded
    batches = payments.batches_create(actor=staff.finance, cycle=cycle)
    assert [(b.number, b.bank_name, b.count, b.total) for b in batches] == [
        ("tefu-2026-12-01", "中国农业银行", 2, Decimal("1180.00")),
        ("tefu-2026-12-02", "中国建设银行", 1, Decimal("590.00")),
    ]
    assert list(batches[0].payments.values_list("line_no", flat=True)) == [1, 2]
    assert set(Entitlement.objects.filter(cycle=cycle).values_list("person__name", "status")) == {
        ("甲一", "batched"),
        ("甲二", "batched"),
        ("乙一", "batched"),
        ("无账户", "due"),
    }
    # the one without an account is listed for correction, not dropped
    assert [e.person.name for e in payment_selectors.missing_accounts(actor=staff.finance, cycle=cycle)] == [
        "无账户"
    ]
    # when: clicked again
    assert payments.batches_create(actor=staff.finance, cycle=cycle) == []
    assert Payment.objects.count() == 3


def test_the_account_added_later_goes_into_a_new_batch(funded, staff):
    cycle, _alloc, _abc, _ccb, none = funded
    payments.batches_create(actor=staff.finance, cycle=cycle)
    bank_account_set(
        actor=staff.registrar, person=none, bank_name="中国建设银行", account_number="6217000011112222"
    )
    [late] = payments.batches_create(actor=staff.finance, cycle=cycle)
    assert (late.number, late.count) == ("tefu-2026-12-03", 1)


def test_batches_need_an_approved_cycle_and_the_pay_permission(tree, staff):
    prog = programme(tree, staff)
    enrol(prog, person(staff.registrar, tree.village_a))
    cycle = generate(staff, prog, "2026-12")
    with pytest.raises(InvalidTransition):
        payments.batches_create(actor=staff.finance, cycle=cycle)
    approve_all(staff, cycle)
    with pytest.raises((PermissionDenied, NotFound)):
        payments.batches_create(actor=staff.manager, cycle=cycle)
    assert not PaymentBatch.objects.exists()


def test_a_full_reconciliation_pays_posts_to_the_ledger_and_closes(funded, staff):
    cycle, alloc, *_ = funded
    # the three with accounts are paid; the fourth waits for an account, so the cycle stays open
    payments.batches_create(actor=staff.finance, cycle=cycle)
    for batch in PaymentBatch.objects.filter(cycle=cycle):
        payments.batch_export(actor=staff.finance, batch=batch)
        result = payments.batch_import_results(
            actor=staff.finance, batch=batch, file_name="r.csv", content=bank_result(batch)
        )
        assert (result.paid, result.failed, result.problems) == (batch.count, 0, [])
        batch.refresh_from_db()
        assert batch.status == "reconciled"
    assert set(Entitlement.objects.filter(cycle=cycle).values_list("status", flat=True)) == {"paid", "due"}
    # the ledger shows the paid total out of the allocation
    assert ledger.balance(alloc.fund_id, Account.ALLOCATED, allocation=alloc) == Decimal("8230.00")
    assert ledger.balance(alloc.fund_id, Account.DISBURSEMENTS) == Decimal("1770.00")


def test_importing_the_same_result_file_again_changes_nothing(funded, staff):
    cycle, alloc, *_ = funded
    batch = payments.batches_create(actor=staff.finance, cycle=cycle)[0]
    payments.batch_export(actor=staff.finance, batch=batch)
    content = bank_result(batch)
    first = payments.batch_import_results(
        actor=staff.finance, batch=batch, file_name="r.csv", content=content
    )
    again = payments.batch_import_results(
        actor=staff.finance, batch=batch, file_name="r2.csv", content=content
    )
    assert again.pk == first.pk
    assert ResultFile.objects.count() == 1
    assert ledger.balance(alloc.fund_id, Account.DISBURSEMENTS) == Decimal("1180.00")


def test_a_result_file_of_another_batch_is_refused(funded, staff):
    cycle, *_ = funded
    abc, ccb = payments.batches_create(actor=staff.finance, cycle=cycle)
    payments.batch_export(actor=staff.finance, batch=abc)
    with pytest.raises(ValidationError) as exc:
        payments.batch_import_results(
            actor=staff.finance, batch=abc, file_name="r.csv", content=bank_result(ccb)
        )
    assert str(exc.value) == "回盘文件属于批次tefu-2026-12-02，不是本批次tefu-2026-12-01。"
    assert not ResultFile.objects.exists()


def test_header_totals_that_do_not_match_the_rows_are_refused(funded, staff):
    cycle, *_ = funded
    batch = payments.batches_create(actor=staff.finance, cycle=cycle)[0]
    payments.batch_export(actor=staff.finance, batch=batch)
    content = bank_result(batch).decode("utf-8-sig").replace("总金额,1180.00", "总金额,1000.00").encode()
    with pytest.raises(ValidationError) as exc:
        payments.batch_import_results(actor=staff.finance, batch=batch, file_name="r.csv", content=content)
    assert "表头 2 笔、合计 ¥1,000.00，明细 2 笔、合计 ¥1,180.00" in str(exc.value)
    assert Payment.objects.filter(status="pending").count() == 3


def test_a_file_in_a_wrong_format_is_refused(funded, staff):
    cycle, *_ = funded
    batch = payments.batches_create(actor=staff.finance, cycle=cycle)[0]
    payments.batch_export(actor=staff.finance, batch=batch)
    for content in (b"\x89PNG\r\n\x1a\n\x00\x00", "随便写的一行字".encode(), b""):
        with pytest.raises(ValidationError):
            payments.batch_import_results(actor=staff.finance, batch=batch, file_name="x", content=content)
    assert not ResultFile.objects.exists()


def test_unknown_lines_and_mismatches_are_reported_never_guessed(funded, staff):
    cycle, *_ = funded
    batch = payments.batches_create(actor=staff.finance, cycle=cycle)[0]
    payments.batch_export(actor=staff.finance, batch=batch)
    one, two = batch.payments.order_by("line_no")
    from guanhuai.programmes.bankfiles import result_csv

    day = dt.date(2026, 12, 20)
    content = result_csv(
        batch.number,
        [
            (1, one.account_masked[-4:], Decimal("590.00"), True, "", day),
            (2, "0000", Decimal("590.00"), True, "", day),  # wrong account
            (7, "1234", Decimal("590.00"), True, "", day),  # no such line
        ],
    )
    result = payments.batch_import_results(
        actor=staff.finance, batch=batch, file_name="r.csv", content=content
    )
    assert result.paid == 1
    assert [(p["line_no"], p["problem"][:4]) for p in result.problems] == [(2, "账号不符"), (7, "本批次没")]
    two.refresh_from_db()
    assert two.status == "pending"
    batch.refresh_from_db()
    assert batch.status == "exported"  # one payment still pending


def test_a_failed_payment_is_reissued_in_a_follow_up_batch_and_then_paid(funded, staff):
    cycle, alloc, abc, *_ = funded
    first, second = abc
    batch = payments.batches_create(actor=staff.finance, cycle=cycle)[0]
    payments.batch_export(actor=staff.finance, batch=batch)
    payments.batch_import_results(
        actor=staff.finance,
        batch=batch,
        file_name="r.csv",
        content=bank_result(batch, {2: (False, "账户已销户")}),
    )
    failed = Payment.objects.get(batch=batch, line_no=2)
    assert (failed.status, failed.failure_reason) == ("failed", "账户已销户")
    assert Entitlement.objects.get(pk=failed.entitlement_id).status == "failed"
    # when: the account is corrected and the failed ones re-issued
    bank_account_set(
        actor=staff.registrar, person=second, bank_name="中国农业银行", account_number="6228480000009999"
    )
    [follow_up] = payments.batch_reissue_failed(actor=staff.finance, cycle=cycle)
    assert (follow_up.follow_up_of, follow_up.count, follow_up.total) == (batch, 1, Decimal("590.00"))
    assert follow_up.payments.get().account_masked.endswith("9999")
    payments.batch_export(actor=staff.finance, batch=follow_up)
    payments.batch_import_results(
        actor=staff.finance, batch=follow_up, file_name="r2.csv", content=bank_result(follow_up)
    )
    # then: paid once, and the ledger has both paid amounts
    assert Entitlement.objects.get(pk=failed.entitlement_id).status == "paid"
    assert ledger.balance(alloc.fund_id, Account.DISBURSEMENTS) == Decimal("1180.00")
    # and the history shows the failure then the payment
    [row] = payment_selectors.payment_history(actor=staff.finance, person=second)
    assert (row.outcome, row.attempts, row.batch) == ("paid", 2, follow_up.number)


def test_payment_history_shows_paid_and_failed_with_the_reason(funded, staff):
    cycle, _alloc, abc, *_ = funded
    pay_cycle(staff, cycle, {1: (False, "户名不符")})
    failed_person, paid_person = abc
    [failed] = payment_selectors.payment_history(actor=staff.finance, person=failed_person)
    assert (failed.period, failed.amount, failed.outcome, failed.reason) == (
        "2026-12",
        Decimal("590.00"),
        "failed",
        "户名不符",
    )
    [paid] = payment_selectors.payment_history(actor=staff.finance, person=paid_person)
    assert (paid.outcome, str(paid.when)) == ("paid", "2026-12-20")


def test_the_export_is_audited_as_an_unmasking(funded, staff):
    cycle, *_ = funded
    batch = payments.batches_create(actor=staff.finance, cycle=cycle)[0]
    payments.batch_export(actor=staff.finance, batch=batch)
    entry = AuditEntry.objects.get(action="programmes.batch.exported")
    assert entry.data["unmasked_accounts"] == 2
    with pytest.raises((PermissionDenied, NotFound)):
        payments.batch_export(actor=staff.manager, batch=batch)


def test_the_worked_example_of_the_docs(tree, staff):
    """docs/programmes.md, "Worked example: special assistance, December 2026"."""
    from guanhuai.programmes.models import AmountRule
    from guanhuai.programmes.selectors import cycles as cycle_selectors
    from guanhuai.registry.models import Person

    alloc = allocation(staff.manager, staff.finance, tree.province, "100000.00")
    prog = programme(tree, staff, amount="590.00", allocation=alloc, funding_source="fund", code="tefu")
    AmountRule.objects.filter(programme=prog).update(
        condition={"fact": "special_status", "op": "==", "value": "bereaved"}, priority=1
    )
    AmountRule.objects.create(
        programme=prog,
        label="伤残",
        amount=Decimal("460.00"),
        valid_from=dt.date(2022, 7, 1),
        priority=2,
        condition={"fact": "special_status", "op": "==", "value": "disabled_child"},
    )
    living = person(staff.registrar, tree.village_a, "健在父亲")
    died = person(
        staff.registrar, tree.village_a, "去世母亲", "1962-01-01", sex="female", died_on="2026-11-15"
    )
    mother = person(staff.registrar, tree.village_a, "伤残母亲", "1963-01-01", sex="female")
    Person.objects.filter(pk__in=[living.pk, died.pk]).update(special_status="bereaved")
    Person.objects.filter(pk=mother.pk).update(special_status="disabled_child")
    enrol(prog, living)
    enrol(prog, died)
    for period in ("2026-10", "2026-11"):
        approve_all(staff, generate(staff, prog, period))
    enrol(prog, mother, start="2026-10-01")  # approved late
    december = generate(staff, prog, "2026-12")
    rows = sorted(
        (e.person.name, e.period, e.kind, e.amount)
        for e in Entitlement.objects.filter(cycle=december).select_related("person")
    )
    assert rows == [
        ("伤残母亲", "2026-10", "arrears", Decimal("460.00")),
        ("伤残母亲", "2026-11", "arrears", Decimal("460.00")),
        ("伤残母亲", "2026-12", "regular", Decimal("460.00")),
        ("健在父亲", "2026-12", "regular", Decimal("590.00")),
    ]
    summary = cycle_selectors.cycle_summary(actor=staff.finance, cycle=december)
    assert summary.due.total == Decimal("1970.00")
    assert (summary.new.count, summary.exited.count, summary.changed.count) == (1, 1, 0)
    approve_all(staff, december)
    [batch] = payments.batches_create(actor=staff.finance, cycle=december)
    payments.batch_export(actor=staff.finance, batch=batch)
    december_line = batch.payments.get(person=mother, entitlement__period="2026-12").line_no
    payments.batch_import_results(
        actor=staff.finance,
        batch=batch,
        file_name="r.csv",
        content=bank_result(batch, {december_line: (False, "账户已销户")}),
    )
    bank_account_set(
        actor=staff.registrar, person=mother, bank_name="中国农业银行", account_number="6228480000001234"
    )
    [follow_up] = payments.batch_reissue_failed(actor=staff.finance, cycle=december)
    payments.batch_export(actor=staff.finance, batch=follow_up)
    payments.batch_import_results(
        actor=staff.finance,
        batch=follow_up,
        file_name="r2.csv",
        content=bank_result(follow_up, day="2026-12-28"),
    )
    december_paid = ResultFile.objects.filter(batch__cycle=december).exclude(ledger_transaction=None)
    assert december_paid.count() == 2
    assert ledger.balance(alloc.fund_id, Account.DISBURSEMENTS) == Decimal("1970.00")
    history = payment_selectors.payment_history(actor=staff.finance, person=mother)
    dec = next(r for r in history if r.period == "2026-12")
    assert (dec.outcome, dec.attempts, str(dec.when)) == ("paid", 2, "2026-12-28")
    december.refresh_from_db()
    assert december.status == "closed"
