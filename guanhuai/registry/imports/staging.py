"""Upload and staging: the quick check of a file, the batch it opens (one per file and branch), and its rows
staged with the checks that need only the row itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core import crypto, excel
from guanhuai.core.bulk import RowWriter
from guanhuai.core.errors import DomainError, ValidationError
from guanhuai.core.masking import mask_id
from guanhuai.core.validators import parse_resident_id
from guanhuai.jobs.models import Job
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry import io_excel
from guanhuai.registry.imports.common import (
    HUKOU_BY_TEXT,
    IMPORT_VALIDATE,
    LOAD_CHUNK,
    MAX_LENGTHS,
    RELATION_BY_TEXT,
    YES_NO,
    Quiet,
    staged_file_open,
    validate_queue,
)
from guanhuai.registry.models import ImportBatch, ImportRow
from guanhuai.registry.permissions import IMPORT_PERSONS, VIEW_PERSONS
from guanhuai.registry.services import id_fields, phone_fields
from guanhuai.registry.states import RelationToHead


def batch_create(
    *, actor: Actor, org_unit: OrgUnit, content: bytes, file_name: str = ""
) -> tuple[ImportBatch, bool]:
    """Check the file and open a batch for it, or return the batch this file already has under this branch
    (`created` is False then: a committed one is the answer to "was this file imported?")."""
    scoping.require(actor, IMPORT_PERSONS, org_unit, visible_perm=VIEW_PERSONS)
    if not org_unit.is_open:
        raise ValidationError(_("“%(name)s”已撤销，不能导入。") % {"name": org_unit.name}, code="unit_closed")
    io_excel.check_upload(content, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
    return staged_file_open(
        ImportBatch,
        actor=actor,
        org_unit=org_unit,
        content=content,
        file_name=file_name,
        default_name="import.xlsx",
        action="registry.import.uploaded",
    )


def batch_submit(
    *, actor: Actor, org_unit: OrgUnit, content: bytes, file_name: str = ""
) -> tuple[ImportBatch, bool]:
    """From the upload page: open the batch and queue its staging and validation as a job."""
    with transaction.atomic():
        batch, created = batch_create(actor=actor, org_unit=org_unit, content=content, file_name=file_name)
        if created:
            validate_queue(
                batch,
                actor=actor,
                kind=IMPORT_VALIDATE,
                content=content,
                input_name=f"registry-import-{batch.pk}.xlsx",
            )
    return batch, created


def stage_file(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    content: bytes,
    file_name: str = "import.xlsx",
    progress: Any = None,
    reader: Callable[[bytes], excel.Rows] = excel.sheet_rows,
) -> ImportBatch:
    """Upload and stage in one call, without a job (benchmark, CLI, tests). Returns the existing batch
    unchanged for a file already uploaded under this branch (check `batch.status`). `reader` is for the
    benchmark's comparison with openpyxl."""
    batch, _created = batch_create(actor=actor, org_unit=org_unit, content=content, file_name=file_name)
    if batch.loaded_at is None:
        load_rows(batch, content, progress=progress, reader=reader)
    return batch


# --- staging --------------------------------------------------------------------------------------


def _local_errors(values: dict[str, str]) -> tuple[list[str], dict[str, Any]]:
    """The checks a row can fail on its own. Returns (messages, the person's ID and phone columns from
    `services.id_fields` / `phone_fields` for what is valid)."""
    errors: list[str] = []
    derived: dict[str, Any] = {}
    relation = RELATION_BY_TEXT.get(values["relation"])
    is_head = relation == RelationToHead.HEAD
    if not values["village_code"]:
        errors.append(_("请填写村(社区)代码。"))
    if not values["name"]:
        errors.append(_("请填写姓名。"))
    if not values["id_number"]:
        errors.append(_("请填写身份证号。"))
    else:
        try:
            derived |= id_fields(parse_resident_id(values["id_number"]))
        except DomainError as exc:
            errors.append(str(exc))
    if not values["relation"]:
        errors.append(_("请填写与户主关系。"))
    elif relation is None:
        errors.append(
            _("与户主关系“%(v)s”无效，应为：户主、配偶、子女、父母、孙子女、兄弟姐妹、其他亲属。")
            % {"v": values["relation"]}
        )
    if values["hukou_type"] and values["hukou_type"] not in HUKOU_BY_TEXT:
        errors.append(_("户籍类型“%(v)s”无效，应为“城镇”或“农村”。") % {"v": values["hukou_type"]})
    elif is_head and not values["hukou_type"]:
        errors.append(_("户主行必须填写户籍类型（城镇或农村）。"))
    if is_head and not values["address"]:
        errors.append(_("户主行必须填写住址。"))
    for field, label in (("certificate", "持有光荣证"), ("migrant", "流动人口")):
        if values[field].upper() not in YES_NO:
            errors.append(_("“%(col)s”应填“是”或“否”，不能填“%(v)s”。") % {"col": label, "v": values[field]})
    if values["phone"]:
        try:
            derived |= phone_fields(values["phone"])
        except DomainError as exc:
            errors.append(str(exc))
    for field, limit in MAX_LENGTHS.items():
        if len(values[field]) > limit:
            label = next(c.header for c in io_excel.COLUMNS if c.field == field)
            errors.append(_("“%(col)s”不能超过%(n)d个字。") % {"col": label, "n": limit})
    return errors, derived


