"""Reads of the branch tree. Everything starts from `scoping.units`, so nothing outside the actor's scope
is listed, counted or fetched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import ValidationError
from guanhuai.orgs import paths
from guanhuai.orgs.models import LEVEL_ORDER, Level, OrgChange, OrgUnit, OrgUnitQuerySet
from guanhuai.orgs.permissions import MANAGE_UNITS, VIEW_UNITS


def unit_list(
    *,
    actor: Actor,
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


def branch_choices(*, actor: Actor, perm: str, levels: Sequence[str] = (), q: str = "") -> QuerySet[OrgUnit]:
    """The branches `actor` may choose in a form that needs `perm` there: open, at `levels` (any level if
    none), in tree order; `q` narrows by name or division code. The one home of every branch field's
    choices and of its search (orgs.forms.UnitChoiceField, orgs.views.unit_pick), so the search never
    offers a branch the form would refuse, nor the form accept one the search would hide."""
    qs = scoping.units(actor, perm).open()
    if levels:
        qs = qs.filter(level__in=list(levels))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return qs.order_by("path")


def unit_get(*, actor: Actor, unit_id: Any, perm: str = VIEW_UNITS) -> OrgUnit:
    return scoping.unit_or_404(actor, perm, unit_id)


def top_units(*, actor: Actor) -> OrgUnitQuerySet:
    """The roots of what the actor sees: their assigned units (minus those nested in another)."""
    roots = scoping.root_paths(actor, VIEW_UNITS)
    if roots is None:
        return OrgUnit.objects.filter(depth=1)
    return OrgUnit.objects.filter(path__in=roots)


def breadcrumbs(*, actor: Actor, unit: OrgUnit) -> list[OrgUnit]:
    """Ancestors the actor may see, root first (a township user does not see the county above)."""
    return list(scoping.units(actor, VIEW_UNITS).filter(path__in=unit.ancestor_paths()).order_by("path"))


def level_counts(*, actor: Actor, unit: OrgUnit, include_closed: bool = False) -> dict[str, int]:
    """Open units per level below (and including) `unit`: one grouped query over the path range."""
    qs = scoping.units(actor, VIEW_UNITS, within=unit.path).exclude(path=unit.path)
    if not include_closed:
        qs = qs.open()
    got = dict(qs.order_by().values_list("level").annotate(n=Count("id")))
    return {level: got.get(level, 0) for level in Level.values[unit.level_rank + 1 :]}


def children_with_counts(*, actor: Actor, unit: OrgUnit, include_closed: bool = False) -> list[OrgUnit]:
    """Direct children, each with `.descendant_counts` {level: n}. Two queries whatever the size."""
    children = list(unit_list(actor=actor, parent_id=unit.pk, include_closed=include_closed).order_by("code"))
    if not children:
        return children
    width = len(children[0].path)
    qs = scoping.units(actor, VIEW_UNITS, within=unit.path).filter(depth__gt=unit.depth + 1)
    if not include_closed:
        qs = qs.open()
    rows = (
        qs.order_by()
        .annotate(branch=Substr("path", 1, width))
        .values_list("branch", "level")
        .annotate(n=Count("id"))
    )
    counts: dict[str, dict[str, int]] = {}
    for branch, level, n in rows:
        counts.setdefault(branch, {})[level] = n
    for child in children:
        child.descendant_counts = counts.get(child.path, {})  # type: ignore[attr-defined]
    return children


def scoped_subtree_count(*, actor: Actor, unit: OrgUnit) -> int:
    return scoping.units(actor, VIEW_UNITS, within=unit.path).count()


def unscoped_subtree_count(*, unit: OrgUnit) -> int:
    return OrgUnit.objects.subtree(unit.path).count()


def unit_get_by_code(*, actor: Actor, code: str, perm: str = VIEW_UNITS) -> OrgUnit:
    """One unit by its division code, within the actor's scope for `perm`. A code that does not exist
    and one outside the scope give the same error. Used where a user *names* a unit in their input (a new
    parent, a merge target), so the error is a 422 about that input, not a 404 about the URL."""
    code = (code or "").strip()
    unit = scoping.units(actor, perm).filter(code=code).first() if code else None
    if unit is None:
        raise ValidationError(
            _("区划代码 %(code)s 对应的组织不存在，或您无权操作。") % {"code": code or "—"},
            code="unknown_unit",
        )
    return unit


def unit_ref(*, actor: Actor, unit_id: Any = None, code: str = "", perm: str = VIEW_UNITS) -> OrgUnit:
    """A unit named in a request body, by id or by code (422 `unknown_unit` when neither resolves)."""
    if code:
        return unit_get_by_code(actor=actor, code=code, perm=perm)
    try:
        return scoping.units(actor, perm).get(pk=unit_id)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise ValidationError(_("指定的组织不存在，或您无权操作。"), code="unknown_unit")


def public_unit(*, unit_id: Any = None, code: str = "") -> OrgUnit:
    """Any open unit, by id or division code, for input that only *names* a place outside the actor's
    scope — a migrant's residence in another county. Division codes and names are public (GB/T 2260); the
    unit's data stays scoped, since nothing is read through it."""
    qs = OrgUnit.objects.open()
    try:
        return qs.get(code=code.strip()) if code else qs.get(pk=unit_id)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise ValidationError(
            _("区划代码 %(code)s 对应的组织不存在或已撤销。") % {"code": code or unit_id}, code="unknown_unit"
        )


