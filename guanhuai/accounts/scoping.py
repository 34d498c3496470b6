"""THE place that decides what an actor may see or act on. Nothing else computes scope.

An actor's scope for a permission P is every branch at or below a unit where the actor holds an
*active* role assignment whose role grants P. Closed by default: no assignment, no rows. Superusers
(system operators, who also own the Django admin) see everything.

Everything downstream asks here:

- `units(actor, perm)`: the visible `OrgUnit` queryset (lists, dropdowns, counts);
- `scope(qs, actor, perm, unit_field=...)`: any queryset of rows that hang off a branch;
- `get_or_404(qs, actor, perm, **lookup)`: one object; missing and forbidden raise the same `NotFound`;
- `require(actor, perm, unit)` / `can(...)`: may the actor do P at this unit?
- `require_anywhere(actor, perm)`: may the actor do P anywhere at all? Else the 404 of a missing page;
- `holders(perm, unit, seen_by=...)`: the other way round, who may do P at this unit (assignee lists).

Subtrees are path ranges (see `guanhuai.orgs.paths`), so a scoped query is the unscoped query plus one
indexed range per assigned root: no recursion, no IN-list of ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.actor import Actor
from guanhuai.accounts.registry import permissions, role_permissions
from guanhuai.core.errors import NotFound, PermissionDenied
from guanhuai.core.scopes import ScopedQuerySet
from guanhuai.orgs import paths
from guanhuai.orgs.models import OrgUnit, OrgUnitQuerySet

M = TypeVar("M", bound=Model)
QS = TypeVar("QS", bound=QuerySet[Any])

_CACHE_ATTR = "_guanhuai_scope_cache"


def _is_superuser(actor: Actor) -> bool:
    return bool(getattr(actor, "is_active", False) and getattr(actor, "is_superuser", False))


def root_paths(actor: Actor, perm: str, *, on: dt.date | None = None) -> list[str] | None:
    """Minimal list of subtree roots where `actor` holds `perm`; None means "everything" (superuser)."""
    if perm not in permissions():
        raise KeyError(f"unknown permission {perm}")
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    if _is_superuser(actor):
        return None
    day = on or timezone.localdate()
    cache = actor.__dict__.setdefault(_CACHE_ATTR, {})
    if day not in cache:
        # One query per actor per request, whatever the number of permissions asked about.
        from guanhuai.accounts.models import RoleAssignment

        cache[day] = list(
            RoleAssignment.objects.active(day)
            .filter(user=actor)
            .values_list("role", "org_unit__path", "org_unit__level")
        )
    return paths.minimal_roots([p for role, p, _level in cache[day] if perm in role_permissions(role)])


def root_levels(actor: Actor, perm: str, *, on: dt.date | None = None) -> dict[str, str] | None:
    """`root_paths` with each root's level (path -> level), from the same cached read: a review queue that
    acts only at the levels where the actor holds `perm` asks here, not the tree. None: everything."""
    roots = root_paths(actor, perm, on=on)
    if roots is None:
        return None
    if not roots:
        return {}
    levels = {p: level for _role, p, level in actor.__dict__[_CACHE_ATTR][on or timezone.localdate()]}
    return {p: levels[p] for p in roots}


def forget(actor: Actor) -> None:
    """Drop the per-actor cache (after granting or revoking roles within the same request)."""
    actor.__dict__.pop(_CACHE_ATTR, None)


def clip(roots: list[str] | None, within: str) -> list[str]:
    """Intersect the actor's subtrees with the subtree at `within`, as a minimal list of roots.

    If `within` lies inside one of the actor's roots the answer is `within` itself, so a scoped subtree
    query carries exactly one range, the same one as the unscoped query."""
    if roots is None or any(within.startswith(r) for r in roots):
        return [within]
    return [r for r in roots if r.startswith(within)]


def path_q(
    actor: Actor, perm: str, *, path_field: str = "path", on: dt.date | None = None, within: str | None = None
) -> Q:
    """A Q over `path_field` that admits exactly the actor's scope for `perm` (below `within`, if given)."""
    roots = root_paths(actor, perm, on=on)
    if within is not None:
        roots = clip(roots, within)
    if roots is None:
        return Q()
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for p in roots:
        q |= Q(**{f"{path_field}__gte": p, f"{path_field}__lt": paths.upper_bound(p)})
    return q


