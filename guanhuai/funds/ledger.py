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

`post` posts one transaction, `post_many` many at once (set-based, for bulk payments); both run the same
checks, in `post_many`. The database refuses UPDATE and DELETE on ledger rows (migration
`funds.0003_ledger_append_only`; see docs/ledger.md), so a correction is always a reversal.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.money import CENT, ZERO, money_sum, to_money, yuan
from guanhuai.funds.models import Allocation, ClosedPeriod, Fund, LedgerEntry, LedgerTransaction, Purpose
from guanhuai.funds.states import Account, TxnKind

# Balances that may never go below zero after a post.
NON_NEGATIVE = (Account.CASH, Account.IN_KIND)


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


class PeriodClosed(Conflict):
    code = "period_closed"


# SQLite's stand-in for TRUNCATE (docs/ledger.md): while set, the DELETE trigger lets rows go.
_maintenance: contextvars.ContextVar[bool] = contextvars.ContextVar("ledger_maintenance", default=False)


@contextlib.contextmanager
def maintenance() -> Iterator[None]:
    """Let this thread DELETE ledger rows on SQLite, for emptying a whole database (the `flush` command
    of tests and a fresh demo). Never for correcting money: that is `reverse`. PostgreSQL does not ask:
    its flush is TRUNCATE, which the row triggers do not see."""
    token = _maintenance.set(True)
    try:
        yield
    finally:
        _maintenance.reset(token)


def in_maintenance() -> int:
    """The SQL function `guanhuai_ledger_maintenance()` that the SQLite DELETE trigger asks."""
    return int(_maintenance.get())


@dataclass(frozen=True)
class Line:
    fund: Fund
    account: str
    amount: Decimal
    purpose: Purpose | None = None
    allocation: Allocation | None = None


def period_of(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def lock_funds(funds: list[Fund]) -> None:
    ids = sorted({f.pk for f in funds})
    list(
        Fund.objects.unscoped("funds are locked in a fixed order before posting")
        .select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def balance(
    fund: Fund | int, account: str, *, allocation: Allocation | None = None, before: dt.date | None = None
) -> Decimal:
    qs = LedgerEntry.objects.filter(fund=fund, account=account)
    if allocation is not None:
        qs = qs.filter(allocation=allocation)
    if before is not None:
        qs = qs.filter(posted_on__lt=before)
    return to_money(qs.aggregate(s=money_sum("amount"))["s"])


@dataclass(frozen=True)
class Posting:
    """One balanced transaction to post: what `post` takes, as a value, so that `post_many` can take many."""

    kind: str
    posted_on: dt.date
    description: str
    lines: list[Line]
    reverses: LedgerTransaction | None = None
    idempotency_key: str | None = None


def post(
    *,
    actor: Actor,
    kind: str,
    posted_on: dt.date,
    description: str,
    lines: list[Line],
    reverses: LedgerTransaction | None = None,
    idempotency_key: str | None = None,
) -> LedgerTransaction:
    """Post one transaction (see `post_many`, which does the work: one set of checks for both doors)."""
    posting = Posting(kind, posted_on, description, lines, reverses, idempotency_key)
    return post_many(actor=actor, postings=[posting])[0]


def post_many(*, actor: Actor, postings: list[Posting]) -> list[LedgerTransaction]:
    """Post many transactions at once, set-based: one query for replayed keys, one for closed periods, one
    lock of every fund involved, one INSERT of the transactions and one of their entries, then the
    non-negative check once per touched fund and allocation. All or nothing: one failing posting refuses the
    whole batch. Returns the transactions in the order of `postings`; a posting whose idempotency key was
    already posted gets that earlier transaction, and is not posted again."""
    if not postings:
        return []
    keys = [p.idempotency_key for p in postings if p.idempotency_key]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("同一批记账中有重复的幂等键。"), code="duplicate_key")
    done = {t.idempotency_key: t for t in LedgerTransaction.objects.filter(idempotency_key__in=keys)}
    for earlier in done.values():
        earlier.replayed = True  # type: ignore[attr-defined]
    todo = [p for p in postings if not (p.idempotency_key and p.idempotency_key in done)]
    for posting in todo:
        _check_lines(posting.lines)
    _check_open_periods(todo)
    lines = [line for posting in todo for line in posting.lines]
    with transaction.atomic():
        lock_funds([line.fund for line in lines])
        try:
            with transaction.atomic():
                txns = LedgerTransaction.objects.bulk_create(
                    [
                        LedgerTransaction(
                            kind=p.kind,
                            posted_on=p.posted_on,
                            description=p.description[:200],
                            reverses=p.reverses,
                            actor=signed_in(actor),
                            idempotency_key=p.idempotency_key or None,
                        )
                        for p in todo
                    ]
                )
        except IntegrityError:
            # A concurrent request posted one of these keys (or reversed the same transaction) first.
            raced = {t.idempotency_key: t for t in LedgerTransaction.objects.filter(idempotency_key__in=keys)}
            if all(p.idempotency_key in raced for p in todo):
                for earlier in raced.values():
                    earlier.replayed = True  # type: ignore[attr-defined]
                return [raced[p.idempotency_key or ""] for p in postings]
            raise Conflict(_("该笔账目已冲销过。"), code="already_reversed")
        if any(t.pk is None for t in txns):  # pragma: no cover — backends without RETURNING
            raise RuntimeError("bulk_create did not return primary keys")
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    transaction=txn,
                    fund=line.fund,
                    account=line.account,
                    amount=line.amount,
                    purpose=line.purpose,
                    allocation=line.allocation,
                    posted_on=posting.posted_on,
                )
                for posting, txn in zip(todo, txns, strict=True)
                for line in posting.lines
            ],
            batch_size=2000,
        )
        _check_non_negative(lines)
    posted = iter(txns)
    return [done[p.idempotency_key] if p.idempotency_key in done else next(posted) for p in postings]


