"""Age-like and family facts as `Q`s: the cut-off dates computed in Python from `as_of`, so that the SQL
compares plain columns with constants (see the package docstring)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)

from guanhuai.registry.models import Marriage, ParentChild
from guanhuai.registry.states import Sex

# ---------------------------------------------------------------------------------------------------
# Dates


def shift(day: dt.date, *, years: int = 0, months: int = 0) -> dt.date:
    """`day` moved back by whole years/months; a day that does not exist is clamped to the month's end."""
    index = day.year * 12 + day.month - 1 - years * 12 - months
    year, month = divmod(index, 12)
    month += 1
    if year < 1:
        return dt.date.min
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------------------------------
# Age-like facts: each is defined by "at least n (years|months) old" given a cutoff birth date.


@dataclass(frozen=True)
class _Ages:
    """How an age-like fact turns into SQL: `ge(cutoff)` holds when the age is at least n, i.e. the
    relevant birth date is on or before `cutoff`; `lt(cutoff)` when it is less than n. `known` is the
    condition that the fact has a value at all (a man with a wife; a parent with a living child)."""

    ge: Callable[[dt.date, dt.date], Q]
    lt: Callable[[dt.date, dt.date], Q]
    known: Callable[[dt.date], Q]
    unit: str  # "years" | "months" | "years_at_year_end"


def _age_q(ages: _Ages, op: str, n: int, as_of: dt.date) -> Q:
    def cut(k: int) -> dt.date:
        if ages.unit == "years_at_year_end":
            return shift(_year_end(as_of), years=k)
        return shift(as_of, years=k) if ages.unit == "years" else shift(as_of, months=k)

    if op == ">=":
        return ages.ge(cut(n), as_of)
    if op == ">":
        return ages.ge(cut(n + 1), as_of)
    if op == "<":
        return ages.lt(cut(n), as_of)
    if op == "<=":
        return ages.lt(cut(n + 1), as_of)
    exactly = ages.ge(cut(n), as_of) & ages.lt(cut(n + 1), as_of)
    if op == "==":
        return exactly
    return ages.known(as_of) & ~exactly  # "!="


def _own_ge(cutoff: dt.date, as_of: dt.date) -> Q:
    return Q(birth_date__lte=cutoff)


def _own_lt(cutoff: dt.date, as_of: dt.date) -> Q:
    return Q(birth_date__gt=cutoff)


_OWN_YEARS = _Ages(ge=_own_ge, lt=_own_lt, known=lambda as_of: Q(), unit="years")
_OWN_MONTHS = _Ages(ge=_own_ge, lt=_own_lt, known=lambda as_of: Q(), unit="months")


def _year_end(as_of: dt.date) -> dt.date:
    return dt.date(as_of.year, 12, 31)


_YEAR_END = _Ages(
    ge=lambda c, as_of: Q(birth_date__lte=c),
    lt=lambda c, as_of: Q(birth_date__gt=c),
    known=lambda as_of: Q(),
    unit="years_at_year_end",
)


def _marriage_in_force(as_of: dt.date) -> Q:
    return (Q(married_on__isnull=True) | Q(married_on__lte=as_of)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
    )


def _spouse(condition: dict[str, Any], as_of: dt.date) -> Q:
    """Exists a marriage in force on `as_of` whose other party meets `condition` (field lookups on Person)."""
    current = Marriage.objects.filter(_marriage_in_force(as_of))
    as_a = current.filter(a=OuterRef("pk"), **{f"b__{k}": v for k, v in condition.items()})
    as_b = current.filter(b=OuterRef("pk"), **{f"a__{k}": v for k, v in condition.items()})
    return Q(Exists(as_a)) | Q(Exists(as_b))


def _mother(own: Q, spouse: dict[str, Any], as_of: dt.date) -> Q:
    return (Q(sex=Sex.FEMALE) & own) | (Q(sex=Sex.MALE) & _spouse(spouse, as_of))


_MOTHER_YEARS = _Ages(
    ge=lambda c, as_of: _mother(Q(birth_date__lte=c), {"birth_date__lte": c}, as_of),
    lt=lambda c, as_of: _mother(Q(birth_date__gt=c), {"birth_date__gt": c}, as_of),
    known=lambda as_of: _mother(Q(), {"pk__isnull": False}, as_of),
    unit="years",
)


def _children(as_of: dt.date, **child: Any) -> QuerySet[ParentChild]:
    """Links to this person's children born on or before `as_of` and alive on it."""
    return ParentChild.objects.filter(
        Q(child__died_on__isnull=True) | Q(child__died_on__gt=as_of),
        parent=OuterRef("pk"),
        child__birth_date__lte=as_of,
        **{f"child__{k}": v for k, v in child.items()},
    )


_YOUNGEST_MONTHS = _Ages(
    # The youngest is at least n months old ⇔ there is a child and none was born after the cutoff.
    ge=lambda c, as_of: Q(Exists(_children(as_of))) & ~Q(Exists(_children(as_of, birth_date__gt=c))),
    lt=lambda c, as_of: Q(Exists(_children(as_of, birth_date__gt=c))),
    known=lambda as_of: Q(Exists(_children(as_of))),
    unit="months",
)


def _count_q(as_of: dt.date, op: str, n: int, **child: Any) -> Q:
    if (op, n) in ((">=", 1), (">", 0), ("!=", 0)):
        return Q(Exists(_children(as_of, **child)))
    if (op, n) in (("==", 0), ("<", 1), ("<=", 0)):
        return ~Q(Exists(_children(as_of, **child)))
    sub = _children(as_of, **child).order_by().values("parent").annotate(n=Count("id")).values("n")
    count = Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))
    lookup = {
        "==": Exact,
        "<": LessThan,
        "<=": LessThanOrEqual,
        ">": GreaterThan,
        ">=": GreaterThanOrEqual,
    }.get(op)
    if lookup is None:  # "!="
        return ~Q(Exact(count, n))
    return Q(lookup(count, n))


def _alive(as_of: dt.date) -> Q:
    return Q(died_on__isnull=True) | Q(died_on__gt=as_of)
