"""The income outcome of a report: count, mean, median and distribution of the beneficiary households' yearly
gain, read from the gains `services.rollup` stores on each `Beneficiary` (one GROUP BY, no sort of every
household's gain). `outcomes` builds its reports with it; `snapshot` freezes it at a project's closing."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from guanhuai.core.money import to_money
from guanhuai.projects.models_outcomes import Beneficiary

# Distribution of the yearly gain: (upper bound exclusive or None, label).
GAIN_BANDS: list[tuple[Decimal | None, Any]] = [
    (Decimal("0"), _("未增收或减收")),
    (Decimal("2000"), _("2,000元以下")),
    (Decimal("5000"), _("2,000–5,000元")),
    (Decimal("10000"), _("5,000–10,000元")),
    (Decimal("20000"), _("10,000–20,000元")),
    (None, _("20,000元及以上")),
]


@dataclass(frozen=True)
class Band:
    label: Any
    households: int


@dataclass(frozen=True)
class IncomeOutcome:
    households: int  # beneficiary households in the report
    with_baseline: int
    measured: int  # baseline and at least one follow-up: the gain is known
    missing: int  # baseline and no follow-up yet: listed, never counted as zero
    mean_baseline: Decimal | None
    mean_gain: Decimal | None  # per household per year
    median_gain: Decimal | None
    distribution: list[Band] = field(default_factory=list)

    @property
    def no_baseline(self) -> int:
        return self.households - self.with_baseline


def _band_sql() -> str:
    whens = " ".join(
        f"WHEN gain < {upper} THEN {i}" for i, (upper, _label) in enumerate(GAIN_BANDS) if upper is not None
    )
    return f"CASE {whens} ELSE {len(GAIN_BANDS) - 1} END"


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


# The gains are grouped by band and by a bucket of about 100 yuan (any key that never decreases as the gain
# grows will do: SQLite truncates, PostgreSQL rounds); the groups come back in the gains' order.
_BUCKET = "CAST(gain / 100 AS BIGINT)"


@dataclass(frozen=True)
class _Group:
    band: int  # -1: no gain yet
    bucket: int | None
    households: int
    with_baseline: int
    missing: int
    sum_baseline: Any
    measured: int
    sum_gain: Any
    least: Any
    greatest: Any


def _income_groups(sql: str, params: Any) -> list[_Group]:
    band = f"CASE WHEN gain IS NULL THEN -1 ELSE {_band_sql()} END"
    figures = (
        "COUNT(*), COUNT(baseline),"
        " COALESCE(SUM(CASE WHEN baseline IS NOT NULL AND latest IS NULL THEN 1 ELSE 0 END), 0),"
        " SUM(baseline), COUNT(gain), SUM(gain), MIN(gain), MAX(gain)"
    )
    # this module's constants; every value is a parameter
    select = f"SELECT {band}, {_BUCKET}, {figures} FROM ({sql}) h GROUP BY 1, 2"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        rows = [_Group(*r) for r in cursor.fetchall()]
    return sorted(rows, key=lambda g: (g.band, g.bucket if g.bucket is not None else 0))


def _ranked(sql: str, params: Any, groups: list[_Group], ranks: list[int]) -> list[Decimal]:
    """The known gains at these places (from 1, in order): each falls in one group, whose least and
    greatest bound it; only when it is neither is it read, by one index range over that group's gains
    (both places at once when they share a group)."""
    places: list[tuple[int, int]] = []  # (index of the group, offset in it)
    for rank in ranks:
        before = 0
        for i, g in enumerate(groups):
            if g.band >= 0 and before + g.measured >= rank:
                places.append((i, rank - before - 1))
                break
            before += g.measured if g.band >= 0 else 0
    found: dict[tuple[int, int], Decimal] = {}
    to_read: dict[int, list[int]] = {}
    for i, offset in places:
        g = groups[i]
        if offset == 0 or g.least == g.greatest:
            found[(i, offset)] = _dec(g.least)
        elif offset == g.measured - 1:
            found[(i, offset)] = _dec(g.greatest)
        else:
            to_read.setdefault(i, []).append(offset)
    for i, offsets in to_read.items():  # consecutive offsets
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT gain FROM ({sql}) h WHERE gain >= %s AND gain <= %s"  # noqa: S608
                " ORDER BY gain LIMIT %s OFFSET %s",
                [*params, groups[i].least, groups[i].greatest, len(offsets), offsets[0]],
            )
            for offset, (value,) in zip(offsets, cursor.fetchall(), strict=True):
                found[(i, offset)] = _dec(value)
    return [found[place] for place in places]


def income_outcome(rows: QuerySet[Beneficiary]) -> IncomeOutcome:
    """Count, mean, median and distribution of the yearly gain over `rows` (from `beneficiaries`), in one
    GROUP BY over the households' stored gains (by band, and by a bucket of about 100 yuan): its sums are
    the totals and the band counts the distribution. The median is the middle one or two of the known
    gains: the groups' counts say which group holds each, and its least or greatest is often the answer;
    otherwise one index range over that group's few gains gives it. No sort of every household's gain."""
    annotated: Any = rows  # the gain columns are annotations (with_gain), which the type checker cannot see
    sql, params = annotated.order_by().values("pk", "baseline", "latest", "gain").query.sql_with_params()
    groups = _income_groups(sql, params)
    bands: dict[int, int] = {}
    for g in groups:
        if g.band >= 0:
            bands[g.band] = bands.get(g.band, 0) + g.households
    households = sum(g.households for g in groups)
    with_baseline = sum(g.with_baseline for g in groups)
    missing = sum(g.missing for g in groups)
    measured = sum(g.measured for g in groups)
    sum_baseline = sum((_dec(g.sum_baseline) for g in groups if g.sum_baseline is not None), Decimal(0))
    sum_gain = sum((_dec(g.sum_gain) for g in groups if g.sum_gain is not None), Decimal(0))
    middle = (
        _ranked(sql, params, groups, sorted({(measured + 1) // 2, (measured + 2) // 2})) if measured else []
    )
    return IncomeOutcome(
        households=households,
        with_baseline=with_baseline,
        measured=measured,
        missing=missing,
        mean_baseline=to_money(sum_baseline / with_baseline) if with_baseline else None,
        mean_gain=to_money(sum_gain / measured) if measured else None,
        median_gain=to_money(sum(middle) / len(middle)) if middle else None,
        distribution=[Band(label, bands.get(i, 0)) for i, (_u, label) in enumerate(GAIN_BANDS)],
    )


def missing_follow_ups(rows: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    """The households with a baseline and no follow-up (the list behind `IncomeOutcome.missing`)."""
    annotated: Any = rows  # annotations from with_gain
    return (
        annotated.filter(baseline__isnull=False, latest__isnull=True)
        .select_related("household", "household__org_unit", "project")
        .order_by("household__org_unit__path", "pk")
    )
