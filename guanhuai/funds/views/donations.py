"""Donations and receipts: recording a gift (and its numbered receipt), the donation page with its receipt
number and a print link, reversal, the receipt list by year, void, re-issue and the gap report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.money import yuan
from guanhuai.core.web import form_action, form_errors, form_page, post_data
from guanhuai.funds import forms, selectors, services
from guanhuai.funds.models import Donation, Pledge, Receipt
from guanhuai.funds.permissions import MANAGE_FUNDS, RECORD_DONATIONS, VIEW_FUNDS, VOID_RECEIPTS
from guanhuai.funds.states import ReceiptStatus
from guanhuai.funds.views.funds import (
    ERROR_FIELDS,
    fund_choices,
    get_fund,
    page_of,
    require_at,
    unit_choices,
)


def get_donation(request: HttpRequest, pk: int) -> Donation:
    donation = selectors.donation_list(actor=request.user).filter(pk=pk).first()
    if donation is None:
        raise Http404(_("未找到该记录，或您无权访问。"))
    return donation


def get_receipt(request: HttpRequest, pk: int) -> Receipt:
    return selectors.receipt_get(actor=request.user, receipt_id=pk)


# --- donations ------------------------------------------------------------------------------------------


def _pledges_of(request: HttpRequest, donors: Any, donor_id: Any) -> Any:
    """The chosen donor's pledges (the pledge dropdown), only for a donor the actor may see."""
    try:
        donor = donors.filter(pk=int(donor_id)).first() if donor_id else None
    except (TypeError, ValueError):
        donor = None
    if donor is None:
        return Pledge.objects.none()
    return selectors.donor_pledges(actor=request.user, donor=donor, perm=RECORD_DONATIONS)


@login_required
def donation_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, RECORD_DONATIONS)
    donors = selectors.donor_choices(actor=request.user)
    donor_id = request.POST.get("donor") if request.method == "POST" else request.GET.get("donor")
    initial = {k: request.GET[k] for k in ("fund", "donor") if request.GET.get(k, "").isdigit()}
    form = forms.DonationForm(
        post_data(request),
        initial=initial,
        donors=donors,
        funds=fund_choices(request, RECORD_DONATIONS),
        pledges=_pledges_of(request, donors, donor_id),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form, ERROR_FIELDS, date_in_future="received_on", pledge_mismatch="pledge"):
            donation, _created = services.donation_record(
                actor=request.user,
                donor=d["donor"],
                fund=d["fund"],
                kind=d["kind"],
                amount=d["amount"],
                received_on=d["received_on"],
                channel=d["channel"],
                purpose=d["purpose"],
                items=d["items"],
                quantity=d["quantity"],
                valuation_basis=d["valuation_basis"],
                pledge=d["pledge"],
                # The key was generated when this page was rendered: a double submit records once.
                idempotency_key=f"donation-form:{request.user.pk}:{d['idempotency_key']}",
            )
            receipt = donation.receipts.filter(status=ReceiptStatus.ISSUED).first()
            if receipt is not None:
                messages.success(request, _("已登记捐赠，收据编号 %(number)s。") % {"number": receipt.number})
            else:
                messages.success(request, _("已登记捐赠。"))
            return redirect("funds:donation", donation.pk)
    return render(
        request,
        "funds/donation_form.html",
        {"form": form, "new_donor": new_donor_form(request)},
    )


def new_donor_form(request: HttpRequest, data: Any = None) -> forms.DonorForm:
    """The donation page's inline "新捐赠人" form, its fields prefixed so they never mix with the gift's."""
    return forms.DonorForm(data, prefix="new_donor", units=unit_choices(request, RECORD_DONATIONS))


@login_required
@require_POST
def donor_inline(request: HttpRequest) -> HttpResponse:
    """Register a donor from the donation page (htmx) and answer with the donor field, the new donor
    chosen; a refusal comes back beside the inline form's field, and nothing is saved."""
    scoping.require_anywhere(request.user, RECORD_DONATIONS)
    new_donor = new_donor_form(request, request.POST)
    chosen = request.POST.get("donor", "")
    if new_donor.is_valid():
        d = new_donor.cleaned_data
        with form_errors(new_donor, ERROR_FIELDS, name_required="name", donor_kind="kind"):
            # the form's fields are the service's arguments, one for one
            donor = services.donor_create(actor=request.user, **d)
            chosen, new_donor = str(donor.pk), new_donor_form(request)
    form = forms.DonationForm(
        initial={"donor": chosen},
        donors=selectors.donor_choices(actor=request.user),
        funds=fund_choices(request, RECORD_DONATIONS),
        pledges=Pledge.objects.none(),
    )
    return render(request, "funds/_donor_field.html", {"form": form, "new_donor": new_donor})


