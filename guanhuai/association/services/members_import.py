"""Excel import of members: upload → staging rows → validation → preview → commit, the registry's household
import's steps (`registry.imports`) for a member file.

- **Upload** (`member_import_submit` from a page or the API, `member_import_stage` without a job). The file
  is checked quickly in the request (size, format, the template's header, a data row); a bad file creates
  nothing. The same file (SHA-256) under the same branch leads back to its batch, so a committed file is
  never imported twice.
- **Staging** (`load_rows`, in the job `association.members_import_validate`). Every non-blank row becomes
  a `MemberImportRow` with its values as typed (the ID encrypted, masked for the preview, its blind index
  for the lookup) and the verdict of the checks a row can fail alone: the ID's checksum and date, 是/否, a
  name, a real joining date not in the future. The uploaded file is deleted once its rows are staged.
- **Validation** (`validate_batch`). What needs other rows or the database, set-based: the villages by code
  in one query (inside the import's branch, in the uploader's scope, open), registry persons by blind index
  in one query per 2,000 IDs (found, alive), the same person twice for one branch in the file, and the
  memberships the persons already hold in one query. A valid row is either **create** (a new membership) or
  **reinstate** (the person's lapsed membership of that branch is re-registered, 补办再登记: the same card
  number, active again); a person already an active member is an error.
- **Preview.** Counts of what will be created and re-registered and the rows in error with their reasons,
  page by page; the error workbook holds the rows in error as typed with a 错误原因 column, and can be
  fixed and uploaded again as it is.
- **Commit** (`member_import_commit_submit` queues `association.members_import_commit`; `commit_batch`).
  The valid rows in ranges of COMMIT_ROWS by row number, each range one transaction: memberships that
  changed since validation are held back with a message, card numbers are taken per branch under a lock, new
  members are bulk-created and lapsed ones re-registered in one UPDATE, each with an audit row, and the
  checkpoint moves. A resumed commit starts after the checkpoint; committing a committed batch does nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.association.models import Member, MemberImport, MemberImportRow
from guanhuai.association.permissions import MANAGE_MEMBERS, VIEW
from guanhuai.association.services.members import card_numbers
from guanhuai.association.states import (
    MEMBER_TRANSITIONS,
    ImportAction,
    ImportRowStatus,
    ImportStatus,
    MemberKind,
    MemberStatus,
)
from guanhuai.audit.services import log, log_many
from guanhuai.core.errors import DomainError, NotFound, ValidationError
from guanhuai.core.excel import cell_text, check_upload, sheet_rows
from guanhuai.core.masking import mask_id
from guanhuai.core.states import check
from guanhuai.core.validators import parse_resident_id
from guanhuai.core.xlsx_stream import XlsxStream
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry.imports.common import (
    Quiet,
    commit_close,
    commit_queue,
    commit_runs_as,
    staged_file_open,
    validate_queue,
)
from guanhuai.registry.models import Person
from guanhuai.registry.services import id_lookup_key

MEMBERS_IMPORT_VALIDATE = "association.members_import_validate"
MEMBERS_IMPORT_COMMIT = "association.members_import_commit"
HEADERS = ["村(社区)代码", "姓名", "身份证号", "户籍库人员", "入会日期"]
MAX_BYTES = 20 * 1024 * 1024
YES, NO = "是", "否"
# "户籍库人员" may be answered in either language (an English-speaking clerk types yes/no).
ANSWERS = {"yes": YES, "y": YES, "true": YES, "1": YES, "no": NO, "n": NO, "false": NO, "0": NO}
LOAD_CHUNK = 2000
LOOKUP_CHUNK = 2000
COMMIT_ROWS = 2000
# The error workbook holds full ID numbers: it is for fixing and uploading again soon, not an archive.
ERROR_FILE_LIFETIME = dt.timedelta(days=7)


def import_template() -> bytes:
    out = io.BytesIO()
    with XlsxStream(out, "会员", widths=[16, 10, 22, 10, 12]) as sheet:
        sheet.append(HEADERS)
    return out.getvalue()


# --- upload ------------------------------------------------------------------------------------------------


def member_import_create(
    *, actor: Actor, org_unit: OrgUnit, content: bytes, file_name: str = ""
) -> tuple[MemberImport, bool]:
    """Check the file and open a batch for it, or return the batch this file already has under this branch
    (`created` is False then: a committed one answers "was this file imported?")."""
    scoping.require(actor, MANAGE_MEMBERS, org_unit, visible_perm=VIEW)
    if not org_unit.is_open:
        raise ValidationError(_("“%(name)s”已撤销，不能导入。") % {"name": org_unit.name}, code="unit_closed")
    check_upload(
        content,
        max_bytes=MAX_BYTES,
        expected=HEADERS,
        no_rows_message=_("文件中没有会员数据。"),
        reader=sheet_rows,
    )
    return staged_file_open(
        MemberImport,
        actor=actor,
        org_unit=org_unit,
        content=content,
        file_name=file_name,
        default_name="members.xlsx",
        action="association.member_import.uploaded",
    )


def member_import_submit(
    *, actor: Actor, org_unit: OrgUnit, content: bytes, file_name: str = ""
) -> tuple[MemberImport, bool]:
    """From a page or the API: open the batch and queue its staging and validation as a durable job."""
    with transaction.atomic():
        batch, created = member_import_create(
            actor=actor, org_unit=org_unit, content=content, file_name=file_name
        )
        if created:
            validate_queue(
                batch,
                actor=actor,
                kind=MEMBERS_IMPORT_VALIDATE,
                content=content,
                input_name=f"members-import-{batch.pk}.xlsx",
            )
    return batch, created


def member_import_stage(
    *, actor: Actor, org_unit: OrgUnit, content: bytes, file_name: str = "members.xlsx"
) -> tuple[MemberImport, bool]:
    """Upload, stage and validate in one call, without a job (the CLI, the benchmark, tests). A file already
    uploaded under this branch returns its batch unchanged (check `status`)."""
    batch, created = member_import_create(
        actor=actor, org_unit=org_unit, content=content, file_name=file_name
    )
    if batch.loaded_at is None:
        load_rows(batch, content)
    if batch.validated_at is None:
        validate_batch(batch)
    return batch, created


# --- staging -----------------------------------------------------------------------------------------------


def _cells(content: bytes) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows after the header, as text, with their row number in the sheet. Cells past the
    template's columns (an error workbook's 错误原因) are ignored, so a fixed error file can be uploaded."""
    rows = sheet_rows(content)
    next(rows, None)
    for index, row in enumerate(rows, start=2):
        cells = [cell_text(v) for v in row[: len(HEADERS)]]
        cells += [""] * (len(HEADERS) - len(cells))
        cells[3] = ANSWERS.get(cells[3].strip().lower(), cells[3])
        if any(cells):
            yield index, cells


