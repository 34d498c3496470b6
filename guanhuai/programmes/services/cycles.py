"""Payment cycles: generation (set-based, as a resumable job), exclusions, top-ups, arrears and approval.

A cycle is one programme and one period (unique in the database). Generation inserts one entitlement per
active enrolment with one `INSERT … SELECT` per enrolment-id range: the SELECT is an ORM queryset over
Enrolment joined to Person, so the amount rules (rules.amount_expression) and the months arithmetic are
SQL, identical on SQLite and PostgreSQL. Nothing loops over beneficiaries in Python.

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

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractMonth,
    ExtractYear,
    Greatest,
    Least,
    Round,
    Substr,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanhuai.accounts import scoping
from guanhuai.audit.actions import register
from guanhuai.audit.services import log_action
from guanhuai.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from guanhuai.core.money import parse_amount, yuan
from guanhuai.funds import ledger
from guanhuai.funds.ledger import money_sum, to_money
from guanhuai.funds.states import Account
from guanhuai.programmes.models import Cycle, CycleApproval, Enrolment, Entitlement, Programme
from guanhuai.programmes.periods import PeriodSpan, month_index, parse_period
from guanhuai.programmes.permissions import APPROVE_CYCLES, GENERATE_CYCLES
from guanhuai.programmes.states import (
    CycleStatus,
    EnrolmentStatus,
    EntitlementKind,
    EntitlementStatus,
    ProRata,
)

register(
    {
        "programmes.cycle.created": gettext_lazy("生成发放周期"),
        "programmes.cycle.generated": gettext_lazy("发放周期应发名单生成完成"),
        "programmes.cycle.approved": gettext_lazy("审批发放周期"),
        "programmes.cycle.locked": gettext_lazy("发放周期审批通过并锁定"),
        "programmes.cycle.closed": gettext_lazy("发放周期结束"),
        "programmes.entitlement.excluded": gettext_lazy("剔除应发记录"),
        "programmes.entitlement.restored": gettext_lazy("恢复应发记录"),
        "programmes.entitlement.top_up_added": gettext_lazy("添加补差"),
    }
)

GENERATE_JOB = "programmes.cycle_generate"
# Enrolments per INSERT … SELECT. Each range commits with its checkpoint, so a retried job resumes.
CHUNK = 100_000
# Statuses in which an entitlement is still owed (approved, not yet paid).
OWED = (EntitlementStatus.DUE, EntitlementStatus.BATCHED, EntitlementStatus.FAILED)

_ENTITLEMENT_COLUMNS = [
    "cycle_id",
    "programme_id",
    "enrolment_id",
    "person_id",
    "org_unit_id",
    "period",
    "kind",
    "months",
    "amount",
    "status",
    "note",
]


def _today() -> dt.date:
    return timezone.localdate()


def _span(cycle: Cycle) -> PeriodSpan:
    return PeriodSpan(cycle.period, cycle.first_month, cycle.last_month)


# --- generation ----------------------------------------------------------------------------------------


def cycle_generate(
    *,
    actor: Any,
    programme: Programme,
    period: str,
    idempotency_key: str | None = None,
    inline: bool = False,
) -> Cycle:
    """Create the cycle of `programme` for `period` and queue the job that generates its entitlements.

    A second generation of the same period is refused (Conflict), also when two requests race: the
    database's unique (programme, period) decides. The same `idempotency_key` (a double click, a retried
    request) returns the cycle it created. `inline=True` runs the job in this process before returning
    (tests and the CLI); the cycle is then in review."""
    from guanhuai.jobs.models import Job
    from guanhuai.jobs.services import job_submit

    scoping.require(actor, GENERATE_CYCLES, programme.org_unit)
    job_key = f"{GENERATE_JOB}:{idempotency_key}"[:120] if idempotency_key else ""
    if job_key:
        job = Job.objects.filter(idempotency_key=job_key).first()
        if job is not None and (cycle := Cycle.objects.filter(pk=job.params.get("cycle_id")).first()):
            return _maybe_run(cycle, inline)
    if not programme.active:
        raise ValidationError(
            _("项目“%(p)s”已停用，不能生成发放周期。") % {"p": programme.name}, code="inactive"
        )
    span = parse_period(period, programme.period)
    _check_not_generated(programme, span)
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                programme=programme,
                period=span.label,
                first_month=span.first,
                last_month=span.last,
                generated_by=actor,
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
            log_action(
                cycle,
                "programmes.cycle.created",
                actor=actor,
                org_unit=programme.org_unit,
                data={"period": span.label, "job": job.pk},
            )
    except IntegrityError:
        # Lost the race with another generation of the same period: the database kept one cycle.
        _check_not_generated(programme, span)
        raise
    return _maybe_run(cycle, inline)


def _check_not_generated(programme: Programme, span: PeriodSpan) -> None:
    existing = Cycle.objects.filter(programme=programme, period=span.label).first()
    if existing is not None:
        raise Conflict(
            _("该项目 %(period)s 的发放周期已生成（%(status)s），不能重复生成。")
            % {"period": span.label, "status": existing.get_status_display()},
            code="cycle_exists",
        )


def _maybe_run(cycle: Cycle, inline: bool) -> Cycle:
    if inline and cycle.job_id:
        from guanhuai.jobs.services import job_run

        job = job_run(cycle.job_id)
        if job.error:
            raise Conflict(job.error, code="generation_failed")
        cycle.refresh_from_db()
    return cycle


def _month_of(date_field: str) -> Any:
    """Month index of a date column: year × 12 + month − 1 (periods.month_index), in SQL.

    On SQLite a date is the text YYYY-MM-DD and Django's EXTRACT is a Python function called per row
    (seconds over a million rows), so the digits are cut out with SUBSTR in SQL instead."""
    if connection.vendor == "sqlite":
        year: Any = Cast(Substr(date_field, 1, 4), IntegerField())
        month: Any = Cast(Substr(date_field, 6, 2), IntegerField())
    else:
        year, month = ExtractYear(date_field), ExtractMonth(date_field)
    return ExpressionWrapper(year * 12 + month - 1, output_field=IntegerField())


def entitled_enrolments(cycle: Cycle, span: PeriodSpan, *, enrolments: QuerySet | None = None) -> QuerySet:
    """Active enrolments of the cycle's programme entitled to at least one month of `span`, annotated
    with `_first` and `_last` (month indexes)."""
    programme = cycle.programme
    qs = enrolments if enrolments is not None else Enrolment.objects.all()
    qs = qs.filter(programme=programme, status=EnrolmentStatus.ACTIVE)
    firsts: list[Any] = [Value(span.first), F("start_month"), _month_of("person__birth_date")]
    lasts: list[Any] = [Value(span.last), Coalesce("end_month", Value(span.last))]
    if programme.counts_from:
        firsts.append(Value(month_index(programme.counts_from)))
    if programme.age_limit_months:
        lasts.append(_month_of("person__birth_date") + Value(programme.age_limit_months - 1))
    # A death ends entitlement after the death month; the living have no death month (Coalesce to last).
    lasts.append(Coalesce(_month_of("person__died_on"), Value(span.last)))
    return qs.annotate(
        _first=Greatest(*firsts, output_field=IntegerField()),
        _last=Least(*lasts, output_field=IntegerField()),
    ).filter(_last__gte=F("_first"))


def entitlement_rows(
    cycle: Cycle, span: PeriodSpan, *, kind: str = EntitlementKind.REGULAR, enrolments: QuerySet | None = None
) -> QuerySet:
    """The SELECT of generation: one row per active enrolment with at least one entitled month, columns in
    the order of `_ENTITLEMENT_COLUMNS`, `amount` NULL where no amount rule matches. Public so that the
    benchmark measures exactly this query."""
    from guanhuai.programmes import rules

    programme = cycle.programme
    qs = entitled_enrolments(cycle, span, enrolments=enrolments)
    expression = rules.amount_expression(programme, on=span.starts_on)
    per_period: Any
    if isinstance(expression, Value):
        # One amount for everyone (or for no one): no need to look at the person.
        per_period = expression
    elif (joined := _on_person(expression)) is not None:
        # Conditions on the person's own columns only: the same CASE, read through the join.
        per_period = joined
    else:
        # The amount rules are compiled over Person; evaluate them on the enrolment's person by primary
        # key (one index probe per row), whatever subqueries the rule language builds inside.
        per_period = Subquery(
            _person_model().objects.filter(pk=OuterRef("person_id")).annotate(_a=expression).values("_a")[:1],
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    months = ExpressionWrapper(F("_last") - F("_first") + 1, output_field=IntegerField())
    if programme.pro_rata == ProRata.MONTHS and span.months > 1:
        base: Any = per_period
        if connection.vendor == "sqlite":
            # SQLite keeps 3600.00 as the integer 3600, and integer division truncates.
            base = Cast(per_period, FloatField())
        amount: Any = Round(
            ExpressionWrapper(base * months / Value(span.months), output_field=FloatField()),
            2,
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    else:
        amount = per_period
    return qs.annotate(
        c_cycle=Value(cycle.pk, output_field=IntegerField()),
        c_programme=F("programme_id"),
        c_enrolment=F("id"),
        c_person=F("person_id"),
        c_org_unit=F("org_unit_id"),
        c_period=Value(span.label),
        c_kind=Value(str(kind)),
        c_months=months,
        c_amount=amount,
        c_status=Value(str(EntitlementStatus.DUE)),
        c_note=Value(""),
    ).values(
        "c_cycle",
        "c_programme",
        "c_enrolment",
        "c_person",
        "c_org_unit",
        "c_period",
        "c_kind",
        "c_months",
        "c_amount",
        "c_status",
        "c_note",
    )


def _reroot(q: Q, prefix: str) -> Q | None:
    """`q` (over Person) with every lookup prefixed, so it reads the person through a join; None when
    it holds anything but plain column lookups with plain values (a subquery, an F, an OuterRef)."""
    rooted = Q()
    rooted.connector, rooted.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            inner = _reroot(child, prefix)
            if inner is None:
                return None
            rooted.children.append(inner)
        elif (
            isinstance(child, tuple)
            and isinstance(child[0], str)
            and not hasattr(child[1], "resolve_expression")
            and not (
                isinstance(child[1], list | tuple) and any(hasattr(v, "resolve_expression") for v in child[1])
            )
        ):
            rooted.children.append((prefix + child[0], child[1]))
        else:
            return None
    return rooted


def _on_person(expression: Any) -> Any:
    """The amount CASE of rules.amount_expression re-rooted from Person to Enrolment's `person__`, or None
    if a condition cannot be (then the caller evaluates it per row on Person)."""
    if not isinstance(expression, Case):
        return None
    whens = []
    for when in expression.cases:
        condition = when.condition
        if not isinstance(condition, Q):
            return None
        rooted = _reroot(condition, "person__")
        if rooted is None:
            return None
        whens.append(When(rooted, then=when.result))
    return Case(*whens, default=expression.default, output_field=expression.output_field)


def _person_model() -> Any:
    from guanhuai.registry.models import Person

    return Person


def insert_select(rows: QuerySet) -> int:
    """INSERT INTO entitlement (…) SELECT … of `rows` (ORM-compiled SQL and params), skipping rows whose
    amount is NULL. Returns the number of rows inserted."""
    sql, params = rows.filter(c_amount__isnull=False).query.sql_with_params()
    table = Entitlement._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in _ENTITLEMENT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(table)} ({columns}) {sql}", params)
        return max(cursor.rowcount, 0)


def generate_entitlements(cycle: Cycle, progress: Any | None = None) -> dict[str, Any]:
    """The job's work: regular entitlements by enrolment-id ranges (each range commits with its
    checkpoint), then arrears, then the cycle goes to review with an audit row of counts and total.
    Resumable: a retried job continues after the last committed range."""
    from guanhuai.jobs.models import Job

    job = Job.objects.get(pk=cycle.job_id) if cycle.job_id else None
    checkpoint: dict[str, Any] = dict(job.checkpoint) if job else {}
    counts: dict[str, Any] = dict(checkpoint.get("counts") or {"entitlements": 0, "no_amount": 0})
    if cycle.status != CycleStatus.GENERATING:
        return counts
    span = _span(cycle)
    base = Enrolment.objects.filter(programme=cycle.programme, status=EnrolmentStatus.ACTIVE)
    bounds = base.aggregate(lo=_min("id"), hi=_max("id"))
    lo, hi = bounds["lo"] or 0, bounds["hi"] or 0
    if progress is not None:
        progress.set_total(max(hi - lo + 1, 0) if hi else 0)
    start = max(int(checkpoint.get("next_id") or lo), lo)
    while hi and start <= hi:
        end = start + CHUNK
        with transaction.atomic():
            chunk = Enrolment.objects.filter(id__gte=start, id__lt=end)
            rows = entitlement_rows(cycle, span, enrolments=chunk)
            counts["entitlements"] += insert_select(rows)
            checkpoint = {"next_id": end, "counts": counts}
            if progress is not None:
                progress.step(min(end, hi + 1) - start)
                progress.job.counts = dict(counts)
                progress.save_checkpoint(checkpoint)
        start = end
    # Entitled but matching no amount rule: counted once over the whole programme (no amount evaluated).
    counts["no_amount"] = max(0, entitled_enrolments(cycle, span).count() - counts["entitlements"])
    if not checkpoint.get("arrears_done"):
        with transaction.atomic():
            counts["arrears"] = _insert_arrears(cycle)
            checkpoint = {"next_id": start, "counts": counts, "arrears_done": True}
            if progress is not None:
                progress.job.counts = dict(counts)
                progress.save_checkpoint(checkpoint)
    with transaction.atomic():
        fresh = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if fresh.status != CycleStatus.GENERATING:
            return counts
        totals = Entitlement.objects.filter(cycle=fresh).aggregate(n=_count("id"), total=money_sum("amount"))
        counts["total"] = str(to_money(totals["total"]))
        fresh.status = CycleStatus.REVIEW
        fresh.generated_at = timezone.now()
        fresh.save(update_fields=["status", "generated_at"])
        if progress is not None:
            progress.job.counts = dict(counts)
            if counts["no_amount"]:
                progress.job.message = _(
                    "%(n)s 名享受对象没有匹配的发放标准，未生成应发记录，请检查项目的发放标准。"
                ) % {"n": counts["no_amount"]}
        log_action(
            fresh,
            "programmes.cycle.generated",
            actor=fresh.generated_by,
            org_unit=fresh.programme.org_unit,
            data=dict(counts),
        )
    cycle.refresh_from_db()
    return counts


def _min(field: str) -> Any:
    from django.db.models import Min

    return Min(field)


def _max(field: str) -> Any:
    from django.db.models import Max

    return Max(field)


def _count(field: str) -> Any:
    from django.db.models import Count

    return Count(field)


def _insert_arrears(cycle: Cycle) -> int:
    """Arrears for a late approval: for each earlier period of the programme that already has a cycle,
    enrolments created after that cycle was generated, entitled to months of that period, and with no
    entitlement for it get one, kind arrears, in this cycle — one INSERT … SELECT per earlier period."""
    total = 0
    earlier = Cycle.objects.filter(programme=cycle.programme, last_month__lt=cycle.first_month).exclude(
        pk=cycle.pk
    )
    for previous in earlier.order_by("first_month"):
        span = _span(previous)
        candidates = Enrolment.objects.filter(created_at__gt=previous.created_at, start_month__lte=span.last)
        candidates = candidates.filter(
            ~Exists(
                Entitlement.objects.filter(
                    programme=cycle.programme,
                    person=OuterRef("person_id"),
                    period=span.label,
                    kind__in=[EntitlementKind.REGULAR, EntitlementKind.ARREARS],
                )
            )
        )
        total += insert_select(
            entitlement_rows(cycle, span, kind=EntitlementKind.ARREARS, enrolments=candidates)
        )
    return total


# --- review: exclusions and top-ups --------------------------------------------------------------------


def _in_review(cycle: Cycle, what: str) -> None:
    if cycle.status != CycleStatus.REVIEW:
        raise InvalidTransition(
            _("发放周期“%(period)s”当前状态为“%(status)s”，只有待审批的周期才能%(what)s。")
            % {"period": cycle.period, "status": cycle.get_status_display(), "what": what},
            code="cycle_not_in_review",
        )


def _lock_cycle(cycle: Cycle) -> Cycle:
    return Cycle.objects.select_for_update().select_related("programme").get(pk=cycle.pk)


def entitlement_exclude(*, actor: Any, entitlement: Entitlement, reason: str) -> Entitlement:
    """Take one entitlement out of a cycle under review, with the reason recorded."""
    cycle = entitlement.cycle
    scoping.require(actor, GENERATE_CYCLES, cycle.programme.org_unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("剔除必须填写原因。"), code="reason_required")
    with transaction.atomic():
        _in_review(_lock_cycle(cycle), _("剔除应发记录"))
        entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        if entitlement.status != EntitlementStatus.DUE:
            raise InvalidTransition(
                _("该应发记录当前为“%(s)s”，不能剔除。") % {"s": entitlement.get_status_display()},
                code="not_due",
            )
        entitlement.status = EntitlementStatus.EXCLUDED
        entitlement.note = reason[:300]
        entitlement.save(update_fields=["status", "note"])
        log_action(
            entitlement,
            "programmes.entitlement.excluded",
            actor=actor,
            org_unit=entitlement.org_unit,
            data={"reason": reason, "amount": entitlement.amount, "period": entitlement.period},
        )
    return entitlement


def entitlement_restore(*, actor: Any, entitlement: Entitlement, note: str = "") -> Entitlement:
    cycle = entitlement.cycle
    scoping.require(actor, GENERATE_CYCLES, cycle.programme.org_unit)
    with transaction.atomic():
        _in_review(_lock_cycle(cycle), _("恢复应发记录"))
        entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        if entitlement.status != EntitlementStatus.EXCLUDED:
            raise InvalidTransition(
                _("该应发记录当前为“%(s)s”，不是已剔除，无需恢复。")
                % {"s": entitlement.get_status_display()},
                code="not_excluded",
            )
        entitlement.status = EntitlementStatus.DUE
        entitlement.note = (note or "").strip()[:300]
        entitlement.save(update_fields=["status", "note"])
        log_action(entitlement, "programmes.entitlement.restored", actor=actor, org_unit=entitlement.org_unit)
    return entitlement


def top_up_add(*, actor: Any, cycle: Cycle, person: Any, amount: Any, reason: str) -> Entitlement:
    """A top-up (补差) for an enrolled person in a cycle under review: one per person per cycle."""
    scoping.require(actor, GENERATE_CYCLES, cycle.programme.org_unit)
    value = parse_amount(amount, field=_("补差金额"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("补差必须填写原因。"), code="reason_required")
    enrolment = Enrolment.objects.filter(programme=cycle.programme, person=person).first()
    if enrolment is None:
        raise ValidationError(
            _("%(name)s 不是“%(p)s”的享受对象，不能补差。")
            % {"name": person.name, "p": cycle.programme.name},
            code="not_enrolled",
        )
    try:
        with transaction.atomic():
            _in_review(_lock_cycle(cycle), _("添加补差"))
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
            log_action(
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
        Entitlement.objects.filter(cycle=cycle, status__in=OWED).aggregate(s=money_sum("amount"))["s"]
    )


def allocation_owed(allocation: Any, *, excluding: Cycle | None = None) -> Decimal:
    """What approved cycles paying from `allocation` still owe (due, in a batch, or failed and to be
    re-issued): money that is promised although not yet posted."""
    qs = Entitlement.objects.filter(
        cycle__programme__allocation=allocation, cycle__status=CycleStatus.APPROVED, status__in=OWED
    )
    if excluding is not None:
        qs = qs.exclude(cycle=excluding)
    return to_money(qs.aggregate(s=money_sum("amount"))["s"])


def cycle_approve(*, actor: Any, cycle: Cycle, comment: str = "") -> Cycle:
    """One approval. The approval that reaches `programme.approvals_required` locks the cycle (status
    approved), after checking under the fund lock that the allocation can pay it."""
    programme = cycle.programme
    scoping.require(actor, APPROVE_CYCLES, programme.org_unit)
    if cycle.generated_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("生成发放周期的人不能审批同一周期。"), code="segregation_of_duties")
    try:
        with transaction.atomic():
            locked = _lock_cycle(cycle)
            if locked.status != CycleStatus.REVIEW:
                raise InvalidTransition(
                    _("发放周期“%(period)s”当前状态为“%(status)s”，不能审批：只有待审批的周期可以审批。")
                    % {"period": locked.period, "status": locked.get_status_display()},
                    code="cycle_not_in_review",
                )
            if CycleApproval.objects.filter(cycle=locked, approver=actor).exists():
                raise Conflict(_("您已审批过该发放周期，每人只能审批一次。"), code="already_approved")
            with transaction.atomic():
                CycleApproval.objects.create(
                    cycle=locked, approver=actor, comment=(comment or "").strip()[:300]
                )
            n = CycleApproval.objects.filter(cycle=locked).count()
            log_action(
                locked,
                "programmes.cycle.approved",
                actor=actor,
                org_unit=programme.org_unit,
                data={"approvals": n, "required": programme.approvals_required, "comment": comment},
            )
            if n >= programme.approvals_required:
                due = _check_money(locked)
                locked.status = CycleStatus.APPROVED
                locked.approved_at = timezone.now()
                locked.save(update_fields=["status", "approved_at"])
                log_action(
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


def cycle_close_if_done(cycle: Cycle, *, actor: Any) -> bool:
    """An approved cycle whose every entitlement is paid or excluded is closed."""
    if cycle.status != CycleStatus.APPROVED:
        return False
    if Entitlement.objects.filter(cycle=cycle, status__in=OWED).exists():
        return False
    updated = Cycle.objects.filter(pk=cycle.pk, status=CycleStatus.APPROVED).update(status=CycleStatus.CLOSED)
    if updated:
        cycle.status = CycleStatus.CLOSED
        log_action(cycle, "programmes.cycle.closed", actor=actor, org_unit=cycle.programme.org_unit)
    return bool(updated)


def cycle_for_actor(*, actor: Any, cycle_id: Any, perm: str) -> Cycle:
    """A cycle whose programme the actor may act on with `perm`; missing or forbidden: the same 404."""
    cycle = Cycle.objects.select_related("programme", "programme__org_unit").filter(pk=cycle_id).first()
    if cycle is None or not scoping.can(actor, perm, cycle.programme.org_unit):
        raise NotFound(_("未找到该记录，或您无权访问。"))
    return cycle
