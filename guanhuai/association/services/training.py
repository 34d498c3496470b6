"""Writes of training: courses and their sessions, enrolment from the cadre and member records, the sign-in codes a
trainer shows, attendance, certificates and trainer qualifications.

Sign-in is the one write here without a logged-in actor: an attendee signs in on their own phone with the
code on the trainer's screen (or its QR code) and their personal code from enrolment. What the rules are, and
why the personal code, is in docs/association.md ("Training")."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import CharField, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.association.models import Cadre, Member
from guanhuai.association.models_training import (
    Attendance,
    Certificate,
    Course,
    CourseEnrolment,
    CourseSession,
    SignInCode,
    Trainer,
    TrainingTopic,
)
from guanhuai.association.permissions import MANAGE_TRAINING, VIEW_TRAINING
from guanhuai.association.selectors.training import CODE_ALPHABET
from guanhuai.association.states import CourseLevel, MemberStatus, SignInVia, TrainerKind
from guanhuai.audit.services import log, log_select
from guanhuai.core.errors import Conflict, NotFound, ValidationError
from guanhuai.orgs.models import OrgUnit

__all__ = [
    "attendance_record",
    "attendance_sign_in",
    "certificates_issue",
    "course_create",
    "enrol",
    "session_add",
    "signin_code_current",
    "signin_code_find",
    "signin_code_issue",
    "trainer_create",
]

MAX_HOURS = Decimal("999.9")


def _now() -> dt.datetime:
    return timezone.now()


def _hours(value: Any, *, field: str, most: Decimal = MAX_HOURS) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (ArithmeticError, ValueError):
        raise ValidationError(_("%(f)s应为数字，例如 2 或 1.5。") % {"f": field}, code="hours")
    if not hours.is_finite() or hours <= 0 or hours > most:
        raise ValidationError(_("%(f)s应大于0且不超过%(most)s。") % {"f": field, "most": most}, code="hours")
    return hours


def _in_subtree(unit_path: str, root: OrgUnit) -> bool:
    return unit_path.startswith(root.path)


# --- courses and sessions --------------------------------------------------------------------------------


def course_create(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    topic: TrainingTopic,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    hours: Any,
    capacity: int,
    level: str | None = None,
    place: str = "",
    trainers: Sequence[Trainer] = (),
) -> Course:
    """Open a course at a branch. Its level is the branch's own unless given; a branch runs courses at its
    level or below (a township does not run a provincial course)."""
    scoping.require(actor, MANAGE_TRAINING, org_unit, visible_perm=VIEW_TRAINING)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写培训班名称。"), code="title")
    if ends_on < starts_on:
        raise ValidationError(_("结束日期不能早于开始日期。"), code="ends_on")
    if not topic.active:
        raise ValidationError(_("培训主题“%(t)s”已停用。") % {"t": topic.name}, code="topic")
    if capacity is None or int(capacity) < 1 or int(capacity) > 10000:
        raise ValidationError(_("名额应在1到10000人之间。"), code="capacity")
    levels = list(CourseLevel.values)
    own = org_unit.level if org_unit.level in levels else CourseLevel.PROVINCE
    level = level or own
    if level not in levels:
        raise ValidationError(_("培训级别不正确。"), code="level")
    if levels.index(level) < levels.index(own):
        raise ValidationError(
            _("“%(u)s”只能举办%(own)s及以下的培训班。") % {"u": org_unit.name, "own": CourseLevel(own).label},
            code="level",
        )
    for trainer in trainers:
        if not scoping.can(actor, VIEW_TRAINING, trainer.org_unit):
            raise ValidationError(_("培训师不存在，或您无权选择。"), code="trainers")
    course = Course(
        org_unit=org_unit,
        level=level,
        topic=topic,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        hours=_hours(hours, field=_("学时")),
        capacity=int(capacity),
        place=(place or "").strip(),
        created_by=signed_in(actor),
    )
    course.full_clean(exclude=["created_by"])
    with transaction.atomic():
        course.save()
        if trainers:
            course.trainers.set(trainers)
        log(course, "association.course.created", actor=actor, org_unit=org_unit, data={"title": title})
    return course


def session_add(
    *,
    actor: Actor,
    course: Course,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    title: str = "",
    hours: Any = None,
) -> CourseSession:
    """Add a sitting to a course, on one of the course's days. Its hours default to its length, in half
    hours."""
    scoping.require(actor, MANAGE_TRAINING, course.org_unit, visible_perm=VIEW_TRAINING)
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if timezone.is_naive(ends_at):
        ends_at = timezone.make_aware(ends_at)
    if ends_at <= starts_at:
        raise ValidationError(_("结束时间应晚于开始时间。"), code="ends_at")
    day = timezone.localtime(starts_at).date()
    if not course.starts_on <= day <= course.ends_on or timezone.localtime(ends_at).date() != day:
        raise ValidationError(
            _("课次应在培训班的日期内（%(a)s 至 %(b)s），且在同一天内结束。")
            % {"a": course.starts_on, "b": course.ends_on},
            code="starts_at",
        )
    if hours in (None, ""):
        length = Decimal((ends_at - starts_at).total_seconds()) / 3600
        hours = max(Decimal("0.5"), (length * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2)
    session = CourseSession(
        course=course,
        title=(title or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        hours=_hours(hours, field=_("学时"), most=Decimal("24")),
    )
    with transaction.atomic():
        session.save()
        log(
            session,
            "association.session.created",
            actor=actor,
            org_unit=course.org_unit,
            data={"course": course.pk, "starts_at": starts_at},
        )
    return session


# --- enrolment --------------------------------------------------------------------------------------------


def _personal_codes(taken: set[str], n: int) -> list[str]:
    codes: list[str] = []
    while len(codes) < n:
        code = f"{secrets.randbelow(10**6):06d}"
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def enrol(
    *,
    actor: Actor,
    course: Course,
    cadres: Iterable[Cadre] = (),
    members: Iterable[Member] = (),
) -> list[CourseEnrolment]:
    """Enrol cadres and members of the organising branch's subtree, each with a personal code for signing in.
    All or nothing: one person who cannot be enrolled refuses the whole list, with the reason. The course row
    is locked while counting, so two clerks enrolling at once cannot pass the capacity together."""
    scoping.require(actor, MANAGE_TRAINING, course.org_unit, visible_perm=VIEW_TRAINING)
    cadres, members = list(cadres), list(members)
    if not cadres and not members:
        raise ValidationError(_("请选择要报名的干部或会员。"), code="people")
    unit_paths = dict(
        OrgUnit.objects.filter(
            pk__in={c.org_unit_id for c in cadres} | {m.org_unit_id for m in members}
        ).values_list("pk", "path")
    )
    for cadre in cadres:
        if not _in_subtree(unit_paths[cadre.org_unit_id], course.org_unit):
            raise ValidationError(
                _("%(n)s不是“%(u)s”及其下级协会的干部，不能报名本培训班。")
                % {"n": cadre.name, "u": course.org_unit.name},
                code="people",
            )
        if cadre.left_on is not None and cadre.left_on < course.starts_on:
            raise ValidationError(
                _("%(n)s已于%(d)s离任，不能报名。") % {"n": cadre.name, "d": cadre.left_on}, code="people"
            )
    for member in members:
        if not _in_subtree(unit_paths[member.org_unit_id], course.org_unit):
            raise ValidationError(
                _("%(n)s不是“%(u)s”及其下级协会的会员，不能报名本培训班。")
                % {"n": member.name, "u": course.org_unit.name},
                code="people",
            )
        if member.status != MemberStatus.ACTIVE:
            raise ValidationError(
                _("%(n)s的会员状态为“%(s)s”，不能报名。")
                % {"n": member.name, "s": member.get_status_display()},
                code="people",
            )
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        existing = CourseEnrolment.objects.filter(course=locked)
        already = existing.filter(cadre__in=cadres).values_list("name", flat=True).first() or (
            existing.filter(member__in=members).values_list("name", flat=True).first()
        )
        if already:
            raise ValidationError(_("%(n)s已报名本培训班。") % {"n": already}, code="people")
        count = existing.count()
        wanted = len(cadres) + len(members)
        if count + wanted > locked.capacity:
            raise Conflict(
                _("名额不足：本班名额%(cap)d人，已报名%(n)d人，还可报名%(left)d人，本次选择了%(w)d人。")
                % {"cap": locked.capacity, "n": count, "left": max(0, locked.capacity - count), "w": wanted},
                code="capacity",
            )
        codes = _personal_codes(set(existing.values_list("personal_code", flat=True)), wanted)
        rows = [
            CourseEnrolment(
                course=locked, cadre=c, name=c.name, personal_code=codes.pop(), enrolled_by=signed_in(actor)
            )
            for c in cadres
        ] + [
            CourseEnrolment(
                course=locked, member=m, name=m.name, personal_code=codes.pop(), enrolled_by=signed_in(actor)
            )
            for m in members
        ]
        try:
            with transaction.atomic():
                CourseEnrolment.objects.bulk_create(rows)
        except IntegrityError:
            raise ValidationError(_("所选人员中有人已报名本培训班。"), code="people")
        created = list(CourseEnrolment.objects.filter(course=locked).order_by("-pk")[:wanted])
        log(
            locked,
            "association.course.enrolled",
            actor=actor,
            org_unit=locked.org_unit,
            data={"cadres": [c.pk for c in cadres], "members": [m.pk for m in members]},
        )
    return sorted(created, key=lambda e: e.pk)


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
        CourseSession.objects.select_for_update().filter(pk=session.pk).first()
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
    enrolment = CourseEnrolment.objects.filter(course=course, personal_code=personal_code).first()
    if enrolment is None:
        raise ValidationError(
            _("此签到码属于培训班“%(c)s”，您的个人签到码不在该班的报名名单中。请确认您在正确的培训班签到。")
            % {"c": course.title},
            code="foreign",
        )
    earlier = Attendance.objects.filter(session=session, enrolment=enrolment).first()
    if earlier is not None:
        raise Conflict(
            _("您已于%(t)s签到，无需重复签到。") % {"t": _hm(earlier.signed_at)}, code="already_signed_in"
        )
    attendance = Attendance(
        session=session,
        enrolment=enrolment,
        cadre_id=enrolment.cadre_id,
        day=timezone.localtime(session.starts_at).date(),
        hours=session.hours,
        signed_at=now,
        via=via,
    )
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
        attendance = Attendance.objects.create(
            session=session,
            enrolment=enrolment,
            cadre_id=enrolment.cadre_id,
            day=timezone.localtime(session.starts_at).date(),
            hours=session.hours,
            signed_at=now,
            via=SignInVia.MANUAL,
            recorded_by=signed_in(actor),
        )
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
    total = CourseSession.objects.filter(course=course).aggregate(h=Sum("hours"))["h"]
    if not total:
        raise Conflict(_("培训班没有课次，无法计算学时。"), code="no_sessions")
    needed = Decimal(total) * settings.GUANHUAI_TRAINING_CERTIFICATE_PERCENT / 100
    with transaction.atomic():
        # the course is locked before reading who has no certificate yet, so two clicks issue once
        Course.objects.select_for_update().filter(pk=course.pk).first()
        earned = (
            Attendance.objects.filter(session__course=course, enrolment__certificate__isnull=True)
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


# --- trainers ---------------------------------------------------------------------------------------------


def trainer_create(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    kind: str,
    name: str,
    qualified_on: dt.date,
    valid_until: dt.date | None = None,
    certificate_no: str = "",
    cadre: Cadre | None = None,
) -> Trainer:
    scoping.require(actor, MANAGE_TRAINING, org_unit, visible_perm=VIEW_TRAINING)
    if kind not in TrainerKind.values:
        raise ValidationError(_("资格类别不正确。"), code="kind")
    name = (name or (cadre.name if cadre else "")).strip()
    if not name:
        raise ValidationError(_("请填写姓名。"), code="name")
    if qualified_on > timezone.localdate():
        raise ValidationError(_("取得资格日期不能晚于今天。"), code="qualified_on")
    if valid_until is not None and valid_until < qualified_on:
        raise ValidationError(_("资格有效期不能早于取得资格日期。"), code="valid_until")
    if cadre is not None and not _in_subtree(cadre.org_unit.path, org_unit):
        raise ValidationError(_("该干部不属于“%(u)s”及其下级协会。") % {"u": org_unit.name}, code="cadre")
    trainer = Trainer(
        org_unit=org_unit,
        kind=kind,
        name=name,
        cadre=cadre,
        qualified_on=qualified_on,
        valid_until=valid_until,
        certificate_no=(certificate_no or "").strip(),
    )
    with transaction.atomic():
        trainer.save()
        log(trainer, "association.trainer.created", actor=actor, org_unit=org_unit, data={"kind": kind})
    return trainer
