"""Generation of a cycle's entitlements: the job's work, set-based.

One `INSERT … SELECT` per range of enrolment ids: the SELECT is an ORM queryset over Enrolment joined to
Person (months arithmetic, the amount rules of rules.amount_expression), compiled by Django, so the same
code runs on SQLite and PostgreSQL; nothing loops over beneficiaries in Python. Each range commits with
its checkpoint, so a retried job resumes. Then arrears for late approvals, and the cycle goes to review.
See services/cycles.py for the rules on months and amounts."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
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

from guanhuai.audit.services import log
from guanhuai.core import sql, states
from guanhuai.core.locks import relock
from guanhuai.core.money import money_sum, to_money
from guanhuai.core.scopes import ScopedQuerySet
from guanhuai.programmes.models import Cycle, Enrolment, Entitlement
from guanhuai.programmes.periods import PeriodSpan, month_index
from guanhuai.programmes.services import arrears
from guanhuai.programmes.states import (
    CYCLE_TRANSITIONS,
    CycleStatus,
    EnrolmentStatus,
    EntitlementKind,
    EntitlementStatus,
    ProRata,
)

# Enrolments per INSERT … SELECT. Each range commits with its checkpoint, so a retried job resumes.
CHUNK = 100_000
AREA = arrears.AREA

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


def _span(cycle: Cycle) -> PeriodSpan:
    return PeriodSpan(cycle.period, cycle.first_month, cycle.last_month)


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


def entitled_enrolments(
    cycle: Cycle, span: PeriodSpan, *, enrolments: ScopedQuerySet[Enrolment] | None = None
) -> QuerySet:
    """Active enrolments of the cycle's programme entitled to at least one month of `span`, annotated
    with `_first` and `_last` (month indexes)."""
    programme = cycle.programme
    qs = (enrolments if enrolments is not None else Enrolment.objects.all()).unscoped(AREA)
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
    cycle: Cycle,
    span: PeriodSpan,
    *,
    kind: str = EntitlementKind.REGULAR,
    enrolments: ScopedQuerySet[Enrolment] | None = None,
) -> QuerySet:
    """The SELECT of generation: one row per active enrolment with at least one entitled month, columns in
    the order of `_ENTITLEMENT_COLUMNS`, `amount` NULL where no amount rule matches. Public so that the
    benchmark measures exactly this query."""
    from guanhuai.programmes import rules

    programme = cycle.programme
    qs = entitled_enrolments(cycle, span, enrolments=enrolments)
    per_period = person_amount(rules.amount_expression(programme, on=span.starts_on))
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
    return (
        qs.annotate(
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
        )
        .values(
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
        .order_by()
    )  # no ORDER BY: Enrolment's default ordering would sort a million rows before inserting


def always_has_amount(cycle: Cycle, span: PeriodSpan) -> bool:
    """True when the programme's amount rules on the period's first day end with a rule for everyone (the
    CASE's default is an amount, not NULL): then every entitled enrolment gets an entitlement."""
    from guanhuai.programmes import rules

    expression = rules.amount_expression(cycle.programme, on=span.starts_on)
    default = expression.default if isinstance(expression, Case) else expression
    return isinstance(default, Value) and default.value is not None


def person_amount(expression: Any) -> Any:
    """rules.amount_expression (compiled over Person) as an expression over Enrolment, for its person."""
    if isinstance(expression, Value):
        # One amount for everyone (or for no one): no need to look at the person.
        return expression
    if (joined := _on_person(expression)) is not None:
        # Conditions on the person's own columns only: the same CASE, read through the join.
        return joined
    # The amount rules are compiled over Person; evaluate them on the enrolment's person by primary key
    # (one index probe per row), whatever subqueries the rule language builds inside.
    return Subquery(
        _person_model().objects.filter(pk=OuterRef("person_id")).annotate(_a=expression).values("_a")[:1],
        output_field=DecimalField(max_digits=12, decimal_places=2),
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
    """INSERT INTO entitlement (…) SELECT … of `rows`, skipping rows whose amount is NULL. Returns the
    number of rows inserted."""
    return sql.insert_select(Entitlement, _ENTITLEMENT_COLUMNS, rows.filter(c_amount__isnull=False))


def generate_entitlements(cycle: Cycle, progress: Any | None = None) -> dict[str, Any]:
    """The job's work: regular entitlements by enrolment-id ranges (each range commits with its
    checkpoint), then arrears, then the cycle goes to review with an audit row of counts and total.
    Resumable: a retried job continues after the last committed range."""
    from guanhuai.jobs.models import Job

    jobs = Job.objects.unscoped("the cycle's own generation job, re-read by the id the cycle keeps")
    job = jobs.get(pk=cycle.job_id) if cycle.job_id else None
    checkpoint: dict[str, Any] = dict(job.checkpoint) if job else {}
    counts: dict[str, Any] = dict(checkpoint.get("counts") or {"entitlements": 0, "no_amount": 0})
    if cycle.status != CycleStatus.GENERATING:
        return counts
    span = _span(cycle)
    base = Enrolment.objects.unscoped(AREA).filter(programme=cycle.programme, status=EnrolmentStatus.ACTIVE)
    bounds = base.aggregate(lo=Min("id"), hi=Max("id"))
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
    # Entitled but matching no amount rule: counted once over the whole programme (no amount evaluated),
    # unless the rules end with one for everyone, when no one can lack an amount. The count is a second
    # join over every enrolment: a third of the floor's time on PostgreSQL (benchmarks/README.md).
    if always_has_amount(cycle, span):
        counts["no_amount"] = 0
    else:
        counts["no_amount"] = max(0, entitled_enrolments(cycle, span).count() - counts["entitlements"])
    if not checkpoint.get("arrears_done"):
        with transaction.atomic():
            counts["arrears"] = _insert_arrears(cycle)
            checkpoint = {"next_id": start, "counts": counts, "arrears_done": True}
            if progress is not None:
                progress.job.counts = dict(counts)
                progress.save_checkpoint(checkpoint)
    with transaction.atomic():
        fresh = relock(cycle)
        if fresh.status != CycleStatus.GENERATING:
            return counts
        totals = (
            Entitlement.objects.unscoped(AREA)
            .filter(cycle=fresh)
            .aggregate(n=Count("id"), total=money_sum("amount"))
        )
        counts["total"] = str(to_money(totals["total"]))
        states.transition(fresh, CycleStatus.REVIEW, CYCLE_TRANSITIONS)
        fresh.generated_at = timezone.now()
        fresh.save(update_fields=["status", "generated_at"])
        if progress is not None:
            progress.job.counts = dict(counts)
            messages = []
            if counts["no_amount"]:
                messages.append(
                    _("%(n)s 名享受对象没有匹配的发放标准，未生成应发记录，请检查项目的发放标准。")
                    % {"n": counts["no_amount"]}
                )
            progress.job.message = " ".join(messages)
        log(
            fresh,
            "programmes.cycle.generated",
            actor=fresh.generated_by,
            org_unit=fresh.programme.org_unit,
            data=dict(counts),
        )
        # Months owed before the programme's first cycle are paid by no arrears above: a job of its own
        # reports them (services/arrears.py), so that this one stays as fast as the cycles after it.
        arrears.report_submit(fresh)
    cycle.refresh_from_db()
    return counts


def not_yet_entitled(enrolments: Any, cycle: Cycle, span: PeriodSpan) -> Any:
    """The enrolments whose person has no regular or arrears entitlement of the cycle's programme for the
    period `span` (the database's one-per-person-period constraint would refuse a second one anyway)."""
    return enrolments.filter(
        ~Exists(
            Entitlement.objects.filter(
                programme=cycle.programme_id,
                person=OuterRef("person_id"),
                period=span.label,
                kind__in=[EntitlementKind.REGULAR, EntitlementKind.ARREARS],
            )
        )
    )


def _insert_arrears(cycle: Cycle) -> int:
    """Arrears for a late approval: for each earlier period of the programme that already has a cycle,
    enrolments created after that cycle was generated, entitled to months of that period, and with no
    entitlement for it get one, kind arrears, in this cycle — one INSERT … SELECT per earlier period."""
    total = 0
    earlier = (
        Cycle.objects.unscoped(AREA)
        .filter(programme=cycle.programme, last_month__lt=cycle.first_month)
        .exclude(pk=cycle.pk)
    )
    for previous in earlier.order_by("first_month"):
        span = _span(previous)
        candidates = not_yet_entitled(
            Enrolment.objects.filter(created_at__gt=previous.created_at, start_month__lte=span.last),
            cycle,
            span,
        )
        total += insert_select(
            entitlement_rows(cycle, span, kind=EntitlementKind.ARREARS, enrolments=candidates)
        )
    return total
