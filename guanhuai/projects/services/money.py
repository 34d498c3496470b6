"""A project's money: its share of funds allocations (co-funding from several funds), goods in kind, and
its spending and the goods it used out of a fund's in-kind holding, posted through `funds.ledger` by the funds services.

Two limits hold, each checked where it cannot be raced:
- an allocation's remaining budget never goes below zero: the ledger's own check, under the fund's lock;
- a project never spends more than its share of an allocation: `project_spend` takes the same fund lock
  (`ledger.lock_funds`) before it sums what the share has spent, so of two requests for the last money the
  second waits, then sees the first's spending and is refused.
The fundings of one allocation never add up to more than the allocation (checked under the same lock).

A goods use recorded in error (wrong fund, value or items) is reversed (`goods_use_reverse`), never edited or
deleted: the funds ledger reverses its distribution and the use is marked reversed, with who, when and why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.core import states
from guanhuai.core.errors import Conflict, InvalidTransition, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.money import ZERO, parse_amount, to_money, yuan
from guanhuai.funds import ledger
from guanhuai.funds import services as funds_services
from guanhuai.funds.ledger import InsufficientFunds
from guanhuai.funds.models import Allocation, Fund
from guanhuai.funds.states import Account, AllocationStatus, TargetKind
from guanhuai.projects.models import Project, ProjectFunding, ProjectGoodsUse, ProjectSpending
from guanhuai.projects.permissions import FUND, SPEND, VIEW
from guanhuai.projects.services.common import audit, lock, move
from guanhuai.projects.states import (
    GOODS_USE_TRANSITIONS,
    RUNNING,
    FundingKind,
    GoodsUseStatus,
    ProjectStatus,
)


def _running(project: Project, *, paying: bool) -> None:
    if project.status not in RUNNING:
        message = (
            _("项目当前状态为“%(s)s”，不能支出。") if paying else _("项目当前状态为“%(s)s”，不能安排资金。")
        )
        raise InvalidTransition(message % {"s": project.get_status_display()}, code="not_running")


def funding_spent(funding: ProjectFunding) -> Decimal:
    """What a funding has paid, net of reversed payments (their money went back to the allocation)."""
    return to_money(funding.spendings.filter(disbursement__reversed=False).aggregate(s=Sum("amount"))["s"])


def project_fund(
    *,
    actor: Actor,
    project: Project,
    amount: Any,
    allocation: Allocation | None = None,
    items: str = "",
    note: str = "",
) -> ProjectFunding:
    """Set aside money for an approved project: its share of a funds allocation made for projects (cash), or,
        with no allocation, goods in kind (named and valued). The shares of one allocation never add up to more than
    it holds and has paid (`_claimable`). Needs projects.fund at the project's branch and
        funds.manage_funds at the allocation's fund (the one who allocates a fund's money)."""
    scoping.require(actor, FUND, project.org_unit, visible_perm=VIEW)
    value = parse_amount(amount, field=_("安排金额"))
    kind = FundingKind.CASH if allocation is not None else FundingKind.IN_KIND
    if kind == FundingKind.IN_KIND and not (items or "").strip():
        raise ValidationError(_("实物资助请填写物资名称。"), code="items_required")
    if allocation is not None:
        scoping.require(
            actor, "funds.manage_funds", allocation.fund.org_unit, visible_perm="funds.view_funds"
        )
        if allocation.target_kind != TargetKind.PROJECT:
            raise ValidationError(
                _("“%(name)s”不是协会项目的分配，不能安排给项目。") % {"name": allocation.name},
                code="allocation_kind",
            )
    with transaction.atomic():
        if allocation is not None:
            ledger.lock_funds([allocation.fund])
        project = lock(project)
        _running(project, paying=False)
        if allocation is not None:
            if ProjectFunding.objects.filter(project=project, allocation=allocation).exists():
                raise Conflict(
                    _("本项目已从“%(name)s”安排过资金。") % {"name": allocation.name}, code="already_funded"
                )
            shared = to_money(
                ProjectFunding.objects.filter(allocation=allocation).aggregate(s=Sum("amount"))["s"]
            )
            free = _claimable(allocation) - shared
            if value > free:
                raise InsufficientFunds(
                    _("“%(name)s”可安排给项目的余额为 %(free)s，不足 %(want)s。")
                    % {"name": allocation.name, "free": yuan(max(free, ZERO)), "want": yuan(value)}
                )
        funding = ProjectFunding.objects.create(
            project=project,
            kind=kind,
            allocation=allocation,
            amount=value,
            items=(items or "").strip()[:200],
            note=(note or "").strip()[:200],
            created_by=signed_in(actor),
        )
        audit(project, "projects.funding.added", actor=actor, kind=kind, amount=str(value))
    return funding


def _claimable(allocation: Allocation) -> Decimal:
    """What project shares of an allocation may add up to: what it still holds plus what it has paid (net of
    reversals), i.e. its amount less what a closing gave back to the fund. A closed allocation's paid money
    can still be recorded as a project's (its payments happened); it can pay nothing more."""
    paid = ledger.balance(allocation.fund_id, Account.DISBURSEMENTS, allocation=allocation)
    return funds_services.allocation_remaining(allocation) + paid


