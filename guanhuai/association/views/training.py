"""Training pages: courses, sessions and enrolment; the trainer's sign-in page with the code and its QR code; the
attendee's sign-in page on a phone (no login); certificates and their public check (no login); trainers; the
figures per branch per year."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.association import selectors, services
from guanhuai.association.documents_training import certificate_pdf as render_certificate
from guanhuai.association.forms.training import (
    CourseEditForm,
    CourseForm,
    EnrolForm,
    EnrolmentCancelForm,
    FiguresForm,
    SessionForm,
    SignInForm,
    TrainerEditForm,
    TrainerForm,
    VerifyForm,
)
from guanhuai.association.models_training import CourseSession, SignInCode, TrainingTopic
from guanhuai.association.permissions import MANAGE_TRAINING, VIEW_TRAINING
from guanhuai.association.states import SignInVia, TrainerKind
from guanhuai.audit.services import log
from guanhuai.core.errors import ValidationError
from guanhuai.core.masking import mask_name
from guanhuai.core.web import (
    form_action,
    form_errors,
    form_page,
    message_errors,
    page_of,
    post_data,
    qr_code,
    refusal,
)
from guanhuai.orgs.models import Level

PAGE_SIZE = 30
# levels a course is organised at, and a trainer belongs to: not the national root
UNIT_LEVELS = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]


def _units(request: HttpRequest, perm: str) -> Any:
    return scoping.units(request.user, perm).filter(level__in=UNIT_LEVELS).order_by("path")


# --- courses ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW_TRAINING)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    state = request.GET.get("state", "")
    state = state if state in selectors.COURSE_STATES else ""
    courses = selectors.course_list(
        actor=request.user, year=year, topic=request.GET.get("topic", ""), state=state
    )
    return render(
        request,
        "association/training/course_list.html",
        {
            "page": page_of(request, courses, size=PAGE_SIZE),
            "year": year,
            "state": state,
            "topic": request.GET.get("topic", ""),
            "topics": selectors.topic_list(),
            "can_manage": scoping.can_anywhere(request.user, MANAGE_TRAINING),
        },
    )


@login_required
def course_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_TRAINING)
    form = CourseForm(
        post_data(request),
        units=_units(request, MANAGE_TRAINING),
        topics=selectors.topic_list(),
        trainers=selectors.trainer_list(actor=request.user),
    )
    return form_action(
        request,
        form,
        lambda d: services.course_create(actor=request.user, **form.values()),
        success=lambda d: _("已开设培训班“%(t)s”。") % {"t": d["title"]},
        done=lambda course: reverse("association:course", args=[course.pk]),
        title=_("开设培训班"),
        back=reverse("association:training"),
    )


@login_required
@require_GET
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_get(actor=request.user, course_id=course_id)
    can_manage = scoping.can(request.user, MANAGE_TRAINING, course.org_unit)
    return render(
        request,
        "association/training/course_detail.html",
        {
            "course": course,
            "sessions": selectors.session_list(course),
            "enrolments": selectors.enrolment_list(course),
            "trainers": course.trainers.all(),
            "can_manage": can_manage,
            "today": timezone.localdate(),
            "now": timezone.now(),
        },
    )


@login_required
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_get(actor=request.user, course_id=course_id, perm=MANAGE_TRAINING)
    initial = {
        f: getattr(course, f)
        for f in ("title", "level", "starts_on", "ends_on", "hours", "capacity", "place")
    }
    initial |= {"topic": course.topic_id, "trainers": list(course.trainers.values_list("pk", flat=True))}
    form = CourseEditForm(
        post_data(request),
        topics=selectors.topic_list() | TrainingTopic.objects.filter(pk=course.topic_id),
        trainers=selectors.trainer_list(actor=request.user),
        initial=initial,
    )
    return form_action(
        request,
        form,
        lambda d: services.course_update(actor=request.user, course=course, **form.values()),
        success=lambda d: _("已修改培训班“%(t)s”。") % {"t": d["title"]},
        title=_("修改培训班"),
        subtitle=course.org_unit.name,
        back=reverse("association:course", args=[course.pk]),
    )


@login_required
def enrolment_cancel(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = selectors.enrolment_get(actor=request.user, enrolment_id=enrolment_id, perm=MANAGE_TRAINING)
    course = enrolment.course
    form = EnrolmentCancelForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.enrolment_cancel(actor=request.user, enrolment=enrolment, reason=d["reason"]),
        errors={"attended": "reason"},
        success=_("已取消%(n)s的报名。") % {"n": enrolment.name},
        title=_("取消报名"),
        subtitle=f"{course.title} · {enrolment.name}",
        back=reverse("association:course", args=[course.pk]),
    )


@login_required
def session_create(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_get(actor=request.user, course_id=course_id, perm=MANAGE_TRAINING)
    form = SessionForm(post_data(request), initial={"day": course.starts_on})
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        with form_errors(form, ends_at="ends", starts_at="day", hours="hours"):
            services.session_add(
                actor=request.user,
                course=course,
                starts_at=starts_at,
                ends_at=ends_at,
                title=form.cleaned_data["title"],
                hours=form.cleaned_data["hours"],
            )
            messages.success(request, _("已添加课次。"))
            return redirect("association:course", course.pk)
    return form_page(
        request,
        form,
        title=_("添加课次"),
        subtitle=course.title,
        back=reverse("association:course", args=[course.pk]),
    )


@login_required
def course_enrol(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_get(actor=request.user, course_id=course_id, perm=MANAGE_TRAINING)
    form = EnrolForm(
        post_data(request), cadres=list(selectors.enrolable_cadres(actor=request.user, course=course))
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form, people="cadres", members="card_nos"):
            members = (
                selectors.enrolable_members(
                    actor=request.user, course=course, card_nos=form.cleaned_data["card_nos"]
                )
                if form.cleaned_data["card_nos"]
                else []
            )
            made = services.enrol(
                actor=request.user, course=course, cadres=form.chosen_cadres(), members=members
            )
            messages.success(request, _("已报名%(n)d人；每人的个人签到码见名单。") % {"n": len(made)})
            return redirect("association:course", course.pk)
    return form_page(
        request,
        form,
        title=_("报名"),
        subtitle=course.title,
        help=_("可从本协会及下级协会的干部中勾选，或输入会员证号。名额%(cap)d人。")
        % {"cap": course.capacity},
        submit=_("报名"),
        back=reverse("association:course", args=[course.pk]),
    )


@login_required
@require_POST
def certificates_issue(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_get(actor=request.user, course_id=course_id, perm=MANAGE_TRAINING)
    with message_errors(request):
        n = services.certificates_issue(actor=request.user, course=course)
        messages.success(request, _("已颁发%(n)d张培训证书。") % {"n": n})
    return redirect("association:course", course.pk)


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, certificate_id: int) -> HttpResponse:
    cert = selectors.certificate_get(actor=request.user, certificate_id=certificate_id)
    url = request.build_absolute_uri(reverse("association:certificate_verify")) + f"?code={cert.code}"
    content = render_certificate(cert, verify_url=url)
    log(
        cert,
        "association.certificate.downloaded",
        actor=request.user,
        org_unit=cert.enrolment.course.org_unit,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.code}.pdf"'
    return response


# --- the trainer's sign-in page ----------------------------------------------------------------------------


def _panel(
    request: HttpRequest, session: CourseSession, code: SignInCode | None, error: str = ""
) -> dict[str, Any]:
    now = timezone.now()
    qr_url = request.build_absolute_uri(reverse("association:sign_in_qr", args=[code.token])) if code else ""
    return {
        "session": session,
        "code": code,
        "qr": qr_code(qr_url) if code else "",
        "qr_url": qr_url,
        "sign_in_url": request.build_absolute_uri(reverse("association:sign_in")),
        "over": now > session.ends_at,
        "error": error,
        "seconds_left": max(0, int((code.expires_at - now).total_seconds())) if code else 0,
    }


@login_required
@require_GET
def session_signin(request: HttpRequest, session_id: int) -> HttpResponse:
    """The page the trainer puts on the projector or holds up: the code in large digits and as a QR code,
    renewed before it runs out, and who has signed in so far."""
    session = selectors.session_get(actor=request.user, session_id=session_id, perm=MANAGE_TRAINING)
    now = timezone.now()
    live = SignInCode.objects.filter(session=session, expires_at__gt=now).order_by("-issued_at").first()
    enrolments = selectors.enrolment_list(session.course, session=session)
    return render(
        request,
        "association/training/session_signin.html",
        {
            **_panel(request, session, live),
            "course": session.course,
            "enrolments": enrolments,
            "present": sum(1 for e in enrolments if getattr(e, "present", False)),
        },
    )


@login_required
@require_POST
def session_code(request: HttpRequest, session_id: int) -> HttpResponse:
    """The code panel (htmx, every half minute while sign-in is open): the live code, or a new one in its last
    minute. Without htmx the button posts here and comes back to the page."""
    session = selectors.session_get(actor=request.user, session_id=session_id, perm=MANAGE_TRAINING)
    code = None
    with refusal() as refused:
        code = services.signin_code_current(actor=request.user, session=session)
    error = str(refused.error) if refused.error else ""
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect("association:session_signin", session.pk)
    return render(request, "association/training/_code_panel.html", _panel(request, session, code, error))


@login_required
@require_POST
def attendance_record(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(actor=request.user, session_id=session_id, perm=MANAGE_TRAINING)
    with message_errors(request):
        enrolment = (
            selectors.enrolment_list(session.course).filter(pk=request.POST.get("enrolment") or 0).first()
        )
        if enrolment is None:
            raise ValidationError(_("该学员没有报名本培训班。"), code="enrolment")
        services.attendance_record(actor=request.user, session=session, enrolment=enrolment)
        messages.success(request, _("已为%(n)s补登签到。") % {"n": enrolment.name})
    return redirect("association:session_signin", session.pk)


# --- the attendee's sign-in (no login) --------------------------------------------------------------------


def _sign_in(request: HttpRequest, *, token: str = "") -> HttpResponse:
    code = selectors.signin_code_public(token) if token else None
    form = SignInForm(post_data(request), with_word=not token)
    done = None
    if request.method == "POST" and form.is_valid():
        with form_errors(form, unknown_code="word", personal_code="personal_code", foreign="personal_code"):
            found = code or services.signin_code_find(word=form.cleaned_data["word"].strip())
            attendance = services.attendance_sign_in(
                code=found,
                personal_code=form.cleaned_data["personal_code"],
                via=SignInVia.QR if token else SignInVia.WORD,
            )
            done = {
                "name": mask_name(attendance.enrolment.name),
                "course": found.session.course.title,
                "session": found.session,
                "at": attendance.signed_at,
            }
    return render(
        request,
        "association/training/sign_in.html",
        {"form": form, "code": code, "done": done, "token": token},
        status=200,
    )


def sign_in(request: HttpRequest) -> HttpResponse:
    """Typed: the six digits on the trainer's screen and the attendee's personal code."""
    return _sign_in(request)


def sign_in_qr(request: HttpRequest, token: str) -> HttpResponse:
    """Scanned: the QR code carries the session's code, so only the personal code is asked for."""
    return _sign_in(request, token=token)


