"""Demonstration villages and counties: the reviewers' desktop list (applications in review, designations
in force and those due for re-evaluation), the village's application on its phone, one application with its
evidence, indicators, review log and decision form, one designation with its revocation, and the report by
branch (page and Excel). Thin, on the core/web.py kit."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.web import form_errors, message_errors, page_of, post_data, xlsx_download
from guanhuai.core.xlsx_stream import XlsxStream
from guanhuai.governance import designation_rules as rules
from guanhuai.governance import selectors, services
from guanhuai.governance.forms.designations import ApplicationForm, ReviewForm, RevokeForm
from guanhuai.governance.models import DesignationApplication
from guanhuai.governance.permissions import APPLY_DESIGNATION, MANAGE, VIEW
from guanhuai.governance.states import ApplicationStatus, Rating
from guanhuai.orgs.models import Level


@login_required
@require_GET
def designation_home(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    # ?awaiting=1 (the work queue's link): only those waiting at the user's own level
    awaiting = request.GET.get("awaiting") == "1"
    applications = page_of(
        request,
        selectors.application_list(
            actor=request.user, status=ApplicationStatus.UNDER_REVIEW, awaiting_me=awaiting
        ),
        size=20,
    )
    today = timezone.localdate()
    in_force = selectors.designation_list(actor=request.user)
    # the whole group is the report's; the list is the part that needs someone: re-evaluation due
    designations = list(selectors.designation_list(actor=request.user, due_by=today)[:50])
    return render(
        request,
        "governance/designations/home.html",
        {
            "page": applications,
            "awaiting": awaiting,
            "designations": designations,
            "in_force": in_force.count(),
            "due_by": today + dt.timedelta(days=rules.REEVALUATION_DAYS),
            "can_apply": scoping.can_anywhere(request.user, APPLY_DESIGNATION),
            "report_unit": selectors.report_root(actor=request.user),
        },
    )


def _indicators(request: HttpRequest, form: ApplicationForm) -> list[tuple[object, str]]:
    """The indicators of the branch and rating chosen (GET ?unit=&rating=), read now, with their bounds."""
    unit = form.fields["unit"].queryset.filter(pk=request.GET.get("unit") or 0).first()  # type: ignore[attr-defined]
    rating = request.GET.get("rating", Rating.DEMONSTRATION)
    if unit is None or rating not in Rating.values:
        return []
    values = selectors.indicator_values(actor=request.user, unit=unit, rating=rating)
    return [(v, selectors.bound_shown(v.indicator, rating)) for v in values]


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, APPLY_DESIGNATION)
    form = ApplicationForm(post_data(request), actor=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        with form_errors(form, rating="rating"):
            application = services.designation_apply(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                rating=form.cleaned_data["rating"],
                evidence=form.evidence(),
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("已提交申报，等待逐级审核。"))
            return redirect("governance:designation_application", application_id=application.pk)
    return render(
        request,
        "governance/designations/apply.html",
        {"form": form, "indicators": _indicators(request, form) if request.method == "GET" else []},
    )


def _application_page(
    request: HttpRequest, application: DesignationApplication, form: ReviewForm | None = None
) -> HttpResponse:
    labels = {i.code: i for i in rules.INDICATORS}
    can_review = application.status == ApplicationStatus.UNDER_REVIEW and scoping.can_anywhere(
        request.user, rules.STEP_PERMISSIONS[application.step]
    )
    return render(
        request,
        "governance/designations/application.html",
        {
            "application": application,
            "checklist": [(i, application.evidence.get(i.code, {})) for i in rules.FIVE_HAVES],
            "indicators": [
                (labels[i["code"]], i, selectors.bound_shown(labels[i["code"]], application.rating))
                for i in application.indicators
                if i["code"] in labels
            ],
            "steps": rules.STEPS.get(application.unit.level, ()),
            "can_review": can_review,
            "form": form or ReviewForm(),
        },
    )


@login_required
@require_GET
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get(actor=request.user, application_id=application_id)
    return _application_page(request, application)


@login_required
@require_POST
def application_review(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get(actor=request.user, application_id=application_id)
    form = ReviewForm(post_data(request))
    if form.is_valid():
        with form_errors(form, comment="comment"):
            services.designation_review(actor=request.user, application=application, **form.cleaned_data)
            messages.success(request, _("已记录审核结论。"))
            return redirect("governance:designation_application", application_id=application.pk)
    return _application_page(request, application, form)


@login_required
@require_GET
def designation_detail(request: HttpRequest, designation_id: int) -> HttpResponse:
    designation = selectors.designation_get(actor=request.user, designation_id=designation_id)
    return render(
        request,
        "governance/designations/designation.html",
        {
            "designation": designation,
            "today": timezone.localdate(),
            "due": rules.reevaluation_due(designation.valid_until),
            "can_revoke": scoping.can(request.user, MANAGE, designation.unit),
            "form": RevokeForm(),
        },
    )


@login_required
@require_POST
def designation_revoke(request: HttpRequest, designation_id: int) -> HttpResponse:
    designation = selectors.designation_get(actor=request.user, designation_id=designation_id)
    form = RevokeForm(post_data(request))
    with message_errors(request):
        if form.is_valid():
            services.designation_revoke(actor=request.user, designation=designation, **form.cleaned_data)
            messages.success(request, _("已撤销该评定。"))
    return redirect("governance:designation", designation_id=designation.pk)


@login_required
@require_GET
def designation_report(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    unit_id = request.GET.get("unit") or getattr(selectors.report_root(actor=request.user), "pk", None)
    unit = scoping.unit_or_404(request.user, VIEW, unit_id)
    rows, total = selectors.designation_report(actor=request.user, unit=unit)
    if request.GET.get("format") == "xlsx":
        out = io.BytesIO()
        with XlsxStream(out, _("合格村示范村"), widths=[20, 10, 14, 10, 12]) as sheet:
            sheet.append([_("单位"), _("村(社区)数"), _("合格以上"), _("比例"), _("示范村(社区)")])
            for r in [*rows, total]:
                sheet.append([r.unit.name, r.villages, r.qualified, r.share, r.demonstration])
        return xlsx_download(out.getvalue(), f"{unit.name}合格村示范村.xlsx")
    return render(
        request,
        "governance/designations/report.html",
        {
            "unit": unit,
            "rows": rows,
            "total": total,
            "children": [r.unit for r in rows if r.unit.pk != unit.pk and r.unit.level != Level.VILLAGE],
        },
    )
