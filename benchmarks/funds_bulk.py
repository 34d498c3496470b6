"""Part of `guanhuai bench funds`: N disbursements posted at once through `funds.ledger.post_many` (as a
special round does), against the naive way, N calls of `funds.ledger.post` (each with its own key lookup,
closed-period query, fund lock, two INSERTs and balance check). Both end with the same balances, or the
run stops."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanhuai.accounts.actor import Actor
from guanhuai.funds import ledger, services
from guanhuai.funds.models import Donor, Purpose
from guanhuai.funds.states import Account, TargetKind, TxnKind
from guanhuai.orgs.models import OrgUnit

EACH = Decimal("300.00")


def bench_post_many(n: int, write: Callable[[str], None], report: dict[str, Any], *, actor: Actor) -> None:
    if n <= 0:
        return
    fund = services.fund_create(
        actor=actor,
        org_unit=OrgUnit.objects.get(code="440000"),
        name="批量记账样本基金",
        founded_on=dt.date(2016, 1, 1),
    )
    today = timezone.localdate()
    donor = Donor.objects.order_by("pk").first()
    services.donation_record(
        actor=actor,
        donor=donor,
        fund=fund,
        kind="cash",
        channel="bank_transfer",
        amount=str(EACH * n * 2),
        received_on=today,
    )
    general = Purpose.objects.get(code="general")
    allocations = [
        services.allocation_create(
            actor=actor, fund=fund, purpose=general, target_kind=TargetKind.PROJECT,
            target_ref=f"bench:{way}", name=f"批量记账样本（{way}）", amount=str(EACH * n),
        )[0]
        for way in ("post_many", "post")
    ]  # fmt: skip

    def postings(allocation: Any) -> list[ledger.Posting]:
        lines = services.disbursement_lines(allocation, EACH)
        return [ledger.Posting(TxnKind.DISBURSEMENT, today, "样本", lines)] * n

    started = time.perf_counter()
    with transaction.atomic():
        ledger.post_many(actor=actor, postings=postings(allocations[0]))
    set_based = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        for p in postings(allocations[1]):
            ledger.post(
                actor=actor, kind=p.kind, posted_on=p.posted_on, description=p.description, lines=p.lines
            )
    naive = time.perf_counter() - started
    left = {ledger.balance(fund, Account.ALLOCATED, allocation=a) for a in allocations}
    if left != {Decimal("0.00")}:
        raise SystemExit(f"post_many and post disagree: allocations left {left}")
    report["post_many"] = {
        "postings": n,
        "seconds": set_based,
        "naive_seconds": naive,
        "ratio": naive / set_based,
    }
    write("")
    write(
        f"批量记账：{n} 笔支出经 ledger.post_many 一次记账 {set_based:.2f} 秒，逐笔 ledger.post {naive:.2f} 秒，"
        f"快 {naive / set_based:.1f}×"
    )
