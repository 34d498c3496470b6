"""/api/v1/association/care…, /volunteer-teams…, /volunteers…, /meetings…, /delegated-tasks…: special-family care, volunteers
and the work with the health commission. Thin, on the core/api kit: reads through the selectors (scoped by
VIEW_CARE or VIEW; out of scope is the same 404 as missing), writes through the services (403 without the
permission, 422 for bad input with the same message as on the page, 409 for a move the state table refuses).

Privacy: lists give the household head's name masked; only GET /care/visits/{id} gives a visit's needs,
and that read is written to the audit log."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from guanhuai.accounts.models import User
from guanhuai.association import services
from guanhuai.association.models import CareArrangement, Visit
from guanhuai.association.permissions import MANAGE_MEETINGS, MANAGE_VOLUNTEERS, VIEW_CARE
from guanhuai.association.selectors import care as care_sel
from guanhuai.association.selectors import meetings as meeting_sel
from guanhuai.core.api import AUTH_ERRORS, LIST, READ, WRITE, DayIn, ErrorOut, Id, actor, paginate, ref
from guanhuai.core.masking import mask_name
from guanhuai.orgs import selectors as org_selectors

router = Router()
CARE = ["association: care for special families"]
VOLUNTEERS = ["association: volunteers"]
MEETINGS = ["association: health commission"]


class CoverageRowOut(Schema):
    unit_id: int | None
    unit_name: str
    families: int
    all_three: int
    liaison: int
    doctor: int
    fast_lane: int
    none: int


class CoverageOut(Schema):
    unit_id: int
    unit_name: str
    on: dt.date
    overall: CoverageRowOut
    rows: list[CoverageRowOut]


class CareFamilyOut(Schema):
    household_id: int = Field(alias="pk")
    village: str = Field(alias="org_unit.name")
    head_masked: str
    has_liaison: bool
    has_doctor: bool
    has_fast_lane: bool

    @staticmethod
    def resolve_head_masked(obj: Any) -> str:
        return mask_name(obj.head.name if obj.head else "")


class ArrangementOut(Schema):
    id: int
    household_id: int
    kind: str
    liaison_level: str
    cadre_id: int | None
    person_name: str
    institution: str
    starts_on: dt.date
    ends_on: dt.date | None


class ArrangementIn(Schema):
    kind: Literal["liaison", "doctor", "fast_lane"]
    starts_on: DayIn
    ends_on: DayIn | None = None
    cadre_id: Id | None = None
    liaison_level: Literal["", "township", "village"] = ""
    person_name: str = Field("", max_length=50)
    institution: str = Field("", max_length=100)
    phone: str = Field("", max_length=20)


class EndIn(Schema):
    ends_on: DayIn


class FollowUpIn(Schema):
    action: str = Field(max_length=200)
    owner_id: Id
    due_on: DayIn


class FollowUpOut(Schema):
    id: int
    action: str
    owner_id: int
    due_on: dt.date
    status: str
    done_on: dt.date | None
    note: str


class VisitIn(Schema):
    visited_on: DayIn
    visitors: str = Field(max_length=200)
    kind: Literal["routine", "festival", "hospital", "birthday", "other"]
    needs: str = ""
    follow_ups: list[FollowUpIn] = Field(default_factory=list, max_length=10)


class VisitOut(Schema):
    id: int
    household_id: int
    visited_on: dt.date
    visitors: str
    kind: str
    needs: str
    follow_ups: list[FollowUpOut]

    @staticmethod
    def resolve_follow_ups(obj: Visit) -> Any:
        return obj.follow_ups.order_by("due_on", "pk")


class MyFollowUpOut(FollowUpOut):
    visit_id: int
    household_id: int = Field(alias="visit.household_id")
    village: str = Field(alias="org_unit.name")


class DoneIn(Schema):
    note: str = Field("", max_length=200)


def _row(row: care_sel.CoverageRow) -> dict[str, Any]:
    return {
        "unit_id": row.unit.pk if row.unit else None,
        "unit_name": row.unit.name if row.unit else "",
        **{k: getattr(row, k) for k in ("families", "all_three", "liaison", "doctor", "fast_lane", "none")},
    }


def _care_unit(request: HttpRequest, unit_id: int) -> Any:
    return org_selectors.unit_ref(actor=actor(request), unit_id=unit_id, perm=VIEW_CARE)


@router.get(
    "/care/coverage",
    response={200: CoverageOut, **AUTH_ERRORS, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    tags=CARE,
    summary="三个全覆盖：按下级单位统计特殊家庭的联系人、家庭医生签约和就医绿色通道",
    description="unit_id：统计的单位（不存在或不在辖区内为422）。on：统计日期（默认今天）。",
)
def care_coverage(request: HttpRequest, unit_id: Id, on: DayIn | None = None) -> Any:
    unit = _care_unit(request, unit_id)
    rows, total = care_sel.coverage_report(actor=actor(request), unit=unit, on=on)
    return {
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "on": on or timezone.localdate(),
        "overall": _row(total),
        "rows": [_row(r) for r in rows],
    }


@router.get(
    "/care/gaps",
    response={200: list[CareFamilyOut], **LIST},
    tags=CARE,
    summary="缺项特殊家庭（户主姓名已遮掩）",
    description="gap：none 三项都没有、any 未全覆盖、liaison、doctor、fast_lane。unit_id：只看该单位以下。"
    "分页：limit（最多200）、offset。",
)
@paginate
def care_gaps(
    request: HttpRequest,
    gap: Literal["none", "any", "liaison", "doctor", "fast_lane"] = "none",
    unit_id: Id | None = None,
) -> Any:
    unit = _care_unit(request, unit_id) if unit_id else None
    return care_sel.coverage_gaps(actor=actor(request), unit=unit, gap=gap)


@router.get(
    "/care/families/{int:household_id}/arrangements",
    response={200: list[ArrangementOut], **READ},
    tags=CARE,
    summary="一户特殊家庭的联系人、签约和绿色通道（含已结束的）",
)
def care_arrangement_list(request: HttpRequest, household_id: int) -> Any:
    household = care_sel.special_household_get(actor=actor(request), household_id=household_id)
    return list(care_sel.arrangement_list(actor=actor(request), household=household))


@router.post(
    "/care/families/{int:household_id}/arrangements",
    response={201: ArrangementOut, **WRITE},
    tags=CARE,
    summary="登记结对联系人、家庭医生签约或就医绿色通道",
    description="422：不是特殊家庭、日期颠倒、缺少姓名或机构、联系人不在该家庭所在村或其上级；403：无权登记。",
)
def care_arrangement_create(request: HttpRequest, household_id: int, payload: ArrangementIn) -> Any:
    household = care_sel.special_household_get(actor=actor(request), household_id=household_id)
    cadre = None
    if payload.cadre_id:
        cadre = ref(
            lambda: meeting_sel.cadre_get(actor=actor(request), cadre_id=payload.cadre_id),
            code="unknown_cadre",
            message=_("指定的干部（编号 %(id)s）不存在，或您无权操作。") % {"id": payload.cadre_id},
        )
    row = services.care_arrangement_add(
        actor=actor(request), household=household, cadre=cadre, **payload.dict(exclude={"cadre_id"})
    )
    return Status(201, row)


@router.post(
    "/care/arrangements/{int:arrangement_id}/end",
    response={200: ArrangementOut, **WRITE},
    tags=CARE,
    summary="结束联系人、签约或绿色通道（记录保留）",
)
def care_arrangement_end(request: HttpRequest, arrangement_id: int, payload: EndIn) -> CareArrangement:
    row = care_sel.arrangement_get(actor=actor(request), arrangement_id=arrangement_id)
    return services.care_arrangement_end(actor=actor(request), arrangement=row, ends_on=payload.ends_on)


@router.post(
    "/care/families/{int:household_id}/visits",
    response={201: VisitOut, **WRITE},
    tags=CARE,
    summary="记录走访慰问及跟进事项",
    description="422：走访日期晚于今天、未填走访人、跟进负责人不能查看该家庭、期限早于走访日期。",
)
def care_visit_create(request: HttpRequest, household_id: int, payload: VisitIn) -> Any:
    household = care_sel.special_household_get(actor=actor(request), household_id=household_id)
    owners = {u.pk: u for u in User.objects.filter(pk__in=[f.owner_id for f in payload.follow_ups])}
    visit = services.visit_record(
        actor=actor(request),
        household=household,
        visited_on=payload.visited_on,
        visitors=payload.visitors,
        kind=payload.kind,
        needs=payload.needs,
        follow_ups=[(f.action, owners.get(f.owner_id), f.due_on) for f in payload.follow_ups],
    )
    return Status(201, visit)


@router.get(
    "/care/visits/{int:visit_id}",
    response={200: VisitOut, **READ},
    tags=CARE,
    summary="走访记录（含需求；每次读取记入审计日志）",
)
def care_visit_get(request: HttpRequest, visit_id: int) -> Visit:
    return services.visit_open(actor=actor(request), visit_id=visit_id)


@router.get(
    "/care/follow-ups/mine",
    response={200: list[MyFollowUpOut], **LIST},
    tags=CARE,
    summary="我的逾期跟进：本人负责、未办结且已过期限的跟进事项（期限早的在前）",
    description="与“我的逾期跟进”页面相同：只列本人为负责人的事项，且限于本人可查看的家庭。"
    "分页：limit（最多200）、offset。",
)
@paginate
def care_my_follow_ups(request: HttpRequest) -> Any:
    return care_sel.overdue_follow_ups(actor=actor(request)).select_related("visit", "org_unit")


@router.post(
    "/care/follow-ups/{int:follow_up_id}/done",
    response={200: FollowUpOut, **WRITE},
    tags=CARE,
    summary="办结走访跟进事项",
)
def care_follow_up_done(request: HttpRequest, follow_up_id: int, payload: DoneIn) -> Any:
    item = care_sel.follow_up_get(actor=actor(request), follow_up_id=follow_up_id)
    return services.follow_up_done(actor=actor(request), follow_up=item, note=payload.note)


# --- volunteers -------------------------------------------------------------------------------------------


class VolunteerOut(Schema):
    id: int
    org_unit_id: int
    team_id: int | None
    name: str
    joined_on: dt.date
    left_on: dt.date | None
    total_hours: Decimal = Decimal("0")


class TeamOut(Schema):
    id: int
    org_unit_id: int
    name: str
    leader: str
    founded_on: dt.date | None


class TeamIn(Schema):
    org_unit_id: Id
    name: str = Field(min_length=1, max_length=100)
    leader: str = Field("", max_length=50, description="队长姓名")
    founded_on: DayIn | None = None


class VolunteerIn(Schema):
    org_unit_id: Id
    name: str = Field(min_length=1, max_length=50)
    joined_on: DayIn
    team_id: Id | None = None


class ServiceIn(Schema):
    served_on: DayIn
    hours: Decimal = Field(gt=0, le=24, decimal_places=1)
    activity: str = Field(min_length=1, max_length=200)


class ServiceOut(Schema):
    id: int
    volunteer_id: int
    served_on: dt.date
    hours: Decimal
    activity: str


@router.get(
    "/volunteer-teams",
    response={200: list[TeamOut], **LIST},
    tags=VOLUNTEERS,
    summary="志愿者队伍（限本辖区）",
)
@paginate
def team_list(request: HttpRequest) -> Any:
    return meeting_sel.team_list(actor=actor(request))


@router.post(
    "/volunteer-teams",
    response={201: TeamOut, **WRITE},
    tags=VOLUNTEERS,
    summary="建立志愿者队伍",
    description="422 name：本单位已有同名队伍；422 unknown_unit：单位不存在或无权管理志愿者。",
)
def team_create(request: HttpRequest, payload: TeamIn) -> Any:
    unit = org_selectors.unit_ref(actor=actor(request), unit_id=payload.org_unit_id, perm=MANAGE_VOLUNTEERS)
    team = services.volunteer_team_create(
        actor=actor(request),
        org_unit=unit,
        name=payload.name,
        leader=payload.leader,
        founded_on=payload.founded_on,
    )
    return Status(201, team)


@router.get(
    "/volunteers",
    response={200: list[VolunteerOut], **LIST},
    tags=VOLUNTEERS,
    summary="志愿者及其服务时长（限本辖区）",
)
@paginate
def volunteer_list(request: HttpRequest) -> Any:
    return meeting_sel.volunteer_list(actor=actor(request))


@router.post("/volunteers", response={201: VolunteerOut, **WRITE}, tags=VOLUNTEERS, summary="登记志愿者")
def volunteer_create(request: HttpRequest, payload: VolunteerIn) -> Any:
    unit = org_selectors.unit_ref(actor=actor(request), unit_id=payload.org_unit_id, perm=MANAGE_VOLUNTEERS)
    team = None
    team_id = payload.team_id
    if team_id:
        team = ref(
            lambda: meeting_sel.team_list(actor=actor(request)).get(pk=team_id),
            code="unknown_team",
            message=_("指定的志愿者队伍不存在，或您无权操作。"),
        )
    volunteer = services.volunteer_add(
        actor=actor(request), org_unit=unit, name=payload.name, joined_on=payload.joined_on, team=team
    )
    return Status(201, volunteer)


@router.post(
    "/volunteers/{int:volunteer_id}/services",
    response={201: ServiceOut, **WRITE},
    tags=VOLUNTEERS,
    summary="记录志愿服务",
    description="422：日期晚于今天或不在在队期间、时长不在 0–24 小时之间。",
)
def volunteer_service_create(request: HttpRequest, volunteer_id: int, payload: ServiceIn) -> Any:
    volunteer = meeting_sel.volunteer_get(actor=actor(request), volunteer_id=volunteer_id)
    return Status(
        201, services.volunteer_service_record(actor=actor(request), volunteer=volunteer, **payload.dict())
    )


# --- the health commission --------------------------------------------------------------------------------


class ActionIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=100)
    due_on: DayIn


class ActionOut(Schema):
    id: int
    title: str
    owner: str
    due_on: dt.date
    status: str
    closed_on: dt.date | None


class MeetingIn(Schema):
    org_unit_id: Id
    held_on: DayIn
    title: str = Field(min_length=1, max_length=200)
    attendees: str = Field(min_length=1)
    minutes: str = ""
    decisions: str = ""
    actions: list[ActionIn] = Field(default_factory=list, max_length=50)


class MeetingOut(Schema):
    id: int
    org_unit_id: int
    held_on: dt.date
    title: str
    attendees: str
    minutes: str
    decisions: str
    actions: list[ActionOut]

    @staticmethod
    def resolve_actions(obj: Any) -> Any:
        return obj.actions.order_by("due_on", "pk")


class StatusIn(Schema):
    status: str = Field(max_length=20)


class DelegatedIn(Schema):
    org_unit_id: Id
    title: str = Field(min_length=1, max_length=200)
    agreement: str = Field(min_length=1, max_length=200)
    agreed_on: DayIn
    due_on: DayIn
    deliverables: str = Field(min_length=1)


class DelegatedOut(Schema):
    id: int
    org_unit_id: int
    title: str
    agreement: str
    agreed_on: dt.date
    due_on: dt.date
    deliverables: str
    status: str


@router.get(
    "/meetings",
    response={200: list[MeetingOut], **LIST},
    tags=MEETINGS,
    summary="联席会议（限本辖区），新的在前",
)
@paginate
def meeting_list(request: HttpRequest) -> Any:
    return meeting_sel.meeting_list(actor=actor(request)).prefetch_related("actions")


def _meeting_unit(request: HttpRequest, unit_id: int) -> Any:
    return org_selectors.unit_ref(actor=actor(request), unit_id=unit_id, perm=MANAGE_MEETINGS)


@router.post(
    "/meetings",
    response={201: MeetingOut, **WRITE},
    tags=MEETINGS,
    summary="记录联席会议及议定事项",
    description="422：会议日期晚于今天、事项期限早于会议日期、单位不存在或无权操作。",
)
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Any:
    meeting = services.meeting_record(
        actor=actor(request),
        org_unit=_meeting_unit(request, payload.org_unit_id),
        held_on=payload.held_on,
        title=payload.title,
        attendees=payload.attendees,
        minutes=payload.minutes,
        decisions=payload.decisions,
        actions=[(a.title, a.owner, a.due_on) for a in payload.actions],
    )
    return Status(201, meeting)


@router.get(
    "/meetings/{int:meeting_id}", response={200: MeetingOut, **READ}, tags=MEETINGS, summary="联席会议"
)
def meeting_get(request: HttpRequest, meeting_id: int) -> Any:
    return meeting_sel.meeting_get(actor=actor(request), meeting_id=meeting_id)


@router.post(
    "/meetings/actions/{int:action_id}/close",
    response={200: ActionOut, **WRITE},
    tags=MEETINGS,
    summary="办结或撤销会议事项",
    description="status：done 或 dropped。409：事项已办结或已撤销。",
)
def action_close(request: HttpRequest, action_id: int, payload: StatusIn) -> Any:
    item = meeting_sel.action_get(actor=actor(request), action_id=action_id)
    return services.action_item_close(actor=actor(request), item=item, status=payload.status)


@router.get(
    "/delegated-tasks",
    response={200: list[DelegatedOut], **LIST},
    tags=MEETINGS,
    summary="承接政府转移职能事项（限本辖区）",
)
@paginate
def delegated_list(request: HttpRequest) -> Any:
    return meeting_sel.delegated_list(actor=actor(request))


@router.post("/delegated-tasks", response={201: DelegatedOut, **WRITE}, tags=MEETINGS, summary="登记承接事项")
def delegated_create(request: HttpRequest, payload: DelegatedIn) -> Any:
    data = payload.dict(exclude={"org_unit_id"})
    task = services.delegated_task_create(
        actor=actor(request), org_unit=_meeting_unit(request, payload.org_unit_id), **data
    )
    return Status(201, task)


@router.post(
    "/delegated-tasks/{int:task_id}/move",
    response={200: DelegatedOut, **WRITE},
    tags=MEETINGS,
    summary="变更承接事项状态",
    description="status：in_progress、delivered、accepted。409：状态表不允许的变更。",
)
def delegated_move(request: HttpRequest, task_id: int, payload: StatusIn) -> Any:
    task = meeting_sel.delegated_get(actor=actor(request), task_id=task_id)
    return services.delegated_task_move(actor=actor(request), task=task, status=payload.status)
