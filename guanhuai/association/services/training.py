"""Writes of training: courses and their sessions, enrolment from the cadre and member records, trainer
qualifications, and the edits (a course, a trainer, cancelling an enrolment). The sign-in codes, attendance
and certificates are in `training_attendance`; the rules are in docs/association.md ("Training")."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.association.models import Cadre, Member
from guanhuai.association.models_training import (
    Certificate,
    Course,
    CourseEnrolment,
    CourseSession,
    Trainer,
    TrainingTopic,
)
from guanhuai.association.permissions import MANAGE_TRAINING, VIEW_TRAINING
from guanhuai.association.states import CourseLevel, MemberStatus, TrainerKind
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.locks import relock
from guanhuai.orgs.models import OrgUnit

__all__ = [
    "course_create",
    "course_update",
    "enrol",
    "enrolment_cancel",
    "session_add",
    "trainer_create",
    "trainer_update",
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
    values = _course_checked(
        actor=actor,
        org_unit=org_unit,
        topic=topic,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        hours=hours,
        capacity=capacity,
        level=level,
        place=place,
        trainers=trainers,
    )
    course = Course(org_unit=org_unit, created_by=signed_in(actor), **values)
    course.full_clean(exclude=["created_by"])
    with transaction.atomic():
        course.save()
        if trainers:
            course.trainers.set(trainers)
        log(
            course, "association.course.created", actor=actor, org_unit=org_unit, data={"title": course.title}
        )
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
        locked = relock(course)
        existing = locked.enrolments.all()
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
        created = list(locked.enrolments.order_by("-pk")[:wanted])
        log(
            locked,
            "association.course.enrolled",
            actor=actor,
            org_unit=locked.org_unit,
            data={"cadres": [c.pk for c in cadres], "members": [m.pk for m in members]},
        )
    return sorted(created, key=lambda e: e.pk)


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
    if cadre is not None and not _in_subtree(cadre.org_unit.path, org_unit):
        raise ValidationError(_("该干部不属于“%(u)s”及其下级协会。") % {"u": org_unit.name}, code="cadre")
    values = _trainer_checked(
        kind=kind,
        name=name or (cadre.name if cadre else ""),
        qualified_on=qualified_on,
        valid_until=valid_until,
        certificate_no=certificate_no,
    )
    trainer = Trainer(org_unit=org_unit, cadre=cadre, **values)
    with transaction.atomic():
        trainer.save()
        log(trainer, "association.trainer.created", actor=actor, org_unit=org_unit, data={"kind": kind})
    return trainer


# --- editing a course or a trainer, cancelling an enrolment -------------------------------------------------------

COURSE_FIELDS = ("title", "topic", "level", "starts_on", "ends_on", "hours", "capacity", "place")


def course_update(
    *,
    actor: Actor,
    course: Course,
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
    """Correct a course: the same checks as opening it, and what it already holds stays true: its sessions
    fall within the new dates, and the capacity is not below the people enrolled. The organising branch is
    not changed here (a course of another branch is a new course). Audited with each field's old and new
    value."""
    scoping.require(actor, MANAGE_TRAINING, course.org_unit, visible_perm=VIEW_TRAINING)
    new = _course_checked(
        actor=actor,
        org_unit=course.org_unit,
        topic=topic,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        hours=hours,
        capacity=capacity,
        level=level,
        place=place,
        trainers=trainers,
        same_topic=topic.pk == course.topic_id,
    )
    with transaction.atomic():
        locked = relock(course)
        outside = locked.sessions.exclude(
            starts_at__date__gte=starts_on, starts_at__date__lte=ends_on
        ).first()
        if outside is not None:
            raise ValidationError(
                _("课次 %(d)s 不在新的培训日期之内：请先调整课次，或选择包含它的日期。")
                % {"d": timezone.localtime(outside.starts_at).date().isoformat()},
                code="starts_on",
            )
        enrolled = locked.enrolments.count()
        if int(capacity) < enrolled:
            raise Conflict(
                _("名额不能少于已报名的%(n)d人。") % {"n": enrolled},
                code="capacity",
            )
        changes: dict[str, Any] = {
            f: [str(getattr(locked, f)), str(v)] for f, v in new.items() if getattr(locked, f) != v
        }
        for f, v in new.items():
            setattr(locked, f, v)
        locked.full_clean(exclude=["created_by"])
        locked.save(update_fields=list(COURSE_FIELDS))
        old_trainers = sorted(locked.trainers.values_list("pk", flat=True))
        if old_trainers != sorted(t.pk for t in trainers):
            locked.trainers.set(trainers)
            changes["trainers"] = [old_trainers, sorted(t.pk for t in trainers)]
        if changes:
            log(locked, "association.course.updated", actor=actor, org_unit=locked.org_unit, changes=changes)
    return locked


def _course_checked(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    topic: TrainingTopic,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    hours: Any,
    capacity: int,
    level: str | None,
    place: str,
    trainers: Sequence[Trainer],
    same_topic: bool = False,
) -> dict[str, Any]:
    """The checks a course's fields must pass, whether opened or corrected. Returns the course's fields as
    they are saved (title and place trimmed, the level filled in, hours rounded). A course may keep a topic
    that has been retired since it was opened."""
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写培训班名称。"), code="title")
    if ends_on < starts_on:
        raise ValidationError(_("结束日期不能早于开始日期。"), code="ends_on")
    if not topic.active and not same_topic:
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
    return {
        "title": title,
        "topic": topic,
        "level": level,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "hours": _hours(hours, field=_("学时")),
        "capacity": int(capacity),
        "place": (place or "").strip(),
    }


TRAINER_FIELDS = ("kind", "name", "qualified_on", "valid_until", "certificate_no")


def trainer_update(
    *,
    actor: Actor,
    trainer: Trainer,
    kind: str,
    name: str,
    qualified_on: dt.date,
    valid_until: dt.date | None = None,
    certificate_no: str = "",
) -> Trainer:
    """Correct a trainer's qualification (a renewed certificate, a new expiry date, a typo), with the same
    checks as registering it; audited with each field's old and new value."""
    scoping.require(actor, MANAGE_TRAINING, trainer.org_unit, visible_perm=VIEW_TRAINING)
    new = _trainer_checked(
        kind=kind,
        name=name,
        qualified_on=qualified_on,
        valid_until=valid_until,
        certificate_no=certificate_no,
    )
    with transaction.atomic():
        locked = relock(trainer)
        changes = {f: [str(getattr(locked, f)), str(v)] for f, v in new.items() if getattr(locked, f) != v}
        if not changes:
            return locked
        for f, v in new.items():
            setattr(locked, f, v)
        locked.save(update_fields=list(TRAINER_FIELDS))
        log(locked, "association.trainer.updated", actor=actor, org_unit=locked.org_unit, changes=changes)
    return locked


