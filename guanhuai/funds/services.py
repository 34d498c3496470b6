"""Writes for funds, donors, donations, receipts, allocations and disbursements. Money moves only
through `funds.ledger.post`; these services decide what to post and keep the business records beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

# Text stored in the ledger or on a receipt is written in the source language (Chinese), whatever the
# actor's UI language, and translated only when shown: gettext_noop marks it for the catalogue.
from django.utils.translation import gettext_noop

from guanhuai.accounts import scoping
from guanhuai.audit.services import log_action
from guanhuai.core import states
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.money import parse_amount
from guanhuai.core.validators import validate_credit_code
from guanhuai.funds import ledger
from guanhuai.funds.ledger import Line
from guanhuai.funds.models import (
    Allocation,
    ClosedPeriod,
    Disbursement,
    Donation,
    Donor,
    Fund,
    Pledge,
    Purpose,
    Receipt,
    ReceiptSequence,
    SpecialRound,
)
from guanhuai.funds.permissions import (
    CLOSE_PERIODS,
    DISBURSE,
    MANAGE_FUNDS,
    RECORD_DONATIONS,
    VOID_RECEIPTS,
)
from guanhuai.funds.states import (
    ALLOCATION_TRANSITIONS,
    RECEIPT_TRANSITIONS,
    Account,
    AllocationStatus,
    Channel,
    DonationKind,
    DonorKind,
    PublicName,
    ReceiptStatus,
    TargetKind,
    TxnKind,
)
from guanhuai.orgs.models import OrgUnit


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date, what: str) -> None:
    if day > _today():
        raise ValidationError(_("%(what)s不能晚于今天。") % {"what": what}, code="date_in_future")


def check_purpose(fund: Fund, purpose: Purpose | None) -> None:
    """A restricted fund pays only for its allowed purposes."""
    if not fund.restricted:
        return
    allowed = list(fund.allowed_purposes.all())
    if purpose is None:
        raise ValidationError(
            _("“%(fund)s”是限定用途基金，必须指定用途（%(allowed)s）。")
            % {"fund": fund.name, "allowed": "、".join(p.name for p in allowed)},
            code="purpose_required",
        )
    if purpose not in allowed:
        raise ValidationError(
            _("“%(fund)s”是限定用途基金，只能用于%(allowed)s，不能用于“%(purpose)s”。")
            % {"fund": fund.name, "allowed": "、".join(p.name for p in allowed), "purpose": purpose.name},
            code="purpose_not_allowed",
        )


# --- funds and donors --------------------------------------------------------------------------------


def fund_create(
    *,
    actor: Any,
    org_unit: OrgUnit,
    name: str,
    founded_on: dt.date,
    purpose: str = "",
    restricted: bool = False,
    allowed_purposes: list[Purpose] | None = None,
    parent: Fund | None = None,
) -> Fund:
    scoping.require(actor, MANAGE_FUNDS, org_unit)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("基金名称不能为空。"), code="name_required")
    if restricted and not allowed_purposes:
        raise ValidationError(_("限定用途基金必须至少选择一项允许的用途。"), code="purposes_required")
    if Fund.objects.filter(org_unit=org_unit, name=name).exists():
        raise Conflict(_("“%(unit)s”已有名为“%(name)s”的基金。") % {"unit": org_unit.name, "name": name})
    with transaction.atomic():
        fund = Fund.objects.create(
            org_unit=org_unit,
            name=name,
            purpose=purpose.strip(),
            restricted=restricted,
            parent=parent,
            founded_on=founded_on,
        )
        if allowed_purposes:
            fund.allowed_purposes.set(allowed_purposes)
        log_action(
            fund, "funds.fund.created", actor=actor, org_unit=org_unit, data={"restricted": restricted}
        )
    return fund


def donor_create(
    *,
    actor: Any,
    org_unit: OrgUnit,
    kind: str,
    name: str,
    credit_code: str = "",
    contact_name: str = "",
    phone: str = "",
    address: str = "",
    public_name: str = PublicName.ANONYMOUS,
) -> Donor:
    from guanhuai.registry.masking import mask_phone

    scoping.require(actor, RECORD_DONATIONS, org_unit)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("捐赠人姓名或名称不能为空。"), code="name_required")
    if kind not in DonorKind.values:
        raise ValidationError(_("捐赠人类型应为个人或单位。"), code="donor_kind")
    code = ""
    if kind == DonorKind.ORGANISATION and credit_code.strip():
        code = validate_credit_code(credit_code)
        if Donor.objects.filter(credit_code=code).exists():
            raise Conflict(_("统一社会信用代码 %(c)s 已登记。") % {"c": code}, code="duplicate_credit_code")
    phone = (phone or "").strip()
    with transaction.atomic():
        donor = Donor.objects.create(
            org_unit=org_unit,
            kind=kind,
            name=name,
            credit_code=code,
            contact_name=contact_name.strip(),
            phone=phone,
            phone_masked=mask_phone(phone) if phone else "",
            address=address.strip(),
            public_name=public_name,
        )
        log_action(donor, "funds.donor.created", actor=actor, org_unit=org_unit)
    return donor


def pledge_create(
    *,
    actor: Any,
    donor: Donor,
    fund: Fund,
    amount: Any,
    schedule: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    note: str = "",
) -> Pledge:
    scoping.require(actor, RECORD_DONATIONS, fund.org_unit)
    value = parse_amount(amount)
    if ends_on and ends_on < starts_on:
        raise ValidationError(_("结束日期不能早于开始日期。"), code="pledge_dates")
    with transaction.atomic():
        pledge = Pledge.objects.create(
            donor=donor,
            fund=fund,
            amount=value,
            schedule=schedule,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note.strip(),
        )
        log_action(
            pledge, "funds.pledge.created", actor=actor, org_unit=fund.org_unit, data={"amount": value}
        )
    return pledge


# --- donations and receipts ----------------------------------------------------------------------------


def donation_record(
    *,
    actor: Any,
    donor: Donor,
    fund: Fund,
    kind: str,
    amount: Any,
    received_on: dt.date,
    channel: str = "",
    purpose: Purpose | None = None,
    items: str = "",
    quantity: str = "",
    valuation_basis: str = "",
    pledge: Pledge | None = None,
    issue_receipt: bool = True,
    idempotency_key: str | None = None,
) -> tuple[Donation, bool]:
    """Record a cash or in-kind gift, post it, and issue its numbered receipt, in one transaction.
    Returns `(donation, created)`: a replayed key returns the first donation with `created` False."""
    scoping.require(actor, RECORD_DONATIONS, fund.org_unit)
    value = parse_amount(amount, field=_("捐赠金额") if kind == DonationKind.CASH else _("物资估值"))
    _not_future(received_on, _("收到日期"))
    if kind == DonationKind.CASH:
        if channel not in Channel.values:
            raise ValidationError(
                _("请选择捐赠方式（银行转账、现金、微信或支付宝）。"), code="channel_required"
            )
    elif kind == DonationKind.IN_KIND:
        if not items.strip() or not valuation_basis.strip():
            raise ValidationError(_("物资捐赠必须填写物资名称和估值依据。"), code="in_kind_details")
    else:
        raise ValidationError(_("捐赠类型应为资金或物资。"), code="donation_kind")
    if purpose is not None or fund.restricted:
        check_purpose(fund, purpose)
    if pledge is not None and (pledge.donor_id != donor.pk or pledge.fund_id != fund.pk):
        raise ValidationError(_("认捐记录与捐赠人或基金不符。"), code="pledge_mismatch")
    if idempotency_key:
        existing = Donation.objects.filter(transaction__idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    debit, credit = (
        (Account.CASH, Account.DONATIONS)
        if kind == DonationKind.CASH
        else (Account.IN_KIND, Account.IN_KIND_DONATIONS)
    )
    with transaction.atomic():
        txn = ledger.post(
            actor=actor,
            kind=TxnKind.DONATION if kind == DonationKind.CASH else TxnKind.IN_KIND,
            posted_on=received_on,
            description=gettext_noop("%(donor)s 捐赠") % {"donor": donor.name},
            lines=[
                Line(fund=fund, account=debit, amount=value, purpose=purpose),
                Line(fund=fund, account=credit, amount=-value, purpose=purpose),
            ],
            idempotency_key=idempotency_key,
        )
        replayed = Donation.objects.filter(transaction=txn).first()
        if replayed is not None:  # an identical request won the race for this key
            return replayed, False
        donation = Donation.objects.create(
            donor=donor,
            fund=fund,
            purpose=purpose,
            kind=kind,
            amount=value,
            channel=channel if kind == DonationKind.CASH else "",
            items=items.strip(),
            quantity=quantity.strip(),
            valuation_basis=valuation_basis.strip(),
            received_on=received_on,
            pledge=pledge,
            transaction=txn,
            recorded_by=actor,
        )
        log_action(
            donation,
            "funds.donation.recorded",
            actor=actor,
            org_unit=fund.org_unit,
            data={"amount": value, "kind": kind},
        )
        if issue_receipt:
            receipt_issue(actor=actor, donation=donation)
    return donation, True


def donation_reverse(
    *, actor: Any, donation: Donation, reason: str, posted_on: dt.date | None = None
) -> Donation:
    """A gift recorded in error: a reversal in the ledger, and its receipts voided."""
    scoping.require(actor, MANAGE_FUNDS, donation.fund.org_unit)
    if not (reason or "").strip():
        raise ValidationError(_("冲销必须填写原因。"), code="reason_required")
    if donation.reversed:
        raise Conflict(_("这笔捐赠已冲销。"), code="already_reversed")
    with transaction.atomic():
        ledger.reverse(actor=actor, txn=donation.transaction, posted_on=posted_on or _today(), reason=reason)
        donation.reversed = True
        donation.save(update_fields=["reversed"])
        for receipt in donation.receipts.filter(status=ReceiptStatus.ISSUED):
            _void(
                actor=actor, receipt=receipt, reason=gettext_noop("捐赠冲销：%(r)s") % {"r": reason.strip()}
            )
        log_action(
            donation,
            "funds.donation.reversed",
            actor=actor,
            org_unit=donation.fund.org_unit,
            data={"reason": reason.strip()},
        )
    return donation


def _next_receipt_number(org_unit: OrgUnit, year: int) -> int:
    """Take the next number under a row lock: concurrent issuers wait, and a rolled-back issue gives its
    number back with the rollback, so numbers never skip silently."""
    ReceiptSequence.objects.get_or_create(org_unit=org_unit, year=year)
    seq = ReceiptSequence.objects.select_for_update().get(org_unit=org_unit, year=year)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return seq.last_number


def receipt_number(org_unit: OrgUnit, year: int, seq: int) -> str:
    # The full division code: a township (440224100000) and its county (440224) share the first six digits.
    return f"{org_unit.code}-{year}-{seq:06d}"


def receipt_issue(*, actor: Any, donation: Donation, duplicate_of: Receipt | None = None) -> Receipt:
    scoping.require(actor, RECORD_DONATIONS, donation.fund.org_unit)
    if donation.reversed:
        raise Conflict(_("已冲销的捐赠不能开具收据。"), code="donation_reversed")
    issuer = donation.fund.org_unit
    issued_on = _today()
    with transaction.atomic():
        if duplicate_of is None and donation.receipts.filter(status=ReceiptStatus.ISSUED).exists():
            raise Conflict(_("这笔捐赠已有有效收据；如需补开，请使用“补开”。"), code="receipt_exists")
        n = _next_receipt_number(issuer, issued_on.year)
        receipt = Receipt.objects.create(
            org_unit=issuer,
            year=issued_on.year,
            seq=n,
            number=receipt_number(issuer, issued_on.year, n),
            donation=donation,
            issued_on=issued_on,
            duplicate_of=duplicate_of,
            issued_by=actor,
        )
        log_action(
            receipt, "funds.receipt.issued", actor=actor, org_unit=issuer, data={"number": receipt.number}
        )
    return receipt


def _void(*, actor: Any, receipt: Receipt, reason: str) -> Receipt:
    states.transition(receipt, ReceiptStatus.VOIDED, RECEIPT_TRANSITIONS)
    receipt.void_reason = reason.strip()[:200]
    receipt.voided_at, receipt.voided_by = timezone.now(), actor
    receipt.save(update_fields=["status", "void_reason", "voided_at", "voided_by"])
    log_action(
        receipt,
        "funds.receipt.voided",
        actor=actor,
        org_unit=receipt.org_unit,
        data={"reason": receipt.void_reason},
    )
    return receipt


def receipt_void(*, actor: Any, receipt: Receipt, reason: str) -> Receipt:
    scoping.require(actor, VOID_RECEIPTS, receipt.org_unit)
    if not (reason or "").strip():
        raise ValidationError(_("作废收据必须填写原因。"), code="reason_required")
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status == ReceiptStatus.VOIDED:
            raise Conflict(
                _("收据 %(n)s 已于 %(d)s 作废，不能再次作废。")
                % {"n": receipt.number, "d": timezone.localtime(receipt.voided_at).date()},
                code="already_voided",
            )
        return _void(actor=actor, receipt=receipt, reason=reason)


def receipt_reissue(*, actor: Any, receipt: Receipt, reason: str) -> Receipt:
    """Replace a lost or damaged receipt: the original is voided (if it is not already) and a new number
    is issued, marked as a duplicate of it."""
    scoping.require(actor, VOID_RECEIPTS, receipt.org_unit)
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status == ReceiptStatus.ISSUED:
            receipt_void(
                actor=actor,
                receipt=receipt,
                reason=gettext_noop("补开：%(r)s")
                % {"r": (reason or "").strip() or gettext_noop("原收据遗失或损坏")},
            )
        # A second submit of the same re-issue (or a re-issue of an already replaced receipt) must not put
        # two valid receipts on one gift.
        live = receipt.donation.receipts.filter(status=ReceiptStatus.ISSUED).first()
        if live is not None:
            raise Conflict(
                _("这笔捐赠已有有效收据 %(n)s，不能再补开。") % {"n": live.number}, code="receipt_exists"
            )
        return receipt_issue(actor=actor, donation=receipt.donation, duplicate_of=receipt)


# --- allocations, disbursements, transfers ---------------------------------------------------------------


def allocation_create(
    *,
    actor: Any,
    fund: Fund,
    purpose: Purpose,
    target_kind: str,
    target_ref: str,
    name: str,
    amount: Any,
    posted_on: dt.date | None = None,
    idempotency_key: str | None = None,
) -> tuple[Allocation, bool]:
    """Earmark money for a programme, project or round. Refused if the fund's available cash is short.
    Returns `(allocation, created)`: a replayed key returns the first allocation with `created` False."""
    scoping.require(actor, MANAGE_FUNDS, fund.org_unit)
    value = parse_amount(amount, field=_("分配金额"))
    check_purpose(fund, purpose)
    if target_kind not in TargetKind.values:
        raise ValidationError(_("分配对象类型不正确。"), code="target_kind")
    if not (name or "").strip():
        raise ValidationError(_("请填写分配名称。"), code="name_required")
    if idempotency_key:
        existing = Allocation.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    day = posted_on or _today()
    try:
        with transaction.atomic():
            allocation = Allocation.objects.create(
                fund=fund,
                purpose=purpose,
                target_kind=target_kind,
                target_ref=target_ref,
                name=name.strip(),
                amount=value,
                approved_by=actor,
                idempotency_key=idempotency_key or None,
            )
            ledger.post(
                actor=actor,
                kind=TxnKind.ALLOCATION,
                posted_on=day,
                description=gettext_noop("分配：%(name)s") % {"name": allocation.name},
                lines=[
                    Line(
                        fund=fund,
                        account=Account.ALLOCATED,
                        amount=value,
                        purpose=purpose,
                        allocation=allocation,
                    ),
                    Line(fund=fund, account=Account.CASH, amount=-value, purpose=purpose),
                ],
            )
            log_action(
                allocation,
                "funds.allocation.created",
                actor=actor,
                org_unit=fund.org_unit,
                data={"amount": value},
            )
    except IntegrityError:
        replayed = (
            Allocation.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        )
        if replayed is None:
            raise
        return replayed, False  # an identical request won the race for this key
    return allocation, True


def allocation_remaining(allocation: Allocation) -> Decimal:
    return ledger.balance(allocation.fund_id, Account.ALLOCATED, allocation=allocation)


def allocation_close(*, actor: Any, allocation: Allocation, posted_on: dt.date | None = None) -> Allocation:
    """Close an allocation and give what is left back to the fund's available cash."""
    scoping.require(actor, MANAGE_FUNDS, allocation.fund.org_unit)
    if allocation.status == AllocationStatus.CLOSED:
        raise Conflict(_("该分配已结束。"), code="allocation_closed")
    with transaction.atomic():
        ledger.lock_funds([allocation.fund])
        left = allocation_remaining(allocation)
        if left > 0:
            ledger.post(
                actor=actor,
                kind=TxnKind.RELEASE,
                posted_on=posted_on or _today(),
                description=gettext_noop("收回分配余额：%(name)s") % {"name": allocation.name},
                lines=[
                    Line(fund=allocation.fund, account=Account.CASH, amount=left, purpose=allocation.purpose),
                    Line(
                        fund=allocation.fund,
                        account=Account.ALLOCATED,
                        amount=-left,
                        purpose=allocation.purpose,
                        allocation=allocation,
                    ),
                ],
            )
        states.transition(allocation, AllocationStatus.CLOSED, ALLOCATION_TRANSITIONS)
        allocation.save(update_fields=["status"])
        log_action(
            allocation,
            "funds.allocation.closed",
            actor=actor,
            org_unit=allocation.fund.org_unit,
            data={"released": left},
        )
    return allocation


