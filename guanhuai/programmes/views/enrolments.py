"""Enrolment pages: the scoped list with filters, one enrolment with its history and entitlements, the
state-change forms (suspend, resume, exit, keep after a flag), the flagged list for the county approver, and
starting an annual re-confirmation (a job with a progress bar). Thin: selectors read, services write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanhuai.accounts import scoping
from guanhuai.audit.actions import describe
from guanhuai.core.web import form_errors, page_of, post_data
from guanhuai.orgs import selectors as org_selectors
from guanhuai.programmes.forms import enrolments as forms
from guanhuai.programmes.models import Enrolment
from guanhuai.programmes.periods import month_label
from guanhuai.programmes.permissions import MANAGE_ENROLMENTS, VIEW
from guanhuai.programmes.selectors import enrolments as selectors
from guanhuai.programmes.services import enrolments as services
from guanhuai.programmes.states import EnrolmentStatus, FlagReason

PAGE_SIZE = 50
VILLAGE_DROPDOWN_LIMIT = 300


def _get(request: HttpRequest, pk: int) -> Enrolment:
    return selectors.enrolment_get(actor=request.user, enrolment_id=pk)


def _page(request: HttpRequest, qs: Any) -> Any:
    return page_of(request, qs, size=PAGE_SIZE)


def _payment_history_url(person_id: int) -> str | None:
    """The payment history page belongs to the cycles pages; linked only once its URL exists."""
    try:
        return reverse("programmes:payment_history", args=[person_id])
    except NoReverseMatch:
        return None


def _labels(enrolment: Enrolment) -> None:
    enrolment.start_label = month_label(enrolment.start_month)  # type: ignore[attr-defined]
    enrolment.end_label = month_label(enrolment.end_month) if enrolment.end_month is not None else ""  # type: ignore[attr-defined]


@login_required
@require_GET
def enrolment_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    villages = selectors.village_choices(actor=request.user, limit=VILLAGE_DROPDOWN_LIMIT)
    form = forms.EnrolmentFilterForm(
        request.GET,
        programmes=selectors.programme_choices(actor=request.user),
        units=villages if len(villages) < VILLAGE_DROPDOWN_LIMIT else None,
    )
    page = None
    if form.is_valid():
        d = form.cleaned_data
        unit = None
        if d["unit"]:
            with form_errors(form, default="unit"):
                unit = org_selectors.unit_get_by_code(actor=request.user, code=d["unit"].strip(), perm=VIEW)
        if not form.errors:
            qs = selectors.enrolment_list(
                actor=request.user,
                filters=selectors.EnrolmentFilters(
                    programme=d["programme"], status=d["status"], flag=d["flag"], unit=unit, q=d["q"]
                ),
            )
            page = _page(request, qs)
            for e in page:
                _labels(e)
    return render(
        request,
        "programmes/enrolment_list.html",
        {
            "form": form,
            "page": page,
            "can_manage": scoping.can_anywhere(request.user, MANAGE_ENROLMENTS),
        },
    )


@login_required
@require_GET
def enrolment_flagged(request: HttpRequest) -> HttpResponse:
    """The county approver's queue: enrolments a re-confirmation flagged, oldest flag first."""
    scoping.require_anywhere(request.user, MANAGE_ENROLMENTS)
    programmes = selectors.programme_choices(actor=request.user)
    programme = programmes.filter(pk=request.GET.get("programme") or 0).first()
    flag = request.GET.get("flag", "")
    flag = flag if flag in FlagReason.values else ""
    qs = selectors.flagged_list(actor=request.user, programme=programme, flag=flag)
    counts = selectors.flag_counts(actor=request.user, programme=programme)
    return render(
        request,
        "programmes/enrolment_flagged.html",
        {
            "page": _page(request, qs),
            "programmes": programmes,
            "programme": programme,
            "flag": flag,
            "flags": FlagReason.choices,
            "counts": [(v, label, counts.get(v, 0)) for v, label in FlagReason.choices],
        },
    )


