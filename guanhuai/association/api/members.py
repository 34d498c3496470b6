"""/api/v1/association/members…, /member-groups…, /members-day…: part 1 over the API, thin on the core/api kit
(bodies and cadres are in api/branches.py, re-registration campaigns in api/campaigns.py).

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
from guanhuai.association.api.common import unit_ref
from guanhuai.association.permissions import VIEW
from guanhuai.association.states import MemberKind, MembersDayKind, MemberStatus
from guanhuai.core.api import LIST, READ, WRITE, DayIn, actor, paginate, ref

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


@router.get(
    "/members",
    response={200: list[AssociationMemberOut], **LIST},
    summary="会员列表（限本辖区）",
    description="分页（limit/offset，最多200），带总数。422：unit_id 不存在或不在辖区内。",
)
@paginate
def member_list(request: HttpRequest, filters: Query[AssociationMemberFilterIn]) -> Any:
    unit = unit_ref(request, filters.unit_id) if filters.unit_id else None
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
    unit = unit_ref(request, payload.org_unit_id)
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
        actor=who, member=member, to_unit=unit_ref(request, payload.to_unit_id), on=payload.on
    )
    return Status(201, selectors.member_get(actor=who, member_id=moved.pk))


@router.post(
    "/members/{int:member_id}/reinstate",
    response={200: AssociationMemberOut, **WRITE},
    summary="恢复会籍（补办再登记）",
    description="逾期未再登记（lapsed）的会员恢复为在册，会员证号不变，退会日期清空。"
    "409 invalid_transition：该会员当前状态不能恢复（如已在册、已转出、已去世）；"
    "409 already_member：此人已在该协会有另一条在册会籍；403：可查看但无权管理会员；404：会员不存在或不在辖区内。",
)
def member_reinstate(request: HttpRequest, member_id: int) -> Any:
    who = actor(request)
    member = selectors.member_get(actor=who, member_id=member_id)
    services.member_reinstate(actor=who, member=member)
    return selectors.member_get(actor=who, member_id=member.pk)


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


class MemberGroupIn(Schema):
    org_unit_id: int = Field(ge=1, le=2**63 - 1)
    name: str = Field(min_length=1, max_length=50)
    leader_id: int | None = Field(
        None, ge=1, le=2**63 - 1, description="组长（本协会的在册会员）；不填为暂不设组长"
    )


class MemberGroupLeaderIn(Schema):
    leader_id: int | None = Field(
        ..., ge=1, le=2**63 - 1, description="新组长（本协会的在册会员）；null 为暂不设组长"
    )


def _leader(request: HttpRequest, leader_id: int | None) -> Any:
    if leader_id is None:
        return None
    return ref(
        lambda: selectors.member_get(actor=actor(request), member_id=leader_id),
        code="unknown_member",
        message=_("会员不存在，或您无权操作。"),
    )


@router.get(
    "/member-groups",
    response={200: list[MemberGroupOut], **LIST},
    summary="一个协会的会员小组及组长",
)
@paginate
def member_group_list(request: HttpRequest, unit_id: int = Query(..., ge=1)) -> Any:
    return selectors.group_list(actor=actor(request), unit=unit_ref(request, unit_id))


@router.post(
    "/member-groups",
    response={201: MemberGroupOut, **WRITE},
    summary="建立会员小组",
    description="组长加入该小组。409 name：该协会已有同名小组；422 leader：组长不是本协会的在册会员；"
    "422 unknown_member：会员不存在或不在辖区内；422 unknown_unit：协会不存在或不在辖区内；403：无权管理会员。",
)
def member_group_create(request: HttpRequest, payload: MemberGroupIn) -> Any:
    who = actor(request)
    unit = unit_ref(request, payload.org_unit_id)
    group = services.member_group_create(
        actor=who, org_unit=unit, name=payload.name, leader=_leader(request, payload.leader_id)
    )
    return Status(201, selectors.group_get(actor=who, group_id=group.pk))


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
    return services.member_group_set_leader(
        actor=who, group=group, leader=_leader(request, payload.leader_id)
    )


# --- Members' Day (5·29 会员活动日) --------------------------------------------------------------------------------


class MembersDayOut(Schema):
    id: int
    org_unit_id: int
    org_unit_name: str = Field(alias="org_unit.name")
    held_on: dt.date
    kind: MembersDayKind
    title: str
    participants: int
    note: str


class MembersDayIn(Schema):
    org_unit_id: int = Field(ge=1, le=2**63 - 1)
    held_on: DayIn
    kind: MembersDayKind
    title: str = Field(min_length=1, max_length=100)
    participants: int = Field(ge=0, le=1_000_000)
    note: str = Field("", max_length=500)


@router.get(
    "/members-day",
    response={200: list[MembersDayOut], **LIST},
    summary="会员活动日的活动（限本辖区），新的在前",
    description="unit_id：只看该组织及其下级（不存在或不在辖区内为422）。分页：limit（最多200）、offset。",
)
@paginate
def members_day_list(request: HttpRequest, unit_id: int | None = Query(None, ge=1, le=2**63 - 1)) -> Any:
    unit = unit_ref(request, unit_id) if unit_id else None
    return selectors.members_day_list(actor=actor(request), unit=unit)


@router.post(
    "/members-day",
    response={201: MembersDayOut, **WRITE},
    summary="记录会员活动日的活动",
    description="422 held_on：活动日期晚于今天；422 unknown_unit：协会不存在或不在辖区内；403：无权管理会员。",
)
def members_day_create(request: HttpRequest, payload: MembersDayIn) -> Any:
    who = actor(request)
    event = services.members_day_record(
        actor=who,
        org_unit=unit_ref(request, payload.org_unit_id),
        held_on=payload.held_on,
        kind=payload.kind.value,
        title=payload.title,
        participants=payload.participants,
        note=payload.note,
    )
    return Status(201, event)
