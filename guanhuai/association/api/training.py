"""/api/v1/association/courses: training courses, sessions, enrolment, sign-in codes and attendance, certificates
(and their public check), trainer qualifications and the figures per branch per year.

Thin, on the core/api kit: reads through the training selectors (a course or session outside the caller's
branches is a 404, exactly like one that does not exist), writes through the training services. Two operations
need no login and are rate-limited (accounts/ratelimit.py): POST /sign-in (an attendee on their own phone) and
GET /certificates/verify (anyone holding a certificate).

No `from __future__ import annotations`: ninja reads the annotations at import time."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import AwareDatetime

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.association import selectors, services
from guanhuai.association.models import Cadre, Member
from guanhuai.association.models_training import TrainingTopic
from guanhuai.association.permissions import MANAGE_TRAINING, VIEW_TRAINING
from guanhuai.association.states import CourseLevel, SignInVia, TrainerKind
from guanhuai.core.api import AUTH_ERRORS, LIST, READ, WRITE, DayIn, ErrorOut, Id, paginate, ref
from guanhuai.core.api import actor as actor_of
from guanhuai.core.errors import ValidationError
from guanhuai.core.masking import mask_name
from guanhuai.orgs import selectors as org_selectors

router = Router(tags=["协会：培训"])

# --- bodies ---------------------------------------------------------------------------------------------


class TrainingTopicOut(Schema):
    code: str
    name: str


class CourseEditIn(Schema):
    topic: str = Field(..., max_length=40, description="培训主题代码（GET /courses/topics）")
    title: str = Field(..., max_length=100)
    level: CourseLevel | None = Field(None, description="留空为主办协会的级别")
    starts_on: DayIn
    ends_on: DayIn
    hours: Decimal = Field(..., gt=0, le=999, decimal_places=1)
    capacity: int = Field(..., ge=1, le=10000)
    place: str = Field("", max_length=100)
    trainer_ids: list[Id] = Field(default_factory=list, max_length=50)


class CourseIn(CourseEditIn):
    org_unit_id: Id


class CourseOut(Schema):
    id: int
    org_unit_id: int
    org_unit_name: str = Field(..., alias="org_unit.name")
    level: str
    topic: str = Field(..., alias="topic.code")
    topic_name: str = Field(..., alias="topic.name")
    title: str
    starts_on: dt.date
    ends_on: dt.date
    hours: str
    capacity: int
    place: str
    trainer_ids: list[int]

    @staticmethod
    def resolve_hours(obj: Any) -> str:
        return str(obj.hours)

    @staticmethod
    def resolve_trainer_ids(obj: Any) -> list[int]:
        return sorted(t.pk for t in obj.trainers.all())


class CourseSessionIn(Schema):
    title: str = Field("", max_length=100)
    starts_at: AwareDatetime = Field(..., description="带时区，如 2026-03-10T09:00:00+08:00")
    ends_at: AwareDatetime
    hours: Decimal | None = Field(None, gt=0, le=24, decimal_places=1, description="留空按时长计算")


class CourseSessionOut(Schema):
    id: int
    course_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: str

    @staticmethod
    def resolve_hours(obj: Any) -> str:
        return str(obj.hours)


class CourseEnrolIn(Schema):
    cadre_ids: list[Id] = Field(default_factory=list, max_length=500)
    member_ids: list[Id] = Field(default_factory=list, max_length=500)


class CourseEnrolmentOut(Schema):
    id: int
    name: str
    cadre_id: int | None
    member_id: int | None
    personal_code: str = Field(..., description="学员在手机上签到时输入的6位个人签到码")
    sessions_attended: int = 0
    certificate_code: str | None = None

    @staticmethod
    def resolve_certificate_code(obj: Any) -> str | None:
        cert = getattr(obj, "certificate", None)  # the reverse one-to-one's "none" is an AttributeError
        return cert.code if cert is not None else None


class SignInCodeOut(Schema):
    word: str = Field(..., description="6位签到码，学员在签到页输入")
    qr_url: str = Field(..., description="二维码中的签到地址（只需再输入个人签到码）")
    expires_at: dt.datetime


class TrainingSignInIn(Schema):
    word: str = Field("", max_length=6, description="签到码（与 token 二选一）")
    token: str = Field("", max_length=32, description="二维码地址中的令牌（与 word 二选一）")
    personal_code: str = Field(..., min_length=6, max_length=6, pattern=r"^\d{6}$")


class TrainingSignInOut(Schema):
    name: str = Field(..., description="学员姓名（脱敏）")
    course: str
    session_id: int
    signed_at: dt.datetime


class CertificatesIssuedOut(Schema):
    issued: int


class CertificateCheckOut(Schema):
    valid: bool
    masked_name: str | None = None
    course: str | None = None
    organiser: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    issued_on: dt.date | None = None


class TrainerEditIn(Schema):
    kind: TrainerKind
    name: str = Field(..., min_length=1, max_length=50)
    qualified_on: DayIn
    valid_until: DayIn | None = None
    certificate_no: str = Field("", max_length=40)


class TrainerQualificationIn(TrainerEditIn):
    org_unit_id: Id


class EnrolmentCancelIn(Schema):
    reason: str = Field(..., max_length=200, description="取消报名的原因（必填）")


class TrainerQualificationOut(Schema):
    id: int
    org_unit_id: int
    kind: str
    name: str
    qualified_on: dt.date
    valid_until: dt.date | None
    certificate_no: str


class TrainingFiguresRowOut(Schema):
    unit_id: int
    unit_name: str
    own_level: bool = Field(..., description="true：本级干部（不含下级）")
    cadres: int = Field(..., description="当年任何时间在任的干部数")
    trained: int = Field(..., description="其中当年参加过培训的人数")
    hours: str
    hours_per_cadre: str
    reached: int = Field(..., description="其中当年累计学时不少于 min_hours 的人数")
    share_reached: str = Field(..., description="达标比例（%）")


class TrainingFiguresOut(Schema):
    unit_id: int
    year: int
    min_hours: str
    whole: TrainingFiguresRowOut = Field(..., description="合计：该协会及其全部下级")
    rows: list[TrainingFiguresRowOut]


def _row(r: Any) -> dict[str, Any]:
    return {
        "unit_id": r.unit.pk,
        "unit_name": r.unit.name,
        "own_level": r.own_level,
        "cadres": r.cadres,
        "trained": r.trained,
        "hours": str(r.hours),
        "hours_per_cadre": str(r.hours_per_cadre),
        "reached": r.reached,
        "share_reached": str(r.share_reached),
    }


# --- courses ---------------------------------------------------------------------------------------------


@router.get(
    "/topics", response={200: list[TrainingTopicOut], **AUTH_ERRORS}, summary="培训主题（协会六项重点任务）"
)
def training_topic_list(request: HttpRequest) -> Any:
    return selectors.topic_list()


@router.get(
    "",
    response={200: list[CourseOut], **LIST},
    summary="培训班列表（限本辖区）",
    description="year：开始日期所在年度；topic：主题代码。分页：limit（最多200）、offset。",
)
@paginate
def course_list(request: HttpRequest, year: int | None = None, topic: str = "") -> Any:
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationError(_("年份不正确。"), code="year")
    return selectors.course_list(actor=actor_of(request), year=year, topic=topic[:40])


@router.post(
    "",
    response={201: CourseOut, **WRITE},
    summary="开设培训班",
    description="422：结束早于开始、主题不存在、级别高于主办协会、组织或培训师不在辖区内；403：无权开设。",
)
def course_create(request: HttpRequest, payload: CourseIn) -> Any:
    actor = actor_of(request)
    unit = org_selectors.unit_ref(actor=actor, unit_id=payload.org_unit_id, perm=VIEW_TRAINING)
    course = services.course_create(actor=actor, org_unit=unit, **_course_values(actor, payload))
    return Status(201, selectors.course_get(actor=actor, course_id=course.pk))


@router.put(
    "/{int:course_id}",
    response={200: CourseOut, **WRITE},
    summary="修改培训班（主办协会不变）",
    description="与开设时相同的检查，另外：已有课次须在新日期之内（422 starts_on），名额不少于已报名人数"
    "（409 capacity）。trainer_ids 为修改后的全部培训师。403：可查看但无权修改。",
)
def course_update(request: HttpRequest, course_id: int, payload: CourseEditIn) -> Any:
    actor = actor_of(request)
    course = selectors.course_get(actor=actor, course_id=course_id)
    services.course_update(actor=actor, course=course, **_course_values(actor, payload))
    return selectors.course_get(actor=actor, course_id=course.pk)


def _course_values(actor: Actor, payload: CourseEditIn) -> dict[str, Any]:
    """A course's fields from the body, its topic and trainers looked up (unknown or out of scope: a 422)."""
    topic = TrainingTopic.objects.filter(code=payload.topic).first()
    if topic is None:
        raise ValidationError(_("培训主题不存在。"), code="unknown_topic")
    trainers = list(selectors.trainer_list(actor=actor).filter(pk__in=payload.trainer_ids))
    if len(trainers) != len(set(payload.trainer_ids)):
        raise ValidationError(_("培训师不存在，或您无权选择。"), code="unknown_trainer")
    values = payload.dict(include={"title", "starts_on", "ends_on", "hours", "capacity", "level", "place"})
    return {**values, "topic": topic, "trainers": trainers}


