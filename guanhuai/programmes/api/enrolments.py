"""/api/v1/enrolments: list and detail (scoped; an enrolment outside the actor's branches is a 404 like a
missing one), suspend, resume, exit, keep after a re-confirmation flag, and start an annual re-confirmation
(a job).

Writes go through services/enrolments.py, which check `programmes.manage_enrolments` (county approvers):
a user who may see the enrolment but not change it gets 403. A disallowed transition is a 409
`invalid_transition` with the states named; bad input is a 422 with a precise message.

No `from __future__ import annotations` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from guanhuai.core.api import READ, WRITE, Money, paginate
from guanhuai.core.api import actor as actor_of
from guanhuai.core.errors import ValidationError
from guanhuai.jobs.api import job_accepted
from guanhuai.orgs import selectors as org_selectors
from guanhuai.programmes.models import Enrolment, Programme
from guanhuai.programmes.periods import month_label
from guanhuai.programmes.permissions import VIEW
from guanhuai.programmes.selectors import enrolments as selectors
from guanhuai.programmes.services import enrolments as services
from guanhuai.programmes.states import EnrolmentStatus, ExitReason, FlagReason

router = Router(tags=["programmes: enrolments"])


def _programme_ref(request: HttpRequest, programme_id: int) -> Programme:
    programme = selectors.programme_choices(actor=actor_of(request)).filter(pk=programme_id).first()
    if programme is None:
        raise ValidationError(
            _("指定的扶助项目（编号 %(id)s）不存在，或您无权访问。") % {"id": programme_id},
            code="unknown_programme",
        )
    return programme


def _get(request: HttpRequest, enrolment_id: int) -> Enrolment:
    return selectors.enrolment_get(actor=actor_of(request), enrolment_id=enrolment_id)


# --- schemas ---------------------------------------------------------------------------------------------


class EnrolmentProgrammeRef(Schema):
    id: int
    code: str
    name: str


class EnrolmentUnitRef(Schema):
    id: int
    code: str
    name: str


class EnrolmentPersonRef(Schema):
    id: int
    name: str
    id_masked: str = Field(..., description="身份证号（脱敏）")


class EnrolmentOut(Schema):
    id: int
    programme: EnrolmentProgrammeRef
    person: EnrolmentPersonRef
    org_unit: EnrolmentUnitRef
    application_id: int | None
    status: EnrolmentStatus
    status_label: str = Field(alias="get_status_display")
    start_month: str = Field(..., description="享受起始月 YYYY-MM")
    end_month: str | None = Field(None, description="享受截止月 YYYY-MM（含）；空表示未截止")
    exit_reason: str
    exited_on: dt.date | None
    status_note: str
    flag: str = Field(..., description="资格确认提示：died / new_child / moved_out / not_eligible，空为无")
    flag_label: str
    flagged_at: dt.datetime | None

    @staticmethod
    def resolve_start_month(obj: Enrolment) -> str:
        return month_label(obj.start_month)

    @staticmethod
    def resolve_end_month(obj: Enrolment) -> str | None:
        return month_label(obj.end_month) if obj.end_month is not None else None

    @staticmethod
    def resolve_flag_label(obj: Enrolment) -> str:
        return str(obj.get_flag_display()) if obj.flag else ""


class EnrolmentStatusCount(Schema):
    status: str
    label: str
    count: int
    total: Money

    @staticmethod
    def resolve_label(obj: dict[str, Any]) -> str:
        return str(obj["label"])  # a lazy translation from the status choices


class EnrolmentHistoryOut(Schema):
    at: dt.datetime
    action: str
    description: str
    actor: str | None
    data: dict[str, Any]


class EnrolmentDetailOut(EnrolmentOut):
    entitlement_summary: list[EnrolmentStatusCount]
    history: list[EnrolmentHistoryOut]


class EnrolmentFilterIn(Schema):
    programme_id: int | None = None
    status: EnrolmentStatus | None = None
    flag: str = Field("", description="died / new_child / moved_out / not_eligible，或 any（任一提示）")
    unit_id: int | None = Field(None, description="组织编号：该组织及下级")
    q: str = Field("", max_length=50, description="姓名、拼音或首字母")


class EnrolmentSuspendIn(Schema):
    from_month: str = Field(..., description="暂停起始月 YYYY-MM，从该月起停发", examples=["2026-12"])
    reason: str = Field(..., max_length=300)


class EnrolmentResumeIn(Schema):
    note: str = Field("", max_length=300)


class EnrolmentExitIn(Schema):
    reason: ExitReason
    exited_on: dt.date = Field(..., description="享受到该日所在月份为止；不能晚于今天")
    note: str = Field("", max_length=300, description="原因为 other 时必填")


class EnrolmentKeepIn(Schema):
    note: str = Field(..., max_length=300, description="核实情况：为何保留享受资格")


class ReconfirmationIn(Schema):
    programme_id: int
    as_of: dt.date = Field(..., description="确认基准日，通常为年底")
    idempotency_key: str = Field(..., min_length=1, max_length=64, description="同一个键只建一个任务")


class ReconfirmationJobOut(Schema):
    id: int
    kind: str
    status: str
    progress_done: int
    progress_total: int
    counts: dict[str, Any] = Field(
        ...,
        description="checked、already_flagged，及各原因新提示数：died、moved_out、new_child、not_eligible",
    )
    error: str
    created_at: dt.datetime


# --- endpoints -------------------------------------------------------------------------------------------------


@router.get(
    "/enrolments",
    response={200: list[EnrolmentOut], **READ},
    summary="享受对象列表（限本辖区）",
    description="分页（limit/offset，最多200），带总数。422：参数有误，或 programme_id / unit_id 不存在或不在辖区内。",
)
@paginate
def enrolment_list(request: HttpRequest, filters: Query[EnrolmentFilterIn]) -> Any:
    actor = actor_of(request)
    if filters.flag and filters.flag not in (selectors.ANY_FLAG, *FlagReason.values):
        raise ValidationError(_("未知的复核提示：%(f)s") % {"f": filters.flag}, code="unknown_flag")
    unit = None
    if filters.unit_id is not None:
        unit = org_selectors.unit_ref(actor=actor, unit_id=filters.unit_id, perm=VIEW)
    return selectors.enrolment_list(
        actor=actor,
        filters=selectors.EnrolmentFilters(
            programme=_programme_ref(request, filters.programme_id) if filters.programme_id else None,
            status=filters.status.value if filters.status else "",
            flag=filters.flag,
            unit=unit,
            q=filters.q,
        ),
    )


def _detail(enrolment: Enrolment) -> Enrolment:
    from guanhuai.audit.actions import describe

    summary = selectors.entitlement_summary(enrolment=enrolment)
    enrolment.entitlement_summary = summary.by_status  # type: ignore[attr-defined]
    enrolment.history = [  # type: ignore[attr-defined]
        {
            "at": h.at,
            "action": h.action,
            "description": describe(h.action),
            "actor": h.actor.username if h.actor else None,
            "data": h.data,
        }
        for h in selectors.enrolment_history(enrolment=enrolment)
    ]
    return enrolment


@router.get(
    "/enrolments/{int:enrolment_id}",
    response={200: EnrolmentDetailOut, **READ},
    summary="享受对象详情（含应发汇总和变更记录）",
    description="404：不存在或不在辖区内（两者无法区分）。",
)
def enrolment_detail(request: HttpRequest, enrolment_id: int) -> Any:
    return _detail(_get(request, enrolment_id))


@router.post(
    "/enrolments/{int:enrolment_id}/suspend",
    response={200: EnrolmentDetailOut, **WRITE},
    summary="暂停享受",
    description="从 from_month 起停发；已生成且未发出的该月及以后应发记录剔除。需要县级审批权限（403）。"
    "409：当前状态不能暂停（已暂停或已退出）。422：未填原因、月份格式不对或早于享受起始月。",
)
def enrolment_suspend(request: HttpRequest, enrolment_id: int, body: EnrolmentSuspendIn) -> Any:
    enrolment = services.enrolment_suspend(
        actor=actor_of(request),
        enrolment=_get(request, enrolment_id),
        reason=body.reason,
        from_month=body.from_month,
    )
    return _detail(enrolment)


@router.post(
    "/enrolments/{int:enrolment_id}/resume",
    response={200: EnrolmentDetailOut, **WRITE},
    summary="恢复享受",
    description="下一发放周期起发放。409：未被暂停、已退出，或本人已死亡。",
)
def enrolment_resume(request: HttpRequest, enrolment_id: int, body: EnrolmentResumeIn) -> Any:
    enrolment = services.enrolment_resume(
        actor=actor_of(request), enrolment=_get(request, enrolment_id), note=body.note
    )
    return _detail(enrolment)


@router.post(
    "/enrolments/{int:enrolment_id}/exit",
    response={200: EnrolmentDetailOut, **WRITE},
    summary="退出享受",
    description="享受到 exited_on 所在月为止，之后未发出的应发记录剔除；之后已发出的只做复核提示，由人工决定是否追回。"
    "409：已退出。422：原因为 other 未填说明、日期晚于今天或早于享受起始月。",
)
def enrolment_exit(request: HttpRequest, enrolment_id: int, body: EnrolmentExitIn) -> Any:
    enrolment = services.enrolment_exit(
        actor=actor_of(request),
        enrolment=_get(request, enrolment_id),
        reason=body.reason.value,
        exited_on=body.exited_on,
        note=body.note,
    )
    return _detail(enrolment)


@router.post(
    "/enrolments/{int:enrolment_id}/keep",
    response={200: EnrolmentDetailOut, **WRITE},
    summary="核实后保留（清除资格确认提示）",
    description="409：没有待复核的提示。422：未填核实情况。",
)
def enrolment_keep(request: HttpRequest, enrolment_id: int, body: EnrolmentKeepIn) -> Any:
    enrolment = services.enrolment_flag_clear(
        actor=actor_of(request), enrolment=_get(request, enrolment_id), note=body.note
    )
    return _detail(enrolment)


@router.post(
    "/enrolments/reconfirmations",
    response={200: ReconfirmationJobOut, 202: ReconfirmationJobOut, **WRITE},
    summary="年度资格确认（后台任务）",
    description="按当前资格条件核对本辖区该项目的全部享受对象，对不再符合的只做提示（不自动退出）。"
    "新任务返回 202；同一个 idempotency_key 重复提交返回 200 和原任务。403：没有资格确认权限。"
    "422：项目不存在或不在辖区内。进度和结果用 GET /api/v1/jobs/{id} 查看。",
)
def reconfirmation_start(request: HttpRequest, body: ReconfirmationIn) -> Any:
    actor = actor_of(request)
    job, created = services.reconfirmation_submit(
        actor=actor,
        programme=_programme_ref(request, body.programme_id),
        as_of=body.as_of,
        idempotency_key=f"api:{actor.pk}:{body.idempotency_key}",
    )
    return job_accepted(actor, job, created=created)
