"""/api/v1/registry/imports endpoints: staging, validation and commit of Excel imports.

No `from __future__ import annotations`: ninja reads annotations at import time."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Schema
from ninja.files import UploadedFile

from guanhuai.core import excel
from guanhuai.core.api import READ, WRITE, PageQuery, created_or_replayed, one_page
from guanhuai.core.api import actor as actor_of
from guanhuai.core.api.imports import ImportBatchOut
from guanhuai.jobs.api import JobOut, job_accepted
from guanhuai.registry import imports
from guanhuai.registry.api.common import IMPORTS, persons_unit, router
from guanhuai.registry.api.schemas import PlaceRef

# --- Excel imports (staging, validation, commit: guanhuai.registry.imports) ------------------------------


class ImportRowOut(Schema):
    row_number: int = Field(..., description="Excel 中的行号")
    household_number: str
    village_code: str
    name: str
    id_masked: str
    relation: str
    error: str = Field(..., description="错误原因（中文）")


class BatchOut(ImportBatchOut):
    org_unit: PlaceRef
    valid_rows: int
    households_created: int


class BatchSubmittedOut(BatchOut):
    job: JobOut | None = Field(None, description="校验任务（新上传时）")


class BatchDetailOut(BatchOut):
    errors: list[ImportRowOut] = Field(..., description="错误行（按行号，分页：limit/offset）")
    errors_count: int


@router.post(
    "/registry/imports",
    response={200: BatchSubmittedOut, 202: BatchSubmittedOut, **WRITE},
    tags=IMPORTS,
    summary="上传户籍人口Excel（后台读入并校验）",
    description=(
        "multipart：file（按模板填写的 .xlsx、.xls 或 .ods）、org_unit_id（导入范围：文件中的村(社区)须在其下）。"
        "文件大小、格式、表头和空文件在请求中检查（422，什么也不写）；逐行校验在后台任务中进行，"
        "用 GET /registry/imports/{batch_id} 查看结果。同一文件（按内容）在同一组织下只建一个批次："
        "新批次返回 202；重复上传返回 200 和原批次（已导入的不会重复导入）。403：无权导入。"
    ),
)
def import_upload(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    org_unit_id: int = Form(...),
) -> Any:
    actor = actor_of(request)
    org_unit = persons_unit(request, org_unit_id)
    content = excel.read_upload(file, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
    batch, created = imports.batch_submit(
        actor=actor, org_unit=org_unit, content=content, file_name=file.name or ""
    )
    batch = imports.batch_get(actor=actor, batch_id=batch.pk)  # fresh: an inline task may have run already
    batch.job = batch.validate_job if created else None  # type: ignore[attr-defined]
    return created_or_replayed(created, batch, status=202)


@router.get(
    "/registry/imports/{int:batch_id}",
    response={200: BatchDetailOut, **READ},
    tags=IMPORTS,
    summary="导入批次：有效与错误行数、错误行及原因",
    description="错误行只显示脱敏的身份证号。404：批次不存在或不在您可导入的范围内。",
)
def import_detail(request: HttpRequest, batch_id: int, page: Query[PageQuery]) -> Any:
    batch = imports.batch_get(actor=actor_of(request), batch_id=batch_id)
    rows, count = one_page(imports.invalid_rows(batch=batch), page)
    batch.errors, batch.errors_count = rows, count  # type: ignore[attr-defined]
    return batch


@router.post(
    "/registry/imports/{int:batch_id}/commit",
    response={202: JobOut, **WRITE},
    tags=IMPORTS,
    summary="导入有效记录（后台任务）",
    description=(
        "有效行按户批量导入；错误行所在的整户留待修改后重新上传。重复提交返回同一个任务。"
        "409：仍在校验中，或该文件已导入；422：没有有效记录；403：无权导入；404：批次不存在或不在范围内。"
    ),
)
def import_commit(request: HttpRequest, batch_id: int) -> Any:
    actor = actor_of(request)
    batch = imports.batch_get(actor=actor, batch_id=batch_id)
    job = imports.commit_submit(actor=actor, batch=batch)
    return job_accepted(actor, job)
