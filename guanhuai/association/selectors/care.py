"""Reads of special-family care: which families are special, what covers each of them today, the coverage
report per branch and its gaps, visits and follow-ups. Every query starts from scoping (VIEW_CARE).

Coverage is never stored. A family's specialness is the registry's derived `special_status` of a living
member, and each coverage is an EXISTS over `CareArrangement` rows in force on the day, so the report is one
GROUP BY over the scoped households, whatever the number of families."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.db.models.lookups import LessThan
from django.utils import timezone

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.association.models import Cadre, CareArrangement, FollowUp, Visit
from guanhuai.association.permissions import VIEW, VIEW_CARE
from guanhuai.association.states import CoverageKind, FollowUpStatus
from guanhuai.core import sql
from guanhuai.orgs.models import OrgUnit
from guanhuai.orgs.paths import SEGMENT
from guanhuai.registry.models import Household, Person
from guanhuai.registry.states import SpecialStatus

SPECIAL = [SpecialStatus.BEREAVED, SpecialStatus.DISABLED_CHILD]
GAPS = ("none", *CoverageKind.values)
FAMILY_FIELDS = ("address", "org_unit__name", "org_unit__path", "org_unit__level", "head__name")


def in_force(day: dt.date) -> Q:
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def _covered(kind: str, day: dt.date) -> Max:
    """1 when the household has a coverage of this kind in force on the day, else 0. An aggregate over one
    LEFT JOIN of the household's arrangements, so the database reads the arrangements once (a hash join),
    rather than probing them per family and per kind as a correlated EXISTS would (on PostgreSQL, 300,000
    families × 3 index probes)."""
    rel = "care_arrangements__"
    covered = (
        Q((f"{rel}kind", kind))
        & Q((f"{rel}starts_on__lte", day))
        & (Q((f"{rel}ends_on__isnull", True)) | Q((f"{rel}ends_on__gte", day)))
    )
    return Max(Case(When(covered, then=Value(1)), default=Value(0), output_field=IntegerField()))


def is_special() -> Exists:
    """A household with a living member whose derived status is bereaved or disabled-child."""
    return Exists(
        Person.objects.filter(household=OuterRef("pk"), died_on__isnull=True, special_status__in=SPECIAL)
    )


def _families(
    actor: Actor, unit: OrgUnit | None, day: dt.date, flag: Callable[[str, dt.date], Any]
) -> QuerySet[Household]:
    """The special families the actor may see (within `unit` if given), with `has_liaison`, `has_doctor`
    and `has_fast_lane` each given by `flag(kind, day)`, and only the columns the lists show (a person's wide
    encrypted columns in a GROUP BY's sort spilled to disk on PostgreSQL)."""
    return (
        scoping.mark_scoped(
            Household.objects.filter(
                scoping.path_q(
                    actor, VIEW_CARE, path_field="org_unit__path", within=unit.path if unit else None
                )
            )
        )
        .filter(is_special())
        .annotate(**{f"has_{kind}": flag(kind, day) for kind in CoverageKind.values})
        .select_related("org_unit", "head")
        .only(*FAMILY_FIELDS)
        .order_by("org_unit__path", "pk")
    )


def special_households(
    *, actor: Actor, unit: OrgUnit | None = None, on: dt.date | None = None
) -> QuerySet[Household]:
    """The special families the actor may see (within `unit` if given), each annotated with the three
    coverages in force on the day: `has_liaison`, `has_doctor`, `has_fast_lane` (1 or 0, aggregates: the
    rows are grouped)."""
    return _families(actor, unit, on or timezone.localdate(), _covered)


def _in_force(kind: str, day: dt.date) -> Exists:
    """The household has a coverage of this kind in force on the day (a filter: NOT EXISTS is an anti-join)."""
    return Exists(CareArrangement.objects.filter(in_force(day), household=OuterRef("pk"), kind=kind))


def _flag(kind: str, day: dt.date) -> Coalesce:
    """The same question as a value to show, as a scalar subquery: PostgreSQL plans an EXISTS in the select
    list as a hashed subplan, reading every arrangement of the province three times (640 ms) before the first
    of 50 rows; a scalar subquery is asked of the 50 rows shown, one index probe each."""
    one = CareArrangement.objects.filter(in_force(day), household=OuterRef("pk"), kind=kind).values(
        one=Value(True)
    )[:1]
    return Coalesce(Subquery(one, output_field=BooleanField()), Value(False))


def _kinds_in_force(day: dt.date) -> Subquery:
    """How many kinds of coverage the household has in force on the day: one probe of the index per family
    (three ORed NOT EXISTS would probe it up to three times)."""
    return Subquery(
        CareArrangement.objects.filter(in_force(day), household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(kinds=Count("kind", distinct=True))
        .values("kinds"),
        output_field=IntegerField(),
    )


def coverage_gaps(
    *, actor: Actor, unit: OrgUnit | None = None, gap: str = "none", on: dt.date | None = None
) -> QuerySet[Household]:
    """Special families without the named coverage (`liaison`, `doctor`, `fast_lane`), or with none at all
    (`none`), or without all three (`any`), each with the three flags `has_liaison`, `has_doctor`,
    `has_fast_lane` (booleans).

    Neither the list nor its count groups the families: the report's grouped join took 1.1 s for the count of
    a county's 13,000 families on PostgreSQL, because every family of the area was grouped before the first
    row came back. A single gap is a NOT EXISTS (an anti-join); `any` asks how many kinds are in force, one
    index probe per family (three ORed NOT EXISTS probed up to three times). The flags are asked only of the
    rows fetched, 50 a page (docs/association.md has the measurements).
    """
    day = on or timezone.localdate()
    qs = _families(actor, unit, day, _flag)
    covered = {kind: _in_force(kind, day) for kind in CoverageKind.values}
    if gap == "none":
        return qs.filter(*(~covered[kind] for kind in CoverageKind.values))
    if gap == "any":
        return qs.filter(LessThan(Coalesce(_kinds_in_force(day), 0), len(CoverageKind.values)))
    return qs.filter(~covered[gap])


@dataclass
class CoverageRow:
    unit: OrgUnit | None
    families: int
    all_three: int
    liaison: int
    doctor: int
    fast_lane: int
    none: int

    def share(self, n: int) -> str:
        return f"{100 * n / self.families:.1f}%" if self.families else "—"

    @property
    def no_liaison(self) -> int:
        return self.families - self.liaison

    @property
    def all_three_share(self) -> str:
        return self.share(self.all_three)


def coverage_report(
    *, actor: Actor, unit: OrgUnit, on: dt.date | None = None
) -> tuple[list[CoverageRow], CoverageRow]:
    """One row per child branch of `unit` (a village: one row, itself), and the total: families, with all
    three, with each one, with none. One GROUP BY on the child's path prefix."""
    scoping.require(actor, VIEW_CARE, unit)
    width = len(unit.path) + SEGMENT
    # Each household's three flags are computed once, in the inner query; the outer one only counts them.
    # (Aggregating over the annotations directly repeats each EXISTS in every aggregate's FILTER, which
    # PostgreSQL runs as a correlated sub-plan per row and per aggregate: 3 s at 15,000 families.)
    inner = (
        special_households(actor=actor, unit=unit, on=on)
        .order_by()
        .annotate(branch=Substr("org_unit__path", 1, width))
        .values("branch", "has_liaison", "has_doctor", "has_fast_lane")
    )
    grouped = sql.group_flags(inner, key="branch", flags=["has_liaison", "has_doctor", "has_fast_lane"])
    units = {u.path: u for u in OrgUnit.objects.filter(parent=unit)}
    units[unit.path] = unit
    rows = [
        CoverageRow(
            unit=units.get(g.key),
            families=g.rows,
            all_three=g.all,
            liaison=g.each["has_liaison"],
            doctor=g.each["has_doctor"],
            fast_lane=g.each["has_fast_lane"],
            none=g.none,
        )
        for g in grouped
    ]
    total = CoverageRow(
        unit=unit,
        **{
            k: sum(getattr(r, k) for r in rows)
            for k in ("families", "all_three", "liaison", "doctor", "fast_lane", "none")
        },
    )
    return rows, total


def arrangement_list(*, actor: Actor, household: Household) -> QuerySet[CareArrangement]:
    return (
        scoping.scope(CareArrangement.objects.filter(household=household), actor, VIEW_CARE)
        .select_related("cadre")
        .order_by("kind", "-starts_on")
    )


def arrangement_get(*, actor: Actor, arrangement_id: Any) -> CareArrangement:
    return scoping.get_or_404(
        CareArrangement.objects.select_related("household", "org_unit"), actor, VIEW_CARE, pk=arrangement_id
    )


def special_household_get(*, actor: Actor, household_id: Any) -> Household:
    """One special family the actor may see; any other household (missing, outside, or not special) is the
    same 404."""
    return scoping.get_or_404(special_households(actor=actor), actor, VIEW_CARE, pk=household_id)


def visit_list(
    *, actor: Actor, unit: OrgUnit | None = None, household: Household | None = None
) -> QuerySet[Visit]:
    qs = Visit.objects.filter(
        scoping.path_q(actor, VIEW_CARE, path_field="org_unit__path", within=unit.path if unit else None)
    )
    if household is not None:
        qs = qs.filter(household=household)
    return qs.select_related("household__head", "org_unit").order_by("-visited_on", "-pk")


def visit_get(*, actor: Actor, visit_id: Any) -> Visit:
    return scoping.get_or_404(
        Visit.objects.select_related("household__head", "org_unit", "recorded_by"),
        actor,
        VIEW_CARE,
        pk=visit_id,
    )


def follow_up_get(*, actor: Actor, follow_up_id: Any) -> FollowUp:
    return scoping.get_or_404(
        FollowUp.objects.select_related("visit", "owner"), actor, VIEW_CARE, pk=follow_up_id
    )


def overdue_follow_ups(*, actor: Actor, on: dt.date | None = None) -> QuerySet[FollowUp]:
    """The actor's own open follow-ups past their date (their work queue), within what they may see."""
    day = on or timezone.localdate()
    return scoping.scope(
        FollowUp.objects.filter(owner=signed_in(actor), status=FollowUpStatus.OPEN, due_on__lt=day),
        actor,
        VIEW_CARE,
    ).order_by("due_on")


def liaison_cadres(*, actor: Actor, household: Household) -> QuerySet[Cadre]:
    """The cadres in post who may pair with a family: of its village or a branch above it, and visible to
    the actor (a liaison outside the family's scope is refused by the service too)."""
    unit = household.org_unit
    return scoping.scope(
        Cadre.objects.filter(org_unit__path__in=[*unit.ancestor_paths(), unit.path], left_on__isnull=True),
        actor,
        VIEW,
    ).order_by("org_unit__path", "name")
