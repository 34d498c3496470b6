"""Handlers of the portal's durable jobs: the daily roll-up of read counts."""

from django.utils.translation import gettext_lazy

from guanhuai.jobs.models import Job
from guanhuai.jobs.registry import register
from guanhuai.jobs.services import Progress
from guanhuai.portal.services.stats import ROLLUP, reads_rollup_run


@register(ROLLUP, gettext_lazy("汇总门户阅读次数"))
def rollup_reads(job: Job, progress: Progress) -> None:
    job.counts = reads_rollup_run(job=job, progress=progress)
