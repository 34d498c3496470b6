"""Writes to the branch tree. Every change keeps history (OrgChange) and an audit entry.

Subtree rewrites (move, merge) are one UPDATE per moved subtree over its path range, whatever its size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.actions import register
from guanhuai.audit.services import diff, log
from guanhuai.core.errors import Conflict, PermissionDenied, ValidationError
from guanhuai.core.validators import validate_division_code
from guanhuai.orgs import paths
from guanhuai.orgs.models import KINDS_BY_LEVEL, LEVEL_ORDER, Kind, Level, OrgChange, OrgUnit
from guanhuai.orgs.permissions import MANAGE_UNITS

# Sent inside the merge's transaction, so that apps holding rows on the old unit (households, members…)
# re-point them atomically with the merge. Arguments: merged, into, actor.
unit_merged = Signal()


def _lock(*units: OrgUnit) -> list[OrgUnit]:
    """Lock units in a fixed order (by path) so concurrent tree edits cannot deadlock."""
    ids = sorted({u.pk for u in units})
    locked = {u.pk: u for u in OrgUnit.objects.select_for_update().filter(pk__in=ids).order_by("path")}
    return [locked[u.pk] for u in units]


def _next_child_path(parent: OrgUnit) -> str:
    """Hand out the next segment under a (locked) parent."""
    parent.child_seq += 1
    if parent.child_seq > paths.MAX_CHILDREN:
        raise Conflict(_("“%(name)s”下级组织数量已达上限。") % {"name": parent.name})
    OrgUnit.objects.filter(pk=parent.pk).update(child_seq=parent.child_seq)
    return parent.path + paths.segment(parent.child_seq)


def check_placement(*, parent: OrgUnit | None, level: str, kind: str) -> None:
    if level not in LEVEL_ORDER:
        raise ValidationError(_("未知的组织级别：%(level)s") % {"level": level}, code="unknown_level")
    if parent is None:
        if level not in (Level.NATIONAL, Level.PROVINCE):
            raise ValidationError(_("只有全国或省级组织可以没有上级。"), code="parent_required")
    else:
        if not parent.is_open:
            raise ValidationError(
                _("上级组织“%(name)s”已撤销。") % {"name": parent.name}, code="parent_closed"
            )
        if LEVEL_ORDER[level] <= parent.level_rank:
            raise ValidationError(
                _("%(child)s级组织不能隶属于%(parent)s级组织“%(name)s”。")
                % {"child": Level(level).label, "parent": parent.get_level_display(), "name": parent.name},
                code="level_order",
            )
    allowed = KINDS_BY_LEVEL.get(Level(level), {Kind.NONE})
    if kind not in allowed and not (kind == Kind.NONE and level in KINDS_BY_LEVEL):
        raise ValidationError(_("类型与级别不符。"), code="kind_level")


def check_code(*, code: str, level: str, parent: OrgUnit | None, exclude_pk: int | None = None) -> str:
    code = validate_division_code(code, level)
    clash = OrgUnit.objects.filter(code=code).exclude(pk=exclude_pk or 0).first()
    if clash:
        # The code exists somewhere; do not reveal where unless the clash is visible anyway.
        raise Conflict(_("区划代码 %(code)s 已被使用。") % {"code": code}, code="duplicate_code")
    if parent is not None and parent.level in (Level.PROVINCE, Level.CITY, Level.COUNTY):
        prefix = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6}[Level(parent.level)]
        if code[:prefix] != parent.code[:prefix]:
            raise ValidationError(
                _("区划代码 %(code)s 与上级“%(name)s”（%(pcode)s）不一致：前%(n)d位应相同。")
                % {"code": code, "name": parent.name, "pcode": parent.code, "n": prefix},
                code="code_parent_mismatch",
            )
    return code


def unit_create(
    *,
    actor: Actor,
    parent: OrgUnit | None,
    code: str,
    name: str,
    level: str,
    kind: str = "",
    opened_on: dt.date | None = None,
    audit: bool = True,
) -> OrgUnit:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("名称不能为空。"), code="name_required")
    if parent is not None:
        scoping.require(actor, MANAGE_UNITS, parent)
    elif not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("只有系统管理员可以新建顶级组织。"))
    check_placement(parent=parent, level=level, kind=kind)
    code = check_code(code=code, level=level, parent=parent)
    with transaction.atomic():
        if parent is not None:
            (parent,) = _lock(parent)
            path = _next_child_path(parent)
        else:
            last = OrgUnit.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
            path = paths.segment(int(last) + 1 if last else 1)
        unit = OrgUnit(
            code=code,
            name=name,
            level=level,
            kind=kind,
            parent=parent,
            path=path,
            depth=paths.depth(path),
            opened_on=opened_on,
        )
        unit.full_clean(exclude=["path", "depth", "child_seq"])
        unit.save()
        OrgChange.objects.create(
            unit=unit,
            kind=OrgChange.Kind.CREATED,
            effective_on=opened_on or timezone.localdate(),
            to_parent=parent,
            new_path=path,
            actor=signed_in(actor) if getattr(actor, "pk", None) else None,
        )
        if audit:
            log(unit, "orgs.unit.created", actor=actor, org_unit=unit, data={"code": code, "level": level})
    return unit


def unit_update(
    *,
    actor: Actor,
    unit: OrgUnit,
    name: str | None = None,
    code: str | None = None,
    kind: str | None = None,
    opened_on: dt.date | None = None,
) -> OrgUnit:
    scoping.require(actor, MANAGE_UNITS, unit)
    changes: dict[str, Any] = {}
    if name is not None:
        if not name.strip():
            raise ValidationError(_("名称不能为空。"), code="name_required")
        changes["name"] = name.strip()
    # Unchanged values are not re-checked: a form sends every field, and a rename must not fail on a
    # legacy code or kind that predates today's rules.
    if code is not None and code.strip() != unit.code:
        changes["code"] = check_code(code=code, level=unit.level, parent=unit.parent, exclude_pk=unit.pk)
    if kind is not None and kind != unit.kind:
        check_placement(parent=unit.parent, level=unit.level, kind=kind)
        changes["kind"] = kind
    if opened_on is not None:
        changes["opened_on"] = opened_on
    changed = diff(unit, changes)
    if not changed:
        return unit
    with transaction.atomic():
        (unit,) = _lock(unit)
        for field, (_old, new) in changed.items():
            setattr(unit, field, new)
        unit.save(update_fields=list(changed))
        OrgChange.objects.create(
            unit=unit,
            kind=OrgChange.Kind.UPDATED,
            effective_on=timezone.localdate(),
            changes={k: [str(a), str(b)] for k, (a, b) in changed.items()},
            actor=signed_in(actor),
        )
        log(unit, "orgs.unit.updated", actor=actor, org_unit=unit, changes=changed)
    return unit


def _rewrite_subtree(unit: OrgUnit, new_path: str) -> int:
    """Re-root `unit`'s subtree at `new_path`: one UPDATE over the old path range."""
    old_path = unit.path
    delta = paths.depth(new_path) - paths.depth(old_path)
    return OrgUnit.objects.subtree(old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )


