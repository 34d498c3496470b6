"""Set-based creation of many branches at once: the tree import, the demo province and the benchmark all
come through here. Every row is validated first; if any row is wrong nothing is written and every error is
reported with its row number. Otherwise units are inserted level by level with `bulk_create`, paths are
computed in Python, parents' `child_seq` counters are advanced in one UPDATE per parent batch, and one audit
entry covers the whole import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import DomainError, ValidationError
from guanhuai.core.validators import validate_division_code
from guanhuai.orgs import paths
from guanhuai.orgs.models import LEVEL_ORDER, Kind, Level, OrgChange, OrgUnit
from guanhuai.orgs.permissions import MANAGE_UNITS
from guanhuai.orgs.services import check_placement

LEVEL_BY_LABEL = {str(label): value for value, label in Level.choices} | {v: v for v in Level.values}
KIND_BY_LABEL = {str(label): value for value, label in Kind.choices if value} | {v: v for v in Kind.values}


@dataclass
class Row:
    line: int  # the row number the user sees (Excel row, or 1-based index)
    code: str
    name: str
    parent_code: str
    level: str
    kind: str = ""
    opened_on: dt.date | None = None


@dataclass
class RowError:
    line: int
    code: str
    message: str


@dataclass
class TreeImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    root_unit: OrgUnit | None = None


class TreeImportError(ValidationError):
    code = "tree_import_rejected"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            _("导入被拒绝：%(n)d行有错误，未写入任何数据。") % {"n": len(errors)},
            details=[{"row": e.line, "code": e.code, "message": e.message} for e in errors],
        )
        self.errors = errors


def validate_rows(
    rows: Iterable[Row], *, actor: Actor, check_scope: bool = True, root: OrgUnit | None = None
) -> tuple[list[Row], list[RowError]]:
    """`root`, when given, confines the import: every row must land at or below it."""
    rows = list(rows)
    errors: list[RowError] = []
    seen: dict[str, Row] = {}
    codes = [r.code.strip() for r in rows]
    existing: set[str] = set()
    wanted = sorted({c for c in codes if c})
    for start in range(0, len(wanted), 5000):
        existing.update(
            OrgUnit.objects.filter(code__in=wanted[start : start + 5000]).values_list("code", flat=True)
        )
    parent_codes = {r.parent_code.strip() for r in rows if r.parent_code.strip()} - set(codes)
    parents_in_db = {u.code: u for u in OrgUnit.objects.filter(code__in=parent_codes)}
    level_of: dict[str, str] = {u.code: u.level for u in parents_in_db.values()}
    good: list[Row] = []
    for r in rows:
        r.code, r.name, r.parent_code = r.code.strip(), r.name.strip(), r.parent_code.strip()
        level = LEVEL_BY_LABEL.get(r.level.strip())
        kind = KIND_BY_LABEL.get((r.kind or "").strip(), None)

        def err(msg: str, r: Row = r) -> None:
            errors.append(RowError(line=r.line, code=r.code, message=msg))

        if not r.code or not r.name or not r.level:
            err(_("区划代码、名称和级别都必须填写。"))
            continue
        if level is None:
            err(_("未知的级别“%(level)s”。") % {"level": r.level})
            continue
        if kind is None:
            err(_("未知的类型“%(kind)s”。") % {"kind": r.kind})
            continue
        r.level, r.kind = level, kind
        try:
            validate_division_code(r.code, level)
        except DomainError as exc:
            err(str(exc))
            continue
        if r.code in seen:
            err(
                _("区划代码 %(code)s 在文件中重复（第%(line)d行已出现）。")
                % {"code": r.code, "line": seen[r.code].line}
            )
            continue
        if r.code in existing:
            err(_("区划代码 %(code)s 已被使用。") % {"code": r.code})
            continue
        parent = parents_in_db.get(r.parent_code)
        if r.parent_code and r.parent_code not in seen and parent is None:
            err(
                _("上级代码 %(code)s 不存在（上级必须已在系统中，或出现在本文件的前面各行）。")
                % {"code": r.parent_code}
            )
            continue
        if not r.parent_code and level not in (Level.NATIONAL, Level.PROVINCE):
            err(_("只有全国或省级组织可以没有上级代码。"))
            continue
        parent_level = level_of.get(r.parent_code) if r.parent_code else None
        if parent_level is not None and LEVEL_ORDER[level] <= LEVEL_ORDER[parent_level]:
            err(
                _("%(child)s级组织不能隶属于%(parent)s级组织。")
                % {"child": Level(level).label, "parent": Level(parent_level).label}
            )
            continue
        if parent is not None:
            try:
                check_placement(parent=parent, level=level, kind=kind)
                if check_scope:
                    scoping.require(actor, MANAGE_UNITS, parent)
                if root is not None and not parent.path.startswith(root.path):
                    raise ValidationError(
                        _("上级代码 %(code)s 不在所选的“%(root)s”之下。")
                        % {"code": r.parent_code, "root": root.name},
                        code="outside_root",
                    )
            except DomainError as exc:
                err(str(exc))
                continue
        elif not r.parent_code and root is not None:
            err(_("导入到“%(root)s”之下时，每一行都必须填写上级代码。") % {"root": root.name})
            continue
        elif not r.parent_code and check_scope and not getattr(actor, "is_superuser", False):
            err(_("只有系统管理员可以导入顶级组织。"))
            continue
        seen[r.code] = r
        level_of[r.code] = level
        good.append(r)
    return good, errors


def tree_bulk_create(
    rows: Iterable[Row],
    *,
    actor: Actor,
    check_scope: bool = True,
    audit: bool = True,
    batch_size: int = 5000,
    on_progress: Callable[[int], None] | None = None,
    validate: bool = True,
    root: OrgUnit | None = None,
) -> TreeImportResult:
    rows = list(rows)
    if validate:
        good, errors = validate_rows(rows, actor=actor, check_scope=check_scope, root=root)
        if errors:
            raise TreeImportError(errors)
    else:
        good = rows
    # Depth-first is unnecessary: inserting parents before children, batch by batch, is enough.
    with transaction.atomic():
        by_code: dict[str, tuple[int, str]] = {}
        parent_codes = {r.parent_code for r in good if r.parent_code}
        seq: dict[int, int] = {}
        for u in OrgUnit.objects.filter(code__in=parent_codes).values("pk", "code", "path", "child_seq"):
            by_code[u["code"]] = (u["pk"], u["path"])
            seq[u["pk"]] = u["child_seq"]
        roots_last = OrgUnit.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
        root_seq = int(roots_last) if roots_last else 0
        pending = list(good)
        created = 0
        today = timezone.localdate()
        while pending:
            ready: list[Row] = []
            waiting: list[Row] = []
            for r in pending:
                (ready if not r.parent_code or r.parent_code in by_code else waiting).append(r)
            if not ready:
                raise TreeImportError(
                    [
                        RowError(
                            line=r.line,
                            code=r.code,
                            message=_("上级代码 %(code)s 不存在。") % {"code": r.parent_code},
                        )
                        for r in waiting
                    ]
                )
            for start in range(0, len(ready), batch_size):
                chunk = ready[start : start + batch_size]
                objs = []
                for r in chunk:
                    if r.parent_code:
                        parent_id, parent_path = by_code[r.parent_code]
                        seq[parent_id] = seq.get(parent_id, 0) + 1
                        path = parent_path + paths.segment(seq[parent_id])
                    else:
                        parent_id, root_seq = None, root_seq + 1
                        path = paths.segment(root_seq)
                    objs.append(
                        OrgUnit(
                            code=r.code,
                            name=r.name,
                            level=r.level,
                            kind=r.kind,
                            parent_id=parent_id,
                            path=path,
                            depth=paths.depth(path),
                            opened_on=r.opened_on,
                        )
                    )
                OrgUnit.objects.bulk_create(objs, batch_size=batch_size)
                if any(o.pk is None for o in objs):  # backends without RETURNING
                    ids = dict(
                        OrgUnit.objects.filter(code__in=[o.code for o in objs]).values_list("code", "pk")
                    )
                    for o in objs:
                        o.pk = ids[o.code]
                for o in objs:
                    by_code[o.code] = (o.pk, o.path)
                if audit:
                    OrgChange.objects.bulk_create(
                        [
                            OrgChange(
                                unit_id=o.pk,
                                kind=OrgChange.Kind.CREATED,
                                effective_on=o.opened_on or today,
                                to_parent_id=o.parent_id,
                                new_path=o.path,
                                actor=signed_in(actor) if getattr(actor, "pk", None) else None,
                            )
                            for o in objs
                        ],
                        batch_size=batch_size,
                    )
                created += len(objs)
                if on_progress:
                    on_progress(len(objs))
            pending = waiting
        _save_child_seq(seq)
        result = TreeImportResult(created=created)
        if good:
            first = OrgUnit.objects.filter(code=good[0].code).first()
            result.root_unit = first.parent if first and first.parent_id else first
            if audit and first is not None:
                log(
                    result.root_unit or first,
                    "orgs.tree.imported",
                    actor=actor,
                    org_unit=result.root_unit or first,
                    data={"created": created},
                )
    return result


def _save_child_seq(seq: dict[int, int], chunk: int = 500) -> None:
    items = sorted(seq.items())
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        OrgUnit.objects.filter(pk__in=[pk for pk, _ in part]).update(
            child_seq=Case(*[When(pk=pk, then=Value(n)) for pk, n in part], output_field=IntegerField())
        )


def rows_from_dicts(items: Iterable[dict[str, Any]]) -> list[Row]:
    return [
        Row(
            line=i,
            code=str(d.get("code", "")),
            name=str(d.get("name", "")),
            parent_code=str(d.get("parent_code") or ""),
            level=str(d.get("level", "")),
            kind=str(d.get("kind") or ""),
        )
        for i, d in enumerate(items, start=1)
    ]
