"""The one door into the ledger. Every movement of money or goods is a balanced transaction posted here.

Rules enforced on every post, inside the caller's transaction:
- debits (+) and credits (−) sum to zero, overall and for each fund;
- amounts are non-zero Decimals with two places;
- no entry falls in a closed period of its fund;
- the funds involved are locked (SELECT … FOR UPDATE, in id order) and, after the post, no fund's
  available cash, no allocation's remaining budget and no fund's goods are negative. Two requests racing
  for the last yuan serialise on the fund row: the second sees the first's entries and is refused.
- a replayed idempotency key returns the transaction already posted, marked `replayed = True`, so that a
  caller can tell its own new transaction from another request's (the API answers 201 only for the first).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Sum
from django.db.models.functions import Round
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.money import CENT, yuan
from guanhuai.funds.models import Allocation, ClosedPeriod, Fund, LedgerEntry, LedgerTransaction, Purpose
from guanhuai.funds.states import Account, TxnKind

ZERO = Decimal("0.00")
# Balances that may never go below zero after a post.
NON_NEGATIVE = (Account.CASH, Account.IN_KIND)


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


class PeriodClosed(Conflict):
    code = "period_closed"


@dataclass(frozen=True)
class Line:
    fund: Fund
    account: str
    amount: Decimal
    purpose: Purpose | None = None
    allocation: Allocation | None = None


def money_sum(expression: str, **kwargs: Any) -> Round:
    """SUM of money, rounded to cents in SQL. SQLite adds DECIMAL columns as binary floats, so an
    allocation paid out in full can otherwise sum to 2.8e-14 (or -2.8e-14, which would read as an
    overdraw). Every aggregate over amounts goes through this."""
    return Round(Sum(expression, **kwargs), 2, output_field=DecimalField(max_digits=18, decimal_places=2))


def to_money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT) + ZERO


def period_of(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def lock_funds(funds: list[Fund]) -> None:
    ids = sorted({f.pk for f in funds})
    list(Fund.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def balance(
    fund: Fund | int, account: str, *, allocation: Allocation | None = None, before: dt.date | None = None
) -> Decimal:
    qs = LedgerEntry.objects.filter(fund=fund, account=account)
    if allocation is not None:
        qs = qs.filter(allocation=allocation)
    if before is not None:
        qs = qs.filter(posted_on__lt=before)
    return to_money(qs.aggregate(s=money_sum("amount"))["s"])


def post(
    *,
    actor: Any,
    kind: str,
    posted_on: dt.date,
    description: str,
    lines: list[Line],
    reverses: LedgerTransaction | None = None,
    idempotency_key: str | None = None,
) -> LedgerTransaction:
    if idempotency_key:
        existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            existing.replayed = True  # type: ignore[attr-defined]
            return existing
    if not lines:
        raise ValidationError(_("记账分录不能为空。"))
    per_fund: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.amount == 0 or line.amount != line.amount.quantize(CENT):
            raise ValidationError(_("分录金额必须非零且精确到分。"), code="entry_amount")
        per_fund[line.fund.pk] += line.amount
    if any(total != 0 for total in per_fund.values()):
        raise ValidationError(_("借贷不平衡，不能记账。"), code="unbalanced")
    period = period_of(posted_on)
    funds = {line.fund.pk: line.fund for line in lines}
    closed = ClosedPeriod.objects.filter(fund_id__in=funds, period__gte=period).select_related("fund").first()
    if closed is not None:
        raise PeriodClosed(
            _("“%(fund)s”的 %(period)s 已结账，不能再记入 %(day)s 的账目。")
            % {"fund": closed.fund.name, "period": closed.period, "day": posted_on.isoformat()}
        )
    with transaction.atomic():
        lock_funds(list(funds.values()))
        try:
            with transaction.atomic():
                txn = LedgerTransaction.objects.create(
                    kind=kind,
                    posted_on=posted_on,
                    description=description[:200],
                    reverses=reverses,
                    actor=actor,
                    idempotency_key=idempotency_key or None,
                )
        except IntegrityError:
            if idempotency_key:
                winner = LedgerTransaction.objects.get(idempotency_key=idempotency_key)
                winner.replayed = True  # type: ignore[attr-defined]
                return winner
            raise Conflict(_("该笔账目已冲销过。"), code="already_reversed")
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    transaction=txn,
                    fund=line.fund,
                    account=line.account,
                    amount=line.amount,
                    purpose=line.purpose,
                    allocation=line.allocation,
                    posted_on=posted_on,
                )
                for line in lines
            ]
        )
        _check_non_negative(lines)
    return txn


def _check_non_negative(lines: list[Line]) -> None:
    """After the entries are written (and the funds locked), no touched balance may be negative."""
    for fund in {
        line.fund.pk: line.fund for line in lines if line.account in NON_NEGATIVE and line.amount < 0
    }.values():
        for account in NON_NEGATIVE:
            if any(line.fund.pk == fund.pk and line.account == account and line.amount < 0 for line in lines):
                remaining = balance(fund, account)
                if remaining < 0:
                    label = _("可用资金") if account == Account.CASH else _("物资")
                    raise InsufficientFunds(
                        _("“%(fund)s”%(what)s不足：还差 %(short)s。")
                        % {"fund": fund.name, "what": label, "short": yuan(-remaining)}
                    )
    for allocation in {
        line.allocation.pk: line.allocation for line in lines if line.allocation and line.amount < 0
    }.values():
        remaining = balance(allocation.fund_id, Account.ALLOCATED, allocation=allocation)
        if remaining < 0:
            raise InsufficientFunds(
                _("“%(name)s”的分配余额不足：还差 %(short)s。")
                % {"name": allocation.name, "short": yuan(-remaining)}
            )


def reverse(*, actor: Any, txn: LedgerTransaction, posted_on: dt.date, reason: str) -> LedgerTransaction:
    """A reversal: the same entries with opposite signs, dated `posted_on` (an open period)."""
    if txn.kind == TxnKind.REVERSAL:
        raise ValidationError(_("冲销记录不能再冲销；请重新登记一笔。"), code="reverse_reversal")
    if LedgerTransaction.objects.filter(reverses=txn).exists():
        raise Conflict(_("该笔账目已冲销过。"), code="already_reversed")
    lines = [
        Line(fund=e.fund, account=e.account, amount=-e.amount, purpose=e.purpose, allocation=e.allocation)
        for e in txn.entries.select_related("fund", "purpose", "allocation")
    ]
    return post(
        actor=actor,
        kind=TxnKind.REVERSAL,
        posted_on=posted_on,
        description=gettext_noop("冲销：%(r)s") % {"r": reason.strip()[:150]},
        lines=lines,
        reverses=txn,
    )
