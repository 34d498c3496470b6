"""Reads of the branch tree. Everything starts from `scoping.units`, so nothing outside the actor's scope
is listed, counted or fetched."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from guanhuai.accounts import scoping
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.orgs.permissions import VIEW_UNITS


def unit_list(
    *,
    actor: Any,
    parent_id: int | None = None,
    level: str = "",
    q: str = "",
    include_closed: bool = False,
    perm: str = VIEW_UNITS,
) -> QuerySet[OrgUnit]:
    qs = scoping.units(actor, perm)
    if not include_closed:
        qs = qs.open()
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs


def unit_get(*, actor: Any, unit_id: Any, perm: str = VIEW_UNITS) -> OrgUnit:
    return scoping.unit_or_404(actor, perm, unit_id)


def top_units(*, actor: Any) -> QuerySet[OrgUnit]:
    """The roots of what the actor sees: their assigned units (minus those nested in another)."""
    roots = scoping.root_paths(actor, VIEW_UNITS)
    if roots is None:
        return OrgUnit.objects.filter(depth=1)
    return OrgUnit.objects.filter(path__in=roots)


def breadcrumbs(*, actor: Any, unit: OrgUnit) -> list[OrgUnit]:
    """Ancestors the actor may see, root first (a township user does not see the county above)."""
    return list(scoping.units(actor, VIEW_UNITS).filter(path__in=unit.ancestor_paths()).order_by("path"))


def level_counts(*, actor: Any, unit: OrgUnit, include_closed: bool = False) -> dict[str, int]:
    """Open units per level below (and including) `unit`: one grouped query over the path range."""
    qs = scoping.units(actor, VIEW_UNITS).subtree(unit.path, include_self=False)
    if not include_closed:
        qs = qs.open()
    got = dict(qs.order_by().values_list("level").annotate(n=Count("id")))
    return {level: got.get(level, 0) for level in Level.values[unit.level_rank + 1 :]}


def children_with_counts(*, actor: Any, unit: OrgUnit, include_closed: bool = False) -> list[OrgUnit]:
    """Direct children, each with `.descendant_counts` {level: n}. Two queries whatever the size."""
    children = list(unit_list(actor=actor, parent_id=unit.pk, include_closed=include_closed).order_by("code"))
    if not children:
        return children
    width = len(children[0].path)
    qs = scoping.units(actor, VIEW_UNITS).subtree(unit.path, include_self=False).filter(depth__gt=unit.depth + 1)
    if not include_closed:
        qs = qs.open()
    rows = qs.order_by().annotate(branch=Substr("path", 1, width)).values_list("branch", "level").annotate(n=Count("id"))
    counts: dict[str, dict[str, int]] = {}
    for branch, level, n in rows:
        counts.setdefault(branch, {})[level] = n
    for child in children:
        child.descendant_counts = counts.get(child.path, {})  # type: ignore[attr-defined]
    return children


def scoped_subtree_count(*, actor: Any, unit: OrgUnit) -> int:
    return scoping.units(actor, VIEW_UNITS).subtree(unit.path).count()


def unscoped_subtree_count(*, unit: OrgUnit) -> int:
    return OrgUnit.objects.subtree(unit.path).count()