def _joined(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        raise ValidationError(
            _("入会日期“%(v)s”不是有效日期（应为 2025-05-29 的格式）。") % {"v": text}
        ) from None


def _staged(batch_id: int, line: int, cells: list[str]) -> MemberImportRow:
    """One row with the checks it can fail alone. A valid ID is staged normalised; anything else as typed."""
    code, name, id_text, in_registry, joined = cells
    problems: list[str] = []
    row = MemberImportRow(
        batch_id=batch_id,
        row_number=line,
        village_code=code[:40],
        name=name[:100],
        in_registry=in_registry[:10],
        joined_text=joined[:40],
    )
    if not code:
        problems.append(_("请填写村(社区)代码。"))
    if in_registry not in (YES, NO, ""):
        problems.append(_("“户籍库人员”应填“是”或“否”。"))
    row.id_number, row.id_masked = id_text[:40], mask_id(id_text[:40])
    if id_text:
        try:
            number = parse_resident_id(id_text).number
            row.id_number, row.id_masked, row.id_index = number, mask_id(number), id_lookup_key(number)
        except DomainError as exc:
            problems.append(str(exc))
    elif in_registry == YES:
        problems.append(_("户籍库人员须填写身份证号。"))
    if not name and in_registry != YES:
        problems.append(_("姓名不能为空。"))
    try:
        row.joined_on = _joined(joined)
        if row.joined_on > timezone.localdate():
            problems.append(_("入会日期不能晚于今天。"))
    except DomainError as exc:
        problems.append(str(exc))
    row.status = ImportRowStatus.INVALID if problems else ImportRowStatus.PENDING
    row.error = "；".join(problems)
    return row


def load_rows(batch: MemberImport, content: bytes, *, progress: Any = None) -> int:
    """Stage the file's rows in chunks. Restartable: leftovers of an interrupted load are removed first."""
    progress = progress or Quiet()
    if batch.loaded_at is not None:
        return batch.total_rows
    batch.rows.all().delete()
    pending: list[MemberImportRow] = []
    total = 0
    for line, cells in _cells(content):
        pending.append(_staged(batch.pk, line, cells))
        if len(pending) >= LOAD_CHUNK:
            MemberImportRow.objects.bulk_create(pending)
            total += len(pending)
            progress.step(len(pending), message=_("已读入 %(n)d 行") % {"n": total})
            pending = []
    with transaction.atomic():
        MemberImportRow.objects.bulk_create(pending)
        total += len(pending)
        batch.total_rows, batch.loaded_at = total, timezone.now()
        batch.save(update_fields=["total_rows", "loaded_at"])
    progress.step(len(pending), message=_("已读入 %(n)d 行") % {"n": total})
    return total


# --- validation --------------------------------------------------------------------------------------------


def _villages(batch: MemberImport, codes: set[str]) -> dict[str, OrgUnit | str]:
    """Each code's branch, or the message saying why rows of that code cannot be imported."""
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in=codes).only("pk", "code", "name", "path", "closed_on")
    }
    out: dict[str, OrgUnit | str] = {}
    for code in codes:
        unit = units.get(code)
        if (
            unit is None
            or not unit.path.startswith(batch.org_unit.path)
            or not scoping.can(batch.actor, MANAGE_MEMBERS, unit)
        ):
            out[code] = _("村(社区)代码 %(code)s 不存在或不在“%(root)s”之内。") % {
                "code": code,
                "root": batch.org_unit.name,
            }
        elif not unit.is_open:
            out[code] = _("代码 %(code)s 对应的协会已撤销。") % {"code": code}
        else:
            out[code] = unit
    return out


