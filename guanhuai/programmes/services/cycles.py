"""Payment cycles: generation (set-based, as a resumable job), exclusions, top-ups, arrears and approval.

A cycle is one programme and one period (unique in the database). `cycle_generate` creates it and queues
the job whose work (services/generation.py) inserts one entitlement per active enrolment, set-based.

Months of a period a beneficiary is entitled to (month indexes, programmes/periods.py):

    first = max(period first, enrolment start, birth month, programme counts_from month)
    last  = min(period last, enrolment end, death month, birth month + age_limit_months − 1)

A person who died before the period has last < first and gets nothing; one who died in the period is
entitled through the death month. The amount is the per-period amount in force on the first day of the
period; with pro_rata = months it is amount × months / months-in-period (rounded to the cent), otherwise
the full amount for any entitled month. Enrolments whose person matches no amount rule are counted and
reported on the job, never silently dropped.

Approval needs `programme.approvals_required` different approvers, none of them the generator. The last
approval locks the cycle, and does so under the fund lock: the allocation's remaining balance, minus what
other approved but unpaid cycles of the same allocation still owe, must cover this cycle."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core import states
from guanhuai.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.money import money_sum, parse_amount, to_money, yuan
from guanhuai.funds import ledger
from guanhuai.funds.states import Account
from guanhuai.programmes.models import Cycle, CycleApproval, Enrolment, Entitlement, Programme
from guanhuai.programmes.periods import PeriodSpan, month_index, parse_period
from guanhuai.programmes.permissions import APPROVE_CYCLES, GENERATE_CYCLES
from guanhuai.programmes.states import (
    CYCLE_TRANSITIONS,
    ENTITLEMENT_TRANSITIONS,
    CycleStatus,
    EntitlementKind,
    EntitlementStatus,
)

GENERATE_JOB = "programmes.cycle_generate"
# Statuses in which an entitlement is still owed (approved, not yet paid).
OWED = (EntitlementStatus.DUE, EntitlementStatus.BATCHED, EntitlementStatus.FAILED)


# --- generation ----------------------------------------------------------------------------------------


def cycle_generate(
    *,
    actor: Actor,
    programme: Programme,
    period: str,
    idempotency_key: str | None = None,
    inline: bool = False,
    past_reason: str = "",
) -> tuple[Cycle, bool]:
    """Create the cycle of `programme` for `period` and queue the job that generates its entitlements.

    Returns `(cycle, created)`, like every create that may be replayed (docs/api.md, "Idempotency"). A second
    generation of the same period is refused (Conflict), also when two requests race: the database's
    unique (programme, period) decides. The same `idempotency_key` (a double click, a retried request)
    returns the cycle it created with `created` False, also when it lost the race to its own replay. `inline=True` runs the job in this process before returning
    (tests and the CLI); the cycle is then in review.

    Generation reads today's registry (hukou, family status, deaths), not the facts as they were in the
    period. A period ending more than settings.GUANHUAI_PAST_PERIOD_MONTHS months before the current month
    is therefore refused (ValidationError "past_period") unless `past_reason` says why it is generated
    anyway; the reason goes into the cycle's audit row."""
    from guanhuai.jobs.services import job_submit

    scoping.require(actor, GENERATE_CYCLES, programme.org_unit)
    job_key = f"{GENERATE_JOB}:{idempotency_key}"[:120] if idempotency_key else ""
    if job_key and (replayed := _replayed(job_key)) is not None:
        return _maybe_run(replayed, inline), False
    if not programme.active:
        raise ValidationError(
            _("项目“%(p)s”已停用，不能生成发放周期。") % {"p": programme.name}, code="inactive"
        )
    span = parse_period(period, programme.period)
    _check_not_generated(programme, span)
    months_back = check_past_period(span, past_reason)
    audit_data: dict[str, Any] = {"period": span.label}
    if months_back is not None:
        audit_data.update(months_back=months_back, past_reason=past_reason.strip())
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                programme=programme,
                period=span.label,
                first_month=span.first,
                last_month=span.last,
                generated_by=signed_in(actor),
            )
            job, _created = job_submit(
                actor=actor,
                kind=GENERATE_JOB,
                idempotency_key=job_key or f"{GENERATE_JOB}:cycle:{cycle.pk}:{uuid.uuid4().hex[:8]}",
                params={"cycle_id": cycle.pk},
                org_unit=programme.org_unit,
            )
            cycle.job = job
            cycle.save(update_fields=["job"])
            log(
                cycle,
                "programmes.cycle.created",
                actor=actor,
                org_unit=programme.org_unit,
                data={**audit_data, "job": job.pk},
            )
    except IntegrityError:
        # Lost the race with another generation of the same period: the database kept one cycle. If it was
        # this request's own replay, answer with its cycle.
        if job_key and (replayed := _replayed(job_key)) is not None:
            return _maybe_run(replayed, inline), False
        _check_not_generated(programme, span)
        raise
    return _maybe_run(cycle, inline), True


