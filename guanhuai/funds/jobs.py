"""Background jobs of the funds app."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanhuai.funds import imports
from guanhuai.funds.imports import IMPORT_DONATIONS
from guanhuai.jobs.models import Job
from guanhuai.jobs.registry import register
from guanhuai.jobs.services import Progress

__all__ = ["IMPORT_DONATIONS", "import_donations"]


@register(IMPORT_DONATIONS, _("导入捐赠"))
def import_donations(job: Job, progress: Progress) -> None:
    """All or nothing: the file is validated, then every gift is recorded with its receipt in one
    transaction. The checkpoint is saved in that same transaction, so a retry after a crash between commit
    and the job's own finish reports the committed result instead of importing again."""
    if job.org_unit is None:  # pragma: no cover — import_submit always names the branch
        raise ValueError("a donation import needs the branch whose funds it records into")
    if job.checkpoint.get("done"):
        job.counts = {k: job.checkpoint.get(k, 0) for k in ("created", "donors_created")}
        return
    with job.input_file.open("rb") as fh:
        content = fh.read()
    try:
        with transaction.atomic():
            sheet, result = imports.donations_import(
                actor=job.actor,
                org_unit=job.org_unit,
                content=content,
                key_prefix=f"funds.import:{job.pk}",
                on_total=progress.set_total,
                on_progress=lambda n: progress.step(n),
            )
            job.counts = {"created": result.created, "donors_created": result.donors_created}
            progress.save_checkpoint(
                {"done": True, "created": result.created, "donors_created": result.donors_created}
            )
    except imports.DonationImportRejected as exc:
        progress.attach_result(imports.ERROR_NAME, imports.error_workbook(exc.sheet, exc.errors))
        raise
    progress.attach_result(imports.RESULT_NAME, imports.result_workbook(sheet, result.receipts))
