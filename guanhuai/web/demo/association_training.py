"""The demo's training: a year of courses with attendance in every demo county, trainer qualifications, certificates,
and one course running today in 仁化县 whose sign-in a demo user (`xiangmu`, the city's project officer, or
`sheng_admin`) can open on a phone.

Enrolment comes from the cadre records. The members-and-cadres part of the demo makes them; when it has not run
(no cadre in the demo province), this step first records one full-time cadre per township and one part-time
cadre per village, so the training demo stands on its own.

Set-based: every table is written with `bulk_create` (attendance by one INSERT … SELECT), in one transaction, skipped when
the demo's courses are already there. A fixed seed makes the same demo each time."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import ExpressionWrapper, F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Mod, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.association.models import Cadre
from guanhuai.association.models_training import (
    Attendance,
    Certificate,
    Course,
    CourseEnrolment,
    CourseSession,
    Trainer,
    TrainingTopic,
)
from guanhuai.association.selectors.training import CODE_ALPHABET
from guanhuai.association.states import CourseLevel, Employment, SignInVia, TrainerKind
from guanhuai.audit.services import log
from guanhuai.core.sql import insert_select
from guanhuai.orgs import paths
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.web.demo.province import HOME_COUNTY, PROVINCE_CODE

SEED = 529  # 5·29, the association's members' day
MARK = "（演示）"  # in every demo course's place, so a rerun finds them
COURSES_PER_COUNTY = 4  # one a quarter
SESSION_HOURS = Decimal("3.0")
PRESENT = 0.86  # the share of enrolled people at a session


@dataclass
class TrainingSummary:
    built: bool = False
    seconds: float = 0.0
    cadres_made: int = 0
    courses: int = 0
    sessions: int = 0
    enrolments: int = 0
    attendances: int = 0
    certificates: int = 0
    trainers: int = 0
    today_course: str = ""


def demo_exists() -> bool:
    return Course.objects.filter(place__endswith=MARK).exists()


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _cert_code(rng: random.Random) -> str:
    raw = "".join(rng.choice(CODE_ALPHABET) for _i in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _ensure_cadres(counties: list[OrgUnit], rng: random.Random, today: dt.date) -> int:
    """One full-time cadre per township and one part-time per village, only when the demo has no cadres."""
    province = OrgUnit.objects.get(code=PROVINCE_CODE)
    if Cadre.objects.filter(org_unit__path__startswith=province.path).exists():
        return 0
    rows = []
    for county in counties:
        units = OrgUnit.objects.filter(
            path__gt=county.path,
            path__lt=paths.upper_bound(county.path),
            level__in=[Level.TOWNSHIP, Level.VILLAGE],
        ).values_list("pk", "level")
        for pk, level in units:
            full = level == Level.TOWNSHIP
            rows.append(
                Cadre(
                    org_unit_id=pk,
                    name=_name(rng),
                    employment=Employment.FULL_TIME if full else Employment.PART_TIME,
                    position=_("专职副会长") if full else _("会长"),
                    appointed_on=today - dt.timedelta(days=rng.randint(400, 3000)),
                )
            )
    Cadre.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
GIVEN = "秀英桂芳丽华玉兰红梅燕敏静丹霞春明建国志强伟军勇海涛斌辉文平金凤德荣桂兰晓琳"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _i in range(rng.choice((1, 2))))


def demo_build(*, small: bool) -> TrainingSummary:
    summary = TrainingSummary()
    if demo_exists():
        summary.courses = Course.objects.filter(place__endswith=MARK).count()
        return summary
    started = time.monotonic()
    rng = random.Random(SEED)
    today = timezone.localdate()
    province = OrgUnit.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        return summary
    counties = list(
        OrgUnit.objects.filter(path__startswith=province.path, level=Level.COUNTY)
        .filter(children__isnull=False)
        .distinct()
        .order_by("path")
    )
    if not counties:
        return summary
    topics = list(TrainingTopic.objects.filter(active=True))
    if not topics:  # the data migration's topics are missing (a flushed test database): nothing to teach
        return summary
    with transaction.atomic():
        summary.cadres_made = _ensure_cadres(counties, rng, today)
        trainers: list[Trainer] = []
        for county in counties:
            for i in range(2):
                trainers.append(
                    Trainer(
                        org_unit=county,
                        kind=TrainerKind.YOUTH_HEALTH,
                        name=_name(rng),
                        qualified_on=today - dt.timedelta(days=rng.randint(200, 1500)),
                        valid_until=today + dt.timedelta(days=rng.randint(-60, 900)),
                        certificate_no=f"QJ{county.code[:6]}{i + 1:02d}",
                    )
                )
            for _i in range(3):
                trainers.append(
                    Trainer(
                        org_unit=county,
                        kind=TrainerKind.PEER_EDUCATOR,
                        name=_name(rng),
                        qualified_on=today - dt.timedelta(days=rng.randint(30, 700)),
                    )
                )
        Trainer.objects.bulk_create(trainers)
        by_county_trainers: dict[int, list[Trainer]] = {}
        for t in trainers:
            by_county_trainers.setdefault(t.org_unit_id, []).append(t)

        # courses: a year back from today, one a quarter per county, two days of two sessions each
        courses: list[Course] = []
        for county in counties:
            for q in range(COURSES_PER_COUNTY):
                start = today - dt.timedelta(days=330 - q * 90 + rng.randint(0, 20))
                topic = topics[(q + int(county.code[-2:])) % len(topics)]
                courses.append(
                    Course(
                        org_unit=county,
                        level=CourseLevel.COUNTY,
                        topic=topic,
                        title=_("%(y)d年%(u)s%(t)s业务培训班")
                        % {"y": start.year, "u": county.name, "t": topic.name},
                        starts_on=start,
                        ends_on=start + dt.timedelta(days=1),
                        hours=SESSION_HOURS * 4,
                        capacity=40,
                        place=county.name + _("计生协会议室") + MARK,
                    )
                )
        home = next((c for c in counties if c.code == HOME_COUNTY), counties[0])
        running = Course(
            org_unit=home,
            level=CourseLevel.COUNTY,
            topic=topics[0],
            title=_("%(u)s宣传员培训班（今天）") % {"u": home.name},
            starts_on=today,
            ends_on=today,
            hours=SESSION_HOURS * 2,
            capacity=40,
            place=home.name + _("计生协会议室") + MARK,
        )
        courses.append(running)
        Course.objects.bulk_create(courses)
        Course.trainers.through.objects.bulk_create(
            [
                Course.trainers.through(course_id=c.pk, trainer_id=t.pk)
                for c in courses
                for t in rng.sample(by_county_trainers[c.org_unit_id], 2)
            ]
        )
        sessions: list[CourseSession] = []
        for c in courses:
            for d in range((c.ends_on - c.starts_on).days + 1):
                day = c.starts_on + dt.timedelta(days=d)
                for hour in (9, 14):
                    sessions.append(
                        CourseSession(
                            course=c,
                            title=_("上午") if hour == 9 else _("下午"),
                            starts_at=_aware(day, hour),
                            ends_at=_aware(day, hour + 3),
                            hours=SESSION_HOURS,
                        )
                    )
        CourseSession.objects.bulk_create(sessions, batch_size=2000)

        # enrolment: cadres of the county, serving when the course starts, up to the capacity
        cadres_by_county: dict[int, list[tuple[int, str, dt.date, dt.date | None]]] = {}
        for county in counties:
            cadres_by_county[county.pk] = list(
                Cadre.objects.filter(
                    org_unit__path__gte=county.path, org_unit__path__lt=paths.upper_bound(county.path)
                )
                .order_by("pk")
                .values_list("pk", "name", "appointed_on", "left_on")
            )
        enrolments: list[CourseEnrolment] = []
        for c in courses:
            pool = [
                (pk, name)
                for pk, name, appointed, left in cadres_by_county[c.org_unit_id]
                if appointed <= c.ends_on and (left is None or left >= c.starts_on)
            ]
            chosen = rng.sample(pool, min(len(pool), c.capacity - rng.randint(0, 8)))
            codes = rng.sample(range(10**6), len(chosen))
            enrolments += [
                CourseEnrolment(course=c, cadre_id=pk, name=name, personal_code=f"{code:06d}")
                for (pk, name), code in zip(chosen, codes, strict=True)
            ]
        CourseEnrolment.objects.bulk_create(enrolments, batch_size=2000)

        # attendance of the finished courses' sessions: one INSERT … SELECT over enrolments × their course's
        # sessions, about 86 % present by a fixed rule on the ids, signed in at the start
        attended = attendance_fill(
            CourseEnrolment.objects.filter(pk__in=[e.pk for e in enrolments]).exclude(course=running),
            percent=round(PRESENT * 100),
        )
        hours = {
            row["enrolment_id"]: Decimal(str(row["h"]))
            for row in Attendance.objects.filter(enrolment__in=[e.pk for e in enrolments])
            .values("enrolment_id")
            .annotate(h=Sum("hours"))
        }
        needed = SESSION_HOURS * 4 * settings.GUANHUAI_TRAINING_CERTIFICATE_PERCENT / 100
        issuer = _issuer()
        certificates = (
            [
                Certificate(
                    enrolment=e,
                    code=_cert_code(rng),
                    hours=hours[e.pk],
                    issued_on=e.course.ends_on + dt.timedelta(days=3),
                    issued_by_id=issuer,
                )
                for e in enrolments
                if hours.get(e.pk, Decimal(0)) >= needed and e.course.ends_on + dt.timedelta(days=3) <= today
            ]
            if issuer
            else []
        )
        Certificate.objects.bulk_create(certificates, batch_size=2000)
        log(
            province,
            "association.demo.training_loaded",
            actor=None,
            org_unit=province,
            data={"courses": len(courses), "attendances": attended},
        )
    summary.built = True
    summary.seconds = time.monotonic() - started
    summary.courses, summary.sessions = len(courses), len(sessions)
    summary.enrolments, summary.attendances = len(enrolments), attended
    summary.certificates, summary.trainers = len(certificates), len(trainers)
    summary.today_course = running.title
    return summary


def _issuer() -> Any:
    """The province's administrator (`sheng_admin` in the demo) signs the demo's certificates."""
    from guanhuai.accounts.models import RoleAssignment

    return (
        RoleAssignment.objects.filter(role="province_admin", org_unit__code=PROVINCE_CODE)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )


def summary_lines(s: TrainingSummary) -> list[str]:
    if not s.built:
        return (
            ["", _("演示培训（已存在，未做任何修改）：%(n)d 个培训班") % {"n": s.courses}]
            if s.courses
            else []
        )
    lines = ["", _("演示培训（用时 %(s).1f 秒）：") % {"s": s.seconds}]
    if s.cadres_made:
        lines.append(_("  补充演示协会干部 %(n)d 人（会员与干部演示数据尚未生成）") % {"n": s.cadres_made})
    lines += [
        _(
            "  培训班 %(c)d 个，课次 %(s)d 个，报名 %(e)d 人次，签到 %(a)d 人次，证书 %(z)d 张，培训师 %(t)d 人"
        )
        % {
            "c": s.courses,
            "s": s.sessions,
            "e": s.enrolments,
            "a": s.attendances,
            "z": s.certificates,
            "t": s.trainers,
        },
        _("  今天进行中：%(t)s（xiangmu 或 sheng_admin 登录后在“协会建设 › 培训与证书”打开签到）")
        % {"t": s.today_course},
    ]
    return lines


def build_and_print(command: BaseCommand, *, small: bool) -> TrainingSummary:
    """`guanhuai demo`'s training step: build (once) and print the summary."""
    summary = demo_build(small=small)
    for line in summary_lines(summary):
        command.stdout.write(line)
    return summary


def attendance_fill(enrolments: QuerySet[CourseEnrolment], *, percent: int) -> int:
    """Attendance of `enrolments` at every session of their course, about `percent` % present by a fixed
    rule on the ids (the same rows every run), signed in by QR at the session's start: one INSERT … SELECT
    over enrolments × their course's sessions. The demo's finished courses and the training benchmark
    (benchmarks/association_training.py) both fill attendance with it. Returns the rows written."""
    rows = (
        enrolments.annotate(
            pick=Mod(
                ExpressionWrapper(F("pk") * 7 + F("course__sessions__pk") * 13, output_field=IntegerField()),
                Value(100),
            )
        )
        .filter(pick__lt=percent)  # a NULL (no session) is never below: an inner join in effect
        .values_list(
            "course__sessions__pk",
            "pk",
            "cadre_id",
            TruncDate("course__sessions__starts_at"),
            "course__sessions__hours",
            "course__sessions__starts_at",
            Value(SignInVia.QR),
        )
    )
    return insert_select(
        Attendance, ["session_id", "enrolment_id", "cadre_id", "day", "hours", "signed_at", "via"], rows
    )
