"""/api/v1/funds: allocations, disbursements, transfers between funds and special rounds. Every create
here moves money, so each follows the kit's idempotency contract (`guanhuai.core.api.idempotency`): the
first request is a 201, a replay with the same key a 200 with the first result, and the same key with a
different body a 409 `idempotency_mismatch`.

No `from __future__ import annotations`: ninja reads the annotations at import time."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from guanhuai.core.api import (
    LIST,
    READ,
    WRITE,
    Id,
    IdempotencyKeyHeader,
    Paged,
    check_replay,
    created_or_replayed,
    idempotency_key,
    paginate,
)
from guanhuai.core.api import actor as actor_of
from guanhuai.core.errors import ValidationError
from guanhuai.funds import selectors, services
from guanhuai.funds.api.common import (
    SPENDING,
    allocation_out,
    donor_ref,
    fund_ref,
    round_out,
    router,
    transfer_out,
    with_remaining,
)
from guanhuai.funds.api.schemas import (
    AllocationIn,
    AllocationOut,
    DisbursementIn,
    DisbursementOut,
    ReasonIn,
    RoundIn,
    RoundOut,
    TransferIn,
    TransferOut,
)
from guanhuai.registry import selectors as registry_selectors
from guanhuai.registry.selectors import PersonFilters

# --- allocations, disbursements, transfers, rounds ----------------------------------------------------------


@router.get(
    "/allocations",
    response={200: list[AllocationOut], **LIST},
    tags=SPENDING,
    summary="资金分配列表（含余额）",
    description="fund_id：只看该基金（不存在或不在辖区内为422）。分页：limit（最多200）、offset。",
)
@paginate
def allocation_list(request: HttpRequest, fund_id: Id | None = None) -> Any:
    fund = fund_ref(request, fund_id) if fund_id is not None else None
    return Paged(selectors.allocation_list(actor=actor_of(request), fund=fund), with_remaining)


@router.post(
    "/allocations",
    response={200: AllocationOut, 201: AllocationOut, **WRITE},
    tags=SPENDING,
    summary="分配资金给扶助项目、协会项目或专项（基金管理员）",
    description="422：金额不正确、用途不存在或限定用途基金不允许该用途、基金不存在或不在辖区内；"
    "409 insufficient_funds：可用资金不足；409 period_closed：当月已结账；403：无权分配（如财务人员）。"
    "幂等：Idempotency-Key 相同的重复提交返回原分配（200）。",
)
def allocation_create(
    request: HttpRequest,
    payload: AllocationIn,
    header_key: IdempotencyKeyHeader = None,
) -> Any:
    fund = fund_ref(request, payload.fund_id)
    purpose = selectors.purpose_ref(code=payload.purpose_code)
    target_ref = payload.target_ref.strip()
    allocation, created = services.allocation_create(
        actor=actor_of(request),
        fund=fund,
        purpose=purpose,
        target_kind=payload.target_kind.value,
        target_ref=target_ref,
        name=payload.name,
        amount=payload.amount,
        posted_on=payload.posted_on,
        idempotency_key=idempotency_key(request, "allocation", header_key, payload.idempotency_key),
    )
    if not created:
        check_replay(
            {
                "fund": allocation.fund_id,
                "purpose": allocation.purpose_id,
                "target": (allocation.target_kind, allocation.target_ref),
                "amount": allocation.amount,
            },
            {
                "fund": fund.pk,
                "purpose": purpose.pk,
                "target": (payload.target_kind.value, target_ref),
                "amount": payload.amount,
            },
            pk=allocation.pk,
        )
    return created_or_replayed(created, allocation_out(request, allocation.pk))


@router.post(
    "/allocations/{int:allocation_id}/close",
    response={200: AllocationOut, **WRITE},
    tags=SPENDING,
    summary="结束分配，余额退回基金可用资金（基金管理员）",
    description="409：已结束，或当月已结账；403：无权操作。",
)
def allocation_close(request: HttpRequest, allocation_id: int) -> Any:
    actor = actor_of(request)
    allocation = selectors.allocation_get(actor=actor, allocation_id=allocation_id)
    services.allocation_close(actor=actor, allocation=allocation)
    return allocation_out(request, allocation.pk)


@router.get(
    "/allocations/{int:allocation_id}/disbursements",
    response={200: list[DisbursementOut], **READ},
    tags=SPENDING,
    summary="该分配的支出明细",
    description="分页：limit（最多200）、offset。",
)
@paginate
def disbursement_list(request: HttpRequest, allocation_id: int) -> Any:
    actor = actor_of(request)
    allocation = selectors.allocation_get(actor=actor, allocation_id=allocation_id)
    return selectors.disbursement_list(actor=actor, allocation=allocation)


@router.post(
    "/allocations/{int:allocation_id}/disbursements",
    response={200: DisbursementOut, 201: DisbursementOut, **WRITE},
    tags=SPENDING,
    summary="登记支出（从分配中支付给受助人或收款方）",
    description=(
        "person_id 与 payee 二选一。在基金行锁下检查余额：409 insufficient_funds 为分配余额不足"
        "（并发请求中只有余额够的那一笔成功）；409 allocation_closed：分配已结束；409 period_closed：当月已结账；"
        "422：金额不正确、受助人不存在或不在辖区内、不是该用途的对象家庭、支出日期晚于今天；403：无权登记支出。"
        "幂等：Idempotency-Key 相同的重复提交返回原支出（200）。"
    ),
)
def disbursement_record(
    request: HttpRequest,
    allocation_id: int,
    payload: DisbursementIn,
    header_key: IdempotencyKeyHeader = None,
) -> Any:
    actor = actor_of(request)
    allocation = selectors.allocation_get(actor=actor, allocation_id=allocation_id)
    person = None
    if payload.person_id is not None:
        person = registry_selectors.person_ref(actor=actor, person_id=payload.person_id)
    disbursement, created = services.disbursement_record(
        actor=actor,
        allocation=allocation,
        amount=payload.amount,
        paid_on=payload.paid_on,
        person=person,
        payee=payload.payee,
        idempotency_key=idempotency_key(request, "disbursement", header_key, payload.idempotency_key),
    )
    if not created:
        check_replay(
            {
                "allocation": disbursement.allocation_id,
                "amount": disbursement.amount,
                "person": disbursement.person_id,
                "payee": disbursement.payee,
            },
            {
                "allocation": allocation.pk,
                "amount": payload.amount,
                "person": person.pk if person is not None else None,
                "payee": payload.payee.strip(),
            },
            pk=disbursement.pk,
        )
    disbursement = selectors.disbursement_get(actor=actor, disbursement_id=disbursement.pk)
    return created_or_replayed(created, disbursement)


@router.post(
    "/disbursements/{int:disbursement_id}/reverse",
    response={200: DisbursementOut, **WRITE},
    tags=SPENDING,
    summary="冲销支出（基金管理员），金额回到分配余额",
    description="422：未填原因；409：已冲销，或当月已结账；403：无权冲销。",
)
def disbursement_reverse(request: HttpRequest, disbursement_id: int, payload: ReasonIn) -> Any:
    actor = actor_of(request)
    disbursement = selectors.disbursement_get(actor=actor, disbursement_id=disbursement_id)
    services.disbursement_reverse(actor=actor, disbursement=disbursement, reason=payload.reason)
    return selectors.disbursement_get(actor=actor, disbursement_id=disbursement.pk)


@router.post(
    "/transfers",
    response={200: TransferOut, 201: TransferOut, **WRITE},
    tags=SPENDING,
    summary="基金间转账（基金管理员）",
    description="422：金额不正确、同一基金、限定用途资金转入用途更宽的基金、基金不存在或不在辖区内；"
    "409 insufficient_funds：转出基金可用资金不足；409 period_closed：当月已结账；403：无权转账。"
    "幂等：Idempotency-Key 相同的重复提交返回原转账（200）。",
)
def transfer_record(
    request: HttpRequest,
    payload: TransferIn,
    header_key: IdempotencyKeyHeader = None,
) -> Any:
    from_fund = fund_ref(request, payload.from_fund_id)
    to_fund = fund_ref(request, payload.to_fund_id)
    txn, created = services.transfer_record(
        actor=actor_of(request),
        from_fund=from_fund,
        to_fund=to_fund,
        amount=payload.amount,
        posted_on=payload.posted_on,
        note=payload.note,
        idempotency_key=idempotency_key(request, "transfer", header_key, payload.idempotency_key),
    )
    out = transfer_out(txn)
    if not created:
        check_replay(
            {"from": out["from_fund_id"], "to": out["to_fund_id"], "amount": out["amount"]},
            {"from": from_fund.pk, "to": to_fund.pk, "amount": payload.amount},
            pk=txn.pk,
        )
    return created_or_replayed(created, out)


@router.post(
    "/rounds",
    response={200: RoundOut, 201: RoundOut, **WRITE},
    tags=SPENDING,
    summary="专项发放：按名单一次发放，每户一笔（基金管理员）",
    description=(
        "一次写入：一笔分配（每户金额 × 户数）和每户一笔支出，要么全部成功、要么什么也不写。"
        "idempotency_key 必填：重复提交返回原专项（200）。422：名单中有人不存在或不在辖区内、有重复、"
        "不是该用途的对象家庭，限定用途基金不允许该用途，金额不正确；409 insufficient_funds：可用资金不足；"
        "403：无权发放。"
    ),
)
def round_create(request: HttpRequest, payload: RoundIn) -> Any:
    actor = actor_of(request)
    fund = fund_ref(request, payload.fund_id)
    partner = donor_ref(request, payload.partner_id) if payload.partner_id is not None else None
    ids = payload.person_ids
    if len(set(ids)) != len(ids):
        raise ValidationError(_("名单中有重复的家庭。"), code="duplicate_family")
    found = {
        p.pk: p
        for p in registry_selectors.person_list(actor=actor, filters=PersonFilters(alive=None)).filter(
            pk__in=ids
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            _("名单中有 %(n)s 人不存在或您无权操作（编号 %(ids)s）。")
            % {"n": len(missing), "ids": "、".join(str(i) for i in missing[:10])},
            code="unknown_person",
        )
    purpose = selectors.purpose_ref(code=payload.purpose_code)
    rnd, created = services.special_round_create(
        actor=actor,
        fund=fund,
        name=payload.name,
        purpose=purpose,
        amount_each=payload.amount_each,
        persons=[found[i] for i in ids],
        paid_on=payload.paid_on,
        idempotency_key=idempotency_key(request, "round", None, payload.idempotency_key) or "",
        partner=partner,
    )
    if not created:
        check_replay(
            {
                "fund": rnd.fund_id,
                "purpose": rnd.allocation.purpose_id,
                "amount_each": rnd.amount_each,
                "families": set(rnd.disbursements.values_list("person_id", flat=True)),
            },
            {
                "fund": fund.pk,
                "purpose": purpose.pk,
                "amount_each": payload.amount_each,
                "families": set(ids),
            },
            pk=rnd.pk,
        )
    return created_or_replayed(created, round_out(rnd))
