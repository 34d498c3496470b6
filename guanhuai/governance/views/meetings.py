"""The meetings' pages, phone first for the village clerk at the meeting: the meeting (roll, notice, motions
and their tallies, closing, minutes), the sign-in page with the live quorum banner (htmx), the notice slips
with each person's code. Thin, on the core/web.py kit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.errors import ValidationError
from guanhuai.core.masking import mask_name
from guanhuai.core.web import form_errors, form_page, message_errors, page_of, post_data, qr_code, refusal
from guanhuai.governance import assembly_rules, selectors, services
from guanhuai.governance.forms import meetings as forms
from guanhuai.governance.models import Meeting
from guanhuai.governance.permissions import RUN_MEETINGS, VIEW
from guanhuai.governance.states import MeetingKind, MeetingStatus, MotionStatus, VoteChoice, VoteMode
from guanhuai.registry import selectors as registry_selectors


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, RUN_MEETINGS)
    form = forms.MeetingForm(post_data(request), actor=request.user)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, unit="unit", kind="kind"):
            meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
            return redirect("governance:meeting", meeting_id=meeting.pk)
    return form_page(request, form, title=_("新建会议"), back=reverse("governance:home"))


def _meeting_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    rules = assembly_rules.rules_for(meeting.kind)
    motions = list(selectors.motion_list(meeting=meeting, with_log=True))
    return {
        "meeting": meeting,
        "rules": rules,
        "quorum": selectors.quorum(meeting),
        "motions": motions,
        "can_run": scoping.can(request.user, RUN_MEETINGS, meeting.unit),
        "composition": selectors.composition(unit=meeting.unit)
        if meeting.kind == MeetingKind.REPRESENTATIVES_MEETING
        else [],
        "request_check": selectors.request_check(meeting=meeting),
        "notice_days": services.notice_days(meeting, meeting.notice_at) if meeting.notice_at else None,
        "convene_form": forms.ConveneForm(),
        "open_form": forms.OpenForm(
            initial={"chair_name": meeting.chair_name, "recorder_name": meeting.recorder_name}
        ),
        "motion_form": forms.MotionForm(),
        "tally_form": forms.TallyForm(),
        "correction_form": forms.CorrectionForm(),
        "minutes_form": forms.MinutesForm(initial={"minutes": meeting.minutes}),
        "Status": MeetingStatus,
        "MotionStatus": MotionStatus,
        "VoteMode": VoteMode,
    }


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    return render(request, "governance/meetings/meeting.html", _meeting_context(request, meeting))


def _back(meeting: Meeting) -> HttpResponse:
    return redirect("governance:meeting", meeting_id=meeting.pk)


def _button(
    service: str,
    *,
    on: str = "meeting",
    form: type[Any] | None = None,
    done: Callable[[Any], str] | Promise | None = None,
    missing: Promise | None = None,
) -> Callable[..., HttpResponse]:
    """One button of the meeting page, as a view: the meeting (or motion, `on=`) read through scoping, the
    form's data (if any) given to `services.<service>`, its refusal or `done` (a sentence, or made from the
    service's result) as a message, and back to the meeting. An invalid form says `missing`."""

    @login_required
    @require_POST
    def view(request: HttpRequest, **ids: int) -> HttpResponse:
        if on == "motion":
            target: Any = selectors.motion_get(actor=request.user, motion_id=ids["motion_id"])
            meeting = target.meeting
        else:
            target = meeting = selectors.meeting_get(actor=request.user, meeting_id=ids["meeting_id"])
        bound = form(request.POST) if form is not None else None
        with message_errors(request):
            if bound is not None and not bound.is_valid():
                if missing:
                    messages.error(request, str(missing))
                return _back(meeting)
            data = bound.cleaned_data if bound is not None else {}
            if "votes_invalid" in data:
                data = {**data, "votes_invalid": data["votes_invalid"] or 0}
            result = getattr(services, service)(actor=request.user, **{on: target}, **data)
            if done is not None:
                messages.success(request, done(result) if callable(done) else str(done))
        return _back(meeting)

    view.__name__ = view.__qualname__ = service
    return view


