"""Validation: the checks that need other rows or the database, set-based."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import Conflict
from guanhuai.registry.imports.common import (
    LOOKUP_CHUNK,
    RELATION_BY_TEXT,
    Quiet,
    chunks,
    hold_back_households,
    row_list,
    village_problem,
    villages,
)
from guanhuai.registry.models import ImportBatch, ImportRow, Person
from guanhuai.registry.permissions import VIEW_PERSONS
from guanhuai.registry.states import RelationToHead


def _registered(indexes: Sequence[str], *, actor: Actor) -> dict[str, str]:
    """IDs already in the registry (by blind index) → the message for that row. Inside the actor's scope
    the message names the person and village; outside it says only that the ID is taken."""
    found: dict[str, str] = {}
    outside = _("该身份证号已在您管辖范围以外的地方登记，不能重复导入。如此人已迁入本地，请提交迁入申请。")
    for chunk in chunks(indexes, LOOKUP_CHUNK):
        # across branches on purpose: an ID registered outside the actor's scope is refused, without its name
        people = (
            Person.objects.unscoped("an ID number is registered once across branches")
            .filter(id_index__in=chunk)
            .select_related("org_unit")
        )
        for p in people.only("id_index", "name", "org_unit__name", "org_unit__path"):
            key = p.id_index or ""
            if scoping.can(actor, VIEW_PERSONS, p.org_unit):
                found[key] = _("该身份证号已登记：%(name)s（%(unit)s）。") % {
                    "name": p.name,
                    "unit": p.org_unit.name,
                }
            else:
                found[key] = str(outside)
    return found


def validate_batch(batch: ImportBatch, *, progress: Any = None) -> ImportBatch:
    """Cross-row and database checks of the staged rows; writes each row's verdict and the batch counts.
    Does nothing to a batch already validated."""
    progress = progress or Quiet()
    batch.refresh_from_db()
    if batch.loaded_at is None:
        raise Conflict(_("文件尚未读入，不能校验。"), code="not_loaded")
    if batch.validated_at is not None:
        return batch
    actor = batch.actor
    rows: list[Any] = list(
        batch.rows.all()
        .order_by("row_number")
        .values_list(
            "pk", "row_number", "village_code", "relation", "id_index", "household_key", "status", "error",
            named=True,
        )
    )  # fmt: skip
    errors: dict[int, list[str]] = {r.pk: [r.error] for r in rows if r.status == ImportRow.Status.INVALID}

    def add(r: Any, message: str) -> None:
        errors.setdefault(r.pk, []).append(message)

    codes = {r.village_code for r in rows if r.village_code}
    units = villages(codes)
    problems = {c: village_problem(c, units.get(c), batch=batch, actor=actor) for c in codes}
    by_index: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r.id_index:
            by_index[r.id_index].append(r.row_number)
    registered = _registered(list(by_index), actor=actor)
    for r in rows:
        problem = problems.get(r.village_code)
        if problem:
            add(r, problem)
        if r.id_index:
            others = [n for n in by_index[r.id_index] if n != r.row_number]
            if others:
                add(r, _("身份证号与第%(rows)s行重复。") % {"rows": row_list(others)})
            if r.id_index in registered:
                add(r, registered[r.id_index])
    progress.step(len(rows) // 2, message=_("已核对村(社区)代码和身份证号"))

    groups: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        groups[r.household_key].append(r)
    for key, group in groups.items():
        heads = [r for r in group if RELATION_BY_TEXT.get(r.relation) == RelationToHead.HEAD]
        spouses = [r for r in group if RELATION_BY_TEXT.get(r.relation) == RelationToHead.SPOUSE]
        if not heads:
            for r in group:
                add(r, _("本户没有户主：请在本户第一行填写“户主”，或为同户各行填写相同的户编号。"))
        elif len(heads) > 1:
            for r in group:
                add(
                    r,
                    _("本户有%(n)d名户主（第%(rows)s行），只能有一名。")
                    % {"n": len(heads), "rows": row_list([h.row_number for h in heads])},
                )
        if len(spouses) > 1:
            for r in spouses:
                add(
                    r,
                    _("本户有%(n)d名配偶（第%(rows)s行），只能有一名。")
                    % {"n": len(spouses), "rows": row_list([s.row_number for s in spouses])},
                )
        if key.startswith("s:") and len(heads) == 1:
            head = heads[0]
            for r in group:
                if r.village_code and head.village_code and r.village_code != head.village_code:
                    add(
                        r,
                        _("村(社区)代码与本户户主（第%(row)d行）不一致；不同村的人员请分户填写。")
                        % {"row": head.row_number},
                    )
    hold_back_households(rows, errors)

    changed = []
    for r in rows:
        text = "；".join(dict.fromkeys(m for m in errors.get(r.pk, []) if m))
        if text and (r.status != ImportRow.Status.INVALID or text != r.error):
            changed.append(ImportRow(pk=r.pk, status=ImportRow.Status.INVALID, error=text))
    with transaction.atomic():
        ImportRow.objects.bulk_update(changed, ["status", "error"], batch_size=500)
        valid = batch.rows.filter(status=ImportRow.Status.PENDING).update(status=ImportRow.Status.VALID)
        batch.valid_rows, batch.invalid_rows = valid, len(rows) - valid
        batch.status, batch.validated_at = ImportBatch.Status.VALIDATED, timezone.now()
        batch.save(update_fields=["valid_rows", "invalid_rows", "status", "validated_at"])
    progress.step(len(rows) - len(rows) // 2, message=_("校验完成"))
    return batch
