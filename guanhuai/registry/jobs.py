"""Background jobs of the registry: staging and validating an import, committing it, exporting a list.
Each handler only calls imports/exports; resuming is theirs (the batch keeps its own checkpoint)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanhuai.jobs.models import Job
from guanhuai.jobs.registry import register
from guanhuai.jobs.services import Progress
from guanhuai.registry import exports, imports
from guanhuai.registry.models import ImportBatch


def _batch(job: Job) -> ImportBatch:
    return (
        ImportBatch.objects.unscoped("the job's own batch, checked when it was submitted")
        .select_related("org_unit", "actor")
        .get(pk=job.params["batch"])
    )


@register(imports.IMPORT_VALIDATE, _("校验户籍人口导入文件"))
def import_validate(job: Job, progress: Progress) -> None:
    batch = _batch(job)
    progress.job.progress_done = 0  # a retry starts its count again; the work itself resumes
    with imports.marking_failure(batch):
        if batch.loaded_at is None:
            with job.input_file.open("rb") as fh:
                content = fh.read()
            imports.load_rows(batch, content, progress=progress)
        # Once staged (encrypted), the uploaded file with its plain ID numbers is not kept.
        imports.discard_upload(job)
        progress.set_total(2 * batch.total_rows)
        progress.job.progress_done = batch.total_rows
        imports.validate_batch(batch, progress=progress)
    job.counts = {"rows": batch.total_rows, "valid": batch.valid_rows, "errors": batch.invalid_rows}


@register(imports.IMPORT_COMMIT, _("导入户籍人口"))
def import_commit(job: Job, progress: Progress) -> None:
    batch = _batch(job)
    progress.job.progress_done = 0
    with imports.marking_failure(batch):
        batch = imports.commit_batch(batch, actor=job.actor, progress=progress)
    job.counts = {
        "created": batch.imported_rows,
        "households": batch.households_created,
        "skipped": batch.invalid_rows,
    }


@register(exports.EXPORT_PERSONS_JOB, _("导出户籍人口"))
def export_persons(job: Job, progress: Progress) -> None:
    """Run again from the start on a retry: an export writes nothing but its file."""
    progress.job.progress_done = 0
    filters = exports.filters_from_params(
        actor=job.actor, params=exports.unsealed_params(job.params.get("filters", {}))
    )
    content = exports.export_persons(actor=job.actor, filters=filters, progress=progress, job=job)
    progress.attach_result(exports.export_file_name(), content)