@login_required
@require_GET
def enrolment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _get(request, pk)
    can_manage = scoping.can(request.user, MANAGE_ENROLMENTS, enrolment.org_unit)
    open_ = enrolment.status != EnrolmentStatus.EXITED
    history = selectors.enrolment_history(enrolment=enrolment)
    for h in history:
        h.description = describe(h.action)  # type: ignore[attr-defined]
        flag = (h.data or {}).get("flag")
        h.flag_label = FlagReason(flag).label if flag in FlagReason.values else flag  # type: ignore[attr-defined]
    _labels(enrolment)
    return render(
        request,
        "programmes/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "history": history,
            "start_label": enrolment.start_label,  # type: ignore[attr-defined]
            "end_label": enrolment.end_label,  # type: ignore[attr-defined]
            "summary": selectors.entitlement_summary(enrolment=enrolment),
            "payment_history_url": _payment_history_url(enrolment.person_id),
            "can_suspend": can_manage and enrolment.status == EnrolmentStatus.ACTIVE,
            "can_resume": can_manage and enrolment.status == EnrolmentStatus.SUSPENDED,
            "can_exit": can_manage and open_,
            "can_clear_flag": can_manage and bool(enrolment.flag),
        },
    )


def _action(
    request: HttpRequest,
    pk: int,
    *,
    form_class: Any,
    title: str,
    submit: str,
    run: Any,
    done: str,
    form_kw: Callable[[Enrolment], dict[str, Any]] = lambda e: {},
) -> HttpResponse:
    """One state-change page: the form, then the service, back to `next` (an enrolments page) or the
    enrolment."""
    _safe_next(request)
    enrolment = _get(request, pk)
    if not scoping.can(request.user, MANAGE_ENROLMENTS, enrolment.org_unit):
        raise Http404(_("未找到该页面，或您无权访问。"))
    form = form_class(post_data(request), **form_kw(enrolment))
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            run(enrolment, form.cleaned_data)
            messages.success(request, done)
            return redirect(request.POST.get("next") or reverse("programmes:enrolment_detail", args=[pk]))
    return render(
        request,
        "programmes/enrolment_form.html",
        {
            "enrolment": enrolment,
            "form": form,
            "title": title,
            "submit": submit,
            "next": request.GET.get("next", ""),
        },
    )


def _safe_next(request: HttpRequest) -> None:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and not nxt.startswith("/programmes/enrolments/"):
        raise Http404(_("未找到该页面，或您无权访问。"))


@login_required
def enrolment_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=forms.SuspendForm,
        title=_("暂停享受"),
        submit=_("确认暂停"),
        done=_("已暂停享受，自该月起停发。"),
        run=lambda e, d: services.enrolment_suspend(
            actor=request.user, enrolment=e, reason=d["reason"], from_month=d["from_month"]
        ),
    )


@login_required
def enrolment_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=forms.ResumeForm,
        title=_("恢复享受"),
        submit=_("确认恢复"),
        done=_("已恢复享受，下一发放周期起发放。"),
        run=lambda e, d: services.enrolment_resume(actor=request.user, enrolment=e, note=d["note"]),
    )


@login_required
def enrolment_exit(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=forms.ExitForm,
        form_kw=lambda e: {"flag": e.flag},  # a flagged enrolment proposes the flag as the exit reason
        title=_("退出享受"),
        submit=_("确认退出"),
        done=_("已办理退出。"),
        run=lambda e, d: services.enrolment_exit(
            actor=request.user, enrolment=e, reason=d["reason"], exited_on=d["exited_on"], note=d["note"]
        ),
    )


@login_required
def enrolment_flag_clear(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=forms.FlagClearForm,
        title=_("核实后保留享受资格"),
        submit=_("确认保留"),
        done=_("已保留享受资格，复核提示已清除。"),
        run=lambda e, d: services.enrolment_flag_clear(actor=request.user, enrolment=e, note=d["note"]),
    )


@login_required
def reconfirm(request: HttpRequest) -> HttpResponse:
    """Start an annual re-confirmation for one programme; the job page shows its progress and counts."""
    scoping.require_anywhere(request.user, MANAGE_ENROLMENTS)
    form = forms.ReconfirmForm(post_data(request), programmes=selectors.programme_choices(actor=request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form):
            job, _created = services.reconfirmation_submit(
                actor=request.user,
                programme=d["programme"],
                as_of=d["as_of"],
                idempotency_key=f"form:{request.user.pk}:{d['idempotency_key']}",
            )
            return redirect("jobs:detail", job.pk)
    return render(
        request,
        "programmes/enrolment_reconfirm.html",
        {"form": form, "flagged_url": reverse("programmes:enrolment_flagged")},
    )
