"""The public face of projects (the portal reads it): name, branch, type, dates, budget, allocated, spent and
goods used (at their receipt value; a reversed use gives nothing), activity and participant counts,
beneficiary households, mean and median gain, scores, venue kinds and cities reached. No person, no
household, no number below a project.

`project_disclosures(projects)` gives them for many projects in a fixed number of queries, whatever their
number: the fundings by kind, the ledger's disbursement entries and its goods distribution entries, the
activities grouped by (project, venue kind, city), the city names, and the income gains (one statement over a
MATERIALIZED common table expression, grouped by project, the median from a window per project, like
`outcomes.income_outcome`). A closed project gives the figures frozen at its closing (`snapshot.py`), as its
page does; its money is the ledger's.
`project_disclosure(project)` is the same for one project.

With a date range (`start`, `end`: the portal's annual report asks for one year), the figures are the
range's: spent and goods used are the ledger entries posted in it (a reversal counts in the range it is
posted in), the activities, participants, scores, venue kinds and cities those of the activities held in it,
and the beneficiary households those with an aid agreement signed or an income record dated in it. For a
closed project, what was recorded after its closing is left out, so its figures stay those it was evaluated
on, as its frozen snapshot does for the whole project. Budget and allocated stay the project's, and the
measured households and the mean and median gain stay the project's whole-life figures (a gain is measured
over years, not within one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Substr

from guanhuai.core.money import ZERO, money_sum, to_money
from guanhuai.funds.models import LedgerEntry
from guanhuai.funds.states import Account
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.projects.models import Project, ProjectFunding, ProjectGoodsUse, ProjectSpending
from guanhuai.projects.models_outcomes import Activity, AidAgreement, Beneficiary, IncomeRecord
from guanhuai.projects.selectors.income import _dec
from guanhuai.projects.selectors.outcomes import (
    _city_prefix_length,
    _figures,
    _row,
    _venue_labels,
    with_gain,
)
from guanhuai.projects.selectors.snapshot import report_from_snapshot
from guanhuai.projects.states import FundingKind


@dataclass(frozen=True)
class Disclosure:
    """What the portal may publish of a project: no person, no household, no number below a project."""

    code: str
    name: str
    type_name: str
    branch: str
    status: str
    start_date: Any
    end_date: Any
    budget: Decimal
    allocated: Decimal
    spent: Decimal
    goods_used: Decimal  # goods in kind used, at their receipt value; beside spent, never in it
    activities: int
    participants: int
    beneficiary_households: int
    households_measured: int
    mean_gain: Decimal | None
    median_gain: Decimal | None
    knowledge_pre: Decimal | None
    knowledge_post: Decimal | None
    venue_kinds: list[str]
    cities: list[str]


@dataclass(frozen=True)
class _Income:
    households: int = 0
    measured: int = 0
    mean_gain: Decimal | None = None
    median_gain: Decimal | None = None


def _allocated(ids: list[int]) -> dict[int, Decimal]:
    rows = (
        ProjectFunding.objects.filter(project_id__in=ids, kind__in=(FundingKind.CASH, FundingKind.IN_KIND))
        .order_by()
        .values("project_id")
        .annotate(s=money_sum("amount"))
    )
    return {r["project_id"]: to_money(r["s"]) for r in rows}


def _dated(field: str, start: dt.date | None, end: dt.date | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": start})
    if end is not None:
        q &= Q(**{f"{field}__lte": end})
    return q


def _before_closing(created: str, project: str) -> Q:
    """Recorded while the project ran (or it still runs): a closed project's figures are those it was
    evaluated on."""
    return Q(**{f"{project}__closed_at__isnull": True}) | Q(**{f"{created}__lte": F(f"{project}__closed_at")})


def _posted(model: Any, txn: str, account: str, ids: list[int], start: Any, end: Any) -> dict[int, Decimal]:
    """The ledger's `account` entries of the projects' records (payments or goods uses, `model` holding
    the transaction at `txn`) and of their reversals, by project, posted in the range (one query: each entry
    finds its record through its transaction, or the transaction it reverses)."""
    txns = model.objects.filter(project_id__in=ids).values(txn)
    record = model.objects.filter(**{txn: OuterRef("paid_txn")}).values("project_id")[:1]
    rows = (
        LedgerEntry.objects.filter(
            Q(transaction_id__in=txns) | Q(transaction__reverses_id__in=txns),
            _dated("posted_on", start, end),
            account=account,
        )
        .annotate(paid_txn=Coalesce("transaction__reverses_id", "transaction_id"))
        .annotate(pid=Subquery(record, output_field=IntegerField()))
        .order_by()
        .values("pid")
        .annotate(s=money_sum("amount"))
    )
    return {r["pid"]: to_money(r["s"]) for r in rows}


def _spent(ids: list[int], start: Any = None, end: Any = None) -> dict[int, Decimal]:
    return _posted(ProjectSpending, "disbursement__transaction_id", Account.DISBURSEMENTS, ids, start, end)


def _goods_used(ids: list[int], start: Any = None, end: Any = None) -> dict[int, Decimal]:
    return _posted(ProjectGoodsUse, "transaction_id", Account.IN_KIND_DISTRIBUTED, ids, start, end)


# Counts over whole projects that the caller (the portal) chose to publish: no family is named.
WHOLE_PROJECTS = "a published project's figures, counted whole"


def _households_in(ids: list[int], start: Any, end: Any) -> dict[int, int]:
    """Per project, the households with an aid agreement signed or an income record dated in the range (an
    income record entered after the project closed left out): one query."""
    agreed = AidAgreement.objects.filter(_dated("signed_on", start, end)).values("beneficiary_id")
    surveyed = IncomeRecord.objects.filter(
        _dated("recorded_on", start, end), _before_closing("created_at", "beneficiary__project")
    ).values("beneficiary_id")
    rows = (
        Beneficiary.objects.unscoped(WHOLE_PROJECTS)
        .filter(project_id__in=ids)
        .filter(Q(pk__in=agreed) | Q(pk__in=surveyed))
        .order_by()
        .values("project_id")
        .annotate(n=Count("pk"))
    )
    return {r["project_id"]: r["n"] for r in rows}


def _activity_groups(ids: list[int], start: Any = None, end: Any = None) -> list[dict[str, Any]]:
    length = _city_prefix_length()
    city = Substr("venue_unit__path", 1, length) if length else Value("")
    rows = Activity.objects.unscoped(WHOLE_PROJECTS).filter(project_id__in=ids)
    if start is not None or end is not None:
        rows = rows.filter(_dated("held_on", start, end), _before_closing("created_at", "project"))
    return list(
        rows.annotate(city=city).order_by().values("project_id", "venue_kind", "city").annotate(**_figures())
    )


_SQL = """
WITH h AS MATERIALIZED ({rows}),
t AS (
  SELECT project_id, gain,
    ROW_NUMBER() OVER (PARTITION BY project_id, gain IS NULL ORDER BY gain) AS gain_rank,
    COUNT(gain) OVER (PARTITION BY project_id) AS measured
  FROM h
)
SELECT project_id, COUNT(*), COUNT(gain), SUM(gain),
  SUM(CASE WHEN {middle} THEN 1 ELSE 0 END),
  MIN(CASE WHEN {middle} THEN gain END), MAX(CASE WHEN {middle} THEN gain END)
