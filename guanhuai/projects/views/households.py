"""Pages of a project's beneficiary households (受益户): the list with each household's computed gain, adding
a registry household by its number, one household's page with its aid agreements (帮扶协议) and income
records, and the two phone-first forms that add them. Thin, on the core/web.py kit: every refusal is the
service's message beside its field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanhuai.accounts import scoping
from guanhuai.core.web import form_errors, form_page, page_of, post_data
from guanhuai.projects import selectors, services
from guanhuai.projects.forms.outcomes import AgreementForm, BeneficiaryForm, IncomeForm
from guanhuai.projects.permissions import LOG_ACTIVITIES, VIEW

PAGE_SIZE = 50
# The upload checks' refusals (core/uploads.py, services.document_upload) belong beside the file field.
DOCUMENT_ERRORS = dict.fromkeys(
    ("document_type", "document_type_mismatch", "document_too_large", "document_empty", "duplicate_document"),
    "document",
)


@login_required
@require_GET
def beneficiary_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, project_id=pk)
    rows = selectors.beneficiary_list(actor=request.user, project=project)
    return render(
        request,
        "projects/beneficiaries.html",
        {
            "project": project,
            "page": page_of(request, rows, size=PAGE_SIZE),
            "can_log": project.status in services.RECORDING
            and scoping.can(request.user, LOG_ACTIVITIES, project.org_unit),
        },
    )


@login_required
def beneficiary_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, project_id=pk)
    scoping.require(request.user, LOG_ACTIVITIES, project.org_unit, visible_perm=VIEW)
    form = BeneficiaryForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(form, default="number"):
            household = selectors.household_for_project(
                actor=request.user, number=form.cleaned_data["number"]
            )
            row = services.beneficiary_add(actor=request.user, project=project, household=household)
            messages.success(request, _("已添加受益户 %(n)s。") % {"n": household.number})
            return redirect("projects:beneficiary", row.pk)
    return form_page(request, form, title=_("添加受益户"), back=reverse("projects:beneficiaries", args=[pk]))


@login_required
@require_GET
def beneficiary_detail(request: HttpRequest, beneficiary_id: int) -> HttpResponse:
    row = selectors.beneficiary_get(actor=request.user, beneficiary_id=beneficiary_id)
    return render(
        request,
        "projects/beneficiary.html",
        {
            "row": row,
            "project": row.project,
            "can_log": scoping.can(request.user, LOG_ACTIVITIES, row.project.org_unit),
        },
    )


@login_required
def agreement_add(request: HttpRequest, beneficiary_id: int) -> HttpResponse:
    row = selectors.beneficiary_get(actor=request.user, beneficiary_id=beneficiary_id)
    scoping.require(request.user, LOG_ACTIVITIES, row.project.org_unit, visible_perm=VIEW)
    form = AgreementForm(post_data(request), initial={"signed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with form_errors(form, default="amount"):
            services.aid_agreement_add(actor=request.user, beneficiary=row, **form.cleaned_data)
            messages.success(request, _("已登记帮扶协议。"))
            return redirect("projects:beneficiary", row.pk)
    return form_page(
        request,
        form,
        title=_("登记帮扶协议：%(n)s") % {"n": row.household.number},
        back=reverse("projects:beneficiary", args=[row.pk]),
    )


@login_required
def income_add(request: HttpRequest, beneficiary_id: int) -> HttpResponse:
    row = selectors.beneficiary_get(actor=request.user, beneficiary_id=beneficiary_id)
    scoping.require(request.user, LOG_ACTIVITIES, row.project.org_unit, visible_perm=VIEW)
    has_baseline = any(r.kind == "baseline" for r in row.incomes.all())
    form = IncomeForm(
        post_data(request),
        request.FILES or None,
        initial={"recorded_on": timezone.localdate(), "kind": "follow_up" if has_baseline else "baseline"},
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(
            form,
            follow_up_before_baseline="recorded_on",
            baseline_missing="kind",
            duplicate_baseline="kind",
            fields=DOCUMENT_ERRORS,
            default="net_income",
        ):
            services.income_record(actor=request.user, beneficiary=row, **form.cleaned_data)
            messages.success(request, _("已登记收入。"))
            return redirect("projects:beneficiary", row.pk)
    return form_page(
        request,
        form,
        title=_("登记家庭收入：%(n)s") % {"n": row.household.number},
        back=reverse("projects:beneficiary", args=[row.pk]),
    )
