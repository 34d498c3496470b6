"""/api/v1/association/units/{id}/registration, /bodies…, /seats…, /cadres…: a branch's registration, its
governing bodies with their terms and posts, and its cadres over the API, thin on the core/api kit.

Reads go through association.selectors (scoped: out of scope is the same 404 as missing); writes through
association.services (403 when the actor may see the branch but not manage it). A branch named in the body
that is unknown or out of scope is a 422 about that input.

No `from __future__ import annotations`: ninja reads annotations at import time."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from guanhuai.association import selectors, services
from guanhuai.association.api.common import unit_ref
from guanhuai.association.permissions import VIEW
from guanhuai.association.states import BodyKind, Employment, Position
from guanhuai.core.api import LIST, READ, WRITE, DayIn, actor, paginate
from guanhuai.orgs import selectors as org_selectors

router = Router(tags=["协会会员与组织"])


# --- registration --------------------------------------------------------------------------------------------


class RegistrationOut(Schema):
    org_unit_id: int
    founded_on: dt.date | None
    legal_person: bool
    legal_representative: str
    address: str
    contact_name: str
    contact_phone: str
    charter_version: str
    charter_adopted_on: dt.date | None
    updated_at: dt.datetime | None = Field(None, description="最后保存时间；从未登记为 null")


class RegistrationIn(Schema):
    """The whole registration, as the page's form saves it: a field left out is saved empty."""

    founded_on: DayIn | None = None
    legal_person: bool = False
    legal_representative: str = Field("", max_length=50, description="具有法人资格时必填")
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20, description="协会办公电话")
    charter_version: str = Field("", max_length=100)
    charter_adopted_on: DayIn | None = None


def _registration(request: HttpRequest, unit: Any) -> Any:
    reg = selectors.registration_get(actor=actor(request), unit=unit)
    if reg is not None:
        return reg
    # Never registered: the empty registration the page's form starts from, not a 404 (the branch exists).
    empty = {name: field.default for name, field in RegistrationIn.model_fields.items()}
    return {**empty, "org_unit_id": unit.pk, "updated_at": None}


@router.get(
    "/units/{int:unit_id}/registration",
    response={200: RegistrationOut, **READ},
    summary="协会登记信息（成立日期、法人资格、地址、联系人、章程）",
    description="从未登记的协会返回空的登记信息（updated_at 为 null）。404：组织不存在或不在辖区内。",
)
def registration_get(request: HttpRequest, unit_id: int) -> Any:
    unit = org_selectors.unit_get(actor=actor(request), unit_id=unit_id, perm=VIEW)
    return _registration(request, unit)


@router.put(
    "/units/{int:unit_id}/registration",
    response={200: RegistrationOut, **WRITE},
    summary="保存协会登记信息",
    description="整体保存（未传的项保存为空），审计日志记下改动的新旧值。"
    "422 legal_representative：具有法人资格却未填法定代表人；422 charter_adopted_on：章程通过日期早于成立日期；"
    "403：可查看但无权管理协会登记信息；404：组织不存在或不在辖区内。",
)
def registration_put(request: HttpRequest, unit_id: int, payload: RegistrationIn) -> Any:
    who = actor(request)
    unit = org_selectors.unit_get(actor=who, unit_id=unit_id, perm=VIEW)
    services.registration_save(actor=who, org_unit=unit, **payload.dict())
    return _registration(request, unit)


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


class SeatCeaseIn(Schema):
    ceased_on: DayIn


class BodySeatIn(Schema):
    position: Position
    name: str = Field(max_length=50)
    designated_on: DayIn
    ceased_on: DayIn | None = None


@router.get(
    "/bodies",
    response={200: list[BodyOut], **LIST},
    summary="一个协会的理事机构（各届及任职）",
)
@paginate
def body_list(request: HttpRequest, unit_id: int = Query(..., ge=1)) -> Any:
    return selectors.body_list(actor=actor(request), unit=unit_ref(request, unit_id))


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
        org_unit=unit_ref(request, payload.org_unit_id),
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


@router.post(
    "/seats/{int:seat_id}/cease",
    response={200: SeatOut, **WRITE},
    summary="离任（结束任职）",
    description="记录保留，写入离任日期。422 ceased_on：离任日期早于任职日期；409：已离任；"
    "403：可查看但无权管理理事会；404：任职不存在或不在辖区内。",
)
def seat_cease(request: HttpRequest, seat_id: int, payload: SeatCeaseIn) -> Any:
    who = actor(request)
    seat = selectors.seat_get(actor=who, seat_id=seat_id)
    return services.seat_cease(actor=who, seat=seat, ceased_on=payload.ceased_on)


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


class CadreLeaveIn(Schema):
    left_on: DayIn
    reason: str = Field("", max_length=200)


class CadreTurnoverOut(Schema):
    unit_id: int
    name: str
    at_start: int
    appointed: int
    left: int
    rate: float | None


@router.get("/cadres", response={200: list[CadreOut], **LIST}, summary="协会干部（限本辖区）")
@paginate
def cadre_list(request: HttpRequest, unit_id: int | None = Query(None, ge=1), current: bool = True) -> Any:
    unit = unit_ref(request, unit_id) if unit_id else None
    return selectors.cadre_list(actor=actor(request), unit=unit, current=current)


@router.post("/cadres", response={201: CadreOut, **WRITE}, summary="登记干部")
def cadre_create(request: HttpRequest, payload: CadreIn) -> Any:
    cadre = services.cadre_appoint(
        actor=actor(request),
        org_unit=unit_ref(request, payload.org_unit_id),
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
    return selectors.cadre_turnover(actor=actor(request), unit=unit_ref(request, unit_id), year=year)


@router.post(
    "/cadres/{int:cadre_id}/leave",
    response={200: CadreOut, **WRITE},
    summary="干部离任",
    description="记录保留，写入离任日期（计入当年的干部变动）。422 left_on：离任日期早于任职日期或晚于今天；"
    "409：已离任；403：可查看但无权管理协会干部；404：干部不存在或不在辖区内。",
)
def cadre_leave(request: HttpRequest, cadre_id: int, payload: CadreLeaveIn) -> Any:
    who = actor(request)
    cadre = selectors.cadre_get(actor=who, cadre_id=cadre_id)
    return services.cadre_leave(actor=who, cadre=cadre, left_on=payload.left_on, reason=payload.reason)