def _trainer_checked(
    *, kind: str, name: str, qualified_on: dt.date, valid_until: dt.date | None, certificate_no: str
) -> dict[str, Any]:
    """The checks a trainer's qualification must pass, whether registered or corrected; returns its fields
    as they are saved."""
    if kind not in TrainerKind.values:
        raise ValidationError(_("资格类别不正确。"), code="kind")
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写姓名。"), code="name")
    if qualified_on > timezone.localdate():
        raise ValidationError(_("取得资格日期不能晚于今天。"), code="qualified_on")
    if valid_until is not None and valid_until < qualified_on:
        raise ValidationError(_("资格有效期不能早于取得资格日期。"), code="valid_until")
    return {
        "kind": kind,
        "name": name,
        "qualified_on": qualified_on,
        "valid_until": valid_until,
        "certificate_no": (certificate_no or "").strip(),
    }


def enrolment_cancel(*, actor: Actor, enrolment: CourseEnrolment, reason: str) -> None:
    """Take someone off a course's list (they cannot come, or were enrolled by mistake), with the reason.
    Only before they attended: an enrolment with a sign-in or a certificate is the record of training that
    happened and stays. Nothing else refers to an enrolment without attendance, so its row is removed and the
    audit entry keeps who was taken off, by whom and why; the place is free again."""
    course = enrolment.course
    scoping.require(actor, MANAGE_TRAINING, course.org_unit, visible_perm=VIEW_TRAINING)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写取消报名的原因。"), code="reason")
    with transaction.atomic():
        Course.objects.unscoped("a lock on the course in hand").select_for_update().filter(
            pk=course.pk
        ).first()
        if enrolment.attendances.exists():
            raise Conflict(
                _("%(n)s已签到过本培训班的课次，不能取消报名。") % {"n": enrolment.name}, code="attended"
            )
        if Certificate.objects.filter(enrolment=enrolment).exists():
            raise Conflict(
                _("%(n)s已获得本培训班的证书，不能取消报名。") % {"n": enrolment.name}, code="attended"
            )
        data = {
            "name": enrolment.name,
            "cadre": enrolment.cadre_id,
            "member": enrolment.member_id,
            "reason": reason,
        }
        deleted, _rows = (
            CourseEnrolment.objects.unscoped("the enrolment in hand").filter(pk=enrolment.pk).delete()
        )
        if deleted:
            log(course, "association.enrolment.cancelled", actor=actor, org_unit=course.org_unit, data=data)
