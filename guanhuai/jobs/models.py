from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.jobs.states import FINISHED, JobStatus


class Job(models.Model):
    """A durable record of long work. The django-tasks result is only the transport; this row is the truth
    shown to users: progress, counts, checkpoint for resuming, result or error file."""

    kind = models.CharField(_("任务类型"), max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("提交人")
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("组织")
    )
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    idempotency_key = models.CharField(max_length=120, unique=True)
    params = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    checkpoint = models.JSONField(default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    error = models.TextField(_("错误"), blank=True)
    input_file = models.FileField(upload_to="jobs/in/%Y/%m/", blank=True)
    result_file = models.FileField(upload_to="jobs/out/%Y/%m/", blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="job_actor_recent")]

    def __str__(self) -> str:
        from guanhuai.jobs.registry import label

        return f"{label(self.kind)} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class WorkerHeartbeat(models.Model):
    """Each `guanhuai worker` process touches its row every few seconds; /healthz reads them."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
