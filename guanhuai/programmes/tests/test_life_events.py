"""A death recorded in the registry stops the person's programmes from the month after, and nobody else's."""

from __future__ import annotations

import datetime as dt

from guanhuai.audit.models import AuditEntry
from guanhuai.jobs.models import Job
from guanhuai.jobs.states import JobStatus
from guanhuai.programmes.models import Enrolment
from guanhuai.programmes.periods import month_index
from guanhuai.programmes.services import enrolments as enrolments_svc
from guanhuai.programmes.services.enrolments import death_job_submit
from guanhuai.programmes.states import EnrolmentStatus, EntitlementStatus, ExitReason, FlagReason
from guanhuai.programmes.tests.factories import (
    ProgrammeFactory,
    bereaved_couple,
    enrol,
    entitle,
    special_assistance,
)
from guanhuai.registry.services import death_record


def test_death_in_the_registry_ends_enrolments_from_the_month_after(
    tree, people, django_capture_on_commit_callbacks
):
    # given: a bereaved couple in two programmes, with entitlements before, in and after the death month
    programme = special_assistance(tree, people)
    top_up = ProgrammeFactory(org_unit=tree.county, created_by=people.admin, code="renhua_topup")
    head, spouse = bereaved_couple(people, tree.village_a)
    mine, local = enrol(programme, head, start="2025-03-01"), enrol(top_up, head, start="2025-06-01")
    theirs = enrol(programme, spouse, start="2025-03-01")
    september = entitle(mine, "2026-09", status=EntitlementStatus.PAID)
    october = entitle(mine, "2026-10")  # the death month is still paid
    november = entitle(mine, "2026-11")
    local_nov = entitle(local, "2026-11")
    spouse_nov = entitle(theirs, "2026-11")

    # when: the clerk records the death on 15 October
    with django_capture_on_commit_callbacks(execute=True):
        death_record(actor=people.clerk_a, person=head, occurred_on=dt.date(2026, 10, 15), note="病故")

    # then: both of his enrolments end with October, with reason died, and are not flagged
    for enrolment in (mine, local):
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.EXITED
        assert enrolment.exit_reason == ExitReason.DIED
        assert enrolment.exited_on == dt.date(2026, 10, 15)
        assert enrolment.end_month == month_index(dt.date(2026, 10, 1))
        assert enrolment.flag == ""
    for row in (september, october, november, local_nov, spouse_nov):
        row.refresh_from_db()
    assert september.status == EntitlementStatus.PAID
    assert october.status == EntitlementStatus.DUE
    assert (november.status, november.note) == (EntitlementStatus.EXCLUDED, "死亡后停发")
    assert (local_nov.status, local_nov.note) == (EntitlementStatus.EXCLUDED, "死亡后停发")
    # and his wife's enrolment and entitlement are untouched
    theirs.refresh_from_db()
    assert theirs.status == EnrolmentStatus.ACTIVE and theirs.end_month is None
    assert spouse_nov.status == EntitlementStatus.DUE
    # the change is audited as the clerk who recorded the death
    entry = AuditEntry.objects.get(action="programmes.enrolment.ended_by_death", object_id=str(mine.pk))
    assert entry.actor == people.clerk_a
    assert entry.data["entitlements_excluded"] == 1


def test_months_already_paid_after_the_death_are_flagged_for_a_person_to_decide(
    tree, people, django_capture_on_commit_callbacks
):
    programme = special_assistance(tree, people)
    head, _ = bereaved_couple(people, tree.village_a)
    enrolment = enrol(programme, head, start="2025-03-01")
    paid = entitle(enrolment, "2026-11", status=EntitlementStatus.PAID)
    batched = entitle(enrolment, "2026-10", status=EntitlementStatus.BATCHED)

    with django_capture_on_commit_callbacks(execute=True):
        death_record(actor=people.clerk_a, person=head, occurred_on=dt.date(2026, 9, 2))

    enrolment.refresh_from_db()
    paid.refresh_from_db()
    batched.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.EXITED
    assert enrolment.flag == FlagReason.DIED and enrolment.flagged_at is not None
    # nothing is reversed automatically
    assert (paid.status, batched.status) == (EntitlementStatus.PAID, EntitlementStatus.BATCHED)


