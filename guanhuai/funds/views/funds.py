"""Funds staff pages: the dashboard, a fund's page with its twelve-month chart, fund creation and the fund
statement. Donors, donations and receipts live in `donors` / `donations`; allocations,
disbursements, transfers, special rounds and period close in `spending`.

Thin, like every view here: reads through `funds.selectors`, writes through `funds.services`, a domain
error is shown in Chinese on the form (and nothing is saved: each service is one transaction), and a
fund outside the actor's scope is a 404 exactly like a missing one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanhuai.accounts import scoping
from guanhuai.core import web
from guanhuai.core.web import form_errors, form_page, post_data
from guanhuai.funds import forms, selectors, services
from guanhuai.funds.models import Fund
from guanhuai.funds.permissions import (
    CLOSE_PERIODS,
    DISBURSE,
    MANAGE_FUNDS,
    RECORD_DONATIONS,
    VIEW_FUNDS,
    VOID_RECEIPTS,
)
from guanhuai.orgs import selectors as org_selectors

PAGE_SIZE = 50
# Funds and donors belong to branches that keep accounts: not to villages.
ACCOUNTING_LEVELS = forms.ACCOUNTING_LEVELS

# Which form field a service error code belongs to, so the message is shown beside the box that caused it.
ERROR_FIELDS = {
    "amount_format": "amount",
    "amount_precision": "amount",
    "amount_not_positive": "amount",
    "amount_too_large": "amount",
    "credit_code_format": "credit_code",
    "credit_code_checksum": "credit_code",
    "duplicate_credit_code": "credit_code",
    "purpose_required": "purpose",
    "purpose_not_allowed": "purpose",
    "channel_required": "channel",
    "in_kind_details": "items",
    "period_format": "period",
    "period_not_over": "period",
    "already_closed": "period",
    "reason_required": "reason",
}


# --- helpers shared by the other views modules ---------------------------------------------------------------


def require_at(request: HttpRequest, perm: str, unit: Any) -> None:
    """The actor can see the object (it was fetched through a selector) but may not do this to it: 403,
    and the button that leads here is hidden."""
    if not scoping.can(request.user, perm, unit):
        raise Forbidden(_("您没有执行此操作的权限。"))


def get_fund(request: HttpRequest, pk: Any) -> Fund:
    return selectors.fund_get(actor=request.user, fund_id=pk)


def funds_where(request: HttpRequest, perm: str) -> list[Fund]:
    """The actor's funds on which they hold `perm` (a dropdown); funds are few per actor."""
    return list(selectors.fund_list(actor=request.user, perm=perm))


def fund_choices(request: HttpRequest, perm: str, *, exclude: Fund | None = None) -> Any:
    qs = selectors.fund_list(actor=request.user, perm=perm).order_by("org_unit__path", "name")
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


def unit_choices(request: HttpRequest, perm: str) -> Any:
    """Open branches where the actor may do `perm`, down to township level, in tree order: the choices of
    the forms' branch fields (orgs.forms.UnitChoiceField), which search with the same selector."""
    return org_selectors.branch_choices(actor=request.user, perm=perm, levels=ACCOUNTING_LEVELS)


def page_of(request: HttpRequest, qs: Any) -> Any:
    return web.page_of(request, qs, size=PAGE_SIZE)


def fund_actions(request: HttpRequest, fund: Fund) -> dict[str, bool]:
    user = request.user
    return {
        "can_record": scoping.can(user, RECORD_DONATIONS, fund.org_unit),
        "can_manage": scoping.can(user, MANAGE_FUNDS, fund.org_unit),
        "can_disburse": scoping.can(user, DISBURSE, fund.org_unit),
        "can_close": scoping.can(user, CLOSE_PERIODS, fund.org_unit),
        "can_void": scoping.can(user, VOID_RECEIPTS, fund.org_unit),
    }


# --- the chart ------------------------------------------------------------------------------------------

