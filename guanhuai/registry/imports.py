"""Excel import of households: upload → staging rows → validation → preview → commit.

- **Upload** (`batch_submit` from a request, `stage_file` without one). The file is checked quickly first
  (size, .xlsx, headers, not empty); a bad file creates nothing. The same file (SHA-256) under the same
  branch leads back to its existing batch, so a committed file is never imported twice.
- **Staging** (`load_rows`). Every non-blank row becomes an `ImportRow` holding the values as typed (ID and
  phone encrypted, like on Person), its household key, and the verdict of the checks that need only the row
  itself: required fields, ID checksum and date (15-digit IDs are upgraded), value lists, lengths.
- **Validation** (`validate_batch`). The checks that need other rows or the database, set-based: village
  codes in one query, IDs already registered by blind index in one `id_index__in` query per chunk,
  duplicates inside the file and household heads by grouping in Python. A household with any bad row is
  held back whole, so that the error workbook carries the whole household to fix and upload again.
- **Commit** (`commit_batch`). Households in ranges of `household_seq`; each range is one transaction
  that bulk-creates households and persons, links head, spouse and children like a household entered by
  hand, recomputes the parents' family facts, marks its staging rows and moves the checkpoint. A resumed
  commit starts after the checkpoint; people registered meanwhile are refused by the ID blind index.

The uploaded file itself is not kept once its rows are staged (encrypted): see `jobs.import_validate`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.audit.services import log_action
from guanhuai.core.errors import Conflict, DomainError, ValidationError
from guanhuai.core.text import name_pinyin
from guanhuai.core.validators import parse_resident_id
from guanhuai.jobs.models import Job
from guanhuai.jobs.services import job_submit
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry import family, io_excel
from guanhuai.registry.masking import mask_id, mask_phone
from guanhuai.registry.models import Household, ImportBatch, ImportRow, Marriage, ParentChild, Person
from guanhuai.registry.permissions import IMPORT_PERSONS, VIEW_PERSONS
from guanhuai.registry.services import _phone, id_lookup_key
from guanhuai.registry.states import ChildBasis, Hukou, RelationToHead

IMPORT_VALIDATE = "registry.import_validate"
IMPORT_COMMIT = "registry.import_commit"

# The file's vocabulary is Chinese whatever the interface language (io_excel explains why).
RELATION_BY_TEXT = {
    "户主": RelationToHead.HEAD,
    "配偶": RelationToHead.SPOUSE,
    "子女": RelationToHead.CHILD,
    "父母": RelationToHead.PARENT,
    "孙子女": RelationToHead.GRANDCHILD,
    "兄弟姐妹": RelationToHead.SIBLING,
    "其他亲属": RelationToHead.OTHER,
} | {v: RelationToHead(v) for v in RelationToHead.values}
HUKOU_BY_TEXT = {"城镇": Hukou.URBAN, "农村": Hukou.RURAL} | {v: Hukou(v) for v in Hukou.values}
YES_NO = {"": False, "是": True, "否": False, "1": True, "0": False, "Y": True, "N": False}

LOAD_CHUNK = 5000
LOOKUP_CHUNK = 2000
COMMIT_HOUSEHOLDS = 1000
MAX_LENGTHS = {"household_number": 30, "address": 200, "name": 50, "hukou_place": 200}


class _Quiet:
    """The progress of a call made outside a job (tests, the benchmark)."""

    def set_total(self, total: int) -> None:
        pass

    def step(self, n: int = 1, *, message: str | None = None, force: bool = False, **counts: int) -> None:
        pass


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- upload ---------------------------------------------------------------------------------------


def batch_create(
    *, actor: Any, org_unit: OrgUnit, content: bytes, file_name: str = ""
) -> tuple[ImportBatch, bool]:
    """Check the file and open a batch for it, or return the batch this file already has under this branch
    (`created` is False then: a committed one is the answer to "was this file imported?")."""
    scoping.require(actor, IMPORT_PERSONS, org_unit, visible_perm=VIEW_PERSONS)
    if not org_unit.is_open:
        raise ValidationError(_("“%(name)s”已撤销，不能导入。") % {"name": org_unit.name}, code="unit_closed")
    io_excel.check_upload(content, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
    digest = hashlib.sha256(content).hexdigest()
    existing = ImportBatch.objects.filter(org_unit=org_unit, digest=digest).first()
    if existing is not None:
        return existing, False
    name = (file_name or "").replace("\\", "/").rsplit("/", 1)[-1][:120] or "import.xlsx"
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(actor=actor, org_unit=org_unit, file_name=name, digest=digest)
            log_action(
                batch,
                "registry.import.uploaded",
                actor=actor,
                org_unit=org_unit,
                data={"file": name, "sha256": digest, "bytes": len(content)},
            )
    except IntegrityError:  # the same file, uploaded twice at once
        return ImportBatch.objects.get(org_unit=org_unit, digest=digest), False
    return batch, True


def batch_submit(
    *, actor: Any, org_unit: OrgUnit, content: bytes, file_name: str = ""
) -> tuple[ImportBatch, bool]:
    """From the upload page: open the batch and queue its staging and validation as a job."""
    with transaction.atomic():
        batch, created = batch_create(actor=actor, org_unit=org_unit, content=content, file_name=file_name)
        if created:
            job, _new = job_submit(
                actor=actor,
                kind=IMPORT_VALIDATE,
                idempotency_key=f"{IMPORT_VALIDATE}:{batch.pk}",
                params={"batch": batch.pk},
                org_unit=org_unit,
                input_name=f"registry-import-{batch.pk}.xlsx",
                input_content=content,
            )
            batch.validate_job = job
            batch.save(update_fields=["validate_job"])
    return batch, created


def stage_file(
    *, actor: Any, org_unit: OrgUnit, content: bytes, file_name: str = "import.xlsx", progress: Any = None
) -> ImportBatch:
    """Upload and stage in one call, without a job (benchmark, CLI, tests). Returns the existing batch
    unchanged for a file already uploaded under this branch (check `batch.status`)."""
    batch, _created = batch_create(actor=actor, org_unit=org_unit, content=content, file_name=file_name)
    if batch.loaded_at is None:
        load_rows(batch, content, progress=progress)
    return batch


# --- staging --------------------------------------------------------------------------------------


def _local_errors(values: dict[str, str]) -> tuple[list[str], Any]:
    """The checks a row can fail on its own. Returns (messages, parsed ID or None)."""
    errors: list[str] = []
    relation = RELATION_BY_TEXT.get(values["relation"])
    is_head = relation == RelationToHead.HEAD
    if not values["village_code"]:
        errors.append(_("请填写村(社区)代码。"))
    if not values["name"]:
        errors.append(_("请填写姓名。"))
    rid = None
    if not values["id_number"]:
        errors.append(_("请填写身份证号。"))
    else:
        try:
            rid = parse_resident_id(values["id_number"])
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
            _phone(values["phone"])
        except DomainError as exc:
            errors.append(str(exc))
    for field, limit in MAX_LENGTHS.items():
        if len(values[field]) > limit:
            label = next(c.header for c in io_excel.COLUMNS if c.field == field)
            errors.append(_("“%(col)s”不能超过%(n)d个字。") % {"col": label, "n": limit})
    return errors, rid


def _stage_row(batch: ImportBatch, line: int, values: dict[str, str], key: str, seq: int) -> ImportRow:
    errors, rid = _local_errors(values)
    return ImportRow(
        batch=batch,
        row_number=line,
        household_number=values["household_number"][:60],
        village_code=values["village_code"][:40],
        address=values["address"][:300],
        hukou_type=values["hukou_type"][:20],
        name=values["name"][:100],
        id_number=values["id_number"][:40],
        id_masked=mask_id(rid.number if rid else values["id_number"][:40]),
        id_index=id_lookup_key(rid.number) if rid else None,
        relation=values["relation"][:20],
        phone=values["phone"][:40],
        hukou_place=values["hukou_place"][:300],
        certificate=values["certificate"][:10],
        migrant=values["migrant"][:10],
        household_key=key[:120],
        household_seq=seq,
        person_key=f"imp{batch.pk}:{line}",
        status=ImportRow.Status.INVALID if errors else ImportRow.Status.PENDING,
        error="；".join(errors),
    )


def load_rows(batch: ImportBatch, content: bytes, *, progress: Any = None) -> int:
    """Stage the file's rows in chunks. A household is the rows sharing a village code and 户编号; rows
    without 户编号 belong to the 户主 row above them (rows before any 户主 form a household without a
    head, which validation rejects). Restartable: leftovers of an interrupted load are removed first."""
    progress = progress or _Quiet()
    if batch.loaded_at is not None:
        return batch.total_rows
    ImportRow.objects.filter(batch=batch).delete()
    seqs: dict[str, int] = {}
    current: str | None = None  # the household of consecutive rows without 户编号
    pending: list[ImportRow] = []
    total = 0
    for line, values in io_excel.iter_rows(content):
        number, code = values["household_number"], values["village_code"]
        if number:
            key, current = f"n:{code}:{number}", None
        else:
            if RELATION_BY_TEXT.get(values["relation"]) == RelationToHead.HEAD or current is None:
                current = f"s:{line}"
            key = current
        seq = seqs.setdefault(key, len(seqs) + 1)
        pending.append(_stage_row(batch, line, values, key, seq))
        if len(pending) >= LOAD_CHUNK:
            ImportRow.objects.bulk_create(pending, batch_size=1000)
            total += len(pending)
            progress.step(len(pending), message=_("已读入 %(n)d 行") % {"n": total})
            pending = []
    with transaction.atomic():
        ImportRow.objects.bulk_create(pending, batch_size=1000)
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


# --- validation -----------------------------------------------------------------------------------


def _villages(codes: set[str]) -> dict[str, OrgUnit]:
    found: dict[str, OrgUnit] = {}
    for chunk in _chunks(sorted(codes), LOOKUP_CHUNK):
        found.update(
            (u.code, u)
            for u in OrgUnit.objects.filter(code__in=chunk).only(
                "pk", "code", "name", "level", "path", "closed_on"
            )
        )
    return found


def _village_problem(code: str, unit: OrgUnit | None, *, batch: ImportBatch, actor: Any) -> str | None:
    """Only the code the user typed is echoed back: nothing about a branch outside their scope."""
    if unit is None:
        return _("村(社区)代码 %(code)s 不存在。") % {"code": code}
    if unit.level != Level.VILLAGE:
        return _("代码 %(code)s 不是村(社区)一级的代码。") % {"code": code}
    if not unit.path.startswith(batch.org_unit.path):
        return _("村(社区)代码 %(code)s 不在所选的导入范围“%(root)s”之内。") % {
            "code": code,
            "root": batch.org_unit.name,
        }
    if not scoping.can(actor, IMPORT_PERSONS, unit):
        return _("您没有在村(社区)代码 %(code)s 导入人员的权限。") % {"code": code}
    if not unit.is_open:
        return _("村(社区)代码 %(code)s 对应的村(社区)已撤销。") % {"code": code}
    return None


def _registered(indexes: Sequence[str], *, actor: Any) -> dict[str, str]:
    """IDs already in the registry (by blind index) → the message for that row. Inside the actor's scope
    the message names the person and village; outside it says only that the ID is taken."""
    found: dict[str, str] = {}
    outside = _("该身份证号已在您管辖范围以外的地方登记，不能重复导入。如此人已迁入本地，请提交迁入申请。")
    for chunk in _chunks(indexes, LOOKUP_CHUNK):
        people = Person.objects.filter(id_index__in=chunk).select_related("org_unit")
        for p in people.only("id_index", "name", "org_unit__name", "org_unit__path"):
            key = p.id_index or ""
            if scoping.can(actor, VIEW_PERSONS, p.org_unit):
                found[key] = _("该身份证号已登记：%(name)s（%(unit)s）。") % {
                    "name": p.name,
                    "unit": p.org_unit.name,
                }
            else:
                found[key] = str(outside)
    return found


def _row_list(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)


def _hold_back_households(rows: Sequence[Any], errors: dict[int, list[str]]) -> None:
    """A household with a bad row is held back whole; its other rows say which row to fix."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        groups[r.household_key].append(r)
    for group in groups.values():
        bad = [r.row_number for r in group if errors.get(r.pk)]
        if not bad:
            continue
        for r in group:
            if not errors.get(r.pk):
                errors[r.pk] = [_("同户第%(rows)s行有错误，整户暂不导入。") % {"rows": _row_list(bad)}]