def _persons(keys: set[str]) -> dict[str, Person]:
    """Registry persons by ID blind index, one query per LOOKUP_CHUNK IDs, across branches: a member file
    names people of every village of the import's branch, and only their existence and life are read."""
    found: dict[str, Person] = {}
    ordered = sorted(keys)
    people = Person.objects.unscoped("an import looks its rows' ID numbers up by blind index")
    for i in range(0, len(ordered), LOOKUP_CHUNK):
        for p in people.filter(id_index__in=ordered[i : i + LOOKUP_CHUNK]).only(
            "pk", "name", "id_index", "died_on"
        ):
            found[p.id_index or ""] = p
    return found


def _memberships(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, int]]:
    """For (branch, person) pairs: an active membership, else a lapsed one (its status and id)."""
    persons = sorted({p for _u, p in pairs})
    found: dict[tuple[int, int], tuple[str, int]] = {}
    members = Member.objects.unscoped("an import checks its persons' memberships in its own branches")
    for i in range(0, len(persons), LOOKUP_CHUNK):
        rows = members.filter(
            person_id__in=persons[i : i + LOOKUP_CHUNK],
            status__in=[MemberStatus.ACTIVE, MemberStatus.LAPSED],
        ).values_list("org_unit_id", "person_id", "status", "pk")
        for unit_id, person_id, status, pk in rows:
            key = (unit_id, person_id)
            if key in pairs and (key not in found or status == MemberStatus.ACTIVE):
                found[key] = (status, pk)
    return found


