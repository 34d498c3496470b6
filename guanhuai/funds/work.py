"""The funds app's items on the home page's work queue (`core/work.py` says how items work): months to
close for those who close them, allocations nearly spent for the fund manager, and voided receipts for
the auditor. One query per item, through the scoped selectors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.audit.permissions import VIEW_AUDIT
from guanhuai.core.money import money_sum
from guanhuai.core.work import WorkItem, register
from guanhuai.funds import selectors
from guanhuai.funds.models import ClosedPeriod, LedgerEntry
from guanhuai.funds.permissions import CLOSE_PERIODS, MANAGE_FUNDS, VIEW_FUNDS
from guanhuai.funds.states import Account, AllocationStatus, ReceiptStatus

FUNDS = pgettext_lazy("the list of funds", "基金")
# An allocation with at most this share of its amount left is "near its limit".
NEAR_LIMIT = Decimal("0.10")


def _one_or_all(pks: list[int], name: str) -> str:
    """The fund's own page when the items are all of one fund, else the funds dashboard."""
    return reverse(name, args=[pks[0]]) if len(set(pks)) == 1 else reverse("funds:dashboard")


@register("funds.periods_to_close", order=500, group=FUNDS)
def periods_to_close(actor: Actor) -> WorkItem | None:
    """Funds founded before this month whose last month is not closed yet (monthly closing)."""
    if not scoping.can_anywhere(actor, CLOSE_PERIODS):
        return None
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    closed = ClosedPeriod.objects.filter(fund=OuterRef("pk"), period=last_month)
    pks = list(
        selectors.fund_list(actor=actor, perm=CLOSE_PERIODS)
        .filter(founded_on__lt=first)
        .filter(~Exists(closed))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return WorkItem(
        label=_("待月末结账"),
        detail=last_month,
        count=len(pks),
        url=_one_or_all(pks, "funds:period_close"),
        tone="warning",
    )


@register("funds.allocations_near_limit", order=510, group=FUNDS)
def allocations_near_limit(actor: Actor) -> WorkItem | None:
    """Active allocations with at most 10 % of their amount left: time to release, top up or close."""
    if not scoping.can_anywhere(actor, MANAGE_FUNDS):
        return None
    remaining = (
        LedgerEntry.objects.filter(account=Account.ALLOCATED, allocation=OuterRef("pk"))
        .order_by()
        .values("allocation")
        .annotate(s=money_sum("amount"))
        .values("s")
    )
    money: DecimalField[Any, Any] = DecimalField(max_digits=16, decimal_places=2)
    fund_pks = list(
        scoping.scope(
            selectors.allocation_list(actor=actor), actor, MANAGE_FUNDS, unit_field="fund__org_unit"
        )
        .filter(status=AllocationStatus.ACTIVE)
        .annotate(
            left=Coalesce(Subquery(remaining, output_field=money), Value(Decimal("0.00")), output_field=money)
        )
        .filter(left__lte=F("amount") * NEAR_LIMIT)
        .order_by("fund_id")
        .values_list("fund_id", flat=True)
    )
    return WorkItem(
        label=_("即将用完的分配"),
        detail=_("余额不足 %(p)d%%") % {"p": int(NEAR_LIMIT * 100)},
        count=len(fund_pks),
        url=_one_or_all(fund_pks, "funds:fund"),
    )


@register("funds.voided_receipts", order=520, group=FUNDS)
def voided_receipts(actor: Actor) -> WorkItem | None:
    """This year's voided receipts, for those who audit (the gaps report lists them with the reason)."""
    if not (scoping.can_anywhere(actor, VIEW_AUDIT) and scoping.can_anywhere(actor, VIEW_FUNDS)):
        return None
    year = timezone.localdate().year
    return WorkItem(
        label=_("本年作废的收据"),
        detail=str(year),
        count=selectors.receipt_list(actor=actor, year=year).filter(status=ReceiptStatus.VOIDED).count(),
        url=f"{reverse('funds:receipt_gaps')}?{urlencode({'year': year})}",
    )