def unit_history(*, actor: Actor, unit: OrgUnit, limit: int = 50) -> list[OrgChange]:
    """The unit's OrgChange rows, newest first. Parents and merge targets outside the actor's scope are
    shown without their names (`.from_parent_visible` etc.), so history never leaks a sibling branch."""
    rows = list(
        OrgChange.objects.filter(unit=unit)
        .select_related("from_parent", "to_parent", "merged_into", "actor")
        .order_by("-recorded_at", "-id")[:limit]
    )
    hidden = _("辖区外组织")
    labels = {f.name: str(f.verbose_name) for f in OrgUnit._meta.get_fields() if hasattr(f, "verbose_name")}
    for row in rows:
        for name, short in (("from_parent", "from"), ("to_parent", "to"), ("merged_into", "into")):
            other = getattr(row, name)
            visible = other is not None and scoping.can(actor, VIEW_UNITS, other)
            setattr(row, f"{name}_visible", visible)
            setattr(row, f"{short}_name", other.name if visible else (hidden if other is not None else "—"))
        row.change_rows = [(labels.get(k, k), *v) for k, v in (row.changes or {}).items()]  # type: ignore[attr-defined]
    return rows


def import_targets(*, actor: Actor) -> QuerySet[OrgUnit]:
    """Units an import may be confined to: the actor's managed roots plus every managed unit down to county
    level (a province has a few hundred of those; townships and villages are chosen by code in the file)."""
    roots = scoping.root_paths(actor, MANAGE_UNITS)
    upper_levels = [Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY]
    return (
        scoping.units(actor, MANAGE_UNITS)
        .open()
        .filter(Q(level__in=upper_levels) | Q(path__in=roots or []))
        .order_by("path")
    )


def move_candidates(*, actor: Actor, unit: OrgUnit, q: str = "") -> QuerySet[OrgUnit]:
    """Open units the actor manages that could become `unit`'s new parent: a higher level than the unit,
    not the current parent, not inside the unit's own subtree. Units at the current parent's level (the
    usual case: a village moving to a neighbouring township) come first. Unsliced, so a form can validate
    any of them; the caller shows only the first page."""
    higher = [level for level in Level.values if LEVEL_ORDER[level] < unit.level_rank]
    qs = (
        scoping.units(actor, MANAGE_UNITS)
        .open()
        .filter(level__in=higher)
        .exclude(path__gte=unit.path, path__lt=paths.upper_bound(unit.path))
    )
    if unit.parent_id is not None:
        qs = qs.exclude(pk=unit.parent_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    parent_level = unit.parent.level if unit.parent is not None else ""
    return qs.annotate(
        nearest=Case(When(level=parent_level, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("nearest", "path")


def merge_candidates(*, actor: Actor, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Open siblings of the same level that the actor manages: the only valid merge targets."""
    return (
        scoping.units(actor, MANAGE_UNITS)
        .open()
        .filter(parent_id=unit.parent_id, level=unit.level)
        .exclude(pk=unit.pk)
        .order_by("code")
    )