@router.get("/{int:course_id}", response={200: CourseOut, **READ}, summary="培训班详情")
def course_get(request: HttpRequest, course_id: int) -> Any:
    return selectors.course_get(actor=actor_of(request), course_id=course_id)


@router.get(
    "/{int:course_id}/sessions", response={200: list[CourseSessionOut], **READ}, summary="培训班的课次"
)
def course_session_list(request: HttpRequest, course_id: int) -> Any:
    return selectors.session_list(selectors.course_get(actor=actor_of(request), course_id=course_id))


@router.post(
    "/{int:course_id}/sessions",
    response={201: CourseSessionOut, **WRITE},
    summary="添加课次",
    description="422：结束不晚于开始，或不在培训班日期内的同一天。",
)
def course_session_create(request: HttpRequest, course_id: int, payload: CourseSessionIn) -> Any:
    actor = actor_of(request)
    course = selectors.course_get(actor=actor, course_id=course_id, perm=MANAGE_TRAINING)
    session = services.session_add(
        actor=actor,
        course=course,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        title=payload.title,
        hours=payload.hours,
    )
    return Status(201, session)


@router.get(
    "/{int:course_id}/enrolments",
    response={200: list[CourseEnrolmentOut], **READ},
    summary="学员名单（含个人签到码、出席课次、证书）",
)
@paginate
def course_enrolment_list(request: HttpRequest, course_id: int) -> Any:
    return selectors.enrolment_list(selectors.course_get(actor=actor_of(request), course_id=course_id))


