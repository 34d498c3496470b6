from __future__ import annotations

import datetime as dt
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import DomainError, InvalidTransition, NotFound, PermissionDenied, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.scopes import acting_for
from guanhuai.jobs import registry
from guanhuai.jobs.models import Job, WorkerHeartbeat
from guanhuai.jobs.permissions import RETRY_JOBS, RUN_JOBS
from guanhuai.jobs.states import TRANSITIONS, JobStatus

logger = logging.getLogger(__name__)


class Progress:
    """Handed to a job handler. Writes progress at most every `interval` seconds (and always at the end),
    in its own short statements so that pollers see it while the handler works.

    Outside a transaction, these writes go through a connection of their own (one helper thread's): the
    handler may be in the middle of a streamed read (`.iterator()`) on its own connection, and on SQLite a
    write there would have to upgrade that read's snapshot, which fails at once with "database is locked" as
    soon as any other connection has committed since the read began (issue 16; the busy timeout does not
    apply). Inside the handler's transaction they stay on its connection: they belong to the work (a
    checkpoint), and that transaction already holds the write lock (BEGIN IMMEDIATE on SQLite, the job's
    row lock after a checkpoint on PostgreSQL), so another connection would only wait for it."""

    def __init__(self, job: Job, *, interval: float = 0.5) -> None:
        self.job = job
        self.interval = interval
        self._last = 0.0
        self._writer: ThreadPoolExecutor | None = None

    def set_total(self, total: int) -> None:
        self.job.progress_total = total
        self._update(progress_total=total)

    def step(self, n: int = 1, *, message: str | None = None, force: bool = False, **counts: int) -> None:
        self.job.progress_done += n
        for key, value in counts.items():
            self.job.counts[key] = self.job.counts.get(key, 0) + value
        if message is not None:
            self.job.message = message
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self._last = now
            self._update(
                progress_done=self.job.progress_done, counts=self.job.counts, message=self.job.message
            )

    def save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Persist how far the handler got. Call inside the same transaction as the work it describes."""
        self.job.checkpoint = checkpoint
        self._update(
            checkpoint=checkpoint,
            progress_done=self.job.progress_done,
            counts=self.job.counts,
            message=self.job.message,
        )

    def attach_result(self, name: str, content: bytes) -> None:
        self.job.result_file.save(name, ContentFile(content), save=False)
        self._update(result_file=self.job.result_file.name)

    def close(self) -> None:
        """Release the helper thread and its connection (job_run calls this when the handler returns)."""
        if self._writer is not None:
            self._writer.submit(connections.close_all).result()
            self._writer.shutdown()
            self._writer = None

    def _update(self, **fields: Any) -> None:
        if transaction.get_connection().in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(**fields)
            return
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"job-{self.job.pk}-progress")
        # Wait for it: the write must be done before the handler's next step (and its errors are the handler's).
        self._writer.submit(Job.objects.filter(pk=self.job.pk).update, **fields).result()


def _transition(job: Job, to: JobStatus) -> None:
    if to not in TRANSITIONS[JobStatus(job.status)]:
        raise InvalidTransition(
            _("任务状态不能从“%(a)s”变为“%(b)s”。") % {"a": job.get_status_display(), "b": to.label}
        )
    job.status = to


def job_submit(
    *,
    actor: Actor,
    kind: str,
    idempotency_key: str,
    params: dict[str, Any] | None = None,
    org_unit: Any = None,
    input_name: str = "",
    input_content: bytes | None = None,
) -> tuple[Job, bool]:
    """Create a job and queue it after commit. The same idempotency key returns the existing job and
    queues nothing: a double click, a retried request or a replayed CLI call runs the work once."""
    if kind not in registry.kinds():
        raise ValidationError(_("未知的任务类型：%(kind)s") % {"kind": kind})
    if not idempotency_key or len(idempotency_key) > 120:
        raise ValidationError(_("幂等键不能为空，且不超过120个字符。"))
    if org_unit is not None:
        scoping.require(actor, RUN_JOBS, org_unit)
    existing = _existing(idempotency_key)
    if existing:
        return existing, False
    job = Job(
        actor=signed_in(actor),
        kind=kind,
        idempotency_key=idempotency_key,
        params=params or {},
        org_unit=org_unit,
    )
    try:
        with transaction.atomic():
            if input_content is not None:
                job.input_file.save(input_name or "input.bin", ContentFile(input_content), save=False)
            job.save()
            log(job, "jobs.job.submitted", actor=actor, org_unit=org_unit, data={"kind": kind})
            transaction.on_commit(lambda: _enqueue(job.pk))
    except IntegrityError:
        # Lost a race with an identical submission.
        return Job.objects.unscoped("an idempotency key is unique across branches").get(
            idempotency_key=idempotency_key
        ), False
    return job, True


def _existing(idempotency_key: str) -> Job | None:
    return (
        Job.objects.unscoped("an idempotency key is unique across branches")
        .filter(idempotency_key=idempotency_key)
        .first()
    )


def _enqueue(job_id: int) -> None:
    from guanhuai.jobs.tasks import run_job

    result = run_job.enqueue(job_id)
    # The newest task is the one that counts (a retry enqueues a fresh one); the in-process backend has
    # already run the job by now, so only touch task_id.
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def job_may_retry(*, actor: Actor, job: Job) -> bool:
    """Its submitter, or the administrator over its branch (jobs.retry_jobs). Auditors read; they do not act."""
    if job.actor_id is not None and job.actor_id == getattr(actor, "pk", None):
        return True
    if job.org_unit is None:
        return scoping.root_paths(actor, RETRY_JOBS) is None
    return scoping.can(actor, RETRY_JOBS, job.org_unit)


def job_retry(*, actor: Actor, job: Job) -> Job:
    """Queue a failed job again; its handler resumes from the checkpoint. Allowed to its submitter and to
    holders of jobs.retry_jobs over its branch. Whoever cannot see the job gets NotFound; one who sees it
    without acting on it (an auditor, through jobs.view_jobs) gets PermissionDenied."""
    from guanhuai.jobs.selectors import job_get

    job = job_get(actor=actor, job_id=job.pk)
    if not job_may_retry(actor=actor, job=job):
        raise PermissionDenied(_("只有任务的提交人或本辖区管理员可以重试该任务。"), code="not_allowed")
    with transaction.atomic():
        job = relock(job)
        _transition(job, JobStatus.QUEUED)
        job.error = ""
        job.finished_at = None
        job.save(update_fields=["status", "error", "finished_at"])
        log(job, "jobs.job.retried", actor=actor, org_unit=job.org_unit)
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def job_run(job_id: int) -> Job:
    """Execute a queued job (called by the task worker). Safe to call twice: a finished job is left alone."""
    with transaction.atomic():
        job = (
            Job.objects.unscoped("the worker runs the job it was handed, by its id")
            .select_for_update()
            .get(pk=job_id)
        )
        if job.is_finished:
            return job
        _transition(job, JobStatus.RUNNING)
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
    progress = Progress(job)
    try:
        try:
            # A job reads as the user who submitted it would on a page: the scope guard (core/scopes.py)
            # is armed for its handler (in tests), so a list it builds without accounts.scoping fails the
            # job, and system work inside it says why (`unscoped("why")`).
            with acting_for(job.actor):
                registry.get(job.kind).handler(job, progress)
        finally:
            progress.close()
    except DomainError as exc:
        return _finish(job, JobStatus.FAILED, error=str(exc))
    except Exception as exc:
        # The traceback goes to the log only: it may quote personal data, and users cannot act on it.
        logger.exception("job %s failed", job.pk)
        return _finish(
            job,
            JobStatus.FAILED,
            error=_("内部错误，请联系管理员（任务 #%(id)s，%(cls)s）。")
            % {"id": job.pk, "cls": exc.__class__.__name__},
        )
    return _finish(job, JobStatus.SUCCEEDED)


def _finish(job: Job, status: JobStatus, *, error: str = "") -> Job:
    with transaction.atomic():
        fresh = relock(job)
        fresh.counts, fresh.progress_done, fresh.message = job.counts, job.progress_done, job.message
        fresh.result_file = job.result_file or fresh.result_file
        _transition(fresh, status)
        if status == JobStatus.SUCCEEDED and fresh.progress_total:
            fresh.progress_done = fresh.progress_total
        fresh.error = error
        fresh.finished_at = timezone.now()
        fresh.save(
            update_fields=[
                "counts",
                "progress_done",
                "message",
                "result_file",
                "status",
                "error",
                "finished_at",
            ]
        )
        action = "jobs.job.finished" if status == JobStatus.SUCCEEDED else "jobs.job.failed"
        data: dict[str, Any] = {"counts": fresh.counts}
        if error:
            data["error"] = error
        log(fresh, action, actor=fresh.actor, org_unit=fresh.org_unit, data=data)
    return fresh


def job_file_open(*, actor: Actor, job: Job, which: str) -> Any:
    """Open a job's input or result file for download, recording the read: result files of bulk work
    often carry personal data. The caller got `job` through selectors.job_get, so access is checked."""
    field = {"input": job.input_file, "result": job.result_file}.get(which)
    if not field:
        raise NotFound(_("该任务没有这个文件。"))
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise NotFound(_("该任务没有这个文件。"))
    log(job, "jobs.job.file_downloaded", actor=actor, org_unit=job.org_unit, data={"file": which})
    return handle


# --- workers -------------------------------------------------------------------------------------------
# `guanhuai worker` touches its heartbeat every HEARTBEAT_SECONDS; a worker not seen for STALE_SECONDS is
# taken for dead. Its claimed tasks are then handed back to the queue, and job_run resumes the job from its
# checkpoint (RUNNING → RUNNING).
HEARTBEAT_SECONDS = 5
STALE_SECONDS = 30


def worker_heartbeat(*, worker_id: str, hostname: str, pid: int, started_at: Any) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": hostname[:255], "pid": pid, "seen_at": now},
        create_defaults={"hostname": hostname[:255], "pid": pid, "seen_at": now, "started_at": started_at},
    )


def worker_stopped(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def live_worker_ids() -> set[str]:
    fresh_after = timezone.now() - dt.timedelta(seconds=STALE_SECONDS)
    return set(WorkerHeartbeat.objects.filter(seen_at__gte=fresh_after).values_list("worker_id", flat=True))


def worker_recover_orphans(*, backend_name: str = "default") -> list[str]:
    """Hand back to the queue the tasks claimed by workers that died (no fresh heartbeat), and queue again
    jobs whose enqueue never happened (the process stopped between commit and enqueue).

    A task is only taken back once its claim is older than STALE_SECONDS, so a worker that has just
    started and not yet beaten is not robbed. Returns the ids of the task results handed back."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    stale_before = timezone.now() - dt.timedelta(seconds=STALE_SECONDS)
    alive = live_worker_ids()
    recovered: list[str] = []
    running = DBTaskResult.objects.running().filter(backend_name=backend_name, started_at__lt=stale_before)
    with exclusive_transaction(running.db):
        for result in running.select_for_update(skip_locked=True):
            if result.worker_ids and result.worker_ids[-1] in alive:
                continue
            result.status = "READY"
            result.save(update_fields=["status"])
            recovered.append(str(result.pk))
            logger.warning(
                "task %s of dead worker %s handed back to the queue", result.pk, result.worker_ids[-1:]
            )
    # Rows of workers killed long ago only clutter /healthz; a restarted worker gets a new id anyway.
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - dt.timedelta(hours=1)).delete()
    never_queued = (
        Job.objects.unscoped("the worker's recovery of every branch's stuck jobs")
        .filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING], task_id="", created_at__lt=stale_before)
        .values_list("pk", flat=True)
    )
    for job_id in never_queued:
        # Claim the job first, so that two workers recovering at once queue it once.
        if Job.objects.filter(pk=job_id, task_id="").update(task_id="recovering"):
            logger.warning("job %s was never queued; queueing it now", job_id)
            _enqueue(job_id)
    return recovered