def _replayed(job_key: str) -> Cycle | None:
    """The cycle an earlier request with this key created (its generation job carries the key)."""
    from guanhuai.jobs.models import Job

    job = (
        Job.objects.unscoped("an idempotency key is unique across branches")
        .filter(idempotency_key=job_key)
        .first()
    )
    if job is None:
        return None
    return (
        Cycle.objects.unscoped("the cycle a replayed key's job made")
        .filter(pk=job.params.get("cycle_id"))
        .first()
    )


def check_past_period(span: PeriodSpan, reason: str) -> int | None:
    """How many months the period ended before the current month, when that is more than the setting
    allows and a reason is given; refuses it without a reason. None for a recent period (or no limit)."""
    limit = settings.GUANHUAI_PAST_PERIOD_MONTHS
    if limit is None:
        return None
    back = month_index(timezone.localdate()) - span.last
    if back <= limit:
        return None
    if not (reason or "").strip():
        raise ValidationError(
            _(
                "发放期 %(period)s 已过去 %(n)s 个月（超过 %(max)s 个月）。生成时按现在的户籍、家庭和生存状况计算，"
                "可能与当时不符；确需生成的，请填写理由（记入审计日志）。"
            )
            % {"period": span.label, "n": back, "max": limit},
            code="past_period",
        )
    return back


def _check_not_generated(programme: Programme, span: PeriodSpan) -> None:
    existing = (
        Cycle.objects.unscoped("one cycle per programme and period, whoever made it")
        .filter(programme=programme, period=span.label)
        .first()
    )
    if existing is not None:
        raise Conflict(
            _("该项目 %(period)s 的发放周期已生成（%(status)s），不能重复生成。")
            % {"period": span.label, "status": existing.get_status_display()},
            code="cycle_exists",
        )
    # The period may already be paid as arrears in a later cycle (services/arrears.py): a regular
    # entitlement for it would pay those months twice (and the database would refuse it).
    paid_as_arrears = (
        Entitlement.objects.unscoped("a cycle is generated for the programme's whole area")
        .filter(
            cycle__in=Cycle.objects.filter(programme=programme, first_month__gt=span.last),
            period=span.label,
            kind=EntitlementKind.ARREARS,
        )
        .select_related("cycle")
        .first()
    )
    if paid_as_arrears is not None:
        raise Conflict(
            _("该项目 %(period)s 的应发已作为补发计入 %(cycle)s 发放周期，不能再生成该期。")
            % {"period": span.label, "cycle": paid_as_arrears.cycle.period},
            code="paid_as_arrears",
        )


def _maybe_run(cycle: Cycle, inline: bool) -> Cycle:
    if inline and cycle.job_id:
        from guanhuai.jobs.services import job_run

        job = job_run(cycle.job_id)
        if job.error:
            raise Conflict(job.error, code="generation_failed")
        cycle.refresh_from_db()
    return cycle


# --- review: exclusions and top-ups --------------------------------------------------------------------


def _in_review(cycle: Cycle, what: str) -> None:
    if cycle.status != CycleStatus.REVIEW:
        raise InvalidTransition(
            _("发放周期“%(period)s”当前状态为“%(status)s”，只有待审批的周期才能%(what)s。")
            % {"period": cycle.period, "status": cycle.get_status_display(), "what": what},
            code="cycle_not_in_review",
        )