def validate_batch(batch: MemberImport, *, progress: Any = None) -> MemberImport:
    """Give every staged row its verdict and what it will do, then the batch its counts. Validating a
    validated batch does nothing."""
    progress = progress or Quiet()
    if batch.validated_at is not None:
        return batch
    rows = list(batch.rows.all().defer("id_number").order_by("row_number"))
    places = _villages(batch, {r.village_code for r in rows if r.village_code})
    persons = _persons({r.id_index for r in rows if r.in_registry == YES and r.id_index})
    seen: dict[tuple[int, int], int] = {}
    for r in rows:
        problems = [r.error] if r.error else []
        place = places.get(r.village_code)
        if isinstance(place, str):
            problems.append(place)
        else:
            r.org_unit = place
        if r.in_registry == YES and r.id_index:
            person = persons.get(r.id_index)
            if person is None:
                problems.append(
                    _("身份证号 %(id)s 的人员不在户籍库中：请先在户籍库登记，或把“户籍库人员”改为“否”。")
                    % {"id": r.id_masked}
                )
            elif person.died_on is not None:
                problems.append(_("身份证号对应的人员已登记死亡。"))
            else:
                r.person = person
                r.name = r.name or person.name[:100]
                if isinstance(place, OrgUnit):
                    key = (place.pk, person.pk)
                    if key in seen:
                        problems.append(_("与第%(row)d行是同一人、同一协会。") % {"row": seen[key]})
                    seen.setdefault(key, r.row_number)
        r.error = "；".join(problems)
    held = _memberships(
        {(r.org_unit_id, r.person_id) for r in rows if r.org_unit_id and r.person_id and not r.error}
    )
    for r in rows:
        r.action = ""
        if not r.error and r.person_id:
            status, pk = held.get((r.org_unit_id or 0, r.person_id), ("", 0))
            if status == MemberStatus.ACTIVE:
                r.error = _("%(name)s 已是该协会的在册会员。") % {"name": r.name}
            elif status == MemberStatus.LAPSED:
                r.action, r.member_id = ImportAction.REINSTATE, pk
        if not r.error and not r.action:
            r.action = ImportAction.CREATE
        r.status = ImportRowStatus.INVALID if r.error else ImportRowStatus.VALID
        if r.error:
            r.action, r.member_id = "", None
    progress.set_total(len(rows))
    with transaction.atomic():
        for i in range(0, len(rows), LOAD_CHUNK):
            chunk = rows[i : i + LOAD_CHUNK]
            MemberImportRow.objects.bulk_update(
                chunk, ["status", "action", "error", "name", "org_unit", "person", "member"], batch_size=500
            )
            progress.step(len(chunk), message=_("已校验 %(n)d 行") % {"n": i + len(chunk)})
        batch.to_create = sum(r.action == ImportAction.CREATE for r in rows)
        batch.to_reinstate = sum(r.action == ImportAction.REINSTATE for r in rows)
        batch.invalid_rows = sum(r.status == ImportRowStatus.INVALID for r in rows)
        batch.status, batch.validated_at = ImportStatus.VALIDATED, timezone.now()
        batch.save(update_fields=["to_create", "to_reinstate", "invalid_rows", "status", "validated_at"])
        log(
            batch,
            "association.member_import.validated",
            actor=batch.actor,
            org_unit=batch.org_unit,
            data={
                "rows": batch.total_rows,
                "create": batch.to_create,
                "reinstate": batch.to_reinstate,
                "errors": batch.invalid_rows,
            },
        )
    return batch


# --- commit ------------------------------------------------------------------------------------------------


def already_committed_message(batch: MemberImport) -> str:
    when = timezone.localtime(batch.committed_at) if batch.committed_at else None
    return _("该文件已于%(when)s导入（批次 #%(id)d，%(n)d名会员）。") % {
        "when": date_format(when, "Y-m-d H:i") if when else "—",
        "id": batch.pk,
        "n": batch.imported_rows,
    }


