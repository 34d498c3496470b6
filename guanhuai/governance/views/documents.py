"""The documents' pages: a document with its versions, a version with its clauses, legal-review warnings
and amendments (edited in place while a draft), the side-by-side diff and its PDF, and the import. Thin,
on the core/web.py kit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.web import form_action, form_errors, form_page, message_errors, post_data
from guanhuai.governance import documents as files
from guanhuai.governance import review, selectors, services
from guanhuai.governance.forms import documents as forms
from guanhuai.governance.parse import parse_text, parse_upload
from guanhuai.governance.permissions import DRAFT, RUN_MEETINGS
from guanhuai.governance.states import AmendmentStatus, VersionStatus


@login_required
@require_GET
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.document_get(actor=request.user, document_id=document_id)
    versions = list(selectors.version_list(actor=request.user, document=document))
    return render(
        request,
        "governance/document.html",
        {
            "document": document,
            "versions": versions,
            "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None),
            "in_force": next((v for v in versions if v.status == VersionStatus.ADOPTED), None),
            "filings": selectors.filings_of(document=document)[:10],
            "can_draft": scoping.can(request.user, DRAFT, document.unit),
            "draft_form": forms.DraftForm(),
        },
    )


@login_required
@require_POST
def version_draft(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.document_get(actor=request.user, document_id=document_id)
    form = forms.DraftForm(request.POST)
    with message_errors(request):
        if form.is_valid():
            draft = services.version_draft(actor=request.user, document=document, **form.cleaned_data)
            messages.success(request, _("已从现行版本起草第%(n)s版草案。") % {"n": draft.number})
            return redirect("governance:version", version_id=draft.pk)
    return redirect("governance:document", document_id=document.pk)


@login_required
@require_GET
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    version = selectors.version_get(actor=request.user, version_id=version_id)
    clauses = selectors.version_clauses(version)
    findings = review.by_clause(review.review(clauses))
    amendments = list(selectors.amendment_list(version=version))
    by_clause: dict[int | None, list] = {}
    for amendment in amendments:
        by_clause.setdefault(amendment.clause_id, []).append(amendment)
    rows = [(c, findings.get(c.number, []), by_clause.get(c.pk, [])) for c in clauses]
    unit = version.document.unit
    editable = version.status == VersionStatus.DRAFT and scoping.can(request.user, DRAFT, unit)
    motions = selectors.adopting_motions(version=version) if version.status == VersionStatus.DRAFT else []
    return render(
        request,
        "governance/version.html",
        {
            "version": version,
            "document": version.document,
            "rows": rows,
            "warning_count": sum(len(v) for v in findings.values()),
            "new_clause_amendments": by_clause.get(None, []),
            "editable": editable,
            "proposed": AmendmentStatus.PROPOSED,
            "can_submit": version.status == VersionStatus.ADOPTED and scoping.can(request.user, DRAFT, unit),
            "can_adopt": bool(motions) and scoping.can(request.user, RUN_MEETINGS, unit),
            "adopt_form": forms.AdoptForm(motions=motions),
            "refusals": [(m, services.adoption_refusal(version, m)) for m in motions],
            "others": [
                v
                for v in selectors.version_list(actor=request.user, document=version.document)
                if v.pk != version.pk
            ],
        },
    )


@login_required
def clause_add(request: HttpRequest, version_id: int) -> HttpResponse:
    version = selectors.version_get(actor=request.user, version_id=version_id)
    form = forms.ClauseForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(form, text="text", before="before"):
            clause = services.clause_save(actor=request.user, version=version, **form.cleaned_data)
            messages.success(request, _("已添加第%(n)s条。") % {"n": clause.number})
            return redirect("governance:version", version_id=version.pk)
    back = reverse("governance:version", args=[version.pk])
    return form_page(request, form, title=_("添加条款"), back=back)


@login_required
def clause_edit(request: HttpRequest, clause_id: int) -> HttpResponse:
    clause = selectors.clause_get(actor=request.user, clause_id=clause_id)
    initial = {
        "chapter_number": clause.chapter_number,
        "chapter_title": clause.chapter_title,
        "text": clause.text,
    }
    form = forms.ClauseForm(post_data(request), initial=initial)
    del form.fields["before"]
    back = reverse("governance:version", args=[clause.version_id])
    if request.method == "POST" and form.is_valid():
        with form_errors(form, text="text"):
            services.clause_save(
                actor=request.user, version=clause.version, clause=clause, **form.cleaned_data
            )
            messages.success(request, _("已修改第%(n)s条。") % {"n": clause.number})
            return redirect(back + f"#clause-{clause.number}")
    return form_page(request, form, title=_("修改第%(n)s条") % {"n": clause.number}, back=back)


@login_required
@require_POST
def clause_remove(request: HttpRequest, clause_id: int) -> HttpResponse:
    clause = selectors.clause_get(actor=request.user, clause_id=clause_id)
    with message_errors(request):
        services.clause_remove(actor=request.user, clause=clause)
        messages.success(request, _("已删除第%(n)s条，其后各条已重新编号。") % {"n": clause.number})
    return redirect("governance:version", version_id=clause.version_id)


@login_required
def version_withdraw(request: HttpRequest, version_id: int) -> HttpResponse:
    version = selectors.version_get(actor=request.user, version_id=version_id)
    form = forms.ReasonForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.version_withdraw(actor=request.user, version=version, **d),
        success=_("已撤回草案。"),
        done=reverse("governance:document", kwargs={"document_id": version.document_id}),
        title=_("撤回第%(n)s版草案") % {"n": version.number},
        back=reverse("governance:version", args=[version.pk]),
    )


@login_required
@require_POST
def version_adopt(request: HttpRequest, version_id: int) -> HttpResponse:
    version = selectors.version_get(actor=request.user, version_id=version_id)
    motions = selectors.adopting_motions(version=version)
    form = forms.AdoptForm(request.POST, motions=motions)
    with message_errors(request):
        if form.is_valid():
            motion = next(m for m in motions if m.pk == form.cleaned_data["motion"])
            services.version_adopt(actor=request.user, version=version, motion=motion)
            messages.success(request, _("第%(n)s版已经会议表决通过，现行有效。") % {"n": version.number})
    return redirect("governance:version", version_id=version.pk)


@login_required
def amendment_create(request: HttpRequest, version_id: int) -> HttpResponse:
    version = selectors.version_get(actor=request.user, version_id=version_id)
    clauses = selectors.version_clauses(version)
    initial = {"clause": request.GET.get("clause")}
    form = forms.AmendmentForm(post_data(request), clauses=clauses, initial=initial)
    back = reverse("governance:version", args=[version.pk])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("clause")
        clause = next((c for c in clauses if c.pk == chosen), None)
        with form_errors(form, proposed_text="proposed_text", proposer="proposer", clause="clause"):
            services.amendment_propose(actor=request.user, version=version, clause=clause, **data)
            messages.success(request, _("已登记修改建议。"))
            return redirect(back)
    return form_page(request, form, title=_("登记修改建议"), back=back)


@login_required
@require_POST
def amendment_accept(request: HttpRequest, amendment_id: int) -> HttpResponse:
    amendment = selectors.amendment_get(actor=request.user, amendment_id=amendment_id)
    with message_errors(request):
        services.amendment_accept(actor=request.user, amendment=amendment, note=request.POST.get("note", ""))
        messages.success(request, _("已采纳修改建议，条文已写入草案。"))
    return redirect("governance:version", version_id=amendment.version_id)


@login_required
def amendment_reject(request: HttpRequest, amendment_id: int) -> HttpResponse:
    amendment = selectors.amendment_get(actor=request.user, amendment_id=amendment_id)
    form = forms.ReasonForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.amendment_reject(actor=request.user, amendment=amendment, **d),
        success=_("已不采纳该修改建议。"),
        title=_("不采纳修改建议"),
        back=reverse("governance:version", args=[amendment.version_id]),
        submit=_("不采纳"),
    )


@login_required
@require_GET
def version_diff(request: HttpRequest, version_id: int, other_id: int) -> HttpResponse:
    first, second, result = selectors.version_diff(
        actor=request.user, first_id=version_id, second_id=other_id
    )
    return render(
        request,
        "governance/diff.html",
        {"first": first, "second": second, "diff": result, "document": first.document},
    )


@login_required
@require_GET
def version_diff_pdf(request: HttpRequest, version_id: int, other_id: int) -> HttpResponse:
    first, second, result = selectors.version_diff(
        actor=request.user, first_id=version_id, second_id=other_id
    )
    response = HttpResponse(files.diff_pdf(first, second, result), content_type="application/pdf")
    name = f"diff-v{first.number}-v{second.number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def document_import(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, DRAFT)
    form = forms.ImportForm(post_data(request), request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(
            form, source="file", adopted_note="adopted_note", draft_exists="adopted_note", kind="kind"
        ):
            upload = data["file"]
            parsed = parse_upload(upload.name, upload.read()) if upload else parse_text(data["text"])
            version = services.version_import(
                actor=request.user,
                unit=data["unit"],
                kind=data["kind"],
                parsed=parsed,
                title=data["title"],
                adopted_note=data["adopted_note"],
                source=upload.name if upload else _("粘贴的文本"),
            )
            note = _("已导入%(n)d条。") % {"n": len(parsed.clauses)}
            if parsed.renumbered:
                pairs = "、".join(_("原第%(a)s条→第%(b)s条") % {"a": a, "b": b} for a, b in parsed.renumbered)
                note += _("原文编号不连续，已按顺序重新编号：%(pairs)s，请核对。") % {"pairs": pairs}
            messages.success(request, note)
            return redirect("governance:version", version_id=version.pk)
    return form_page(
        request,
        form,
        title=_("导入已有文本"),
        help=_("从Word文件或粘贴的全文中按“第一章”“第一条”识别章和条。导入后请逐条核对。"),
        back=reverse("governance:home"),
        submit=_("导入"),
    )
