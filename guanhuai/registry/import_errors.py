"""The import's error workbook: the rejected rows as typed (full ID numbers included) with their reasons,
for the uploader to fix and upload again. Kept apart from the staging and commit code in `imports`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.audit.services import log
from guanhuai.core.errors import NotFound
from guanhuai.registry import io_excel
from guanhuai.registry.imports.reads import as_typed
from guanhuai.registry.models import ImportBatch, ImportRow
from guanhuai.registry.permissions import IMPORT_PERSONS, VIEW_PERSONS

# The error workbook holds the rejected rows as typed, full ID numbers included: it is for fixing and
# uploading again soon, not an archive.
ERROR_FILE_LIFETIME = dt.timedelta(days=7)


def error_workbook_available(*, actor: Actor, batch: ImportBatch) -> bool:
    """Only the uploader, and only for ERROR_FILE_LIFETIME after the upload (the validation job's start;
    a batch staged without a job, by a command, has no such clock and does not expire)."""
    if batch.actor_id != getattr(actor, "pk", None) or not batch.invalid_rows:
        return False
    uploaded = batch.validate_job.created_at if batch.validate_job_id and batch.validate_job else None
    return uploaded is None or timezone.now() - uploaded <= ERROR_FILE_LIFETIME


def error_workbook(*, actor: Actor, batch: ImportBatch) -> bytes:
    """The rejected rows as typed, with the reasons: the uploader's own data, to fix and upload again.
    It carries full ID numbers, so it is the uploader's alone, it expires, and the download is audited.
    Anyone else, or after expiry, gets the same NotFound as a missing batch."""
    scoping.require(actor, IMPORT_PERSONS, batch.org_unit, visible_perm=VIEW_PERSONS)
    if not error_workbook_available(actor=actor, batch=batch):
        raise NotFound(
            _("错误文件只提供给上传人，且在上传后 %(days)d 天内有效。") % {"days": ERROR_FILE_LIFETIME.days}
        )
    rows = batch.rows.filter(status=ImportRow.Status.INVALID).order_by("row_number")
    content = io_excel.error_workbook((as_typed(r), r.error) for r in rows.iterator(chunk_size=2000))
    log(
        batch,
        "registry.import.errors_downloaded",
        actor=actor,
        org_unit=batch.org_unit,
        data={"rows": batch.invalid_rows},
    )
    return content
