"""Writes of a course's attendance: the short-lived sign-in codes (a code word and its QR code) a trainer's
page shows, an attendee's sign-in on their own phone (the one write here without a logged-in actor: the
code on the trainer's screen plus the attendee's personal code from enrolment), attendance the trainer
records by hand, and the certificates with their verification codes. Why the personal code, and the
windows, are in docs/association.md ("Training")."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import CharField, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.association.models_training import (
    Attendance,
    Certificate,
    Course,
    CourseEnrolment,
    CourseSession,
    SignInCode,
)
from guanhuai.association.permissions import MANAGE_TRAINING, VIEW_TRAINING
from guanhuai.association.selectors.training import CODE_ALPHABET
from guanhuai.association.services.training import _now
from guanhuai.association.states import SignInVia
from guanhuai.audit.services import log, log_select
from guanhuai.core.errors import Conflict, NotFound, ValidationError

__all__ = [
    "attendance_record",
    "attendance_sign_in",
    "certificates_issue",
    "signin_code_current",
    "signin_code_find",
    "signin_code_issue",
]


# --- sign-in codes and attendance ------------------------------------------------------------------------


def _window_opens(session: CourseSession) -> dt.datetime:
    return session.starts_at - dt.timedelta(minutes=settings.GUANHUAI_TRAINING_SIGNIN_EARLY_MINUTES)


def _hm(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def signin_code_issue(*, actor: Actor, session: CourseSession, now: dt.datetime | None = None) -> SignInCode:
    """A fresh code for the session, ending the previous one. Only while sign-in is open: before the window
    and after the session there is nothing to sign in to."""
    course = session.course
    scoping.require(actor, MANAGE_TRAINING, course.org_unit, visible_perm=VIEW_TRAINING)
    now = now or _now()
    if now > session.ends_at:
        raise Conflict(
            _("本课次已于%(t)s结束，签到已关闭。") % {"t": _hm(session.ends_at)}, code="session_over"
        )
    if now < _window_opens(session):
        raise Conflict(
            _("签到从%(t)s开始（课前%(m)d分钟）。")
            % {"t": _hm(_window_opens(session)), "m": settings.GUANHUAI_TRAINING_SIGNIN_EARLY_MINUTES},
            code="not_open",
        )
    lifetime = dt.timedelta(seconds=settings.GUANHUAI_TRAINING_CODE_SECONDS)
    with transaction.atomic():
        CourseSession.objects.unscoped("a lock on the session in hand").select_for_update().filter(
            pk=session.pk
        ).first()
        SignInCode.objects.filter(session=session, expires_at__gt=now).update(expires_at=now)
        live_words = set(
            SignInCode.objects.filter(expires_at__gt=now - dt.timedelta(days=1)).values_list(
                "word", flat=True
            )
        )
        word = f"{secrets.randbelow(10**6):06d}"
        while word in live_words:
            word = f"{secrets.randbelow(10**6):06d}"
        code = SignInCode.objects.create(
            session=session,
            word=word,
            token=secrets.token_urlsafe(16),
            issued_at=now,
            expires_at=min(now + lifetime, session.ends_at),
            issued_by=signed_in(actor),
        )
        log(
            code,
            "association.signin_code.issued",
            actor=actor,
            org_unit=course.org_unit,
            data={"session": session.pk},
        )
    return code


def signin_code_current(
    *, actor: Actor, session: CourseSession, now: dt.datetime | None = None, margin: int = 60
) -> SignInCode:
    """The code the trainer's page shows: the live one while it has more than `margin` seconds left, else a
    new one (the page asks again every half minute, so a code on screen never runs out under an attendee)."""
    scoping.require(actor, MANAGE_TRAINING, session.course.org_unit, visible_perm=VIEW_TRAINING)
    now = now or _now()
    live = SignInCode.objects.filter(session=session, expires_at__gt=now).order_by("-issued_at").first()
    # a code cut short by the session's end is kept to the end: a new one would not live longer
    if live is not None and (
        live.expires_at > now + dt.timedelta(seconds=margin) or live.expires_at >= session.ends_at
    ):
        return live
    return signin_code_issue(actor=actor, session=session, now=now)


def signin_code_find(*, word: str = "", token: str = "") -> SignInCode:
    """The code an attendee typed or scanned; an unknown one is refused the same way whatever it was."""
    code = None
    if token:
        code = SignInCode.objects.select_related("session__course").filter(token=token).first()
    elif word:
        code = (
            SignInCode.objects.select_related("session__course")
            .filter(word=word.strip())
            .order_by("-expires_at")
            .first()
        )
    if code is None:
        raise NotFound(_("签到码不正确，请核对培训老师屏幕上的6位数字，或重新扫码。"), code="unknown_code")
    return code


def _attendance(
    session: CourseSession, enrolment: CourseEnrolment, *, at: dt.datetime, via: str, recorded_by: Any = None
) -> Attendance:
    """The (unsaved) row of `enrolment` present at `session`, signed in or recorded: its day, hours and cadre
    are copied from the session and the enrolment (models_training.py says why), whoever signs it."""
    return Attendance(
        session=session,
        enrolment=enrolment,
        cadre_id=enrolment.cadre_id,
        day=timezone.localtime(session.starts_at).date(),
        hours=session.hours,
        signed_at=at,
        via=via,
        recorded_by=recorded_by,
    )


def attendance_sign_in(
    *, code: SignInCode, personal_code: str, via: str = SignInVia.WORD, now: dt.datetime | None = None
) -> Attendance:
    """An attendee signs in on their phone. Each refusal says what is wrong and writes nothing: after the
    session (late), before the window, an expired code, a personal code not enrolled in this code's course
    (a foreign code), or a second sign-in."""
    now = now or _now()
    session = code.session
    course = session.course
    if now > session.ends_at:
        raise Conflict(
            _("本课次已于%(t)s结束，不能再签到。如确有出席，请联系培训老师补登。")
            % {"t": _hm(session.ends_at)},
            code="late",
        )
    if now < _window_opens(session):
        raise Conflict(
            _("签到从%(t)s开始，请稍后再试。") % {"t": _hm(_window_opens(session))}, code="not_open"
        )
    if code.expires_at <= now:
        raise Conflict(
            _("签到码已过期（有效%(s)d秒），请输入培训老师屏幕上最新的签到码，或重新扫码。")
            % {"s": settings.GUANHUAI_TRAINING_CODE_SECONDS},
            code="expired",
        )
    personal_code = (personal_code or "").strip()
    if not (len(personal_code) == 6 and personal_code.isdigit()):
        raise ValidationError(_("个人签到码是报名时取得的6位数字。"), code="personal_code")
    enrolment = course.enrolments.filter(personal_code=personal_code).first()
    if enrolment is None:
        raise ValidationError(
            _("此签到码属于培训班“%(c)s”，您的个人签到码不在该班的报名名单中。请确认您在正确的培训班签到。")
            % {"c": course.title},
            code="foreign",
        )
    earlier = session.attendances.filter(enrolment=enrolment).first()
    if earlier is not None:
        raise Conflict(
            _("您已于%(t)s签到，无需重复签到。") % {"t": _hm(earlier.signed_at)}, code="already_signed_in"
        )
    attendance = _attendance(session, enrolment, at=now, via=via)
    try:
        with transaction.atomic():
            attendance.save()
            log(
                attendance,
                "association.attendance.signed_in",
                actor=None,
                org_unit=course.org_unit,
                data={"session": session.pk, "enrolment": enrolment.pk, "via": via},
            )
    except IntegrityError:
        raise Conflict(_("您已签到，无需重复签到。"), code="already_signed_in")
    return attendance


def attendance_record(
    *, actor: Actor, session: CourseSession, enrolment: CourseEnrolment, now: dt.datetime | None = None
) -> Attendance:
    """The trainer records someone present who could not sign in on a phone (补登): the same one row per
    person per session, marked as entered by the trainer."""
    course = session.course
    scoping.require(actor, MANAGE_TRAINING, course.org_unit, visible_perm=VIEW_TRAINING)
    if enrolment.course_id != course.pk:
        raise ValidationError(_("该学员没有报名本培训班。"), code="enrolment")
    now = now or _now()
    if now < session.starts_at:
        raise Conflict(_("本课次尚未开始，不能补登。"), code="not_open")
    if Attendance.objects.filter(session=session, enrolment=enrolment).exists():
        raise Conflict(_("%(n)s已签到。") % {"n": enrolment.name}, code="already_signed_in")
    with transaction.atomic():
        attendance = _attendance(
            session, enrolment, at=now, via=SignInVia.MANUAL, recorded_by=signed_in(actor)
        )
        attendance.save(force_insert=True)
        log(
            attendance,
            "association.attendance.recorded",
            actor=actor,
            org_unit=course.org_unit,
            data={"session": session.pk, "enrolment": enrolment.pk},
        )
    return attendance


# --- certificates ----------------------------------------------------------------------------------------


def _certificate_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def certificates_issue(*, actor: Actor, course: Course, today: dt.date | None = None) -> int:
    """Issue certificates to everyone who attended at least GUANHUAI_TRAINING_CERTIFICATE_PERCENT of the
    course's session hours, once the course has ended. Running it again issues only to those who have none
    yet (a late 补登). Returns how many were issued."""
    scoping.require(actor, MANAGE_TRAINING, course.org_unit, visible_perm=VIEW_TRAINING)
    today = today or timezone.localdate()
    if today < course.ends_on:
        raise Conflict(
            _("培训班于%(d)s结束，结束后才能发证。") % {"d": course.ends_on}, code="course_not_over"
        )
    total = course.sessions.aggregate(h=Sum("hours"))["h"]
    if not total:
        raise Conflict(_("培训班没有课次，无法计算学时。"), code="no_sessions")
    needed = Decimal(total) * settings.GUANHUAI_TRAINING_CERTIFICATE_PERCENT / 100
    with transaction.atomic():
        # the course is locked before reading who has no certificate yet, so two clicks issue once
        Course.objects.unscoped("a lock on the course in hand").select_for_update().filter(
            pk=course.pk
        ).first()
        earned = (
            Attendance.objects.unscoped("the attendances of the course in hand")
            .filter(session__course=course, enrolment__certificate__isnull=True)
            .values("enrolment_id")
            .annotate(h=Sum("hours"))
        )
        rows = [
            Certificate(
                enrolment_id=row["enrolment_id"],
                code=_certificate_code(),
                hours=Decimal(str(row["h"])).quantize(Decimal("0.1")),
                issued_on=today,
                issued_by=signed_in(actor),
            )
            for row in earned
            if Decimal(str(row["h"])) >= needed
        ]
        created = Certificate.objects.bulk_create(rows)
        if created:
            log_select(
                Certificate.objects.filter(code__in=[c.code for c in created]),
                "association.certificate.issued",
                actor=actor,
                object_repr=Cast("code", output_field=CharField()),
                org_unit="enrolment__course__org_unit_id",
                data={"course": course.pk},
            )
        log(
            course,
            "association.course.certificates_issued",
            actor=actor,
            org_unit=course.org_unit,
            data={"count": len(created), "needed_hours": needed},
        )
    return len(created)
