"""Transfers between funds and the closing of accounting periods."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

# Text stored in the ledger or on a receipt is written in the source language (Chinese), whatever the
# actor's UI language, and translated only when shown: gettext_noop marks it for the catalogue.
from django.utils.translation import gettext_noop

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.money import parse_amount
from guanhuai.funds import ledger
from guanhuai.funds.ledger import Line
from guanhuai.funds.models import ClosedPeriod, Fund
from guanhuai.funds.permissions import CLOSE_PERIODS, MANAGE_FUNDS
from guanhuai.funds.services.common import _today
from guanhuai.funds.states import Account, TxnKind


def transfer_record(
    *,
    actor: Actor,
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
        log(
            txn,
            "funds.transfer.recorded",
            actor=actor,
            org_unit=from_fund.org_unit,
            data={"amount": value, "to": to_fund.pk},
        )
    return txn, True


def period_close(*, actor: Actor, fund: Fund, period: str) -> ClosedPeriod:
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
        closed = ClosedPeriod.objects.create(fund=fund, period=f"{first:%Y-%m}", closed_by=signed_in(actor))
        log(
            closed, "funds.period.closed", actor=actor, org_unit=fund.org_unit, data={"period": closed.period}
        )
    return closed
