"""Job kinds of the programmes app; each handler is thin and calls a service."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanhuai.jobs.models import Job
from guanhuai.jobs.registry import register
from guanhuai.jobs.services import Progress
from guanhuai.programmes.services.arrears import AREA
from guanhuai.programmes.services.enrolments import (
    DEATH,
    RECONFIRM,
    reconfirmation_run,
)
from guanhuai.programmes.states import FlagReason

# --- annual re-confirmation (资格确认) ------------------------------------------------------------------------


@register(RECONFIRM, _("年度资格确认"))
def reconfirm(job: Job, progress: Progress) -> None:
    """Flags only, each UPDATE touching rows not flagged yet, all in one transaction with the checkpoint:
    a retry after a crash either finds the committed result or redoes the whole (idempotent) run."""
    from guanhuai.programmes.models import Programme

    if job.checkpoint.get("done"):
        job.counts = {k: v for k, v in job.checkpoint.items() if k != "done"}
        return
    programme = Programme.objects.get(pk=job.params["programme_id"])
    as_of = dt.date.fromisoformat(job.params["as_of"])
    progress.set_total(len(FlagReason.values))
    with transaction.atomic():
        counts = reconfirmation_run(
            actor=job.actor,
            programme=programme,
            as_of=as_of,
            on_step=lambda reason: progress.step(1, message=str(FlagReason(reason).label)),
        )
        job.counts = counts
        progress.save_checkpoint({"done": True, **counts})


# --- a death recorded in the registry -------------------------------------------------------------------------


@register(DEATH, _("死亡后终止享受"))
def death(job: Job, progress: Progress) -> None:
    """Ends the dead person's enrolments as the user who recorded the death. Idempotent (an enrolment
    already ended by the death is left alone), so a retry after a failure simply runs it again. A death
    corrected away since (no death date any more) ends nothing."""
    from guanhuai.programmes.services import enrolments
    from guanhuai.registry.models import Person

    # the person whose death the submitter recorded: in their scope when they recorded it
    person = Person.objects.unscoped("the person of the job, checked when it was submitted").get(
        pk=job.params["person_id"]
    )
    if person.died_on is None:
        job.counts = {"enrolments": 0}
        return
    job.counts = enrolments.enrolments_end_for_death(person=person, died_on=person.died_on, actor=job.actor)


# --- arrears before the first cycle (services/arrears.py) -----------------------------------------------------


@register("programmes.cycle_owed", _("核算首期之前应发未发的月份"))
def cycle_owed(job: Job, progress: Progress) -> None:
    from guanhuai.programmes.models import Cycle
    from guanhuai.programmes.services.arrears import report_job_run

    cycle = Cycle.objects.unscoped(AREA).select_related("programme").get(pk=job.params["cycle_id"])
    job.counts, job.message = report_job_run(cycle, actor=job.actor)


@register("programmes.cycle_arrears", _("补发首期之前的月份"))
def cycle_arrears(job: Job, progress: Progress) -> None:
    from guanhuai.programmes.models import Cycle
    from guanhuai.programmes.services.arrears import arrears_job_run

    cycle = Cycle.objects.unscoped(AREA).select_related("programme").get(pk=job.params["cycle_id"])
    job.counts = arrears_job_run(cycle, actor=job.actor)


# --- payment cycle generation (发放周期) ---------------------------------------------------------------------


@register("programmes.cycle_generate", _("生成发放周期应发名单"))
def cycle_generate(job: Job, progress: Progress) -> None:
    """Entitlements by enrolment-id ranges, each committed with its checkpoint (services.generation)."""
    from guanhuai.programmes.models import Cycle
    from guanhuai.programmes.services.generation import generate_entitlements

    cycle = Cycle.objects.unscoped(AREA).select_related("programme").get(pk=job.params["cycle_id"])
    job.counts = generate_entitlements(cycle, progress)