def _check_beneficiary(purpose: Purpose, person: Any, area: OrgUnit) -> None:
    """A beneficiary must be a family of the purpose, and live inside the area of the fund that pays: a
    韶关 fund never pays a 梅州 person (whose name 韶关 staff would then read on their own books)."""
    if not person.org_unit.path.startswith(area.path):
        raise ValidationError(
            _("收款人不在“%(unit)s”的范围内，不能从该基金支出。") % {"unit": area.name},
            code="beneficiary_outside_area",
        )
    if purpose.requires_status and person.special_status != purpose.requires_status:
        raise ValidationError(
            _("%(name)s 不是“%(purpose)s”的对象家庭，不能从该用途支出。")
            % {"name": person.name, "purpose": purpose.name},
            code="beneficiary_not_eligible",
        )


def disbursement_record(
    *,
    actor: Any,
    allocation: Allocation,
    amount: Any,
    paid_on: dt.date,
    person: Any = None,
    payee: str = "",
    idempotency_key: str | None = None,
) -> tuple[Disbursement, bool]:
    """Pay out of an allocation. Checked under the fund's row lock: the allocation's remaining budget can
    never go below zero, whoever else is paying at the same moment. Returns `(disbursement, created)`."""
    scoping.require(actor, DISBURSE, allocation.fund.org_unit)
    value = parse_amount(amount, field=_("支出金额"))
    _not_future(paid_on, _("支出日期"))
    if allocation.status != AllocationStatus.ACTIVE:
        raise Conflict(
            _("“%(name)s”已结束，不能再支出。") % {"name": allocation.name}, code="allocation_closed"
        )
    if person is None and not payee.strip():
        raise ValidationError(_("请指定收款人。"), code="payee_required")
    if person is not None:
        _check_beneficiary(allocation.purpose, person, allocation.fund.org_unit)
    if idempotency_key:
        existing = Disbursement.objects.filter(transaction__idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    with transaction.atomic():
        txn = ledger.post(
            actor=actor,
            kind=TxnKind.DISBURSEMENT,
            posted_on=paid_on,
            description=gettext_noop("支出：%(name)s") % {"name": allocation.name},
            lines=disbursement_lines(allocation, value),
            idempotency_key=idempotency_key,
        )
        replayed = Disbursement.objects.filter(transaction=txn).first()
        if replayed is not None:  # an identical request won the race for this key
            return replayed, False
        disbursement = Disbursement.objects.create(
            allocation=allocation,
            person=person,
            payee=payee.strip(),
            amount=value,
            paid_on=paid_on,
            transaction=txn,
        )
        log_action(
            disbursement,
            "funds.disbursement.recorded",
            actor=actor,
            org_unit=allocation.fund.org_unit,
            data={"amount": value},
        )
    return disbursement, True


def disbursement_lines(allocation: Allocation, value: Decimal) -> list[Line]:
    return [
        Line(
            fund=allocation.fund,
            account=Account.DISBURSEMENTS,
            amount=value,
            purpose=allocation.purpose,
            allocation=allocation,
        ),
        Line(
            fund=allocation.fund,
            account=Account.ALLOCATED,
            amount=-value,
            purpose=allocation.purpose,
            allocation=allocation,
        ),
    ]


def disbursement_reverse(
    *, actor: Any, disbursement: Disbursement, reason: str, posted_on: dt.date | None = None
) -> Disbursement:
    scoping.require(actor, MANAGE_FUNDS, disbursement.allocation.fund.org_unit)
    if not (reason or "").strip():
        raise ValidationError(_("冲销必须填写原因。"), code="reason_required")
    if disbursement.reversed:
        raise Conflict(_("这笔支出已冲销。"), code="already_reversed")
    with transaction.atomic():
        ledger.reverse(
            actor=actor, txn=disbursement.transaction, posted_on=posted_on or _today(), reason=reason
        )
        disbursement.reversed = True
        disbursement.save(update_fields=["reversed"])
        log_action(
            disbursement,
            "funds.disbursement.reversed",
            actor=actor,
            org_unit=disbursement.allocation.fund.org_unit,
        )
    return disbursement


def transfer_record(
    *,
    actor: Any,
    from_fund: Fund,
    to_fund: Fund,
    amount: Any,
    posted_on: dt.date,
    note: str = "",
    idempotency_key: str | None = None,
) -> tuple[Any, bool]:
    """Move available cash between funds. Money given for restricted purposes cannot leave for a fund that
    could spend it on something else. Returns `(transaction, created)`."""
    scoping.require(actor, MANAGE_FUNDS, from_fund.org_unit)
    scoping.require(actor, MANAGE_FUNDS, to_fund.org_unit)
    value = parse_amount(amount, field=_("转账金额"))
    if from_fund.pk == to_fund.pk:
        raise ValidationError(_("转出和转入不能是同一个基金。"), code="same_fund")
    if from_fund.restricted:
        allowed_from = set(from_fund.allowed_purposes.values_list("pk", flat=True))
        allowed_to = set(to_fund.allowed_purposes.values_list("pk", flat=True))
        if not to_fund.restricted or not allowed_to <= allowed_from:
            raise ValidationError(
                _("“%(a)s”是限定用途基金，只能转入用途相同或更窄的限定用途基金。") % {"a": from_fund.name},
                code="restricted_transfer",
            )
    with transaction.atomic():
        txn = ledger.post(
            actor=actor,
            kind=TxnKind.TRANSFER,
            posted_on=posted_on,
            description=gettext_noop("%(a)s → %(b)s %(note)s")
            % {"a": from_fund.name, "b": to_fund.name, "note": note.strip()},
            lines=[
                Line(fund=from_fund, account=Account.TRANSFERS_OUT, amount=value),
                Line(fund=from_fund, account=Account.CASH, amount=-value),
                Line(fund=to_fund, account=Account.CASH, amount=value),
                Line(fund=to_fund, account=Account.TRANSFERS_IN, amount=-value),
            ],
            idempotency_key=idempotency_key,
        )
        if getattr(txn, "replayed", False):
            return txn, False
        log_action(
            txn,
            "funds.transfer.recorded",
            actor=actor,
            org_unit=from_fund.org_unit,
            data={"amount": value, "to": to_fund.pk},
        )
    return txn, True


def special_round_create(
    *,
    actor: Any,
    fund: Fund,
    name: str,
    purpose: Purpose,
    amount_each: Any,
    persons: list[Any],
    paid_on: dt.date,
    idempotency_key: str,
    partner: Donor | None = None,
) -> tuple[SpecialRound, bool]:
    """A one-off round from a list of families, in one action: one allocation for the total, then one
    disbursement per family, bulk-inserted. All or nothing; a replay with the same key returns the round."""
    scoping.require(actor, MANAGE_FUNDS, fund.org_unit)
    existing = SpecialRound.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    each = parse_amount(amount_each, field=_("每户金额"))
    if not persons:
        raise ValidationError(_("名单为空。"), code="empty_list")
    if len({p.pk for p in persons}) != len(persons):
        raise ValidationError(_("名单中有重复的家庭。"), code="duplicate_family")
    check_purpose(fund, purpose)
    for person in persons:
        _check_beneficiary(purpose, person, fund.org_unit)
        scoping.require(actor, "registry.view_persons", person.org_unit)
    _not_future(paid_on, _("发放日期"))
    try:
        with transaction.atomic():
            allocation, _created = allocation_create(
                actor=actor,
                fund=fund,
                purpose=purpose,
                target_kind=TargetKind.ROUND,
                target_ref=f"round:{idempotency_key}"[:120],
                name=name,
                amount=each * len(persons),
                posted_on=paid_on,
            )
            rnd = SpecialRound.objects.create(
                name=name.strip(),
                fund=fund,
                partner=partner,
                amount_each=each,
                allocation=allocation,
                paid_on=paid_on,
                created_by=actor,
                idempotency_key=idempotency_key,
            )
            _bulk_disburse(
                actor=actor, allocation=allocation, rnd=rnd, persons=persons, each=each, paid_on=paid_on
            )
            log_action(
                rnd,
                "funds.round.created",
                actor=actor,
                org_unit=fund.org_unit,
                data={"families": len(persons), "each": each},
            )
    except IntegrityError:
        replayed = SpecialRound.objects.filter(idempotency_key=idempotency_key).first()
        if replayed is None:
            raise
        return replayed, False  # an identical request won the race for this key
    return rnd, True


def _bulk_disburse(
    *,
    actor: Any,
    allocation: Allocation,
    rnd: SpecialRound,
    persons: list[Any],
    each: Decimal,
    paid_on: dt.date,
) -> None:
    """One transaction and one disbursement per family, posted together through `ledger.post_many`. The
    allocation was sized to the list, so the remaining budget ends at exactly zero."""
    posting = ledger.Posting(
        kind=TxnKind.DISBURSEMENT,
        posted_on=paid_on,
        description=gettext_noop("支出：%(name)s") % {"name": rnd.name},
        lines=disbursement_lines(allocation, each),
    )
    txns = ledger.post_many(actor=actor, postings=[posting] * len(persons))
    Disbursement.objects.bulk_create(
        [
            Disbursement(
                allocation=allocation, person=p, amount=each, paid_on=paid_on, round=rnd, transaction=t
            )
            for p, t in zip(persons, txns, strict=True)
        ],
        batch_size=2000,
    )
    if allocation_remaining(allocation) != 0:
        raise Conflict(_("专项发放金额与分配不符。"), code="round_mismatch")


def period_close(*, actor: Any, fund: Fund, period: str) -> ClosedPeriod:
    """Close a month: nothing can post into it, or into any earlier month, afterwards."""
    scoping.require(actor, CLOSE_PERIODS, fund.org_unit)
    try:
        year, month = (int(x) for x in period.split("-"))
        first = dt.date(year, month, 1)
    except (ValueError, TypeError):
        raise ValidationError(_("会计期间格式应为 YYYY-MM。"), code="period_format")
    if first > _today().replace(day=1) or (first == _today().replace(day=1)):
        raise ValidationError(_("只能结账已经结束的月份。"), code="period_not_over")
    if ClosedPeriod.objects.filter(fund=fund, period__gte=period).exists():
        raise Conflict(
            _("“%(fund)s”的 %(p)s 已结账。") % {"fund": fund.name, "p": period}, code="already_closed"
        )
    with transaction.atomic():
        closed = ClosedPeriod.objects.create(fund=fund, period=f"{first:%Y-%m}", closed_by=actor)
        log_action(
            closed, "funds.period.closed", actor=actor, org_unit=fund.org_unit, data={"period": closed.period}
        )
    return closed
