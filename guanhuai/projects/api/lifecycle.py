"""/api/v1/projects…: the lifecycle and the money over the API — proposals, review, closing; fundings and
spending; milestones, reports and documents. The same services as the pages, so the same refusals: 403
without the permission, 404 out of scope, 409 a move the state table refuses or money that is not there
(`insufficient_funds`: of two requests for a project's last money only one is paid), 422 bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from guanhuai.core.api import (
    READ,
    WRITE,
    AmountIn,
    DayIn,
    Id,
    IdempotencyKeyHeader,
    IdempotencyKeyIn,
    Money,
    actor,
    check_replay,
    created_or_replayed,
    idempotency_key,
    ref,
)
from guanhuai.core.errors import ValidationError
from guanhuai.funds import selectors as funds_selectors
from guanhuai.orgs.models import OrgUnit
from guanhuai.projects import selectors, services
from guanhuai.projects.api.common import router
from guanhuai.projects.api.projects import PROJECTS, ProjectOut

MONEY = ["projects: money"]
PLAN = ["projects: milestones, reports, documents"]


class BudgetLineIn(Schema):
    item: str = Field(..., min_length=1, max_length=100)
    amount: AmountIn
    note: str = Field("", max_length=200)


class ProjectIn(Schema):
    type_code: str = Field(..., max_length=40, description="项目类型代码，如 youth_health")
    unit_id: Id = Field(..., description="承担单位（须有申报权限）")
    name: str = Field(..., min_length=1, max_length=120)
    objectives: str = Field("", max_length=4000)
    start_date: DayIn
    end_date: DayIn
    area_unit_ids: list[Id] = Field(
        default_factory=list, max_length=500, description="覆盖范围；空则为承担单位本身"
    )
    budget_lines: list[BudgetLineIn] = Field(default_factory=list, max_length=50)
    targets: dict[str, Any] = Field(default_factory=dict, description="目标数：成效指标代码 → 非负数")


class ReviewIn(Schema):
    decision: Literal["pass", "return", "refuse"]
    comment: str = Field("", max_length=2000, description="退回或不予批准时必填")


class ProjectCloseIn(Schema):
    rating: Literal["excellent", "good", "passed", "failed"]
    evaluation: str = Field(..., max_length=4000)


class FundingIn(Schema):
    allocation_id: Id | None = Field(None, description="基金分配；不填为实物资助")
    amount: AmountIn
    items: str = Field("", max_length=200, description="实物名称（实物资助时必填）")
    note: str = Field("", max_length=200)


class FundingOut(Schema):
    id: int
    project_id: int
    kind: str
    allocation_id: int | None
    allocation_name: str | None = Field(None, alias="allocation.name")
    fund_id: int | None = Field(None, alias="allocation.fund_id")
    amount: Money
    items: str
    note: str


class SpendingIn(Schema):
    amount: AmountIn
    spent_on: DayIn
    payee: str = Field(..., max_length=120)
    note: str = Field("", max_length=200)
    idempotency_key: IdempotencyKeyIn = None


class SpendingOut(Schema):
    id: int
    project_id: int
    funding_id: int
    disbursement_id: int
    amount: Money
    spent_on: dt.date
    payee: str
    note: str
    reversed: bool = Field(..., alias="disbursement.reversed")


class ProjectGoodsUseIn(Schema):
    fund_id: int
    amount: AmountIn
    used_on: DayIn
    items: str = Field(..., max_length=200)
    note: str = Field("", max_length=200)
    idempotency_key: IdempotencyKeyIn = None


class ProjectGoodsUseOut(Schema):
    id: int
    project_id: int
    fund_id: int
    transaction_id: int
    amount: Money
    used_on: dt.date
    items: str
    note: str
    status: str = Field(..., description="recorded 已登记；reversed 已冲销（不计入已使用物资）")
    reversal_id: int | None = Field(None, description="冲销凭证（总账中的反向分录）")
    reversed_on: dt.date | None = Field(None, alias="reversal.posted_on")
    reversal_reason: str


class MilestoneIn(Schema):
    title: str = Field(..., max_length=120)
    due_on: DayIn
    note: str = Field("", max_length=300)


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    done_on: dt.date | None
    note: str


class ReportScheduleIn(Schema):
    title: str = Field(..., max_length=120)
    due_on: DayIn


class ReportSubmitIn(Schema):
    body: str = Field(..., max_length=20000)


class ReportOut(Schema):
    id: int
    project_id: int
    kind: str
    title: str
    due_on: dt.date
    submitted_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        from django.utils import timezone

        return obj.submitted_on is None and obj.due_on < timezone.localdate()


class ProjectDocumentOut(Schema):
    id: int
    project_id: int
    kind: str
    file_name: str
    content_type: str
    size: int
    report_id: int | None


def _project(request: HttpRequest, project_id: int) -> Any:
    return selectors.project_get(actor=actor(request), project_id=project_id)


_detail = _project  # the answer of a write: the project read again, with its money columns


@router.post(
    "",
    response={201: ProjectOut, **WRITE},
    tags=PROJECTS,
    summary="申报项目（保存为草稿）",
    description="422：类型不存在或已停用、名称为空、结束早于开始、覆盖范围不在承担单位辖区内、预算金额格式不对、目标数为负；"
    "承担单位不存在或无申报权限（unknown_unit）。",
)
def project_create(request: HttpRequest, payload: ProjectIn) -> Any:
    who = actor(request)
    project_type = selectors.type_list(active_only=True).filter(code=payload.type_code).first()
    if project_type is None:
        raise ValidationError(
            _("项目类型“%(code)s”不存在或已停用。") % {"code": payload.type_code}, code="type_code"
        )
    unit = ref(
        lambda: selectors.unit_for_projects(actor=who, unit_id=payload.unit_id),
        code="unknown_unit",
        message=_("承担单位不存在，或您在该单位没有申报权限。"),
    )
    area = list(OrgUnit.objects.filter(pk__in=payload.area_unit_ids))
    if len(area) != len(set(payload.area_unit_ids)):
        raise ValidationError(_("覆盖范围中有不存在的单位。"), code="area_unknown")
    project = services.project_create(
        actor=who,
        org_unit=unit,
        project_type=project_type,
        name=payload.name,
        objectives=payload.objectives,
        start_date=payload.start_date,
        end_date=payload.end_date,
        area=area,
        budget_lines=[(line.item, line.amount, line.note) for line in payload.budget_lines],
        targets=payload.targets,
    )
    return Status(201, _detail(request, project.pk))


@router.post(
    "/{int:project_id}/submit",
    response={200: ProjectOut, **WRITE},
    tags=PROJECTS,
    summary="提交审核（草稿或退回修改的申报）",
    description="409：当前状态不能提交；422：没有预算明细；403：无申报权限。",
)
def project_submit(request: HttpRequest, project_id: int) -> Any:
    services.project_submit(actor=actor(request), project=_project(request, project_id))
    return _detail(request, project_id)


@router.post(
    "/{int:project_id}/withdraw",
    response={200: ProjectOut, **WRITE},
    tags=PROJECTS,
    summary="撤回申报",
    description="409：当前状态不能撤回；403：无申报权限。",
)
def project_withdraw(request: HttpRequest, project_id: int) -> Any:
    services.project_withdraw(actor=actor(request), project=_project(request, project_id))
    return _detail(request, project_id)


@router.post(
    "/{int:project_id}/review",
    response={200: ProjectOut, **WRITE},
    tags=PROJECTS,
    summary="在当前审批环节审核：通过、退回修改或不予批准",
    description="403 segregation_of_duties：申报人不能审批自己的申报；403 one_step_per_person：同一人只能通过一个环节；"
    "403 wrong_level：不是该环节的审批单位；409：不在审核中；422：退回或不予批准未写意见。",
)
def project_review(request: HttpRequest, project_id: int, payload: ReviewIn) -> Any:
    services.project_review(
        actor=actor(request),
        project=_project(request, project_id),
        decision=payload.decision,
        comment=payload.comment,
    )
    return _detail(request, project_id)


@router.post(
    "/{int:project_id}/close",
    response={200: ProjectOut, **WRITE},
    tags=PROJECTS,
    summary="结项：批准该项目的单位评估并结项",
    description="409 report_overdue：有逾期未交的报告；409 final_report_missing：结项报告未提交；409：状态不能结项；"
    "403：不是批准单位，或为本人申报的项目；422：评估意见为空。",
)
def project_close(request: HttpRequest, project_id: int, payload: ProjectCloseIn) -> Any:
    services.project_close(
        actor=actor(request),
        project=_project(request, project_id),
        evaluation=payload.evaluation,
        rating=payload.rating,
    )
    return _detail(request, project_id)


@router.post(
    "/{int:project_id}/fundings",
    response={201: FundingOut, **WRITE},
    tags=MONEY,
    summary="为已批准的项目安排资金：基金分配中的份额（可多个基金共同资助），或实物",
    description="409 insufficient_funds：同一分配安排给各项目的份额之和超过该分配；409 already_funded：已从该分配安排过；"
    "409 not_running：项目未批准或已结项；422：金额格式不对、实物未写名称、分配不是协会项目的；403：无权安排。",
)
def funding_create(request: HttpRequest, project_id: int, payload: FundingIn) -> Any:
    who = actor(request)
    project = _project(request, project_id)
    allocation = None
    if payload.allocation_id is not None:
        allocation = ref(
            lambda: funds_selectors.allocation_get(actor=who, allocation_id=payload.allocation_id),
            code="unknown_allocation",
            message=_("基金分配不存在或不在您的辖区内。"),
        )
    funding = services.project_fund(
        actor=who,
        project=project,
        allocation=allocation,
        amount=payload.amount,
        items=payload.items,
        note=payload.note,
    )
    return Status(201, selectors.funding_get(actor=who, funding_id=funding.pk))


@router.post(
    "/fundings/{int:funding_id}/spendings",
    response={200: SpendingOut, 201: SpendingOut, **WRITE},
    tags=MONEY,
    summary="从项目的一笔资金份额中登记支出（经基金总账记账）",
    description="在基金行锁下检查项目份额余额：409 insufficient_funds 为份额或分配余额不足（并发请求中只有余额够的那一笔成功）；"
    "409 not_running、allocation_closed、period_closed；422：金额格式不对、收款方为空、日期晚于今天、实物份额；"
    "403：无权登记支出。幂等：Idempotency-Key 相同的重复提交返回原支出（200）。",
)
def spending_create(
    request: HttpRequest,
    funding_id: int,
    payload: SpendingIn,
    header_key: IdempotencyKeyHeader = None,
) -> Any:
    who = actor(request)
    funding = selectors.funding_get(actor=who, funding_id=funding_id)
    spending, created = services.project_spend(
        actor=who,
        funding=funding,
        amount=payload.amount,
        spent_on=payload.spent_on,
        payee=payload.payee,
        note=payload.note,
        idempotency_key=idempotency_key(request, "project_spending", header_key, payload.idempotency_key),
    )
    if not created:
        check_replay(
            {"funding": spending.funding_id, "amount": spending.amount, "payee": spending.payee},
            {"funding": funding.pk, "amount": payload.amount, "payee": payload.payee.strip()},
            pk=spending.pk,
        )
    return created_or_replayed(created, spending)


@router.post(
    "/{int:project_id}/goods-uses",
    response={200: ProjectGoodsUseOut, 201: ProjectGoodsUseOut, **WRITE},
    tags=MONEY,
    summary="登记项目使用的捐赠物资（按收据估值从基金库存物资中发放，经基金总账记账）",
    description="在基金行锁下检查基金现有物资价值：409 insufficient_funds 为物资不足（并发请求中只有物资够的那一笔成功）；"
    "409 not_running、period_closed；422：金额格式不对、物资名称为空、日期晚于今天、限定用途基金用途不符；"
    "422 unknown_fund：基金不存在或不在您的辖区内；403：无权登记。"
    "幂等：Idempotency-Key 相同的重复提交返回原记录（200），不再记账。",
)
def goods_use_create(
    request: HttpRequest,
    project_id: int,
    payload: ProjectGoodsUseIn,
    header_key: IdempotencyKeyHeader = None,
) -> Any:
    who = actor(request)
    project = _project(request, project_id)
    fund = ref(
        lambda: funds_selectors.fund_get(actor=who, fund_id=payload.fund_id, perm="funds.disburse"),
        code="unknown_fund",
        message=_("基金不存在或不在您的辖区内。"),
    )
    use, created = services.project_use_goods(
        actor=who,
        project=project,
        fund=fund,
        amount=payload.amount,
        used_on=payload.used_on,
        items=payload.items,
        note=payload.note,
        idempotency_key=idempotency_key(request, "project_goods_use", header_key, payload.idempotency_key),
    )
    if not created:
        check_replay(
            {"project": use.project_id, "fund": use.fund_id, "amount": use.amount},
            {"project": project.pk, "fund": fund.pk, "amount": payload.amount},
            pk=use.pk,
        )
    return created_or_replayed(created, use)


@router.post(
    "/{int:project_id}/milestones",
    response={201: MilestoneOut, **WRITE},
    tags=PLAN,
    summary="新增里程碑",
    description="409：项目已结项、不予批准或撤回；422：名称为空；403：无申报权限。",
)
def milestone_create(request: HttpRequest, project_id: int, payload: MilestoneIn) -> Any:
    milestone = services.milestone_add(
        actor=actor(request), project=_project(request, project_id), **payload.dict()
    )
    return Status(201, milestone)


@router.post(
    "/milestones/{int:milestone_id}/done",
    response={200: MilestoneOut, **WRITE},
    tags=PLAN,
    summary="里程碑完成（今天）",
    description="409：已完成；403：无申报权限。",
)
def milestone_done(request: HttpRequest, milestone_id: int) -> Any:
    milestone = selectors.milestone_get(actor=actor(request), milestone_id=milestone_id)
    return services.milestone_done(actor=actor(request), milestone=milestone)


@router.post(
    "/{int:project_id}/reports",
    response={201: ReportOut, **WRITE},
    tags=PLAN,
    summary="安排一份进度报告（结项报告在批准时自动安排）",
    description="409：项目不在实施中；422：标题为空；403：无申报权限。",
)
def report_create(request: HttpRequest, project_id: int, payload: ReportScheduleIn) -> Any:
    report = services.report_schedule(
        actor=actor(request),
        project=_project(request, project_id),
        title=payload.title,
        due_on=payload.due_on,
    )
    return Status(201, report)


@router.post(
    "/reports/{int:report_id}/submit",
    response={200: ReportOut, **WRITE},
    tags=PLAN,
    summary="提交报告",
    description="409：已提交，或项目不在实施中；422：内容为空；403：无申报权限。",
)
def report_submit(request: HttpRequest, report_id: int, payload: ReportSubmitIn) -> Any:
    report = selectors.report_get(actor=actor(request), report_id=report_id)
    return services.report_submit(actor=actor(request), report=report, body=payload.body)


@router.post(
    "/{int:project_id}/documents",
    response={201: ProjectDocumentOut, **WRITE},
    tags=PLAN,
    summary="上传项目材料（PDF、JPEG 或 PNG，按文件内容判断）",
    description="422：文件类型不对、与扩展名不符、过大或为空、材料类型不存在；409：同一文件已上传过；403：无权登记项目活动。",
)
def document_create(
    request: HttpRequest,
    project_id: int,
    kind: Literal["photo", "sign_in", "report", "other"] = Form(...),
    file: UploadedFile = File(...),  # noqa: B008
) -> Any:
    document = services.document_upload(
        actor=actor(request), project=_project(request, project_id), kind=kind, upload=file
    )
    return Status(201, document)


def _project_records(name: str, path: str, out: Any, tags: list[str], summary: str, read: Any) -> None:
    """GET /{id}/<path>: one kind of a project's records, read through the project (404 outside scope).
    `name` is the operation id."""

    def records(request: HttpRequest, project_id: int) -> Any:
        return list(read(_project(request, project_id)))

    records.__name__ = records.__qualname__ = name
    route = router.get(
        f"/{{int:project_id}}/{path}", response={200: list[out], **READ}, tags=tags, summary=summary
    )
    route(records)


for _name, _path, _out, _tags, _summary, _read in (
    (
        "funding_list",
        "fundings",
        FundingOut,
        MONEY,
        "项目的资金来源（基金分配份额和实物）",
        selectors.funding_list,
    ),
    (
        "spending_list",
        "spendings",
        SpendingOut,
        MONEY,
        "项目的支出明细（每笔都是基金总账中的一笔支出）",
        selectors.spending_list,
    ),
    ("milestone_list", "milestones", MilestoneOut, PLAN, "项目里程碑", selectors.milestone_list),
    ("report_list", "reports", ReportOut, PLAN, "项目的进度报告和结项报告", selectors.report_list),
    (
        "document_list",
        "documents",
        ProjectDocumentOut,
        PLAN,
        "项目材料（照片、签到表、报告附件）",
        selectors.document_list,
    ),
):
    _project_records(_name, _path, _out, _tags, _summary, _read)
