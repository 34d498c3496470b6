"""Export of the filtered person list to Excel.

- Scoped: the rows are `selectors.person_list(..., perm=registry.export_persons)`, the same list and
  filters as the person page, clipped to where the actor may export.
- Masked for everyone: only the stored masked copies of the ID and phone are read, never the encrypted
  columns, so no full ID can leave in a file whatever the actor's role (full values are a per-person,
  audited unmask on screen).
- Streamed: rows come through `iterator(chunk_size=2000)` into `core.xlsx_stream` (xlsxwriter in
  constant-memory mode, the faster of the two streaming writers in `guanhuai bench xlsx`).
- Audited: one entry with the filters (an ID typed as the search term is masked) and the row count.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core import crypto
from guanhuai.core.errors import NotFound, ValidationError
from guanhuai.core.masking import mask_id
from guanhuai.core.xlsx_stream import XlsxStream
from guanhuai.jobs.models import Job
from guanhuai.jobs.services import job_submit
from guanhuai.orgs import selectors as org_selectors
from guanhuai.registry import selectors
from guanhuai.registry.permissions import EXPORT_PERSONS, VIEW_PERSONS
from guanhuai.registry.selectors import ID_LIKE, PersonFilters

EXPORT_PERSONS_JOB = "registry.export_persons"
FILTER_KEYS = (
    "q",
    "unit",
    "hukou_type",
    "special_status",
    "sex",
    "age_min",
    "age_max",
    "migrant",
    "alive",
    "order",
)
CHUNK = 2000

# A file format, Chinese whatever the interface language (like the import template).
SEX = {"male": "男", "female": "女"}
HUKOU = {"urban": "城镇", "rural": "农村"}
RELATION = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "sibling": "兄弟姐妹",
    "other": "其他亲属",
}
SPECIAL = {"": "", "bereaved": "失独", "disabled_child": "独生子女伤残"}


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _text(table: dict[str, str]) -> Any:
    return lambda v: table.get(v or "", v or "")


def _same(v: Any) -> Any:
    return "" if v is None else v


# (header, field, how to show it). Only masked copies of sensitive values are listed here.
COLUMNS: list[tuple[str, str, Any]] = [
    ("村(社区)", "org_unit__name", _same),
    ("村(社区)代码", "org_unit__code", _same),
    ("户编号", "household__number", _same),
    ("住址", "household__address", _same),
    ("姓名", "name", _same),
    ("性别", "sex", _text(SEX)),
    ("出生日期", "birth_date", _same),
    ("身份证号(脱敏)", "id_masked", _same),
    ("与户主关系", "relation_to_head", _text(RELATION)),
    ("户籍类型", "hukou_type", _text(HUKOU)),
    ("户籍地", "hukou_place", _same),
    ("联系电话(脱敏)", "phone_masked", _same),
    ("持有光荣证", "only_child_certificate", _yes),
    ("流动人口", "is_migrant", _yes),
    ("现有子女数", "living_children", _same),
    ("特殊家庭", "special_status", _text(SPECIAL)),
    ("死亡日期", "died_on", _same),
]
HEADERS = [c[0] for c in COLUMNS]
WIDTHS = (14, 14, 10, 24, 10, 6, 12, 22, 10, 8, 20, 14, 8, 8, 8, 12, 12)


class _Quiet:
    def set_total(self, total: int) -> None:
        pass

    def step(self, n: int = 1, *, message: str | None = None, force: bool = False, **counts: int) -> None:
        pass


def filter_params(data: Mapping[str, Any]) -> dict[str, str]:
    """The filter part of a query string, as stored in the job (only known keys, short values)."""
    return {k: str(data.get(k, ""))[:80] for k in FILTER_KEYS if data.get(k) not in (None, "")}


def sealed_params(params: Mapping[str, str]) -> dict[str, str]:
    """The filters as stored in a job row: a full ID number typed as the search term is encrypted
    (`q_sealed`), never kept in clear in the job's params (they are shown to whoever may see the job)."""
    sealed = dict(params)
    q = sealed.get("q", "").strip()
    if ID_LIKE.match(q):
        del sealed["q"]
        sealed["q_sealed"] = crypto.encrypt(q)
    return sealed


def unsealed_params(params: Mapping[str, Any]) -> dict[str, Any]:
    opened = {k: v for k, v in params.items() if k != "q_sealed"}
    if params.get("q_sealed"):
        opened["q"] = crypto.decrypt(params["q_sealed"])
    return opened