# The staged columns, in the order of `_stage_row`'s tuples; id_number, id_legacy and phone are encrypted
# per chunk just before the insert.
STAGE_COLUMNS = [
    "batch_id", "row_number", "household_number", "village_code", "address", "hukou_type", "name",
    "id_number", "id_masked", "id_index", "id_legacy", "sex", "birth_date", "relation", "phone",
    "phone_masked", "hukou_place", "certificate", "migrant", "household_key", "household_seq", "person_key",
    "status", "error",
]  # fmt: skip
ENCRYPTED = [STAGE_COLUMNS.index(c) for c in ("id_number", "id_legacy", "phone")]


def _stage_row(batch_id: int, line: int, values: dict[str, str], key: str, seq: int) -> list[Any]:
    """A valid ID and phone are staged normalised, as the person will hold them (so the commit copies them
    without decrypting); anything invalid is kept as typed, for the error workbook."""
    errors, d = _local_errors(values)
    typed_id = values["id_number"][:40]
    return [
        batch_id,
        line,
        values["household_number"][:60],
        values["village_code"][:40],
        values["address"][:300],
        values["hukou_type"][:20],
        values["name"][:100],
        d.get("id_number", typed_id),
        d.get("id_masked") or mask_id(typed_id),
        d.get("id_index"),
        d.get("id_legacy", ""),
        d.get("sex", ""),
        d.get("birth_date"),
        values["relation"][:20],
        d.get("phone", values["phone"][:40]),
        d.get("phone_masked", ""),
        values["hukou_place"][:300],
        values["certificate"][:10],
        values["migrant"][:10],
        key[:120],
        seq,
        f"imp{batch_id}:{line}",
        ImportRow.Status.INVALID if errors else ImportRow.Status.PENDING,
        "；".join(errors),
    ]


def _insert_staged(rows: list[list[Any]]) -> None:
    """One multi-row insert of a chunk, its sensitive columns encrypted in one pass first."""
    for row in rows:
        for i in ENCRYPTED:
            if row[i]:
                row[i] = crypto.encrypt(row[i])
    RowWriter().insert(ImportRow, STAGE_COLUMNS, [tuple(r) for r in rows])


def load_rows(
    batch: ImportBatch,
    content: bytes,
    *,
    progress: Any = None,
    reader: Callable[[bytes], excel.Rows] = excel.sheet_rows,
) -> int:
    """Stage the file's rows in chunks. A household is the rows sharing a village code and 户编号; rows
    without 户编号 belong to the 户主 row above them (rows before any 户主 form a household without a
    head, which validation rejects). Restartable: leftovers of an interrupted load are removed first."""
    progress = progress or Quiet()
    if batch.loaded_at is not None:
        return batch.total_rows
    batch.rows.all().delete()
    seqs: dict[str, int] = {}
    current: str | None = None  # the household of consecutive rows without 户编号
    pending: list[list[Any]] = []
    total = 0
    for line, values in io_excel.iter_rows(content, reader=reader):
        number, code = values["household_number"], values["village_code"]
        if number:
            key, current = f"n:{code}:{number}", None
        else:
            if RELATION_BY_TEXT.get(values["relation"]) == RelationToHead.HEAD or current is None:
                current = f"s:{line}"
            key = current
        seq = seqs.setdefault(key, len(seqs) + 1)
        pending.append(_stage_row(batch.pk, line, values, key, seq))
        if len(pending) >= LOAD_CHUNK:
            with transaction.atomic():
                _insert_staged(pending)
            total += len(pending)
            progress.step(len(pending), message=_("已读入 %(n)d 行") % {"n": total})
            pending = []
    with transaction.atomic():
        _insert_staged(pending)
        total += len(pending)
        batch.total_rows, batch.loaded_at = total, timezone.now()
        batch.save(update_fields=["total_rows", "loaded_at"])
    progress.step(len(pending), message=_("已读入 %(n)d 行") % {"n": total})
    return total


def discard_upload(job: Job) -> None:
    """Delete a job's stored upload once its rows are staged: the staging rows keep IDs and phones
    encrypted, the file would keep them in plain text."""
    if job.input_file:
        job.input_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="")


@contextmanager
def marking_failure(batch: ImportBatch) -> Iterator[None]:
    """Around a job's work on a batch: a failure shows on the batch too; a retry takes it back to where
    it was (staged or validated) and the work resumes from there."""
    if batch.status == ImportBatch.Status.FAILED:
        batch.status = ImportBatch.Status.VALIDATED if batch.validated_at else ImportBatch.Status.STAGED
        ImportBatch.objects.filter(pk=batch.pk).update(status=batch.status)
    try:
        yield
    except Exception:
        ImportBatch.objects.filter(pk=batch.pk).exclude(status=ImportBatch.Status.COMMITTED).update(
            status=ImportBatch.Status.FAILED
        )
        raise