FROM t GROUP BY project_id
"""
_MIDDLE = "gain IS NOT NULL AND gain_rank IN ((measured + 1) / 2, (measured + 2) / 2)"


def _income(ids: list[int]) -> dict[int, _Income]:
    """Households, measured, mean and median gain per project, in one statement."""
    rows: Any = with_gain(Beneficiary.objects.filter(project_id__in=ids))
    sql, params = rows.order_by().values("pk", "project_id", "gain").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_SQL.format(rows=sql, middle=_MIDDLE), params)  # constants and parameters only
        found = cursor.fetchall()
    out = {}
    for pid, households, measured, sum_gain, n_middle, least, greatest in found:
        middle = [] if not n_middle else [_dec(least)] if n_middle == 1 else [_dec(least), _dec(greatest)]
        out[pid] = _Income(
            households=households,
            measured=measured,
            mean_gain=to_money(_dec(sum_gain) / measured) if measured else None,
            median_gain=to_money(sum(middle) / len(middle)) if middle else None,
        )
    return out


def _summed(groups: list[dict[str, Any]]) -> dict[str, Any]:
    acc: dict[str, Any] = {"n": 0, "people": 0, "answered": 0, "pre_w": None, "post_w": None}
    for g in groups:
        for k in acc:
            if g[k] is not None:
                acc[k] = (acc[k] or 0) + (_dec(g[k]) if k.endswith("_w") else g[k])
    return acc


def project_disclosures(
    projects: Iterable[Project], *, start: dt.date | None = None, end: dt.date | None = None
) -> list[Disclosure]:
    """The public face of each project, in the order given (select `type` and `org_unit` with them); with
    `start` and/or `end`, the figures of that range (see the module)."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    if not ids:
        return []
    ranged = start is not None or end is not None
    allocated, spent, goods = _allocated(ids), _spent(ids, start, end), _goods_used(ids, start, end)
    # With a range every project's activities are counted from the records (a closed one's up to its
    # closing); without, a closed project gives its snapshot.
    live = ids if ranged else [p.pk for p in projects if not p.outcome_snapshot]
    groups = _activity_groups(live, start, end) if live else []
    running = [p.pk for p in projects if not p.outcome_snapshot]
    income = _income(running) if running else {}
    households = _households_in(ids, start, end) if ranged else None
    city_names = dict(
        OrgUnit.objects.filter(level=Level.CITY, path__in={g["city"] for g in groups}).values_list(
            "path", "name"
        )
    )
    by_project: dict[int, list[dict[str, Any]]] = {}
    for g in groups:
        by_project.setdefault(g["project_id"], []).append(g)
    out = []
    for p in projects:
        report = report_from_snapshot(p, p.outcome_snapshot) if p.outcome_snapshot else None
        if report is not None:
            i = report.income
            figures = _Income(i.households, i.measured, i.mean_gain, i.median_gain)
        else:
            figures = income.get(p.pk, _Income())
        if report is not None and not ranged:
            total, venues, cities = report.total, report.coverage.venue_labels, report.coverage.city_names
        else:
            mine = by_project.get(p.pk, [])
            total = _row(None, "", _summed(mine))
            order = list(_venue_labels(p.type).items())
            reached = {g["venue_kind"] for g in mine}
            venues = [label for code, label in order if code in reached]
            venues += sorted(k for k in reached if k not in dict(order))
            cities = [city_names[c] for c in sorted({g["city"] for g in mine}) if c in city_names]
        out.append(
            Disclosure(
                code=p.code,
                name=p.name,
                type_name=p.type.name,
                branch=p.org_unit.name,
                status=p.get_status_display(),
                start_date=p.start_date,
                end_date=p.end_date,
                budget=to_money(p.budget_total),
                allocated=allocated.get(p.pk, ZERO),
                spent=spent.get(p.pk, ZERO),
                goods_used=goods.get(p.pk, ZERO),
                activities=total.activities,
                participants=total.participants,
                beneficiary_households=figures.households if households is None else households.get(p.pk, 0),
                households_measured=figures.measured,
                mean_gain=figures.mean_gain,
                median_gain=figures.median_gain,
                knowledge_pre=total.knowledge_pre,
                knowledge_post=total.knowledge_post,
                venue_kinds=venues,
                cities=cities,
            )
        )
    return out


def project_disclosure(
    project: Project, *, start: dt.date | None = None, end: dt.date | None = None
) -> Disclosure:
    """The public face of one project (the portal reads it; the caller chose which projects are public)."""
    return project_disclosures([project], start=start, end=end)[0]
