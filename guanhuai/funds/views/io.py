"""Files of the funds app: receipt PDFs, fund and donor statements (PDF/Excel), and the donation import.

Thin: objects come through the scoped selectors (a receipt, fund or donor outside the actor's branches is a
404, exactly like a missing one), files are laid out by `funds.documents`, and the import is queued as a
job by `funds.imports`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanhuai.accounts import scoping
from guanhuai.core.errors import NotFound
from guanhuai.core.excel import XLSX, read_upload
from guanhuai.core.web import form_errors
from guanhuai.funds import documents, imports, selectors
from guanhuai.funds.forms import StatementForm
from guanhuai.funds.models import Fund
from guanhuai.funds.permissions import RECORD_DONATIONS
from guanhuai.jobs import selectors as job_selectors
from guanhuai.orgs.forms import TargetUnitForm, UnitChoiceField
from guanhuai.orgs.models import OrgUnit

RECENT_IMPORTS = 10


def _disposition(kind: str, filename: str, ascii_name: str) -> str:
    """Keeps a Chinese file name (RFC 6266 filename*), with an ASCII fallback for old clients."""
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _pdf(content: bytes, filename: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    # Inline: the browser shows it, and the person prints from there.
    response["Content-Disposition"] = _disposition("inline", filename, ascii_name)
    return response


def _xlsx(content: bytes, filename: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = _disposition("attachment", filename, ascii_name)
    return response


# --- receipts and statements -----------------------------------------------------------------------------


@login_required
@require_GET
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = selectors.receipt_get(actor=request.user, receipt_id=pk)
    return _pdf(
        documents.receipt_pdf(receipt), f"捐赠收据{receipt.number}.pdf", f"receipt-{receipt.number}.pdf"
    )


def _statement(request: HttpRequest, pk: int) -> tuple[Fund, Any]:
    fund = selectors.fund_get(actor=request.user, fund_id=pk)
    form = StatementForm(request.GET)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        raise _BadPeriod("；".join(errors), fund)
    return fund, selectors.fund_statement(
        fund, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
    )


class _BadPeriod(Exception):
    def __init__(self, message: str, fund: Fund) -> None:
        super().__init__(message)
        self.fund = fund


def _bad_period(request: HttpRequest, exc: _BadPeriod) -> HttpResponse:
    return render(request, "funds/io/bad_request.html", {"message": str(exc), "fund": exc.fund}, status=400)


def _statement_name(st: Any, ext: str) -> tuple[str, str]:
    period = f"{st.start:%Y%m%d}-{st.end:%Y%m%d}"
    return f"{st.fund.name}收支报表{period}.{ext}", f"statement-{st.fund.pk}-{period}.{ext}"


def _statement_file(request: HttpRequest, pk: int, ext: str) -> HttpResponse:
    try:
        _fund, st = _statement(request, pk)
    except _BadPeriod as exc:
        return _bad_period(request, exc)
    if ext == "pdf":
        return _pdf(documents.statement_pdf(st), *_statement_name(st, ext))
    return _xlsx(documents.statement_xlsx(st), *_statement_name(st, ext))


@login_required
@require_GET
def statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _statement_file(request, pk, "pdf")


@login_required
@require_GET
def statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _statement_file(request, pk, "xlsx")


@login_required
@require_GET
def donor_statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    donor = selectors.donor_get(actor=request.user, donor_id=pk)
    data = selectors.donor_statement(donor, actor=request.user)
    return _xlsx(
        documents.donor_statement_xlsx(data), f"{donor.name}捐赠对账单.xlsx", f"donor-{donor.pk}.xlsx"
    )


# --- the donation import ---------------------------------------------------------------------------------


class DonationImportForm(TargetUnitForm):
    # An empty file gets the import's own message ("上传的文件是空的"), like every other bad file.
    file = forms.FileField(
        label=gettext_lazy("Excel文件（.xlsx）"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    org_unit = UnitChoiceField(
        label=gettext_lazy("基金所属组织"),
        queryset=OrgUnit.objects.none(),
        help_text=gettext_lazy("文件中的基金名称按这个组织的基金查找，新捐赠人也登记在这个组织。"),
    )


@login_required
@require_GET
def donation_import_template(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, RECORD_DONATIONS)
    return _xlsx(imports.template_workbook(), imports.TEMPLATE_NAME, "donations-template.xlsx")


@login_required
def donation_import(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, RECORD_DONATIONS)
    targets = imports.import_targets(actor=request.user)
    post = request.method == "POST"
    form = DonationImportForm(
        request.POST if post else None, request.FILES if post else None, targets=targets
    )
    if post and form.is_valid():
        upload = form.cleaned_data["file"]
        max_bytes = settings.GUANHUAI_MAX_UPLOAD_BYTES
        with form_errors(form, default="file"):
            job, created = imports.import_submit(
                actor=request.user,
                org_unit=form.cleaned_data["org_unit"],
                content=read_upload(upload, max_bytes=max_bytes),
                file_name=upload.name,
                max_bytes=max_bytes,
            )
            if not created:
                messages.info(request, _("该文件已上传过（任务 #%(id)s），不会重复导入。") % {"id": job.pk})
            try:
                job_selectors.job_get(actor=request.user, job_id=job.pk)
            except NotFound:
                # The same file was imported for this branch by someone else, whose job this user cannot
                # open: say so here rather than send them to a 404.
                return redirect("funds_io:donation_import")
            return redirect("jobs:detail", job.pk)
    recent = list(job_selectors.job_list(actor=request.user, kind=imports.IMPORT_DONATIONS)[:RECENT_IMPORTS])
    return render(
        request,
        "funds/io/import.html",
        {"form": form, "recent": recent, "max_mb": settings.GUANHUAI_MAX_UPLOAD_BYTES / 1024 / 1024},
    )
