"""Goods in kind going out: a fund's in-kind holding (the receipt values of the goods it was given) is
distributed to a purpose or an allocation, through `funds.ledger.post` (debit IN_KIND_DISTRIBUTED, credit
IN_KIND). The ledger locks the fund and refuses a post that would leave the holding below zero, so two
requests for the last goods serialise and the second is refused.

A distribution recorded in error is reversed (`in_kind_reverse`), never edited: the ledger's reversal posts
the same entries with opposite signs, so the goods' value returns to the fund's holding (and to the
allocation it was charged to). Like a disbursement's reversal it needs funds.manage_funds at the fund, is
dated in an open period, and happens once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.money import parse_amount, yuan
from guanhuai.funds import ledger
from guanhuai.funds.ledger import InsufficientFunds, Line
from guanhuai.funds.models import Allocation, Fund, LedgerTransaction, Purpose
from guanhuai.funds.permissions import DISBURSE, MANAGE_FUNDS
from guanhuai.funds.services.common import _not_future, _today, check_purpose
from guanhuai.funds.states import Account, AllocationStatus, TxnKind


def in_kind_held(fund: Fund) -> Any:
    """What a fund's goods are worth now: their receipt values, less what was distributed."""
    return ledger.balance(fund, Account.IN_KIND)


def in_kind_distribute(
    *,
    actor: Actor,
    fund: Fund,
    amount: Any,
    distributed_on: dt.date,
    items: str,
    purpose: Purpose | None = None,
    allocation: Allocation | None = None,
    idempotency_key: str | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Distribute goods worth `amount` (at their receipt value) out of `fund`'s in-kind holding, to a purpose
    or an allocation of the same fund. Never more than the fund holds. Returns `(transaction, created)`: a
    replayed key returns the first transaction with `created` False, and posts nothing."""
    scoping.require(actor, DISBURSE, fund.org_unit)
    value = parse_amount(amount, field=_("物资价值"))
    _not_future(distributed_on, _("发放日期"))
    items = (items or "").strip()
    if not items:
        raise ValidationError(_("请填写发放的物资名称。"), code="items_required")
    if allocation is not None:
        if allocation.fund_id != fund.pk:
            raise ValidationError(
                _("“%(name)s”不是“%(fund)s”的分配。") % {"name": allocation.name, "fund": fund.name},
                code="other_fund",
            )
        if allocation.status != AllocationStatus.ACTIVE:
            raise Conflict(
                _("“%(name)s”已结束，不能再发放物资。") % {"name": allocation.name}, code="allocation_closed"
            )
        purpose = allocation.purpose
    if purpose is not None or fund.restricted:
        check_purpose(fund, purpose)
    with transaction.atomic():
        try:
            txn = ledger.post(
                actor=actor,
                kind=TxnKind.DISBURSEMENT,
                posted_on=distributed_on,
                description=gettext_noop("物资发放：%(items)s") % {"items": items[:150]},
                lines=[
                    Line(
                        fund=fund,
                        account=Account.IN_KIND_DISTRIBUTED,
                        amount=value,
                        purpose=purpose,
                        allocation=allocation,
                    ),
                    Line(fund=fund, account=Account.IN_KIND, amount=-value, purpose=purpose),
                ],
                idempotency_key=idempotency_key,
            )
        except InsufficientFunds:
            held = in_kind_held(fund)
            raise InsufficientFunds(
                _("“%(fund)s”现有物资价值 %(held)s，不足发放 %(want)s。")
                % {"fund": fund.name, "held": yuan(held), "want": yuan(value)}
            ) from None
        if getattr(txn, "replayed", False):
            return txn, False
        log(
            fund,
            "funds.in_kind.distributed",
            actor=actor,
            org_unit=fund.org_unit,
            data={"amount": value, "items": items[:100], "transaction": txn.pk},
        )
    return txn, True


def in_kind_reverse(
    *,
    actor: Actor,
    txn: LedgerTransaction,
    reason: str,
    posted_on: dt.date | None = None,
    idempotency_key: str | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Reverse a distribution of goods (`in_kind_distribute`'s transaction) recorded in error: the ledger's
    reversal, dated `posted_on` (default today; not in the future, not before the distribution, not in a
    closed period: the ledger refuses that with `period_closed`). The goods' value returns to the fund's
    in-kind holding. Returns `(reversal, created)`: a replayed key returns the reversal it posted, with
    `created` False; any other second reversal is refused (`already_reversed`)."""
    entries = list(txn.entries.select_related("fund", "fund__org_unit"))
    given = [e for e in entries if e.account == Account.IN_KIND_DISTRIBUTED and e.amount > 0]
    if txn.kind != TxnKind.DISBURSEMENT or len(given) != 1:
        raise ValidationError(_("这笔账目不是物资发放，不能按物资冲销。"), code="not_in_kind")
    fund, value = given[0].fund, given[0].amount
    scoping.require(actor, MANAGE_FUNDS, fund.org_unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("冲销必须填写原因。"), code="reason_required")
    day = posted_on or _today()
    _not_future(day, _("冲销日期"))
    if day < txn.posted_on:
        raise ValidationError(
            _("冲销日期不能早于发放日期 %(day)s。") % {"day": txn.posted_on.isoformat()},
            code="before_original",
        )
    with transaction.atomic():
        reversal = ledger.reverse(
            actor=actor, txn=txn, posted_on=day, reason=reason, idempotency_key=idempotency_key
        )
        if getattr(reversal, "replayed", False):
            return reversal, False
        log(
            fund,
            "funds.in_kind.reversed",
            actor=actor,
            org_unit=fund.org_unit,
            data={"amount": value, "transaction": txn.pk, "reversal": reversal.pk, "reason": reason[:200]},
        )
    return reversal, True
