"""The sentences of jobs' audit actions (found by `audit.apps`, which imports every app's `audit.py`)."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import register

register(
    {
        "jobs.job.submitted": gettext_lazy("提交任务"),
        "jobs.job.finished": gettext_lazy("任务完成"),
        "jobs.job.failed": gettext_lazy("任务失败"),
        "jobs.job.retried": gettext_lazy("重试任务"),
        "jobs.job.file_downloaded": gettext_lazy("下载任务文件"),
    }
)