# Drawn at about phone width, so that 11-unit text stays readable at 375 px; it scales up on a desktop.
CHART_W, CHART_H = 400, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 4, 10, 22
TENTH = Decimal("0.1")


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value` (a readable top for the axis)."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def short_yuan(value: Decimal) -> str:
    """Axis labels in 万 and 亿, the way Chinese finance reports write them."""
    if value >= 100_000_000:
        return _("%(n)s亿") % {"n": f"{value / 100_000_000:g}"}
    if value >= 10_000:
        return _("%(n)s万") % {"n": f"{value / 10_000:g}"}
    return f"{value:g}"


def chart(series: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of a grouped bar chart (income and spending per month), computed here so that the template
    only draws rectangles: no JavaScript, nothing fetched from elsewhere."""
    top = _nice_ceiling(max([Decimal(0), *(max(r["income"], r["spending"]) for r in series)]))
    plot_w = Decimal(CHART_W - PAD_LEFT - PAD_RIGHT)
    plot_h = Decimal(CHART_H - PAD_TOP - PAD_BOTTOM)
    slot = plot_w / max(len(series), 1)
    bar = (slot * Decimal("0.36")).quantize(TENTH)
    base = Decimal(PAD_TOP) + plot_h

    def height(value: Decimal) -> Decimal:
        return (plot_h * max(value, Decimal(0)) / top).quantize(TENTH)

    months = []
    for i, row in enumerate(series):
        x = Decimal(PAD_LEFT) + slot * i + (slot - 2 * bar) / 2
        hi, hs = height(row["income"]), height(row["spending"])
        months.append(
            {
                "month": row["month"],
                "label": row["month"][5:].lstrip("0") + _("月"),
                "income": row["income"],
                "spending": row["spending"],
                "income_bar": {"x": x.quantize(TENTH), "y": base - hi, "h": hi},
                "spending_bar": {"x": (x + bar).quantize(TENTH), "y": base - hs, "h": hs},
                "label_x": (x + bar).quantize(TENTH),
            }
        )
    ticks = [
        {"y": (base - plot_h * k / 2).quantize(TENTH), "label": short_yuan(top * k / 2)} for k in range(3)
    ]
    return {
        "width": CHART_W,
        "height": CHART_H,
        "left": PAD_LEFT,
        "right": CHART_W - PAD_RIGHT,
        "base": base,
        "label_y": CHART_H - 6,
        "bar": bar,
        "months": months,
        "ticks": ticks,
        "total_income": sum((r["income"] for r in series), Decimal(0)),
        "total_spending": sum((r["spending"] for r in series), Decimal(0)),
    }


# --- pages ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW_FUNDS)
    funds = list(selectors.fund_list(actor=request.user))
    balances = selectors.balances_for(funds)
    totals = list(balances.values())
    return render(
        request,
        "funds/dashboard.html",
        {
            "rows": [{"fund": f, "balances": balances[f.pk]} for f in funds],
            "total_available": sum((b.available for b in totals), Decimal("0.00")),
            "total_allocated": sum((b.allocated for b in totals), Decimal("0.00")),
            "total_in_kind": sum((b.in_kind for b in totals), Decimal("0.00")),
            "can_create": scoping.can_anywhere(request.user, MANAGE_FUNDS),
            "can_record": scoping.can_anywhere(request.user, RECORD_DONATIONS),
        },
    )


@login_required
@require_GET
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_fund(request, pk)
    allocations = list(selectors.allocation_list(actor=request.user, fund=fund)[:50])
    remaining = selectors.allocations_remaining(allocations)
    for allocation in allocations:
        allocation.remaining = remaining[allocation.pk]  # type: ignore[attr-defined]
    series = selectors.monthly_series(fund, today=timezone.localdate())
    return render(
        request,
        "funds/fund_detail.html",
        {
            "fund": fund,
            "balances": selectors.balances(fund),
            "chart": chart(series),
            "donations": selectors.donation_list(actor=request.user, fund=fund)[:10],
            "allocations": allocations,
            "closed_periods": fund.closed_periods.all()[:12],
            **fund_actions(request, fund),
        },
    )


@login_required
def fund_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_FUNDS)
    form = forms.FundForm(
        post_data(request),
        units=unit_choices(request, MANAGE_FUNDS),
        parents=fund_choices(request, MANAGE_FUNDS),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form, ERROR_FIELDS, purposes_required="allowed_purposes", name_required="name"):
            fund = services.fund_create(
                actor=request.user,
                org_unit=d["org_unit"],
                name=d["name"],
                founded_on=d["founded_on"],
                purpose=d["purpose"],
                restricted=d["restricted"],
                allowed_purposes=list(d["allowed_purposes"]),
                parent=d["parent"],
            )
            messages.success(request, _("已设立基金“%(name)s”。") % {"name": fund.name})
            return redirect("funds:fund", fund.pk)
    return form_page(request, form, title=_("设立基金"), back=reverse("funds:dashboard"))


@login_required
@require_GET
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_fund(request, pk)
    today = timezone.localdate()
    # The current year unless asked otherwise; the boxes show the period actually reported.
    form = forms.StatementForm(
        {
            "start": request.GET.get("start") or f"{today.year}-01-01",
            "end": request.GET.get("end") or f"{today.year}-12-31",
        }
    )
    st = None
    if form.is_valid():
        st = selectors.fund_statement(fund, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
    return render(request, "funds/statement.html", {"fund": fund, "form": form, "st": st})
