"""Filing pages: the township reviewer's desktop queue, and one filing with the submitted text, its
legal-review warnings on the clauses, the log, and the reviewer's (file / return naming clauses) or the
village's (resubmit) actions. Thin, on the core/web.py kit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.web import form_errors, message_errors, page_of, post_data
from guanhuai.governance import review, selectors, services
from guanhuai.governance.forms import documents as forms
from guanhuai.governance.models import Filing
from guanhuai.governance.permissions import DRAFT, REVIEW_FILING, VIEW
from guanhuai.governance.states import FilingStatus, VersionStatus


@login_required
@require_GET
def filing_queue(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    status = request.GET.get("status", "")
    status = status if status in FilingStatus.values else ""
    page = page_of(request, selectors.filing_list(actor=request.user, status=status or None), size=20)
    return render(
        request,
        "governance/filings.html",
        {"page": page, "status": status, "statuses": FilingStatus.choices},
    )


def _page(
    request: HttpRequest,
    filing: Filing,
    return_form: Any = None,
    resubmit_form: Any = None,
    file_form: Any = None,
) -> HttpResponse:
    clauses = selectors.version_clauses(filing.version)
    findings = review.by_clause(review.review(clauses))
    can_review = filing.status == FilingStatus.SUBMITTED and scoping.can(
        request.user, REVIEW_FILING, filing.unit
    )
    can_resubmit = filing.status == FilingStatus.RETURNED and scoping.can(request.user, DRAFT, filing.unit)
    versions = [
        v
        for v in selectors.version_list(actor=request.user, document=filing.document)
        if v.status == VersionStatus.ADOPTED or v.pk == filing.version_id
    ]
    return render(
        request,
        "governance/filing.html",
        {
            "filing": filing,
            "rows": [(c, findings.get(c.number, []), c.number in filing.returned_clauses) for c in clauses],
            "warning_count": sum(len(v) for v in findings.values()),
            "can_review": can_review,
            "can_resubmit": can_resubmit,
            "return_form": return_form or forms.ReturnForm(clauses=clauses, flagged=findings.keys()),
            "file_form": file_form or forms.NoteForm(),
            "resubmit_form": resubmit_form or forms.ResubmitForm(versions=versions),
        },
    )


@login_required
@require_GET
def filing_detail(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = selectors.filing_get(actor=request.user, filing_id=filing_id)
    return _page(request, filing)


@login_required
@require_POST
def filing_return(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = selectors.filing_get(actor=request.user, filing_id=filing_id)
    form = forms.ReturnForm(post_data(request), clauses=selectors.version_clauses(filing.version))
    if form.is_valid():
        with form_errors(form, clauses="clauses", reason="reason"):
            services.filing_return(actor=request.user, filing=filing, **form.cleaned_data)
            messages.success(request, _("已退回修改。"))
            return redirect("governance:filing", filing_id=filing.pk)
    return _page(request, filing, return_form=form)


@login_required
@require_POST
def filing_file(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = selectors.filing_get(actor=request.user, filing_id=filing_id)
    form = forms.NoteForm(request.POST)
    with message_errors(request):
        if form.is_valid():
            services.filing_file(actor=request.user, filing=filing, **form.cleaned_data)
            messages.success(request, _("已予以备案。"))
    return redirect("governance:filing", filing_id=filing.pk)


@login_required
@require_POST
def filing_resubmit(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = selectors.filing_get(actor=request.user, filing_id=filing_id)
    versions = list(selectors.version_list(actor=request.user, document=filing.document))
    form = forms.ResubmitForm(post_data(request), versions=versions)
    if form.is_valid():
        version = next(v for v in versions if v.pk == form.cleaned_data["version"])
        with form_errors(form, note="note", version="version"):
            services.filing_resubmit(
                actor=request.user, filing=filing, version=version, note=form.cleaned_data["note"]
            )
            messages.success(request, _("已重新报送备案。"))
            return redirect("governance:filing", filing_id=filing.pk)
    return _page(request, filing, resubmit_form=form)


@login_required
@require_POST
def filing_submit(request: HttpRequest, version_id: int) -> HttpResponse:
    version = selectors.version_get(actor=request.user, version_id=version_id)
    with message_errors(request):
        filing = services.filing_submit(
            actor=request.user, version=version, note=request.POST.get("note", "")
        )
        messages.success(request, _("已报送乡镇备案。"))
        return redirect("governance:filing", filing_id=filing.pk)
    return redirect("governance:version", version_id=version.pk)