roll_build = _button("roll_build", done=lambda n: _("已按会议日期生成名册：应到%(n)s人。") % {"n": n})
meeting_convene = _button(
    "meeting_convene",
    form=forms.ConveneForm,
    done=gettext_lazy("会议通知已发出。"),
    missing=gettext_lazy("请填写会议议程。"),
)
meeting_open = _button(
    "meeting_open",
    form=forms.OpenForm,
    done=gettext_lazy("会议已开始。"),
    missing=gettext_lazy("请填写主持人和记录人。"),
)
meeting_close = _button("meeting_close", done=gettext_lazy("会议已闭会，表决结果已锁定。"))
minutes_approve = _button("minutes_approve", form=forms.MinutesForm, done=gettext_lazy("已确认会议记录。"))
motion_create = _button("motion_create", form=forms.MotionForm)
motion_voting_open = _button("motion_voting_open", on="motion")
motion_correct = _button(
    "tally_correct",
    on="motion",
    form=forms.CorrectionForm,
    done=gettext_lazy("已更正计票，原记录保留在更正记录中。"),
    missing=gettext_lazy("请填写更正后的票数。"),
)


@login_required
@require_POST
def motion_tally(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = selectors.motion_get(actor=request.user, motion_id=motion_id)
    with message_errors(request):
        if motion.mode == VoteMode.ROLL_CALL:
            motion = services.roll_call_tally(actor=request.user, motion=motion)
        else:
            form = forms.TallyForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("请填写赞成、反对、弃权票数。"))
                return _back(motion.meeting)
            data = {**form.cleaned_data, "votes_invalid": form.cleaned_data["votes_invalid"] or 0}
            motion = services.tally_record(actor=request.user, motion=motion, **data)
        messages.success(
            request,
            _("议题“%(title)s”%(status)s。")
            % {"title": motion.title, "status": MotionStatus(motion.status).label},
        )
    return _back(motion.meeting)


# --- a roll call, person by person ------------------------------------------------------------------------


@login_required
@require_GET
def roll_call_page(request: HttpRequest, motion_id: int) -> HttpResponse:
    """The clerk's phone during a roll call: those present (searchable), each with 赞成 / 反对 / 弃权, the
    votes so far; the meeting page then counts them into the motion's result."""
    motion = selectors.motion_get(actor=request.user, motion_id=motion_id, perm=RUN_MEETINGS)
    q = request.GET.get("q", "").strip()
    page = page_of(request, selectors.roll_call(motion=motion, q=q), size=20)
    counts = selectors.roll_call_counts(motion=motion)
    return render(
        request,
        "governance/meetings/roll_call.html",
        {
            "motion": motion,
            "meeting": motion.meeting,
            "page": page,
            "q": q,
            "counts": counts,
            "cast": sum(counts.values()),
            "choices": VoteChoice.choices,
            "open": motion.status == MotionStatus.VOTING and motion.mode == VoteMode.ROLL_CALL,
        },
    )