# --- the public certificate check ----------------------------------------------------------------------------


@require_GET
def certificate_verify(request: HttpRequest) -> HttpResponse:
    """Anyone may check a certificate: the masked name, the course and the dates. An unknown code and a
    malformed one get the same neutral answer; the page is rate-limited like other public lookups."""
    form = VerifyForm(request.GET if "code" in request.GET else None)
    result, checked = None, False
    if form.is_bound and form.is_valid():
        checked = True
        result = selectors.certificate_verify(form.cleaned_data["code"])
    return render(
        request,
        "association/training/verify.html",
        {"form": form, "result": result, "checked": checked},
    )


# --- trainers and figures -------------------------------------------------------------------------------


@login_required
@require_GET
def trainer_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW_TRAINING)
    kind = request.GET.get("kind", "")
    kind = kind if kind in TrainerKind.values else ""
    page = page_of(request, selectors.trainer_list(actor=request.user, kind=kind), size=PAGE_SIZE)
    return render(
        request,
        "association/training/trainer_list.html",
        {
            "page": page,
            "editable": {t.pk for t in page if scoping.can(request.user, MANAGE_TRAINING, t.org_unit)},
            "kind": kind,
            "kinds": TrainerKind.choices,
            "today": timezone.localdate(),
            "can_manage": scoping.can_anywhere(request.user, MANAGE_TRAINING),
        },
    )


