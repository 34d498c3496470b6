"""Cycle, batch and payment pages: the cycle list with generation (a job with a progress bar), the cycle
review screen (totals, by county, the difference from the previous cycle with drill-down, exclusions,
top-ups, approvals), batches with export and result upload (the reconciliation report lists the problem
rows), re-issue, and a person's payment history. Thin: selectors read, services write; a DomainError
becomes a message on the page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core import excel
from guanhuai.core.web import message_errors, page_of
from guanhuai.programmes.forms import cycles as forms
from guanhuai.programmes.models import Cycle, PaymentBatch
from guanhuai.programmes.permissions import APPROVE_CYCLES, GENERATE_CYCLES, PAY, VIEW
from guanhuai.programmes.selectors import cycles as selectors
from guanhuai.programmes.selectors import payments as payment_selectors
from guanhuai.programmes.services import arrears
from guanhuai.programmes.services import cycles as services
from guanhuai.programmes.services import payments as payment_services
from guanhuai.programmes.states import CycleStatus
from guanhuai.registry.models import Person

PAGE_SIZE = 50


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    return selectors.cycle_get(actor=request.user, cycle_id=pk)


def _batch(request: HttpRequest, pk: int) -> PaymentBatch:
    return payment_selectors.batch_get(actor=request.user, batch_id=pk)


def _page(request: HttpRequest, qs: Any) -> Any:
    return page_of(request, qs, size=PAGE_SIZE)


def _try(request: HttpRequest, fn: Any, success: str, **kwargs: Any) -> Any:
    with message_errors(request):
        result = fn(**kwargs)
        messages.success(request, success)
        return result
    return None


# --- cycles ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    programmes = selectors.programmes_visible(actor=request.user).filter(active=True)
    form = forms.CycleFilterForm(request.GET, programmes=programmes)
    qs = selectors.cycle_list(actor=request.user)
    if form.is_valid():
        qs = selectors.cycle_list(
            actor=request.user, programme=form.cleaned_data["programme"], status=form.cleaned_data["status"]
        )
    generate_form = None
    if scoping.can_anywhere(request.user, GENERATE_CYCLES):
        allowed = [p.pk for p in programmes if scoping.can(request.user, GENERATE_CYCLES, p.org_unit)]
        generate_form = forms.CycleGenerateForm(programmes=programmes.filter(pk__in=allowed))
    return render(
        request,
        "programmes/cycle_list.html",
        {"form": form, "page": _page(request, qs), "generate_form": generate_form},
    )


@login_required
@require_POST
def cycle_generate(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, GENERATE_CYCLES)
    programmes = selectors.programmes_visible(actor=request.user)
    form = forms.CycleGenerateForm(request.POST, programmes=programmes)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect("programmes:cycle_list")
    d = form.cleaned_data
    with message_errors(request):
        cycle, created = services.cycle_generate(
            actor=request.user,
            programme=d["programme"],
            period=d["period"],
            idempotency_key=f"form:{request.user.pk}:{d['idempotency_key']}",
            past_reason=d["past_reason"],
        )
        if created:
            messages.success(request, _("发放周期已创建，正在后台生成应发名单。"))
        else:  # a double click or a resent form: the cycle the first one created
            messages.info(request, _("这个发放周期已经创建过，没有重复生成。"))
        return redirect("programmes:cycle_detail", cycle.pk)
    return redirect("programmes:cycle_list")


@login_required
@require_GET
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    user = request.user
    programme = cycle.programme
    summary = (
        selectors.cycle_summary(actor=user, cycle=cycle) if cycle.status != CycleStatus.GENERATING else None
    )
    approvals = list(selectors.approvals(cycle))
    can = {
        "generate": scoping.can(user, GENERATE_CYCLES, programme.org_unit),
        "approve": scoping.can(user, APPROVE_CYCLES, programme.org_unit)
        and cycle.generated_by_id != user.pk
        and all(a.approver_id != user.pk for a in approvals),
        "pay": scoping.can(user, PAY, programme.org_unit),
    }
    context: dict[str, Any] = {
        "cycle": cycle,
        "programme": programme,
        "summary": summary,
        "approvals": approvals,
        "can": can,
        "approve_form": forms.ApproveForm(),
        "top_up_form": forms.TopUpForm(),
        "excluded": selectors.entitlement_list(actor=user, cycle=cycle, status="excluded")[:50],
        "top_ups": selectors.entitlement_list(actor=user, cycle=cycle, kind="top_up")[:50],
        "batches": payment_selectors.batch_list(actor=user, cycle=cycle),
        "missing": payment_selectors.missing_accounts(actor=user, cycle=cycle)[:50]
        if cycle.status != CycleStatus.REVIEW
        else [],
        "failed_count": payment_selectors.failed_entitlements(actor=user, cycle=cycle).count(),
        **_owed_before_first(cycle),
    }
    return render(request, "programmes/cycle_detail.html", context)


def _owed_before_first(cycle: Cycle) -> dict[str, Any]:
    """The report job's count of months owed before the programme's first cycle (services/arrears.py),
    with its sentence, and the job that added them, if one did."""
    owed, _report = arrears.owed_report(cycle)
    if not owed:
        return {}
    return {
        "owed": owed,
        "owed_message": arrears.owed_message(owed),
        "arrears_job": arrears.arrears_job(cycle),
    }


@login_required
@require_POST
def cycle_arrears(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    _try(
        request,
        arrears.cycle_arrears_before_first,
        _("已提交补发首期之前的月份，完成后请刷新本页查看。"),
        actor=request.user,
        cycle=cycle,
    )
    return redirect("programmes:cycle_detail", cycle.pk)


@login_required
@require_GET
def cycle_entitlements(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    form = forms.EntitlementFilterForm(request.GET)
    d = form.cleaned_data if form.is_valid() else {}
    rows: Any
    previous = selectors.previous_cycle(cycle)
    if d.get("diff") and previous is not None:
        rows = (
            selectors.DIFFS[d["diff"]](actor=request.user, cycle=cycle, previous=previous)
            .select_related("person", "org_unit")
            .order_by("org_unit__path", "id")
        )
    else:
        rows = selectors.entitlement_list(
            actor=request.user, cycle=cycle, status=d.get("status", ""), kind=d.get("kind", "")
        )
    return render(
        request,
        "programmes/cycle_entitlements.html",
        {
            "cycle": cycle,
            "form": form,
            "page": _page(request, rows),
            "diff": d.get("diff", ""),
            "previous": previous,
            "can_exclude": cycle.status == CycleStatus.REVIEW
            and scoping.can(request.user, GENERATE_CYCLES, cycle.programme.org_unit),
        },
    )


@login_required
@require_POST
def cycle_approve(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    form = forms.ApproveForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    done = _try(
        request, services.cycle_approve, _("已审批。"), actor=request.user, cycle=cycle, comment=comment
    )
    if done is not None and done.status == CycleStatus.APPROVED:
        messages.info(request, _("审批人数已满，发放周期已锁定，可以生成发放批次。"))
    return redirect("programmes:cycle_detail", cycle.pk)


@login_required
@require_POST
def entitlement_exclude(request: HttpRequest, pk: int) -> HttpResponse:
    entitlement = selectors.entitlement_get(actor=request.user, entitlement_id=pk)
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _try(
        request,
        services.entitlement_exclude,
        _("已剔除 %(name)s 的应发记录。") % {"name": entitlement.person.name},
        actor=request.user,
        entitlement=entitlement,
        reason=reason,
    )
    return redirect("programmes:cycle_entitlements", entitlement.cycle_id)


@login_required
@require_POST
def entitlement_restore(request: HttpRequest, pk: int) -> HttpResponse:
    entitlement = selectors.entitlement_get(actor=request.user, entitlement_id=pk)
    _try(
        request,
        services.entitlement_restore,
        _("已恢复 %(name)s 的应发记录。") % {"name": entitlement.person.name},
        actor=request.user,
        entitlement=entitlement,
    )
    return redirect("programmes:cycle_detail", entitlement.cycle_id)


@login_required
@require_POST
def top_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    form = forms.TopUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写人员编号、补差金额和原因。"))
        return redirect("programmes:cycle_detail", cycle.pk)
    d = form.cleaned_data
    person = scoping.scope(Person.objects.all(), request.user, VIEW).filter(pk=d["person_id"]).first()
    if person is None:
        messages.error(request, _("未找到编号为 %(id)s 的人员，或您无权访问。") % {"id": d["person_id"]})
        return redirect("programmes:cycle_detail", cycle.pk)
    _try(
        request,
        services.top_up_add,
        _("已为 %(name)s 添加补差。") % {"name": person.name},
        actor=request.user,
        cycle=cycle,
        person=person,
        amount=d["amount"],
        reason=d["reason"],
    )
    return redirect("programmes:cycle_detail", cycle.pk)


# --- batches ---------------------------------------------------------------------------------------------


def _make_batches(request: HttpRequest, pk: int, make: Any, made: str, none: str) -> HttpResponse:
    """Run a service that makes the cycle's batches; say how many it made (`made`, with %(n)s) or `none`."""
    cycle = _cycle(request, pk)
    with message_errors(request):
        batches = make(actor=request.user, cycle=cycle)
        if batches:
            messages.success(request, made % {"n": len(batches)})
        else:
            messages.info(request, none)
    return redirect("programmes:cycle_detail", cycle.pk)


