"""Pages of the member import: upload (with the branch's recent imports), the preview (what will be created
and re-registered, the rows in error with their reasons, page by page), its live progress, the confirm
button that queues the commit, and the error workbook. Thin, on the core/web.py kit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.association import selectors, services
from guanhuai.association.forms import members as forms
from guanhuai.association.models import MemberImport
from guanhuai.association.permissions import MANAGE_MEMBERS, VIEW
from guanhuai.association.services.members_import import (
    MAX_BYTES,
    already_committed_message,
    error_workbook_available,
    import_template,
)
from guanhuai.association.states import ImportStatus
from guanhuai.core.excel import read_upload
from guanhuai.core.web import form_errors, message_errors, page_of, post_data, xlsx_download

PAGE_SIZE = 20


@login_required
@require_GET
def member_import_template(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_MEMBERS)
    return xlsx_download(import_template(), "会员导入模板.xlsx")


@login_required
def member_import(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = scoping.unit_or_404(request.user, VIEW, unit_id)
    scoping.require(request.user, MANAGE_MEMBERS, unit, visible_perm=VIEW)
    form = forms.ImportForm(post_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with form_errors(form, default="file"):
            batch, created = services.member_import_submit(
                actor=request.user,
                org_unit=unit,
                content=read_upload(upload, max_bytes=MAX_BYTES),
                file_name=upload.name,
            )
            if batch.status == ImportStatus.COMMITTED:
                messages.warning(request, already_committed_message(batch))
            elif not created:
                messages.info(request, _("该文件已上传过，下面是它的校验结果，不会重复导入。"))
            return redirect("association:member_import_batch", batch.pk)
    recent = page_of(
        request, selectors.member_import_list(actor=request.user).filter(org_unit=unit), size=PAGE_SIZE
    )
    return render(
        request,
        "association/members/import.html",
        {"form": form, "unit": unit, "page": recent, "max_mb": MAX_BYTES // 1024 // 1024},
    )


def _job(batch: MemberImport) -> object:
    return batch.commit_job or batch.validate_job


@login_required
@require_GET
def member_import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview: counts, then one list at a time (rows in error by default; to create; to re-register;
    imported), the confirm button and the error workbook."""
    batch = selectors.member_import_get(actor=request.user, batch_id=pk)
    show = request.GET.get("show", "")
    if show not in selectors.PREVIEW_SHOWS:
        show = (
            "imported"
            if batch.status == ImportStatus.COMMITTED
            else ("errors" if batch.invalid_rows else "create")
        )
    rows = page_of(request, selectors.member_import_rows(batch=batch, show=show), size=PAGE_SIZE)
    return render(
        request,
        "association/members/import_batch.html",
        {
            "batch": batch,
            "job": _job(batch),
            "show": show,
            "page": rows,
            "can_download_errors": error_workbook_available(actor=request.user, batch=batch),
            "can_commit": batch.status == ImportStatus.VALIDATED
            and batch.valid_rows > 0
            and batch.commit_job_id is None,
        },
    )


@login_required
@require_GET
def member_import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The live progress panel for htmx polling; once the job has finished the page reloads whole."""
    batch = selectors.member_import_get(actor=request.user, batch_id=pk)
    job = _job(batch)
    response = render(request, "association/members/_import_progress.html", {"batch": batch, "job": job})
    if job is None or getattr(job, "is_finished", True):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def member_import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.member_import_get(actor=request.user, batch_id=pk)
    with message_errors(request):
        services.member_import_commit_submit(actor=request.user, batch=batch)
    return redirect("association:member_import_batch", batch.pk)


@login_required
@require_GET
def member_import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.member_import_get(actor=request.user, batch_id=pk)
    return xlsx_download(services.member_import_errors(actor=request.user, batch=batch), "会员导入错误.xlsx")
