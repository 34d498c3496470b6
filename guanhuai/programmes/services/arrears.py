"""Months owed before a programme's first cycle (a programme installed late, or enrolments imported with
earlier start months).

Arrears for late approvals (generation._insert_arrears) only look at periods that already have a cycle, so
these months would never be paid. Generating the programme's earliest cycle therefore queues a report
job (REPORT_JOB: `owed_before_first`, the number of months and their amount, in its counts, message and an
audit row), and `cycle_arrears_before_first` offers to put them in that cycle, while it is in review, as
arrears entitlements, one per person and past period, one `INSERT … SELECT` per past period. Whether those
months were already paid outside the platform is for a person to know, which is why it is offered and not
automatic.

The report costs one aggregate query per span of periods over which the programme's amount rules do not
change (usually one to five), whatever the number of months: not one per period. For programmes paid
pro rata or monthly it is exact up to the rounding of each entitlement to the cent; for a quarterly or
yearly programme without pro rata it counts the full amount for each period touched, as generation does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import ExpressionWrapper, F, FloatField, IntegerField, Min, Sum, Value
from django.db.models.functions import Cast, Floor
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanhuai.accounts.actor import Actor
from guanhuai.audit.actions import register
from guanhuai.core.errors import Conflict, InvalidTransition
from guanhuai.core.locks import relock
from guanhuai.core.money import to_money, yuan
from guanhuai.programmes.models import Cycle, Enrolment, Entitlement
from guanhuai.programmes.periods import PeriodSpan, month_index, month_label, month_start, period_containing
from guanhuai.programmes.states import CycleStatus, EnrolmentStatus, EntitlementKind, Period, ProRata

register(
    {
        "programmes.cycle.arrears_before_first_added": gettext_lazy("补发首期之前的月份"),
        "programmes.cycle.owed_before_first": gettext_lazy("发现首期之前应发未发的月份"),
    }
)

# A cycle pays every village of its programme's area, whoever generates or approves it: the set-based work
# of generation and arrears reads the whole area as system work (core/scopes.py), said here once.
AREA = "a cycle covers every village of its programme's area"

ARREARS_JOB = "programmes.cycle_arrears"
REPORT_JOB = "programmes.cycle_owed"

PERIOD_MONTHS: dict[str, int] = {Period.MONTHLY: 1, Period.QUARTERLY: 3, Period.YEARLY: 12}


def is_earliest(cycle: Cycle) -> bool:
    """No cycle of the programme covers an earlier period."""
    return not Cycle.objects.filter(programme=cycle.programme_id, first_month__lt=cycle.first_month).exists()


def _window(cycle: Cycle) -> tuple[int, int] | None:
    """Month indexes [first, last] before the cycle in which an active enrolment may be owed, aligned to
    period starts; None when there is none."""
    programme = cycle.programme
    lo = (
        Enrolment.objects.unscoped(AREA)
        .filter(programme=programme, status=EnrolmentStatus.ACTIVE)
        .aggregate(lo=Min("start_month"))["lo"]
    )
    if lo is None:
        return None
    if programme.counts_from:
        lo = max(lo, month_index(programme.counts_from))
    size = PERIOD_MONTHS[programme.period]
    lo -= lo % size
    hi = cycle.first_month - 1
    return (lo, hi) if lo <= hi else None


def _amount_spans(cycle: Cycle, lo: int, hi: int) -> list[tuple[int, int]]:
    """[lo, hi] cut at the periods where an amount rule starts or ends: within each piece, every period
    uses the same amount rules (those in force on its first day)."""
    from guanhuai.programmes.models import AmountRule

    size = PERIOD_MONTHS[cycle.programme.period]
    cuts = {lo, hi + 1}
    for valid_from, valid_to in AmountRule.objects.filter(programme=cycle.programme_id).values_list(
        "valid_from", "valid_to"
    ):
        days = [valid_from] + ([valid_to + dt.timedelta(days=1)] if valid_to else [])
        for day in days:
            # the first period whose first day is on or after `day`
            m = month_index(day) + (0 if day.day == 1 else 1)
            m += (-m) % size
            if lo < m <= hi:
                cuts.add(m)
    edges = sorted(cuts)
    return [(a, b - 1) for a, b in zip(edges, edges[1:], strict=False)]


def owed_before_first(cycle: Cycle) -> dict[str, Any] | None:
    """For the programme's earliest cycle: the months its active enrolments are owed before it, and their
    amount (as text, two decimals), with the first and last such month; None when nothing is owed or
    the cycle is not the earliest."""
    from guanhuai.programmes import rules
    from guanhuai.programmes.services.generation import entitled_enrolments, person_amount

    if not is_earliest(cycle):
        return None
    window = _window(cycle)
    if window is None:
        return None
    programme = cycle.programme
    size = PERIOD_MONTHS[programme.period]
    months_total, amount_total = 0, Decimal(0)
    first_owed: int | None = None
    for a, b in _amount_spans(cycle, *window):
        qs = entitled_enrolments(cycle, PeriodSpan("", a, b))
        rate = rules.amount_expression(programme, on=month_start(a))
        months = ExpressionWrapper(F("_last") - F("_first") + 1, output_field=IntegerField())
        if programme.pro_rata == ProRata.MONTHS or size == 1:
            units: Any = Cast(months, FloatField()) / Value(float(size))
        else:  # the full amount for every period touched
            # Floor: on PostgreSQL the month arithmetic is numeric (EXTRACT), so "/" would not truncate.
            units = Cast(Floor(F("_last") / Value(size)) - Floor(F("_first") / Value(size)) + 1, FloatField())
        # The rate is a per-person CASE over Person; read it through the person as generation does.
        # Enrolments matching no amount rule are left out, as generation leaves them out (no_amount).
        totals = (
            qs.annotate(_rate=person_amount(rate))
            .filter(_rate__isnull=False)
            .annotate(_months=months, _amount=Cast("_rate", FloatField()) * units)
            .aggregate(months=Sum("_months"), amount=Sum("_amount"), first=Min("_first"))
        )
        if totals["months"]:
            months_total += totals["months"]
            amount_total += Decimal(str(totals["amount"] or 0))
            first_owed = totals["first"] if first_owed is None else min(first_owed, totals["first"])
    if not months_total:
        return None
    return {
        "months": months_total,
        "amount": str(to_money(amount_total)),
        "from": month_label(first_owed if first_owed is not None else window[0]),
        "to": month_label(window[1]),
    }


def past_spans(cycle: Cycle) -> list[PeriodSpan]:
    """The periods before the cycle in which someone may be owed (see `_window`), oldest first."""
    window = _window(cycle)
    if window is None:
        return []
    kind = cycle.programme.period
    spans, m = [], window[0]
    while m <= window[1]:
        span = period_containing(month_start(m), kind)
        spans.append(span)
        m = span.last + 1
    return spans


def insert_arrears_before_first(cycle: Cycle) -> int:
    """Arrears entitlements in `cycle` for every period before it (the earliest cycle only), one
    `INSERT … SELECT` per period; persons who already have an entitlement for that period are skipped
    (the database's one-per-person-period constraint would refuse them anyway). Returns rows inserted."""
    from guanhuai.programmes.services.generation import entitlement_rows, insert_select, not_yet_entitled

    if not is_earliest(cycle):
        return 0
    total = 0
    for span in past_spans(cycle):
        candidates = not_yet_entitled(Enrolment.objects.all(), cycle, span)
        total += insert_select(
            entitlement_rows(cycle, span, kind=EntitlementKind.ARREARS, enrolments=candidates)
        )
    return total


def report_submit(cycle: Cycle) -> Any:
    """At the end of the generation of a programme's earliest cycle, when some active enrolment started
    before it: queue the report job (REPORT_JOB, keyed by the cycle) that computes `owed_before_first`.
    Its own job, so that generation costs the same for the first cycle as for the next ones: the report
    reads every such enrolment with its amount once more. Returns the job, or None."""
    from guanhuai.jobs.services import job_submit

    if not is_earliest(cycle) or _window(cycle) is None:
        return None
    job, _created = job_submit(
        actor=cycle.generated_by,
        kind=REPORT_JOB,
        idempotency_key=f"{REPORT_JOB}:{cycle.pk}",
        params={"cycle_id": cycle.pk},
        org_unit=cycle.programme.org_unit,
    )
    return job


def report_job_run(cycle: Cycle, *, actor: Actor) -> tuple[dict[str, Any], str]:
    """The report job's work: its counts (`owed_before_first`, absent when nothing is owed), its message,
    and an audit row on the cycle when something is owed."""
    from guanhuai.audit.services import log

    owed = owed_before_first(cycle)
    if not owed:
        return {}, ""
    log(
        cycle, "programmes.cycle.owed_before_first", actor=actor, org_unit=cycle.programme.org_unit, data=owed
    )
    return {"owed_before_first": owed}, owed_message(owed)


def _job_of(kind: str, cycle: Cycle) -> Any:
    """The job of this kind for the cycle in hand, by its key (unique across branches), or None."""
    from guanhuai.jobs.models import Job

    jobs = Job.objects.unscoped("a job of a cycle in hand, by its key (unique across branches)")
    return jobs.filter(idempotency_key=f"{kind}:{cycle.pk}").first()


def owed_report(cycle: Cycle) -> tuple[dict[str, Any] | None, Any]:
    """What the report job found for this cycle (None while it has not run or found nothing), and the job."""
    job = _job_of(REPORT_JOB, cycle)
    return ((job.counts or {}).get("owed_before_first") if job else None), job


def arrears_job(cycle: Cycle) -> Any:
    """The job that added the months owed before the programme's first cycle to this cycle, if one did."""
    return _job_of(ARREARS_JOB, cycle)


def owed_message(owed: dict[str, Any]) -> str:
    return _(
        "首个发放周期之前还有 %(months)s 个应发月份未生成应发记录（%(start)s 至 %(end)s，约 %(amount)s）。"
        "如确未在平台外发放，可在本周期审批前“补发首期之前的月份”。"
    ) % {"months": owed["months"], "start": owed["from"], "end": owed["to"], "amount": yuan(owed["amount"])}


def cycle_arrears_before_first(*, actor: Actor, cycle: Cycle, inline: bool = False) -> Any:
    """Offer the months owed before the programme's first cycle as arrears in that cycle, while it is in
    review (before anyone approves its total): a job, keyed by the cycle, so a double click adds them once.
    `inline=True` runs it here (CLI, tests). Returns the job."""
    from guanhuai.accounts import scoping
    from guanhuai.jobs.services import job_run, job_submit
    from guanhuai.programmes.permissions import GENERATE_CYCLES

    scoping.require(actor, GENERATE_CYCLES, cycle.programme.org_unit)
    if cycle.status != CycleStatus.REVIEW:
        raise InvalidTransition(
            _("发放周期“%(period)s”当前状态为“%(status)s”，只有待审批的周期才能补发之前的月份。")
            % {"period": cycle.period, "status": cycle.get_status_display()},
            code="cycle_not_in_review",
        )
    if not is_earliest(cycle):
        raise Conflict(
            _("只有项目最早一期的发放周期才能补发首期之前的月份；之后各期的补发在生成时自动计入。"),
            code="not_first_cycle",
        )
    job, _created = job_submit(
        actor=actor,
        kind=ARREARS_JOB,
        idempotency_key=f"{ARREARS_JOB}:{cycle.pk}",
        params={"cycle_id": cycle.pk},
        org_unit=cycle.programme.org_unit,
    )
    if inline:
        job = job_run(job.pk)
        if job.error:
            raise Conflict(job.error, code="arrears_failed")
    return job


def arrears_job_run(cycle: Cycle, *, actor: Actor) -> dict[str, Any]:
    """The job's work: under the cycle's lock, still in review, insert the arrears and audit the count
    and amount. A retry after a crash finds the rows committed and inserts nothing more."""
    from django.db import transaction

    from guanhuai.audit.services import log
    from guanhuai.core.money import money_sum

    with transaction.atomic():
        fresh = relock(cycle, "programme")
        if fresh.status != CycleStatus.REVIEW:
            raise InvalidTransition(
                _("发放周期“%(period)s”已不在待审批状态，未补发。") % {"period": fresh.period},
                code="cycle_not_in_review",
            )
        arrears_rows = Entitlement.objects.unscoped(AREA).filter(cycle=fresh, kind=EntitlementKind.ARREARS)
        before = set(arrears_rows.values_list("id", flat=True))
        inserted = insert_arrears_before_first(fresh)
        added = arrears_rows.exclude(id__in=before)
        counts = {
            "entitlements": inserted,
            "total": str(to_money(added.aggregate(t=money_sum("amount"))["t"])),
        }
        log(
            fresh,
            "programmes.cycle.arrears_before_first_added",
            actor=actor,
            org_unit=fresh.programme.org_unit,
            data=counts,
        )
    return counts
