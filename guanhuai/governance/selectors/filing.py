"""Reads of filings: the township reviewer's queue and one filing with its log."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, Prefetch, QuerySet, Value, When

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.governance.models import Filing, FilingEvent
from guanhuai.governance.permissions import VIEW
from guanhuai.governance.states import FilingStatus


def filing_list(*, actor: Actor, status: str | None = None, perm: str = VIEW) -> QuerySet[Filing]:
    """Filings in the actor's villages, those awaiting review first (oldest submission first)."""
    qs = scoping.scope(Filing.objects.all(), actor, perm, unit_field="unit")
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("unit", "document", "version")
        .annotate(version_clauses=Count("version__clauses"))
        .order_by(
            # awaiting review, then returned to the village, then filed
            Case(
                When(status=FilingStatus.SUBMITTED, then=Value(0)),
                When(status=FilingStatus.RETURNED, then=Value(1)),
                default=Value(2),
            ),
            "submitted_at",
            "pk",
        )
    )


def filing_get(*, actor: Actor, filing_id: Any, perm: str = VIEW) -> Filing:
    return scoping.get_or_404(
        Filing.objects.select_related("unit", "document", "version").prefetch_related(
            Prefetch("events", queryset=FilingEvent.objects.select_related("actor", "version"))
        ),
        actor,
        perm,
        unit_field="unit",
        pk=filing_id,
    )


def filings_of(*, document: Any) -> QuerySet[Filing]:
    """The filings of a document already read through scoping, newest first."""
    return (
        Filing.objects.filter(document=document)
        .unscoped("the document was read through scoping")
        .select_related("version")
        .order_by("-submitted_at", "-pk")
    )
