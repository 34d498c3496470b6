"""/api/v1/funds: donors, pledges, donations and their receipts.

No `from __future__ import annotations`: ninja reads the annotations at import time."""

from typing import Any

from django.http import HttpRequest
from ninja import Query
from ninja.responses import Status

from guanhuai.core.api import (
    LIST,
    READ,
    WRITE,
    Id,
    IdempotencyKeyHeader,
    check_replay,
    created_or_replayed,
    idempotency_key,
    paginate,
)
from guanhuai.core.api import actor as actor_of
from guanhuai.funds import selectors, services
from guanhuai.funds.api.common import DONORS, RECEIPTS, donation_out, donor_ref, fund_ref, router, unit_ref
from guanhuai.funds.api.schemas import (
    DonationIn,
    DonationOut,
    DonorIn,
    DonorListOut,
    DonorOut,
    DonorStatementOut,
    GapReportOut,
    PledgeIn,
    PledgeOut,
    ReasonIn,
    ReceiptOut,
)
from guanhuai.funds.permissions import VIEW_FUNDS

# --- donors ----------------------------------------------------------------------------------------------


@router.get(
    "/donors",
    response={200: list[DonorListOut], **LIST},
    tags=DONORS,
    summary="捐赠人列表（限本辖区）",
    description="q：名称包含，或完整的统一社会信用代码。分页：limit（最多200）、offset。",
)
@paginate
def donor_list(request: HttpRequest, q: str = "") -> Any:
    return selectors.donor_list(actor=actor_of(request), q=q.strip())


@router.post(
    "/donors",
    response={201: DonorOut, **WRITE},
    tags=DONORS,
    summary="登记捐赠人（个人或单位）",
    description="422：名称为空、统一社会信用代码校验不通过（说明原因）、组织不存在或不在辖区内；"
    "409：该信用代码已登记；403：无权登记。",
)
def donor_create(request: HttpRequest, payload: DonorIn) -> Any:
    donor = services.donor_create(
        actor=actor_of(request),
        org_unit=unit_ref(request, payload.org_unit_id),
        kind=payload.kind.value,
        name=payload.name,
        credit_code=payload.credit_code,
        contact_name=payload.contact_name,
        phone=payload.phone,
        address=payload.address,
        public_name=payload.public_name.value,
    )
    return Status(201, donor)


@router.get(
    "/donors/{int:donor_id}",
    response={200: DonorStatementOut, **READ},
    tags=DONORS,
    summary="捐赠人对账单：全部捐赠、收据和认捐履行情况",
)
def donor_get(request: HttpRequest, donor_id: int) -> Any:
    donor = selectors.donor_get(actor=actor_of(request), donor_id=donor_id)
    return selectors.donor_statement(donor, actor=actor_of(request))


@router.post(
    "/donors/{int:donor_id}/pledges",
    response={201: PledgeOut, **WRITE},
    tags=DONORS,
    summary="登记认捐（一次性或定期）",
    description="422：金额不正确、结束日期早于开始日期、基金不存在或不在辖区内；403：无权登记。",
)
def pledge_create(request: HttpRequest, donor_id: int, payload: PledgeIn) -> Any:
    donor = selectors.donor_get(actor=actor_of(request), donor_id=donor_id)
    pledge = services.pledge_create(
        actor=actor_of(request),
        donor=donor,
        fund=fund_ref(request, payload.fund_id),
        amount=payload.amount,
        schedule=payload.schedule.value,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        note=payload.note,
    )
    return Status(201, pledge)


# --- donations -------------------------------------------------------------------------------------------


@router.get(
    "/donations",
    response={200: list[DonationOut], **LIST},
    tags=DONORS,
    summary="捐赠列表（限本辖区）",
    description="fund_id：只看该基金（不存在或不在辖区内为422）。分页：limit（最多200）、offset。",
)
@paginate
def donation_list(request: HttpRequest, fund_id: Id | None = None) -> Any:
    fund = fund_ref(request, fund_id) if fund_id is not None else None
    return selectors.donation_list(actor=actor_of(request), fund=fund)


