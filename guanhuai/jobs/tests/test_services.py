from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import InvalidTransition, NotFound, PermissionDenied
from guanhuai.jobs import services
from guanhuai.jobs.models import Job, WorkerHeartbeat
from guanhuai.jobs.states import JobStatus

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_same_idempotency_key_twice_makes_one_job_and_runs_it_once(tree, people, runs, submit):
    # given: a clerk double-clicks
    first, created_first = submit(
        actor=people.clerk_a, kind="tests.count", idempotency_key="k-1", org_unit=tree.village_a
    )
    second, created_second = submit(
        actor=people.clerk_a, kind="tests.count", idempotency_key="k-1", org_unit=tree.village_a
    )

    # then: one row, one execution, and the second call got the first job back
    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert Job.objects.filter(idempotency_key="k-1").count() == 1
    assert runs == [first.pk]
    first.refresh_from_db()
    assert first.status == JobStatus.SUCCEEDED and first.counts == {"counted": 2}
    assert AuditEntry.objects.filter(action="jobs.job.submitted", object_id=str(first.pk)).count() == 1


def test_a_racing_second_submit_returns_the_first_job(tree, people, runs, submit, monkeypatch):
    first, _ = submit(
        actor=people.clerk_a, kind="tests.count", idempotency_key="race", org_unit=tree.village_a
    )
    # when: the second request checked for the key before the first one committed
    monkeypatch.setattr(services, "_existing", lambda key: None)
    second, created = submit(
        actor=people.clerk_a, kind="tests.count", idempotency_key="race", org_unit=tree.village_a
    )

    # then: the unique constraint catches it; nothing new is written or run
    assert created is False
    assert second.pk == first.pk
    assert Job.objects.count() == 1
    assert runs == [first.pk]
    assert AuditEntry.objects.filter(action="jobs.job.submitted").count() == 1


def test_a_handler_that_fails_marks_the_job_failed_with_its_message_and_audits_it(tree, people, submit):
    job, _ = submit(
        actor=people.reviewer_a, kind="tests.bad_file", idempotency_key="bad", org_unit=tree.town_a
    )

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "第3行身份证号校验位错误，导入已停止。"
    assert job.progress_done == 3 and job.finished_at is not None
    entry = AuditEntry.objects.get(action="jobs.job.failed", object_id=str(job.pk))
    assert entry.org_unit == tree.town_a
    assert entry.data["error"] == job.error


def test_a_programming_error_shows_a_generic_message_without_the_traceback(tree, people, submit):
    job, _ = submit(actor=people.reviewer_a, kind="tests.bug", idempotency_key="bug", org_unit=tree.town_a)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("内部错误，请联系管理员")
    assert "ZeroDivisionError" in job.error
    # the exception text may quote personal data: it stays in the server log
    assert "11010519491231002X" not in job.error and "Traceback" not in job.error


def test_demo_job_resumes_from_its_checkpoint_after_a_crash(tree, people, no_sleep, monkeypatch):
    job, _ = services.job_submit(
        actor=people.clerk_a,
        kind="jobs.sleep",
        idempotency_key="crash",
        params={"steps": 20, "delay": 0.01},
        org_unit=tree.village_a,
    )
    from guanhuai.jobs import jobs

    # given: the worker process dies during step 8 (SystemExit is not caught by job_run)
    def dying_pause(seconds):
        no_sleep.append(seconds)
        if len(no_sleep) == 8:
            raise SystemExit(1)

    monkeypatch.setattr(jobs, "_pause", dying_pause)
    with pytest.raises(SystemExit):
        services.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.checkpoint == {"done": 7}
    assert job.progress_done == 7

    # when: another worker picks the job up
    job = services.job_run(job.pk)

    # then: it continues at step 8 instead of counting from zero
    assert job.status == JobStatus.SUCCEEDED
    assert len(no_sleep) == 8 + 13  # steps 1–8 (the 8th died unfinished), then steps 8–20
    assert job.counts == {"counted": 20}
    assert job.attempts == 2
    assert job.percent == 100


