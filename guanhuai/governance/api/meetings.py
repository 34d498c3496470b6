"""/api/v1/governance/meetings…: meetings of villagers (the minimal frame; the assemblies' part extends it)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from guanhuai.accounts import scoping
from guanhuai.core.api import AUTH_ERRORS, READ, WRITE, actor, paginate
from guanhuai.governance import selectors, services
from guanhuai.governance.permissions import VIEW
from guanhuai.registry import selectors as registry_selectors

router = Router()
MEETINGS = ["governance: meetings"]


class AssemblyOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    kind: str
    title: str
    scheduled_at: dt.datetime
    status: str
    roll_date: dt.date | None = None
    roll_size: int = 0
    roll_households: int = 0
    present: int = 0
    households_present: int = 0


@router.get(
    "/meetings",
    response={200: list[AssemblyOut], **AUTH_ERRORS},
    tags=MEETINGS,
    summary="辖区内各村(社区)的会议，最近的在前",
    description="分页：limit（最多200）、offset。",
)
@paginate
def assembly_list(request: HttpRequest) -> Any:
    return selectors.meeting_list(actor=actor(request))


@router.get(
    "/meetings/{int:meeting_id}",
    response={200: AssemblyOut, **READ},
    tags=MEETINGS,
    summary="一次会议（不存在或不在辖区内为404）",
)
def assembly_get(request: HttpRequest, meeting_id: int) -> Any:
    return selectors.meeting_get(actor=actor(request), meeting_id=meeting_id)


# --- the assemblies' part: quorum, sign-in, motions, tallies and corrections ---


class QuorumOut(Schema):
    meeting_id: int
    present: int
    roll_size: int
    met: bool
    sentence: str


class SignInIn(Schema):
    code: str = Field("", description="签到码（通知单上的数字或二维码）；与 entry_id 二选一")
    entry_id: int | None = Field(None, description="名册条目编号（按姓名搜索得到）")
    for_household: bool | None = Field(None, description="是否代表本户；不填则本户第一人到会即代表本户")


class SignInOut(Schema):
    entry_id: int
    name: str
    for_household: bool
    quorum: QuorumOut


class MotionOut(Schema):
    id: int
    meeting_id: int
    number: int
    title: str
    mode: str
    status: str
    present_at_vote: int | None
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    votes_invalid: int | None


class TallyIn(Schema):
    votes_for: int = Field(..., ge=0)
    votes_against: int = Field(..., ge=0)
    votes_abstain: int = Field(..., ge=0)
    votes_invalid: int = Field(0, ge=0)


class TallyCorrectionIn(TallyIn):
    reason: str = Field(..., description="更正理由（必填）")


class TallyEntryOut(Schema):
    kind: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    votes_invalid: int
    reason: str
    by_id: int
    at: dt.datetime


def _quorum_out(state: Any) -> dict[str, Any]:
    return {
        "meeting_id": state.meeting_id,
        "present": state.present,
        "roll_size": state.roll_size,
        "met": state.met,
        "sentence": state.sentence,
    }


@router.get(
    "/meetings/{int:meeting_id}/quorum",
    response={200: QuorumOut, **READ},
    tags=MEETINGS,
    summary="会议的实时法定人数：已到、应到、是否达到（按法律规定的各种情形）",
)
def meeting_quorum(request: HttpRequest, meeting_id: int) -> Any:
    meeting = selectors.meeting_get(actor=actor(request), meeting_id=meeting_id)
    return _quorum_out(selectors.quorum(meeting))


@router.post(
    "/meetings/{int:meeting_id}/sign-in",
    response={200: SignInOut, **WRITE},
    tags=MEETINGS,
    summary="会议签到（签到码或名册条目），返回签到后的法定人数",
    description="404：不在本次会议名册上；409：重复签到、本户已有户代表、会议未开始或已闭会；403：无权组织会议。",
)
def meeting_sign_in(request: HttpRequest, meeting_id: int, payload: SignInIn) -> Any:
    meeting = selectors.meeting_get(actor=actor(request), meeting_id=meeting_id)
    entry, state = services.sign_in(
        actor=actor(request),
        meeting=meeting,
        entry_id=payload.entry_id,
        code=payload.code,
        for_household=payload.for_household,
    )
    return {
        "entry_id": entry.pk,
        "name": entry.name,
        "for_household": entry.for_household,
        "quorum": _quorum_out(state),
    }


@router.get(
    "/meetings/{int:meeting_id}/motions",
    response={200: list[MotionOut], **READ},
    tags=MEETINGS,
    summary="会议的议题及表决结果（票数）",
)
def motion_list(request: HttpRequest, meeting_id: int) -> Any:
    meeting = selectors.meeting_get(actor=actor(request), meeting_id=meeting_id)
    return list(selectors.motion_list(meeting=meeting))


@router.post(
    "/motions/{int:motion_id}/tally",
    response={200: MotionOut, **WRITE},
    tags=MEETINGS,
    summary="记录议题的表决票数（到会人员的过半数赞成为通过）",
    description="422：票数合计多于表决时到会人数；409：议题不在表决中；403：无权组织会议。",
)
def motion_tally(request: HttpRequest, motion_id: int, payload: TallyIn) -> Any:
    motion = selectors.motion_get(actor=actor(request), motion_id=motion_id)
    return services.tally_record(actor=actor(request), motion=motion, **payload.dict())


@router.post(
    "/motions/{int:motion_id}/corrections",
    response={201: TallyEntryOut, **WRITE},
    tags=MEETINGS,
    summary="更正计票：追加一条更正记录（谁、何时、为何），原记录保留",
    description="422：没有理由、票数合计多于到会人数；409：会议已闭会（结果已锁定）、议题尚未计票。",
)
def motion_correct(request: HttpRequest, motion_id: int, payload: TallyCorrectionIn) -> Any:
    motion = selectors.motion_get(actor=actor(request), motion_id=motion_id)
    return Status(201, services.tally_correct(actor=actor(request), motion=motion, **payload.dict()))


@router.get(
    "/motions/{int:motion_id}/tallies",
    response={200: list[TallyEntryOut], **READ},
    tags=MEETINGS,
    summary="议题的计票及更正记录",
)
def motion_tallies(request: HttpRequest, motion_id: int) -> Any:
    motion = selectors.motion_get(actor=actor(request), motion_id=motion_id)
    return list(selectors.tally_log(motion=motion))


# --- the representatives' meeting, villager groups and requests to convene ---


class RepresentativeOut(Schema):
    id: int
    person_id: int
    name: str = Field(alias="person.name")
    sex: str = Field(alias="person.sex")
    role: str
    households: int | None = None
    started_on: dt.date


class CompositionCheckOut(Schema):
    title: str
    article: str
    ok: bool
    explanation: str


class RepresentativesOut(Schema):
    members: list[RepresentativeOut]
    checks: list[CompositionCheckOut]


class RepresentativeIn(Schema):
    person_id: int
    role: str = Field(..., description="committee（村民委员会成员）或 representative（村民代表）")
    started_on: dt.date
    households: int | None = Field(None, ge=1, description="村民代表：推选他（她）的户数")


class VillagerGroupOut(Schema):
    id: int
    name: str
    household_count: int


class MeetingRequestIn(Schema):
    basis: str = Field(..., description="villagers（村民提议）或 representatives（村民代表提议）")
    received_on: dt.date
    signatories: list[int] = Field(..., description="提议人（本村人员编号）")
    note: str = ""


class MeetingRequestCheckOut(Schema):
    signatories: int
    base: int
    needed: int
    met: bool
    words: str
    article: str


def _representatives(unit: Any) -> dict[str, Any]:
    return {
        "members": list(selectors.delegates(unit=unit)),
        "checks": [
            {"title": c.title, "article": str(c.article), "ok": c.ok, "explanation": c.explanation}
            for c in selectors.composition(unit=unit)
        ],
    }


@router.get(
    "/villages/{int:unit_id}/representatives",
    response={200: RepresentativesOut, **READ},
    tags=MEETINGS,
    summary="村民代表会议的现任组成人员及组成检查（第二十五条）",
)
def representative_list(request: HttpRequest, unit_id: int) -> Any:
    return _representatives(scoping.unit_or_404(actor(request), VIEW, unit_id))


@router.post(
    "/villages/{int:unit_id}/representatives",
    response={201: RepresentativesOut, **WRITE},
    tags=MEETINGS,
    summary="登记村民代表会议组成人员，返回登记后的组成检查",
    description="422：不是本村人员；409：已是组成人员；403：无权组织会议。",
)
def representative_add(request: HttpRequest, unit_id: int, payload: RepresentativeIn) -> Any:
    unit = scoping.unit_or_404(actor(request), VIEW, unit_id)
    person = registry_selectors.person_ref(actor=actor(request), person_id=payload.person_id)
    services.delegate_add(
        actor=actor(request), unit=unit, person=person, **payload.dict(exclude={"person_id"})
    )
    return Status(201, _representatives(unit))


@router.get(
    "/villages/{int:unit_id}/groups",
    response={200: list[VillagerGroupOut], **READ},
    tags=MEETINGS,
    summary="村民小组及其户数",
)
def villager_group_list(request: HttpRequest, unit_id: int) -> Any:
    return list(selectors.groups(unit=scoping.unit_or_404(actor(request), VIEW, unit_id)))


@router.post(
    "/meetings/{int:meeting_id}/request",
    response={201: MeetingRequestCheckOut, **WRITE},
    tags=MEETINGS,
    summary="登记召开会议的提议及提议人，返回是否达到法定比例（十分之一以上的村民或三分之一以上的村民代表）",
    description="422：没有提议人、提议人不是本村人员或现任村民代表；409：已登记过提议；403：无权组织会议。",
)
def meeting_request(request: HttpRequest, meeting_id: int, payload: MeetingRequestIn) -> Any:
    meeting = selectors.meeting_get(actor=actor(request), meeting_id=meeting_id)
    services.meeting_request_record(actor=actor(request), meeting=meeting, **payload.dict())
    meeting = selectors.meeting_get(actor=actor(request), meeting_id=meeting_id)
    check = selectors.request_check(meeting=meeting)
    assert check is not None  # recorded just above
    return Status(201, {**vars(check), "words": str(check.words), "article": str(check.article)})
