"""Reads of training: courses, sessions, enrolments, trainers and certificates, scoped through
`accounts.scoping`; the public certificate check; and `training_figures`, the figures per branch per year that
the assessment app reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
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
from guanhuai.association.permissions import VIEW_TRAINING
from guanhuai.association.states import MemberStatus
from guanhuai.core.errors import NotFound, ValidationError
from guanhuai.core.masking import mask_name
from guanhuai.orgs import paths
from guanhuai.orgs.models import Level, OrgUnit

__all__ = [
    "COURSE_STATES",
    "BranchFigures",
    "TrainingFigures",
    "certificate_code_normalise",
    "certificate_get",
    "certificate_verify",
    "course_get",
    "course_list",
    "enrolable_cadres",
    "enrolable_members",
    "enrolment_get",
    "enrolment_list",
    "session_get",
    "session_list",
    "signin_code_public",
    "topic_list",
    "trainer_get",
    "trainer_list",
    "training_figures",
]


def topic_list() -> QuerySet[TrainingTopic]:
    return TrainingTopic.objects.filter(active=True)


COURSE_STATES = ("today", "to_certify")


def course_list(
    *, actor: Actor, year: int | None = None, topic: str = "", state: str = "", perm: str = VIEW_TRAINING
) -> QuerySet[Course]:
    """Courses of the actor's branches, newest first, with how many are enrolled. `state`: "today" (a
    session today), "to_certify" (ended, with attendance, no certificate issued yet)."""
    qs = scoping.scope(Course.objects.all(), actor, perm)
    if year:
        qs = qs.filter(starts_on__year=year)
    if topic:
        qs = qs.filter(topic__code=topic)
    today = timezone.localdate()
    if state == "today":
        qs = qs.filter(starts_on__lte=today, ends_on__gte=today)
    elif state == "to_certify":
        qs = qs.filter(
            ends_on__lt=today,
            ends_on__gte=today - dt.timedelta(days=90),
        ).filter(
            Exists(Attendance.objects.filter(session__course=OuterRef("pk"))),
            ~Exists(Certificate.objects.filter(enrolment__course=OuterRef("pk"))),
        )
    return (
        qs.select_related("org_unit", "topic")
        .prefetch_related("trainers")
        .annotate(enrolled=Count("enrolments", distinct=True), session_count=Count("sessions", distinct=True))
        .order_by("-starts_on", "-pk")
    )


def course_get(*, actor: Actor, course_id: Any, perm: str = VIEW_TRAINING) -> Course:
    return scoping.get_or_404(Course.objects.select_related("org_unit", "topic"), actor, perm, pk=course_id)


def session_list(course: Course) -> QuerySet[CourseSession]:
    return course.sessions.annotate(present=Count("attendances"))


def session_get(*, actor: Actor, session_id: Any, perm: str = VIEW_TRAINING) -> CourseSession:
    return scoping.get_or_404(
        CourseSession.objects.select_related("course__org_unit", "course__topic"),
        actor,
        perm,
        unit_field="course__org_unit",
        pk=session_id,
    )


def enrolment_list(course: Course, *, session: CourseSession | None = None) -> QuerySet[CourseEnrolment]:
    """A course's enrolments with their attended hours; with `session`, whether each signed in to it."""
    qs: QuerySet[Any] = (
        course.enrolments.all()
        .select_related("certificate")
        .annotate(sessions_attended=Count("attendances"))
        .order_by("pk")
    )
    if session is not None:
        qs = qs.annotate(present=Exists(Attendance.objects.filter(session=session, enrolment=OuterRef("pk"))))
    return qs


def enrolable_cadres(*, actor: Actor, course: Course, limit: int = 500) -> QuerySet[Cadre]:
    """Cadres in the organising branch's subtree (and the actor's scope), serving when the course starts,
    not yet enrolled."""
    return (
        scoping.scope(Cadre.objects.all(), actor, VIEW_TRAINING)
        .filter(
            org_unit__path__gte=course.org_unit.path,
            org_unit__path__lt=paths.upper_bound(course.org_unit.path),
            appointed_on__lte=course.ends_on,
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=course.starts_on))
        .exclude(pk__in=CourseEnrolment.objects.filter(course=course, cadre__isnull=False).values("cadre_id"))
        .select_related("org_unit")
        .order_by("org_unit__path", "name")[:limit]
    )


def enrolable_members(*, actor: Actor, course: Course, card_nos: list[str]) -> list[Member]:
    """Active members with these card numbers in the organising branch's subtree; an unknown or
    out-of-scope number is named in the refusal."""
    found = {
        m.card_no: m
        for m in scoping.scope(Member.objects.all(), actor, VIEW_TRAINING).filter(
            card_no__in=card_nos,
            status=MemberStatus.ACTIVE,
            org_unit__path__gte=course.org_unit.path,
            org_unit__path__lt=paths.upper_bound(course.org_unit.path),
        )
    }
    missing = [n for n in card_nos if n not in found]
    if missing:
        raise ValidationError(
            _("找不到会员证号 %(n)s 的在册会员（须属于“%(u)s”及其下级协会）。")
            % {"n": "、".join(missing[:5]), "u": course.org_unit.name},
            code="members",
        )
    return [found[n] for n in card_nos]