def test_failed_demo_job_retried_by_its_owner_resumes_and_succeeds(
    tree, people, no_sleep, submit, django_capture_on_commit_callbacks
):
    job, _ = submit(
        actor=people.clerk_a,
        kind="jobs.sleep",
        idempotency_key="retry",
        params={"steps": 5, "delay": 0, "fail_at": 4},
        org_unit=tree.village_a,
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "演示任务按要求在第 4 步失败。"
    assert job.checkpoint == {"done": 3}

    with django_capture_on_commit_callbacks(execute=True):
        services.job_retry(actor=people.clerk_a, job=job)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.error == ""
    assert len(no_sleep) == 5  # three before the failure, two after the retry
    assert AuditEntry.objects.filter(
        action="jobs.job.retried", object_id=str(job.pk), actor=people.clerk_a
    ).exists()


def test_retry_is_refused_to_strangers_and_to_jobs_that_did_not_fail(tree, people, submit):
    failed, _ = submit(
        actor=people.reviewer_a, kind="tests.bad_file", idempotency_key="f", org_unit=tree.town_a
    )
    # the other township's reviewer cannot see the job, so cannot retry it
    with pytest.raises(NotFound):
        services.job_retry(actor=people.reviewer_b, job=failed)
    failed.refresh_from_db()
    assert failed.status == JobStatus.FAILED
    assert not AuditEntry.objects.filter(action="jobs.job.retried").exists()

    # an auditor over the province sees the job (jobs.view_jobs) but does not act: 403, nothing queued
    with pytest.raises(PermissionDenied):
        services.job_retry(actor=people.auditor, job=failed)
    failed.refresh_from_db()
    assert failed.status == JobStatus.FAILED
    assert not AuditEntry.objects.filter(action="jobs.job.retried").exists()

    # the province admin over its branch (jobs.retry_jobs) may retry it
    services.job_retry(actor=people.admin, job=failed)
    failed.refresh_from_db()
    assert failed.status == JobStatus.QUEUED

    done, _ = submit(actor=people.clerk_a, kind="tests.count", idempotency_key="ok", org_unit=tree.village_a)
    with pytest.raises(InvalidTransition) as exc:
        services.job_retry(actor=people.clerk_a, job=done)
    assert "已完成" in str(exc.value)


def test_heartbeat_is_upserted_and_removed(db):
    started = timezone.now()
    services.worker_heartbeat(worker_id="w1", hostname="node-1", pid=10, started_at=started)
    services.worker_heartbeat(worker_id="w1", hostname="node-1", pid=10, started_at=started)
    assert WorkerHeartbeat.objects.count() == 1
    assert services.live_worker_ids() == {"w1"}
    services.worker_stopped(worker_id="w1")
    assert not WorkerHeartbeat.objects.exists()


def _claimed_task(job, *, worker_id, minutes_ago):
    """The task row as a worker leaves it when it dies mid-job."""
    from django_tasks_db.models import DBTaskResult

    job.refresh_from_db()
    result = DBTaskResult.objects.get(pk=job.task_id)
    DBTaskResult.objects.filter(pk=result.pk).update(
        status="RUNNING",
        worker_ids=[worker_id],
        started_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )
    return result


# A real transaction: the worker loop closes and reopens database connections between tasks.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_new_worker_takes_over_the_job_of_a_dead_worker(
    tree, people, no_sleep, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from guanhuai.jobs.management.commands.worker import HeartbeatWorker

    with django_capture_on_commit_callbacks(execute=True):
        job, _ = services.job_submit(
            actor=people.clerk_a,
            kind="jobs.sleep",
            idempotency_key="orphan",
            params={"steps": 6, "delay": 0},
            org_unit=tree.village_a,
        )
    # given: worker "dead" claimed the task, got through 4 steps, and vanished a while ago
    task = _claimed_task(job, worker_id="dead", minutes_ago=5)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, checkpoint={"done": 4}, progress_done=4, counts={"counted": 4}
    )
    WorkerHeartbeat.objects.create(
        worker_id="dead",
        hostname="h",
        pid=1,
        started_at=timezone.now() - dt.timedelta(hours=1),
        seen_at=timezone.now() - dt.timedelta(minutes=5),
    )

    # when: a new worker starts (it recovers orphans first, then works through the queue)
    HeartbeatWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="fresh",
        excluded_queue_names=[],
    ).run()

    # then: the job finished from its checkpoint, and the new worker left no heartbeat behind
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.counts == {"counted": 6}
    assert len(no_sleep) == 2
    assert DBTaskResult.objects.get(pk=task.pk).worker_ids == ["dead", "fresh"]
    assert not WorkerHeartbeat.objects.filter(worker_id="fresh").exists()


@override_settings(TASKS=DB_TASKS)
def test_tasks_of_a_live_worker_are_not_taken_away(tree, people, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        job, _ = services.job_submit(
            actor=people.clerk_a, kind="tests.count", idempotency_key="live", org_unit=tree.village_a
        )
    task = _claimed_task(job, worker_id="busy", minutes_ago=5)
    services.worker_heartbeat(worker_id="busy", hostname="h", pid=2, started_at=timezone.now())

    assert services.worker_recover_orphans() == []
    assert DBTaskResult.objects.get(pk=task.pk).status == "RUNNING"


@override_settings(TASKS=DB_TASKS)
def test_a_job_whose_enqueue_was_lost_is_queued_once(tree, people):
    from django_tasks_db.models import DBTaskResult

    # given: committed, but the process stopped before the after-commit enqueue ran
    job, _ = services.job_submit(
        actor=people.clerk_a, kind="tests.count", idempotency_key="lost", org_unit=tree.village_a
    )
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert job.task_id == ""

    services.worker_recover_orphans()
    services.worker_recover_orphans()

    job.refresh_from_db()
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).count() == 1
    assert str(DBTaskResult.objects.get().pk) == job.task_id


def test_long_dead_workers_heartbeats_are_cleared(db):
    old = timezone.now() - dt.timedelta(hours=2)
    WorkerHeartbeat.objects.create(worker_id="gone", hostname="h", pid=1, started_at=old, seen_at=old)
    services.worker_heartbeat(worker_id="here", hostname="h", pid=2, started_at=timezone.now())

    services.worker_recover_orphans()

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["here"]


@pytest.fixture
def restore_signals():
    import signal

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_worker_command_runs_queued_jobs(tree, people, no_sleep, restore_signals):
    from django.core.management import call_command

    job, _ = services.job_submit(
        actor=people.clerk_a,
        kind="jobs.sleep",
        idempotency_key="cmd",
        params={"steps": 3, "delay": 0},
        org_unit=tree.village_a,
    )
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.task_id

    call_command(
        "worker", "--batch", "--no-startup-delay", "--interval", "0", "--worker-id", "cmd-test", verbosity=0
    )

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert not WorkerHeartbeat.objects.exists()


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_worker_command_refuses_a_backend_without_a_queue(db):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a database backend"):
        call_command("worker", "--batch")