def entitlement_exclude(*, actor: Actor, entitlement: Entitlement, reason: str) -> Entitlement:
    """Take one entitlement out of a cycle under review, with the reason recorded."""
    cycle = entitlement.cycle
    scoping.require(actor, GENERATE_CYCLES, cycle.programme.org_unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("剔除必须填写原因。"), code="reason_required")
    with transaction.atomic():
        _in_review(relock(cycle, "programme"), _("剔除应发记录"))
        entitlement = relock(entitlement)
        if entitlement.status != EntitlementStatus.DUE:
            raise InvalidTransition(
                _("该应发记录当前为“%(s)s”，不能剔除。") % {"s": entitlement.get_status_display()},
                code="not_due",
            )
        states.transition(entitlement, EntitlementStatus.EXCLUDED, ENTITLEMENT_TRANSITIONS)
        entitlement.note = reason[:300]
        entitlement.save(update_fields=["status", "note"])
        log(
            entitlement,
            "programmes.entitlement.excluded",
            actor=actor,
            org_unit=entitlement.org_unit,
            data={"reason": reason, "amount": entitlement.amount, "period": entitlement.period},
        )
    return entitlement


def entitlement_restore(*, actor: Actor, entitlement: Entitlement, note: str = "") -> Entitlement:
    cycle = entitlement.cycle
    scoping.require(actor, GENERATE_CYCLES, cycle.programme.org_unit)
    with transaction.atomic():
        _in_review(relock(cycle, "programme"), _("恢复应发记录"))
        entitlement = relock(entitlement)
        if entitlement.status != EntitlementStatus.EXCLUDED:
            raise InvalidTransition(
                _("该应发记录当前为“%(s)s”，不是已剔除，无需恢复。")
                % {"s": entitlement.get_status_display()},
                code="not_excluded",
            )
        states.transition(entitlement, EntitlementStatus.DUE, ENTITLEMENT_TRANSITIONS)
        entitlement.note = (note or "").strip()[:300]
        entitlement.save(update_fields=["status", "note"])
        log(entitlement, "programmes.entitlement.restored", actor=actor, org_unit=entitlement.org_unit)
    return entitlement


