"""Reads of the Happy Family selection (幸福家庭评选): nominations and their review trail, the counts by state,
the nominations waiting at the actor's level, and the one public list of named families.

- **Scope.** A nomination is read through its household's branch (projects.view), like a beneficiary: a
  township reviewer of 甲镇 sees 甲镇's nominations and no other; a missing and a forbidden id are the same 404.
  The project is reached as any project (its branch, or an implementer), or by a reviewer who holds
  projects.select_families in its area (a county reviewer of a city's selection).
- **Public.** `happy_families_public` is what the portal shows: named families whose household head's honours
  consent (registry, `ConsentPurpose.HONOURS`) is in force today, read in the same query, so a withdrawal
  hides the family at once. It gives the family's name as the association publishes honours ("张明家庭"), the
  village, the year and the project; never an ID, an address or a phone. The counts of named families include
  those without consent: numbers only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.orgs.models import OrgUnit
from guanhuai.projects.happy_rules import FAMILIES_NAMED
from guanhuai.projects.models import Project
from guanhuai.projects.models_happy import Nomination, NominationReview
from guanhuai.projects.permissions import SELECT_FAMILIES, VIEW
from guanhuai.projects.selectors.projects import visible_projects
from guanhuai.projects.selectors.work import IMPLEMENTING, implementing_q
from guanhuai.projects.states import NominationStatus
from guanhuai.registry.selectors import consent_in_force
from guanhuai.registry.states import ConsentPurpose


def selection_project_get(*, actor: Actor, project_id: Any) -> Project:
    """A selecting project the actor may see (its branch, an implementer) or review in (select_families in its
    area); the same 404 for missing, forbidden and a project of another type."""
    rows = scoping.mark_scoped(
        Project.objects.filter(
            Q(pk__in=visible_projects(actor).values("pk")) | implementing_q(actor, perm=SELECT_FAMILIES)
        )
    ).select_related("type", "org_unit")
    try:
        project = rows.get(pk=int(project_id))
    except (Project.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。")) from None
    if FAMILIES_NAMED not in project.type.codes("outcome_indicators"):
        raise NotFound(_("未找到该记录，或您无权访问。"))
    return project


def _visible(actor: Actor | None) -> QuerySet[Nomination]:
    mine = Q() if actor is None else scoping.path_q(actor, VIEW, path_field="household__org_unit__path")
    return scoping.within(
        Nomination.objects.all(), actor, mine, no_actor="no actor: a whole project's figures"
    )


def _review_levels(actor: Actor) -> list[str] | None:
    """The levels at which the actor holds select_families (None: every level)."""
    roots = scoping.root_levels(actor, SELECT_FAMILIES)
    return None if roots is None else sorted(set(roots.values()))


def to_review_q(actor: Actor) -> Q:
    """Nominations waiting at a level where the actor reviews, in their branches, not their own."""
    levels = _review_levels(actor)
    q = Q(status=NominationStatus.UNDER_REVIEW) & scoping.path_q(
        actor, SELECT_FAMILIES, path_field="household__org_unit__path"
    )
    if levels is not None:
        q &= Q(step__in=levels)
    return q & ~Q(nominated_by_id=getattr(actor, "pk", None))


def nomination_list(
    *,
    actor: Actor,
    project: Project | None = None,
    status: str = "",
    step: str = "",
    to_review: bool = False,
    village: str = "",
) -> QuerySet[Nomination]:
    """Nominations the actor may see (of one project, or of every project), filtered by state, step, the
    village's name, or "waiting for me"; oldest first within each village."""
    qs = _visible(actor)
    if project is not None:
        qs = qs.filter(project=project)
    if status in NominationStatus.values:
        qs = qs.filter(status=status)
    if step:
        qs = qs.filter(step=step)
    if to_review:
        qs = qs.filter(to_review_q(actor))
    if village.strip():
        qs = qs.filter(household__org_unit__name__contains=village.strip())
    return (
        scoping.mark_scoped(qs)
        .select_related("project", "project__org_unit", "household", "household__org_unit", "household__head")
        .order_by("household__org_unit__path", "pk")
    )


def nomination_counts(rows: QuerySet[Nomination]) -> dict[str, int]:
    """{status: n} of the given nominations (one GROUP BY), every status present."""
    found = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    return {s: found.get(s, 0) for s in NominationStatus.values}


def nomination_get(*, actor: Actor, nomination_id: Any) -> Nomination:
    """One nomination with its review trail; the same 404 for missing and outside the actor's branches."""
    rows = (
        scoping.mark_scoped(_visible(actor))
        .select_related(
            "project",
            "project__type",
            "project__org_unit",
            "household",
            "household__org_unit",
            "household__head",
            "nominated_by",
            "revoked_by",
            "document",
        )
        .prefetch_related(
            Prefetch("reviews", queryset=NominationReview.objects.select_related("reviewer").order_by("pk"))
        )
        .annotate(consented=consent_in_force(purpose=ConsentPurpose.HONOURS, person_ref="household__head"))
    )
    try:
        return rows.get(pk=int(nomination_id))
    except (Nomination.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。")) from None


def families_named(*, actor: Actor | None, project: Project) -> int:
    """The `families_named` outcome: named nominations of the project (in the actor's branches; no actor:
    all of them, as frozen at closing). Computed, never typed."""
    return _visible(actor).filter(project=project, status=NominationStatus.NAMED).count()


def families_named_in(*, projects: QuerySet[Project], actor: Actor | None) -> int:
    """Named nominations of many projects (the province report), in one query."""
    return _visible(actor).filter(project__in=projects.values("pk"), status=NominationStatus.NAMED).count()


# --- the public list ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicFamily:
    family: str  # "张明家庭": the head's full name, published with their consent
    village: str
    year: int
    project: str
    project_code: str


@dataclass(frozen=True)
class PublicHonours:
    families: list[PublicFamily]  # consented only
    named: int  # every named family, consented or not (a number only)


PUBLIC_STATUSES = IMPLEMENTING


def happy_families_public(
    *, unit: OrgUnit, year: int | None = None, on: dt.date | None = None
) -> PublicHonours:
    """Named Happy Families living at or below `unit` (named by a project of that branch or of one above it: a
    county's site shows its families named by the city): those whose head has an honours consent in force on
    `on` (today) by name and village, the rest as a count. No actor: this is what the association publishes."""
    named = Nomination.objects.unscoped("the public honours list of a site's branch").filter(
        status=NominationStatus.NAMED,
        project__status__in=PUBLIC_STATUSES,
        household__org_unit__path__startswith=unit.path,
    )
    if year:
        named = named.filter(named_at__year=year)
    total = named.count()
    rows = (
        named.filter(household__head__isnull=False, household__head__anonymised_at__isnull=True)
        .filter(consent_in_force(purpose=ConsentPurpose.HONOURS, person_ref="household__head", on=on))
        .select_related("project", "household__org_unit", "household__head")
        .order_by("-named_at", "household__org_unit__path", "pk")
    )
    families = [
        PublicFamily(
            family=_("%(name)s家庭") % {"name": n.household.head.name if n.household.head else ""},
            village=n.household.org_unit.name,
            year=timezone.localtime(n.named_at).year if n.named_at else 0,
            project=n.project.name,
            project_code=n.project.code,
        )
        for n in rows
    ]
    return PublicHonours(families=families, named=total)
