"""Races on cycles, with real threads each on its own PostgreSQL connection (the helpers of
core/testing.py: a barrier, and the main thread holding the contended row until every
thread queues behind it)."""

from __future__ import annotations

import pytest
from django.conf import settings

from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, InvalidTransition
from guanhuai.core.testing import fresh, lock, outcomes, race
from guanhuai.funds.ledger import InsufficientFunds
from guanhuai.funds.models import Fund
from guanhuai.funds.tests.factories import restore_purposes
from guanhuai.programmes.models import Cycle, CycleApproval
from guanhuai.programmes.services import cycles
from guanhuai.programmes.tests.cycle_fixtures import (
    allocation,
    enrol,
    generate,
    person,
    programme,
)

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrency needs PostgreSQL: SQLite has one writer at a time and no SELECT … FOR UPDATE "
        "(run with DATABASE_URL=postgres://…)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def purposes(db: None) -> None:
    restore_purposes()


def test_two_approvers_at_once_on_the_last_approval_exactly_one_locks_the_cycle(tree, staff):
    # given: a cycle that one approval locks
    prog = programme(tree, staff, approvals_required=1)
    enrol(prog, person(staff.registrar, tree.village_a))
    cycle = generate(staff, prog, "2026-12")
    approvers = [fresh(staff.approver), fresh(staff.manager)]
    # when: both approve at the same moment
    results = race(2, lambda i: cycles.cycle_approve(actor=approvers[i], cycle=cycle), hold=lock(cycle))
    # then: one approval, one lock, and the other is told the cycle is no longer in review
    ok, errors = outcomes(results)
    assert len(ok) == 1 and len(errors) == 1 and isinstance(errors[0], InvalidTransition)
    assert CycleApproval.objects.filter(cycle=cycle).count() == 1
    assert AuditEntry.objects.filter(action="programmes.cycle.locked", object_id=str(cycle.pk)).count() == 1
    assert Cycle.objects.get(pk=cycle.pk).status == "approved"


def test_two_approvals_needed_given_at_once_both_count_and_the_cycle_locks_once(tree, staff):
    prog = programme(tree, staff, approvals_required=2)
    enrol(prog, person(staff.registrar, tree.village_a))
    cycle = generate(staff, prog, "2026-12")
    approvers = [fresh(staff.approver), fresh(staff.manager)]
    results = race(2, lambda i: cycles.cycle_approve(actor=approvers[i], cycle=cycle), hold=lock(cycle))
    ok, errors = outcomes(results)
    assert errors == [] and len(ok) == 2
    assert CycleApproval.objects.filter(cycle=cycle).count() == 2
    assert AuditEntry.objects.filter(action="programmes.cycle.locked", object_id=str(cycle.pk)).count() == 1
    assert Cycle.objects.get(pk=cycle.pk).status == "approved"


def test_two_generations_of_the_same_period_at_once_make_one_cycle(tree, staff):
    prog = programme(tree, staff)
    enrol(prog, person(staff.registrar, tree.village_a))
    actors = [fresh(staff.finance), fresh(staff.finance)]
    results = race(
        2, lambda i: cycles.cycle_generate(actor=actors[i], programme=prog, period="2026-12", inline=True)[0]
    )
    ok, errors = outcomes(results)
    assert len(ok) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and "该项目 2026-12 的发放周期已生成" in str(errors[0])
    assert Cycle.objects.filter(programme=prog).count() == 1
    assert Cycle.objects.get(programme=prog).entitlements.count() == 1


def test_two_cycles_approved_at_once_against_money_for_one_exactly_one_is_refused(tree, staff):
    # given: an allocation of 1,000 shared by two programmes, each cycle owing 590
    alloc = allocation(staff.manager, staff.finance, tree.province, "1000.00")
    progs = [
        programme(tree, staff, amount="590.00", allocation=alloc, funding_source="fund", approvals_required=1)
        for _ in range(2)
    ]
    pending = []
    for prog in progs:
        enrol(prog, person(staff.registrar, tree.village_a))
        pending.append(generate(staff, prog, "2026-12"))
    approvers = [fresh(staff.approver), fresh(staff.manager)]
    fund = Fund.objects.get(pk=alloc.fund_id)
    # when: both are approved at once while the fund is held
    results = race(
        2,
        lambda i: cycles.cycle_approve(actor=approvers[i], cycle=pending[i]),
        hold=lambda: list(Fund.objects.select_for_update().filter(pk=fund.pk)),
    )
    # then: exactly one is approved; the other is refused with the shortfall
    ok, errors = outcomes(results)
    assert len(ok) == 1 and len(errors) == 1
    assert isinstance(errors[0], InsufficientFunds) and "还差 ¥180.00" in str(errors[0])
    assert sorted(Cycle.objects.filter(programme__in=progs).values_list("status", flat=True)) == [
        "approved",
        "review",
    ]


def test_a_cycle_is_approved_and_paid_while_an_edit_of_its_programme_holds_the_programme(tree, staff):
    """A cycle's services lock the cycle row only (core.locks.relock): an edit of the programme in flight
    (its rules, its amounts) does not hold up the approval or the payment batches, and the other way round."""
    from django.db import connection, transaction

    from guanhuai.programmes.services import payments

    prog = programme(tree, staff, approvals_required=1)
    enrol(prog, person(staff.registrar, tree.village_a))
    cycle = generate(staff, prog, "2026-12")
    approver, finance = fresh(staff.approver), fresh(staff.finance)

    def within_two_seconds(call):
        def run(_i):
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")  # waiting on the programme row fails the test
            return call()

        return run

    with transaction.atomic():
        lock(prog)()  # the programme's row, held as programme_update or amount_rule_add hold it
        (approved,) = race(1, within_two_seconds(lambda: cycles.cycle_approve(actor=approver, cycle=cycle)))
        (batches,) = race(1, within_two_seconds(lambda: payments.batches_create(actor=finance, cycle=cycle)))

    assert not isinstance(approved, Exception), approved
    assert not isinstance(batches, Exception), batches
    assert Cycle.objects.get(pk=cycle.pk).status == "approved" and len(batches) == 1
