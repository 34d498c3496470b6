"""Pages of part 1: members, re-registration campaigns, a branch's page (registration, bodies with their
history, cadres), cadres with turnover, Members' Day. Thin, on the core/web.py kit: the object a page is
about comes from a selector (out of scope is the same 404 as missing), writes go through services inside
`form_errors` / `message_errors`."""

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
from django.views.decorators.http import require_POST

from guanhuai.accounts import scoping
from guanhuai.association import selectors, services
from guanhuai.association.forms import members as forms
from guanhuai.association.permissions import MANAGE_BRANCHES, MANAGE_CADRES, MANAGE_MEMBERS, VIEW
from guanhuai.association.states import CampaignStatus, MemberStatus
from guanhuai.core.web import (
    form_action,
    form_errors,
    form_page,
    message_errors,
    page_of,
    post_data,
    xlsx_download,
)
from guanhuai.orgs import selectors as org_selectors
from guanhuai.orgs.models import OrgUnit

PAGE_SIZE = 50


def _unit(request: HttpRequest, unit_id: Any) -> OrgUnit:
    return scoping.unit_or_404(request.user, VIEW, unit_id)


def _unit_to_manage(request: HttpRequest, unit_id: Any, perm: str) -> OrgUnit:
    """A branch the actor may see (else the 404) and do `perm` on (else a 403)."""
    unit = _unit(request, unit_id)
    scoping.require(request.user, perm, unit, visible_perm=VIEW)
    return unit


def _about(unit: OrgUnit) -> dict[str, Any]:
    """The frame of a form page about a branch: its name, and the way back to its page."""
    return {"subtitle": unit.name, "back": reverse("association:unit", args=[unit.pk])}


def _filter_unit(request: HttpRequest) -> OrgUnit | None:
    raw = request.GET.get("unit")
    return _unit(request, raw) if raw else None


# --- members ---------------------------------------------------------------------------------------------------


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    unit = _filter_unit(request)
    form = forms.MemberSearchForm(request.GET)
    d = form.cleaned_data if form.is_valid() else {"q": "", "status": ""}
    rows = selectors.member_list(actor=request.user, unit=unit, status=d["status"], q=d["q"])
    return render(
        request,
        "association/members/member_list.html",
        {"form": form, "unit": unit, "page": page_of(request, rows, size=PAGE_SIZE)},
    )


@login_required
@require_POST
def member_export(request: HttpRequest) -> HttpResponse:
    """A POST: the export is written to the audit log (who exported which list, how many rows)."""
    scoping.require_anywhere(request.user, VIEW)
    raw = request.POST.get("unit")
    unit = _unit(request, raw) if raw else None
    status = request.POST.get("status", "")
    out = io.BytesIO()
    services.members_export(
        actor=request.user, out=out, unit=unit, status=status if status in MemberStatus.values else ""
    )
    return xlsx_download(out.getvalue(), "会员名单.xlsx")


@login_required
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get(actor=request.user, member_id=member_id)
    return render(
        request,
        "association/members/member_detail.html",
        {
            "member": member,
            "history": selectors.member_history(member),
            "can_manage": member.status == MemberStatus.ACTIVE
            and scoping.can(request.user, MANAGE_MEMBERS, member.org_unit),
            "can_reinstate": member.status == MemberStatus.LAPSED
            and scoping.can(request.user, MANAGE_MEMBERS, member.org_unit),
        },
    )


@login_required
def member_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_to_manage(request, unit_id, MANAGE_MEMBERS)
    form = forms.MemberForm(post_data(request), groups=selectors.group_list(actor=request.user, unit=unit))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(
            form,
            default=None,
            id_number_format="id_number",
            id_number_date="id_number",
            id_number_checksum="id_number",
            id_number="id_number",
            already_member="id_number",
            person="id_number",
            name="name",
            joined_on="joined_on",
            group="group",
        ):
            person = (
                selectors.person_by_id_number(actor=request.user, number=d["id_number"])
                if d["id_number"]
                else None
            )
            member = services.member_create(
                actor=request.user,
                org_unit=unit,
                kind=d["kind"],
                person=person,
                name=d["name"],
                joined_on=d["joined_on"],
                group=d["group"],
            )
            messages.success(
                request,
                _("已登记会员 %(name)s，会员证号 %(card)s。") % {"name": member.name, "card": member.card_no},
            )
            return redirect("association:member", member.pk)
    return form_page(
        request,
        form,
        title=_("登记会员"),
        **_about(unit),
    )