@login_required
@require_GET
def donation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    donation = get_donation(request, pk)
    receipts = list(donation.receipts.all())
    return render(
        request,
        "funds/donation_detail.html",
        {
            "donation": donation,
            "receipts": receipts,
            "receipt": next((r for r in receipts if r.status == ReceiptStatus.ISSUED), None),
            "can_reverse": not donation.reversed
            and scoping.can(request.user, MANAGE_FUNDS, donation.fund.org_unit),
        },
    )


@login_required
@require_GET
def donation_list(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_fund(request, pk)
    return render(
        request,
        "funds/donation_list.html",
        {
            "fund": fund,
            "page": page_of(request, selectors.donation_list(actor=request.user, fund=fund)),
            "can_record": scoping.can(request.user, RECORD_DONATIONS, fund.org_unit),
        },
    )


@login_required
def donation_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    donation = get_donation(request, pk)
    require_at(request, MANAGE_FUNDS, donation.fund.org_unit)
    form = forms.ReasonForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.donation_reverse(actor=request.user, donation=donation, reason=d["reason"]),
        errors=ERROR_FIELDS,
        success=_("已冲销这笔捐赠，其收据已作废。"),
        title=_("冲销捐赠"),
        subtitle=f"{donation.donor.name} {yuan(donation.amount)}",
        help=_("冲销会记一笔反向账目，原记录保留；这笔捐赠的收据将同时作废。"),
        back=reverse("funds:donation", args=[donation.pk]),
        submit=_("确认冲销"),
        danger=True,
    )


# --- receipts -------------------------------------------------------------------------------------------


@login_required
@require_GET
def receipt_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW_FUNDS)
    form = forms.YearForm(request.GET)
    year = (form.cleaned_data.get("year") if form.is_valid() else None) or timezone.localdate().year
    return render(
        request,
        "funds/receipt_list.html",
        {
            "form": form,
            "year": year,
            "page": page_of(request, selectors.receipt_list(actor=request.user, year=year)),
        },
    )


@login_required
@require_GET
def receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_receipt(request, pk)
    can_void = scoping.can(request.user, VOID_RECEIPTS, receipt.org_unit)
    return render(
        request,
        "funds/receipt_detail.html",
        {
            "receipt": receipt,
            "reissues": receipt.reissues.all(),
            "can_void": can_void and receipt.status == ReceiptStatus.ISSUED,
            "can_reissue": can_void and not receipt.donation.reversed and not receipt.reissues.exists(),
            "void_form": forms.VoidForm(auto_id="void_%s"),
            "reissue_form": forms.ReasonForm(auto_id="reissue_%s"),
        },
    )


@login_required
def receipt_void(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_receipt(request, pk)
    require_at(request, VOID_RECEIPTS, receipt.org_unit)
    form = forms.VoidForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.receipt_void(actor=request.user, receipt=receipt, reason=d["reason"]),
        errors=ERROR_FIELDS,
        success=_("收据 %(n)s 已作废。") % {"n": receipt.number},
        title=_("作废收据"),
        subtitle=receipt.number,
        back=reverse("funds:receipt", args=[receipt.pk]),
        submit=_("确认作废"),
        danger=True,
    )


@login_required
def receipt_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_receipt(request, pk)
    require_at(request, VOID_RECEIPTS, receipt.org_unit)
    form = forms.ReasonForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(form, ERROR_FIELDS):
            new = services.receipt_reissue(
                actor=request.user, receipt=receipt, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request,
                _("已补开收据 %(new)s（原收据 %(old)s）。") % {"new": new.number, "old": receipt.number},
            )
            return redirect("funds:receipt", new.pk)
    return form_page(
        request,
        form,
        title=_("补开收据"),
        subtitle=receipt.number,
        help=_("原收据如未作废将先作废，再开具一张新编号的收据，标注为补开。"),
        back=reverse("funds:receipt", args=[receipt.pk]),
        submit=_("确认补开"),
    )


@login_required
@require_GET
def receipt_gaps(request: HttpRequest) -> HttpResponse:
    """Every voided or missing number of one issuing branch in one year. The branches offered are those
    of the actor's own funds, so the report never reaches outside their scope."""
    scoping.require_anywhere(request.user, VIEW_FUNDS)
    units = {f.org_unit.pk: f.org_unit for f in selectors.fund_list(actor=request.user)}
    choices = sorted(units.values(), key=lambda u: u.path)
    form = forms.YearForm(request.GET)
    year = (form.cleaned_data.get("year") if form.is_valid() else None) or timezone.localdate().year
    raw_unit = request.GET.get("unit", "")
    unit = units.get(int(raw_unit)) if raw_unit.isdigit() else (choices[0] if choices else None)
    report = selectors.receipt_gap_report(org_unit=unit, year=year) if unit is not None else []
    return render(
        request,
        "funds/receipt_gaps.html",
        {"form": form, "year": year, "unit": unit, "units": choices, "report": report},
    )
