"""Builders shared by the cycle, payment and bank-file tests. Each test module declares its own `staff`
fixture from `build_staff` (the programmes tests have no conftest of their own)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from guanhuai.accounts.actor import Actor
from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.funds import services as fund_services
from guanhuai.funds.models import Purpose
from guanhuai.funds.tests.factories import donor, fund, give, purpose
from guanhuai.programmes.models import Cycle, Programme
from guanhuai.programmes.services import cycles, payments
from guanhuai.programmes.tests.factories import ProgrammeFactory, enrol
from guanhuai.registry.models import Person
from guanhuai.registry.services import bank_account_set, household_create
from guanhuai.registry.tests.factories import member

_accounts = itertools.count(1)


def build_staff(tree: Any, people: Any) -> SimpleNamespace:
    """Finance generates cycles and pays; the province admin and the fund manager approve."""
    return SimpleNamespace(
        finance=user_with_role("finance_officer", tree.province, username="caiwu"),
        # approvers of a province programme: the province admin and the fund manager
        approver=people.admin,
        manager=user_with_role("fund_manager", tree.province, username="jijin"),
        admin=people.admin,
        clerk=people.clerk_a,
        town_finance=user_with_role("finance_officer", tree.town_a, username="zhen_caiwu"),
        # registers the test's persons anywhere in the county (household, bank account)
        registrar=user_with_role("village_clerk", tree.county, username="registrar"),
    )


def person(
    actor: Actor,
    unit: Any,
    name: str = "王建国",
    birth: str = "1960-05-01",
    *,
    sex: str = "male",
    died_on: str | None = None,
    bank: str | None = "中国农业银行",
    account: str | None = None,
    hukou: str = "rural",
) -> Person:
    """One person in a household of their own, with a bank account at `bank` (None: no account)."""
    household = household_create(
        actor=actor,
        org_unit=unit,
        address="幸福路1号",
        hukou_type=hukou,
        members=[member(name, birth, sex=sex)],
    )
    p = household.members.get()
    if died_on:
        Person.objects.filter(pk=p.pk).update(died_on=dt.date.fromisoformat(died_on))
        p.refresh_from_db()
    if bank:
        bank_account_set(
            actor=actor, person=p, bank_name=bank, account_number=account or f"62220202{next(_accounts):011d}"
        )
    return p


def allocation(manager: Any, finance: Any, unit: Any, amount: str, *, name: str = "特扶资金") -> Any:
    # A flush after a transactional test empties the purposes a data migration wrote: bring back ours.
    Purpose.objects.get_or_create(code="general", defaults={"name": "综合帮扶"})
    f = fund(manager, unit, name=f"{name}基金")
    give(finance, f, donor(manager, unit), amount, on=dt.date(2025, 3, 1))
    return fund_services.allocation_create(
        actor=manager,
        fund=f,
        purpose=purpose("general"),
        target_kind="programme",
        target_ref="programme",
        name=name,
        amount=amount,
        posted_on=dt.date(2025, 3, 2),
    )[0]


def programme(tree: Any, staff: Any, **kw: Any) -> Programme:
    kw.setdefault("approvals_required", 2)
    return ProgrammeFactory(org_unit=tree.province, created_by=staff.admin, **kw)


def generate(staff: Any, prog: Programme, period: str) -> Cycle:
    return cycles.cycle_generate(actor=staff.finance, programme=prog, period=period, inline=True)[0]


def approve_all(staff: Any, cycle: Cycle) -> Cycle:
    for who in (staff.approver, staff.manager)[: cycle.programme.approvals_required]:
        cycle = cycles.cycle_approve(actor=who, cycle=cycle)
    return cycle


def bank_result(
    batch: Any, outcomes: dict[int, tuple[bool, str]] | None = None, *, day: str = "2026-12-20"
) -> bytes:
    """The bank's answer to the batch's exported file: every line paid unless `outcomes` says otherwise."""
    from guanhuai.programmes import bankfiles

    outcomes = outcomes or {}
    rows = []
    for p in batch.payments.order_by("line_no"):
        paid, reason = outcomes.get(p.line_no, (True, ""))
        rows.append((p.line_no, p.account_masked[-4:], p.amount, paid, reason, dt.date.fromisoformat(day)))
    return bankfiles.result_csv(batch.number, rows)


def pay_cycle(staff: Any, cycle: Cycle, outcomes: dict[int, tuple[bool, str]] | None = None) -> list[Any]:
    batches = payments.batches_create(actor=staff.finance, cycle=cycle)
    for b in batches:
        payments.batch_export(actor=staff.finance, batch=b)
        payments.batch_import_results(
            actor=staff.finance, batch=b, file_name=f"{b.number}.csv", content=bank_result(b, outcomes)
        )
    return batches


__all__ = [
    "Decimal",
    "allocation",
    "approve_all",
    "bank_result",
    "enrol",
    "generate",
    "pay_cycle",
    "person",
    "programme",
    "build_staff",
]
