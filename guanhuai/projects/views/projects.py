"""Project pages: the list (filter by type, status, year; proposals waiting at my level), one project's page
(its sections named in `detail.SECTIONS`), the proposal form, and the buttons and small forms of the
lifecycle: submit, withdraw, review, funding, spending, milestones, reports, documents, closing. Thin, on the
core/web.py kit."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.errors import NotFound
from guanhuai.core.web import form_errors, form_page, message_errors, page_of, post_data, private_file
from guanhuai.funds import selectors as funds_selectors
from guanhuai.funds.states import AllocationStatus, TargetKind
from guanhuai.projects import detail, selectors, services
from guanhuai.projects.forms import projects as forms
from guanhuai.projects.permissions import FUND, LOG_ACTIVITIES, PROPOSE, SPEND, VIEW
from guanhuai.projects.states import ProjectStatus

PAGE_SIZE = 50


def _year(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 1990 <= int(value) <= 2100 else None


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    status = request.GET.get("status", "")
    to_review = request.GET.get("review") == "1"
    f: dict[str, Any] = {
        "type_code": request.GET.get("type", ""),
        "status": status if status in ProjectStatus.values else "",
        "year": _year(request.GET.get("year")),
        "q": request.GET.get("q", "")[:50],
    }
    rows = selectors.project_list(actor=request.user, to_review=to_review, **f)
    return render(
        request,
        "projects/list.html",
        {
            "page": page_of(request, rows, size=PAGE_SIZE),
            "types": selectors.type_list(),
            "statuses": ProjectStatus.choices,
            "f": f,
            "to_review": to_review,
            "cities": []
            if to_review
            else selectors.coverage_by_city(
                actor=request.user, type_code=f["type_code"], status=f["status"], year=f["year"]
            ),
            "can_propose": scoping.can_anywhere(request.user, PROPOSE),
        },
    )


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """The reports overdue in the branches where I run projects (the work queue's link)."""
    scoping.require_anywhere(request.user, PROPOSE)
    return render(
        request,
        "projects/overdue.html",
        {
            "page": page_of(request, selectors.overdue_reports(actor=request.user), size=PAGE_SIZE),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, project_id=pk)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "sections": [s.template for s in detail.SECTIONS],
            **detail.section_context(request.user, project),
        },
    )


def _type_from(request: HttpRequest) -> Any:
    code = request.GET.get("type", "")
    return selectors.type_list(active_only=True).filter(code=code).first() if code else None


