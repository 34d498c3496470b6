"""Job kinds of the jobs app itself: a demonstration job that shows progress, failure, retry and resume
without any other app's data."""

from __future__ import annotations

import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanhuai.core.errors import ValidationError
from guanhuai.jobs.models import Job
from guanhuai.jobs.registry import register
from guanhuai.jobs.services import Progress

SLEEP = "jobs.sleep"
MAX_STEPS = 10_000
_pause = time.sleep  # a seam for tests


@register(SLEEP, gettext_lazy("演示任务"))
def sleep_job(job: Job, progress: Progress) -> None:
    """Counts to `steps`, sleeping `delay` seconds per step and checkpointing after each one, so a rerun
    continues from the last finished step. With `fail_at`, the first attempt fails at that step (to show
    the failure message and the retry button)."""
    steps = min(int(job.params.get("steps", 20)), MAX_STEPS)
    delay = float(job.params.get("delay", 0.5))
    fail_at = int(job.params.get("fail_at") or 0)
    start = int(job.checkpoint.get("done", 0))
    progress.set_total(steps)
    # Progress counters were saved together with the checkpoint; start from them, not from zero.
    progress.job.progress_done = start
    for i in range(start, steps):
        if fail_at and i + 1 == fail_at and job.attempts <= 1:
            raise ValidationError(_("演示任务按要求在第 %(step)d 步失败。") % {"step": fail_at})
        _pause(delay)
        progress.step(
            message=_("已完成第 %(done)d / %(total)d 步") % {"done": i + 1, "total": steps}, counted=1
        )
        progress.save_checkpoint({"done": i + 1})
