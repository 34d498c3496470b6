"""Funds, donors, pledges, donations and their receipts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

# Text stored in the ledger or on a receipt is written in the source language (Chinese), whatever the
# actor's UI language, and translated only when shown: gettext_noop marks it for the catalogue.
from django.utils.translation import gettext_noop

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core import states
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.money import parse_amount
from guanhuai.core.text import name_pinyin
from guanhuai.core.validators import validate_credit_code
from guanhuai.funds import ledger
from guanhuai.funds.ledger import Line
from guanhuai.funds.models import Donation, Donor, Fund, Pledge, Purpose, Receipt, ReceiptSequence
from guanhuai.funds.permissions import MANAGE_FUNDS, RECORD_DONATIONS, VOID_RECEIPTS
from guanhuai.funds.services.common import _not_future, _today, check_purpose, replay_of
from guanhuai.funds.states import (
    RECEIPT_TRANSITIONS,
    Account,
    Channel,
    DonationKind,
    DonorKind,
    PublicName,
    ReceiptStatus,
    TxnKind,
)
from guanhuai.orgs.models import OrgUnit

# --- funds and donors --------------------------------------------------------------------------------


def fund_create(
    *,
    actor: Actor,
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
        log(fund, "funds.fund.created", actor=actor, org_unit=org_unit, data={"restricted": restricted})
    return fund


def donor_create(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    kind: str,
    name: str,
    credit_code: str = "",
    contact_name: str = "",
    phone: str = "",
    address: str = "",
    public_name: str = PublicName.ANONYMOUS,
) -> Donor:
    from guanhuai.core.masking import mask_phone

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
        full, initials = name_pinyin(name)
        donor = Donor.objects.create(
            org_unit=org_unit,
            kind=kind,
            name=name,
            name_pinyin=full[:400],
            name_initials=initials[:120],
            credit_code=code,
            contact_name=contact_name.strip(),
            phone=phone,
            phone_masked=mask_phone(phone) if phone else "",
            address=address.strip(),
            public_name=public_name,
        )
        log(donor, "funds.donor.created", actor=actor, org_unit=org_unit)
    return donor


def pledge_create(
    *,
    actor: Actor,
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
        log(pledge, "funds.pledge.created", actor=actor, org_unit=fund.org_unit, data={"amount": value})
    return pledge


# --- donations and receipts ----------------------------------------------------------------------------


def donation_record(
    *,
    actor: Actor,
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
    if (existing := replay_of(Donation, idempotency_key)) is not None:
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
        if (replayed := replay_of(Donation, idempotency_key)) is not None:
            return replayed, False  # an identical request won the race for this key
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
            recorded_by=signed_in(actor),
        )
        log(
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
    *, actor: Actor, donation: Donation, reason: str, posted_on: dt.date | None = None
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
        log(
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


def receipt_issue(*, actor: Actor, donation: Donation, duplicate_of: Receipt | None = None) -> Receipt:
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
            issued_by=signed_in(actor),
        )
        log(receipt, "funds.receipt.issued", actor=actor, org_unit=issuer, data={"number": receipt.number})
    return receipt


def _void(*, actor: Actor, receipt: Receipt, reason: str) -> Receipt:
    states.transition(receipt, ReceiptStatus.VOIDED, RECEIPT_TRANSITIONS)
    receipt.void_reason = reason.strip()[:200]
    receipt.voided_at, receipt.voided_by = timezone.now(), signed_in(actor)
    receipt.save(update_fields=["status", "void_reason", "voided_at", "voided_by"])
    log(
        receipt,
        "funds.receipt.voided",
        actor=actor,
        org_unit=receipt.org_unit,
        data={"reason": receipt.void_reason},
    )
    return receipt


def receipt_void(*, actor: Actor, receipt: Receipt, reason: str) -> Receipt:
    scoping.require(actor, VOID_RECEIPTS, receipt.org_unit)
    if not (reason or "").strip():
        raise ValidationError(_("作废收据必须填写原因。"), code="reason_required")
    with transaction.atomic():
        receipt = relock(receipt)
        if receipt.status == ReceiptStatus.VOIDED:
            raise Conflict(
                _("收据 %(n)s 已于 %(d)s 作废，不能再次作废。")
                % {"n": receipt.number, "d": timezone.localtime(receipt.voided_at).date()},
                code="already_voided",
            )
        return _void(actor=actor, receipt=receipt, reason=reason)


def receipt_reissue(*, actor: Actor, receipt: Receipt, reason: str) -> Receipt:
    """Replace a lost or damaged receipt: the original is voided (if it is not already) and a new number
    is issued, marked as a duplicate of it."""
    scoping.require(actor, VOID_RECEIPTS, receipt.org_unit)
    with transaction.atomic():
        receipt = relock(receipt)
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
