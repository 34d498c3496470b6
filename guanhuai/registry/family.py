"""Derived family facts: living children, and the special-family status (DOMAIN.md).

- `children_ever`: children by birth or legal adoption, living or not;
- `living_children`: those alive;
- `bereaved` (失独): exactly one child ever, and that child has died;
- `disabled_child` (伤残): exactly one child ever, alive, with a disability of grade 1–3.

A couple who later bore or adopted another child has `children_ever` = 2 and is neither. Everything is
computed set-based over the given parents (or all parents), never a Python loop, so "all bereaved
families in county X" is a plain indexed filter on `special_status`.

One GROUP BY per batch over the batch's parents and their children's links (`family_facts`), whose
HAVING keeps the persons whose stored facts differ (`changed_facts`); `core.sql.update_from` puts those in
a temporary table and writes only them (UPDATE … FROM). The earlier form, correlated COUNT subqueries per
row in SET and WHERE, took 44 s per 300,000 persons on PostgreSQL (issue 17), which runs them once per row;
then a CTE joined back to the whole table per range of 100,000 (benchmarks/README.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from guanhuai.core import sql
from guanhuai.registry.models import ParentChild, Person
from guanhuai.registry.states import SpecialStatus

# A recompute that writes more rows than this refreshes the planner's statistics of the person table
# (core.sql.analyze): the counts of special_status, which lists and eligibility filter on, have moved.
ANALYZE_ABOVE = 10_000
# Persons per id range when recomputing everyone (one range up to a million persons: each range scans
# the whole person table on PostgreSQL), and parents per `pk IN (…)` batch for a list.
RANGE_BATCH = 1_000_000
LIST_BATCH = 20_000


def family_facts(parents: QuerySet[Person]) -> QuerySet:
    """For each of these persons: (pk, children_ever, living_children, special_status), as one GROUP BY
    over their child links (a person without any gets 0, 0, none)."""
    alive = Q(child_links__child__died_on__isnull=True)
    disabled = alive & Q(
        child_links__child__disability_grade__gte=1, child_links__child__disability_grade__lte=3
    )
    return (
        parents.order_by()
        .values("pk")
        .annotate(
            _ever=Count("child_links"),
            _living=Count("child_links", filter=alive),
            _disabled=Count("child_links", filter=disabled),
        )
        .annotate(
            _status=Case(
                When(_ever=1, _living=0, then=Value(SpecialStatus.BEREAVED.value)),
                When(_ever=1, _disabled=1, then=Value(SpecialStatus.DISABLED_CHILD.value)),
                default=Value(SpecialStatus.NONE.value),
            )
        )
        .values_list("pk", "_ever", "_living", "_status")
    )


def changed_facts(parents: QuerySet[Person]) -> QuerySet:
    """`family_facts` of those of these persons whose stored facts differ from them: the comparison is a
    HAVING on the same GROUP BY, which reads each person's row once (the derived columns are NOT NULL)."""
    return family_facts(parents).exclude(
        children_ever=F("_ever"), living_children=F("_living"), special_status=F("_status")
    )


def facts_of(children: Iterable[tuple[dt.date | None, int | None]]) -> tuple[int, int, str]:
    """(children_ever, living_children, special_status) of a parent whose children are exactly these
    (died_on, disability_grade) pairs: the rule of `family_facts`, for records not yet written."""
    ever = living = disabled = 0
    for died_on, grade in children:
        ever += 1
        if died_on is None:
            living += 1
            disabled += grade is not None and 1 <= grade <= 3
    if ever == 1 and living == 0:
        return ever, living, SpecialStatus.BEREAVED.value
    if ever == 1 and disabled == 1:
        return ever, living, SpecialStatus.DISABLED_CHILD.value
    return ever, living, SpecialStatus.NONE.value


def facts_at_insert(persons: Iterable[Any], links: Iterable[tuple[Any, Any]]) -> None:
    """Set `children_ever`, `living_children` and `special_status` on these new person records (plain
    records about to be inserted, e.g. through `core.bulk.RowWriter`) from their (parent, child) record
    links. Only for a load of whole new families: every child of every one of these persons must be among
    the links (a person linked to a child already in the database needs `recompute_family_facts`). A child
    record without `died_on` or `disability_grade` is alive and not disabled."""
    children: dict[int, list[tuple[dt.date | None, int | None]]] = {}
    for parent, child in links:
        facts = (getattr(child, "died_on", None), getattr(child, "disability_grade", None))
        children.setdefault(id(parent), []).append(facts)
    for person in persons:
        ever, living, status = facts_of(children.get(id(person), ()))
        person.children_ever, person.living_children, person.special_status = ever, living, status


def recompute_family_facts(parent_ids: Iterable[int] | None = None, *, batch: int | None = None) -> int:
    """Recompute the derived facts of these parents (all persons if None, in id-range batches).
    Per batch one GROUP BY lists the persons whose stored facts differ (`changed_facts`), into a
    temporary table, and only those rows are written (`core.sql.update_from`); returns their number, 0
    when nothing changed (then nothing is written: no dead tuples, no index entries on PostgreSQL).
    PostgreSQL hash-joins each batch to the whole link and person tables (full scans: the children may be
    anywhere), so a batch costs about a scan of the table whatever its size: ranges of 1,000,000 persons
    took 3.1 s for 300,000 persons against 4.0–4.3 s in ranges of 100,000 (SQLite: 2.0 s either way;
    benchmarks/README.md). A list of ids goes 20,000 at a time, which keeps `pk IN (…)` under SQLite's
    limit of bound parameters; a batch of at most `sql.FEW_ROWS` ids (one family's parents, as the
    life-event services pass) is one UPDATE without a temporary table (`update_from(..., at_most=…)`)."""

    def run(qs: QuerySet[Person], at_most: int | None = None) -> int:
        return sql.update_from(
            Person, ["children_ever", "living_children", "special_status"], changed_facts(qs), at_most=at_most
        )

    ids = None if parent_ids is None else sorted(set(parent_ids))
    # No ANALYZE before: the plan is hash joins over whole tables, which PostgreSQL sizes from the tables'
    # pages even with stale statistics, and a bulk load refreshes its own (web/demo/households.py). It
    # cost 2 s of a 3–5 s recompute of 300,000 persons that changed nothing.
    total = _in_batches(run, ids, batch or (RANGE_BATCH if ids is None else LIST_BATCH))
    if total > ANALYZE_ABOVE:
        sql.analyze(Person)  # special_status changed in many rows
    return total


def _in_batches(run: Callable[..., int], ids: list[int] | None, batch: int) -> int:
    if ids is None:
        total, last = 0, 0
        while True:
            edge = list(
                Person.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[batch - 1 : batch]
            )
            qs = Person.objects.filter(pk__gt=last)
            if edge:
                qs = qs.filter(pk__lte=edge[0])
            total += run(qs)
            if not edge:
                return total
            last = edge[0]
    total = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        total += run(Person.objects.filter(pk__in=chunk), len(chunk))  # at most one changed row per id
    return total


def parents_of(person_ids: Iterable[int]) -> list[int]:
    return list(
        ParentChild.objects.unscoped("the parents whose family facts a death or a disability changes")
        .filter(child_id__in=list(person_ids))
        .values_list("parent_id", flat=True)
        .distinct()
    )
