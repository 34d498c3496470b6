"""/api/v1/jobs: the caller's jobs and those in their scope, one job's progress, retry, and file downloads.
Reads go through selectors (missing and forbidden are the same 404); retry goes through the service."""

import datetime as dt
import os
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from guanhuai.accounts.actor import Actor
from guanhuai.core.api import AUTH_ERRORS, LIST, ErrorOut, created_or_replayed, paginate
from guanhuai.jobs import registry, selectors, services
from guanhuai.jobs.models import Job
from guanhuai.jobs.states import JobStatus

router = Router(tags=["jobs"])

FILE_RESPONSE = {
    "description": "文件内容（附件下载）。",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


class JobOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: JobStatus
    status_label: str = Field(alias="get_status_display")
    percent: int
    progress_done: int
    progress_total: int
    counts: dict[str, Any]
    message: str
    error: str
    actor: str = Field(alias="actor.username")
    org_unit_id: int | None
    org_unit_name: str | None
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result_url: str | None
    input_url: str | None

    @staticmethod
    def resolve_kind_label(obj: Job) -> str:
        return registry.label(obj.kind)

    @staticmethod
    def resolve_org_unit_name(obj: Job) -> str | None:
        return obj.org_unit.name if obj.org_unit else None

    @staticmethod
    def resolve_result_url(obj: Job, context: dict[str, Any]) -> str | None:
        return _file_url(context["request"], obj, "result") if obj.result_file else None

    @staticmethod
    def resolve_input_url(obj: Job, context: dict[str, Any]) -> str | None:
        return _file_url(context["request"], obj, "input") if obj.input_file else None


def job_accepted(actor: Actor, job: Job, *, created: bool = True) -> Status:
    """The answer of a request that queued a job: 202 with the job read again (an inline task backend may
    have run it already), or 200 when `created` is false: a replay that found the job its key queued."""
    return created_or_replayed(created, selectors.job_get(actor=actor, job_id=job.pk), status=202)


def _file_url(request: HttpRequest, job: Job, which: str) -> str:
    return request.build_absolute_uri(reverse(f"api-v1:job_{which}_file", kwargs={"job_id": job.pk}))


class JobFilters(Schema):
    kind: str = ""
    status: JobStatus | None = None


@router.get(
    "",
    response={200: list[JobOut], **LIST},
    summary="后台任务列表",
    description="本人提交的任务，以及在有“查看本辖区的后台任务”权限的组织内提交的任务；最新的在前。",
)
@paginate
def job_list(request: HttpRequest, filters: Query[JobFilters]) -> Any:
    return selectors.job_list(actor=request.user, kind=filters.kind, status=filters.status or "")


@router.get(
    "/{int:job_id}",
    response={200: JobOut, **AUTH_ERRORS, 404: ErrorOut},
    summary="任务详情与进度",
    description="不存在和无权查看的任务同样返回404。",
)
def job_detail(request: HttpRequest, job_id: int) -> Any:
    return selectors.job_get(actor=request.user, job_id=job_id)


@router.post(
    "/{int:job_id}/retry",
    response={200: JobOut, **AUTH_ERRORS, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="重试失败的任务",
    description="只有失败的任务可以重试（否则409）；任务从上次的检查点继续。"
    "403：只有提交人或本辖区管理员可以重试（审计员只读）。",
)
def job_retry(request: HttpRequest, job_id: int) -> Any:
    job = selectors.job_get(actor=request.user, job_id=job_id)
    return services.job_retry(actor=request.user, job=job)


def _download(request: HttpRequest, job_id: int, which: str) -> FileResponse:
    job = selectors.job_get(actor=request.user, job_id=job_id)
    handle = services.job_file_open(actor=request.user, job=job, which=which)
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(handle.name))


@router.get(
    "/{int:job_id}/result",
    response={200: None, **AUTH_ERRORS, 404: ErrorOut},
    url_name="job_result_file",
    summary="下载结果文件或错误文件",
    openapi_extra={"responses": {200: FILE_RESPONSE}},
)
def job_result_file(request: HttpRequest, job_id: int) -> Any:
    return _download(request, job_id, "result")


@router.get(
    "/{int:job_id}/input",
    response={200: None, **AUTH_ERRORS, 404: ErrorOut},
    url_name="job_input_file",
    summary="下载输入文件",
    openapi_extra={"responses": {200: FILE_RESPONSE}},
)
def job_input_file(request: HttpRequest, job_id: int) -> Any:
    return _download(request, job_id, "input")