def trainer_list(*, actor: Actor, kind: str = "", perm: str = VIEW_TRAINING) -> QuerySet[Trainer]:
    qs = scoping.scope(Trainer.objects.all(), actor, perm).select_related("org_unit")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("org_unit__path", "name", "pk")


def trainer_get(*, actor: Actor, trainer_id: Any, perm: str = VIEW_TRAINING) -> Trainer:
    return scoping.get_or_404(Trainer.objects.select_related("org_unit"), actor, perm, pk=trainer_id)


def enrolment_get(*, actor: Actor, enrolment_id: Any, perm: str = VIEW_TRAINING) -> CourseEnrolment:
    return scoping.get_or_404(
        CourseEnrolment.objects.select_related("course__org_unit"),
        actor,
        perm,
        unit_field="course__org_unit",
        pk=enrolment_id,
    )


def certificate_get(*, actor: Actor, certificate_id: Any, perm: str = VIEW_TRAINING) -> Certificate:
    return scoping.get_or_404(
        Certificate.objects.select_related("enrolment__course__org_unit", "enrolment__course__topic"),
        actor,
        perm,
        unit_field="enrolment__course__org_unit",
        pk=certificate_id,
    )


def signin_code_public(token: str) -> SignInCode:
    """The code behind a QR address, for the attendee's page (no login): an unknown token is a 404."""
    code = SignInCode.objects.select_related("session__course").filter(token=token).first()
    if code is None:
        raise NotFound(_("签到码不正确，请重新扫码。"), code="unknown_code")
    return code


# Certificate codes: no 0/O, 1/I/L, so a code read off paper is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def certificate_code_normalise(text: str) -> str:
    """What a person typed (any case, spaces or dashes) as the stored form XXXX-XXXX-XXXX, or "" if it
    cannot be one."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) != 12 or any(ch not in CODE_ALPHABET for ch in raw):
        return ""
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass(frozen=True)
class Verified:
    masked_name: str
    course: str
    organiser: str
    starts_on: dt.date
    ends_on: dt.date
    hours: Decimal
    issued_on: dt.date


def certificate_verify(code: str) -> Verified | None:
    """The public check: the masked name, the course and the dates, or None. A malformed code and an
    unknown one are the same None, so the page answers both alike."""
    normal = certificate_code_normalise(code)
    if not normal:
        return None
    certificates = Certificate.objects.unscoped("the public check of a certificate by its code")
    cert = certificates.select_related("enrolment__course__org_unit").filter(code=normal).first()
    if cert is None:
        return None
    course = cert.enrolment.course
    return Verified(
        masked_name=mask_name(cert.enrolment.name),
        course=course.title,
        organiser=course.org_unit.name,
        starts_on=course.starts_on,
        ends_on=course.ends_on,
        hours=cert.hours,
        issued_on=cert.issued_on,
    )


# --- figures per branch per year -----------------------------------------------------------------------------


@dataclass
class BranchFigures:
    """One branch's cadres in one year (the branch and everything below it)."""

    unit: OrgUnit | None
    own_level: bool = False  # the cadres of the asked-about branch itself, not of a child branch
    cadres: int = 0  # cadres serving at some time in the year
    trained: int = 0  # of them, with at least one session attended in the year
    hours: Decimal = Decimal("0")  # hours attended, summed over them
    reached: int = 0  # of them, with at least `min_hours`

    @property
    def hours_per_cadre(self) -> Decimal:
        return (self.hours / self.cadres).quantize(Decimal("0.1")) if self.cadres else Decimal("0")

    @property
    def share_reached(self) -> Decimal:
        """Percent of serving cadres trained at least `min_hours`, one decimal."""
        return self._percent(self.reached)

    @property
    def share_trained(self) -> Decimal:
        return self._percent(self.trained)

    def _percent(self, part: int) -> Decimal:
        """`part` as a percent of the serving cadres, one decimal; 0 where the branch has none."""
        return (Decimal(100) * part / self.cadres).quantize(Decimal("0.1")) if self.cadres else Decimal("0")


@dataclass
class TrainingFigures:
    unit: OrgUnit
    year: int
    min_hours: Decimal
    total: BranchFigures
    rows: list[BranchFigures] = field(default_factory=list)


