"""Derived family facts: living children, and the special-family status (DOMAIN.md).

- `children_ever`: children by birth or legal adoption, living or not;
- `living_children`: those alive;
- `bereaved` (失独): exactly one child ever, and that child has died;
- `disabled_child` (伤残): exactly one child ever, alive, with a disability of grade 1–3.

A couple who later bore or adopted another child has `children_ever` = 2 and is neither. Everything is
computed by two set-based UPDATEs over the given parents (or all parents), never a Python loop, so
"all bereaved families in county X" is a plain indexed filter on `special_status`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from guanhuai.registry.models import ParentChild, Person
from guanhuai.registry.states import SpecialStatus


def _count(condition: Q | None = None) -> Coalesce:
    links = ParentChild.objects.filter(parent=OuterRef("pk"))
    if condition is not None:
        links = links.filter(condition)
    sub = links.order_by().values("parent").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def recompute_family_facts(parent_ids: Iterable[int] | None = None, *, batch: int = 5000) -> int:
    """Recompute the derived facts of these parents (all persons if None, in id-range batches).
    Two UPDATE statements per batch; returns the number of rows updated."""
    links = ParentChild.objects.filter(parent=OuterRef("pk"))
    dead_child = Exists(links.filter(child__died_on__isnull=False))
    disabled_child = Exists(
        links.filter(
            child__died_on__isnull=True, child__disability_grade__gte=1, child__disability_grade__lte=3
        )
    )
    status = Case(
        When(Q(children_ever=1) & dead_child, then=Value(SpecialStatus.BEREAVED.value)),
        When(Q(children_ever=1) & disabled_child, then=Value(SpecialStatus.DISABLED_CHILD.value)),
        default=Value(SpecialStatus.NONE.value),
    )

    def run(qs: QuerySet[Person]) -> int:
        # Only rows whose facts change are written: on PostgreSQL every write also rewrites the row's
        # index entries, and after a bulk load almost every row is already right.
        ever, living = _count(), _count(Q(child__died_on__isnull=True))
        n = (
            qs.annotate(_ever=ever, _living=living)
            .filter(~Q(children_ever=F("_ever")) | ~Q(living_children=F("_living")))
            .update(children_ever=ever, living_children=living)
        )
        # The status reads the counts just written, so it is a second statement over the same rows.
        qs.annotate(_status=status).filter(~Q(special_status=F("_status"))).update(special_status=status)
        return n

    if parent_ids is None:
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
    ids = sorted(set(parent_ids))
    total = 0
    for start in range(0, len(ids), batch):
        total += run(Person.objects.filter(pk__in=ids[start : start + batch]))
    return total


def parents_of(person_ids: Iterable[int]) -> list[int]:
    return list(
        ParentChild.objects.filter(child_id__in=list(person_ids))
        .values_list("parent_id", flat=True)
        .distinct()
    )
