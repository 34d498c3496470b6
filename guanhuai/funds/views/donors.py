"""Donor pages: the list and search, registering a donor, the donor statement, and pledges."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanhuai.accounts import scoping
from guanhuai.core.web import form_action, form_errors, form_page, post_data, search_options
from guanhuai.funds import forms, selectors, services
from guanhuai.funds.models import Donor
from guanhuai.funds.permissions import RECORD_DONATIONS, VIEW_FUNDS
from guanhuai.funds.views.funds import (
    ERROR_FIELDS,
    fund_choices,
    page_of,
    unit_choices,
)


def get_donor(request: HttpRequest, pk: int) -> Donor:
    return selectors.donor_get(actor=request.user, donor_id=pk)


@login_required
@require_GET
def donor_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW_FUNDS)
    form = forms.DonorSearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    return render(
        request,
        "funds/donor_list.html",
        {
            "form": form,
            "page": page_of(request, selectors.donor_list(actor=request.user, q=q)),
            "can_create": scoping.can_anywhere(request.user, RECORD_DONATIONS),
        },
    )


@login_required
def donor_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, RECORD_DONATIONS)
    form = forms.DonorForm(post_data(request), units=unit_choices(request, RECORD_DONATIONS))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form, ERROR_FIELDS, name_required="name"):
            # the form's fields are the service's arguments, one for one
            donor = services.donor_create(actor=request.user, **d)
            messages.success(request, _("已登记捐赠人“%(name)s”。") % {"name": donor.name})
            return redirect("funds:donor", donor.pk)
    return form_page(request, form, title=_("登记捐赠人"), back=reverse("funds:donors"))


@login_required
@require_GET
def donor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The donor statement: every gift with its receipts, and each pledge against what arrived."""
    donor = get_donor(request, pk)
    return render(
        request,
        "funds/donor_detail.html",
        {
            **selectors.donor_statement(donor, actor=request.user),
            "can_record": scoping.can(request.user, RECORD_DONATIONS, donor.org_unit),
        },
    )


@login_required
def pledge_create(request: HttpRequest, pk: int) -> HttpResponse:
    donor = get_donor(request, pk)
    scoping.require_anywhere(request.user, RECORD_DONATIONS)
    form = forms.PledgeForm(post_data(request), funds=fund_choices(request, RECORD_DONATIONS))
    return form_action(
        request,
        form,
        # the form's fields are the service's arguments, one for one
        lambda d: services.pledge_create(actor=request.user, donor=donor, **d),
        errors={**ERROR_FIELDS, "pledge_dates": "ends_on"},
        success=_("已登记认捐。"),
        title=_("登记认捐"),
        subtitle=donor.name,
        back=reverse("funds:donor", args=[donor.pk]),
    )


@login_required
@require_GET
def donor_pick(request: HttpRequest) -> HttpResponse:
    """A donor field's search (forms.DonorChoiceField): donors the actor may see, by name, pinyin or
    credit code, as options."""
    scoping.require_anywhere(request.user, VIEW_FUNDS)
    return search_options(
        request, selectors.donor_choices(actor=request.user, q=request.GET.get("q", "")), forms.donor_label
    )
