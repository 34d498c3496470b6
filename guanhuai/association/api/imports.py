"""/api/v1/association/member-imports…: the member import's staging, preview and commit over the API, the
same steps as the pages (`association.services.members_import`), like /api/v1/registry/imports.

No `from __future__ import annotations`: ninja reads annotations at import time."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from guanhuai.association import selectors, services
from guanhuai.association.api.common import unit_ref
from guanhuai.association.models import MemberImport
from guanhuai.association.services.members_import import MAX_BYTES
from guanhuai.core.api import READ, WRITE, PageQuery, created_or_replayed, one_page
from guanhuai.core.api import actor as actor_of
from guanhuai.core.api.imports import ImportBatchOut
from guanhuai.core.excel import read_upload
from guanhuai.jobs.api import JobOut, job_accepted

router = Router(tags=["协会会员与组织"])


class MemberImportRowOut(Schema):
    row_number: int = Field(..., description="Excel 中的行号")
    village_code: str
    name: str
    id_masked: str = Field(..., description="脱敏的身份证号")
    joined_text: str = Field(..., description="入会日期（如文件所填）")
    org_unit_id: int | None
    action: str = Field(..., description="create（新入会）、reinstate（恢复会籍）；有错误的行为空")
    error: str = Field(..., description="错误原因（中文）")


class MemberImportOut(ImportBatchOut):
    org_unit_id: int
    to_create: int
    to_reinstate: int


class MemberImportDetailOut(MemberImportOut):
    rows: list[MemberImportRowOut] = Field(..., description="按 show 选出的行（按行号，分页：limit/offset）")
    rows_count: int


class _Detail:
    """A batch with one page of its rows, for MemberImportDetailOut (the batch's fields read through)."""

    def __init__(self, batch: MemberImport, rows: list[Any], count: int) -> None:
        self.batch, self.rows, self.rows_count = batch, rows, count

    def __getattr__(self, name: str) -> Any:
        return getattr(self.batch, name)


@router.post(
    "/member-imports",
    response={200: MemberImportOut, 202: MemberImportOut, **WRITE},
    summary="上传会员名单Excel（后台读入并校验）",
    description=(
        "multipart：file（按模板填写的 .xlsx）、org_unit_id（导入到的协会：文件中的村(社区)须在其下）。"
        "文件大小、格式、表头和空文件在请求中检查（422，什么也不写）；逐行校验在后台任务中进行，"
        "用 GET /association/member-imports/{id} 查看将新入会、将恢复会籍和有错误的行。"
        "同一文件在同一协会下只建一个批次：新批次 202，重复上传 200 和原批次。"
        "403：无权导入会员；404：协会不存在或不在辖区内。"
    ),
)
def member_import_upload(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    org_unit_id: int = Form(..., ge=1, le=2**63 - 1),
) -> Any:
    actor = actor_of(request)
    unit = unit_ref(request, org_unit_id)
    batch, created = services.member_import_submit(
        actor=actor,
        org_unit=unit,
        content=read_upload(file, max_bytes=MAX_BYTES),
        file_name=file.name or "",
    )
    # Read again: an inline task may have validated it already.
    batch = selectors.member_import_get(actor=actor, batch_id=batch.pk)
    return created_or_replayed(created, batch, status=202)


@router.get(
    "/member-imports/{int:batch_id}",
    response={200: MemberImportDetailOut, **READ},
    summary="会员导入预览：将新入会、将恢复会籍、有错误的行",
    description=(
        "show：errors（默认，有错误的行及原因）、create、reinstate、imported。只显示脱敏的身份证号。"
        "404：批次不存在或不在您可导入会员的范围内；422：参数无效。"
    ),
)
def member_import_detail(
    request: HttpRequest,
    batch_id: int,
    page: Query[PageQuery],
    show: str = Query("errors", pattern="^(errors|create|reinstate|imported)$"),
) -> Any:
    batch = selectors.member_import_get(actor=actor_of(request), batch_id=batch_id)
    return _Detail(batch, *one_page(selectors.member_import_rows(batch=batch, show=show), page))


@router.post(
    "/member-imports/{int:batch_id}/commit",
    response={202: JobOut, **WRITE},
    summary="导入有效记录（后台任务）",
    description=(
        "新入会的行建立会员（按协会依次发会员证号），恢复会籍的行把未再登记的会员恢复为在册；有错误的行不导入。"
        "重复提交返回同一个任务。409：仍在校验中，或该文件已导入；422：没有有效记录；"
        "403：无权导入会员；404：批次不存在或不在范围内。"
    ),
)
def member_import_commit(request: HttpRequest, batch_id: int) -> Any:
    actor = actor_of(request)
    batch = selectors.member_import_get(actor=actor, batch_id=batch_id)
    job = services.member_import_commit_submit(actor=actor, batch=batch)
    return job_accepted(actor, job)
