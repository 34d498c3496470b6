"""Reads of enrolments: the scoped list with filters, one enrolment (missing and forbidden read the same),
its status history from the audit log, and a summary of its entitlements."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.audit import selectors as audit_selectors
from guanhuai.audit.models import AuditEntry
from guanhuai.core.money import money_sum, to_money
from guanhuai.orgs import paths
from guanhuai.orgs.models import OrgUnit
from guanhuai.programmes.models import Enrolment, Entitlement, Programme
from guanhuai.programmes.permissions import MANAGE_ENROLMENTS, VIEW
from guanhuai.programmes.states import EntitlementStatus

ANY_FLAG = "any"


@dataclass
class EnrolmentFilters:
    programme: Programme | None = None
    status: str = ""
    flag: str = ""  # a FlagReason value, or "any" for every flagged enrolment
    unit: OrgUnit | None = None  # a village, or any branch: its whole subtree
    q: str = ""  # name, pinyin or initials of the person


def enrolment_list(
    *, actor: Actor, filters: EnrolmentFilters | None = None, perm: str = VIEW
) -> QuerySet[Enrolment]:
    f = filters or EnrolmentFilters()
    qs = scoping.scope(Enrolment.objects.all(), actor, perm)
    if f.programme is not None:
        qs = qs.filter(programme=f.programme)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.flag == ANY_FLAG:
        qs = qs.exclude(flag="")
    elif f.flag:
        qs = qs.filter(flag=f.flag)
    if f.unit is not None:
        qs = qs.filter(org_unit__path__gte=f.unit.path, org_unit__path__lt=paths.upper_bound(f.unit.path))
    text = f.q.strip()
    if text:
        qs = qs.filter(
            Q(person__name__contains=text)
            | Q(person__name_pinyin__startswith=text.lower())
            | Q(person__name_initials__startswith=text.lower())
        )
    return qs.select_related("programme", "person", "org_unit").order_by(
        "programme_id", "org_unit__path", "id"
    )


def flagged_list(*, actor: Actor, programme: Programme | None = None, flag: str = "") -> QuerySet[Enrolment]:
    """Enrolments a re-confirmation flagged, for those who may decide about them (county approvers)."""
    return enrolment_list(
        actor=actor,
        filters=EnrolmentFilters(programme=programme, flag=flag or ANY_FLAG),
        perm=MANAGE_ENROLMENTS,
    ).order_by("flagged_at", "id")


def enrolment_get(*, actor: Actor, enrolment_id: Any) -> Enrolment:
    return scoping.get_or_404(
        Enrolment.objects.select_related("programme", "person", "org_unit", "application"),
        actor,
        VIEW,
        pk=enrolment_id,
    )


def enrolment_history(*, enrolment: Enrolment, limit: int = 100) -> list[AuditEntry]:
    """Every recorded change of this enrolment, oldest first (the caller has already fetched the enrolment
    through `enrolment_get`, so its history is as visible as the enrolment)."""
    rows = audit_selectors.trail(enrolment).select_related("actor").order_by("-at", "-id")[:limit]
    return list(reversed(list(rows)))


@dataclass
class EntitlementSummary:
    by_status: list[dict[str, Any]]
    total_paid: Decimal
    recent: list[Entitlement]


def entitlement_summary(*, enrolment: Enrolment, recent: int = 12) -> EntitlementSummary:
    rows = (
        enrolment.entitlements.all()
        .order_by()
        .values("status")
        .annotate(n=Count("id"), total=money_sum("amount"))
    )
    labels = dict(EntitlementStatus.choices)
    by_status = [
        {
            "status": r["status"],
            "label": labels.get(r["status"], r["status"]),
            "count": r["n"],
            "total": to_money(r["total"]),
        }
        for r in rows
    ]
    paid = next((r["total"] for r in by_status if r["status"] == EntitlementStatus.PAID), Decimal("0.00"))
    latest = list(enrolment.entitlements.order_by("-period", "-id")[:recent])
    return EntitlementSummary(by_status=by_status, total_paid=paid, recent=latest)


def flag_counts(*, actor: Actor, programme: Programme | None = None) -> dict[str, int]:
    """Flagged enrolments per reason within the actor's decision scope (for the work queue)."""
    qs = scoping.scope(Enrolment.objects.exclude(flag=""), actor, MANAGE_ENROLMENTS)
    if programme is not None:
        qs = qs.filter(programme=programme)
    return {r["flag"]: r["n"] for r in qs.order_by().values("flag").annotate(n=Count("id"))}


def programme_choices(*, actor: Actor) -> QuerySet[Programme]:
    """Programmes for a filter or a form: the ones the actor can see (selectors/programmes.py decides:
    owned at, below or above the actor's branches, so a province programme is run by its counties)."""
    from guanhuai.programmes.selectors.programmes import programme_list

    return programme_list(actor=actor)


def village_choices(*, actor: Actor, limit: int = 300) -> list[OrgUnit]:
    """Villages in scope for the filter dropdown (None of them past `limit`: then type a code)."""
    return list(scoping.units(actor, VIEW).filter(level="village").order_by("path")[:limit])