def member_import_commit_submit(*, actor: Actor, batch: MemberImport) -> Any:
    """The preview's confirm: queue the commit as a durable job, keyed by the batch (a double click queues
    one job)."""
    scoping.require(actor, MANAGE_MEMBERS, batch.org_unit, visible_perm=VIEW)
    return commit_queue(
        batch, actor=actor, kind=MEMBERS_IMPORT_COMMIT, committed=already_committed_message(batch)
    )


def commit_batch(batch: MemberImport, *, actor: Actor | None = None, progress: Any = None) -> MemberImport:
    """Import the valid rows range by range, resuming after the checkpoint."""
    progress = progress or Quiet()
    batch.refresh_from_db()
    if batch.status == ImportStatus.COMMITTED:
        return batch
    actor = commit_runs_as(batch, actor)
    scoping.require(actor, MANAGE_MEMBERS, batch.org_unit, visible_perm=VIEW)
    check(MEMBER_TRANSITIONS, MemberStatus.LAPSED, MemberStatus.ACTIVE)
    progress.set_total(batch.valid_rows)
    progress.step(batch.imported_rows)
    while True:
        done = _commit_range(batch, actor)
        if done is None:
            break
        progress.step(done, message=_("已导入 %(n)d 名会员") % {"n": batch.imported_rows})
    return commit_close(
        batch,
        actor=actor,
        action="association.members.imported",
        data=lambda b: {
            "rows": b.imported_rows,
            "rejected": b.invalid_rows,
            "file_rows": b.total_rows,
            "sha256": b.digest,
        },
    )


def _commit_range(batch: MemberImport, actor: Actor) -> int | None:
    """One transaction: the next COMMIT_ROWS valid rows after the checkpoint. Returns the rows handled, or
    None when there were none left."""
    with transaction.atomic():
        rows = list(
            batch.rows.filter(status=ImportRowStatus.VALID, row_number__gt=batch.commit_checkpoint)
            .select_related("org_unit")
            .defer("id_number")
            .order_by("row_number")[:COMMIT_ROWS]
        )
        if not rows:
            return None
        members = Member.objects.unscoped("an import's commit re-checks its own rows' memberships")
        # Someone may have enrolled or re-registered one of these people since validation: that row waits.
        active = set(
            members.filter(
                person_id__in=[r.person_id for r in rows if r.person_id], status=MemberStatus.ACTIVE
            ).values_list("org_unit_id", "person_id")
        )
        lapsed = set(
            members.select_for_update()
            .filter(
                pk__in=[r.member_id for r in rows if r.action == ImportAction.REINSTATE],
                status=MemberStatus.LAPSED,
            )
            .values_list("pk", flat=True)
        )
        refused: list[MemberImportRow] = []
        gone = {ImportAction.CREATE: 0, ImportAction.REINSTATE: 0}
        creates: dict[int, list[MemberImportRow]] = {}
        reinstates: list[MemberImportRow] = []
        for r in rows:
            if r.person_id and (r.org_unit_id, r.person_id) in active:
                r.error = _("导入时发现 %(name)s 已是该协会的在册会员。") % {"name": r.name}
            elif r.action == ImportAction.REINSTATE and r.member_id not in lapsed:
                r.error = _("导入时发现该会员的会籍已有变化，未恢复。")
            elif r.org_unit is None or not r.org_unit.is_open:
                r.error = _("导入时发现该协会已撤销。")
            if r.error:
                gone[ImportAction(r.action)] += 1
                r.status, r.action, r.member_id = ImportRowStatus.INVALID, "", None
                refused.append(r)
            elif r.action == ImportAction.REINSTATE:
                reinstates.append(r)
            else:
                creates.setdefault(r.org_unit_id or 0, []).append(r)
        names = dict(
            Person.objects.unscoped("the registry names of an import's own valid rows")
            .filter(pk__in=[r.person_id for r in rows if r.person_id])
            .values_list("pk", "name")
        )
        new: list[Member] = []
        for _unit_id, group in sorted(creates.items()):  # card sequences locked in a fixed order
            unit = group[0].org_unit
            assert unit is not None
            for r, card in zip(group, card_numbers(unit, len(group)), strict=True):
                assert r.joined_on is not None  # a valid row has its joining date
                r.member = Member(
                    org_unit=unit,
                    kind=MemberKind.INDIVIDUAL,
                    person_id=r.person_id,
                    name=names.get(r.person_id or 0, r.name)[:100],
                    card_no=card,
                    joined_on=r.joined_on,
                )
                new.append(r.member)
        Member.objects.bulk_create(new, batch_size=1000)
        log_many(new, "association.member.imported", actor=actor, data={"import": batch.pk})
        back = [r.member_id for r in reinstates]
        if back:
            members.filter(pk__in=back).update(status=MemberStatus.ACTIVE, ended_on=None)
            log_many(
                list(members.filter(pk__in=back).only("pk", "org_unit_id", "name", "card_no")),
                "association.member.reinstated",
                actor=actor,
                data={"import": batch.pk},
            )
        for r in rows:
            if not r.error:
                r.status, r.member_id = ImportRowStatus.IMPORTED, r.member.pk if r.member else r.member_id
        MemberImportRow.objects.bulk_update(rows, ["status", "action", "error", "member"], batch_size=500)
        # Once a row is a member, its staged ID number is no longer needed.
        MemberImportRow.objects.filter(
            pk__in=[r.pk for r in rows if r.status == ImportRowStatus.IMPORTED]
        ).update(id_number="")
        last = rows[-1].row_number
        MemberImport.objects.filter(pk=batch.pk).update(
            imported_rows=F("imported_rows") + len(new) + len(reinstates),
            to_create=F("to_create") - gone[ImportAction.CREATE],
            to_reinstate=F("to_reinstate") - gone[ImportAction.REINSTATE],
            invalid_rows=F("invalid_rows") + len(refused),
            commit_checkpoint=last,
        )
    batch.imported_rows += len(new) + len(reinstates)
    batch.to_create -= gone[ImportAction.CREATE]
    batch.to_reinstate -= gone[ImportAction.REINSTATE]
    batch.invalid_rows += len(refused)
    batch.commit_checkpoint = last
    return len(rows)


