"""Reads of payment cycles: lists, the review summary (totals by county, the difference from the previous
cycle with drill-down), entitlements.

A cycle belongs to a programme, and a programme to a branch (often the province). A cycle is visible to
whoever holds programmes.view at the programme's branch, below it, or above it: a county approver sees the
province programme's cycles, but only the entitlements of their own county (every entitlement list and
total is scoped by the beneficiary's village)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.core.money import money_sum, to_money
from guanhuai.orgs import paths
from guanhuai.orgs.models import OrgUnit
from guanhuai.programmes.models import Cycle, CycleApproval, Entitlement, Programme
from guanhuai.programmes.permissions import VIEW
from guanhuai.programmes.states import EntitlementKind, EntitlementStatus


def _programme_q(actor: Actor, prefix: str = "") -> Q:
    """Programmes at or below the actor's branches, or above them (a province programme for a county)."""
    roots = scoping.root_paths(actor, VIEW)
    if roots is None:
        return Q()
    above = sorted({a for r in roots for a in paths.ancestors(r)})
    q = scoping.path_q(actor, VIEW, path_field=f"{prefix}org_unit__path")
    if above:
        q |= Q(**{f"{prefix}org_unit__path__in": above})
    return q


def programmes_visible(*, actor: Actor) -> QuerySet[Programme]:
    return Programme.objects.filter(_programme_q(actor)).select_related("org_unit")


def cycle_list(*, actor: Actor, programme: Programme | None = None, status: str = "") -> QuerySet[Cycle]:
    qs = scoping.mark_scoped(  # the programme's visibility, up and down the tree
        Cycle.objects.filter(_programme_q(actor, "programme__")).select_related("programme", "generated_by")
    )
    if programme is not None:
        qs = qs.filter(programme=programme)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("programme_id", "-first_month")


