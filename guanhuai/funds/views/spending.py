"""Money going out: allocations (budgets), disbursements from them, transfers between funds, special
rounds for a list of families, and period close. A fund manager decides (MANAGE_FUNDS); a finance
officer records payments (DISBURSE) and closes months (CLOSE_PERIODS)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.errors import ValidationError
from guanhuai.core.money import parse_amount, yuan
from guanhuai.core.web import form_action, form_errors, form_page, message_errors, post_data, refusal
from guanhuai.funds import forms, selectors, services
from guanhuai.funds.models import Allocation
from guanhuai.funds.permissions import CLOSE_PERIODS, DISBURSE, MANAGE_FUNDS
from guanhuai.funds.states import AllocationStatus
from guanhuai.funds.views.funds import (
    ERROR_FIELDS,
    fund_choices,
    get_fund,
    require_at,
)
from guanhuai.orgs import selectors as org_selectors
from guanhuai.registry import selectors as registry_selectors
from guanhuai.registry.permissions import VIEW_PERSONS
from guanhuai.registry.states import RelationToHead

ID_ERRORS = {
    "id_number_format": "id_number",
    "id_number_date": "id_number",
    "id_number_checksum": "id_number",
    "person_not_found": "id_number",
    "beneficiary_not_eligible": "id_number",
    "payee_required": "payee",
    "date_in_future": "paid_on",
}
# A special round has one amount per family: the amount errors belong beside that box.
ROUND_ERROR_FIELDS = {**ERROR_FIELDS, **{c: "amount_each" for c, f in ERROR_FIELDS.items() if f == "amount"}}
ROUND_PREVIEW_ROWS = 20


def get_allocation(request: HttpRequest, pk: int) -> Allocation:
    allocation = selectors.allocation_list(actor=request.user).filter(pk=pk).first()
    if allocation is None:
        raise Http404(_("未找到该记录，或您无权访问。"))
    return allocation


def _person_by_id(request: HttpRequest, number: str) -> Any:
    """A person the actor may see, named by their ID. Absent and out of scope read the same."""
    person = registry_selectors.person_by_id_number(actor=request.user, id_number=number)
    if person is None:
        raise ValidationError(
            _("在您的管辖范围内没有找到身份证号为 %(id)s 的人员。") % {"id": number}, code="person_not_found"
        )
    return person


# --- allocations and disbursements ------------------------------------------------------------------------


@login_required
def allocation_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_fund(request, pk)
    require_at(request, MANAGE_FUNDS, fund.org_unit)
    form = forms.AllocationForm(post_data(request))
    if fund.restricted and not form.is_bound:
        form.fields["purpose"].queryset = fund.allowed_purposes.all()  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form, ERROR_FIELDS, name_required="name", target_kind="target_kind"):
            allocation, _created = services.allocation_create(
                actor=request.user,
                fund=fund,
                purpose=d["purpose"],
                target_kind=d["target_kind"],
                target_ref=d["target_ref"],
                name=d["name"],
                amount=d["amount"],
                posted_on=d["posted_on"],
                idempotency_key=f"allocation-form:{request.user.pk}:{d['idempotency_key']}",
            )
            messages.success(
                request, _("已分配 %(a)s 给“%(n)s”。") % {"a": yuan(allocation.amount), "n": allocation.name}
            )
            return redirect("funds:allocation", allocation.pk)
    return form_page(
        request, form, title=_("分配资金"), subtitle=fund.name, back=reverse("funds:fund", args=[fund.pk])
    )


@login_required
@require_GET
def allocation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = get_allocation(request, pk)
    unit = allocation.fund.org_unit
    active = allocation.status == AllocationStatus.ACTIVE
    return render(
        request,
        "funds/allocation_detail.html",
        {
            "allocation": allocation,
            "remaining": selectors.allocations_remaining([allocation])[allocation.pk],
            "disbursements": selectors.disbursement_list(actor=request.user, allocation=allocation)[:200],
            "can_disburse": active and scoping.can(request.user, DISBURSE, unit),
            "can_close": active and scoping.can(request.user, MANAGE_FUNDS, unit),
        },
    )


@login_required
@require_POST
def allocation_close(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = get_allocation(request, pk)
    require_at(request, MANAGE_FUNDS, allocation.fund.org_unit)
    with message_errors(request):
        services.allocation_close(actor=request.user, allocation=allocation)
        messages.success(request, _("“%(n)s”已结束，余额已退回基金。") % {"n": allocation.name})
    return redirect("funds:allocation", allocation.pk)


@login_required
def disbursement_create(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = get_allocation(request, pk)
    require_at(request, DISBURSE, allocation.fund.org_unit)
    form = forms.DisbursementForm(post_data(request))

    def record(d: dict[str, Any]) -> Any:
        return services.disbursement_record(
            actor=request.user,
            allocation=allocation,
            amount=d["amount"],
            paid_on=d["paid_on"],
            person=_person_by_id(request, d["id_number"]) if d["id_number"] else None,
            payee=d["payee"],
            idempotency_key=f"disbursement-form:{request.user.pk}:{d['idempotency_key']}",
        )

    return form_action(
        request,
        form,
        record,
        errors={**ERROR_FIELDS, **ID_ERRORS},
        success=lambda d: _("已登记支出 %(a)s。") % {"a": yuan(parse_amount(d["amount"]))},
        title=_("登记支出"),
        subtitle=allocation.name,
        back=reverse("funds:allocation", args=[allocation.pk]),
    )


# --- transfers, rounds, period close ---------------------------------------------------------------------


@login_required
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_fund(request, pk)
    require_at(request, MANAGE_FUNDS, fund.org_unit)
    form = forms.TransferForm(post_data(request), funds=fund_choices(request, MANAGE_FUNDS, exclude=fund))
    return form_action(
        request,
        form,
        lambda d: services.transfer_record(
            actor=request.user,
            from_fund=fund,
            to_fund=d["to_fund"],
            amount=d["amount"],
            posted_on=d["posted_on"],
            note=d["note"],
            idempotency_key=f"transfer-form:{request.user.pk}:{d['idempotency_key']}",
        ),
        errors={**ERROR_FIELDS, "restricted_transfer": "to_fund", "same_fund": "to_fund"},
        success=lambda d: _("已从“%(a)s”转入“%(b)s”。") % {"a": fund.name, "b": d["to_fund"].name},
        title=_("基金间转账"),
        subtitle=fund.name,
        back=reverse("funds:fund", args=[fund.pk]),
    )


def _round_persons(request: HttpRequest, form: forms.RoundForm) -> list[Any] | None:
    """The families of a round: pasted ID numbers (each line checked, every bad line reported), or every
    household head of the chosen status in a branch. None when the list has errors (shown on the form)."""
    d = form.cleaned_data
    if d["source"] == forms.RoundForm.BY_IDS:
        lines = form.id_lines()
        if not lines:
            form.add_error("id_numbers", _("请粘贴至少一个身份证号。"))
            return None
        persons, errors = [], []
        for n, number in lines:
            with refusal() as refused:
                persons.append(_person_by_id(request, number))
            if refused.error is not None:
                errors.append(_("第%(n)d行：%(e)s") % {"n": n, "e": refused.message})
        for error in errors[:20]:
            form.add_error("id_numbers", error)
        if len(errors) > 20:
            form.add_error("id_numbers", _("……另有 %(n)d 行有误。") % {"n": len(errors) - 20})
        return None if errors else persons
    with form_errors(form, default="unit_code") as refused:
        unit = org_selectors.unit_get_by_code(actor=request.user, code=d["unit_code"], perm=VIEW_PERSONS)
    if refused.error is not None:
        return None
    filters = registry_selectors.PersonFilters(unit=unit, special_status=d["special_status"])
    # One person per family: the household head (the couple is one family, paid once).
    persons = list(
        registry_selectors.person_list(actor=request.user, filters=filters).filter(
            relation_to_head=RelationToHead.HEAD
        )
    )
    if not persons:
        form.add_error("unit_code", _("“%(u)s”辖区内没有符合条件的家庭。") % {"u": unit.name})
        return None
    return persons


@login_required
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps on one page: 预览 shows how many families and the total; 确认发放 creates the round with
    the key generated when the page was first rendered, so a double click pays once."""
    fund = get_fund(request, pk)
    require_at(request, MANAGE_FUNDS, fund.org_unit)
    form = forms.RoundForm(post_data(request), partners=selectors.donor_choices(actor=request.user))
    if fund.restricted and not form.is_bound:
        form.fields["purpose"].queryset = fund.allowed_purposes.all()  # type: ignore[attr-defined]
    preview = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        persons = _round_persons(request, form)
        if persons is not None:
            with form_errors(
                form,
                ROUND_ERROR_FIELDS,
                empty_list="id_numbers",
                duplicate_family="id_numbers",
                beneficiary_not_eligible="id_numbers",
                date_in_future="paid_on",
            ):
                each = parse_amount(d["amount_each"], field=_("每户金额"))
                if request.POST.get("action") == "create":
                    rnd, _created = services.special_round_create(
                        actor=request.user,
                        fund=fund,
                        name=d["name"],
                        purpose=d["purpose"],
                        amount_each=each,
                        persons=persons,
                        paid_on=d["paid_on"],
                        idempotency_key=f"round-form:{request.user.pk}:{d['idempotency_key']}",
                        partner=d["partner"],
                    )
                    messages.success(
                        request,
                        _("已创建专项发放“%(n)s”：%(c)d户，合计 %(t)s。")
                        % {"n": rnd.name, "c": len(persons), "t": yuan(each * len(persons))},
                    )
                    return redirect("funds:allocation", rnd.allocation_id)
                preview = {
                    "count": len(persons),
                    "total": each * len(persons),
                    "persons": persons[:ROUND_PREVIEW_ROWS],
                }
    return render(request, "funds/round_form.html", {"form": form, "fund": fund, "preview": preview})


@login_required
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_fund(request, pk)
    require_at(request, CLOSE_PERIODS, fund.org_unit)
    form = forms.PeriodForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(form, ERROR_FIELDS):
            closed = services.period_close(
                actor=request.user, fund=fund, period=form.cleaned_data["period"].strip()
            )
            messages.success(request, _("已结账：%(p)s。") % {"p": closed.period})
            return redirect("funds:fund", fund.pk)
    return form_page(
        request,
        form,
        title=_("月末结账"),
        subtitle=fund.name,
        back=reverse("funds:fund", args=[fund.pk]),
        submit=_("确认结账"),
        danger=True,
    )
