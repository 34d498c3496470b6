"""/api/v1/cycles: payment cycles — generate (a job), the review summary (by status, by county, the
difference from the previous cycle with drill-down), entitlements, exclusions and top-ups, approval, and
the batches of a cycle (create, list, re-issue failed, entitlements missing a bank account).

Reads go through selectors/cycles.py: a cycle is visible to whoever may view its programme (at, below or
above its branch); entitlement lists and totals are limited to the actor's own branches. Writes go through
services/cycles.py and services/payments.py, which check the named permissions on the programme's branch
(programmes.generate_cycles, programmes.approve_cycles, programmes.pay): a user who sees the cycle but may
not act gets 403.

Codes: 409 `cycle_exists` for a second generation of a period, `invalid_transition`/`cycle_not_in_review`
for a cycle in the wrong state, `already_approved` for a second approval by the same person,
`insufficient_funds` when the allocation cannot pay (the message names the shortfall in yuan); 403
`segregation_of_duties` when the generator approves; 422 `bad_period` for a period of the wrong shape.

No `from __future__ import annotations` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from guanhuai.accounts import scoping
from guanhuai.core.api import (
    READ,
    WRITE,
    AmountIn,
    Money,
    check_replay,
    created_or_replayed,
    not_found,
    paginate,
    ref,
)
from guanhuai.core.api import actor as actor_of
from guanhuai.core.errors import ValidationError
from guanhuai.jobs.api import JobOut
from guanhuai.programmes.api.payments import SeenTotals
from guanhuai.programmes.models import Cycle, Entitlement, PaymentBatch
from guanhuai.programmes.periods import parse_period
from guanhuai.programmes.permissions import VIEW
from guanhuai.programmes.selectors import cycles as selectors
from guanhuai.programmes.selectors import payments as payment_selectors
from guanhuai.programmes.selectors.programmes import programme_get
from guanhuai.programmes.services import arrears
from guanhuai.programmes.services import cycles as services
from guanhuai.programmes.services import payments as payment_services
from guanhuai.registry.models import Person

router = Router(tags=["programmes: cycles"])


def _cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    return selectors.cycle_get(actor=actor_of(request), cycle_id=cycle_id)


def _entitlement(request: HttpRequest, cycle: Cycle, entitlement_id: int) -> Entitlement:
    entitlement = selectors.entitlement_get(actor=actor_of(request), entitlement_id=entitlement_id)
    if entitlement.cycle_id != cycle.pk:
        raise not_found()
    return entitlement


# --- schemas ---------------------------------------------------------------------------------------------


class CycleProgrammeRef(Schema):
    id: int
    code: str
    name: str


class CycleApprovalOut(Schema):
    approver: str = Field(alias="approver.username")
    approved_at: dt.datetime
    comment: str


class CycleOut(Schema):
    id: int
    programme: CycleProgrammeRef
    period: str = Field(..., description="发放期：2026-12、2026-Q4 或 2026")
    status: str = Field(..., description="generating / review / approved / closed")
    status_label: str = Field(alias="get_status_display")
    generated_by: str = Field(alias="generated_by.username")
    created_at: dt.datetime
    generated_at: dt.datetime | None
    approved_at: dt.datetime | None
    job_id: int | None = Field(None, description="生成任务：GET /api/v1/jobs/{job_id} 查看进度")


class CycleFigureOut(Schema):
    count: int
    total: Money


class CycleCountyOut(Schema):
    name: str
    count: int
    total: Money


class CycleSummaryOut(Schema):
    cycle: CycleOut
    previous_period: str | None
    due: CycleFigureOut = Field(..., description="应发（不含剔除）")
    excluded: CycleFigureOut
    by_status: dict[str, CycleFigureOut]
    by_kind: dict[str, CycleFigureOut]
    by_county: list[CycleCountyOut]
    new: CycleFigureOut = Field(..., description="上期没有、本期新增的对象")
    exited: CycleFigureOut = Field(..., description="上期有、本期没有的对象（金额为上期金额）")
    changed: CycleFigureOut = Field(..., description="金额变化的对象（合计为变化额）")
    approvals: list[CycleApprovalOut]
    approvals_required: int


class CyclePersonRef(Schema):
    id: int
    name: str
    id_masked: str


class CycleUnitRef(Schema):
    id: int
    name: str


class CycleEntitlementOut(Schema):
    id: int
    person: CyclePersonRef
    org_unit: CycleUnitRef
    period: str
    kind: str
    months: int
    amount: Money
    status: str
    note: str
    previous_amount: Money | None = None


class CycleBatchOut(SeenTotals):
    id: int
    number: str
    bank_name: str
    status: str
    count: int
    total: Money
    follow_up_of_id: int | None
    created_at: dt.datetime


class CycleGenerateIn(Schema):
    programme_id: int
    period: str = Field(..., description="按项目的发放周期：2026-12（按月）、2026-Q4（按季）、2026（按年）")
    idempotency_key: str | None = Field(None, max_length=64, description="同一个键重复提交只生成一次")
    past_reason: str = Field(
        "",
        max_length=300,
        description="发放期早于 GUANHUAI_PAST_PERIOD_MONTHS 个月时必填：为何仍要生成（记入审计）",
    )


class CycleApproveIn(Schema):
    comment: str = Field("", max_length=300)


class CycleExcludeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class CycleRestoreIn(Schema):
    note: str = Field("", max_length=300)


class CycleTopUpIn(Schema):
    person_id: int
    amount: AmountIn
    reason: str = Field(..., min_length=1, max_length=300)


# --- cycles ----------------------------------------------------------------------------------------------


@router.get(
    "/cycles",
    response={200: list[CycleOut], **READ},
    summary="发放周期列表（可按项目、状态筛选）",
)
@paginate
def cycle_list(request: HttpRequest, programme_id: int | None = None, status: str = "") -> Any:
    actor = actor_of(request)
    programme = programme_get(actor=actor, id=programme_id) if programme_id else None
    return selectors.cycle_list(actor=actor, programme=programme, status=status)


@router.post(
    "/cycles",
    response={202: CycleOut, 200: CycleOut, **WRITE},
    summary="生成发放周期（后台任务）",
    description="创建周期并提交生成应发名单的后台任务，返回 202 和 job_id。"
    "409 cycle_exists：该项目该期已生成；422 bad_period：发放期格式不对；422 unknown_programme：项目不存在"
    "或无权访问；422 past_period：发放期过去太久且未填 past_reason；409 paid_as_arrears：该期已作为补发计入"
    "后面的周期；403：无“生成发放周期”权限。同一 idempotency_key 重复提交返回 200 和原周期。"
    "最早一期生成任务的 counts.owed_before_first 给出首期之前应发未发的月数和金额。",
)
def cycle_generate(request: HttpRequest, payload: CycleGenerateIn) -> Any:
    actor = actor_of(request)
    programme = ref(
        lambda: programme_get(actor=actor, id=payload.programme_id),
        code="unknown_programme",
        message=_("指定的扶助项目（编号 %(id)s）不存在，或您无权访问。") % {"id": payload.programme_id},
    )
    key = f"api:{actor.pk}:{payload.idempotency_key}" if payload.idempotency_key else None
    cycle, created = services.cycle_generate(
        actor=actor,
        programme=programme,
        period=payload.period,
        idempotency_key=key,
        past_reason=payload.past_reason,
    )
    if not created:
        check_replay(
            {"programme": cycle.programme_id, "period": cycle.period},
            {"programme": programme.pk, "period": parse_period(payload.period, programme.period).label},
            pk=cycle.pk,
        )
    return created_or_replayed(created, _cycle(request, cycle.pk), status=202)


@router.get(
    "/cycles/{int:cycle_id}",
    response={200: CycleSummaryOut, **READ},
    summary="发放周期审核汇总：按状态、按县、与上期比较、审批人",
    description="金额和笔数只含您辖区内的对象。404：周期不存在或无权查看。",
)
def cycle_detail(request: HttpRequest, cycle_id: int) -> Any:
    actor = actor_of(request)
    cycle = _cycle(request, cycle_id)
    s = selectors.cycle_summary(actor=actor, cycle=cycle)
    return {
        "cycle": cycle,
        "previous_period": s.previous.period if s.previous else None,
        "due": s.due,
        "excluded": s.excluded,
        "by_status": s.by_status,
        "by_kind": s.by_kind,
        "by_county": s.by_county,
        "new": s.new,
        "exited": s.exited,
        "changed": s.changed,
        "approvals": list(selectors.approvals(cycle)),
        "approvals_required": cycle.programme.approvals_required,
    }


@router.get(
    "/cycles/{int:cycle_id}/entitlements",
    response={200: list[CycleEntitlementOut], **READ},
    summary="应发名单（限本辖区，分页）",
    description="status：due/excluded/batched/paid/failed；kind：regular/arrears/top_up；"
    "diff：new（新增）/exited（减少，返回上期记录）/changed（金额变化，含 previous_amount）。",
)
@paginate
def entitlement_list(
    request: HttpRequest,
    cycle_id: int,
    status: str = "",
    kind: str = "",
    diff: str = "",
) -> Any:
    actor = actor_of(request)
    cycle = _cycle(request, cycle_id)
    if diff:
        if diff not in selectors.DIFFS:
            raise ValidationError(_("diff 只能是 new、exited 或 changed。"), code="bad_diff")
        previous = selectors.previous_cycle(cycle)
        rows: Any = (
            selectors.DIFFS[diff](actor=actor, cycle=cycle, previous=previous).select_related(
                "person", "org_unit"
            )
            if previous
            else Entitlement.objects.none()
        )
    else:
        rows = selectors.entitlement_list(actor=actor, cycle=cycle, status=status, kind=kind)
    return rows


@router.post(
    "/cycles/{int:cycle_id}/approve",
    response={200: CycleOut, **WRITE},
    summary="审批发放周期",
    description="达到项目规定的审批人数时周期锁定（approved），此时在基金锁下核对资金分配余额。"
    "403 segregation_of_duties：生成人不能审批；409 already_approved：同一人只能审批一次；"
    "409 cycle_not_in_review：周期不在待审批状态；409 insufficient_funds：资金不足（消息写明差额）。",
)
def cycle_approve(request: HttpRequest, cycle_id: int, payload: CycleApproveIn) -> Any:
    cycle = services.cycle_approve(
        actor=actor_of(request), cycle=_cycle(request, cycle_id), comment=payload.comment
    )
    return _cycle(request, cycle.pk)


@router.post(
    "/cycles/{int:cycle_id}/arrears-before-first",
    response={202: JobOut, **WRITE},
    summary="把首期之前应发未发的月份作为补发计入该周期（后台任务）",
    description="仅限项目最早一期、待审批的周期；每个周期只执行一次，重复提交返回同一任务。"
    "409 not_first_cycle：不是最早一期；409 cycle_not_in_review：周期不在待审批状态；403：无“生成发放周期”权限。",
)
def cycle_arrears_before_first(request: HttpRequest, cycle_id: int) -> Any:
    job = arrears.cycle_arrears_before_first(actor=actor_of(request), cycle=_cycle(request, cycle_id))
    return Status(202, job)


@router.post(
    "/cycles/{int:cycle_id}/entitlements/{int:entitlement_id}/exclude",
    response={200: CycleEntitlementOut, **WRITE},
    summary="剔除一条应发记录（须填原因，仅限待审批的周期）",
)
def entitlement_exclude(
    request: HttpRequest, cycle_id: int, entitlement_id: int, payload: CycleExcludeIn
) -> Any:
    cycle = _cycle(request, cycle_id)
    return services.entitlement_exclude(
        actor=actor_of(request),
        entitlement=_entitlement(request, cycle, entitlement_id),
        reason=payload.reason,
    )


@router.post(
    "/cycles/{int:cycle_id}/entitlements/{int:entitlement_id}/restore",
    response={200: CycleEntitlementOut, **WRITE},
    summary="恢复已剔除的应发记录（仅限待审批的周期）",
)
def entitlement_restore(
    request: HttpRequest, cycle_id: int, entitlement_id: int, payload: CycleRestoreIn
) -> Any:
    cycle = _cycle(request, cycle_id)
    return services.entitlement_restore(
        actor=actor_of(request), entitlement=_entitlement(request, cycle, entitlement_id), note=payload.note
    )


@router.post(
    "/cycles/{int:cycle_id}/top-ups",
    response={201: CycleEntitlementOut, **WRITE},
    summary="添加补差（仅限本项目享受对象，每人每周期一笔）",
    description="422 not_enrolled：不是享受对象；422 amount_*：金额不对；409 top_up_exists：已有补差。",
)
def top_up_add(request: HttpRequest, cycle_id: int, payload: CycleTopUpIn) -> Any:
    actor = actor_of(request)
    cycle = _cycle(request, cycle_id)
    person = ref(
        lambda: scoping.get_or_404(Person.objects.all(), actor, VIEW, pk=payload.person_id),
        code="unknown_person",
        message=_("指定的人员（编号 %(id)s）不存在，或您无权访问。") % {"id": payload.person_id},
    )
    entitlement = services.top_up_add(
        actor=actor, cycle=cycle, person=person, amount=payload.amount, reason=payload.reason
    )
    return Status(201, entitlement)


# --- batches of a cycle ------------------------------------------------------------------------------------


@router.get(
    "/cycles/{int:cycle_id}/batches", response={200: list[CycleBatchOut], **READ}, summary="周期的发放批次"
)
def batch_list(request: HttpRequest, cycle_id: int) -> Any:
    return list(payment_selectors.batch_list(actor=actor_of(request), cycle=_cycle(request, cycle_id)))


@router.post(
    "/cycles/{int:cycle_id}/batches",
    response={201: list[CycleBatchOut], **WRITE},
    summary="按开户银行生成发放批次（财务人员）",
    description="只含有银行账户的应发记录；缺少账户的见 GET …/missing-accounts。重复提交不会重复生成"
    "（返回空列表）。409 cycle_not_approved：周期尚未审批通过。",
)
def batches_create(request: HttpRequest, cycle_id: int) -> Any:
    batches: list[PaymentBatch] = payment_services.batches_create(
        actor=actor_of(request), cycle=_cycle(request, cycle_id)
    )
    return Status(201, batches)


@router.post(
    "/cycles/{int:cycle_id}/reissue",
    response={201: list[CycleBatchOut], **WRITE},
    summary="发放失败的记录（账户更正后）进入补发批次",
)
def batch_reissue(request: HttpRequest, cycle_id: int) -> Any:
    return Status(
        201, payment_services.batch_reissue_failed(actor=actor_of(request), cycle=_cycle(request, cycle_id))
    )


@router.get(
    "/cycles/{int:cycle_id}/missing-accounts",
    response={200: list[CycleEntitlementOut], **READ},
    summary="缺少银行账户、无法进入批次的应发记录（待更正）",
)
@paginate
def missing_accounts(request: HttpRequest, cycle_id: int) -> Any:
    return payment_selectors.missing_accounts(actor=actor_of(request), cycle=_cycle(request, cycle_id))
