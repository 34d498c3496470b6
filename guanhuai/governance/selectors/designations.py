"""Reads of demonstration villages and counties: the indicators of a branch read from the platform (never
typed in), the reviewers' queue, designations in force, re-evaluations falling due, and the report by
branch ("95 % of villages in 仁化县 are rated qualified, 12 are demonstration villages").

Designations in force are the branch group that reports slice by: `designated_units(rating=)` is that group
as a queryset of branches, public like the honour itself (the portal may list demonstration villages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.association.selectors.care import coverage_report
from guanhuai.core.errors import DomainError
from guanhuai.governance import designation_rules as rules
from guanhuai.governance.models import (
    Designation,
    DesignationApplication,
    DesignationReview,
    Meeting,
)
from guanhuai.governance.permissions import VIEW
from guanhuai.governance.selectors.documents import published_documents
from guanhuai.governance.selectors.meetings import quorum
from guanhuai.governance.states import (
    ApplicationStatus,
    DesignationStatus,
    DocumentKind,
    MeetingKind,
    MeetingStatus,
    Rating,
    ReviewDecisionKind,
)
from guanhuai.orgs.models import LEVEL_ORDER, NON_GEOGRAPHIC_KINDS, Level, OrgUnit
from guanhuai.orgs.paths import SEGMENT, upper_bound

# --- the group: designations in force ---------------------------------------------------------------------


def in_force_q(on: dt.date) -> Q:
    """In force on the day: not revoked or renewed, and within its validity period (an expired designation
    is a date past, not a state)."""
    return Q(status=DesignationStatus.IN_FORCE, valid_from__lte=on, valid_until__gte=on)


def designated_units(
    *, rating: str | None = None, on: dt.date | None = None, within: Any = None
) -> QuerySet[OrgUnit]:
    """The branches holding a designation in force on `on` (today): the group "qualified" (a demonstration
    village is also qualified) or, with `rating=demonstration`, the demonstration ones. Public: not scoped."""
    on = on or timezone.localdate()
    q = in_force_q(on)
    if rating == Rating.DEMONSTRATION:
        q &= Q(rating=Rating.DEMONSTRATION)
    ids = Designation.objects.filter(q).unscoped("public: designations are published").values("unit_id")
    qs = OrgUnit.objects.filter(pk__in=ids)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return qs.order_by("path")


# --- indicators ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorValue:
    indicator: rules.Indicator
    value: Fraction | int | None  # None: could not be read by this actor
    shown: str | Promise
    met: bool

    def as_json(self) -> dict[str, Any]:
        return {"code": self.indicator.code, "shown": str(self.shown), "met": self.met}


def _yes(value: int) -> str:
    return _("是") if value else _("否")


def _share(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def _quorate_assembly(unit: OrgUnit, on: dt.date) -> int:
    """1 when a villagers' assembly held (its date) in the 365 days up to `on` was closed with a quorum."""
    since = on - dt.timedelta(days=365)
    meetings = Meeting.objects.filter(
        unit=unit,
        kind=MeetingKind.VILLAGERS_ASSEMBLY,
        status=MeetingStatus.CLOSED,
        scheduled_at__date__gte=since,
        scheduled_at__date__lte=on,
    ).unscoped("the unit was read through scoping")
    return int(any(quorum(m).met for m in meetings))


