"""/api/v1/funds: funds and their balances, statements, month-end closing, reference data, the public
disclosure summary and the ledger check.

No `from __future__ import annotations`: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.responses import Status

from guanhuai.core.api import AUTH_ERRORS, LIST, READ, WRITE, ErrorOut, Paged, paginate
from guanhuai.core.api import actor as actor_of
from guanhuai.core.errors import ValidationError
from guanhuai.funds import selectors, services
from guanhuai.funds.api.common import FUNDS, PUBLIC, fund_out, fund_ref, router, unit_ref, with_balances
from guanhuai.funds.api.schemas import (
    ClosedPeriodOut,
    DisclosureOut,
    FundIn,
    FundOut,
    MonthOut,
    PeriodIn,
    PurposeOut,
    ReconcileOut,
    StatementOut,
)

# --- funds ----------------------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[FundOut], **LIST},
    tags=FUNDS,
    summary="基金列表及余额（限本辖区）",
    description="余额由账目汇总（一次查询），不存储。分页：limit（最多200）、offset。",
)
@paginate
def fund_list(request: HttpRequest) -> Any:
    return Paged(selectors.fund_list(actor=actor_of(request)), with_balances)


@router.post(
    "",
    response={201: FundOut, **WRITE},
    tags=FUNDS,
    summary="设立基金（基金管理员）",
    description="422：名称为空、限定用途基金未选用途、用途代码不存在、组织不存在或不在辖区内；"
    "409：同一组织已有同名基金；403：无权设立。",
)
def fund_create(request: HttpRequest, payload: FundIn) -> Any:
    actor = actor_of(request)
    fund = services.fund_create(
        actor=actor,
        org_unit=unit_ref(request, payload.org_unit_id),
        name=payload.name,
        founded_on=payload.founded_on,
        purpose=payload.purpose,
        restricted=payload.restricted,
        allowed_purposes=[selectors.purpose_ref(code=c) for c in dict.fromkeys(payload.allowed_purposes)],
        parent=fund_ref(request, payload.parent_id) if payload.parent_id is not None else None,
    )
    return Status(201, fund_out(request, fund.pk))


@router.get(
    "/{int:fund_id}",
    response={200: FundOut, **READ},
    tags=FUNDS,
    summary="基金详情：余额和允许的用途",
    description="404：不存在或不在辖区内（两者不加区分）。",
)
def fund_get(request: HttpRequest, fund_id: int) -> Any:
    return fund_out(request, fund_id)


@router.get(
    "/{int:fund_id}/statement",
    response={200: StatementOut, **READ},
    tags=FUNDS,
    summary="基金收支报表（期初、捐赠、按用途支出、期末，与账目核对）",
    description="start 留空为当年1月1日，end 留空为今天（含当日）。422：start 晚于 end。",
)
def fund_statement(
    request: HttpRequest, fund_id: int, start: dt.date | None = None, end: dt.date | None = None
) -> Any:
    fund = selectors.fund_get(actor=actor_of(request), fund_id=fund_id)
    end = end or timezone.localdate()
    start = start or end.replace(month=1, day=1)
    if start > end:
        raise ValidationError(_("开始日期不能晚于结束日期。"), code="period_order")
    return selectors.fund_statement(fund, start=start, end=end)


@router.get(
    "/{int:fund_id}/series",
    response={200: list[MonthOut], **READ},
    tags=FUNDS,
    summary="近12个月的收入和支出（图表）",
)
def fund_series(request: HttpRequest, fund_id: int) -> Any:
    fund = selectors.fund_get(actor=actor_of(request), fund_id=fund_id)
    return selectors.monthly_series(fund, months=12, today=timezone.localdate())


@router.post(
    "/{int:fund_id}/periods/close",
    response={200: ClosedPeriodOut, **WRITE},
    tags=FUNDS,
    summary="月末结账：此后不能再记入该月及以前",
    description="422：格式不是 YYYY-MM，或该月尚未结束；409：该月（或以后的月份）已结账；403：无权结账。",
)
def period_close(request: HttpRequest, fund_id: int, payload: PeriodIn) -> Any:
    actor = actor_of(request)
    fund = selectors.fund_get(actor=actor, fund_id=fund_id)
    return services.period_close(actor=actor, fund=fund, period=payload.period.strip())


# --- reference data, disclosure, ledger check ----------------------------------------------------------------


@router.get(
    "/purposes",
    response={200: list[PurposeOut], **AUTH_ERRORS},
    tags=FUNDS,
    summary="用途（全国统一的数据）",
)
def purpose_list(request: HttpRequest) -> Any:
    return selectors.purpose_list()


@router.get(
    "/disclosure",
    response={200: DisclosureOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    tags=PUBLIC,
    summary="公开信息（阳光计生）：募集和按用途支出合计、公开姓名的捐赠人（无需登录）",
    description=(
        "该组织及其下级全部基金在 [start, end] 内的合计。不含任何受助人信息；未选择公开的捐赠人合并为"
        "“爱心人士”。start 留空为当年1月1日，end 留空为今天。404：组织不存在；422：start 晚于 end。"
    ),
)
def disclosure(
    request: HttpRequest, unit_id: int, start: dt.date | None = None, end: dt.date | None = None
) -> Any:
    unit = selectors.public_unit_get(unit_id=unit_id)
    end = end or timezone.localdate()
    start = start or end.replace(month=1, day=1)
    if start > end:
        raise ValidationError(_("开始日期不能晚于结束日期。"), code="period_order")
    summary = selectors.disclosure_summary(org_unit=unit, start=start, end=end)
    return {"unit": unit, "start": start, "end": end, **summary}


@router.get(
    "/reconcile",
    response={200: ReconcileOut, **AUTH_ERRORS, 403: ErrorOut},
    tags=FUNDS,
    summary="核对总账（省级基金管理员、审计员）：每笔凭证借贷平衡、余额不为负、业务记录与账目一致",
    description="ok 为 false 时 problems 列出问题。403：不是省级（树根）基金管理员或审计员。",
)
def reconcile(request: HttpRequest) -> Any:
    rec = selectors.ledger_check(actor=actor_of(request))
    return {"ok": rec.ok, "transactions": rec.transactions, "entries": rec.entries, "problems": rec.problems}