@login_required
@require_POST
def batches_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _make_batches(
        request,
        pk,
        payment_services.batches_create,
        made=_("已生成 %(n)s 个发放批次。"),
        none=_("没有可以进入批次的应发记录（已全部生成批次，或缺少银行账户）。"),
    )


@login_required
@require_POST
def batch_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    return _make_batches(
        request,
        pk,
        payment_services.batch_reissue_failed,
        made=_("已生成 %(n)s 个补发批次。"),
        none=_("没有需要补发的失败记录（或其银行账户尚未登记）。"),
    )


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    status = request.GET.get("status", "")
    return render(
        request,
        "programmes/batch_detail.html",
        {
            "batch": batch,
            "cycle": batch.cycle,
            "results": payment_selectors.result_files(batch=batch),
            "page": _page(
                request, payment_selectors.payment_list(actor=request.user, batch=batch, status=status)
            ),
            "status": status,
            "can_pay": scoping.can(request.user, PAY, batch.cycle.programme.org_unit),
            "upload_form": forms.ResultUploadForm(),
        },
    )


@login_required
@require_POST
def batch_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    batch = _batch(request, pk)
    with message_errors(request):
        name, content = payment_services.batch_export(actor=request.user, batch=batch, fmt=fmt)
        response = HttpResponse(
            content, content_type=excel.XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = excel.content_disposition(name, fallback=name)
        return response
    return redirect("programmes:batch_detail", batch.pk)


@login_required
@require_POST
def batch_results(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    form = forms.ResultUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择银行回盘文件。"))
        return redirect("programmes:batch_detail", batch.pk)
    upload = form.cleaned_data["file"]
    with message_errors(request) as refused:
        content = excel.read_upload(upload, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
        known = set(payment_selectors.result_files(batch=batch).values_list("pk", flat=True))
        result = payment_services.batch_import_results(
            actor=request.user, batch=batch, file_name=upload.name or "", content=content
        )
    if refused.error is not None:
        return redirect("programmes:batch_detail", batch.pk)
    if result.pk in known:
        messages.info(request, _("这个回盘文件已导入过，未做任何改动。"))
    else:
        messages.success(
            request,
            _("回盘已导入：成功 %(paid)s 笔，失败 %(failed)s 笔，问题行 %(problems)s 行。")
            % {"paid": result.paid, "failed": result.failed, "problems": len(result.problems)},
        )
    return redirect("programmes:batch_detail", batch.pk)


# --- a person's payment history --------------------------------------------------------------------------


@login_required
@require_GET
def payment_history(request: HttpRequest, person_id: int) -> HttpResponse:
    person = payment_selectors.person_for_history(actor=request.user, person_id=person_id)
    rows = payment_selectors.payment_history(actor=request.user, person=person)
    return render(request, "programmes/payment_history.html", {"person": person, "rows": rows})