@login_required
@require_POST
def roll_call_vote(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = selectors.motion_get(actor=request.user, motion_id=motion_id, perm=RUN_MEETINGS)
    with message_errors(request):
        vote = services.vote_cast(
            actor=request.user,
            motion=motion,
            entry_id=request.POST.get("entry") or None,
            choice=request.POST.get("choice", ""),
        )
        messages.success(
            request,
            _("%(name)s：%(choice)s") % {"name": vote.entry.name, "choice": VoteChoice(vote.choice).label},
        )
    url = reverse("governance:roll_call", args=[motion.pk])
    q = request.POST.get("q", "").strip()
    return redirect(f"{url}?{urlencode({'q': q})}" if q else url)


# --- the sign-in page ----------------------------------------------------------------------------------------


def _signin_context(
    request: HttpRequest, meeting: Meeting, *, q: str = "", error: str = "", done: Any = None
) -> dict[str, Any]:
    rows = selectors.roll(meeting=meeting, q=q)[:10] if q else []
    return {
        "meeting": meeting,
        "quorum": selectors.quorum(meeting),
        "q": q,
        "rows": rows,
        "error": error,
        "done": done,
        "recent": selectors.recent_sign_ins(meeting=meeting),
        "open": meeting.status in (MeetingStatus.CONVENED, MeetingStatus.OPEN, MeetingStatus.VOTING),
    }


@login_required
@require_GET
def sign_in_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Search by name or pinyin, or type or scan a person's code (the slip's QR code opens this page with
    `?code=`, and the clerk confirms)."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, perm=RUN_MEETINGS)
    q = request.GET.get("q", "").strip()
    code = request.GET.get("code", "").strip()
    context = _signin_context(request, meeting, q=q or code)
    context["code"] = code
    template = (
        "governance/meetings/_signin_results.html"
        if request.headers.get("HX-Request")
        else "governance/meetings/signin.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def sign_in(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, perm=RUN_MEETINGS)
    done = None
    with refusal() as refused:
        entry, _state = services.sign_in(
            actor=request.user,
            meeting=meeting,
            entry_id=request.POST.get("entry") or None,
            code=request.POST.get("code", ""),
        )
        done = {"name": entry.name, "household": entry.for_household}
    meeting.refresh_from_db()
    context = _signin_context(request, meeting, error=refused.message or "", done=done)
    if request.headers.get("HX-Request"):
        return render(request, "governance/meetings/_signin_after.html", {**context, "oob": True})
    if refused.message:
        messages.error(request, refused.message)
    return redirect("governance:sign_in", meeting_id=meeting.pk)


@login_required
@require_GET
def quorum_banner(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    return render(
        request, "governance/meetings/_quorum.html", {"meeting": meeting, "quorum": selectors.quorum(meeting)}
    )


@login_required
@require_GET
def notice_slips(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The slips handed out with the notice: each person's name (masked) and code, as digits and a QR code
    that opens the clerk's sign-in page with the code filled in."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, perm=RUN_MEETINGS)
    page = page_of(request, selectors.roll(meeting=meeting), size=20)
    base = request.build_absolute_uri(reverse("governance:sign_in", args=[meeting.pk]))
    slips = [
        {
            "name": mask_name(e.name),
            "code": e.code,
            "qr": qr_code(f"{base}?code={e.code}", box_size=6),
        }
        for e in page
    ]
    return render(
        request, "governance/meetings/slips.html", {"meeting": meeting, "page": page, "slips": slips}
    )


# --- the representatives' meeting: its members and the composition checks ---------------------------------


@login_required
def representatives(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A village's representatives' meeting: the composition checks of art. 25 with their explanations, the
    current members, registering one (found by ID number in the village's registry), the villager groups."""
    unit = scoping.unit_or_404(request.user, VIEW, unit_id)
    can_run = scoping.can(request.user, RUN_MEETINGS, unit)
    form = forms.DelegateForm(post_data(request))
    if request.method == "POST" and can_run and form.is_valid():
        data = form.cleaned_data
        with form_errors(form, person="id_number", delegate_exists="id_number"):
            person = registry_selectors.person_by_id_number(actor=request.user, id_number=data["id_number"])
            if person is None or person.org_unit_id != unit.pk:
                raise ValidationError(_("本村户籍中没有这个身份证号。"), code="person")
            services.delegate_add(
                actor=request.user,
                unit=unit,
                person=person,
                role=data["role"],
                started_on=data["started_on"],
                households=data["households"],
            )
            messages.success(request, _("已登记%(name)s。") % {"name": person.name})
            return redirect("governance:representatives", unit_id=unit.pk)
    return render(
        request,
        "governance/meetings/representatives.html",
        {
            "unit": unit,
            "composition": selectors.composition(unit=unit),
            "delegates": list(selectors.delegates(unit=unit)),
            "groups": selectors.groups(unit=unit),
            "can_run": can_run,
            "form": form,
        },
    )