def test_a_suspended_enrolment_also_ends_and_an_earlier_exit_is_left_alone(
    tree, people, django_capture_on_commit_callbacks
):
    programme = special_assistance(tree, people)
    other = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, code="old")
    head, _ = bereaved_couple(people, tree.village_a)
    suspended = enrol(programme, head, start="2025-03-01", status=EnrolmentStatus.SUSPENDED)
    ended = enrol(
        other, head, start="2024-01-01", end="2025-01-31", status=EnrolmentStatus.EXITED,
        exit_reason=ExitReason.OTHER, exited_on=dt.date(2025, 1, 31),
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        death_record(actor=people.clerk_a, person=head, occurred_on=dt.date(2026, 10, 15))

    suspended.refresh_from_db()
    assert (suspended.status, suspended.exit_reason) == (EnrolmentStatus.EXITED, ExitReason.DIED)
    before = Enrolment.objects.get(pk=ended.pk)
    assert (before.exit_reason, before.end_month) == (ExitReason.OTHER, month_index(dt.date(2025, 1, 1)))
    assert not AuditEntry.objects.filter(object_type="programmes.enrolment", object_id=str(ended.pk)).exists()


def test_the_death_ends_enrolments_through_a_durable_job_carrying_the_recorder(
    tree, people, django_capture_on_commit_callbacks
):
    programme = special_assistance(tree, people)
    head, _ = bereaved_couple(people, tree.village_a)
    enrolment = enrol(programme, head, start="2025-03-01")

    with django_capture_on_commit_callbacks(execute=True):
        death_record(actor=people.clerk_a, person=head, occurred_on=dt.date(2026, 10, 15))

    job = Job.objects.get(kind="programmes.death")
    assert (job.status, job.actor, job.org_unit) == (JobStatus.SUCCEEDED, people.clerk_a, tree.village_a)
    assert job.counts["enrolments"] == 1
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.EXITED
    # the same death queued again (a replay) is the same job, and nothing runs twice
    head.refresh_from_db()
    assert death_job_submit(actor=people.clerk_a, person=head, died_on=dt.date(2026, 10, 15)) == job
    assert Job.objects.filter(kind="programmes.death").count() == 1


def test_a_person_without_enrolments_queues_no_job(tree, people, django_capture_on_commit_callbacks):
    head, _ = bereaved_couple(people, tree.village_a)
    with django_capture_on_commit_callbacks(execute=True):
        death_record(actor=people.clerk_a, person=head, occurred_on=dt.date(2026, 10, 15))
    assert not Job.objects.filter(kind="programmes.death").exists()


def test_a_failure_after_the_death_shows_on_the_job_page_and_a_retry_ends_the_enrolment(
    tree, people, client, monkeypatch, django_capture_on_commit_callbacks
):
    # given an enrolled father, and a programmes step that fails once (a bug, a lock timeout…)
    programme = special_assistance(tree, people)
    head, _ = bereaved_couple(people, tree.village_a)
    enrolment = enrol(programme, head, start="2025-03-01")
    real = enrolments_svc.enrolments_end_for_death

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(enrolments_svc, "enrolments_end_for_death", broken)
    client.force_login(people.clerk_a)

    # when the clerk records the death on the page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/registry/persons/{head.pk}/events/death/",
            {"occurred_on": "2026-10-15", "note": "病故", "confirm": "on"},
        )

    # then the clerk gets the normal answer, not a server error, and the death is saved
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.died_on == dt.date(2026, 10, 15)
    # the job failed, and the clerk sees it so on the job page, with the retry button
    job = Job.objects.get(kind="programmes.death")
    assert job.status == JobStatus.FAILED
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "死亡后终止享受" in page and "失败" in page and f"/jobs/{job.pk}/retry/" in page
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE

    # when the fault is gone and the clerk retries
    monkeypatch.setattr(enrolments_svc, "enrolments_end_for_death", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/jobs/{job.pk}/retry/").status_code == 302

    # then the enrolment ends with the death month, audited as the clerk
    job.refresh_from_db()
    enrolment.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (enrolment.status, enrolment.exit_reason) == (EnrolmentStatus.EXITED, ExitReason.DIED)
    entry = AuditEntry.objects.get(action="programmes.enrolment.ended_by_death", object_id=str(enrolment.pk))
    assert entry.actor == people.clerk_a
