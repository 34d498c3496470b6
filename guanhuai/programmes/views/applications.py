"""Application, review, notice and grievance pages.

- `home` is "审核待办" (the review desk; the home page `/` is "我的待办"): what waits for the actor (review per level, notices to open or close, objections,
  grievances), the awaiting-my-review list with filters, checkboxes and bulk pass/return, and the per-item
  results after a bulk action.
- An application page shows the person (ID masked), the documents (upload from a phone camera), the timeline
  of every decision, notice and objection, and only the buttons the actor may use now.
- Documents are streamed by a view after scoping, never from a public media URL.

Thin: selectors read, services write; a DomainError becomes a message on the page; anything outside the
actor's scope is a 404 like a missing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.audit.services import log
from guanhuai.core.web import form_errors, message_errors, page_of, post_data, private_file
from guanhuai.orgs.models import OrgUnit
from guanhuai.programmes import notices as notice_documents
from guanhuai.programmes.forms import applications as forms
from guanhuai.programmes.models import Application, Programme, PublicNotice
from guanhuai.programmes.permissions import APPLY, HANDLE_GRIEVANCES, MANAGE_NOTICES, VIEW
from guanhuai.programmes.selectors import applications as sel
from guanhuai.programmes.selectors.programmes import visible_q
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.services import notices
from guanhuai.programmes.states import (
    ApplicationStatus,
    Decision,
    NoticeStatus,
    ObjectionStatus,
    Step,
)
from guanhuai.registry import selectors as registry_selectors
from guanhuai.registry.permissions import VIEW_PERSONS

PAGE_SIZE = 50
SEARCH_LIMIT = 20


def _page(request: HttpRequest, qs: Any) -> Any:
    return page_of(request, qs, size=PAGE_SIZE)


def _application(request: HttpRequest, pk: int) -> Application:
    return sel.application_get(actor=request.user, application_id=pk)


def _notice(request: HttpRequest, pk: int) -> PublicNotice:
    return sel.notice_get(actor=request.user, notice_id=pk)


def _programmes(request: HttpRequest, perm: str = VIEW) -> Any:
    return Programme.objects.filter(visible_q(request.user, perm), active=True).order_by("name")


def _villages(request: HttpRequest, perm: str = VIEW) -> Any:
    return scoping.units(request.user, perm).filter(level="village").order_by("path")[:300]


def _label_steps(applications: Any) -> Any:
    """`step` is a plain code on the model (a programme defines its own steps): give each row its label."""
    labels = dict(Step.choices)
    for a in applications:
        a.step_label = str(labels.get(a.step, a.step))
    return applications


def _to_detail(application: Application) -> HttpResponse:
    return redirect("programmes:application_detail", application.pk)


# --- 审核待办 -------------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The work queue. POST is the bulk review of the checked applications; the page is shown again with
    one result per application."""
    user = request.user
    queue = sel.work_queue(actor=user)
    programmes = _programmes(request)
    villages = _villages(request)
    filters = forms.QueueFilterForm(request.GET or None, programmes=programmes, villages=villages)
    f = sel.ApplicationFilters(awaiting_me=True)
    if filters.is_valid():
        data = filters.cleaned_data
        f.step, f.programme, f.village, f.q = data["step"], data["programme"], data["village"], data["q"]
    results = None
    bulk = forms.BulkReviewForm(post_data(request))
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        if bulk.is_valid():
            with message_errors(request):
                results = svc.applications_review_bulk(
                    actor=user,
                    ids=ids,
                    decision=bulk.cleaned_data["decision"],
                    comment=bulk.cleaned_data["comment"],
                )
                done = sum(1 for r in results if r.ok)
                messages.info(
                    request,
                    _("已处理 %(ok)d 份，%(bad)d 份未处理（原因见下表）。")
                    % {"ok": done, "bad": len(results) - done},
                )
                queue = sel.work_queue(actor=user)
    page = _label_steps(_page(request, sel.application_list(actor=user, filters=f)))
    return render(
        request,
        "programmes/home.html",
        {
            "queue": queue,
            "filters": filters,
            "page": page,
            "bulk": forms.BulkReviewForm() if results is not None else bulk,
            "results": results,
            "can_apply": scoping.can_anywhere(user, APPLY),
            "can_notice": scoping.can_anywhere(user, MANAGE_NOTICES),
            "can_grieve": scoping.can_anywhere(user, HANDLE_GRIEVANCES),
            "notice_form": forms.NoticeOpenForm(),
        },
    )


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    filters = forms.ApplicationFilterForm(
        request.GET or None, programmes=_programmes(request), villages=_villages(request)
    )
    f = sel.ApplicationFilters()
    if filters.is_valid():
        d = filters.cleaned_data
        f = sel.ApplicationFilters(
            status=d["status"], step=d["step"], programme=d["programme"], village=d["village"], q=d["q"]
        )
    page = _label_steps(_page(request, sel.application_list(actor=request.user, filters=f)))
    return render(request, "programmes/application_list.html", {"filters": filters, "page": page})