def project_spend(
    *,
    actor: Actor,
    funding: ProjectFunding,
    amount: Any,
    spent_on: dt.date,
    payee: str,
    note: str = "",
    idempotency_key: str | None = None,
) -> tuple[ProjectSpending, bool]:
    """Pay out of one cash funding of a running project: a funds disbursement posted through the ledger.
    Never more than the funding's share left, whoever else is paying at the same moment (see the module).
    The first payment starts the project (approved → in progress). Returns `(spending, created)`; a replayed
    key returns the first spending."""
    project = funding.project
    scoping.require(actor, SPEND, project.org_unit, visible_perm=VIEW)
    value = parse_amount(amount, field=_("支出金额"))
    if funding.kind != FundingKind.CASH or funding.allocation is None:
        raise ValidationError(_("实物资助不登记资金支出。"), code="in_kind_funding")
    if not (payee or "").strip():
        raise ValidationError(_("请填写收款方。"), code="payee_required")
    if idempotency_key:
        replayed = ProjectSpending.objects.filter(
            disbursement__transaction__idempotency_key=idempotency_key
        ).first()
        if replayed is not None:
            return replayed, False
    allocation = funding.allocation
    with transaction.atomic():
        ledger.lock_funds([allocation.fund])
        project = lock(project)
        _running(project, paying=True)
        left = funding.amount - funding_spent(funding)
        if value > left:
            raise InsufficientFunds(
                _("“%(project)s”从“%(name)s”安排的资金只剩 %(left)s，不足支付 %(want)s。")
                % {"project": project.name, "name": allocation.name, "left": yuan(left), "want": yuan(value)}
            )
        disbursement, created = funds_services.disbursement_record(
            actor=actor,
            allocation=allocation,
            amount=value,
            paid_on=spent_on,
            payee=payee.strip()[:120],
            idempotency_key=idempotency_key,
        )
        if not created:  # an identical request won the race for this key
            return ProjectSpending.objects.get(disbursement=disbursement), False
        spending = ProjectSpending.objects.create(
            project=project,
            funding=funding,
            disbursement=disbursement,
            amount=value,
            spent_on=spent_on,
            payee=payee.strip()[:120],
            note=(note or "").strip()[:200],
            recorded_by=signed_in(actor),
        )
        if project.status == ProjectStatus.APPROVED:
            move(project, ProjectStatus.IN_PROGRESS)
            project.save(update_fields=["status"])
        audit(project, "projects.spending.recorded", actor=actor, obj=spending, amount=str(value))
    return spending, True


def project_link_disbursement(
    *, actor: Actor, funding: ProjectFunding, disbursement: Any, note: str = ""
) -> ProjectSpending:
    """Record that a disbursement already posted out of the funding's allocation was this project's (the
    demo's fund statement paid the 2015 projects before they were recorded here). The same limits hold: the
    share is not exceeded, and a disbursement belongs to one project."""
    project = funding.project
    scoping.require(actor, SPEND, project.org_unit, visible_perm=VIEW)
    allocation = funding.allocation
    if allocation is None or disbursement.allocation_id != allocation.pk:
        raise ValidationError(_("这笔支出不是从该项目安排的分配中支出的。"), code="other_allocation")
    if disbursement.reversed:
        raise Conflict(_("这笔支出已冲销。"), code="already_reversed")
    with transaction.atomic():
        ledger.lock_funds([allocation.fund])
        project = lock(project)
        if ProjectSpending.objects.filter(disbursement=disbursement).exists():
            raise Conflict(_("这笔支出已记在一个项目上。"), code="already_linked")
        left = funding.amount - funding_spent(funding)
        if disbursement.amount > left:
            raise InsufficientFunds(
                _("“%(project)s”安排的资金只剩 %(left)s，不足 %(want)s。")
                % {"project": project.name, "left": yuan(left), "want": yuan(disbursement.amount)}
            )
        spending = ProjectSpending.objects.create(
            project=project,
            funding=funding,
            disbursement=disbursement,
            amount=disbursement.amount,
            spent_on=disbursement.paid_on,
            payee=disbursement.payee[:120],
            note=(note or "").strip()[:200],
            recorded_by=signed_in(actor),
        )
        if project.status == ProjectStatus.APPROVED:
            move(project, ProjectStatus.IN_PROGRESS)
            project.save(update_fields=["status"])
        audit(project, "projects.spending.recorded", actor=actor, obj=spending, amount=str(spending.amount))
    return spending