def _villages(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The open villages and communities below `unit`: the places a rating is about (an enterprise's or a
    school's association at village level is not one)."""
    return unit.subtree().open().filter(level=Level.VILLAGE).exclude(kind__in=NON_GEOGRAPHIC_KINDS)


def indicator_values(
    *, actor: Actor, unit: OrgUnit, rating: str, on: dt.date | None = None
) -> list[IndicatorValue]:
    """Each indicator of the unit's level, read now. The care coverage is read through the association's
    coverage report with the actor's own permission; an actor who may not read it sees "—", never a guess."""
    on = on or timezone.localdate()
    out = []
    for indicator in rules.indicators_for(unit.level):
        value: Fraction | int | None
        if indicator.code == rules.FILED_CHARTER:
            value = int(
                published_documents(unit=unit)
                .filter(
                    document__unit=unit, document__kind__in=[DocumentKind.CHARTER, DocumentKind.VILLAGE_RULES]
                )
                .exists()
            )
            shown: str | Promise = _yes(value)
        elif indicator.code == rules.QUORATE_ASSEMBLY:
            value = _quorate_assembly(unit, on)
            shown = _yes(value)
        elif indicator.code == rules.CARE_COVERAGE:
            try:
                _rows, total = coverage_report(actor=actor, unit=unit, on=on)
            except DomainError:
                value, shown = None, "—"
            else:
                # A village with no special family has nobody left uncovered.
                value = Fraction(total.all_three, total.families) if total.families else Fraction(1)
                shown = f"{_share(value)}（{total.all_three}/{total.families}）"
        elif indicator.code == rules.VILLAGES_RATED:
            villages = _villages(unit).count()
            rated = designated_units(on=on, within=unit).filter(level=Level.VILLAGE).count()
            value = Fraction(rated, villages) if villages else None
            shown = f"{_share(value)}（{rated}/{villages}）"
        else:  # DEMONSTRATION_VILLAGES
            value = (
                designated_units(rating=Rating.DEMONSTRATION, on=on, within=unit)
                .filter(level=Level.VILLAGE)
                .count()
            )
            shown = str(value)
        out.append(IndicatorValue(indicator, value, shown, indicator.met(rating, value)))
    return out


def bound_shown(indicator: rules.Indicator, rating: str) -> str:
    bound = indicator.minimum.get(rating)
    if bound is None:
        return _("不要求")
    if isinstance(bound, Fraction):
        return f"≥ {_share(bound)}"
    if indicator.code in (rules.FILED_CHARTER, rules.QUORATE_ASSEMBLY):
        return _("是")
    return f"≥ {bound}"


# --- applications and designations -------------------------------------------------------------------------


def awaiting_q(actor: Actor) -> Q:
    """Applications the actor may decide now: in review at a level whose permission the actor holds on the
    applicant's branch of that level (`designation_rules.STEP_PERMISSIONS`; a township reviewer's role on
    a village below does not decide the township's part), neither applied for by the actor nor passed by
    them at an earlier level (one person decides at most one level). The review service's checks, as a
    filter: the work queue counts what the reviewer can act on, not all that is in review in their scope."""
    q = Q(pk__in=[])
    for step, perm in rules.STEP_PERMISSIONS.items():
        roots = scoping.root_levels(actor, perm)
        at_step = Q(status=ApplicationStatus.UNDER_REVIEW, step=step)
        if roots is None:
            q |= at_step
            continue
        # only roles held at the step's level or above reach the applicant's branch of that level
        level = LEVEL_ORDER[rules.STEP_LEVELS[step]]
        for path in sorted(p for p, lv in roots.items() if LEVEL_ORDER[lv] <= level):
            q |= at_step & Q(unit__path__gte=path, unit__path__lt=upper_bound(path))
    uid = getattr(actor, "pk", None)
    passed = DesignationReview.objects.filter(reviewer_id=uid, decision=ReviewDecisionKind.PASS)
    return q & ~Q(created_by_id=uid) & ~Q(pk__in=passed.values("application_id"))


def application_list(
    *, actor: Actor, status: str | None = None, perm: str = VIEW, awaiting_me: bool = False
) -> QuerySet[DesignationApplication]:
    """Applications in the actor's scope, those in review first (oldest first); `awaiting_me` keeps those
    the actor may decide now (`awaiting_q`)."""
    qs = scoping.scope(DesignationApplication.objects.all(), actor, perm, unit_field="unit")
    if status:
        qs = qs.filter(status=status)
    if awaiting_me:
        qs = qs.filter(awaiting_q(actor))
    return qs.select_related("unit", "created_by").order_by("-status", "submitted_at", "pk")


def application_get(*, actor: Actor, application_id: Any, perm: str = VIEW) -> DesignationApplication:
    return scoping.get_or_404(
        DesignationApplication.objects.select_related("unit", "created_by", "renews").prefetch_related(
            Prefetch("reviews", queryset=DesignationReview.objects.select_related("reviewer"))
        ),
        actor,
        perm,
        unit_field="unit",
        pk=application_id,
    )


def designation_list(
    *, actor: Actor, rating: str | None = None, due_by: dt.date | None = None, current: bool = True
) -> QuerySet[Designation]:
    """Designations in scope; `current` keeps those in force (not revoked, renewed or expired);
    `due_by` keeps those whose re-evaluation falls due by that day."""
    today = timezone.localdate()
    qs = scoping.scope(Designation.objects.all(), actor, VIEW, unit_field="unit")
    if current:
        qs = qs.filter(in_force_q(today))
    if rating:
        qs = qs.filter(rating=rating)
    if due_by is not None:
        qs = qs.filter(valid_until__lte=due_by + dt.timedelta(days=rules.REEVALUATION_DAYS))
    return qs.select_related("unit").order_by("valid_until", "unit__path")


def designation_get(*, actor: Actor, designation_id: Any) -> Designation:
    return scoping.get_or_404(
        Designation.objects.select_related("unit", "application", "revoked_by"),
        actor,
        VIEW,
        unit_field="unit",
        pk=designation_id,
    )


def designation_of(*, unit: OrgUnit, on: dt.date | None = None) -> Designation | None:
    """The designation in force of a branch already read through scoping."""
    on = on or timezone.localdate()
    return (
        Designation.objects.filter(in_force_q(on), unit=unit)
        .unscoped("the unit was read through scoping")
        .first()
    )


def report_root(*, actor: Actor) -> OrgUnit | None:
    """Where the report starts for this actor: the highest branch they see under `governance.view`."""
    roots = scoping.root_paths(actor, VIEW)
    qs = OrgUnit.objects.filter(depth=1) if roots is None else OrgUnit.objects.filter(path__in=roots)
    return qs.order_by("depth", "path").first()


# --- the report ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingRow:
    unit: OrgUnit
    villages: int
    qualified: int  # rated qualified or demonstration
    demonstration: int

    @property
    def share(self) -> str:
        return _share(Fraction(self.qualified, self.villages) if self.villages else None)

    @property
    def unrated(self) -> int:
        return self.villages - self.qualified


def designation_report(
    *, actor: Actor, unit: OrgUnit, on: dt.date | None = None
) -> tuple[list[RatingRow], RatingRow]:
    """One row per child branch of `unit` and the total: open villages, those rated (qualified or
    demonstration, in force on the day) and the demonstration ones. One GROUP BY on the child's path."""
    scoping.require(actor, VIEW, unit)
    on = on or timezone.localdate()
    width = len(unit.path) + SEGMENT
    grouped = (
        _villages(unit)
        .annotate(branch=Substr("path", 1, width))
        .values("branch")
        .annotate(
            villages=Count("pk"),
            qualified=Count("pk", filter=Q(pk__in=designated_units(on=on).values("pk"))),
            demonstration=Count(
                "pk", filter=Q(pk__in=designated_units(rating=Rating.DEMONSTRATION, on=on).values("pk"))
            ),
        )
        .order_by("branch")
    )
    children = {u.path: u for u in OrgUnit.objects.filter(Q(parent=unit) | Q(pk=unit.pk))}
    rows = [
        RatingRow(children.get(g["branch"], unit), g["villages"], g["qualified"], g["demonstration"])
        for g in grouped
    ]
    total = RatingRow(
        unit,
        sum(r.villages for r in rows),
        sum(r.qualified for r in rows),
        sum(r.demonstration for r in rows),
    )
    return rows, total