# Where a proposal's refusals show, whether it is drafted or edited; the budget's (a line, its length, an
# amount) and any other stand beside the budget.
PROPOSAL_ERRORS = {"end_before_start": "end_date", "area_outside": "area", "name_required": "name"}


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    """Choose a type, then fill in the proposal (its target fields are the type's outcome indicators)."""
    scoping.require_anywhere(request.user, PROPOSE)
    project_type = _type_from(request)
    if project_type is None:
        return render(request, "projects/choose_type.html", {"types": selectors.type_list(active_only=True)})
    form = forms.ProjectForm(post_data(request), actor=request.user, project_type=project_type)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, PROPOSAL_ERRORS, default="budget"):
            project = services.project_create(
                actor=request.user,
                org_unit=form.cleaned_data["org_unit"],
                project_type=project_type,
                **form.service_kwargs(),
            )
            messages.success(request, _("已保存项目申报草稿“%(name)s”。") % {"name": project.name})
            return redirect("projects:detail", project.pk)
    return form_page(
        request,
        form,
        title=_("申报%(type)s项目") % {"type": project_type.name},
        back=reverse("projects:list"),
    )


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, project_id=pk)
    scoping.require(request.user, PROPOSE, project.org_unit, visible_perm=VIEW)
    form = forms.ProjectForm(
        post_data(request), actor=request.user, project_type=project.type, initial=forms.initial_of(project)
    )
    form.fields["org_unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        with form_errors(form, PROPOSAL_ERRORS, default="budget"):
            services.project_update(actor=request.user, project=project, **form.service_kwargs())
            messages.success(request, _("已保存修改。"))
            return redirect("projects:detail", project.pk)
    return form_page(
        request, form, title=_("修改项目申报"), back=reverse("projects:detail", args=[project.pk])
    )


def _button(request: HttpRequest, pk: int, act: Any, done: str) -> HttpResponse:
    """A lifecycle button on the project's page: the service `act(project)`, its refusal as a message."""
    project = selectors.project_get(actor=request.user, project_id=pk)
    with message_errors(request):
        act(project)
        messages.success(request, done)
    return redirect("projects:detail", pk)


@login_required
@require_POST
def project_submit(request: HttpRequest, pk: int) -> HttpResponse:
    act = partial(services.project_submit, actor=request.user)
    return _button(request, pk, lambda p: act(project=p), _("已提交审核。"))


@login_required
@require_POST
def project_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    act = partial(services.project_withdraw, actor=request.user)
    return _button(request, pk, lambda p: act(project=p), _("已撤回申报。"))


@login_required
@require_POST
def project_review(request: HttpRequest, pk: int) -> HttpResponse:
    decision, comment = request.POST.get("decision", ""), request.POST.get("comment", "")
    act = partial(services.project_review, actor=request.user, decision=decision, comment=comment)
    return _button(request, pk, lambda p: act(project=p), _("已记录审核意见。"))


def _allocations(request: HttpRequest) -> Any:
    return (
        funds_selectors.allocation_list(actor=request.user)
        .filter(target_kind=TargetKind.PROJECT, status=AllocationStatus.ACTIVE)
        .order_by("-created_at")
    )


@login_required
def project_fund(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, project_id=pk)
    scoping.require(request.user, FUND, project.org_unit, visible_perm=VIEW)
    form = forms.FundingForm(post_data(request), allocations=_allocations(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(
            form, amount_format="amount", amount_invalid="amount", items_required="items", default="amount"
        ):
            services.project_fund(actor=request.user, project=project, **form.cleaned_data)
            messages.success(request, _("已为项目安排资金。"))
            return redirect("projects:detail", pk)
    return form_page(request, form, title=_("为项目安排资金"), back=reverse("projects:detail", args=[pk]))


@login_required
def funding_spend(request: HttpRequest, funding_id: int) -> HttpResponse:
    funding = selectors.funding_get(actor=request.user, funding_id=funding_id)
    project = funding.project
    scoping.require(request.user, SPEND, project.org_unit, visible_perm=VIEW)
    form = forms.SpendingForm(post_data(request), initial={"spent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with form_errors(form, payee_required="payee", default="amount"):
            services.project_spend(actor=request.user, funding=funding, **form.cleaned_data)
            messages.success(request, _("已登记支出。"))
            return redirect("projects:detail", project.pk)
    return form_page(
        request,
        form,
        title=_("登记项目支出：%(name)s") % {"name": funding.allocation.name if funding.allocation else ""},
        back=reverse("projects:detail", args=[project.pk]),
    )


def _plan_form(request: HttpRequest, pk: int, form_class: Any, add: Any, title: str) -> HttpResponse:
    """A milestone or a report to schedule: the proposer's small form, `add(actor=, project=, **fields)`."""
    project = selectors.project_get(actor=request.user, project_id=pk)
    scoping.require(request.user, PROPOSE, project.org_unit, visible_perm=VIEW)
    form = form_class(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(form, title_required="title"):
            add(actor=request.user, project=project, **form.cleaned_data)
            return redirect("projects:detail", pk)
    return form_page(request, form, title=title, back=reverse("projects:detail", args=[pk]))


@login_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_form(request, pk, forms.MilestoneForm, services.milestone_add, _("新增里程碑"))


@login_required
@require_POST
def milestone_done(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = selectors.milestone_get(actor=request.user, milestone_id=milestone_id)
    with message_errors(request):
        services.milestone_done(actor=request.user, milestone=milestone)
        messages.success(request, _("里程碑已完成。"))
    return redirect("projects:detail", milestone.project_id)


@login_required
def report_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_form(request, pk, forms.ReportScheduleForm, services.report_schedule, _("安排进度报告"))


@login_required
def report_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get(actor=request.user, report_id=report_id)
    project = report.project
    scoping.require(request.user, PROPOSE, project.org_unit, visible_perm=VIEW)
    form = forms.ReportSubmitForm(post_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, body_required="body", default="file"):
            services.report_submit(actor=request.user, report=report, body=form.cleaned_data["body"])
            if form.cleaned_data.get("file"):
                services.document_upload(
                    actor=request.user,
                    project=project,
                    kind="report",
                    upload=form.cleaned_data["file"],
                    report=report,
                )
            messages.success(request, _("已提交“%(title)s”。") % {"title": report.title})
            return redirect("projects:detail", project.pk)
    return _upload_page(request, form, title=_("提交%(title)s") % {"title": report.title}, back=project.pk)


@login_required
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, project_id=pk)
    scoping.require(request.user, LOG_ACTIVITIES, project.org_unit, visible_perm=VIEW)
    form = forms.DocumentForm(post_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, default="file"):
            services.document_upload(
                actor=request.user,
                project=project,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
            messages.success(request, _("已上传。"))
            return redirect("projects:detail", pk)
    return _upload_page(request, form, title=_("上传项目材料"), back=pk)


def _upload_page(request: HttpRequest, form: Any, *, title: str, back: int) -> HttpResponse:
    """A form with a file field, phone first: the camera opens from the file input."""
    return form_page(
        request, form, title=title, back=reverse("projects:detail", args=[back]), submit=_("上传")
    )


@login_required
@require_GET
def document_view(request: HttpRequest, document_id: int) -> FileResponse:
    """Stream a document after scoping (never a public media URL)."""
    document = selectors.document_get(actor=request.user, document_id=document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise NotFound(_("文件已不存在。")) from None
    return private_file(request, handle, content_type=document.content_type, filename=document.file_name)


@login_required
def project_close(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, project_id=pk)
    form = forms.CloseForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(form, evaluation_required="evaluation", rating_required="rating"):
            services.project_close(actor=request.user, project=project, **form.cleaned_data)
            messages.success(request, _("项目已结项。"))
            return redirect("projects:detail", pk)
    return form_page(request, form, title=_("项目结项评估"), back=reverse("projects:detail", args=[pk]))


@login_required
@require_POST
def site_check(request: HttpRequest, pk: int) -> HttpResponse:
    """One item of the Warm Home "六有" checklist, met (with its evidence) or not."""
    project = selectors.project_get(actor=request.user, project_id=pk)
    evidence_id = request.POST.get("evidence", "")
    with message_errors(request):
        evidence = (
            selectors.document_get(actor=request.user, document_id=evidence_id)
            if evidence_id.isdigit()
            else None
        )
        services.site_check(
            actor=request.user,
            project=project,
            item=request.POST.get("item", ""),
            met=request.POST.get("met") == "1",
            evidence=evidence,
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("已记录核查结果。"))
    return redirect(reverse("projects:detail", args=[pk]) + "#sites")