# Two ways to get each cadre's hours of the year, both one statement over the subtree's cadres. Per cadre: a
# correlated SUM through the (cadre, day, hours) index, whose cost follows the subtree's cadres. Grouped: one
# GROUP BY over the whole year's attendance, hash-joined, whose cost follows the year's attendance whatever the
# subtree. `guanhuai bench association --only training` times both: at 1,000,000 attendances on PostgreSQL a
# county took 31 ms per cadre against 1.1 s grouped, the province 4.0 s per cadre against 1.35 s grouped. So a
# province (or the national root) is grouped, and everything below it goes per cadre.
GROUPED_LEVELS = (Level.NATIONAL, Level.PROVINCE)


def _figures_rows(
    unit: OrgUnit, *, first: dt.date, last: dt.date, min_hours: Decimal, per_cadre: bool
) -> list[tuple[Any, ...]]:
    """(branch path prefix, cadres, trained, hours, reached) per child branch of `unit` (and its own)."""
    prefix = len(unit.path) + paths.SEGMENT
    cadre, att, org = Cadre._meta.db_table, Attendance._meta.db_table, OrgUnit._meta.db_table
    if per_cadre:
        hours_of_cadre = f"""(SELECT SUM(a.hours) FROM {att} a
                               WHERE a.cadre_id = c.id AND a.day >= %s AND a.day <= %s)"""  # noqa: S608
        join, params = "", [first, last]
    else:
        hours_of_cadre = "t.h"
        join = f"""LEFT JOIN (SELECT a.cadre_id, SUM(a.hours) AS h
                                FROM {att} a
                               WHERE a.day >= %s AND a.day <= %s AND a.cadre_id IS NOT NULL
                               GROUP BY a.cadre_id) t ON t.cadre_id = c.id"""  # noqa: S608
        params = [first, last]
    sql = f"""
        SELECT x.branch,
               COUNT(*) AS cadres,
               SUM(CASE WHEN x.h > 0 THEN 1 ELSE 0 END) AS trained,
               COALESCE(SUM(x.h), 0) AS hours,
               SUM(CASE WHEN COALESCE(x.h, 0) >= %s THEN 1 ELSE 0 END) AS reached
          FROM (SELECT SUBSTR(u.path, 1, %s) AS branch, {hours_of_cadre} AS h
                  FROM {cadre} c
                  JOIN {org} u ON u.id = c.org_unit_id
                  {join}
                 WHERE u.path >= %s AND u.path < %s
                   AND c.appointed_on <= %s AND (c.left_on IS NULL OR c.left_on >= %s)) x
         GROUP BY x.branch
    """  # noqa: S608  (table names from the models' meta; every value is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [float(min_hours), prefix, *params, unit.path, paths.upper_bound(unit.path), last, first],
        )
        return cursor.fetchall()


def training_figures(
    *, actor: Actor, year: int, unit: OrgUnit | None = None, min_hours: Any = None
) -> TrainingFigures:
    """Cadres trained, training hours per cadre and the share trained at least `min_hours` (default the
    setting GUANHUAI_TRAINING_MIN_HOURS) in `year`, for `unit` (default: the actor's own top branch) and for
    each of its child branches. A cadre counts at the branch they belong to, whoever ran the course; the
    denominator is every cadre serving at some time in the year, trained or not.

    One SQL statement: the cadres of the subtree with their hours of the year (attendance copies the cadre,
    the day and the hours at sign-in, and is indexed on them together), grouped by the path prefix of the
    child branch (`_figures_rows`)."""
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("年份不正确。"), code="year")
    year = int(year)
    min_hours = Decimal(str(settings.GUANHUAI_TRAINING_MIN_HOURS if min_hours in (None, "") else min_hours))
    if min_hours < 0 or min_hours > 1000:
        raise ValidationError(_("学时标准应在0到1000之间。"), code="min_hours")
    if unit is None:
        top = scoping.units(actor, VIEW_TRAINING).order_by("path").first()
        if top is None:
            raise NotFound(_("未找到该组织，或您无权访问。"))
        unit = top
    elif not scoping.can(actor, VIEW_TRAINING, unit):
        raise NotFound(_("未找到该组织，或您无权访问。"))
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    found = _figures_rows(
        unit, first=first, last=last, min_hours=min_hours, per_cadre=unit.level not in GROUPED_LEVELS
    )
    by_path = {row[0]: row for row in found}
    children = list(OrgUnit.objects.filter(parent=unit).order_by("path"))
    total = BranchFigures(unit=unit)
    rows: list[BranchFigures] = []
    for u, own in [(unit, True), *((c, False) for c in children)]:
        row = by_path.get(u.path)
        figures = BranchFigures(unit=u, own_level=own)
        if row is not None:
            figures.cadres, figures.trained, figures.reached = int(row[1]), int(row[2] or 0), int(row[4] or 0)
            figures.hours = Decimal(str(row[3] or 0)).quantize(Decimal("0.1"))
        if own and not figures.cadres:
            continue
        rows.append(figures)
        total.cadres += figures.cadres
        total.trained += figures.trained
        total.reached += figures.reached
        total.hours += figures.hours
    return TrainingFigures(unit=unit, year=year, min_hours=min_hours, total=total, rows=rows)