def top_up_add(*, actor: Actor, cycle: Cycle, person: Any, amount: Any, reason: str) -> Entitlement:
    """A top-up (补差) for an enrolled person in a cycle under review: one per person per cycle."""
    scoping.require(actor, GENERATE_CYCLES, cycle.programme.org_unit)
    value = parse_amount(amount, field=_("补差金额"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("补差必须填写原因。"), code="reason_required")
    enrolment = (
        Enrolment.objects.unscoped("the enrolment of the one person the service holds")
        .filter(programme=cycle.programme, person=person)
        .first()
    )
    if enrolment is None:
        raise ValidationError(
            _("%(name)s 不是“%(p)s”的享受对象，不能补差。")
            % {"name": person.name, "p": cycle.programme.name},
            code="not_enrolled",
        )
    try:
        with transaction.atomic():
            _in_review(relock(cycle, "programme"), _("添加补差"))
            entitlement = Entitlement.objects.create(
                cycle=cycle,
                programme=cycle.programme,
                enrolment=enrolment,
                person=person,
                org_unit=enrolment.org_unit,
                period=cycle.period,
                kind=EntitlementKind.TOP_UP,
                months=0,
                amount=value,
                note=reason[:300],
            )
            log(
                entitlement,
                "programmes.entitlement.top_up_added",
                actor=actor,
                org_unit=entitlement.org_unit,
                data={"amount": value, "reason": reason},
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s 在本周期已有一笔补差；如需调整，请先剔除原补差。") % {"name": person.name},
            code="top_up_exists",
        )
    return entitlement


# --- approval --------------------------------------------------------------------------------------------


def cycle_due_total(cycle: Cycle) -> Decimal:
    return to_money(
        Entitlement.objects.unscoped("a cycle's total over the programme's whole area")
        .filter(cycle=cycle, status__in=OWED)
        .aggregate(s=money_sum("amount"))["s"]
    )


def allocation_owed(allocation: Any, *, excluding: Cycle | None = None) -> Decimal:
    """What approved cycles paying from `allocation` still owe (due, in a batch, or failed and to be
    re-issued): money that is promised although not yet posted."""
    qs = Entitlement.objects.unscoped("what an allocation owes, over every branch it pays").filter(
        cycle__programme__allocation=allocation, cycle__status=CycleStatus.APPROVED, status__in=OWED
    )
    if excluding is not None:
        qs = qs.exclude(cycle=excluding)
    return to_money(qs.aggregate(s=money_sum("amount"))["s"])


def cycle_approve(*, actor: Actor, cycle: Cycle, comment: str = "") -> Cycle:
    """One approval. The approval that reaches `programme.approvals_required` locks the cycle (status
    approved), after checking under the fund lock that the allocation can pay it."""
    programme = cycle.programme
    scoping.require(actor, APPROVE_CYCLES, programme.org_unit)
    if cycle.generated_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("生成发放周期的人不能审批同一周期。"), code="segregation_of_duties")
    try:
        with transaction.atomic():
            locked = relock(cycle, "programme")
            if locked.status != CycleStatus.REVIEW:
                raise InvalidTransition(
                    _("发放周期“%(period)s”当前状态为“%(status)s”，不能审批：只有待审批的周期可以审批。")
                    % {"period": locked.period, "status": locked.get_status_display()},
                    code="cycle_not_in_review",
                )
            if CycleApproval.objects.filter(cycle=locked, approver=signed_in(actor)).exists():
                raise Conflict(_("您已审批过该发放周期，每人只能审批一次。"), code="already_approved")
            with transaction.atomic():
                CycleApproval.objects.create(
                    cycle=locked, approver=signed_in(actor), comment=(comment or "").strip()[:300]
                )
            n = CycleApproval.objects.filter(cycle=locked).count()
            log(
                locked,
                "programmes.cycle.approved",
                actor=actor,
                org_unit=programme.org_unit,
                data={"approvals": n, "required": programme.approvals_required, "comment": comment},
            )
            if n >= programme.approvals_required:
                due = _check_money(locked)
                states.transition(locked, CycleStatus.APPROVED, CYCLE_TRANSITIONS)
                locked.approved_at = timezone.now()
                locked.save(update_fields=["status", "approved_at"])
                log(
                    locked,
                    "programmes.cycle.locked",
                    actor=actor,
                    org_unit=programme.org_unit,
                    data={"approvals": n, "due_total": due},
                )
    except IntegrityError:
        raise Conflict(_("您已审批过该发放周期，每人只能审批一次。"), code="already_approved")
    cycle.refresh_from_db()
    return cycle


def _check_money(cycle: Cycle) -> Decimal:
    """Under the fund lock: the allocation's remaining balance, minus what other approved cycles of the
    same allocation still owe, must cover this cycle's due total. Budget-line programmes skip it."""
    due = cycle_due_total(cycle)
    allocation = cycle.programme.allocation
    if allocation is None:
        return due
    ledger.lock_funds([allocation.fund])
    remaining = ledger.balance(allocation.fund_id, Account.ALLOCATED, allocation=allocation)
    owed = allocation_owed(allocation, excluding=cycle)
    available = remaining - owed
    if available < due:
        raise ledger.InsufficientFunds(
            _(
                "资金不足，不能审批：本周期应发 %(due)s，“%(name)s”分配余额 %(remaining)s，"
                "其他已审批未发放的周期占用 %(owed)s，还差 %(short)s。"
            )
            % {
                "due": yuan(due),
                "name": allocation.name,
                "remaining": yuan(remaining),
                "owed": yuan(owed),
                "short": yuan(due - available),
            }
        )
    return due


def cycle_close_if_done(cycle: Cycle, *, actor: Actor) -> bool:
    """An approved cycle whose every entitlement is paid or excluded is closed."""
    if cycle.status != CycleStatus.APPROVED:
        return False
    if Entitlement.objects.filter(cycle=cycle, status__in=OWED).exists():
        return False
    states.check(CYCLE_TRANSITIONS, CycleStatus.APPROVED, CycleStatus.CLOSED)
    updated = Cycle.objects.filter(pk=cycle.pk, status=CycleStatus.APPROVED).update(status=CycleStatus.CLOSED)
    if updated:
        cycle.status = CycleStatus.CLOSED
        log(cycle, "programmes.cycle.closed", actor=actor, org_unit=cycle.programme.org_unit)
    return bool(updated)
