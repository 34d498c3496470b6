"""Allocations, disbursements and special rounds (one allocation paid to many people at once)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

# Text stored in the ledger or on a receipt is written in the source language (Chinese), whatever the
# actor's UI language, and translated only when shown: gettext_noop marks it for the catalogue.
from django.utils.translation import gettext_noop

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core import states
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.money import parse_amount
from guanhuai.funds import ledger
from guanhuai.funds.ledger import Line
from guanhuai.funds.models import Allocation, Disbursement, Donor, Fund, Purpose, SpecialRound
from guanhuai.funds.permissions import DISBURSE, MANAGE_FUNDS
from guanhuai.funds.services.common import _not_future, _today, check_purpose, replay_of
from guanhuai.funds.states import ALLOCATION_TRANSITIONS, Account, AllocationStatus, TargetKind, TxnKind
from guanhuai.orgs.models import OrgUnit

# --- allocations and disbursements -----------------------------------------------------------------------


def allocation_create(
    *,
    actor: Actor,
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
        existing = (
            Allocation.objects.unscoped("an idempotency key is looked up across branches")
            .filter(idempotency_key=idempotency_key)
            .first()
        )
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
                approved_by=signed_in(actor),
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
            log(
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


def allocation_close(*, actor: Actor, allocation: Allocation, posted_on: dt.date | None = None) -> Allocation:
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
        log(
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
    actor: Actor,
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
    if (existing := replay_of(Disbursement, idempotency_key)) is not None:
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
        if (replayed := replay_of(Disbursement, idempotency_key)) is not None:
            return replayed, False  # an identical request won the race for this key
        disbursement = Disbursement.objects.create(
            allocation=allocation,
            person=person,
            payee=payee.strip(),
            amount=value,
            paid_on=paid_on,
            transaction=txn,
        )
        log(
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
    *, actor: Actor, disbursement: Disbursement, reason: str, posted_on: dt.date | None = None
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
        log(
            disbursement,
            "funds.disbursement.reversed",
            actor=actor,
            org_unit=disbursement.allocation.fund.org_unit,
        )
    return disbursement


# --- special rounds ---------------------------------------------------------------------------------------


def special_round_create(
    *,
    actor: Actor,
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
    existing = (
        SpecialRound.objects.unscoped("an idempotency key is unique across branches")
        .filter(idempotency_key=idempotency_key)
        .first()
    )
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
                created_by=signed_in(actor),
                idempotency_key=idempotency_key,
            )
            _bulk_disburse(
                actor=actor, allocation=allocation, rnd=rnd, persons=persons, each=each, paid_on=paid_on
            )
            log(
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
    actor: Actor,
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