@router.post(
    "/{int:course_id}/enrolments",
    response={201: list[CourseEnrolmentOut], **WRITE},
    summary="报名：从协会干部和会员中选人",
    description="全部成功或全部不报。422：干部或会员不在主办协会及其下级、已离任或非在册、已报名；"
    "409 capacity：名额不足。",
)
def course_enrolment_create(request: HttpRequest, course_id: int, payload: CourseEnrolIn) -> Any:
    actor = actor_of(request)
    course = selectors.course_get(actor=actor, course_id=course_id, perm=MANAGE_TRAINING)
    cadres = list(scoping.scope(Cadre.objects.all(), actor, VIEW_TRAINING).filter(pk__in=payload.cadre_ids))
    members = list(
        scoping.scope(Member.objects.all(), actor, VIEW_TRAINING).filter(pk__in=payload.member_ids)
    )
    if len(cadres) != len(set(payload.cadre_ids)) or len(members) != len(set(payload.member_ids)):
        raise ValidationError(_("所选干部或会员不存在，或您无权操作。"), code="unknown_person")
    made = services.enrol(actor=actor, course=course, cadres=cadres, members=members)
    return Status(201, made)


@router.post(
    "/enrolments/{int:enrolment_id}/cancel",
    response={204: None, **WRITE},
    summary="取消报名（须填原因；已签到或已获证书的不能取消）",
    description="名额随之空出，审计记录保留被取消者和原因。409 attended：已签到或已获证书；422 reason：未填原因；"
    "403：可查看但无权修改。",
)
def course_enrolment_cancel(request: HttpRequest, enrolment_id: int, payload: EnrolmentCancelIn) -> Any:
    actor = actor_of(request)
    enrolment = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
    services.enrolment_cancel(actor=actor, enrolment=enrolment, reason=payload.reason)
    return Status(204, None)


@router.post(
    "/sessions/{int:session_id}/code",
    response={200: SignInCodeOut, **WRITE},
    summary="培训师：当前签到码（剩余不足1分钟时换新）",
    description="409 not_open：签到尚未开始；409 session_over：课次已结束。",
)
def training_session_code(request: HttpRequest, session_id: int) -> Any:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, perm=MANAGE_TRAINING)
    code = services.signin_code_current(actor=actor, session=session)
    return {
        "word": code.word,
        "qr_url": request.build_absolute_uri(reverse("association:sign_in_qr", args=[code.token])),
        "expires_at": code.expires_at,
    }