def unit_move(
    *, actor: Actor, unit: OrgUnit, new_parent: OrgUnit, effective_on: dt.date | None = None, note: str = ""
) -> OrgUnit:
    """Place `unit` (with everything below it) under `new_parent`."""
    unit.refresh_from_db()
    new_parent.refresh_from_db()
    if unit.parent_id is None:
        raise ValidationError(_("顶级组织不能调整隶属关系。"), code="move_root")
    scoping.require(actor, MANAGE_UNITS, unit)
    scoping.require(actor, MANAGE_UNITS, new_parent)
    if new_parent.pk == unit.parent_id:
        raise ValidationError(
            _("“%(name)s”已隶属于“%(parent)s”。") % {"name": unit.name, "parent": new_parent.name},
            code="move_same_parent",
        )
    if new_parent.path.startswith(unit.path):
        raise ValidationError(_("不能把组织调整到它自己或它的下级之下。"), code="move_into_self")
    if not unit.is_open:
        raise ValidationError(_("“%(name)s”已撤销，不能调整。") % {"name": unit.name}, code="unit_closed")
    check_placement(parent=new_parent, level=unit.level, kind=unit.kind)
    with transaction.atomic():
        assert unit.parent is not None
        unit, new_parent, old_parent = _lock(unit, new_parent, unit.parent)
        old_path = unit.path
        new_path = _next_child_path(new_parent)
        moved = _rewrite_subtree(unit, new_path)
        OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
        unit.refresh_from_db()
        OrgChange.objects.create(
            unit=unit,
            kind=OrgChange.Kind.MOVED,
            effective_on=effective_on or timezone.localdate(),
            from_parent=old_parent,
            to_parent=new_parent,
            old_path=old_path,
            new_path=new_path,
            note=note,
            actor=signed_in(actor),
        )
        log(
            unit,
            "orgs.unit.moved",
            actor=actor,
            org_unit=unit,
            changes={"parent": [old_parent.name, new_parent.name]},
            data={"units_moved": moved, "note": note},
        )
    return unit