@login_required
def trainer_edit(request: HttpRequest, trainer_id: int) -> HttpResponse:
    trainer = selectors.trainer_get(actor=request.user, trainer_id=trainer_id, perm=MANAGE_TRAINING)
    form = TrainerEditForm(
        post_data(request),
        initial={
            f: getattr(trainer, f) for f in ("kind", "name", "qualified_on", "valid_until", "certificate_no")
        },
    )
    return form_action(
        request,
        form,
        lambda d: services.trainer_update(actor=request.user, trainer=trainer, **d),
        success=lambda d: _("已修改%(n)s的培训师资格。") % {"n": d["name"]},
        title=_("修改培训师资格"),
        subtitle=trainer.org_unit.name,
        back=reverse("association:trainers"),
    )


@login_required
def trainer_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_TRAINING)
    form = TrainerForm(post_data(request), units=_units(request, MANAGE_TRAINING))
    return form_action(
        request,
        form,
        lambda d: services.trainer_create(actor=request.user, **d),
        success=_("已登记培训师资格。"),
        title=_("登记培训师资格"),
        back=reverse("association:trainers"),
    )


@login_required
@require_GET
def training_figures(request: HttpRequest) -> HttpResponse:
    """Per branch per year: cadres trained, hours per cadre, the share trained at least N hours. `unit`
    drills down one level."""
    scoping.require_anywhere(request.user, VIEW_TRAINING)
    year = timezone.localdate().year
    form = FiguresForm(
        request.GET if "year" in request.GET else None,
        initial={"year": year, "min_hours": settings.GUANHUAI_TRAINING_MIN_HOURS},
    )
    min_hours = None
    if form.is_bound and form.is_valid():
        year, min_hours = form.cleaned_data["year"], form.cleaned_data["min_hours"]
    unit = None
    if request.GET.get("unit"):
        unit = scoping.unit_or_404(request.user, VIEW_TRAINING, request.GET["unit"])
    figures = selectors.training_figures(actor=request.user, year=year, unit=unit, min_hours=min_hours)
    return render(
        request,
        "association/training/figures.html",
        {"form": form, "figures": figures, "parent": figures.unit.parent if unit is not None else None},
    )
