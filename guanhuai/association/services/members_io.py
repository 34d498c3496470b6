"""Excel import and export of members, on the registry's conventions: the quick checks of the file in the
request (`core.excel.check_upload`: size, format, the template's header, a data row), then a durable job
keyed by the file's SHA-256 and the branch (the same file under the same branch leads back to its job, so
it is never imported twice), every row checked before anything is written, and, when any row is wrong, an
error workbook (the rows as typed plus a 错误 column) as the job's result and nothing imported.

A row's checks: the village code is a branch inside the import's branch and the actor's scope; the ID
number's checksum (GB 11643) and date; 户籍库人员=是 means the person must be found in the registry (by the
ID's blind index) and be alive; no second active membership in the same branch (in the database or twice
in the file); the joining date is a real date, not in the future."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.association.models import Member
from guanhuai.association.permissions import MANAGE_MEMBERS, VIEW
from guanhuai.association.services.members import card_numbers
from guanhuai.association.states import MemberKind, MemberStatus
from guanhuai.audit.services import log, log_many
from guanhuai.core.errors import DomainError, ValidationError
from guanhuai.core.excel import cell_text, check_upload, read_upload, sheet_rows
from guanhuai.core.validators import parse_resident_id
from guanhuai.core.xlsx_stream import XlsxStream
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry.models import Person
from guanhuai.registry.services import id_lookup_key

MEMBERS_IMPORT = "association.members_import"
HEADERS = ["村(社区)代码", "姓名", "身份证号", "户籍库人员", "入会日期"]
MAX_BYTES = 20 * 1024 * 1024
YES, NO = "是", "否"
# "户籍库人员" may be answered in either language (an English-speaking clerk types yes/no).
ANSWERS = {"yes": YES, "y": YES, "true": YES, "1": YES, "no": NO, "n": NO, "false": NO, "0": NO}


def import_template() -> bytes:
    out = io.BytesIO()
    with XlsxStream(out, "会员", widths=[16, 10, 22, 10, 12]) as sheet:
        sheet.append(HEADERS)
    return out.getvalue()


def members_import_submit(*, actor: Actor, org_unit: OrgUnit, upload: Any) -> Any:
    """Check the file quickly, then queue the import job; the same file under the same branch returns the
    job it already made."""
    from guanhuai.jobs.services import job_submit

    scoping.require(actor, MANAGE_MEMBERS, org_unit, visible_perm=VIEW)
    content = read_upload(upload, max_bytes=MAX_BYTES)
    check_upload(
        content,
        max_bytes=MAX_BYTES,
        expected=HEADERS,
        no_rows_message=_("文件中没有会员数据。"),
        reader=sheet_rows,
    )
    digest = hashlib.sha256(content).hexdigest()
    job, _created = job_submit(
        actor=actor,
        kind=MEMBERS_IMPORT,
        idempotency_key=f"{MEMBERS_IMPORT}:{org_unit.pk}:{digest}"[:120],
        params={"org_unit_id": org_unit.pk},
        org_unit=org_unit,
        input_name="members.xlsx",
        input_content=content,
    )
    return job


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        raise ValidationError(
            _("入会日期“%(v)s”不是有效日期（应为 2025-05-29 的格式）。") % {"v": text}
        ) from None


def _rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    rows = sheet_rows(content)
    next(rows, None)
    for index, row in enumerate(rows, start=2):
        cells = [cell_text(v) for v in row[: len(HEADERS)]]
        cells += [""] * (len(HEADERS) - len(cells))
        cells[3] = ANSWERS.get(cells[3].strip().lower(), cells[3])
        if any(cells):
            yield index, cells


def members_import_run(*, actor: Actor, org_unit: OrgUnit, content: bytes) -> dict[str, Any]:
    """Check every row, then import all of them in one transaction or none. Returns the counts and, when
    rows are wrong, the error workbook's bytes under "errors_file"."""
    rows = list(_rows(content))
    codes = {cells[0] for _n, cells in rows}
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in=codes).only("pk", "code", "name", "path", "closed_on")
    }
    ids: dict[int, str] = {}
    errors: dict[int, list[str]] = {}
    for n, cells in rows:
        problems = errors.setdefault(n, [])
        code, name, id_text, in_registry, joined = cells
        unit = units.get(code)
        if (
            unit is None
            or not unit.path.startswith(org_unit.path)
            or not scoping.can(actor, MANAGE_MEMBERS, unit)
        ):
            problems.append(
                _("村(社区)代码 %(code)s 不存在或不在“%(root)s”之内。")
                % {"code": code, "root": org_unit.name}
            )
        elif not unit.is_open:
            problems.append(_("代码 %(code)s 对应的协会已撤销。") % {"code": code})
        if in_registry not in (YES, NO, ""):
            problems.append(_("“户籍库人员”应填“是”或“否”。"))
        if id_text:
            try:
                ids[n] = parse_resident_id(id_text).number
            except DomainError as exc:
                problems.append(str(exc))
        elif in_registry == YES:
            problems.append(_("户籍库人员须填写身份证号。"))
        if not name and in_registry != YES:
            problems.append(_("姓名不能为空。"))
        try:
            day = _date(joined)
            if day > timezone.localdate():
                problems.append(_("入会日期不能晚于今天。"))
        except DomainError as exc:
            problems.append(str(exc))
    # Registry persons, one query per 2,000 IDs (by blind index, like the registry's own import).
    cells_of = dict(rows)
    wanted = {n: id_lookup_key(number) for n, number in ids.items() if cells_of[n][3] == YES}
    persons: dict[str, Person] = {}
    keys = sorted(set(wanted.values()))
    for i in range(0, len(keys), 2000):
        for p in Person.objects.filter(id_index__in=keys[i : i + 2000]).only(
            "pk", "name", "id_index", "died_on", "id_masked"
        ):
            persons[p.id_index or ""] = p
    seen: dict[tuple[str, int], int] = {}
    planned: list[tuple[int, OrgUnit, str, Person | None, dt.date]] = []
    for n, cells in rows:
        problems = errors[n]
        code, name, _id_text, in_registry, joined = cells
        person = None
        if n in wanted:
            person = persons.get(wanted[n])
            if person is None:
                problems.append(
                    _("身份证号 %(id)s 的人员不在户籍库中：请先在户籍库登记，或把“户籍库人员”改为“否”。")
                    % {"id": ids[n][:6] + "********" + ids[n][-4:]}
                )
            elif person.died_on is not None:
                problems.append(_("身份证号对应的人员已登记死亡。"))
        unit = units.get(code)
        if person is not None and unit is not None:
            key = (code, person.pk)
            if key in seen:
                problems.append(_("与第%(row)d行是同一人、同一协会。") % {"row": seen[key]})
            seen.setdefault(key, n)
        if not problems and unit is not None:
            planned.append((n, unit, name if person is None else person.name, person, _date(joined)))
    if planned:
        existing = set(
            Member.objects.filter(
                status=MemberStatus.ACTIVE,
                person_id__in=[p.pk for _n, _u, _name, p, _d in planned if p is not None],
            ).values_list("org_unit_id", "person_id")
        )
        for n, unit, _name, person, _d in planned:
            if person is not None and (unit.pk, person.pk) in existing:
                errors[n].append(_("%(name)s 已是该协会的在册会员。") % {"name": person.name})
    bad = {n: msgs for n, msgs in errors.items() if msgs}
    if bad:
        return {
            "rows": len(rows),
            "imported": 0,
            "errors": len(bad),
            "errors_file": error_workbook(rows, bad),
        }
    with transaction.atomic():
        members: list[Member] = []
        by_unit: dict[int, list[tuple[int, OrgUnit, str, Person | None, dt.date]]] = {}
        for item in planned:
            by_unit.setdefault(item[1].pk, []).append(item)
        for items in by_unit.values():
            cards = card_numbers(items[0][1], len(items))
            for (_n, unit, name, person, day), card in zip(items, cards, strict=True):
                members.append(
                    Member(
                        org_unit=unit,
                        kind=MemberKind.INDIVIDUAL,
                        person=person,
                        name=name,
                        card_no=card,
                        joined_on=day,
                    )
                )
        Member.objects.bulk_create(members, batch_size=2000)
        log_many(members, "association.member.imported", actor=actor)
        log(
            org_unit,
            "association.members.imported",
            actor=actor,
            org_unit=org_unit,
            data={"rows": len(members)},
        )
    return {"rows": len(rows), "imported": len(members), "errors": 0}


