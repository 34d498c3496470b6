"""Grievance pages (投诉/信访): the scoped list with its filters (mine, open, in progress, overdue), recording
one about an application, and assigning, resolving or rejecting it. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanhuai.accounts import scoping
from guanhuai.core.web import form_errors, message_errors, post_data
from guanhuai.programmes.forms import applications as forms
from guanhuai.programmes.models import Grievance
from guanhuai.programmes.permissions import HANDLE_GRIEVANCES, VIEW
from guanhuai.programmes.selectors import applications as sel
from guanhuai.programmes.services import grievances
from guanhuai.programmes.states import GrievanceStatus
from guanhuai.programmes.views.applications import _application, _page
from guanhuai.registry.permissions import VIEW_PERSONS


def _grievance(request: HttpRequest, pk: int) -> Grievance:
    return sel.grievance_get(actor=request.user, grievance_id=pk)  # NotFound: the middleware's 404


# --- grievances -----------------------------------------------------------------------------------------


@login_required
@require_GET
def grievance_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, HANDLE_GRIEVANCES)
    status = request.GET.get("status", "")
    mine = request.GET.get("mine") == "1"
    overdue = request.GET.get("overdue") == "1"
    if status not in GrievanceStatus.values:
        status = ""
    qs = sel.grievance_list(
        actor=request.user,
        status=status,
        mine=mine,
        overdue_before=sel.grievance_overdue_before() if overdue else None,
    )
    return render(
        request,
        "programmes/grievance_list.html",
        {
            "page": _page(request, qs.order_by("-created_at", "-id")),
            "status": status,
            "mine": mine,
            "overdue": overdue,
        },
    )


@login_required
def grievance_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A grievance about an application (payments' grievances are recorded from the payment pages)."""
    application = _application(request, pk)
    if not scoping.can(request.user, HANDLE_GRIEVANCES, application.org_unit):
        raise Http404(_("未找到该页面，或您无权访问。"))
    form = forms.GrievanceForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            grievance = grievances.grievance_record(
                actor=request.user, application=application, **form.cleaned_data
            )
            messages.success(request, _("投诉已登记。"))
            return redirect("programmes:grievance_detail", grievance.pk)
    return render(request, "programmes/grievance_form.html", {"form": form, "a": application})


@login_required
def grievance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = _grievance(request, pk)
    assign = forms.GrievanceAssignForm(
        request.POST if request.POST.get("action") == "assign" else None,
        users=sel.grievance_assignees(actor=request.user, grievance=grievance),
    )
    finish = forms.GrievanceFinishForm(request.POST if request.POST.get("action") == "finish" else None)
    if request.method == "POST":
        with message_errors(request):
            if assign.is_bound and assign.is_valid():
                grievances.grievance_assign(
                    actor=request.user, grievance=grievance, assignee=assign.cleaned_data["assignee"]
                )
                messages.success(request, _("已指定承办人。"))
                return redirect("programmes:grievance_detail", grievance.pk)
            if finish.is_bound and finish.is_valid():
                text = finish.cleaned_data["text"]
                if finish.cleaned_data["outcome"] == "resolve":
                    grievances.grievance_resolve(actor=request.user, grievance=grievance, resolution=text)
                else:
                    grievances.grievance_reject(actor=request.user, grievance=grievance, reason=text)
                messages.success(request, _("投诉已办结。"))
                return redirect("programmes:grievance_detail", grievance.pk)
    return render(
        request,
        "programmes/grievance_detail.html",
        {
            "g": grievance,
            "assign": assign,
            "finish": finish,
            "open": grievance.status in ("open", "in_progress"),
            "application_url": reverse("programmes:application_detail", args=[grievance.application_id])
            if grievance.application_id and scoping.can(request.user, VIEW, grievance.org_unit)
            else None,
            "person_visible": scoping.can(request.user, VIEW_PERSONS, grievance.org_unit),
        },
    )