@login_required
def member_withdraw(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get(actor=request.user, member_id=member_id)
    form = forms.WithdrawForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.member_withdraw(actor=request.user, member=member, on=d["on"], reason=d["reason"]),
        title=_("退会"),
        subtitle=member.name,
        back=reverse("association:member", args=[member.pk]),
        danger=True,
    )


@login_required
@require_POST
def member_reinstate(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get(actor=request.user, member_id=member_id)
    with message_errors(request):
        services.member_reinstate(actor=request.user, member=member)
        messages.success(request, _("已恢复 %(name)s 的会籍。") % {"name": member.name})
    return redirect("association:member", member.pk)


@login_required
def member_transfer(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get(actor=request.user, member_id=member_id)
    form = forms.TransferForm(post_data(request))

    def transfer(d: dict[str, Any]) -> Any:
        to_unit = org_selectors.unit_get_by_code(actor=request.user, code=d["to_code"], perm=VIEW)
        return services.member_transfer(actor=request.user, member=member, to_unit=to_unit, on=d["on"])

    return form_action(
        request,
        form,
        transfer,
        errors={"to_unit": "to_code", "already_member": "to_code", "default": "to_code"},
        done=lambda moved: reverse("association:member", args=[moved.pk]),
        title=_("会员转出"),
        subtitle=member.name,
        back=reverse("association:member", args=[member.pk]),
    )


@login_required
def group_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_to_manage(request, unit_id, MANAGE_MEMBERS)
    active = selectors.member_list(actor=request.user, unit=unit, status=MemberStatus.ACTIVE).filter(
        org_unit=unit
    )
    form = forms.GroupForm(post_data(request), members=active)
    return form_action(
        request,
        form,
        lambda d: services.member_group_create(actor=request.user, org_unit=unit, **d),
        title=_("建立会员小组"),
        **_about(unit),
    )


@login_required
def group_leader(request: HttpRequest, group_id: int) -> HttpResponse:
    """Change a member group's leader: any active member of the group's branch."""
    group = selectors.group_get(actor=request.user, group_id=group_id)
    scoping.require(request.user, MANAGE_MEMBERS, group.org_unit, visible_perm=VIEW)
    active = selectors.member_list(
        actor=request.user, unit=group.org_unit, status=MemberStatus.ACTIVE
    ).filter(org_unit=group.org_unit)
    form = forms.LeaderForm(post_data(request), members=active, initial={"leader": group.leader_id})
    return form_action(
        request,
        form,
        lambda d: services.member_group_set_leader(actor=request.user, group=group, leader=d["leader"]),
        success=_("已更新“%(name)s”的组长。") % {"name": group.name},
        title=_("更换组长"),
        subtitle=f"{group.org_unit.name} · {group.name}",
        back=reverse("association:unit", args=[group.org_unit_id]),
    )


@login_required
def members_day_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    unit = _filter_unit(request)
    return render(
        request,
        "association/members/members_day.html",
        {
            "page": page_of(
                request, selectors.members_day_list(actor=request.user, unit=unit), size=PAGE_SIZE
            ),
            "unit": unit,
        },
    )


@login_required
def members_day_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_to_manage(request, unit_id, MANAGE_MEMBERS)
    form = forms.MembersDayForm(post_data(request), initial={"title": _("5·29会员活动日")})
    return form_action(
        request,
        form,
        lambda d: services.members_day_record(actor=request.user, org_unit=unit, **d),
        done=reverse("association:members_day") + f"?unit={unit.pk}",
        title=_("登记会员活动日活动"),
        **_about(unit),
    )


# --- campaigns -------------------------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    campaigns = list(selectors.campaign_list(actor=request.user)[:50])
    # A village chair goes straight to their own village's roll.
    own = [
        u for u in scoping.units(request.user, MANAGE_MEMBERS).filter(level="village").order_by("path")[:20]
    ]
    rows = [(c, [v for v in own if v.path.startswith(c.org_unit.path)]) for c in campaigns]
    return render(request, "association/members/campaign_list.html", {"rows": rows})


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's progress one level at a time (?within=<branch> drills down), paged, so a county's
    campaign is a short list of townships on a phone rather than every village."""
    campaign = selectors.campaign_get(actor=request.user, campaign_id=campaign_id)
    raw = request.GET.get("within")
    within = _unit(request, raw) if raw else None
    if within is not None and (
        within.pk == campaign.org_unit_id or not within.path.startswith(campaign.org_unit.path)
    ):
        within = None
    rows = selectors.campaign_progress_below(actor=request.user, campaign=campaign, within=within)
    # The branches between the campaign's and the one shown, for the breadcrumb.
    between = [p for p in within.ancestor_paths() if len(p) > len(campaign.org_unit.path)] if within else []
    trail = list(scoping.units(request.user, VIEW).filter(path__in=between).order_by("path"))
    return render(
        request,
        "association/members/campaign_detail.html",
        {
            "campaign": campaign,
            "within": within,
            "trail": trail,
            "page": page_of(request, rows, size=20),
            "total": sum(p.total for p in rows),
            "confirmed": sum(p.confirmed for p in rows),
            "can_close": campaign.status == CampaignStatus.OPEN
            and timezone.localdate() > campaign.deadline
            and scoping.can(request.user, MANAGE_MEMBERS, campaign.org_unit),
            "can_confirm": scoping.can_anywhere(request.user, MANAGE_MEMBERS),
        },
    )


@login_required
def campaign_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_to_manage(request, unit_id, MANAGE_MEMBERS)
    form = forms.CampaignForm(
        post_data(request), initial={"title": _("%(y)d年会员再登记") % {"y": timezone.localdate().year}}
    )
    return form_action(
        request,
        form,
        lambda d: services.campaign_open(actor=request.user, org_unit=unit, **d),
        done=lambda campaign: reverse("association:campaign", args=[campaign.pk]),
        title=_("发起会员再登记"),
        **_about(unit),
    )


@login_required
@require_POST
def campaign_close(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, campaign_id=campaign_id)
    with message_errors(request):
        job = services.campaign_close_submit(actor=request.user, campaign=campaign)
        return redirect("jobs:detail", job.pk)
    return redirect("association:campaign", campaign.pk)


@login_required
def campaign_village(request: HttpRequest, campaign_id: int, unit_id: int) -> HttpResponse:
    """A village chair's page on a phone: the village's roll, every unconfirmed member ticked, one button."""
    campaign = selectors.campaign_get(actor=request.user, campaign_id=campaign_id)
    village = _unit(request, unit_id)
    roll = list(selectors.campaign_roll(actor=request.user, campaign=campaign, village=village))
    if request.method == "POST":
        with message_errors(request):
            n = services.campaign_confirm(
                actor=request.user,
                campaign=campaign,
                village=village,
                member_ids=[int(v) for v in request.POST.getlist("member") if v.isdigit()],
            )
            messages.success(request, _("已确认 %(n)d 名会员。") % {"n": n})
        return redirect("association:campaign_village", campaign.pk, village.pk)
    open_ = campaign.status == CampaignStatus.OPEN and timezone.localdate() <= campaign.deadline
    return render(
        request,
        "association/members/campaign_village.html",
        {
            "campaign": campaign,
            "village": village,
            "todo": [e for e in roll if e.confirmed_at is None],
            "done": [e for e in roll if e.confirmed_at is not None],
            "can_confirm": open_ and scoping.can(request.user, MANAGE_MEMBERS, village),
        },
    )


# --- a branch: registration, bodies, cadres ------------------------------------------------------------------


@login_required
def unit_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    user = request.user
    return render(
        request,
        "association/members/unit.html",
        {
            "unit": unit,
            "registration": selectors.registration_get(actor=request.user, unit=unit),
            "bodies": selectors.body_list(actor=user, unit=unit),
            "cadres": selectors.cadre_list(actor=user, unit=unit, current=False).filter(org_unit=unit),
            "counts": selectors.member_counts(actor=user, unit=unit),
            "groups": selectors.group_list(actor=user, unit=unit),
            "associations": selectors.association_list(actor=user, unit=unit)[:50],
            "children": scoping.units(user, VIEW, within=unit.path)
            .filter(parent=unit)
            .order_by("path")[:100],
            "can_branch": scoping.can(user, MANAGE_BRANCHES, unit),
            "can_members": scoping.can(user, MANAGE_MEMBERS, unit),
            "can_cadres": scoping.can(user, MANAGE_CADRES, unit),
        },
    )


@login_required
def registration_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_to_manage(request, unit_id, MANAGE_BRANCHES)
    reg = selectors.registration_get(actor=request.user, unit=unit)
    initial = {f: getattr(reg, f) for f in forms.RegistrationForm.base_fields} if reg else {}
    form = forms.RegistrationForm(post_data(request), initial=initial)
    return form_action(
        request,
        form,
        lambda d: services.registration_save(actor=request.user, org_unit=unit, **d),
        title=_("协会登记信息"),
        **_about(unit),
    )


@login_required
def term_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_to_manage(request, unit_id, MANAGE_BRANCHES)
    form = forms.TermForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.body_term_open(actor=request.user, org_unit=unit, **d),
        title=_("产生新一届"),
        **_about(unit),
        help=_("新一届产生后，上一届于前一日届满，其成员同日离任。"),
    )


@login_required
def seat_create(request: HttpRequest, body_id: int) -> HttpResponse:
    body = selectors.body_get(actor=request.user, body_id=body_id)
    form = forms.SeatForm(post_data(request), initial={"designated_on": body.started_on})
    return form_action(
        request,
        form,
        lambda d: services.seat_designate(actor=request.user, body=body, **d),
        title=_("任职"),
        subtitle=str(body),
        back=reverse("association:unit", args=[body.org_unit_id]),
    )


@login_required
def seat_cease(request: HttpRequest, seat_id: int) -> HttpResponse:
    seat = selectors.seat_get(actor=request.user, seat_id=seat_id)
    form = forms.CeaseForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.seat_cease(actor=request.user, seat=seat, ceased_on=d["ceased_on"]),
        errors={"default": "ceased_on"},
        title=_("离任"),
        subtitle=str(seat),
        back=reverse("association:unit", args=[seat.org_unit_id]),
    )


# --- cadres ----------------------------------------------------------------------------------------------------


@login_required
def cadre_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    user = request.user
    unit = _filter_unit(request) or scoping.units(user, VIEW).order_by("depth", "path").first()
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1980), timezone.localdate().year)
    vacant = None
    if request.GET.get("vacant") and scoping.can_anywhere(user, MANAGE_CADRES):
        vacant = list(selectors.townships_without_full_time_cadre(actor=user, perm=MANAGE_CADRES)[:200])
    return render(
        request,
        "association/members/cadre_list.html",
        {
            "unit": unit,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            "turnover": selectors.cadre_turnover(actor=user, unit=unit, year=year) if unit else [],
            "page": page_of(request, selectors.cadre_list(actor=user, unit=unit), size=PAGE_SIZE),
            "vacant": vacant,
            "can_manage": scoping.can_anywhere(user, MANAGE_CADRES),
        },
    )


@login_required
def cadre_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_to_manage(request, unit_id, MANAGE_CADRES)
    form = forms.CadreForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.cadre_appoint(actor=request.user, org_unit=unit, **d),
        title=_("登记干部"),
        **_about(unit),
    )


@login_required
def cadre_leave(request: HttpRequest, cadre_id: int) -> HttpResponse:
    cadre = selectors.cadre_get(actor=request.user, cadre_id=cadre_id)
    form = forms.LeaveForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.cadre_leave(actor=request.user, cadre=cadre, **d),
        errors={"default": "left_on"},
        title=_("干部离任"),
        subtitle=cadre.name,
        back=reverse("association:unit", args=[cadre.org_unit_id]),
    )


@login_required
def unit_index(request: HttpRequest) -> HttpResponse:
    """The actor's own (top) branch page."""
    scoping.require_anywhere(request.user, VIEW)
    top = scoping.units(request.user, VIEW).order_by("depth", "path").first()
    if top is None:
        return redirect("association:home")
    return redirect("association:unit", top.pk)
