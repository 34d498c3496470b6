"""Pages of the registry's Excel import (upload, preview, commit, error file) and export."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core import excel
from guanhuai.core.web import form_errors, message_errors, page_of, refusal, xlsx_download
from guanhuai.registry import exports, import_errors, imports, io_excel
from guanhuai.registry.forms.io import ExportForm, ImportUploadForm
from guanhuai.registry.models import ImportBatch
from guanhuai.registry.permissions import EXPORT_PERSONS, IMPORT_PERSONS

PAGE_SIZE = 25


def _batch_or_404(request: HttpRequest, pk: int) -> ImportBatch:
    return imports.batch_get(actor=request.user, batch_id=pk)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, IMPORT_PERSONS)
    return xlsx_download(io_excel.template_workbook(), io_excel.TEMPLATE_NAME, fallback="registry.xlsx")


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload page, with the actor's recent batches below the form."""
    scoping.require_anywhere(request.user, IMPORT_PERSONS)
    targets = imports.import_targets(actor=request.user)
    post = request.method == "POST"
    form = ImportUploadForm(request.POST if post else None, request.FILES if post else None, targets=targets)
    if post and form.is_valid():
        upload = form.cleaned_data["file"]
        with form_errors(form, default="file"):
            content = excel.read_upload(upload, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
            batch, created = imports.batch_submit(
                actor=request.user,
                org_unit=form.cleaned_data["org_unit"],
                content=content,
                file_name=upload.name,
            )
            if batch.status == ImportBatch.Status.COMMITTED:
                messages.warning(request, imports.already_committed_message(batch))
            elif not created:
                messages.info(request, _("该文件已上传过，下面是它的校验结果，不会重复导入。"))
            return redirect("registry_io:batch", pk=batch.pk)
    batches = page_of(request, imports.batch_list(actor=request.user), size=PAGE_SIZE)
    return render(
        request,
        "registry/io/upload.html",
        {"form": form, "page": batches, "max_mb": settings.GUANHUAI_MAX_UPLOAD_BYTES / 1024 / 1024},
    )


def _active_job(batch: ImportBatch) -> object:
    return batch.commit_job or batch.validate_job


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview: counts, the rejected rows with their reasons, the commit button, the error file."""
    batch = _batch_or_404(request, pk)
    page = page_of(request, imports.invalid_rows(batch=batch), size=PAGE_SIZE)
    return render(
        request,
        "registry/io/batch.html",
        {
            "batch": batch,
            "job": _active_job(batch),
            "page": page,
            "can_download_errors": import_errors.error_workbook_available(actor=request.user, batch=batch),
            "can_commit": batch.status == ImportBatch.Status.VALIDATED
            and batch.valid_rows > 0
            and batch.commit_job_id is None,
        },
    )


@login_required
@require_GET
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The live progress panel, for htmx polling; once the job is finished the whole page reloads to
    show the result."""
    batch = _batch_or_404(request, pk)
    job = _active_job(batch)
    response = render(request, "registry/io/_batch_progress.html", {"batch": batch, "job": job})
    if job is None or job.is_finished:  # type: ignore[attr-defined]
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def batch_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    with message_errors(request):
        imports.commit_submit(actor=request.user, batch=batch)
    return redirect("registry_io:batch", pk=batch.pk)


@login_required
@require_GET
def batch_errors(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    content = import_errors.error_workbook(actor=request.user, batch=batch)
    return xlsx_download(content, io_excel.ERROR_NAME, fallback="registry.xlsx")


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """Confirm and queue an export of the person list as filtered (the query string of the list page)."""
    scoping.require_anywhere(request.user, EXPORT_PERSONS)
    params = exports.filter_params(request.POST if request.method == "POST" else request.GET)
    form = ExportForm(request.POST if request.method == "POST" else None)
    count = None
    with refusal() as refused:
        filters = exports.filters_from_params(actor=request.user, params=params)
        count = exports.export_count(actor=request.user, filters=filters)
    error = refused.message
    if request.method == "POST" and error is None and form.is_valid():
        with refusal() as refused:
            job = exports.export_submit(
                actor=request.user, params=params, request_key=form.cleaned_data["request_key"]
            )
            return redirect("jobs:detail", pk=job.pk)
        error = refused.message
    return render(
        request,
        "registry/io/export.html",
        {
            "form": form,
            "params": params,
            "summary": exports.filter_summary(params),
            "count": count,
            "error": error,
        },
    )