@router.post(
    "/donations",
    response={200: DonationOut, 201: DonationOut, **WRITE},
    tags=DONORS,
    summary="登记捐赠（资金或物资）并开具收据",
    description=(
        '金额用字符串（"1234.50"）或数字，超过两位小数、零或负数均为422。资金捐赠须填 channel；'
        "物资捐赠须填 items 和 valuation_basis，amount 为估值。限定用途基金须指定允许的用途（否则422）。"
        "409 period_closed：收到日期所在月份已结账。幂等：Idempotency-Key 请求头（或 idempotency_key）"
        "相同的重复提交返回原捐赠（200），不重复记账、不重复开收据；同一个键用于另一笔不同的捐赠为409。"
        "403：无权登记捐赠（如审计员、基金管理员以外只读的角色）。"
    ),
)
def donation_record(
    request: HttpRequest,
    payload: DonationIn,
    header_key: IdempotencyKeyHeader = None,
) -> Any:
    donor = donor_ref(request, payload.donor_id)
    fund = fund_ref(request, payload.fund_id)
    key = idempotency_key(request, "donation", header_key, payload.idempotency_key)
    donation, created = services.donation_record(
        actor=actor_of(request),
        donor=donor,
        fund=fund,
        kind=payload.kind.value,
        amount=payload.amount,
        received_on=payload.received_on,
        channel=payload.channel.value if payload.channel else "",
        purpose=selectors.purpose_ref(code=payload.purpose_code) if payload.purpose_code else None,
        items=payload.items,
        quantity=payload.quantity,
        valuation_basis=payload.valuation_basis,
        pledge=selectors.pledge_ref(donor=donor, pledge_id=payload.pledge_id) if payload.pledge_id else None,
        issue_receipt=payload.issue_receipt,
        idempotency_key=key,
    )
    if not created:
        check_replay(
            {
                "donor": donation.donor_id,
                "fund": donation.fund_id,
                "kind": donation.kind,
                "amount": donation.amount,
            },
            {"donor": donor.pk, "fund": fund.pk, "kind": payload.kind.value, "amount": payload.amount},
            pk=donation.pk,
        )
    return created_or_replayed(created, donation_out(request, donation.pk))


@router.post(
    "/donations/{int:donation_id}/reverse",
    response={200: DonationOut, **WRITE},
    tags=DONORS,
    summary="冲销误登的捐赠（基金管理员）：记冲销分录，收据随之作废",
    description="422：未填原因；409：已冲销，或可用资金已不足以冲回（insufficient_funds），或当月已结账；"
    "403：无权冲销。",
)
def donation_reverse(request: HttpRequest, donation_id: int, payload: ReasonIn) -> Any:
    actor = actor_of(request)
    donation = selectors.donation_get(actor=actor, donation_id=donation_id)
    services.donation_reverse(actor=actor, donation=donation, reason=payload.reason)
    return donation_out(request, donation.pk)


# --- receipts --------------------------------------------------------------------------------------------


@router.get(
    "/receipts",
    response={200: list[ReceiptOut], **LIST},
    tags=RECEIPTS,
    summary="收据列表（限本辖区，含已作废的）",
    description="year：开具年度。分页：limit（最多200）、offset。",
)
@paginate
def receipt_list(request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100)) -> Any:
    return selectors.receipt_list(actor=actor_of(request), year=year)


@router.get(
    "/receipts/gaps",
    response={200: GapReportOut, **LIST},
    tags=RECEIPTS,
    summary="收据断号报告：该组织该年度每一个作废或缺失的号码",
    description="422：unit_id 不存在或不在您可查看基金的辖区内。",
)
def receipt_gaps(request: HttpRequest, unit_id: int, year: int = Query(..., ge=2000, le=2100)) -> Any:
    unit = unit_ref(request, unit_id, perm=VIEW_FUNDS)
    return {"unit": unit, "year": year, "gaps": selectors.receipt_gap_report(org_unit=unit, year=year)}


@router.get(
    "/receipts/{int:receipt_id}", response={200: ReceiptOut, **READ}, tags=RECEIPTS, summary="收据详情"
)
def receipt_get(request: HttpRequest, receipt_id: int) -> Any:
    return selectors.receipt_get(actor=actor_of(request), receipt_id=receipt_id)


@router.post(
    "/receipts/{int:receipt_id}/void",
    response={200: ReceiptOut, **WRITE},
    tags=RECEIPTS,
    summary="作废收据（须填原因；收据不删除，号码留在断号报告中）",
    description="422：未填原因；409 already_voided：已作废，不能再次作废；403：无权作废。",
)
def receipt_void(request: HttpRequest, receipt_id: int, payload: ReasonIn) -> Any:
    actor = actor_of(request)
    receipt = selectors.receipt_get(actor=actor, receipt_id=receipt_id)
    services.receipt_void(actor=actor, receipt=receipt, reason=payload.reason)
    return selectors.receipt_get(actor=actor, receipt_id=receipt.pk)


@router.post(
    "/receipts/{int:receipt_id}/reissue",
    response={201: ReceiptOut, **WRITE},
    tags=RECEIPTS,
    summary="补开收据：原收据作废（如尚未作废），新号码标明补开自原收据",
    description="409：捐赠已冲销；403：无权补开。",
)
def receipt_reissue(request: HttpRequest, receipt_id: int, payload: ReasonIn) -> Any:
    actor = actor_of(request)
    receipt = selectors.receipt_get(actor=actor, receipt_id=receipt_id)
    new = services.receipt_reissue(actor=actor, receipt=receipt, reason=payload.reason)
    return Status(201, selectors.receipt_get(actor=actor, receipt_id=new.pk))
