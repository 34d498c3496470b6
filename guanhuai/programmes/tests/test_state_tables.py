"""Every stateful record of programmes and funds has a transition table that names each of its statuses, and
the one helper (`core.states`) refuses every move its table does not allow."""

from types import SimpleNamespace

import pytest

from guanhuai.core import states
from guanhuai.core.errors import InvalidTransition
from guanhuai.funds import states as funds_states
from guanhuai.jobs import states as jobs_states
from guanhuai.programmes import states as programmes_states

TABLES = {
    "application": (programmes_states.ApplicationStatus, programmes_states.APPLICATION_TRANSITIONS),
    "enrolment": (programmes_states.EnrolmentStatus, programmes_states.ENROLMENT_TRANSITIONS),
    "grievance": (programmes_states.GrievanceStatus, programmes_states.GRIEVANCE_TRANSITIONS),
    "cycle": (programmes_states.CycleStatus, programmes_states.CYCLE_TRANSITIONS),
    "entitlement": (programmes_states.EntitlementStatus, programmes_states.ENTITLEMENT_TRANSITIONS),
    "batch": (programmes_states.BatchStatus, programmes_states.BATCH_TRANSITIONS),
    "payment": (programmes_states.PaymentStatus, programmes_states.PAYMENT_TRANSITIONS),
    "notice": (programmes_states.NoticeStatus, programmes_states.NOTICE_TRANSITIONS),
    "objection": (programmes_states.ObjectionStatus, programmes_states.OBJECTION_TRANSITIONS),
    "receipt": (funds_states.ReceiptStatus, funds_states.RECEIPT_TRANSITIONS),
    "allocation": (funds_states.AllocationStatus, funds_states.ALLOCATION_TRANSITIONS),
    "job": (jobs_states.JobStatus, jobs_states.TRANSITIONS),
}


@pytest.mark.parametrize("name", TABLES)
def test_each_table_names_every_status_and_only_statuses(name):
    status, table = TABLES[name]
    assert set(table) == set(status.values)
    assert set().union(*table.values()) <= set(status.values)
    assert any(table.values()), "a table that allows no move at all"


@pytest.mark.parametrize("name", TABLES)
def test_each_table_refuses_every_move_it_does_not_list_and_allows_the_ones_it_does(name):
    status, table = TABLES[name]
    for old in status:
        for new in status:
            row = SimpleNamespace(status=old.value)
            if new in table[old]:
                states.transition(row, new.value, table)
                assert row.status == new.value
            else:
                with pytest.raises(InvalidTransition, match=f"“{old.label}”，不能变为“{new.label}”"):
                    states.transition(row, new.value, table)
                assert row.status == old.value


def test_a_set_based_update_is_checked_from_each_old_status():
    table = programmes_states.ENTITLEMENT_TRANSITIONS
    s = programmes_states.EntitlementStatus
    states.check(table, [s.DUE, s.FAILED], s.BATCHED)
    with pytest.raises(InvalidTransition, match="“已发放”，不能变为“发放中”"):
        states.check(table, [s.DUE, s.PAID], s.BATCHED)


def test_a_paid_entitlement_a_reconciled_batch_and_a_voided_receipt_are_final():
    assert programmes_states.ENTITLEMENT_TRANSITIONS[programmes_states.EntitlementStatus.PAID] == set()
    assert programmes_states.BATCH_TRANSITIONS[programmes_states.BatchStatus.RECONCILED] == set()
    assert funds_states.RECEIPT_TRANSITIONS[funds_states.ReceiptStatus.VOIDED] == set()


def test_a_table_that_names_no_such_status_is_refused_and_an_unnamed_status_is_final():
    s = programmes_states.EnrolmentStatus
    with pytest.raises(ValueError, match="EnrolmentStatus: 'suspnded' is not a valid EnrolmentStatus"):
        states.table(s, active="suspnded exited")
    with pytest.raises(ValueError, match="'gone' is not a valid EnrolmentStatus"):
        states.table(s, gone="active")
    table = states.table(s, active="suspended")
    assert table == {s.ACTIVE: {s.SUSPENDED}, s.SUSPENDED: set(), s.EXITED: set()}
    with pytest.raises(InvalidTransition):
        states.check(table, s.SUSPENDED, s.ACTIVE)
