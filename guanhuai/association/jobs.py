"""Handlers of the association app's durable jobs (re-registration campaigns, imports)."""

# --- part 1: members (re-registration campaigns, imports, deaths) --------------------------------------------

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext_lazy

from guanhuai.association.services.campaigns import CAMPAIGN_CLOSE, CAMPAIGN_PREPARE
from guanhuai.association.services.members import MEMBER_DEATH
from guanhuai.association.services.members_import import MEMBERS_IMPORT_COMMIT, MEMBERS_IMPORT_VALIDATE
from guanhuai.core.scopes import unscoped
from guanhuai.jobs.models import Job
from guanhuai.jobs.registry import register
from guanhuai.jobs.services import Progress


def _on_its_own_object(handler: Callable[[Job, Progress], None]) -> Callable[[Job, Progress], None]:
    """A campaign's or an import's job works on the campaign or batch its submitter was allowed to act on
    (checked by the service that submitted it) and over that branch's subtree: system work, which the scope
    guard (armed for jobs, docs/scoping.md) is told about once here."""

    @functools.wraps(handler)
    def run(job: Job, progress: Progress) -> None:
        with unscoped("an association job works on the campaign or batch checked when it was submitted"):
            handler(job, progress)

    return run


@register(CAMPAIGN_PREPARE, gettext_lazy("生成会员再登记名单"))
@_on_its_own_object
def campaign_prepare(job: Job, progress: Progress) -> None:
    """Copies the subtree's active members into the campaign's roll, resumable by member-id range."""
    from guanhuai.association.models import Campaign
    from guanhuai.association.services.campaigns import campaign_prepare as prepare

    prepare(Campaign.objects.select_related("org_unit").get(pk=job.params["campaign_id"]), progress)


@register(CAMPAIGN_CLOSE, gettext_lazy("结束会员再登记（逾期未登记者转为未再登记）"))
@_on_its_own_object
def campaign_close(job: Job, progress: Progress) -> None:
    from guanhuai.association.models import Campaign
    from guanhuai.association.services.campaigns import campaign_lapse

    campaign = Campaign.objects.select_related("org_unit").get(pk=job.params["campaign_id"])
    job.counts = {"lapsed": campaign_lapse(actor=job.actor, campaign=campaign)}


@register(MEMBER_DEATH, gettext_lazy("会员去世后终止会籍"))
def member_death(job: Job, progress: Progress) -> None:
    """Ends the dead person's memberships as the recorder; a death corrected away since ends nothing."""
    from guanhuai.association.services.members import members_end_for_death
    from guanhuai.registry.models import Person

    person = Person.objects.unscoped("the person of the job, checked when it was submitted").get(
        pk=job.params["person_id"]
    )
    if person.died_on is None:
        job.counts = {"members": 0}
        return
    job.counts = {
        "members": members_end_for_death(actor=job.actor, person_id=person.pk, died_on=person.died_on)
    }


def _import_batch(job: Job) -> Any:
    from guanhuai.association.models import MemberImport

    return MemberImport.objects.select_related("org_unit", "actor").get(pk=job.params["batch"])


@contextmanager
def _marking_failure(batch: Any) -> Iterator[None]:
    """A failure shows on the batch too; a retry takes it back to where it was and resumes from there."""
    from guanhuai.association.models import MemberImport
    from guanhuai.association.states import ImportStatus

    if batch.status == ImportStatus.FAILED:
        batch.status = ImportStatus.VALIDATED if batch.validated_at else ImportStatus.STAGED
        MemberImport.objects.filter(pk=batch.pk).update(status=batch.status)
    try:
        yield
    except Exception:
        MemberImport.objects.filter(pk=batch.pk).exclude(status=ImportStatus.COMMITTED).update(
            status=ImportStatus.FAILED
        )
        raise


@register(MEMBERS_IMPORT_VALIDATE, gettext_lazy("读入并校验会员导入文件"))
@_on_its_own_object
def members_import_validate(job: Job, progress: Progress) -> None:
    """Stages the file's rows, deletes the uploaded file (its ID numbers are in plain text; the staged rows
    hold them encrypted), then validates; resumes after the load on a retry."""
    from guanhuai.association.services import members_import as imports

    batch = _import_batch(job)
    progress.job.progress_done = 0
    with _marking_failure(batch):
        if batch.loaded_at is None:
            with job.input_file.open("rb") as fh:
                content = fh.read()
            imports.load_rows(batch, content, progress=progress)
        if job.input_file:
            job.input_file.delete(save=False)
            Job.objects.filter(pk=job.pk).update(input_file="")
        imports.validate_batch(batch, progress=progress)
    job.counts = {
        "rows": batch.total_rows,
        "create": batch.to_create,
        "reinstate": batch.to_reinstate,
        "errors": batch.invalid_rows,
    }


@register(MEMBERS_IMPORT_COMMIT, gettext_lazy("导入会员"))
@_on_its_own_object
def members_import_commit(job: Job, progress: Progress) -> None:
    from guanhuai.association.services import members_import as imports

    batch = _import_batch(job)
    progress.job.progress_done = 0
    with _marking_failure(batch):
        batch = imports.commit_batch(batch, actor=job.actor, progress=progress)
    job.counts = {"imported": batch.imported_rows, "errors": batch.invalid_rows}
