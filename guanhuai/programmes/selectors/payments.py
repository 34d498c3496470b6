"""Reads of payment batches, payments, result files, and a person's payment history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.core.money import money_sum
from guanhuai.programmes.models import Cycle, Entitlement, Payment, PaymentBatch, ResultFile
from guanhuai.programmes.permissions import VIEW
from guanhuai.programmes.selectors.cycles import _programme_q
from guanhuai.programmes.states import EntitlementStatus, PaymentStatus
from guanhuai.registry.models import Person


def batch_list(*, actor: Actor, cycle: Cycle | None = None) -> QuerySet[PaymentBatch]:
    """Batches of the programmes the actor may see, each annotated with `seen_count` and `seen_total`: the
    count and total of the payments the actor may see (their own villages). A batch pays every village of
    one bank; its stored `count`/`total` are the whole batch's and are for the bank file, not for display."""
    mine = scoping.scope(Payment.objects.filter(batch=OuterRef("pk")), actor, VIEW).order_by().values("batch")
    qs = scoping.mark_scoped(  # the programme's visibility, up and down the tree
        PaymentBatch.objects.filter(_programme_q(actor, "cycle__programme__"))
        .select_related("cycle", "cycle__programme", "follow_up_of")
        .annotate(
            seen_count=Coalesce(Subquery(mine.annotate(n=Count("id")).values("n")), 0),
            seen_total=Coalesce(
                Subquery(mine.annotate(s=money_sum("amount")).values("s")),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=18, decimal_places=2),
            ),
        )
    )
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return qs.order_by("cycle_id", "id")


def batch_get(*, actor: Actor, batch_id: Any) -> PaymentBatch:
    try:
        return (
            batch_list(actor=actor)
            .select_related("cycle__programme__org_unit", "cycle__programme__allocation")
            .get(pk=batch_id)
        )
    except (PaymentBatch.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。"))


def payment_list(*, actor: Actor, batch: PaymentBatch, status: str = "") -> QuerySet[Payment]:
    qs = scoping.scope(Payment.objects.filter(batch=batch), actor, VIEW)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "org_unit", "entitlement").order_by("line_no")


def result_files(*, batch: PaymentBatch) -> QuerySet[ResultFile]:
    # a batch's bank result files are seen by whoever may see the batch (a selector read it)
    return scoping.mark_scoped(
        batch.result_files.select_related("imported_by", "ledger_transaction").order_by("-imported_at", "-id")
    )


def result_file_get(*, actor: Actor, result_id: Any) -> ResultFile:
    try:
        return (
            scoping.mark_scoped(ResultFile.objects.filter(_programme_q(actor, "batch__cycle__programme__")))
            .select_related("batch", "batch__cycle", "batch__cycle__programme", "imported_by")
            .get(pk=result_id)
        )
    except (ResultFile.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。"))


def missing_accounts(*, actor: Actor, cycle: Cycle) -> QuerySet[Entitlement]:
    """Due entitlements of an approved cycle that no batch can take: no bank account ("缺少银行账户")."""
    return scoping.scope(
        Entitlement.objects.filter(
            cycle=cycle, status=EntitlementStatus.DUE, person__bank_account__isnull=True
        ),
        actor,
        VIEW,
    ).select_related("person", "org_unit")


def failed_entitlements(*, actor: Actor, cycle: Cycle) -> QuerySet[Entitlement]:
    return scoping.scope(
        Entitlement.objects.filter(cycle=cycle, status=EntitlementStatus.FAILED), actor, VIEW
    ).select_related("person", "org_unit")


# --- a person's payment history --------------------------------------------------------------------------


@dataclass
class HistoryRow:
    programme: str
    period: str
    kind: str
    kind_label: str
    months: int
    amount: Decimal
    status: str  # the entitlement's status
    status_label: str
    outcome: str  # paid / failed / pending / excluded / due
    outcome_label: str
    reason: str  # failure reason, or the exclusion reason
    when: dt.date | None  # settled on (paid or returned)
    batch: str
    attempts: int


def person_for_history(*, actor: Actor, person_id: Any) -> Person:
    return scoping.get_or_404(Person.objects.select_related("org_unit"), actor, VIEW, pk=person_id)


def payment_history(*, actor: Actor, person: Person) -> list[HistoryRow]:
    """Each entitlement of the person, newest period first: entitled amount, and what happened to the
    money (paid on, failed with the bank's reason, pending at the bank, excluded, or not yet batched).
    Three queries, whatever the number of periods."""
    entitlements = (
        scoping.scope(Entitlement.objects.filter(person=person), actor, VIEW)
        .select_related("programme")
        .prefetch_related(
            Prefetch(
                "payments", queryset=Payment.objects.select_related("batch").order_by("id"), to_attr="tries"
            )
        )
        .order_by("-period", "programme_id", "kind", "-id")
    )
    rows: list[HistoryRow] = []
    labels = dict(PaymentStatus.choices)
    for e in entitlements:
        last = e.tries[-1] if e.tries else None
        if e.status == EntitlementStatus.EXCLUDED:
            outcome, label, reason, when = "excluded", str(e.get_status_display()), e.note, None
        elif last is None:
            outcome, label, reason, when = "due", _("待发放"), "", None
        else:
            outcome = str(last.status)
            label = str(labels[last.status])
            reason, when = last.failure_reason, last.settled_on
        rows.append(
            HistoryRow(
                programme=e.programme.name,
                period=e.period,
                kind=e.kind,
                kind_label=str(e.get_kind_display()),
                months=e.months,
                amount=e.amount,
                status=e.status,
                status_label=str(e.get_status_display()),
                outcome=outcome,
                outcome_label=label,
                reason=reason,
                when=when,
                batch=last.batch.number if last else "",
                attempts=len(e.tries),
            )
        )
    return rows
