"""Background jobs of the branch tree."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanhuai.jobs.models import Job
from guanhuai.jobs.registry import register
from guanhuai.jobs.services import Progress
from guanhuai.orgs import bulk, excel

IMPORT_TREE = "orgs.import_tree"


@register(IMPORT_TREE, _("导入组织架构"))
def import_tree(job: Job, progress: Progress) -> None:
    """All or nothing: the whole file is validated, then written in one transaction. The checkpoint is
    saved in that same transaction, so a retry after a crash between commit and the job's own finish
    reports the committed result instead of re-importing (and tripping over its own codes)."""
    if job.checkpoint.get("done"):
        job.counts = {"created": job.checkpoint.get("created", 0)}
        return
    with job.input_file.open("rb") as fh:
        content = fh.read()
    sheet = excel.read_sheet(content)
    rows = sheet.to_rows()
    progress.set_total(len(rows))
    try:
        with transaction.atomic():
            result = bulk.tree_bulk_create(
                rows, actor=job.actor, root=job.org_unit, on_progress=lambda n: progress.step(n)
            )
            job.counts = {"created": result.created}
            progress.save_checkpoint({"done": True, "created": result.created})
    except bulk.TreeImportError as exc:
        progress.attach_result(excel.ERROR_NAME, excel.error_workbook(sheet, exc.errors))
        raise