def _check_lines(lines: list[Line]) -> None:
    if not lines:
        raise ValidationError(_("记账分录不能为空。"))
    per_fund: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.amount == 0 or line.amount != line.amount.quantize(CENT):
            raise ValidationError(_("分录金额必须非零且精确到分。"), code="entry_amount")
        per_fund[line.fund.pk] += line.amount
    if any(total != 0 for total in per_fund.values()):
        raise ValidationError(_("借贷不平衡，不能记账。"), code="unbalanced")


def _check_open_periods(postings: list[Posting]) -> None:
    """No entry may fall in a closed period of its fund: one query for every fund and its earliest day."""
    earliest: dict[int, dt.date] = {}
    for posting in postings:
        for line in posting.lines:
            day = earliest.get(line.fund.pk)
            if day is None or posting.posted_on < day:
                earliest[line.fund.pk] = posting.posted_on
    if not earliest:
        return
    match = Q()
    for fund_id, day in earliest.items():
        match |= Q(fund_id=fund_id, period__gte=period_of(day))
    closed = ClosedPeriod.objects.filter(match).select_related("fund").first()
    if closed is not None:
        raise PeriodClosed(
            _("“%(fund)s”的 %(period)s 已结账，不能再记入 %(day)s 的账目。")
            % {"fund": closed.fund.name, "period": closed.period, "day": earliest[closed.fund_id].isoformat()}
        )


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


def reverse(
    *,
    actor: Actor,
    txn: LedgerTransaction,
    posted_on: dt.date,
    reason: str,
    idempotency_key: str | None = None,
) -> LedgerTransaction:
    """A reversal: the same entries with opposite signs, dated `posted_on` (an open period). A transaction is
    reversed at most once (a unique column: of two concurrent reversals the second is refused). With an
    `idempotency_key`, a replay of the reversal that was posted under it returns it, marked `replayed`."""
    if idempotency_key:
        done = LedgerTransaction.objects.filter(idempotency_key=idempotency_key, reverses=txn).first()
        if done is not None:
            done.replayed = True  # type: ignore[attr-defined]
            return done
    if txn.kind == TxnKind.REVERSAL:
        raise ValidationError(_("冲销记录不能再冲销；请重新登记一笔。"), code="reverse_reversal")
    if LedgerTransaction.objects.filter(reverses=txn).exists():
        raise Conflict(_("该笔账目已冲销过。"), code="already_reversed")
    lines = [
        Line(fund=e.fund, account=e.account, amount=-e.amount, purpose=e.purpose, allocation=e.allocation)
        for e in txn.entries.select_related("fund", "purpose", "allocation")
    ]
    reversal = post(
        actor=actor,
        kind=TxnKind.REVERSAL,
        posted_on=posted_on,
        description=gettext_noop("冲销：%(r)s") % {"r": reason.strip()[:150]},
        lines=lines,
        reverses=txn,
        idempotency_key=idempotency_key,
    )
    if reversal.reverses_id != txn.pk:  # the key was already used for another transaction
        raise Conflict(_("该幂等键已用于另一笔账目，请换一个键。"), code="idempotency_mismatch")
    return reversal
