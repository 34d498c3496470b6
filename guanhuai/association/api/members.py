"""/api/v1/association/members…, /bodies…, /cadres…: part 1 over the API, thin on the core/api kit.

Reads go through association.selectors (scoped: out of scope is the same 404 as missing); writes through
association.services. A branch or person named in the body that is unknown or out of scope is a 422 about
that input. Members carry no ID number: a registry person is linked by `person_id`.

No `from __future__ import annotations`: ninja reads annotations at import time."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from guanhuai.association import selectors, services
from guanhuai.association.permissions import VIEW
from guanhuai.association.states import BodyKind, Employment, MemberKind, MemberStatus, Position
from guanhuai.core.api import AUTH_ERRORS, READ, WRITE, DayIn, ErrorOut, actor, paginate, ref
from guanhuai.orgs import selectors as org_selectors

router = Router(tags=["协会会员与组织"])


class AssociationMemberOut(Schema):
    id: int
    org_unit_id: int
    org_unit_name: str = Field(alias="org_unit.name")
    kind: str
    name: str
    card_no: str
    status: str
    joined_on: dt.date
    ended_on: dt.date | None
    person_id: int | None
    transferred_from_id: int | None


class AssociationMemberFilterIn(Schema):
    unit_id: int | None = Field(None, ge=1, description="只看该组织及其下级")
    status: MemberStatus | None = None
    q: str = Field("", max_length=50, description="姓名开头或会员证号")


class AssociationMemberIn(Schema):
    org_unit_id: int = Field(ge=1, le=2**63 - 1)
    kind: MemberKind = MemberKind.INDIVIDUAL
    person_id: int | None = Field(
        None, ge=1, le=2**63 - 1, description="户籍库人员；不填为独立会员或团体会员"
    )
    name: str = Field("", max_length=100)
    joined_on: DayIn


class MemberWithdrawIn(Schema):
    on: DayIn
    reason: str = Field("", max_length=200)


class MemberTransferIn(Schema):
    to_unit_id: int = Field(ge=1, le=2**63 - 1)
    on: DayIn


def _unit(request: HttpRequest, unit_id: int) -> Any:
    return org_selectors.unit_ref(actor=actor(request), unit_id=unit_id, perm=VIEW)


@router.get(
    "/members",
    response={200: list[AssociationMemberOut], **AUTH_ERRORS, 422: ErrorOut},
    summary="会员列表（限本辖区）",
    description="分页（limit/offset，最多200），带总数。422：unit_id 不存在或不在辖区内。",
)
@paginate
def member_list(request: HttpRequest, filters: Query[AssociationMemberFilterIn]) -> Any:
    unit = _unit(request, filters.unit_id) if filters.unit_id else None
    return selectors.member_list(
        actor=actor(request), unit=unit, status=filters.status.value if filters.status else "", q=filters.q
    )


@router.get("/members/{int:member_id}", response={200: AssociationMemberOut, **READ}, summary="会员详情")
def member_get(request: HttpRequest, member_id: int) -> Any:
    return selectors.member_get(actor=actor(request), member_id=member_id)


@router.post(
    "/members",
    response={201: AssociationMemberOut, **WRITE},
    summary="登记会员",
    description="会员证号由所属协会的序列生成。409 already_member：该人已是该协会的在册会员；"
    "422：组织或人员不存在或不在辖区内，日期晚于今天。",
)
def member_create(request: HttpRequest, payload: AssociationMemberIn) -> Any:
    from guanhuai.registry import selectors as registry_selectors

    who = actor(request)
    unit = _unit(request, payload.org_unit_id)
    person = None
    if payload.person_id is not None:
        person = registry_selectors.person_ref(actor=who, person_id=payload.person_id, perm=VIEW)
    member = services.member_create(
        actor=who,
        org_unit=unit,
        kind=payload.kind.value,
        person=person,
        name=payload.name,
        joined_on=payload.joined_on,
    )
    return Status(201, selectors.member_get(actor=who, member_id=member.pk))


@router.post(
    "/members/{int:member_id}/withdraw", response={200: AssociationMemberOut, **WRITE}, summary="退会"
)
def member_withdraw(request: HttpRequest, member_id: int, payload: MemberWithdrawIn) -> Any:
    who = actor(request)
    member = selectors.member_get(actor=who, member_id=member_id)
    return services.member_withdraw(actor=who, member=member, on=payload.on, reason=payload.reason)


@router.post(
    "/members/{int:member_id}/transfer",
    response={201: AssociationMemberOut, **WRITE},
    summary="会员转出到另一协会",
    description="原会籍状态变为“转出”，在转入协会生成新的会籍（新会员证号），两者相连。",
)
def member_transfer(request: HttpRequest, member_id: int, payload: MemberTransferIn) -> Any:
    who = actor(request)
    member = selectors.member_get(actor=who, member_id=member_id)
    moved = services.member_transfer(
        actor=who, member=member, to_unit=_unit(request, payload.to_unit_id), on=payload.on
    )
    return Status(201, selectors.member_get(actor=who, member_id=moved.pk))


# --- member groups -------------------------------------------------------------------------------------------


class MemberGroupOut(Schema):
    id: int
    org_unit_id: int
    name: str
    leader_id: int | None
    leader_name: str | None = Field(None, description="组长姓名；没有组长为 null")

    @staticmethod
    def resolve_leader_name(obj: Any) -> str | None:
        return obj.leader.name if obj.leader_id else None


class MemberGroupLeaderIn(Schema):
    leader_id: int | None = Field(
        ..., ge=1, le=2**63 - 1, description="新组长（本协会的在册会员）；null 为暂不设组长"
    )


@router.get(
    "/member-groups",
    response={200: list[MemberGroupOut], **AUTH_ERRORS, 422: ErrorOut},
    summary="一个协会的会员小组及组长",
)
@paginate
def member_group_list(request: HttpRequest, unit_id: int = Query(..., ge=1)) -> Any:
    return selectors.group_list(actor=actor(request), unit=_unit(request, unit_id))


@router.get("/member-groups/{int:group_id}", response={200: MemberGroupOut, **READ}, summary="会员小组详情")
def member_group_get(request: HttpRequest, group_id: int) -> Any:
    return selectors.group_get(actor=actor(request), group_id=group_id)


@router.put(
    "/member-groups/{int:group_id}/leader",
    response={200: MemberGroupOut, **WRITE},
    summary="更换会员小组组长",
    description="新组长加入该小组。422 leader：不是本协会的在册会员；422 unknown_member：会员不存在或不在辖区内；"
    "403：可查看但无权修改。",
)
def member_group_set_leader(request: HttpRequest, group_id: int, payload: MemberGroupLeaderIn) -> Any:
    who = actor(request)
    group = selectors.group_get(actor=who, group_id=group_id)
    leader = None
    if payload.leader_id is not None:
        leader = ref(
            lambda: selectors.member_get(actor=who, member_id=payload.leader_id),
            code="unknown_member",
            message=_("会员不存在，或您无权操作。"),
        )
    return services.member_group_set_leader(actor=who, group=group, leader=leader)


# --- bodies --------------------------------------------------------------------------------------------------


class SeatOut(Schema):
    id: int
    position: Position
    name: str
    designated_on: dt.date
    ceased_on: dt.date | None


class BodyOut(Schema):
    id: int
    org_unit_id: int
    kind: BodyKind
    term: int
    started_on: dt.date
    ended_on: dt.date | None
    seats: list[SeatOut]

    @staticmethod
    def resolve_seats(obj: Any) -> list[Any]:
        return list(obj.seats.all())


class BodyTermIn(Schema):
    org_unit_id: int = Field(ge=1, le=2**63 - 1)
    kind: BodyKind
    started_on: DayIn
    term: int | None = Field(None, ge=1, le=99)


class BodySeatIn(Schema):
    position: Position
    name: str = Field(max_length=50)
    designated_on: DayIn
    ceased_on: DayIn | None = None


@router.get(
    "/bodies",
    response={200: list[BodyOut], **AUTH_ERRORS, 422: ErrorOut},
    summary="一个协会的理事机构（各届及任职）",
)
@paginate
def body_list(request: HttpRequest, unit_id: int = Query(..., ge=1)) -> Any:
    return selectors.body_list(actor=actor(request), unit=_unit(request, unit_id))


@router.get("/bodies/{int:body_id}", response={200: BodyOut, **READ}, summary="理事机构一届的详情")
def body_get(request: HttpRequest, body_id: int) -> Any:
    return selectors.body_get(actor=actor(request), body_id=body_id)


@router.post(
    "/bodies",
    response={201: BodyOut, **WRITE},
    summary="产生新一届",
    description="上一届于新一届产生日期的前一日届满，其成员同日离任。422：产生日期不晚于上一届，届次不大于已有届次。",
)
def body_term_open(request: HttpRequest, payload: BodyTermIn) -> Any:
    who = actor(request)
    body = services.body_term_open(
        actor=who,
        org_unit=_unit(request, payload.org_unit_id),
        kind=payload.kind.value,
        started_on=payload.started_on,
        term=payload.term,
    )
    return Status(201, selectors.body_get(actor=who, body_id=body.pk))


@router.post(
    "/bodies/{int:body_id}/seats",
    response={201: SeatOut, **WRITE},
    summary="登记任职",
    description="422 ceased_on：离任日期早于任职日期；409：同一职务任期重叠（会长、常务副会长、秘书长只有一人，其他职务同一人不能重叠）。",
)
def seat_designate(request: HttpRequest, body_id: int, payload: BodySeatIn) -> Any:
    who = actor(request)
    body = selectors.body_get(actor=who, body_id=body_id)
    seat = services.seat_designate(
        actor=who,
        body=body,
        position=payload.position.value,
        name=payload.name,
        designated_on=payload.designated_on,
        ceased_on=payload.ceased_on,
    )
    return Status(201, seat)


# --- cadres --------------------------------------------------------------------------------------------------


class CadreOut(Schema):
    id: int
    org_unit_id: int
    name: str
    employment: Employment
    position: str
    appointed_on: dt.date
    left_on: dt.date | None


class CadreIn(Schema):
    org_unit_id: int = Field(ge=1, le=2**63 - 1)
    name: str = Field(max_length=50)
    employment: Employment
    position: str = Field(max_length=50)
    appointed_on: DayIn


class CadreTurnoverOut(Schema):
    unit_id: int
    name: str
    at_start: int
    appointed: int
    left: int
    rate: float | None


@router.get(
    "/cadres", response={200: list[CadreOut], **AUTH_ERRORS, 422: ErrorOut}, summary="协会干部（限本辖区）"
)
@paginate
def cadre_list(request: HttpRequest, unit_id: int | None = Query(None, ge=1), current: bool = True) -> Any:
    unit = _unit(request, unit_id) if unit_id else None
    return selectors.cadre_list(actor=actor(request), unit=unit, current=current)


@router.post("/cadres", response={201: CadreOut, **WRITE}, summary="登记干部")
def cadre_create(request: HttpRequest, payload: CadreIn) -> Any:
    cadre = services.cadre_appoint(
        actor=actor(request),
        org_unit=_unit(request, payload.org_unit_id),
        name=payload.name,
        employment=payload.employment.value,
        position=payload.position,
        appointed_on=payload.appointed_on,
    )
    return Status(201, cadre)


@router.get(
    "/cadres/turnover",
    response={200: list[CadreTurnoverOut], **READ},
    summary="干部变动：各下级协会一年的年初在岗、新任、离任和流失率（最后一行为合计）",
)
def cadre_turnover(
    request: HttpRequest, unit_id: int = Query(..., ge=1), year: int = Query(..., ge=1980, le=2100)
) -> Any:
    return selectors.cadre_turnover(actor=actor(request), unit=_unit(request, unit_id), year=year)


# --- re-registration campaigns ---------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    org_unit_id: int
    title: str
    opened_on: dt.date
    deadline: dt.date
    status: str
    lapsed: int


class VillageProgressOut(Schema):
    unit_id: int
    name: str
    on_roll: int = Field(description="名单上的会员数")
    confirmed: int

    @staticmethod
    def resolve_on_roll(obj: Any) -> int:
        return int(obj.total)


class CampaignDetailOut(CampaignOut):
    villages: list[VillageProgressOut]


class CampaignConfirmIn(Schema):
    unit_id: int = Field(ge=1, le=2**63 - 1, description="确认的村(社区)")
    member_ids: list[int] = Field(min_length=1, max_length=5000)


class CampaignConfirmOut(Schema):
    confirmed: int


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **AUTH_ERRORS},
    summary="会员再登记（本辖区及覆盖本辖区的）",
)
@paginate
def campaign_list(request: HttpRequest) -> Any:
    return selectors.campaign_list(actor=actor(request))


@router.get(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignDetailOut, **READ},
    summary="会员再登记及各村确认进度",
)
def campaign_get(request: HttpRequest, campaign_id: int) -> Any:
    who = actor(request)
    campaign = selectors.campaign_get(actor=who, campaign_id=campaign_id)
    campaign.villages = selectors.campaign_progress(actor=who, campaign=campaign)  # type: ignore[attr-defined]
    return campaign


@router.post(
    "/campaigns/{int:campaign_id}/confirm",
    response={200: CampaignConfirmOut, **WRITE},
    summary="村(社区)批量确认会员再登记",
    description="一次确认多名会员；已确认的不重复计数。422：名单外的会员、已截止或未开始的再登记、unit_id 不在辖区内。",
)
def campaign_confirm(request: HttpRequest, campaign_id: int, payload: CampaignConfirmIn) -> Any:
    who = actor(request)
    campaign = selectors.campaign_get(actor=who, campaign_id=campaign_id)
    n = services.campaign_confirm(
        actor=who, campaign=campaign, village=_unit(request, payload.unit_id), member_ids=payload.member_ids
    )
    return {"confirmed": n}
