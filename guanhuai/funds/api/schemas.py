"""The funds API's request and response bodies. Money goes out as `Money` (a string with two decimals) and
comes in as `AmountIn` (strict: see `guanhuai.core.api.money`); the dates of money records are `DayIn`
(bounded), ids named in a body are `Id` (a positive 64-bit integer).

No `from __future__ import annotations`: ninja and pydantic read the annotations at import time."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from guanhuai.core.api import AmountIn, DayIn, Id, IdempotencyKeyIn, Money
from guanhuai.core.money import ZERO
from guanhuai.funds.models import Allocation, Donation, Donor, Fund, Pledge, Receipt, SpecialRound
from guanhuai.funds.states import (
    AllocationStatus,
    Channel,
    DonationKind,
    DonorKind,
    PublicName,
    ReceiptStatus,
    Schedule,
    TargetKind,
)

MAX_ROUND = 5000


# --- output ---------------------------------------------------------------------------------------


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
    closed_by: str = Field(alias="closed_by.username")


class DonorOut(Schema):
    id: int
    kind: DonorKind
    kind_label: str = Field(alias="get_kind_display")
    name: str
    credit_code: str
    contact_name: str
    phone_masked: str = Field(..., description="脱敏的联系电话")
    address: str
    public_name: PublicName
    display_name: str = Field(..., description="公开时显示的名称（不公开姓名时为“爱心人士”）")
    org_unit_id: int


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
    kind_label: str = Field(alias="get_kind_display")
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
    status_label: str = Field(alias="get_status_display")
    void_reason: str
    voided_at: dt.datetime | None
    duplicate_of: ReceiptRef | None = Field(None, description="补开时：原收据")

    @staticmethod
    def resolve_donor(obj: Receipt) -> Donor:
        return obj.donation.donor

    @staticmethod
    def resolve_amount(obj: Receipt) -> Decimal:
        return obj.donation.amount


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


# --- input ----------------------------------------------------------------------------------------


class FundIn(Schema):
    org_unit_id: Id = Field(..., description="所属组织")
    name: str = Field(..., max_length=100)
    founded_on: dt.date
    purpose: str = Field("", max_length=300, description="宗旨")
    restricted: bool = False
    allowed_purposes: list[str] = Field(
        default_factory=list, description="允许的用途代码（限定用途基金必填）"
    )
    parent_id: Id | None = Field(None, description="上级基金")


class PeriodIn(Schema):
    period: str = Field(..., max_length=7, description="YYYY-MM；只能结已经结束的月份")


class DonorIn(Schema):
    org_unit_id: Id = Field(..., description="登记组织")
    kind: DonorKind
    name: str = Field(..., max_length=120)
    credit_code: str = Field("", max_length=30, description="单位的统一社会信用代码（18位，校验位须正确）")
    contact_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    public_name: PublicName = PublicName.ANONYMOUS


class PledgeIn(Schema):
    fund_id: Id
    amount: AmountIn
    schedule: Schedule = Schedule.ONCE
    starts_on: DayIn
    ends_on: DayIn | None = None
    note: str = Field("", max_length=200)


class DonationIn(Schema):
    donor_id: Id
    fund_id: Id
    kind: DonationKind = DonationKind.CASH
    amount: AmountIn
    received_on: DayIn
    channel: Channel | None = Field(None, description="资金捐赠必填")
    purpose_code: str | None = Field(None, description="指定用途（限定用途基金必填）")
    items: str = Field("", max_length=200, description="物资捐赠：物资名称")
    quantity: str = Field("", max_length=50)
    valuation_basis: str = Field("", max_length=200, description="物资捐赠：估值依据")
    pledge_id: Id | None = Field(None, description="履行的认捐")
    issue_receipt: bool = True
    idempotency_key: IdempotencyKeyIn = None


class ReasonIn(Schema):
    reason: str = Field(..., max_length=200)


class AllocationIn(Schema):
    fund_id: Id
    purpose_code: str
    target_kind: TargetKind
    target_ref: str = Field(..., max_length=120, description="如 programme:12、project:3")
    name: str = Field(..., max_length=120)
    amount: AmountIn
    posted_on: DayIn | None = Field(None, description="留空为今天")
    idempotency_key: IdempotencyKeyIn = None


class DisbursementIn(Schema):
    amount: AmountIn
    paid_on: DayIn
    person_id: Id | None = Field(None, description="受助人（与 payee 二选一）")
    payee: str = Field("", max_length=120, description="收款方（项目支出等）")
    idempotency_key: IdempotencyKeyIn = None


class TransferIn(Schema):
    from_fund_id: Id
    to_fund_id: Id
    amount: AmountIn
    posted_on: DayIn
    note: str = Field("", max_length=100)
    idempotency_key: IdempotencyKeyIn = None


class RoundIn(Schema):
    fund_id: Id
    name: str = Field(..., max_length=120)
    purpose_code: str
    amount_each: AmountIn
    person_ids: list[Id] = Field(..., min_length=1, max_length=MAX_ROUND, description="受助家庭（户主等）")
    paid_on: DayIn
    partner_id: Id | None = Field(None, description="合作方（捐赠人）")
    idempotency_key: str = Field(..., min_length=1, max_length=64, description="幂等键（必填，最多64个字符）")