def units(
    actor: Actor, perm: str, *, on: dt.date | None = None, within: str | None = None
) -> OrgUnitQuerySet:
    """Visible units; with `within`, only those at or below that path (one range when it is in scope)."""
    return OrgUnit.objects.filter(path_q(actor, perm, on=on, within=within))


def scope(qs: QS, actor: Actor, perm: str, *, unit_field: str = "org_unit") -> QS:
    """Restrict any queryset whose rows belong to a branch through `unit_field`. The result carries the
    scope guard's mark (`core.scopes`), so a guarded model's list built here may be read."""
    return mark_scoped(qs.filter(path_q(actor, perm, path_field=f"{unit_field}__path")))


def mark_scoped(qs: QS) -> QS:
    """For a selector that applies `path_q` itself (combined with other conditions): the query is scoped."""
    return qs.scoped() if isinstance(qs, ScopedQuerySet) else qs


def within(qs: QS, actor: Actor | None, q: Q, *, no_actor: str) -> QS:
    """`qs` narrowed by `q` (built from `path_q`) and marked scoped; with no actor, the rows whole as system
    work (the operator at the console, a figure frozen for everyone), marked with the reason `no_actor`."""
    if actor is None:
        return qs.unscoped(no_actor) if isinstance(qs, ScopedQuerySet) else qs
    return mark_scoped(qs.filter(q))


def get_or_404(qs: QuerySet[M], actor: Actor, perm: str, *, unit_field: str = "org_unit", **lookup: Any) -> M:
    try:
        return scope(qs, actor, perm, unit_field=unit_field).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。"))


def unit_or_404(actor: Actor, perm: str, unit_id: Any) -> OrgUnit:
    try:
        return units(actor, perm).get(pk=unit_id)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该组织，或您无权访问。"))


def can(actor: Actor, perm: str, unit: OrgUnit) -> bool:
    roots = root_paths(actor, perm)
    if roots is None:
        return True
    return any(unit.path.startswith(r) for r in roots)


def can_anywhere(actor: Actor, perm: str) -> bool:
    roots = root_paths(actor, perm)
    return roots is None or bool(roots)


def require_anywhere(actor: Actor, perm: str) -> None:
    """A page or list that needs `perm` somewhere: without it anywhere, the same `NotFound` as a missing
    page (a role that cannot use a part of the system does not learn it exists)."""
    if not can_anywhere(actor, perm):
        raise NotFound(_("未找到该页面，或您无权访问。"))


def require(actor: Actor, perm: str, unit: OrgUnit, *, visible_perm: str | None = None) -> None:
    """Raise unless the actor may do `perm` at `unit`.

    If the actor cannot even see the unit (under `visible_perm`, default "orgs.view_units") the error
    is NotFound, so that a forbidden unit is indistinguishable from a missing one."""
    if can(actor, perm, unit):
        return
    if not can(actor, visible_perm or "orgs.view_units", unit):
        raise NotFound(_("未找到该组织，或您无权访问。"))
    raise PermissionDenied(
        _("您在“%(unit)s”没有“%(perm)s”权限。") % {"unit": unit.name, "perm": permissions()[perm].label}
    )


def holders(perm: str, unit: OrgUnit, *, seen_by: Any = None, on: dt.date | None = None) -> QuerySet[Any]:
    """Active users who hold `perm` at `unit`: an active assignment, granting `perm`, on the unit or on one of
    its ancestors (the same rule as `can`, asked the other way round).

    With `seen_by`, only assignments on branches inside that actor's own scope for `perm` count, so a
    township officer is offered the handlers of their township and its villages, never the county's or
    the province's staff, and never a user of a sibling township. Closed by default like everything here."""
    from django.contrib.auth import get_user_model

    from guanhuai.accounts.models import RoleAssignment

    day = on or timezone.localdate()
    assignments = RoleAssignment.objects.active(day).filter(
        role__in=[str(r) for r in permissions()[perm].roles],
        org_unit__path__in=[*paths.ancestors(unit.path), unit.path],
    )
    if seen_by is not None:
        assignments = assignments.filter(path_q(seen_by, perm, path_field="org_unit__path", on=day))
    return get_user_model().objects.filter(pk__in=assignments.values("user_id"), is_active=True)