def project_use_goods(
    *,
    actor: Actor,
    project: Project,
    fund: Fund,
    amount: Any,
    used_on: dt.date,
    items: str,
    note: str = "",
    idempotency_key: str | None = None,
) -> tuple[ProjectGoodsUse, bool]:
    """Record goods a running project used out of a fund's in-kind holding, at their receipt value: a funds
    distribution posted through the ledger (`funds.services.in_kind_distribute`, which locks the fund and
    refuses more than it holds). When the project is funded from an allocation of that fund, the goods are
    charged to that allocation's purpose. Returns `(use, created)`; a replayed key returns the first use."""
    scoping.require(actor, SPEND, project.org_unit, visible_perm=VIEW)
    if idempotency_key:
        replayed = ProjectGoodsUse.objects.filter(transaction__idempotency_key=idempotency_key).first()
        if replayed is not None:
            return replayed, False
    share = (
        project.fundings.filter(allocation__fund=fund, allocation__status=AllocationStatus.ACTIVE)
        .select_related("allocation")
        .order_by("pk")
        .first()
    )
    with transaction.atomic():
        ledger.lock_funds([fund])
        project = lock(project)
        _running(project, paying=True)
        txn, created = funds_services.in_kind_distribute(
            actor=actor,
            fund=fund,
            amount=amount,
            distributed_on=used_on,
            items=items,
            purpose=None,
            allocation=share.allocation if share is not None else None,
            idempotency_key=idempotency_key,
        )
        if not created:  # an identical request won the race for this key
            return ProjectGoodsUse.objects.get(transaction=txn), False
        use = ProjectGoodsUse.objects.create(
            project=project,
            fund=fund,
            transaction=txn,
            amount=txn.entries.get(account=Account.IN_KIND_DISTRIBUTED).amount,
            used_on=used_on,
            items=items.strip()[:200],
            note=(note or "").strip()[:200],
            recorded_by=signed_in(actor),
        )
        if project.status == ProjectStatus.APPROVED:
            move(project, ProjectStatus.IN_PROGRESS)
            project.save(update_fields=["status"])
        audit(project, "projects.goods.used", actor=actor, obj=use, amount=str(use.amount))
    return use, True


def goods_use_reverse(
    *,
    actor: Actor,
    use: ProjectGoodsUse,
    reason: str,
    reversed_on: dt.date | None = None,
    idempotency_key: str | None = None,
) -> tuple[ProjectGoodsUse, bool]:
    """Reverse a goods use recorded in error: the funds ledger reverses its distribution
    (`funds.services.in_kind_reverse`: the goods' value returns to the fund's holding, dated `reversed_on`,
    default today, refused in a closed period), and the use is marked reversed with who, when and why. A
    reason is required. Needs projects.spend at the project's branch and funds.manage_funds at the fund's
    (who may reverse a cash payment). The use's row is locked, so of two clicks the second waits: with the
    same key it gets the first reversal back (`created` False), otherwise it is refused (`already_reversed`).
    Returns `(use, created)`."""
    project = use.project
    scoping.require(actor, SPEND, project.org_unit, visible_perm=VIEW)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("冲销必须填写原因。"), code="reason_required")
    with transaction.atomic():
        ledger.lock_funds([use.fund])
        use = relock(use, "project", "project__org_unit", "fund", "transaction", "reversal")
        if use.status == GoodsUseStatus.REVERSED:
            if (
                idempotency_key
                and use.reversal is not None
                and use.reversal.idempotency_key == idempotency_key
            ):
                return use, False
            raise Conflict(
                _("这笔物资使用（%(items)s，%(value)s）已冲销。")
                % {"items": use.items, "value": yuan(use.amount)},
                code="already_reversed",
            )
        states.transition(use, GoodsUseStatus.REVERSED, GOODS_USE_TRANSITIONS)
        reversal, _created = funds_services.in_kind_reverse(
            actor=actor,
            txn=use.transaction,
            reason=reason,
            posted_on=reversed_on,
            idempotency_key=idempotency_key,
        )
        use.reversal = reversal
        use.reversed_by = signed_in(actor)
        use.reversed_at = timezone.now()
        use.reversal_reason = reason[:200]
        use.save(update_fields=["status", "reversal", "reversed_by", "reversed_at", "reversal_reason"])
        audit(
            use.project,
            "projects.goods.reversed",
            actor=actor,
            obj=use,
            amount=str(use.amount),
            items=use.items[:100],
            reason=reason[:200],
            reversal=reversal.pk,
        )
    return use, True