def error_workbook(rows: list[tuple[int, list[str]]], bad: dict[int, list[str]]) -> bytes:
    """Every row as typed, with its row number and what is wrong (empty for the rows that were right), so
    the file can be fixed and uploaded again whole."""
    out = io.BytesIO()
    with XlsxStream(out, "错误", widths=[8, 16, 10, 22, 10, 12, 60]) as sheet:
        sheet.append([_("行号"), *HEADERS, _("错误")])
        for n, cells in rows:
            sheet.append([n, *cells, "；".join(bad.get(n, []))])
    return out.getvalue()


EXPORT_HEADERS = ["会员证号", "姓名", "会员类型", "所属协会", "状态", "入会日期", "终止日期"]


def members_export(rows: Any, out: Any) -> int:
    """Write a scoped member queryset (selectors.member_list) to `out` as .xlsx, streamed; no ID numbers."""
    labels_kind = dict(MemberKind.choices)
    labels_status = dict(MemberStatus.choices)
    count = 0
    with XlsxStream(out, "会员", widths=[20, 12, 10, 20, 10, 12, 12]) as sheet:
        sheet.append(EXPORT_HEADERS)
        for m in rows.values_list(
            "card_no", "name", "kind", "org_unit__name", "status", "joined_on", "ended_on"
        ).iterator(chunk_size=5000):
            sheet.append(
                [
                    m[0],
                    m[1],
                    str(labels_kind.get(m[2], m[2])),
                    m[3],
                    str(labels_status.get(m[4], m[4])),
                    m[5],
                    m[6],
                ]
            )
            count += 1
    return count
