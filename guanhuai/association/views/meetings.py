"""Volunteer and health-commission pages: teams and volunteers with their service hours; joint meetings
with their action items; delegated tasks with their status. Thin, on the core/web.py kit."""

from __future__ import annotations

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
from guanhuai.association.permissions import MANAGE_MEETINGS, MANAGE_VOLUNTEERS, VIEW
from guanhuai.association.selectors import meetings as selectors
from guanhuai.association.states import DELEGATED_TRANSITIONS, ActionStatus, DelegatedStatus
from guanhuai.core.web import form_action, form_errors, form_page, message_errors, page_of, post_data

PAGE_SIZE = 50


def _units(request: HttpRequest, perm: str, *, above_village: bool = False):  # type: ignore[no-untyped-def]
    units = scoping.units(request.user, perm).filter(closed_on__isnull=True).order_by("path")
    return units.exclude(level="village") if above_village else units


@login_required
@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    return render(
        request,
        "association/volunteers/list.html",
        {
            "teams": selectors.team_list(actor=request.user),
            "page": page_of(request, selectors.volunteer_list(actor=request.user), size=PAGE_SIZE),
            "can_manage": scoping.can_anywhere(request.user, MANAGE_VOLUNTEERS),
        },
    )


@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_VOLUNTEERS)
    form = forms.TeamForm(post_data(request), units=_units(request, MANAGE_VOLUNTEERS))
    return form_action(
        request,
        form,
        lambda d: services.volunteer_team_create(actor=request.user, **d),
        success=lambda d: _("已成立志愿者队伍“%(name)s”。") % {"name": d["name"]},
        title=_("新建志愿者队伍"),
        back=reverse("association:volunteers"),
    )


@login_required
def volunteer_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_VOLUNTEERS)
    form = forms.VolunteerForm(
        post_data(request),
        units=_units(request, MANAGE_VOLUNTEERS),
        teams=selectors.team_list(actor=request.user),
    )
    return form_action(
        request,
        form,
        lambda d: services.volunteer_add(actor=request.user, **d),
        success=lambda d: _("已登记志愿者%(name)s。") % {"name": d["name"]},
        done=lambda volunteer: reverse("association:volunteer", args=[volunteer.pk]),
        title=_("登记志愿者"),
        back=reverse("association:volunteers"),
    )


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer's service record, and the form to add a stint of service."""
    volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=pk)
    can_manage = scoping.can(request.user, MANAGE_VOLUNTEERS, volunteer.org_unit)
    form = forms.ServiceForm(post_data(request) if can_manage else None)
    if request.method == "POST" and can_manage and form.is_valid():
        with form_errors(form, served_on="served_on", hours="hours"):
            services.volunteer_service_record(actor=request.user, volunteer=volunteer, **form.cleaned_data)
            messages.success(request, _("已记录志愿服务。"))
            return redirect("association:volunteer", volunteer.pk)
    return render(
        request,
        "association/volunteers/detail.html",
        {
            "volunteer": volunteer,
            "services": volunteer.services.order_by("-served_on", "-pk")[:100],
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    return render(
        request,
        "association/meetings/list.html",
        {
            "page": page_of(request, selectors.meeting_list(actor=request.user), size=PAGE_SIZE),
            "tasks": [
                (
                    task,
                    [
                        (s, DelegatedStatus(s).label)
                        for s in DelegatedStatus.values
                        if s in DELEGATED_TRANSITIONS[task.status]
                    ],
                )
                for task in selectors.delegated_list(actor=request.user)
            ],
            "can_manage": scoping.can_anywhere(request.user, MANAGE_MEETINGS),
            "today": timezone.localdate(),
        },
    )


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_MEETINGS)
    form = forms.MeetingForm(post_data(request), units=_units(request, MANAGE_MEETINGS, above_village=True))
    if request.method == "POST" and form.is_valid():
        actions = form.actions()
        if not form.errors:
            d = form.cleaned_data
            with form_errors(form, held_on="held_on", actions="action_0"):
                meeting = services.meeting_record(
                    actor=request.user,
                    org_unit=d["org_unit"],
                    held_on=d["held_on"],
                    title=d["title"],
                    attendees=d["attendees"],
                    minutes=d["minutes"],
                    decisions=d["decisions"],
                    actions=actions,
                )
                messages.success(request, _("已记录联席会议。"))
                return redirect("association:meeting", meeting.pk)
    return form_page(request, form, title=_("记录联席会议"), back=reverse("association:meetings"))


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=pk)
    return render(
        request,
        "association/meetings/detail.html",
        {
            "meeting": meeting,
            "actions": meeting.actions.order_by("due_on", "pk"),
            "can_manage": scoping.can(request.user, MANAGE_MEETINGS, meeting.org_unit),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.action_get(actor=request.user, action_id=pk)
    status = request.POST.get("status", "")
    with message_errors(request):
        services.action_item_close(actor=request.user, item=item, status=status)
        messages.success(
            request,
            _("事项“%(title)s”：%(status)s。") % {"title": item.title, "status": ActionStatus(status).label},
        )
    return redirect("association:meeting", item.meeting_id)


@login_required
def delegated_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_MEETINGS)
    form = forms.DelegatedForm(post_data(request), units=_units(request, MANAGE_MEETINGS, above_village=True))
    return form_action(
        request,
        form,
        lambda d: services.delegated_task_create(actor=request.user, **d),
        success=_("已登记承接事项。"),
        done=reverse("association:meetings"),
        title=_("登记承接事项"),
        back=reverse("association:meetings"),
    )


@login_required
@require_POST
def delegated_move(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.delegated_get(actor=request.user, task_id=pk)
    status = request.POST.get("status", "")
    with message_errors(request):
        services.delegated_task_move(actor=request.user, task=task, status=status)
        messages.success(
            request,
            _("承接事项“%(title)s”：%(status)s。")
            % {"title": task.title, "status": DelegatedStatus(status).label},
        )
    return redirect("association:meetings")
