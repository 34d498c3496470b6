from django.db import models
from django.utils.translation import gettext_lazy as _

from guanhuai.core.states import table


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


TRANSITIONS = table(
    JobStatus,
    queued="running failed",
    running="running succeeded failed",  # running → running: a resume after a worker died mid-job
    failed="queued",  # a failed job may be retried; it resumes from its checkpoint
)
FINISHED = {JobStatus.SUCCEEDED, JobStatus.FAILED}
