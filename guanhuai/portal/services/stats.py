"""Read counts' daily roll-up as a durable job (`portal.rollup_reads`, `portal/jobs.py`), and the editor's
statistics. Counting itself is `portal.reads` (append-only events, once per visitor per day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.audit.services import log
from guanhuai.core.scopes import unscoped
from guanhuai.jobs.models import Job
from guanhuai.jobs.services import Progress, job_submit
from guanhuai.portal import reads
from guanhuai.portal.models import ReadDaily, ReadEvent
from guanhuai.portal.permissions import VIEW_STATS

ROLLUP = "portal.rollup_reads"


def reads_rollup_submit(*, actor: Actor, through: dt.date | None = None) -> tuple[Job, bool]:
    """Queue the roll-up of every day not rolled up yet, through `through` (default yesterday: today is
    still being counted). Keyed by the day, so a second click or a cron run the same day queues nothing."""
    scoping.require_anywhere(actor, VIEW_STATS)
    through = through or timezone.localdate() - dt.timedelta(days=1)
    return job_submit(
        actor=actor,
        kind=ROLLUP,
        idempotency_key=f"{ROLLUP}:{through.isoformat()}",
        params={"through": through.isoformat()},
    )


def reads_rollup_run(*, job: Job, progress: Progress) -> dict[str, Any]:
    """The job's work: each day from the first not rolled up (or the checkpoint) through `through`, one
    set-based `reads.rollup(day)` each, checkpointed per day so that a failed run resumes where it stopped."""
    through = dt.date.fromisoformat(job.params["through"])
    with unscoped("the roll-up counts the reads of every site"):
        last = ReadDaily.objects.order_by("-day").values_list("day", flat=True).first()
        first_event = ReadEvent.objects.order_by("day").values_list("day", flat=True).first()
    start = job.checkpoint.get("next")
    day = dt.date.fromisoformat(start) if start else (last + dt.timedelta(days=1) if last else first_event)
    if day is None or day > through:
        return {"days": 0, "counters": 0}
    progress.set_total((through - day).days + 1)
    days = counters = 0
    while day <= through:
        with transaction.atomic():
            counters += reads.rollup(day)
            day += dt.timedelta(days=1)
            progress.save_checkpoint({"next": day.isoformat()})
        days += 1
        progress.step()
    log(job, "portal.reads.rolled_up", actor=job.actor, data={"through": through.isoformat(), "days": days})
    return {"days": days, "counters": counters}