def validate_batch(batch: ImportBatch, *, progress: Any = None) -> ImportBatch:
    """Cross-row and database checks of the staged rows; writes each row's verdict and the batch counts.
    Does nothing to a batch already validated."""
    progress = progress or _Quiet()
    batch.refresh_from_db()
    if batch.loaded_at is None:
        raise Conflict(_("文件尚未读入，不能校验。"), code="not_loaded")
    if batch.validated_at is not None:
        return batch
    actor = batch.actor
    rows: list[Any] = list(
        ImportRow.objects.filter(batch=batch)
        .order_by("row_number")
        .values_list(
            "pk", "row_number", "village_code", "relation", "id_index", "household_key", "status", "error",
            named=True,
        )
    )  # fmt: skip
    errors: dict[int, list[str]] = {r.pk: [r.error] for r in rows if r.status == ImportRow.Status.INVALID}

    def add(r: Any, message: str) -> None:
        errors.setdefault(r.pk, []).append(message)

    codes = {r.village_code for r in rows if r.village_code}
    units = _villages(codes)
    problems = {c: _village_problem(c, units.get(c), batch=batch, actor=actor) for c in codes}
    by_index: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r.id_index:
            by_index[r.id_index].append(r.row_number)
    registered = _registered(list(by_index), actor=actor)
    for r in rows:
        problem = problems.get(r.village_code)
        if problem:
            add(r, problem)
        if r.id_index:
            others = [n for n in by_index[r.id_index] if n != r.row_number]
            if others:
                add(r, _("身份证号与第%(rows)s行重复。") % {"rows": _row_list(others)})
            if r.id_index in registered:
                add(r, registered[r.id_index])
    progress.step(len(rows) // 2, message=_("已核对村(社区)代码和身份证号"))

    groups: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        groups[r.household_key].append(r)
    for key, group in groups.items():
        heads = [r for r in group if RELATION_BY_TEXT.get(r.relation) == RelationToHead.HEAD]
        spouses = [r for r in group if RELATION_BY_TEXT.get(r.relation) == RelationToHead.SPOUSE]
        if not heads:
            for r in group:
                add(r, _("本户没有户主：请在本户第一行填写“户主”，或为同户各行填写相同的户编号。"))
        elif len(heads) > 1:
            for r in group:
                add(
                    r,
                    _("本户有%(n)d名户主（第%(rows)s行），只能有一名。")
                    % {"n": len(heads), "rows": _row_list([h.row_number for h in heads])},
                )
        if len(spouses) > 1:
            for r in spouses:
                add(
                    r,
                    _("本户有%(n)d名配偶（第%(rows)s行），只能有一名。")
                    % {"n": len(spouses), "rows": _row_list([s.row_number for s in spouses])},
                )
        if key.startswith("s:") and len(heads) == 1:
            head = heads[0]
            for r in group:
                if r.village_code and head.village_code and r.village_code != head.village_code:
                    add(
                        r,
                        _("村(社区)代码与本户户主（第%(row)d行）不一致；不同村的人员请分户填写。")
                        % {"row": head.row_number},
                    )
    _hold_back_households(rows, errors)

    changed = []
    for r in rows:
        text = "；".join(dict.fromkeys(m for m in errors.get(r.pk, []) if m))
        if text and (r.status != ImportRow.Status.INVALID or text != r.error):
            changed.append(ImportRow(pk=r.pk, status=ImportRow.Status.INVALID, error=text))
    with transaction.atomic():
        ImportRow.objects.bulk_update(changed, ["status", "error"], batch_size=500)
        valid = ImportRow.objects.filter(batch=batch, status=ImportRow.Status.PENDING).update(
            status=ImportRow.Status.VALID
        )
        batch.valid_rows, batch.invalid_rows = valid, len(rows) - valid
        batch.status, batch.validated_at = ImportBatch.Status.VALIDATED, timezone.now()
        batch.save(update_fields=["valid_rows", "invalid_rows", "status", "validated_at"])
    progress.step(len(rows) - len(rows) // 2, message=_("校验完成"))
    return batch


# --- commit ---------------------------------------------------------------------------------------


def commit_submit(*, actor: Any, batch: ImportBatch) -> Job:
    """Queue the commit. A double click (or a second clerk) gets the same job: its key is the batch."""
    scoping.require(actor, IMPORT_PERSONS, batch.org_unit, visible_perm=VIEW_PERSONS)
    if batch.status == ImportBatch.Status.COMMITTED:
        raise Conflict(already_committed_message(batch), code="already_committed")
    if batch.validated_at is None:
        raise Conflict(_("文件还在校验中，请稍候再导入。"), code="not_validated")
    if not batch.valid_rows and batch.commit_job_id is None:
        raise ValidationError(_("没有可导入的有效记录。"), code="nothing_valid")
    with transaction.atomic():
        job, _created = job_submit(
            actor=actor,
            kind=IMPORT_COMMIT,
            idempotency_key=f"{IMPORT_COMMIT}:{batch.pk}",
            params={"batch": batch.pk},
            org_unit=batch.org_unit,
        )
        ImportBatch.objects.filter(pk=batch.pk, commit_job__isnull=True).update(
            commit_job=job, committed_by=actor
        )
    return job


def already_committed_message(batch: ImportBatch) -> str:
    when = timezone.localtime(batch.committed_at) if batch.committed_at else None
    return _("该文件已于%(when)s导入（批次 #%(id)d，%(n)d人）。") % {
        "when": date_format(when, "Y-m-d H:i") if when else "—",
        "id": batch.pk,
        "n": batch.imported_rows,
    }


def commit_batch(batch: ImportBatch, *, actor: Any = None, progress: Any = None) -> ImportBatch:
    """Import the valid rows, household range by household range, resuming after the checkpoint.
    Committing a committed batch does nothing."""
    progress = progress or _Quiet()
    batch.refresh_from_db()
    if batch.status == ImportBatch.Status.COMMITTED:
        return batch
    if batch.validated_at is None:
        raise Conflict(_("文件还在校验中，请稍候再导入。"), code="not_validated")
    actor = actor or batch.committed_by or batch.actor
    scoping.require(actor, IMPORT_PERSONS, batch.org_unit, visible_perm=VIEW_PERSONS)
    todo = ImportRow.objects.filter(batch=batch, status=ImportRow.Status.VALID)
    agg = todo.aggregate(n=Count("pk"), last=Max("household_seq"))
    progress.set_total(agg["n"] + batch.imported_rows)
    progress.step(batch.imported_rows)
    codes = set(todo.values_list("village_code", flat=True).distinct())
    units = _villages(codes)
    problems = {c: _village_problem(c, units.get(c), batch=batch, actor=actor) for c in codes}
    lo, last = batch.commit_checkpoint, agg["last"] or 0
    while lo < last:
        hi = lo + COMMIT_HOUSEHOLDS
        created, skipped = _commit_range(batch, lo, hi, units=units, problems=problems)
        progress.step(
            created + skipped,
            message=_("已导入 %(n)d 人") % {"n": batch.imported_rows},
            created=created,
            skipped=skipped,
        )
        lo = hi
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.COMMITTED:
            batch.status, batch.committed_at = ImportBatch.Status.COMMITTED, timezone.now()
            batch.committed_by = batch.committed_by or actor
            batch.save(update_fields=["status", "committed_at", "committed_by"])
            log_action(
                batch,
                "registry.import.committed",
                actor=actor,
                org_unit=batch.org_unit,
                data={
                    "households": batch.households_created,
                    "persons": batch.imported_rows,
                    "rejected": batch.invalid_rows,
                    "rows": batch.total_rows,
                    "sha256": batch.digest,
                },
            )
    return batch


COMMIT_FIELDS = (
    "row_number",
    "household_key",
    "household_seq",
    "household_number",
    "village_code",
    "address",
    "hukou_type",
    "name",
    "id_number",
    "id_index",
    "relation",
    "phone",
    "hukou_place",
    "certificate",
    "migrant",
    "person_key",
)


def _commit_range(
    batch: ImportBatch, lo: int, hi: int, *, units: dict[str, OrgUnit], problems: dict[str, str | None]
) -> tuple[int, int]:
    """One transaction: the valid households with lo < household_seq <= hi. Returns (created, held back)."""
    # Plain tuples, not model instances: a range holds thousands of rows.
    rows: list[Any] = list(
        ImportRow.objects.filter(
            batch=batch, status=ImportRow.Status.VALID, household_seq__gt=lo, household_seq__lte=hi
        )
        .order_by("household_seq", "row_number")
        .values_list("pk", *COMMIT_FIELDS, named=True)
    )
    groups: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        groups[r.household_seq].append(r)
    with transaction.atomic():
        # Someone may have registered one of these people since validation: that household waits.
        taken = set(
            Person.objects.filter(id_index__in=[r.id_index for r in rows]).values_list("id_index", flat=True)
        )
        refused: dict[int, str] = {}
        for group in groups.values():
            head = next(r for r in group if RELATION_BY_TEXT[r.relation] == RelationToHead.HEAD)
            problem = problems.get(head.village_code)
            for r in group:
                if problem:
                    refused[r.pk] = problem
                elif r.id_index in taken:
                    refused[r.pk] = _("导入时发现该身份证号刚被登记，整户未导入。")
        if refused:
            errors: dict[int, list[str]] = {pk: [m] for pk, m in refused.items()}
            _hold_back_households(rows, errors)
            ImportRow.objects.bulk_update(
                [
                    ImportRow(pk=pk, status=ImportRow.Status.INVALID, error="；".join(msgs))
                    for pk, msgs in errors.items()
                ],
                ["status", "error"],
                batch_size=500,
            )
            held = {r.household_seq for r in rows if r.pk in errors}
            groups = {seq: g for seq, g in groups.items() if seq not in held}
        households, persons = _build(batch, groups, units)
        Household.objects.bulk_create(households, batch_size=1000)
        if any(h.pk is None for h in households):  # backends without RETURNING
            ids = dict(
                Household.objects.filter(import_key__in=[h.import_key for h in households]).values_list(
                    "import_key", "pk"
                )
            )
            for h in households:
                h.pk = ids[h.import_key]
        # Each person's household_id is taken from its (now saved) household by bulk_create itself.
        Person.objects.bulk_create(persons, batch_size=1000)
        if any(p.pk is None for p in persons):
            ids = dict(
                Person.objects.filter(import_key__in=[p.import_key for p in persons]).values_list(
                    "import_key", "pk"
                )
            )
            for p in persons:
                p.pk = ids[p.import_key]
        parent_ids = _link_families(households, persons)
        family.recompute_family_facts(parent_ids)
        imported = ImportRow.objects.filter(
            batch=batch, status=ImportRow.Status.VALID, household_seq__gt=lo, household_seq__lte=hi
        )
        # Once a row is a person, its staged copy of the ID and phone is no longer needed.
        imported.update(
            status=ImportRow.Status.IMPORTED,
            person_id=Subquery(Person.objects.filter(import_key=OuterRef("person_key")).values("pk")[:1]),
            id_number="",
            phone="",
        )
        held_back = len(rows) - len(persons)
        ImportBatch.objects.filter(pk=batch.pk).update(
            households_created=F("households_created") + len(households),
            imported_rows=F("imported_rows") + len(persons),
            valid_rows=F("valid_rows") - held_back,
            invalid_rows=F("invalid_rows") + held_back,
            commit_checkpoint=hi,
        )
    batch.households_created += len(households)
    batch.imported_rows += len(persons)
    batch.valid_rows -= held_back
    batch.invalid_rows += held_back
    batch.commit_checkpoint = hi
    return len(persons), held_back


def _build(
    batch: ImportBatch, groups: dict[int, list[Any]], units: dict[str, OrgUnit]
) -> tuple[list[Household], list[Person]]:
    households: list[Household] = []
    persons: list[Person] = []
    for seq, group in groups.items():
        head = next(r for r in group if RELATION_BY_TEXT[r.relation] == RelationToHead.HEAD)
        unit = units[head.village_code]
        household = Household(
            org_unit=unit,
            number=head.household_number.strip(),
            address=head.address.strip(),
            hukou_type=HUKOU_BY_TEXT[head.hukou_type],
            import_key=f"imp{batch.pk}:h{seq}",
        )
        households.append(household)
        for r in group:
            rid = parse_resident_id(r.id_number)
            name = r.name.strip()
            full, initials = name_pinyin(name)
            phone = _phone(r.phone)
            persons.append(
                Person(
                    household=household,
                    org_unit=unit,
                    relation_to_head=RELATION_BY_TEXT[r.relation],
                    name=name,
                    name_pinyin=full,
                    name_initials=initials,
                    id_number=rid.number,
                    id_masked=mask_id(rid.number),
                    id_index=id_lookup_key(rid.number),
                    id_legacy=rid.legacy or "",
                    sex=rid.sex,
                    birth_date=rid.birth_date,
                    phone=phone,
                    phone_masked=mask_phone(phone),
                    hukou_type=HUKOU_BY_TEXT.get(r.hukou_type) or household.hukou_type,
                    hukou_place=r.hukou_place.strip(),
                    only_child_certificate=YES_NO[r.certificate.upper()],
                    is_migrant=YES_NO[r.migrant.upper()],
                    import_key=r.person_key,
                )
            )
    return households, persons


def _link_families(households: list[Household], persons: list[Person]) -> list[int]:
    """What services._link_household_family does for one household, for many at once: the head's spouse
    is married to the head, the children are the couple's children by birth. Returns the parents."""
    by_household: dict[int, list[Person]] = defaultdict(list)
    for p in persons:
        by_household[p.household_id or 0].append(p)
    marriages: list[Marriage] = []
    links: list[ParentChild] = []
    parent_ids: list[int] = []
    heads: list[Household] = []
    for household in households:
        members = by_household[household.pk]
        head = next(p for p in members if p.relation_to_head == RelationToHead.HEAD)
        household.head = head
        heads.append(household)
        spouse = next((p for p in members if p.relation_to_head == RelationToHead.SPOUSE), None)
        parents = [head] + ([spouse] if spouse else [])
        if spouse is not None:
            a, b = sorted([head, spouse], key=lambda p: p.pk)
            marriages.append(Marriage(a=a, b=b))
        children = [p for p in members if p.relation_to_head == RelationToHead.CHILD]
        links += [
            ParentChild(parent=par, child=c, basis=ChildBasis.BIRTH) for par in parents for c in children
        ]
        if children:
            parent_ids += [p.pk for p in parents]
    Household.objects.filter(pk__in=[h.pk for h in heads]).update(
        head=Subquery(
            Person.objects.filter(household=OuterRef("pk"), relation_to_head=RelationToHead.HEAD).values(
                "pk"
            )[:1]
        )
    )
    Marriage.objects.bulk_create(marriages, batch_size=1000)
    ParentChild.objects.bulk_create(links, batch_size=1000)
    return parent_ids


# --- reads ----------------------------------------------------------------------------------------


def batch_list(*, actor: Any) -> QuerySet[ImportBatch]:
    return scoping.scope(ImportBatch.objects.all(), actor, IMPORT_PERSONS).select_related("org_unit", "actor")


def batch_get(*, actor: Any, batch_id: Any) -> ImportBatch:
    return scoping.get_or_404(
        ImportBatch.objects.select_related("org_unit", "actor", "validate_job", "commit_job"),
        actor,
        IMPORT_PERSONS,
        pk=batch_id,
    )


def invalid_rows(*, batch: ImportBatch) -> QuerySet[ImportRow]:
    """The rejected rows for the preview, masked: the encrypted columns are not even read."""
    return (
        ImportRow.objects.filter(batch=batch, status=ImportRow.Status.INVALID)
        .order_by("row_number")
        .defer("id_number", "phone")
    )


def import_targets(*, actor: Any) -> QuerySet[OrgUnit]:
    """Units an import may be confined to: the actor's own units and, below them, units down to township
    level (villages are chosen by code in the file)."""
    roots = scoping.root_paths(actor, IMPORT_PERSONS)
    return (
        scoping.units(actor, IMPORT_PERSONS)
        .open()
        .filter(
            Q(level__in=[Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP]) | Q(path__in=roots or [])
        )
        .order_by("path")
    )
