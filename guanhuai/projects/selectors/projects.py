"""Reads of projects, scoped by projects.view: lists, one project, its money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.core.money import ZERO, money_sum, to_money
from guanhuai.funds.models import LedgerEntry
from guanhuai.funds.states import Account
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.projects.models import Project, ProjectFunding, ProjectGoodsUse, ProjectSpending, ProjectType
from guanhuai.projects.permissions import PROPOSE, VIEW
from guanhuai.projects.selectors.work import implementing_q, reviewable_q
from guanhuai.projects.states import FundingKind, GoodsUseStatus

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def _sum_of(model: Any, field: str, **match: Any) -> Coalesce:
    """A correlated SUM per project (one subquery per column, so a list adds no query per row)."""
    rows = (
        model.objects.filter(project=OuterRef("pk"), **match)
        .order_by()
        .values("project")
        .annotate(s=Sum(field))
        .values("s")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def project_list(
    *,
    actor: Actor,
    type_code: str = "",
    status: str = "",
    year: int | None = None,
    unit: Any = None,
    q: str = "",
    to_review: bool = False,
) -> QuerySet[Project]:
    """The projects of the actor's scope, newest first, with their type, branch and money columns
    (`allocated`, `spent`, `goods_used`: not reversed) in the same query. `to_review`: only proposals waiting at a step the actor may act
    at, never their own."""
    qs = visible_projects(actor)
    if to_review:
        me = getattr(actor, "pk", None)
        qs = qs.filter(reviewable_q(actor)).exclude(created_by_id=me).exclude(submitted_by_id=me)
    if type_code:
        qs = qs.filter(type__code=type_code)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(start_date__year__lte=year, end_date__year__gte=year)
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    return (
        qs.select_related("type", "org_unit")
        .annotate(
            allocated=_sum_of(ProjectFunding, "amount"),
            spent=_sum_of(ProjectSpending, "amount", disbursement__reversed=False),
            goods_used=_sum_of(ProjectGoodsUse, "amount", status=GoodsUseStatus.RECORDED),
        )
        .order_by("-start_date", "-pk")
    )


@dataclass(frozen=True)
class CityRow:
    path: str
    name: str
    projects: int
    budget: Decimal


def coverage_by_city(
    *, actor: Actor, type_code: str = "", status: str = "", year: int | None = None
) -> list[CityRow]:
    """The projects of the actor's scope (with the list's filters) counted per city, with their budgets: the
    list page's coverage table. One GROUP BY on the city's part of the branch path, and one query for the
    cities' names; a project of the province itself counts under the province."""
    qs = project_list(actor=actor, type_code=type_code, status=status, year=year)
    city = OrgUnit.objects.filter(level=Level.CITY).only("path").first()
    if city is None:
        return []
    width = len(city.path)
    rows = list(
        qs.order_by()
        .annotate(prefix=Substr("org_unit__path", 1, width))
        .values("prefix")
        .annotate(n=Count("pk"), budget=Sum("budget_total"))
        .values_list("prefix", "n", "budget")
    )
    names = dict(OrgUnit.objects.filter(path__in=[r[0] for r in rows]).values_list("path", "name"))
    return sorted(
        (CityRow(path, names.get(path, ""), n, to_money(budget)) for path, n, budget in rows),
        key=lambda r: (-r.projects, r.path),
    )


def visible_projects(actor: Actor) -> QuerySet[Project]:
    """The projects of the actor's branches (projects.view) and those the actor implements."""
    own = scoping.path_q(actor, VIEW, path_field="org_unit__path")
    return scoping.mark_scoped(Project.objects.filter(own | implementing_q(actor)))


def project_get(*, actor: Actor, project_id: Any) -> Project:
    """One project the actor may see (or implements), with its `allocated`, `spent` and `goods_used` columns
    as the list has them; missing and out of scope are the same 404."""
    rows = (
        visible_projects(actor)
        .select_related("type", "org_unit", "created_by", "submitted_by")
        .annotate(
            allocated=_sum_of(ProjectFunding, "amount"),
            spent=_sum_of(ProjectSpending, "amount", disbursement__reversed=False),
            goods_used=_sum_of(ProjectGoodsUse, "amount", status=GoodsUseStatus.RECORDED),
        )
    )
    try:
        return rows.get(pk=int(project_id))
    except (Project.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。")) from None


def unit_for_projects(*, actor: Actor, unit_id: Any) -> OrgUnit:
    """A branch where the actor may propose projects (a form's or the API's `unit_id`)."""
    return scoping.unit_or_404(actor, PROPOSE, unit_id)


def type_list(*, active_only: bool = False) -> QuerySet[ProjectType]:
    """Project types are province-wide data, readable by anyone who may view projects."""
    qs = ProjectType.objects.all()
    return qs.filter(active=True) if active_only else qs


def type_get(*, type_id: Any) -> ProjectType:
    row = ProjectType.objects.filter(pk=type_id).first()
    if row is None:
        raise NotFound(_("未找到该记录，或您无权访问。"))
    return row


@dataclass(frozen=True)
class Money:
    """A project's money: the budget it proposed, what fundings set aside for it (cash and goods in kind),
    what it spent, read from the ledger entries of its disbursements, and the goods it used (at their receipt
    value), read from the ledger entries of its in-kind distributions."""

    budget: Decimal
    allocated_cash: Decimal
    allocated_in_kind: Decimal
    spent: Decimal
    goods_used: Decimal = ZERO

    @property
    def allocated(self) -> Decimal:
        return self.allocated_cash + self.allocated_in_kind

    @property
    def remaining(self) -> Decimal:
        return self.allocated_cash - self.spent


def project_money(project: Project) -> Money:
    """Budget, allocated and spent of one project the caller already holds (read through scoping). Spent is
    read from the ledger: the disbursement entries of the project's payments, and of their reversals."""
    by_kind = {
        row["kind"]: to_money(row["s"])
        for row in ProjectFunding.objects.filter(project=project)
        .order_by()
        .values("kind")
        .annotate(s=Sum("amount"))
    }
    txns = ProjectSpending.objects.filter(project=project).values("disbursement__transaction_id")
    spent = LedgerEntry.objects.filter(
        Q(transaction_id__in=txns) | Q(transaction__reverses_id__in=txns), account=Account.DISBURSEMENTS
    ).aggregate(s=money_sum("amount"))["s"]
    goods = ProjectGoodsUse.objects.filter(project=project).values("transaction_id")
    goods_used = LedgerEntry.objects.filter(
        Q(transaction_id__in=goods) | Q(transaction__reverses_id__in=goods),
        account=Account.IN_KIND_DISTRIBUTED,
    ).aggregate(s=money_sum("amount"))["s"]
    return Money(
        budget=to_money(project.budget_total),
        goods_used=to_money(goods_used),
        allocated_cash=by_kind.get(FundingKind.CASH, ZERO),
        allocated_in_kind=by_kind.get(FundingKind.IN_KIND, ZERO),
        spent=to_money(spent),
    )
