"""Special-family care pages: the coverage report (drill down the tree), the gap list, a family's care page,
adding and ending a coverage, visits (audited when opened) and follow-ups. Thin, on the core/web.py kit.

Names: lists show the household head's name masked (张**); a family's own page, reached by those who
care for it, shows the name, because a liaison must know whom to visit."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.association import services
from guanhuai.association.forms import care as forms
from guanhuai.association.permissions import MANAGE_CARE, VIEW_CARE
from guanhuai.association.selectors import care as selectors
from guanhuai.association.states import CoverageKind
from guanhuai.core.errors import NotFound
from guanhuai.core.masking import mask_name
from guanhuai.core.web import form_action, form_errors, form_page, message_errors, page_of, post_data
from guanhuai.orgs.models import OrgUnit

PAGE_SIZE = 50


def _unit(request: HttpRequest) -> OrgUnit:
    """The branch the page is about: `?unit=` if the actor may see its care, else their own top branch."""
    scoping.require_anywhere(request.user, VIEW_CARE)
    visible = scoping.units(request.user, VIEW_CARE)
    if request.GET.get("unit"):
        try:
            return visible.get(pk=int(request.GET["unit"]))
        except (ValueError, OrgUnit.DoesNotExist):
            raise NotFound(_("未找到该组织，或您无权访问。")) from None
    top = visible.order_by("depth", "path").first()
    if top is None:
        raise NotFound(_("未找到该页面，或您无权访问。"))
    return top


def _gap(request: HttpRequest) -> str:
    gap = request.GET.get("gap") or "none"
    return gap if gap in forms.GAP_LABELS else "none"


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    rows, total = selectors.coverage_report(actor=request.user, unit=unit)
    return render(
        request,
        "association/care/coverage.html",
        {
            "unit": unit,
            "rows": rows,
            "total": total,
            "ancestors": OrgUnit.objects.filter(path__in=unit.ancestor_paths()).filter(
                scoping.path_q(request.user, VIEW_CARE)
            ),
            "gap_labels": forms.GAP_LABELS,
        },
    )


def _family_rows(page: Any) -> list[dict[str, Any]]:
    return [
        {
            "household": h,
            "head": mask_name(h.head.name if h.head else ""),
            "liaison": h.has_liaison,
            "doctor": h.has_doctor,
            "fast_lane": h.has_fast_lane,
        }
        for h in page
    ]


@login_required
@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    gap = _gap(request)
    page = page_of(request, selectors.coverage_gaps(actor=request.user, unit=unit, gap=gap), size=PAGE_SIZE)
    return render(
        request,
        "association/care/gaps.html",
        {
            "unit": unit,
            "gap": gap,
            "gap_label": forms.GAP_LABELS[gap],
            "gap_labels": forms.GAP_LABELS,
            "page": page,
            "families": _family_rows(page),
        },
    )


@login_required
@require_POST
def gaps_export(request: HttpRequest) -> HttpResponse:
    """The gap list as Excel (POST, audited: it lists special families). Names stay masked."""
    unit = _unit(request)
    gap = _gap(request)
    out = io.BytesIO()
    services.care_gaps_export(actor=request.user, unit=unit, gap=gap, out=out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="care-gaps-{unit.code}-{gap}.xlsx"'
    return response


@login_required
@require_GET
def family(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.special_household_get(actor=request.user, household_id=pk)
    arrangements = list(selectors.arrangement_list(actor=request.user, household=household))
    today = timezone.localdate()
    for a in arrangements:
        a.in_force = a.starts_on <= today and (a.ends_on is None or a.ends_on >= today)  # type: ignore[attr-defined]
    return render(
        request,
        "association/care/family.html",
        {
            "household": household,
            "special": household.members.filter(died_on__isnull=True, special_status__in=selectors.SPECIAL),
            "arrangements": arrangements,
            "kinds": CoverageKind.choices,
            "visits": selectors.visit_list(actor=request.user, household=household)[:20],
            "can_manage": scoping.can(request.user, MANAGE_CARE, household.org_unit),
        },
    )


@login_required
def arrangement_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    household = selectors.special_household_get(actor=request.user, household_id=pk)
    if kind not in CoverageKind.values:
        raise NotFound(_("未找到该页面，或您无权访问。"))
    cadres = selectors.liaison_cadres(actor=request.user, household=household)
    form = forms.ArrangementForm(post_data(request), kind=kind, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form, ends_before_start="ends_on", cadre="cadre"):
            services.care_arrangement_add(
                actor=request.user,
                household=household,
                kind=kind,
                starts_on=d["starts_on"],
                ends_on=d.get("ends_on"),
                cadre=d.get("cadre"),
                liaison_level=d.get("liaison_level", ""),
                person_name=d.get("person_name", ""),
                institution=d.get("institution", ""),
                phone=d.get("phone", ""),
            )
            messages.success(request, _("已登记%(kind)s。") % {"kind": CoverageKind(kind).label})
            return redirect("association:care_family", household.pk)
    return form_page(
        request,
        form,
        title=_("登记%(kind)s") % {"kind": CoverageKind(kind).label},
        subtitle=household.address,
        back=reverse("association:care_family", args=[household.pk]),
    )


@login_required
def arrangement_end(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = selectors.arrangement_get(actor=request.user, arrangement_id=pk)
    form = forms.EndForm(post_data(request))
    back = reverse("association:care_family", args=[arrangement.household_id])
    return form_action(
        request,
        form,
        lambda d: services.care_arrangement_end(
            actor=request.user, arrangement=arrangement, ends_on=d["ends_on"]
        ),
        errors={"default": "ends_on"},
        success=_("已结束：%(what)s。") % {"what": arrangement},
        title=_("结束%(kind)s") % {"kind": arrangement.get_kind_display()},
        subtitle=str(arrangement),
        back=back,
        help=_("结束后该家庭自次日起计入相应缺项，记录保留。"),
    )


@login_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.special_household_get(actor=request.user, household_id=pk)
    owners = scoping.holders(VIEW_CARE, household.org_unit, seen_by=request.user).order_by("username")
    form = forms.VisitForm(post_data(request), owners=owners)
    if request.method == "POST" and form.is_valid():
        follow_ups = form.follow_ups()
        if not form.errors:
            d = form.cleaned_data
            with form_errors(
                form, visited_on="visited_on", visitors="visitors", owner="owner_0", due_on="due_0"
            ):
                visit = services.visit_record(
                    actor=request.user,
                    household=household,
                    visited_on=d["visited_on"],
                    visitors=d["visitors"],
                    kind=d["kind"],
                    needs=d["needs"],
                    follow_ups=follow_ups,
                )
                messages.success(request, _("已记录走访。"))
                return redirect("association:care_visit", visit.pk)
    return form_page(
        request,
        form,
        title=_("记录走访慰问"),
        subtitle=household.address,
        back=reverse("association:care_family", args=[household.pk]),
    )


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = services.visit_open(actor=request.user, visit_id=pk)
    return render(
        request,
        "association/care/visit.html",
        {
            "visit": visit,
            "follow_ups": visit.follow_ups.select_related("owner").order_by("due_on"),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get(actor=request.user, follow_up_id=pk)
    form = forms.FollowUpDoneForm(request.POST)
    with message_errors(request):
        services.follow_up_done(
            actor=request.user, follow_up=follow_up, note=form.cleaned_data["note"] if form.is_valid() else ""
        )
        messages.success(request, _("跟进事项已办结。"))
    return redirect("association:care_visit", follow_up.visit_id)


@login_required
@require_GET
def my_follow_ups(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW_CARE)
    return render(
        request,
        "association/care/follow_ups.html",
        {
            "follow_ups": selectors.overdue_follow_ups(actor=request.user).select_related(
                "visit__household__head", "org_unit"
            )
        },
    )
