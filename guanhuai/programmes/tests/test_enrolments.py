"""Enrolment changes: suspension, resumption, exit and clearing a flag, with their refusals and scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from guanhuai.programmes.models import Enrolment
from guanhuai.programmes.periods import parse_period
from guanhuai.programmes.selectors.enrolments import enrolment_get, enrolment_history
from guanhuai.programmes.services.enrolments import (
    enrolment_exit,
    enrolment_flag_clear,
    enrolment_resume,
    enrolment_suspend,
)
from guanhuai.programmes.states import EnrolmentStatus, EntitlementStatus, ExitReason, FlagReason
from guanhuai.programmes.tests.factories import bereaved_couple, enrol, entitle, special_assistance


@pytest.fixture
def setup(tree, people):
    programme = special_assistance(tree, people)
    head, spouse = bereaved_couple(people, tree.village_a)
    return programme, enrol(programme, head, start="2025-03-01"), enrol(programme, spouse, start="2025-03-01")


def actions(enrolment: Enrolment) -> list[str]:
    return [e.action for e in enrolment_history(enrolment=enrolment)]


# --- suspension and resumption --------------------------------------------------------------------------


def test_suspend_stops_due_months_from_the_month_given_and_resume_pays_again(people, setup):
    # given
    _, enrolment, other = setup
    october = entitle(enrolment, "2026-10")
    november = entitle(enrolment, "2026-11")
    paid = entitle(enrolment, "2026-09", status=EntitlementStatus.PAID)
    spouse_nov = entitle(other, "2026-11")

    # when
    enrolment_suspend(
        actor=people.approver, enrolment=enrolment, reason="外出联系不上，待核实", from_month="2026-11"
    )

    # then
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.SUSPENDED
    assert enrolment.status_note == "外出联系不上，待核实"
    for row in (october, november, paid, spouse_nov):
        row.refresh_from_db()
    assert october.status == EntitlementStatus.DUE
    assert (november.status, november.note) == (EntitlementStatus.EXCLUDED, "暂停期间停发")
    assert paid.status == EntitlementStatus.PAID
    assert spouse_nov.status == EntitlementStatus.DUE  # the spouse is another enrolment

    enrolment_resume(actor=people.approver, enrolment=enrolment, note="已核实在本村居住")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert actions(enrolment) == ["programmes.enrolment.suspended", "programmes.enrolment.resumed"]
    entry = AuditEntry.objects.get(action="programmes.enrolment.suspended", object_id=str(enrolment.pk))
    assert entry.actor == people.approver
    assert entry.data["from_month"] == "2026-11" and entry.data["entitlements_excluded"] == 1


def test_suspension_needs_a_reason_and_a_month_within_the_enrolment(people, setup):
    _, enrolment, _ = setup
    with pytest.raises(ValidationError, match="必须填写原因"):
        enrolment_suspend(actor=people.approver, enrolment=enrolment, reason="  ", from_month="2026-11")
    with pytest.raises(ValidationError, match="早于享受起始月 2025-03"):
        enrolment_suspend(actor=people.approver, enrolment=enrolment, reason="核实", from_month="2024-12")
    with pytest.raises(ValidationError, match="格式不对"):
        enrolment_suspend(actor=people.approver, enrolment=enrolment, reason="核实", from_month="2026-13")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert actions(enrolment) == []


def test_disallowed_transitions_are_refused_with_the_states_named(people, setup):
    _, enrolment, _ = setup
    with pytest.raises(InvalidTransition, match="未被暂停"):
        enrolment_resume(actor=people.approver, enrolment=enrolment, note="")
    enrolment_suspend(actor=people.approver, enrolment=enrolment, reason="核实", from_month="2026-11")
    with pytest.raises(InvalidTransition, match="“暂停”，不能变为“暂停”"):
        enrolment_suspend(actor=people.approver, enrolment=enrolment, reason="核实", from_month="2026-11")
    enrolment_exit(
        actor=people.approver,
        enrolment=enrolment,
        reason=ExitReason.MOVED_OUT,
        exited_on=dt.date(2026, 11, 3),
    )
    with pytest.raises(InvalidTransition, match="已于 2026-11-03 退出"):
        enrolment_exit(
            actor=people.approver, enrolment=enrolment, reason=ExitReason.OTHER, exited_on=dt.date(2026, 11, 3),
            note="重复",
        )  # fmt: skip
    with pytest.raises(InvalidTransition, match="“已退出”，不能变为“享受中”"):
        enrolment_resume(actor=people.approver, enrolment=enrolment, note="")
    with pytest.raises(InvalidTransition, match="“已退出”，不能变为“暂停”"):
        enrolment_suspend(actor=people.approver, enrolment=enrolment, reason="核实", from_month="2026-11")


def test_a_stale_copy_cannot_change_a_row_changed_meanwhile(people, setup):
    """A double click: the second request holds an old copy; the service re-reads the locked row."""
    _, enrolment, _ = setup
    stale = Enrolment.objects.get(pk=enrolment.pk)
    enrolment_exit(
        actor=people.approver, enrolment=enrolment, reason=ExitReason.DIED, exited_on=dt.date(2026, 10, 1)
    )
    with pytest.raises(InvalidTransition):
        enrolment_suspend(actor=people.approver, enrolment=stale, reason="核实", from_month="2026-11")
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.EXITED


# --- exit ---------------------------------------------------------------------------------------------------


def test_exit_ends_with_the_month_of_the_date_and_excludes_later_due_months(people, setup):
    _, enrolment, _ = setup
    october, november = entitle(enrolment, "2026-10"), entitle(enrolment, "2026-11")
    failed = entitle(enrolment, "2026-12", status=EntitlementStatus.FAILED)

    enrolment_exit(
        actor=people.approver,
        enrolment=enrolment,
        reason=ExitReason.MOVED_OUT,
        exited_on=dt.date(2026, 10, 20),
        note="户口迁往湖南",
    )

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.EXITED
    assert (enrolment.exit_reason, enrolment.exited_on) == (ExitReason.MOVED_OUT, dt.date(2026, 10, 20))
    assert enrolment.end_month == parse_period("2026-10", "monthly").first
    assert enrolment.flag == ""  # nothing had gone out for later months
    october.refresh_from_db(), november.refresh_from_db(), failed.refresh_from_db()
    assert october.status == EntitlementStatus.DUE
    assert (november.status, november.note) == (EntitlementStatus.EXCLUDED, "退出后停发")
    assert failed.status == EntitlementStatus.EXCLUDED  # never re-issued
    assert actions(enrolment) == ["programmes.enrolment.exited"]


def test_exit_after_later_months_were_paid_flags_for_recovery(people, setup):
    _, enrolment, _ = setup
    paid = entitle(enrolment, "2026-11", status=EntitlementStatus.PAID)
    enrolment_exit(
        actor=people.approver,
        enrolment=enrolment,
        reason=ExitReason.NEW_CHILD,
        exited_on=dt.date(2026, 9, 30),
    )
    enrolment.refresh_from_db()
    paid.refresh_from_db()
    assert paid.status == EntitlementStatus.PAID  # money decisions are a person's
    assert enrolment.flag == FlagReason.NEW_CHILD and enrolment.flagged_at is not None


def test_exit_needs_a_known_reason_a_note_for_other_and_a_sensible_date(people, setup):
    _, enrolment, _ = setup
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="请选择退出原因"):
        enrolment_exit(actor=people.approver, enrolment=enrolment, reason="", exited_on=today)
    with pytest.raises(ValidationError, match="“其他”时必须填写说明"):
        enrolment_exit(actor=people.approver, enrolment=enrolment, reason=ExitReason.OTHER, exited_on=today)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        enrolment_exit(
            actor=people.approver,
            enrolment=enrolment,
            reason=ExitReason.DIED,
            exited_on=today + dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="早于享受起始月"):
        enrolment_exit(
            actor=people.approver, enrolment=enrolment, reason=ExitReason.DIED, exited_on=dt.date(2024, 1, 5)
        )
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.ACTIVE


# --- flags -----------------------------------------------------------------------------------------------------


def test_clearing_a_flag_keeps_the_enrolment_and_records_why(people, setup):
    _, enrolment, _ = setup
    with pytest.raises(Exception, match="没有待复核的提示"):
        enrolment_flag_clear(actor=people.approver, enrolment=enrolment, note="已核实")
    Enrolment.objects.filter(pk=enrolment.pk).update(
        flag=FlagReason.MOVED_OUT, flagged_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    enrolment.refresh_from_db()
    with pytest.raises(ValidationError, match="必须填写原因"):
        enrolment_flag_clear(actor=people.approver, enrolment=enrolment, note="")
    enrolment_flag_clear(actor=people.approver, enrolment=enrolment, note="只是外出务工，户籍未迁")
    enrolment.refresh_from_db()
    assert (enrolment.flag, enrolment.flagged_at, enrolment.status) == ("", None, EnrolmentStatus.ACTIVE)
    entry = AuditEntry.objects.get(action="programmes.enrolment.flag_cleared", object_id=str(enrolment.pk))
    assert entry.data["note"] == "只是外出务工，户籍未迁" and entry.changes == {"flag": ["moved_out", ""]}


# --- who may ----------------------------------------------------------------------------------------------------


def test_only_the_county_approver_changes_enrolments(people, setup):
    _, enrolment, _ = setup
    # The village clerk and the township reviewer see the enrolment but may not change it: 403.
    for actor in (people.clerk_a, people.reviewer_a):
        with pytest.raises(PermissionDenied):
            enrolment_suspend(actor=actor, enrolment=enrolment, reason="核实", from_month="2026-11")
    # The reviewer of another township cannot even see it: 404, like a missing one.
    with pytest.raises(NotFound):
        enrolment_suspend(actor=people.reviewer_b, enrolment=enrolment, reason="核实", from_month="2026-11")
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.ACTIVE


def test_a_county_approver_of_another_county_gets_404(tree, people, setup):
    _, enrolment, _ = setup
    other = user_with_role("county_approver", tree.other_county, username="approver_sx")
    with pytest.raises(NotFound):
        enrolment_get(actor=other, enrolment_id=enrolment.pk)
    with pytest.raises(NotFound):
        enrolment_exit(
            actor=other, enrolment=enrolment, reason=ExitReason.DIED, exited_on=dt.date(2026, 10, 1)
        )
    assert enrolment_get(actor=people.approver, enrolment_id=enrolment.pk) == enrolment