def cycle_get(*, actor: Actor, cycle_id: Any) -> Cycle:
    try:
        return (
            cycle_list(actor=actor)
            .select_related("programme__org_unit", "programme__allocation", "job")
            .get(pk=cycle_id)
        )
    except (Cycle.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。"))


def entitlement_list(
    *, actor: Actor, cycle: Cycle, status: str = "", kind: str = "", unit: OrgUnit | None = None
) -> QuerySet[Entitlement]:
    qs = scoping.scope(Entitlement.objects.filter(cycle=cycle), actor, VIEW)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(org_unit__path__gte=unit.path, org_unit__path__lt=paths.upper_bound(unit.path))
    return qs.select_related("person", "org_unit").order_by("org_unit__path", "id")


def entitlement_get(*, actor: Actor, entitlement_id: Any) -> Entitlement:
    return scoping.get_or_404(
        Entitlement.objects.select_related("cycle", "cycle__programme", "person", "org_unit"),
        actor,
        VIEW,
        pk=entitlement_id,
    )


def approvals(cycle: Cycle) -> QuerySet[CycleApproval]:
    return cycle.approvals.select_related("approver").order_by("approved_at")


@dataclass
class Figure:
    count: int = 0
    total: Decimal = Decimal("0.00")


@dataclass
class CountyFigure:
    path: str
    name: str
    count: int
    total: Decimal


@dataclass
class CycleSummary:
    cycle: Cycle
    previous: Cycle | None
    by_status: dict[str, Figure]
    due: Figure  # what approval commits to: due (and later batched, paid or failed) entitlements
    excluded: Figure
    by_kind: dict[str, Figure]
    by_county: list[CountyFigure]
    new: Figure = field(default_factory=Figure)
    exited: Figure = field(default_factory=Figure)
    changed: Figure = field(default_factory=Figure)


def _figure(qs: QuerySet[Any], amount: str = "amount") -> Figure:
    row = qs.aggregate(n=Count("id"), s=money_sum(amount))
    return Figure(count=row["n"] or 0, total=to_money(row["s"]))


def county_path_length() -> int:
    """Length of a county branch's path (every county sits at the same depth of the tree)."""
    length = (
        OrgUnit.objects.filter(level="county").annotate(n=Length("path")).values_list("n", flat=True).first()
    )
    return int(length or paths.SEGMENT * 3)


def previous_cycle(cycle: Cycle) -> Cycle | None:
    return (
        # the programme of a cycle in view: its cycles are seen by the same users
        Cycle.objects.unscoped("an earlier cycle of a programme in view")
        .filter(programme=cycle.programme_id, first_month__lt=cycle.first_month)
        .order_by("-first_month")
        .first()
    )


def _regular(actor: Actor, cycle: Cycle) -> QuerySet[Entitlement]:
    return scoping.scope(Entitlement.objects.filter(cycle=cycle, kind=EntitlementKind.REGULAR), actor, VIEW)


def diff_new(*, actor: Actor, cycle: Cycle, previous: Cycle) -> QuerySet[Entitlement]:
    """Regular entitlements of beneficiaries who had none in the previous cycle."""
    return _regular(actor, cycle).filter(
        ~Exists(
            Entitlement.objects.filter(
                cycle=previous, kind=EntitlementKind.REGULAR, person=OuterRef("person_id")
            )
        )
    )


def diff_exited(*, actor: Actor, cycle: Cycle, previous: Cycle) -> QuerySet[Entitlement]:
    """The previous cycle's regular entitlements of beneficiaries who have none in this cycle."""
    return _regular(actor, previous).filter(
        ~Exists(
            Entitlement.objects.filter(
                cycle=cycle, kind=EntitlementKind.REGULAR, person=OuterRef("person_id")
            )
        )
    )


def diff_changed(*, actor: Actor, cycle: Cycle, previous: Cycle) -> QuerySet[Entitlement]:
    """Regular entitlements whose amount differs from the same beneficiary's in the previous cycle;
    annotated with `previous_amount` and `change`."""
    before = Subquery(
        Entitlement.objects.filter(
            cycle=previous, kind=EntitlementKind.REGULAR, person=OuterRef("person_id")
        ).values("amount")[:1]
    )
    return (
        _regular(actor, cycle)
        .annotate(previous_amount=before)
        .filter(previous_amount__isnull=False)
        .exclude(amount=F("previous_amount"))
        .annotate(change=F("amount") - F("previous_amount"))
    )


DIFFS = {"new": diff_new, "exited": diff_exited, "changed": diff_changed}


def cycle_summary(*, actor: Actor, cycle: Cycle) -> CycleSummary:
    """Counts and totals of the cycle within the actor's scope: by status, by kind, by county, and the
    difference from the previous cycle of the programme. A handful of GROUP BY queries, whatever the size."""
    qs = scoping.scope(Entitlement.objects.filter(cycle=cycle), actor, VIEW)
    by_status = {s: Figure() for s in EntitlementStatus.values}
    for row in qs.values("status").annotate(n=Count("id"), s=money_sum("amount")).order_by():
        by_status[row["status"]] = Figure(row["n"], to_money(row["s"]))
    by_kind = {k: Figure() for k in EntitlementKind.values}
    live = qs.exclude(status=EntitlementStatus.EXCLUDED)
    for row in live.values("kind").annotate(n=Count("id"), s=money_sum("amount")).order_by():
        by_kind[row["kind"]] = Figure(row["n"], to_money(row["s"]))
    due = Figure(
        sum(f.count for s, f in by_status.items() if s != EntitlementStatus.EXCLUDED),
        sum((f.total for s, f in by_status.items() if s != EntitlementStatus.EXCLUDED), Decimal("0.00")),
    )
    length = county_path_length()
    rows = list(
        live.annotate(county=Substr("org_unit__path", 1, length))
        .values("county")
        .annotate(n=Count("id"), s=money_sum("amount"))
        .order_by("county")
    )
    names = dict(OrgUnit.objects.filter(path__in=[r["county"] for r in rows]).values_list("path", "name"))
    by_county = [
        CountyFigure(r["county"], names.get(r["county"], r["county"]), r["n"], to_money(r["s"])) for r in rows
    ]
    previous = previous_cycle(cycle)
    summary = CycleSummary(
        cycle=cycle,
        previous=previous,
        by_status=by_status,
        due=due,
        excluded=by_status[EntitlementStatus.EXCLUDED],
        by_kind=by_kind,
        by_county=by_county,
    )
    if previous is not None:
        summary.new = _figure(diff_new(actor=actor, cycle=cycle, previous=previous))
        summary.exited = _figure(diff_exited(actor=actor, cycle=cycle, previous=previous))
        summary.changed = _figure(diff_changed(actor=actor, cycle=cycle, previous=previous), "change")
    return summary
