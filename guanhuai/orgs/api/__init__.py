"""/api/v1/orgunits: the branch tree. Thin: selectors read (scoped), services write; domain errors become
`{"code", "message"}` with their status through the API kit (guanhuai.core.api).

No `from __future__ import annotations`: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from guanhuai.core.api import AUTH_ERRORS, LIST, WRITE, ErrorOut, paginate, patch_data
from guanhuai.core.api import actor as actor_of
from guanhuai.core.excel import read_upload
from guanhuai.jobs.api import job_accepted
from guanhuai.jobs.services import job_submit
from guanhuai.orgs import excel, selectors, services
from guanhuai.orgs.jobs import IMPORT_TREE
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.orgs.permissions import MANAGE_UNITS

router = Router(tags=["orgunits"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    level: str
    level_label: str = Field(alias="get_level_display")
    kind: str
    kind_label: str
    parent_id: int | None
    depth: int
    opened_on: dt.date | None
    closed_on: dt.date | None
    merged_into_id: int | None
    is_open: bool

    @staticmethod
    def resolve_kind_label(obj: OrgUnit) -> str:
        return str(obj.get_kind_display()) if obj.kind else ""


class ChildOut(UnitOut):
    descendant_counts: dict[str, int] = Field(description="open units below this child, per level")


class CountsOut(Schema):
    unit_id: int
    counts: dict[str, int] = Field(description="units below the unit, per level (levels below it only)")


class UnitCreateIn(Schema):
    parent_id: int | None = Field(None, description="the parent's id; or give parent_code")
    parent_code: str | None = Field(None, description="the parent's division code")
    code: str
    name: str
    level: Level
    kind: str = ""
    opened_on: dt.date | None = None


class UnitPatchIn(Schema):
    name: str | None = None
    code: str | None = None
    kind: str | None = None
    opened_on: dt.date | None = None


class UnitMoveIn(Schema):
    new_parent_id: int | None = None
    new_parent_code: str | None = None
    effective_on: dt.date | None = None
    note: str = Field("", max_length=500)


class MergeIn(Schema):
    into_id: int | None = None
    into_code: str | None = None
    effective_on: dt.date | None = None
    note: str = Field("", max_length=500)


class CloseIn(Schema):
    closed_on: dt.date | None = None
    note: str = Field("", max_length=500)


class ImportJobOut(Schema):
    id: int
    kind: str
    status: str
    progress_done: int
    progress_total: int
    counts: dict[str, Any]
    error: str
    created_at: dt.datetime


# A unit's reads: the kit's READ without its own 422 (the API root adds one to every operation).
READ = {**AUTH_ERRORS, 404: ErrorOut}


def _ref(request: HttpRequest, unit_id: int | None, code: str | None) -> OrgUnit:
    return selectors.unit_ref(actor=actor_of(request), unit_id=unit_id, code=code or "")


@router.get("", response={200: list[UnitOut], **LIST}, summary="组织列表（仅本人辖区）")
@paginate
def unit_list(
    request: HttpRequest,
    parent: int | None = None,
    level: Level | None = None,
    q: str = "",
    include_closed: bool = False,
) -> Any:
    return selectors.unit_list(
        actor=actor_of(request),
        parent_id=parent,
        level=level or "",
        q=q.strip(),
        include_closed=include_closed,
    ).order_by("path")


@router.get("/{int:unit_id}", response={200: UnitOut, **READ}, summary="组织详情")
def unit_detail(request: HttpRequest, unit_id: int) -> Any:
    return selectors.unit_get(actor=actor_of(request), unit_id=unit_id)


@router.get("/{int:unit_id}/children", response={200: list[ChildOut], **READ}, summary="直接下级及其下辖数")
def unit_children(request: HttpRequest, unit_id: int, include_closed: bool = False) -> Any:
    unit = selectors.unit_get(actor=actor_of(request), unit_id=unit_id)
    return selectors.children_with_counts(actor=actor_of(request), unit=unit, include_closed=include_closed)


@router.get("/{int:unit_id}/counts", response={200: CountsOut, **READ}, summary="下辖各级组织数")
def unit_counts(request: HttpRequest, unit_id: int, include_closed: bool = False) -> Any:
    unit = selectors.unit_get(actor=actor_of(request), unit_id=unit_id)
    return {
        "unit_id": unit.pk,
        "counts": selectors.level_counts(actor=actor_of(request), unit=unit, include_closed=include_closed),
    }


@router.post("", response={201: UnitOut, **WRITE}, summary="新建组织")
def unit_create(request: HttpRequest, payload: UnitCreateIn) -> Any:
    parent = None
    if payload.parent_id is not None or payload.parent_code:
        parent = _ref(request, payload.parent_id, payload.parent_code)
    unit = services.unit_create(
        actor=actor_of(request),
        parent=parent,
        code=payload.code,
        name=payload.name,
        level=payload.level,
        kind=payload.kind,
        opened_on=payload.opened_on,
    )
    return Status(201, unit)


@router.patch("/{int:unit_id}", response={200: UnitOut, **WRITE}, summary="修改组织")
def unit_update(request: HttpRequest, unit_id: int, payload: UnitPatchIn) -> Any:
    unit = selectors.unit_get(actor=actor_of(request), unit_id=unit_id)
    return services.unit_update(actor=actor_of(request), unit=unit, **patch_data(payload, OrgUnit))


@router.post("/{int:unit_id}/move", response={200: UnitOut, **WRITE}, summary="调整隶属关系（连同全部下级）")
def unit_move(request: HttpRequest, unit_id: int, payload: UnitMoveIn) -> Any:
    unit = selectors.unit_get(actor=actor_of(request), unit_id=unit_id)
    new_parent = _ref(request, payload.new_parent_id, payload.new_parent_code)
    return services.unit_move(
        actor=actor_of(request),
        unit=unit,
        new_parent=new_parent,
        effective_on=payload.effective_on,
        note=payload.note,
    )


@router.post("/{int:unit_id}/merge", response={200: UnitOut, **WRITE}, summary="合并到同级组织")
def unit_merge(request: HttpRequest, unit_id: int, payload: MergeIn) -> Any:
    unit = selectors.unit_get(actor=actor_of(request), unit_id=unit_id)
    into = _ref(request, payload.into_id, payload.into_code)
    return services.unit_merge(
        actor=actor_of(request), unit=unit, into=into, effective_on=payload.effective_on, note=payload.note
    )


@router.post("/{int:unit_id}/close", response={200: UnitOut, **WRITE}, summary="撤销组织")
def unit_close(request: HttpRequest, unit_id: int, payload: CloseIn) -> Any:
    unit = selectors.unit_get(actor=actor_of(request), unit_id=unit_id)
    return services.unit_close(
        actor=actor_of(request), unit=unit, closed_on=payload.closed_on, note=payload.note
    )


@router.post(
    "/import",
    response={
        200: ImportJobOut,
        202: ImportJobOut,
        **AUTH_ERRORS,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    summary="Excel导入组织架构（后台任务）",
    description="multipart：file（按模板填写的 .xlsx）、idempotency_key（同一个键只建一个任务）、org_unit_id（"
    "任务所属组织）。新任务返回 202；重复提交返回 200 和原任务。文件格式、表头、大小在请求中检查（422），"
    "逐行校验在任务中进行：任何一行有错则不写入，任务失败并附错误文件。",
)
def tree_import(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    idempotency_key: str = Form(..., min_length=1, max_length=64),
    org_unit_id: int = Form(...),
) -> Any:
    org_unit = selectors.unit_ref(actor=actor_of(request), unit_id=org_unit_id, perm=MANAGE_UNITS)
    content = read_upload(file, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
    excel.check_upload(content, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
    job, created = job_submit(
        actor=actor_of(request),
        kind=IMPORT_TREE,
        idempotency_key=f"{IMPORT_TREE}:{actor_of(request).pk}:{idempotency_key}",
        org_unit=org_unit,
        input_name=excel.safe_name(file.name or ""),
        input_content=content,
    )
    return job_accepted(actor_of(request), job, created=created)