@router.post(
    "/sign-in",
    response={201: TrainingSignInOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="学员签到（无需登录）：签到码或二维码令牌，加个人签到码",
    description="404 unknown_code：签到码不正确；409 late：课次已结束；409 expired：签到码已过期；"
    "409 already_signed_in：已签到；422 foreign：个人签到码不在该签到码所属培训班的名单中。",
)
def training_sign_in(request: HttpRequest, payload: TrainingSignInIn) -> Any:
    if not payload.word and not payload.token:
        raise ValidationError(_("请输入签到码。"), code="word")
    code = services.signin_code_find(word=payload.word, token=payload.token)
    attendance = services.attendance_sign_in(
        code=code,
        personal_code=payload.personal_code,
        via=SignInVia.QR if payload.token else SignInVia.WORD,
    )
    return Status(
        201,
        {
            "name": mask_name(attendance.enrolment.name),
            "course": code.session.course.title,
            "session_id": code.session_id,
            "signed_at": attendance.signed_at,
        },
    )


@router.post(
    "/{int:course_id}/certificates",
    response={200: CertificatesIssuedOut, **WRITE},
    summary="颁发培训证书（出席学时达到设定比例者）",
    description="409 course_not_over：培训班尚未结束；409 no_sessions：没有课次。再次调用只给新达标者发证。",
)
def course_certificates_issue(request: HttpRequest, course_id: int) -> Any:
    actor = actor_of(request)
    course = selectors.course_get(actor=actor, course_id=course_id, perm=MANAGE_TRAINING)
    return {"issued": services.certificates_issue(actor=actor, course=course)}


@router.get(
    "/certificates/verify",
    response={200: CertificateCheckOut, 422: ErrorOut},
    auth=None,
    summary="查验培训证书（无需登录）：只显示脱敏姓名、培训班和日期",
    description="验证码不存在与格式不对的回答相同：valid 为 false。",
)
def training_certificate_verify(request: HttpRequest, code: str = Query(..., max_length=20)) -> Any:
    found = selectors.certificate_verify(code)
    if found is None:
        return {"valid": False}
    return {
        "valid": True,
        "masked_name": found.masked_name,
        "course": found.course,
        "organiser": found.organiser,
        "starts_on": found.starts_on,
        "ends_on": found.ends_on,
        "issued_on": found.issued_on,
    }


# --- trainers and figures ------------------------------------------------------------------------------


@router.get(
    "/trainers",
    response={200: list[TrainerQualificationOut], **LIST},
    summary="培训师资格",
)
@paginate
def training_trainer_list(request: HttpRequest, kind: TrainerKind | None = None) -> Any:
    return selectors.trainer_list(actor=actor_of(request), kind=kind or "")


@router.post(
    "/trainers",
    response={201: TrainerQualificationOut, **WRITE},
    summary="登记培训师资格（青春健康培训师、同伴教育者）",
    description="422：有效期早于取得资格日期、取得资格日期晚于今天、组织不在辖区内。",
)
def training_trainer_create(request: HttpRequest, payload: TrainerQualificationIn) -> Any:
    actor = actor_of(request)
    unit = org_selectors.unit_ref(actor=actor, unit_id=payload.org_unit_id, perm=VIEW_TRAINING)
    trainer = services.trainer_create(actor=actor, org_unit=unit, **payload.dict(exclude={"org_unit_id"}))
    return Status(201, trainer)


@router.put(
    "/trainers/{int:trainer_id}",
    response={200: TrainerQualificationOut, **WRITE},
    summary="修改培训师资格（换证、延期、更正）",
    description="与登记时相同的检查（422）；所属协会不变。403：可查看但无权修改。",
)
def training_trainer_update(request: HttpRequest, trainer_id: int, payload: TrainerEditIn) -> Any:
    actor = actor_of(request)
    trainer = selectors.trainer_get(actor=actor, trainer_id=trainer_id)
    return services.trainer_update(actor=actor, trainer=trainer, **payload.dict())


@router.get(
    "/figures",
    response={200: TrainingFiguresOut, **READ},
    summary="干部培训统计：按协会按年度的参训人数、人均学时、达标比例",
    description="unit_id 留空为本人最上级的辖区；rows 为其下一级各协会（及本级）。min_hours 留空用系统设置。",
)
def training_figures(
    request: HttpRequest,
    year: int = Query(..., ge=2000, le=2100),
    unit_id: int | None = None,
    min_hours: Decimal | None = Query(None, ge=0, le=1000),  # noqa: B008
) -> Any:
    actor = actor_of(request)
    unit = (
        ref(
            lambda: org_selectors.unit_ref(actor=actor, unit_id=unit_id, perm=VIEW_TRAINING),
            code="unknown_unit",
            message=_("指定的组织不存在，或您无权操作。"),
        )
        if unit_id is not None
        else None
    )
    figures = selectors.training_figures(actor=actor, year=year, unit=unit, min_hours=min_hours)
    return {
        "unit_id": figures.unit.pk,
        "year": figures.year,
        "min_hours": str(figures.min_hours),
        "whole": _row(figures.total),
        "rows": [_row(r) for r in figures.rows],
    }
