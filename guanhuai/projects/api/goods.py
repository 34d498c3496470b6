"""/api/v1/projects/{id}/goods-uses…: a project's goods uses (recording one is in `lifecycle`) and the
reversal of one recorded in error. Read through the project (404 outside scope, and for another project's
use); the reversal is `services.goods_use_reverse`, with its refusals: 403 without the permissions, 409
already reversed or a closed period, 422 without a reason."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from guanhuai.core.api import (
    READ,
    WRITE,
    DayIn,
    IdempotencyKeyHeader,
    IdempotencyKeyIn,
    actor,
    check_replay,
    idempotency_key,
)
from guanhuai.projects import selectors, services
from guanhuai.projects.api.common import router
from guanhuai.projects.api.lifecycle import MONEY, ProjectGoodsUseOut


class GoodsReverseIn(Schema):
    reason: str = Field(..., max_length=200, description="冲销原因（必填），如基金选错、价值填错")
    reversed_on: DayIn | None = Field(
        None, description="冲销记账日期，默认今天；不能早于使用日期，不能在已结账月份"
    )
    idempotency_key: IdempotencyKeyIn = None


@router.get(
    "/{int:project_id}/goods-uses",
    response={200: list[ProjectGoodsUseOut], **READ},
    tags=MONEY,
    summary="项目使用的捐赠物资（含已冲销的记录）",
)
def goods_use_list(request: HttpRequest, project_id: int) -> Any:
    project = selectors.project_get(actor=actor(request), project_id=project_id)
    return list(selectors.goods_use_list(project))


@router.post(
    "/{int:project_id}/goods-uses/{int:use_id}/reverse",
    response={200: ProjectGoodsUseOut, **WRITE},
    tags=MONEY,
    summary="冲销一笔登记有误的物资使用（总账记反向分录，物资价值退回基金库存）",
    description="409 already_reversed：已冲销过；409 period_closed：冲销日期所在月份已结账；"
    "422 reason_required：未写原因；422：日期晚于今天或早于使用日期；"
    "403：需项目的 projects.spend 和基金的 funds.manage_funds；404：项目或记录不存在或不在辖区内。"
    "幂等：Idempotency-Key 相同的重复提交返回同一冲销（200），不再记账。",
)
def goods_use_reverse(
    request: HttpRequest,
    project_id: int,
    use_id: int,
    payload: GoodsReverseIn,
    header_key: IdempotencyKeyHeader = None,
) -> Any:
    project = selectors.project_get(actor=actor(request), project_id=project_id)
    use = selectors.goods_use_get(project, use_id)
    reversed_use, created = services.goods_use_reverse(
        actor=actor(request),
        use=use,
        reason=payload.reason,
        reversed_on=payload.reversed_on,
        idempotency_key=idempotency_key(
            request, "project_goods_reverse", header_key, payload.idempotency_key
        ),
    )
    if not created:
        check_replay(
            {"reason": reversed_use.reversal_reason}, {"reason": payload.reason.strip()}, pk=reversed_use.pk
        )
    return selectors.goods_use_get(project, use_id)
