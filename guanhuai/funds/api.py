"""/api/v1/funds: funds, donors, donations, receipts, allocations, disbursements, transfers, special rounds,
statements, the public disclosure summary and the ledger check.

Thin, like the pages: reads through funds.selectors (scoped: a fund, donation or receipt outside the actor's
branches is a 404, exactly like one that does not exist), writes through funds.services, which check the
named permissions (a finance officer records donations, a fund manager allocates, approves, reverses and
transfers, an auditor only reads: 403). A DomainError propagates and guanhuai.api turns it into
`{"code", "message"}` with its status: 422 bad input, 409 a state or balance conflict (`insufficient_funds`,
`period_closed`, `already_voided` …).

Money goes both ways as strings with two decimals ("1234.50"), never as a float. An amount may be sent as a
string or a JSON number, but every amount goes through `core.money.parse_amount`, so 12.345 and "12.345" get
the same 422. A fund, donor, purpose or person named in the *body* that is unknown or outside the scope is a
422 about that input; in the URL it is a 404.

Replays: POST /donations, /allocations, /allocations/{id}/disbursements and /transfers take an optional
`Idempotency-Key` header (or `idempotency_key` in the body; /rounds requires it). A replay with the same key
by the same user returns what the first request created, with 200 instead of 201, and writes nothing.

GET /disclosure is public (no login): totals per purpose and the donors who chose to be named, never a
beneficiary.

No `from __future__ import annotations` here: ninja reads the Query[...] annotations at import time."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status
from pydantic import PlainSerializer, StrictFloat, StrictInt, StrictStr, WithJsonSchema

from guanhuai.api import AUTH_ERRORS, ErrorOut
from guanhuai.core.errors import Conflict, NotFound, ValidationError
from guanhuai.core.money import CENT, parse_amount
from guanhuai.funds import selectors, services
from guanhuai.funds.ledger import ZERO
from guanhuai.funds.models import (
    Allocation,
    Donation,
    Donor,
    Fund,
    LedgerTransaction,
    Pledge,
    Receipt,
    SpecialRound,
)
from guanhuai.funds.permissions import VIEW_FUNDS
from guanhuai.funds.states import (
    Account,
    AllocationStatus,
    Channel,
    DonationKind,
    DonorKind,
    PublicName,
    ReceiptStatus,
    Schedule,
    TargetKind,
)
from guanhuai.orgs import selectors as org_selectors
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry import selectors as registry_selectors
from guanhuai.registry.selectors import PersonFilters

router = Router()

MAX_PAGE = 200
MAX_ROUND = 5000
FUNDS = ["funds"]
DONORS = ["funds: donors and donations"]
RECEIPTS = ["funds: receipts"]
SPENDING = ["funds: allocations and disbursements"]
PUBLIC = ["funds: public disclosure"]

READ = {**AUTH_ERRORS, 404: ErrorOut, 422: ErrorOut}
WRITE = {**AUTH_ERRORS, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _money_text(value: Decimal) -> str:
    # `+ ZERO` turns a "-0.00" (a negated empty sum) into "0.00".
    return f"{Decimal(value).quantize(CENT) + ZERO:f}"


Money = Annotated[
    Decimal,
    PlainSerializer(_money_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["1234.50"]}),
]
# Strict, so that a JSON number reaches parse_amount untouched (12.345 is refused, not rounded).
AmountIn = Annotated[
    StrictStr | StrictInt | StrictFloat,
    Field(
        description='金额（元），精确到分；建议用字符串，如 "1234.50"。超过两位小数、零或负数均被拒绝（422）'
    ),
]
IdempotencyKey = Annotated[str | None, Field(None, max_length=64, description="同一个键重复提交只记一次")]

T = TypeVar("T")


class Page(Schema, Generic[T]):
    count: int
    limit: int
    offset: int
    items: list[T]


def _page(rows: Any, limit: int, offset: int) -> dict[str, Any]:
    return {
        "count": rows.count(),
        "limit": limit,
        "offset": offset,
        "items": list(rows[offset : offset + limit]),
    }


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- references named in the input (422 when unknown or out of scope) ------------------------------------


def _fund_ref(request: HttpRequest, fund_id: int) -> Fund:
    try:
        return selectors.fund_get(actor=_actor(request), fund_id=fund_id)
    except NotFound:
        raise ValidationError(
            _("指定的基金（编号 %(id)s）不存在，或您无权操作。") % {"id": fund_id}, code="unknown_fund"
        )


def _donor_ref(request: HttpRequest, donor_id: int) -> Donor:
    try:
        return selectors.donor_get(actor=_actor(request), donor_id=donor_id)
    except NotFound:
        raise ValidationError(
            _("指定的捐赠人（编号 %(id)s）不存在，或您无权操作。") % {"id": donor_id}, code="unknown_donor"
        )


def _unit_ref(request: HttpRequest, unit_id: int, perm: str = "orgs.view_units") -> OrgUnit:
    return org_selectors.unit_ref(actor=_actor(request), unit_id=unit_id, perm=perm)


def _key(request: HttpRequest, kind: str, header: str | None, body: str | None) -> str | None:
    """The client's idempotency key, namespaced by what it is for and by the user: the same key sent for
    a donation and for a transfer, or by two users, names two different requests."""
    key = (header or body or "").strip()
    if not key:
        return None
    if len(key) > 64:
        raise ValidationError(_("Idempotency-Key 不能超过64个字符。"), code="idempotency_key")
    return f"api:{kind}:{_actor(request).pk}:{key}"


def _created(obj: Any, since: dt.datetime) -> bool:
    """Whether the service made `obj` during this request, or returned the one a replay had made."""
    return obj.created_at >= since


# --- schemas: output ---------------------------------------------------------------------------------------


class BranchRef(Schema):
    id: int
    code: str
    name: str


class NamedRef(Schema):
    id: int
    name: str


class PurposeOut(Schema):
    code: str
    name: str
    requires_status: str = Field(
        ..., description="只能发放给该类家庭：bereaved（失独）、disabled_child（伤残）或空"
    )


class BalancesOut(Schema):
    available: Money = Field(..., description="可用资金（未分配）")
    allocated: Money = Field(..., description="已分配待支出")
    money: Money = Field(..., description="资金合计 = 可用 + 已分配")
    in_kind: Money = Field(..., description="库存物资（估值）")


class FundOut(Schema):
    id: int
    name: str
    org_unit: BranchRef
    purpose: str
    restricted: bool
    allowed_purposes: list[PurposeOut]
    parent_id: int | None
    founded_on: dt.date
    balances: BalancesOut

    @staticmethod
    def resolve_allowed_purposes(obj: Fund) -> list[Any]:
        return list(obj.allowed_purposes.all())

    @staticmethod
    def resolve_balances(obj: Fund) -> Any:
        return obj.balances_out  # type: ignore[attr-defined]


class StatementOut(Schema):
    fund_id: int
    start: dt.date
    end: dt.date = Field(..., description="含当日")
    opening: Money = Field(..., description="期初资金余额")
    opening_in_kind: Money
    cash_donations: Money
    in_kind_donations: Money
    transfers_in: Money
    transfers_out: Money
    disbursements_by_purpose: dict[str, Money]
    disbursements: Money
    in_kind_distributed: Money
    closing: Money = Field(..., description="期末资金余额")
    closing_in_kind: Money
    reconciled: bool = Field(..., description="期初 + 本期发生 = 期末（期末由资产账户独立汇总）")

    @staticmethod
    def resolve_fund_id(obj: Any) -> int:
        return obj.fund.pk


class MonthOut(Schema):
    month: str = Field(..., description="YYYY-MM")
    income: Money
    spending: Money


class ClosedPeriodOut(Schema):
    fund_id: int
    period: str
    closed_at: dt.datetime
    closed_by: str

    @staticmethod
    def resolve_closed_by(obj: Any) -> str:
        return obj.closed_by.username


class DonorOut(Schema):
    id: int
    kind: DonorKind
    kind_label: str
    name: str
    credit_code: str
    contact_name: str
    phone_masked: str = Field(..., description="脱敏的联系电话")
    address: str
    public_name: PublicName
    display_name: str = Field(..., description="公开时显示的名称（不公开姓名时为“爱心人士”）")
    org_unit_id: int

    @staticmethod
    def resolve_kind_label(obj: Donor) -> str:
        return str(obj.get_kind_display())


class DonorListOut(DonorOut):
    gifts: int = Field(..., description="捐赠笔数")


class ReceiptRef(Schema):
    id: int
    number: str
    status: ReceiptStatus
    issued_on: dt.date


class DonationOut(Schema):
    id: int
    donor: NamedRef
    fund: NamedRef
    purpose: PurposeOut | None
    kind: DonationKind
    kind_label: str
    amount: Money = Field(..., description="金额；物资为估值")
    channel: str
    items: str
    quantity: str
    valuation_basis: str
    received_on: dt.date
    pledge_id: int | None
    reversed: bool
    receipts: list[ReceiptRef]
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: Donation) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_receipts(obj: Donation) -> list[Receipt]:
        return sorted(obj.receipts.all(), key=lambda r: r.pk)


class PledgeOut(Schema):
    id: int
    donor_id: int
    fund: NamedRef
    amount: Money = Field(..., description="每期金额")
    schedule: Schedule
    starts_on: dt.date
    ends_on: dt.date | None
    note: str
    received: Money = Field(..., description="已收到（按此认捐登记的有效捐赠合计）")

    @staticmethod
    def resolve_received(obj: Pledge) -> Decimal:
        return getattr(obj, "received", ZERO)


class DonorStatementOut(Schema):
    donor: DonorOut
    donations: list[DonationOut]
    total_cash: Money
    total_in_kind: Money
    pledges: list[PledgeOut]

    @staticmethod
    def resolve_pledges(obj: dict[str, Any]) -> list[Pledge]:
        out = []
        for row in obj["pledges"]:
            row["pledge"].received = row["received"]
            out.append(row["pledge"])
        return out


class ReceiptOut(Schema):
    id: int
    number: str
    org_unit_id: int
    year: int
    seq: int
    donation_id: int
    donor: NamedRef
    amount: Money
    issued_on: dt.date
    status: ReceiptStatus
    status_label: str
    void_reason: str
    voided_at: dt.datetime | None
    duplicate_of: ReceiptRef | None = Field(None, description="补开时：原收据")

    @staticmethod
    def resolve_donor(obj: Receipt) -> Donor:
        return obj.donation.donor

    @staticmethod
    def resolve_amount(obj: Receipt) -> Decimal:
        return obj.donation.amount

    @staticmethod
    def resolve_status_label(obj: Receipt) -> str:
        return str(obj.get_status_display())


class GapOut(Schema):
    seq: int
    number: str | None
    status: str = Field(..., description="voided（已作废）或 missing（缺号）")
    reason: str


class GapReportOut(Schema):
    unit: BranchRef
    year: int
    gaps: list[GapOut]


class AllocationOut(Schema):
    id: int
    fund: NamedRef
    purpose: PurposeOut
    target_kind: TargetKind
    target_ref: str
    name: str
    amount: Money
    remaining: Money = Field(..., description="分配余额（尚未支出）")
    status: AllocationStatus
    created_at: dt.datetime

    @staticmethod
    def resolve_remaining(obj: Allocation) -> Decimal:
        return obj.remaining  # type: ignore[attr-defined]


class DisbursementOut(Schema):
    id: int
    allocation_id: int
    person: NamedRef | None = Field(None, description="受助人（仅工作人员可见，公开信息中从不出现）")
    payee: str
    amount: Money
    paid_on: dt.date
    round_id: int | None
    reversed: bool
    created_at: dt.datetime


class TransferOut(Schema):
    id: int = Field(..., description="记账凭证编号")
    from_fund_id: int
    to_fund_id: int
    amount: Money
    posted_on: dt.date
    description: str


class RoundOut(Schema):
    id: int
    name: str
    fund: NamedRef
    partner: NamedRef | None
    amount_each: Money
    families: int
    total: Money
    allocation_id: int
    paid_on: dt.date
    created_at: dt.datetime

    @staticmethod
    def resolve_families(obj: SpecialRound) -> int:
        return obj.families  # type: ignore[attr-defined]

    @staticmethod
    def resolve_total(obj: SpecialRound) -> Decimal:
        return obj.amount_each * obj.families  # type: ignore[attr-defined]


class NamedDonorOut(Schema):
    name: str
    amount: Money


class AnonymousOut(Schema):
    name: str
    amount: Money
    gifts: int


class DisclosureOut(Schema):
    unit: BranchRef
    start: dt.date
    end: dt.date
    raised: Money = Field(..., description="募集合计（资金及物资估值）")
    spent_by_purpose: dict[str, Money]
    named_donors: list[NamedDonorOut] = Field(..., description="选择公开姓名/名称的捐赠人")
    anonymous: AnonymousOut = Field(..., description="其余捐赠合计，以“爱心人士”公开")


class ReconcileOut(Schema):
    ok: bool
    transactions: int
    entries: int
    problems: list[str]


# --- schemas: input ----------------------------------------------------------------------------------------


class FundIn(Schema):
    org_unit_id: int = Field(..., description="所属组织")
    name: str = Field(..., max_length=100)
    founded_on: dt.date
    purpose: str = Field("", max_length=300, description="宗旨")
    restricted: bool = False
    allowed_purposes: list[str] = Field(
        default_factory=list, description="允许的用途代码（限定用途基金必填）"
    )
    parent_id: int | None = Field(None, description="上级基金")


class PeriodIn(Schema):
    period: str = Field(..., max_length=7, description="YYYY-MM；只能结已经结束的月份")


class DonorIn(Schema):
    org_unit_id: int = Field(..., description="登记组织")
    kind: DonorKind
    name: str = Field(..., max_length=120)
    credit_code: str = Field("", max_length=30, description="单位的统一社会信用代码（18位，校验位须正确）")
    contact_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    public_name: PublicName = PublicName.ANONYMOUS


class PledgeIn(Schema):
    fund_id: int
    amount: AmountIn
    schedule: Schedule = Schedule.ONCE
    starts_on: dt.date
    ends_on: dt.date | None = None
    note: str = Field("", max_length=200)


class DonationIn(Schema):
    donor_id: int
    fund_id: int
    kind: DonationKind = DonationKind.CASH
    amount: AmountIn
    received_on: dt.date
    channel: Channel | None = Field(None, description="资金捐赠必填")
    purpose_code: str | None = Field(None, description="指定用途（限定用途基金必填）")
    items: str = Field("", max_length=200, description="物资捐赠：物资名称")
    quantity: str = Field("", max_length=50)
    valuation_basis: str = Field("", max_length=200, description="物资捐赠：估值依据")
    pledge_id: int | None = Field(None, description="履行的认捐")
    issue_receipt: bool = True
    idempotency_key: IdempotencyKey = None


class ReasonIn(Schema):
    reason: str = Field(..., max_length=200)


class AllocationIn(Schema):
    fund_id: int
    purpose_code: str
    target_kind: TargetKind
    target_ref: str = Field(..., max_length=120, description="如 programme:12、project:3")
    name: str = Field(..., max_length=120)
    amount: AmountIn
    posted_on: dt.date | None = Field(None, description="留空为今天")
    idempotency_key: IdempotencyKey = None


class DisbursementIn(Schema):
    amount: AmountIn
    paid_on: dt.date
    person_id: int | None = Field(None, description="受助人（与 payee 二选一）")
    payee: str = Field("", max_length=120, description="收款方（项目支出等）")
    idempotency_key: IdempotencyKey = None


class TransferIn(Schema):
    from_fund_id: int
    to_fund_id: int
    amount: AmountIn
    posted_on: dt.date
    note: str = Field("", max_length=100)
    idempotency_key: IdempotencyKey = None


class RoundIn(Schema):
    fund_id: int
    name: str = Field(..., max_length=120)
    purpose_code: str
    amount_each: AmountIn
    person_ids: list[int] = Field(..., min_length=1, max_length=MAX_ROUND, description="受助家庭（户主等）")
    paid_on: dt.date
    partner_id: int | None = Field(None, description="合作方（捐赠人）")
    idempotency_key: str = Field(..., min_length=1, max_length=64)


# --- output helpers ------------------------------------------------------------------------------------------


def _with_balances(funds: list[Fund]) -> list[Fund]:
    by_fund = selectors.balances_for(funds)
    for f in funds:
        f.balances_out = by_fund[f.pk]  # type: ignore[attr-defined]
    return funds


def _with_remaining(allocations: list[Allocation]) -> list[Allocation]:
    left = selectors.allocations_remaining(allocations)
    for a in allocations:
        a.remaining = left[a.pk]  # type: ignore[attr-defined]
    return allocations


def _fund_out(request: HttpRequest, fund_id: int) -> Fund:
    return _with_balances([selectors.fund_get(actor=_actor(request), fund_id=fund_id)])[0]


def _donation_out(request: HttpRequest, donation_id: int) -> Donation:
    return selectors.donation_get(actor=_actor(request), donation_id=donation_id)


def _allocation_out(request: HttpRequest, allocation_id: int) -> Allocation:
    return _with_remaining([selectors.allocation_get(actor=_actor(request), allocation_id=allocation_id)])[0]


def _transfer_out(txn: LedgerTransaction) -> dict[str, Any]:
    entries = list(txn.entries.all())
    out = next(e for e in entries if e.account == Account.TRANSFERS_OUT)
    into = next(e for e in entries if e.account == Account.TRANSFERS_IN)
    return {
        "id": txn.pk,
        "from_fund_id": out.fund_id,
        "to_fund_id": into.fund_id,
        "amount": out.amount,
        "posted_on": txn.posted_on,
        "description": txn.description,
    }


def _round_out(rnd: SpecialRound) -> SpecialRound:
    rnd.families = rnd.disbursements.count()  # type: ignore[attr-defined]
    return rnd


# --- funds ---------------------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: Page[FundOut], **AUTH_ERRORS, 422: ErrorOut},
    tags=FUNDS,
    summary="基金列表及余额（限本辖区）",
    description="余额由账目汇总（一次查询），不存储。分页（limit/offset，最多200）。",
)
def fund_list(
    request: HttpRequest, limit: int = Query(50, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0)
) -> Any:
    page = _page(selectors.fund_list(actor=_actor(request)), limit, offset)
    page["items"] = _with_balances(page["items"])
    return page


@router.post(
    "",
    response={201: FundOut, **WRITE},
    tags=FUNDS,
    summary="设立基金（基金管理员）",
    description="422：名称为空、限定用途基金未选用途、用途代码不存在、组织不存在或不在辖区内；"
    "409：同一组织已有同名基金；403：无权设立。",
)
def fund_create(request: HttpRequest, payload: FundIn) -> Any:
    actor = _actor(request)
    fund = services.fund_create(
        actor=actor,
        org_unit=_unit_ref(request, payload.org_unit_id),
        name=payload.name,
        founded_on=payload.founded_on,
        purpose=payload.purpose,
        restricted=payload.restricted,
        allowed_purposes=[selectors.purpose_ref(code=c) for c in dict.fromkeys(payload.allowed_purposes)],
        parent=_fund_ref(request, payload.parent_id) if payload.parent_id is not None else None,
    )
    return Status(201, _fund_out(request, fund.pk))


@router.get(
    "/{int:fund_id}",
    response={200: FundOut, **READ},
    tags=FUNDS,
    summary="基金详情：余额和允许的用途",
    description="404：不存在或不在辖区内（两者不加区分）。",
)
def fund_get(request: HttpRequest, fund_id: int) -> Any:
    return _fund_out(request, fund_id)


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
    fund = selectors.fund_get(actor=_actor(request), fund_id=fund_id)
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
    fund = selectors.fund_get(actor=_actor(request), fund_id=fund_id)
    return selectors.monthly_series(fund, months=12, today=timezone.localdate())


@router.post(
    "/{int:fund_id}/periods/close",
    response={200: ClosedPeriodOut, **WRITE},
    tags=FUNDS,
    summary="月末结账：此后不能再记入该月及以前",
    description="422：格式不是 YYYY-MM，或该月尚未结束；409：该月（或以后的月份）已结账；403：无权结账。",
)
def period_close(request: HttpRequest, fund_id: int, payload: PeriodIn) -> Any:
    actor = _actor(request)
    fund = selectors.fund_get(actor=actor, fund_id=fund_id)
    return services.period_close(actor=actor, fund=fund, period=payload.period.strip())


# --- donors ----------------------------------------------------------------------------------------------


@router.get(
    "/donors",
    response={200: Page[DonorListOut], **AUTH_ERRORS, 422: ErrorOut},
    tags=DONORS,
    summary="捐赠人列表（限本辖区）",
    description="q：名称包含，或完整的统一社会信用代码。分页（limit/offset，最多200）。",
)
def donor_list(
    request: HttpRequest,
    q: str = "",
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Any:
    return _page(selectors.donor_list(actor=_actor(request), q=q.strip()), limit, offset)


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
        actor=_actor(request),
        org_unit=_unit_ref(request, payload.org_unit_id),
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
    donor = selectors.donor_get(actor=_actor(request), donor_id=donor_id)
    return selectors.donor_statement(donor, actor=_actor(request))


@router.post(
    "/donors/{int:donor_id}/pledges",
    response={201: PledgeOut, **WRITE},
    tags=DONORS,
    summary="登记认捐（一次性或定期）",
    description="422：金额不正确、结束日期早于开始日期、基金不存在或不在辖区内；403：无权登记。",
)
def pledge_create(request: HttpRequest, donor_id: int, payload: PledgeIn) -> Any:
    donor = selectors.donor_get(actor=_actor(request), donor_id=donor_id)
    pledge = services.pledge_create(
        actor=_actor(request),
        donor=donor,
        fund=_fund_ref(request, payload.fund_id),
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
    response={200: Page[DonationOut], **AUTH_ERRORS, 422: ErrorOut},
    tags=DONORS,
    summary="捐赠列表（限本辖区）",
    description="fund_id：只看该基金（不存在或不在辖区内为422）。分页（limit/offset，最多200）。",
)
def donation_list(
    request: HttpRequest,
    fund_id: int | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Any:
    fund = _fund_ref(request, fund_id) if fund_id is not None else None
    return _page(selectors.donation_list(actor=_actor(request), fund=fund), limit, offset)


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
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    actor = _actor(request)
    donor = _donor_ref(request, payload.donor_id)
    fund = _fund_ref(request, payload.fund_id)
    key = _key(request, "donation", idempotency_key, payload.idempotency_key)
    started = timezone.now()
    donation = services.donation_record(
        actor=actor,
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
    if _created(donation, started):
        return Status(201, _donation_out(request, donation.pk))
    if (donation.donor_id, donation.fund_id, donation.amount) != (
        donor.pk,
        fund.pk,
        parse_amount(payload.amount),
    ):
        raise Conflict(
            _("该幂等键已用于另一笔捐赠（编号 %(id)s），请换一个键。") % {"id": donation.pk},
            code="idempotency_mismatch",
        )
    return Status(200, _donation_out(request, donation.pk))


@router.post(
    "/donations/{int:donation_id}/reverse",
    response={200: DonationOut, **WRITE},
    tags=DONORS,
    summary="冲销误登的捐赠（基金管理员）：记冲销分录，收据随之作废",
    description="422：未填原因；409：已冲销，或可用资金已不足以冲回（insufficient_funds），或当月已结账；"
    "403：无权冲销。",
)
def donation_reverse(request: HttpRequest, donation_id: int, payload: ReasonIn) -> Any:
    actor = _actor(request)
    donation = selectors.donation_get(actor=actor, donation_id=donation_id)
    services.donation_reverse(actor=actor, donation=donation, reason=payload.reason)
    return _donation_out(request, donation.pk)


# --- receipts --------------------------------------------------------------------------------------------


@router.get(
    "/receipts",
    response={200: Page[ReceiptOut], **AUTH_ERRORS, 422: ErrorOut},
    tags=RECEIPTS,
    summary="收据列表（限本辖区，含已作废的）",
    description="year：开具年度。分页（limit/offset，最多200）。",
)
def receipt_list(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Any:
    return _page(selectors.receipt_list(actor=_actor(request), year=year), limit, offset)


@router.get(
    "/receipts/gaps",
    response={200: GapReportOut, **AUTH_ERRORS, 422: ErrorOut},
    tags=RECEIPTS,
    summary="收据断号报告：该组织该年度每一个作废或缺失的号码",
    description="422：unit_id 不存在或不在您可查看基金的辖区内。",
)
def receipt_gaps(request: HttpRequest, unit_id: int, year: int = Query(..., ge=2000, le=2100)) -> Any:
    unit = _unit_ref(request, unit_id, perm=VIEW_FUNDS)
    return {"unit": unit, "year": year, "gaps": selectors.receipt_gap_report(org_unit=unit, year=year)}


@router.get(
    "/receipts/{int:receipt_id}", response={200: ReceiptOut, **READ}, tags=RECEIPTS, summary="收据详情"
)
def receipt_get(request: HttpRequest, receipt_id: int) -> Any:
    return selectors.receipt_get(actor=_actor(request), receipt_id=receipt_id)


@router.post(
    "/receipts/{int:receipt_id}/void",
    response={200: ReceiptOut, **WRITE},
    tags=RECEIPTS,
    summary="作废收据（须填原因；收据不删除，号码留在断号报告中）",
    description="422：未填原因；409 already_voided：已作废，不能再次作废；403：无权作废。",
)
def receipt_void(request: HttpRequest, receipt_id: int, payload: ReasonIn) -> Any:
    actor = _actor(request)
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
    actor = _actor(request)
    receipt = selectors.receipt_get(actor=actor, receipt_id=receipt_id)
    new = services.receipt_reissue(actor=actor, receipt=receipt, reason=payload.reason)
    return Status(201, selectors.receipt_get(actor=actor, receipt_id=new.pk))


# --- allocations, disbursements, transfers, rounds ----------------------------------------------------------


@router.get(
    "/allocations",
    response={200: Page[AllocationOut], **AUTH_ERRORS, 422: ErrorOut},
    tags=SPENDING,
    summary="资金分配列表（含余额）",
    description="fund_id：只看该基金（不存在或不在辖区内为422）。分页（limit/offset，最多200）。",
)
def allocation_list(
    request: HttpRequest,
    fund_id: int | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Any:
    fund = _fund_ref(request, fund_id) if fund_id is not None else None
    page = _page(selectors.allocation_list(actor=_actor(request), fund=fund), limit, offset)
    page["items"] = _with_remaining(page["items"])
    return page


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
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    fund = _fund_ref(request, payload.fund_id)
    started = timezone.now()
    allocation = services.allocation_create(
        actor=_actor(request),
        fund=fund,
        purpose=selectors.purpose_ref(code=payload.purpose_code),
        target_kind=payload.target_kind.value,
        target_ref=payload.target_ref.strip(),
        name=payload.name,
        amount=payload.amount,
        posted_on=payload.posted_on,
        idempotency_key=_key(request, "allocation", idempotency_key, payload.idempotency_key),
    )
    return Status(201 if _created(allocation, started) else 200, _allocation_out(request, allocation.pk))


@router.post(
    "/allocations/{int:allocation_id}/close",
    response={200: AllocationOut, **WRITE},
    tags=SPENDING,
    summary="结束分配，余额退回基金可用资金（基金管理员）",
    description="409：已结束，或当月已结账；403：无权操作。",
)
def allocation_close(request: HttpRequest, allocation_id: int) -> Any:
    actor = _actor(request)
    allocation = selectors.allocation_get(actor=actor, allocation_id=allocation_id)
    services.allocation_close(actor=actor, allocation=allocation)
    return _allocation_out(request, allocation.pk)


@router.get(
    "/allocations/{int:allocation_id}/disbursements",
    response={200: Page[DisbursementOut], **READ},
    tags=SPENDING,
    summary="该分配的支出明细",
    description="分页（limit/offset，最多200）。",
)
def disbursement_list(
    request: HttpRequest,
    allocation_id: int,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Any:
    actor = _actor(request)
    allocation = selectors.allocation_get(actor=actor, allocation_id=allocation_id)
    return _page(selectors.disbursement_list(actor=actor, allocation=allocation), limit, offset)


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
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    actor = _actor(request)
    allocation = selectors.allocation_get(actor=actor, allocation_id=allocation_id)
    person = None
    if payload.person_id is not None:
        person = registry_selectors.person_ref(actor=actor, person_id=payload.person_id)
    started = timezone.now()
    disbursement = services.disbursement_record(
        actor=actor,
        allocation=allocation,
        amount=payload.amount,
        paid_on=payload.paid_on,
        person=person,
        payee=payload.payee,
        idempotency_key=_key(request, "disbursement", idempotency_key, payload.idempotency_key),
    )
    disbursement = selectors.disbursement_get(actor=actor, disbursement_id=disbursement.pk)
    return Status(201 if _created(disbursement, started) else 200, disbursement)


@router.post(
    "/disbursements/{int:disbursement_id}/reverse",
    response={200: DisbursementOut, **WRITE},
    tags=SPENDING,
    summary="冲销支出（基金管理员），金额回到分配余额",
    description="422：未填原因；409：已冲销，或当月已结账；403：无权冲销。",
)
def disbursement_reverse(request: HttpRequest, disbursement_id: int, payload: ReasonIn) -> Any:
    actor = _actor(request)
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
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    started = timezone.now()
    txn = services.transfer_record(
        actor=_actor(request),
        from_fund=_fund_ref(request, payload.from_fund_id),
        to_fund=_fund_ref(request, payload.to_fund_id),
        amount=payload.amount,
        posted_on=payload.posted_on,
        note=payload.note,
        idempotency_key=_key(request, "transfer", idempotency_key, payload.idempotency_key),
    )
    return Status(201 if _created(txn, started) else 200, _transfer_out(txn))


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
    actor = _actor(request)
    fund = _fund_ref(request, payload.fund_id)
    partner = _donor_ref(request, payload.partner_id) if payload.partner_id is not None else None
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
    started = timezone.now()
    rnd = services.special_round_create(
        actor=actor,
        fund=fund,
        name=payload.name,
        purpose=selectors.purpose_ref(code=payload.purpose_code),
        amount_each=payload.amount_each,
        persons=[found[i] for i in ids],
        paid_on=payload.paid_on,
        idempotency_key=_key(request, "round", None, payload.idempotency_key) or "",
        partner=partner,
    )
    return Status(201 if _created(rnd, started) else 200, _round_out(rnd))


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
    rec = selectors.ledger_check(actor=_actor(request))
    return {"ok": rec.ok, "transactions": rec.transactions, "entries": rec.entries, "problems": rec.problems}