# --- the error workbook ------------------------------------------------------------------------------------


def error_workbook_available(*, actor: Actor, batch: MemberImport) -> bool:
    """Only the uploader, and only for ERROR_FILE_LIFETIME after the upload."""
    return (
        batch.actor_id == getattr(actor, "pk", None)
        and batch.invalid_rows > 0
        and timezone.now() - batch.created_at <= ERROR_FILE_LIFETIME
    )


def member_import_errors(*, actor: Actor, batch: MemberImport) -> bytes:
    """The rows in error as typed (full ID numbers: the uploader's own data) with a 错误原因 column after
    the template's columns, so the fixed file can be uploaded again as it is. Audited; anyone but the
    uploader, or after expiry, gets the same NotFound as a missing batch."""
    scoping.require(actor, MANAGE_MEMBERS, batch.org_unit, visible_perm=VIEW)
    if not error_workbook_available(actor=actor, batch=batch):
        raise NotFound(
            _("错误文件只提供给上传人，且在上传后 %(days)d 天内有效。") % {"days": ERROR_FILE_LIFETIME.days}
        )
    out = io.BytesIO()
    rows = batch.rows.filter(status=ImportRowStatus.INVALID).order_by("row_number")
    with XlsxStream(out, "错误", widths=[16, 10, 22, 10, 12, 60]) as sheet:
        sheet.append([*HEADERS, _("错误原因")])
        for r in rows.iterator(chunk_size=2000):
            sheet.append([r.village_code, r.name, r.id_number, r.in_registry, r.joined_text, r.error])
    log(
        batch,
        "association.member_import.errors_downloaded",
        actor=actor,
        org_unit=batch.org_unit,
        data={"rows": batch.invalid_rows},
    )
    return out.getvalue()