# --- one application ------------------------------------------------------------------------------------


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    """Search a person in the clerk's villages (name, pinyin or full ID), pick one, choose the programme."""
    scoping.require_anywhere(request.user, APPLY)
    if request.method == "POST" and request.POST.get("search"):
        # The search is POSTed and redirected, a full ID number replaced by its blind-index token, so the
        # number never goes into a URL (server logs, browser history).
        token = registry_selectors.id_search_token(request.POST.get("q", ""))
        return redirect(f"{reverse('programmes:application_create')}?{urlencode({'q': token})}")
    q = request.GET.get("q", "").strip()
    candidates = []
    if q:
        filters = registry_selectors.PersonFilters(q=q)
        candidates = list(
            registry_selectors.person_list(actor=request.user, filters=filters, perm=APPLY)[:SEARCH_LIMIT]
        )
    person = None
    person_id = request.POST.get("person") or request.GET.get("person")
    if person_id:
        person = registry_selectors.person_get(actor=request.user, person_id=person_id, perm=APPLY)
    form = forms.ApplicationForm(
        post_data(request),
        programmes=_programmes(request, APPLY),
        initial={"person": person.pk if person else None, "programme": request.GET.get("programme")},
    )
    if request.method == "POST" and form.is_valid() and person is not None:
        with form_errors(form):
            application, created = svc.application_create(
                actor=request.user,
                programme=form.cleaned_data["programme"],
                person=person,
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
            if not created:  # a double click or a resent form: the first application, nothing new
                messages.info(request, _("这份申请已经保存过，没有重复录入。"))
            elif getattr(application, "eligible_now", None) is False:
                messages.warning(
                    request,
                    _("已保存。注意：按当前资格条件，%(name)s 暂不符合，请在申请理由中说明情况。")
                    % {"name": person.name},
                )
            else:
                messages.success(request, _("申请已保存为草稿，请上传材料后提交。"))
            return _to_detail(application)
    return render(
        request,
        "programmes/application_form.html",
        {
            "form": form,
            "q": q,
            "q_shown": "" if registry_selectors.ID_TOKEN.match(q) else q,
            "candidates": candidates,
            "person": person,
            "searched": bool(q),
        },
    )


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _label_steps([_application(request, pk)])[0]
    actions = sel.available_actions(actor=request.user, application=application)
    decisions = [d for d in Decision.values if actions.get(d)]
    return render(
        request,
        "programmes/application_detail.html",
        {
            "a": application,
            "actions": actions,
            "documents": application.documents.select_related("uploaded_by"),
            "missing": svc.missing_documents(application),
            "timeline": sel.application_timeline(application),
            "decisions": application.decisions.select_related("reviewer"),
            "objections": application.objections.select_related("recorded_by", "resolved_by"),
            "grievances": application.grievances.all(),
            "eligible": svc.eligible_now(application.programme, application.person),
            "checks": svc.eligibility_checks(application.programme, application.person),
            "can_see_person": scoping.can(request.user, VIEW_PERSONS, application.person.org_unit),
            "document_form": forms.DocumentForm(),
            "review_form": forms.ReviewForm(decisions=decisions) if decisions else None,
            "withdraw_form": forms.WithdrawForm(),
            "notice_form": forms.NoticeOpenForm(
                initial={"programme": application.programme_id, "village": application.org_unit_id}
            ),
        },
    )


def _act(request: HttpRequest, application: Application, fn: Any, ok: str, **kwargs: Any) -> HttpResponse:
    with message_errors(request):
        fn(actor=request.user, application=application, **kwargs)
        messages.success(request, ok)
    return _to_detail(application)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    return _act(request, application, svc.application_submit, _("已提交审核。"))


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤回原因。"))
        return _to_detail(application)
    return _act(
        request, application, svc.application_withdraw, _("申请已撤回。"), reason=form.cleaned_data["reason"]
    )


@login_required
@require_POST
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A review decision; on success the reviewer lands on the next application waiting for them at the
    same step ("下一条"), or back on the review desk filtered to that step when there is none."""
    application = _application(request, pk)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结论。"))
        return _to_detail(application)
    decision = form.cleaned_data["decision"]
    labels = {
        Decision.PASS: _("已审核通过。"),
        Decision.RETURN: _("已退回村级修改。"),
        Decision.REFUSE: _("已作出不予批准的决定。"),
    }
    step = application.step
    with message_errors(request) as refused:
        svc.application_review(
            actor=request.user,
            application=application,
            decision=decision,
            comment=form.cleaned_data["comment"],
        )
    if refused.error:
        return _to_detail(application)
    done = _("%(name)s：%(result)s") % {"name": application.person.name, "result": labels[decision]}
    following = sel.next_awaiting(actor=request.user, step=step, exclude=application.pk)
    if following is None:
        messages.success(request, _("%(done)s本环节已没有其他待您审核的申请。") % {"done": done})
        return redirect(f"{reverse('programmes:home')}?{urlencode({'step': step})}")
    messages.success(request, _("%(done)s下一条：%(name)s。") % {"done": done, "name": following.person.name})
    return _to_detail(following)


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = forms.DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return _to_detail(application)
    return _act(
        request,
        application,
        svc.application_document_add,
        _("材料已上传。"),
        kind=form.cleaned_data["kind"],
        upload=form.cleaned_data["file"],
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    """Stream a document after scoping (never a public media URL); each viewing is recorded."""
    application = _application(request, pk)
    document = sel.document_get(actor=request.user, application=application, document_id=doc)
    log(
        application,
        "programmes.document.viewed",
        actor=request.user,
        org_unit=application.org_unit,
        data={"document": document.pk, "file_name": document.file_name},
    )
    return private_file(
        request, document.file.open("rb"), content_type=document.content_type, filename=document.file_name
    )


# --- notices ------------------------------------------------------------------------------------------


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    status = request.GET.get("status", "")
    if status not in NoticeStatus.values:
        status = ""
    to_close = request.GET.get("to_close") == "1"
    page = _page(request, sel.notice_list(actor=request.user, status=status, to_close=to_close))
    return render(
        request,
        "programmes/notice_list.html",
        {
            "page": page,
            "status": status,
            "to_close": to_close,
            "statuses": NoticeStatus.choices,
            "to_notice": sel.awaiting_notice(actor=request.user),
        },
    )


@login_required
@require_POST
def notice_open(request: HttpRequest) -> HttpResponse:
    form = forms.NoticeOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写公示开始日期。"))
        return redirect("programmes:notice_list")
    d = form.cleaned_data
    try:
        unit = scoping.units(request.user, MANAGE_NOTICES).get(pk=d["village"])
        programme = Programme.objects.filter(visible_q(request.user, MANAGE_NOTICES)).get(pk=d["programme"])
    except (OrgUnit.DoesNotExist, Programme.DoesNotExist):
        raise Http404(_("未找到该记录，或您无权访问。"))
    with message_errors(request):
        notice = notices.notice_open(
            actor=request.user, programme=programme, org_unit=unit, opens_on=d["opens_on"]
        )
        messages.success(request, _("公示已发布，请打印张贴。"))
        return redirect("programmes:notice_detail", notice.pk)
    return redirect("programmes:notice_list")


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice with its applications and objections; recording an objection (POST) while it is open."""
    notice = _notice(request, pk)
    applications = list(notice.applications.select_related("person").order_by("pk"))
    in_notice = [a for a in applications if a.status == ApplicationStatus.IN_PUBLIC_NOTICE]
    can_manage = scoping.can(request.user, MANAGE_NOTICES, notice.org_unit)
    rows = {r.application_id: r for r in sel.notice_rows(notice, paper=True)}
    closable_on = notices.notice_closable_on(notice)
    form = forms.ObjectionForm(post_data(request), applications=in_notice)
    if request.method == "POST":
        if not can_manage:
            raise Http404(_("未找到该页面，或您无权访问。"))
        if form.is_valid():
            d = form.cleaned_data
            application = next(a for a in in_notice if a.pk == d["application"])
            with form_errors(form):
                notices.objection_record(
                    actor=request.user,
                    notice=notice,
                    application=application,
                    content=d["content"],
                    raised_by=d["raised_by"],
                    contact=d["contact"],
                    received_on=d["received_on"],
                )
                messages.success(request, _("异议已登记，请核实后处理。"))
                return redirect("programmes:notice_detail", notice.pk)
    return render(
        request,
        "programmes/notice_detail.html",
        {
            "notice": notice,
            "applications": [(a, rows.get(a.pk)) for a in applications],
            "objections": sel.objection_list(actor=request.user, notice=notice).order_by("received_on", "id")
            if can_manage
            else notice.objections.none(),
            "can_manage": can_manage,
            "form": form,
            "resolve_form": forms.ObjectionResolveForm(),
            "how_to_object": sel.how_to_object(notice),
            "open": notice.status == NoticeStatus.OPEN,
            "objection_open": ObjectionStatus.OPEN,
            "closable_on": closable_on,
            "can_close": can_manage and notices.notice_may_close(notice),
            "takes_objections": notices.notice_takes_objections(notice),
            "close_form": forms.NoticeCloseForm(auto_id="close_%s"),
        },
    )


@login_required
@require_POST
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    if not forms.NoticeCloseForm(request.POST).is_valid():
        messages.error(request, _("请先阅读并勾选结束公示的确认。"))
        return redirect("programmes:notice_detail", notice.pk)
    with message_errors(request):
        notices.notice_close(actor=request.user, notice=notice)
        messages.success(request, _("公示已结束；无异议的申请已转入下一环节。"))
    return redirect("programmes:notice_detail", notice.pk)


@login_required
@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    content = notice_documents.notice_pdf(notice)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = sel.objection_get(actor=request.user, objection_id=pk)
    form = forms.ObjectionResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理结论并填写处理意见。"))
    else:
        with message_errors(request):
            notices.objection_resolve(
                actor=request.user,
                objection=objection,
                upheld=form.cleaned_data["upheld"],
                resolution=form.cleaned_data["resolution"],
            )
            messages.success(request, _("异议已处理。"))
    return redirect("programmes:notice_detail", objection.notice_id)