def unit_merge(
    *, actor: Actor, unit: OrgUnit, into: OrgUnit, effective_on: dt.date | None = None, note: str = ""
) -> OrgUnit:
    """Merge `unit` into its sibling `into`: the children of `unit` move under `into`, and `unit` is closed
    with a pointer to `into`. Apps re-point their own rows on the `unit_merged` signal, inside this
    transaction, through `rows_follow_merge` (docs/architecture.md)."""
    unit.refresh_from_db()
    into.refresh_from_db()
    scoping.require(actor, MANAGE_UNITS, unit)
    scoping.require(actor, MANAGE_UNITS, into)
    if unit.pk == into.pk:
        raise ValidationError(_("不能把组织合并到它自己。"), code="merge_self")
    if unit.parent_id != into.parent_id or unit.level != into.level:
        raise ValidationError(_("只能合并到同一上级下的同级组织。"), code="merge_not_sibling")
    if not unit.is_open or not into.is_open:
        raise ValidationError(_("已撤销的组织不能参与合并。"), code="unit_closed")
    day = effective_on or timezone.localdate()
    with transaction.atomic():
        unit, into = _lock(unit, into)
        children = list(OrgUnit.objects.filter(parent=unit).order_by("path"))
        for child in children:
            _rewrite_subtree(child, _next_child_path(into))
        OrgUnit.objects.filter(parent=unit).update(parent=into)
        unit.closed_on, unit.merged_into = day, into
        unit.save(update_fields=["closed_on", "merged_into"])
        OrgChange.objects.create(
            unit=unit,
            kind=OrgChange.Kind.MERGED,
            effective_on=day,
            merged_into=into,
            from_parent=unit.parent,
            note=note,
            actor=signed_in(actor),
        )
        log(
            unit,
            "orgs.unit.merged",
            actor=actor,
            org_unit=into,
            data={"into": into.name, "children_moved": len(children), "note": note},
        )
        # Inside the transaction: rows that follow the merge move atomically with it, or not at all.
        unit_merged.send(sender=OrgUnit, merged=unit, into=into, actor=actor)
    return unit


register({"orgs.unit.rows_followed": gettext_lazy("合并组织：记录随之迁入")})


def rows_follow_merge(
    *, actor: Actor, merged: OrgUnit, into: OrgUnit, fields: list[tuple[QuerySet[Any], str]]
) -> dict[str, int]:
    """For `unit_merged` receivers: re-point the rows of each (queryset, field) pair whose field is
    `merged` to `into`, one set-based UPDATE per pair, and one audit row per pair that moved anything (on the merged unit,
    readable in `into`'s branch, with the table, the field and the row count). Call inside the merge's
    transaction (receivers are). Returns {"app_label.model.field": rows}."""
    moved: dict[str, int] = {}
    for rows, field in fields:
        model = rows.model
        n = rows.filter(**{field: merged}).update(**{field: into})
        key = f"{model._meta.label_lower}.{field}"
        moved[key] = n
        if n:
            log(
                merged,
                "orgs.unit.rows_followed",
                actor=actor,
                org_unit=into,
                data={"table": model._meta.label_lower, "field": field, "rows": n, "into": into.code},
            )
    return moved


def org_unit_rows(*models: Any) -> list[tuple[QuerySet[Any], str]]:
    """`rows_follow_merge`'s `fields` for models whose branch is their `org_unit`: every row of each."""
    return [(model.objects.all(), "org_unit") for model in models]


def unit_close(*, actor: Actor, unit: OrgUnit, closed_on: dt.date | None = None, note: str = "") -> OrgUnit:
    scoping.require(actor, MANAGE_UNITS, unit)
    if not unit.is_open:
        raise ValidationError(_("“%(name)s”已撤销。") % {"name": unit.name}, code="unit_closed")
    if unit.subtree(include_self=False).open().exists():
        raise ValidationError(
            _("“%(name)s”仍有未撤销的下级组织，请先调整或合并。") % {"name": unit.name},
            code="has_open_children",
        )
    day = closed_on or timezone.localdate()
    with transaction.atomic():
        (unit,) = _lock(unit)
        unit.closed_on = day
        unit.full_clean(exclude=["path", "depth", "child_seq"], validate_unique=False)
        unit.save(update_fields=["closed_on"])
        OrgChange.objects.create(
            unit=unit, kind=OrgChange.Kind.CLOSED, effective_on=day, note=note, actor=signed_in(actor)
        )
        log(unit, "orgs.unit.closed", actor=actor, org_unit=unit, data={"note": note})
    return unit