def filters_from_params(*, actor: Actor, params: Mapping[str, Any]) -> PersonFilters:
    """The person page's filters, read with the person page's own form so both lists are the same. The
    unit is named by division code and must be visible to the actor (else a 422, worded as for a code
    that does not exist)."""
    from guanhuai.registry.forms.people import (
        PersonFilterForm,  # the list page's form: one reading of the filters
    )

    form = PersonFilterForm(dict(params))
    if not form.is_valid():
        problems = [
            f"{form.fields[k].label if k in form.fields else k}：{'；'.join(str(e) for e in v)}"
            for k, v in form.errors.items()
        ]
        raise ValidationError(_("筛选条件有误：%(e)s") % {"e": " ".join(problems)}, code="bad_filters")
    unit = None
    code = (form.cleaned_data.get("unit") or "").strip()
    if code:
        unit = org_selectors.unit_get_by_code(actor=actor, code=code, perm=VIEW_PERSONS)
    return form.to_filters(unit)


def filter_summary(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of each filter in use, for the export page."""
    from guanhuai.registry.forms.people import PersonFilterForm

    fields = PersonFilterForm.base_fields
    summary = []
    for key, value in filter_params(params).items():
        field = fields.get(key)
        if field is None:
            continue
        choices = {str(k): str(v) for k, v in getattr(field, "choices", [])}
        summary.append((str(field.label), choices.get(value, value)))
    return summary


def describe_filters(filters: PersonFilters) -> dict[str, Any]:
    """For the audit entry and the page: what was asked for, with an ID typed as the search term masked."""
    q = filters.q.strip()
    return {
        "q": mask_id(q) if ID_LIKE.match(q) else q,
        "unit": filters.unit.code if filters.unit else "",
        "hukou_type": filters.hukou_type,
        "special_status": filters.special_status,
        "sex": filters.sex,
        "age_min": filters.age_min,
        "age_max": filters.age_max,
        "migrant": filters.migrant,
        "alive": filters.alive,
        "order": filters.order,
    }


def export_count(*, actor: Actor, filters: PersonFilters) -> int:
    return selectors.person_list(actor=actor, filters=filters, perm=EXPORT_PERSONS).count()


def export_persons(
    *,
    actor: Actor,
    filters: PersonFilters,
    out: IO[bytes] | None = None,
    progress: Any = None,
    job: Job | None = None,
) -> bytes:
    """Write the filtered, scoped, masked list as .xlsx to `out` (returns b"") or return its bytes.
    The audit entry is on the job when there is one, otherwise on the actor's unit."""
    if not scoping.can_anywhere(actor, EXPORT_PERSONS):
        raise NotFound(_("未找到该页面，或您无权访问。"))
    progress = progress or _Quiet()
    qs = selectors.person_list(actor=actor, filters=filters, perm=EXPORT_PERSONS)
    progress.set_total(qs.count())
    buffer = io.BytesIO()
    fields = [c[1] for c in COLUMNS]
    shows = [c[2] for c in COLUMNS]
    rows = 0
    with XlsxStream(out if out is not None else buffer, "户籍人口", widths=WIDTHS) as sheet:
        sheet.append(HEADERS)
        for values in qs.values_list(*fields).iterator(chunk_size=CHUNK):
            sheet.append(show(v) for show, v in zip(shows, values, strict=True))
            rows += 1
            if rows % CHUNK == 0:
                progress.step(CHUNK, message=_("已导出 %(n)d 人") % {"n": rows})
    progress.step(rows % CHUNK, message=_("已导出 %(n)d 人") % {"n": rows}, force=True)
    unit = filters.unit or getattr(actor, "home_unit", None)
    with transaction.atomic():
        log(
            job or unit or signed_in(actor),
            "registry.persons.exported",
            actor=actor,
            org_unit=unit,
            data={"filters": describe_filters(filters), "rows": rows, "masked": True},
        )
    if job is not None:
        job.counts["rows"] = rows
    return buffer.getvalue() if out is None else b""


def export_file_name() -> str:
    return f"户籍人口导出_{timezone.localtime():%Y%m%d_%H%M}.xlsx"


def export_submit(*, actor: Actor, params: Mapping[str, Any], request_key: str) -> Job:
    """Queue an export of the list these query parameters describe. The filters are checked now, so a bad
    one is an error on the page rather than a failed job; `request_key` (made when the page was shown)
    makes a double click one job."""
    if not scoping.can_anywhere(actor, EXPORT_PERSONS):
        raise NotFound(_("未找到该页面，或您无权访问。"))
    clean = filter_params(params)
    filters = filters_from_params(actor=actor, params=clean)
    job, _created = job_submit(
        actor=actor,
        kind=EXPORT_PERSONS_JOB,
        idempotency_key=f"{EXPORT_PERSONS_JOB}:{actor.pk}:{request_key}"[:120],
        params={"filters": sealed_params(clean)},
        org_unit=filters.unit if filters.unit and scoping.can(actor, EXPORT_PERSONS, filters.unit) else None,
    )
    return job
