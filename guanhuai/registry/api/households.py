"""/api/v1/households endpoints.

No `from __future__ import annotations`: ninja reads annotations at import time."""

from typing import Any

from django.http import HttpRequest
from ninja import Query
from ninja.responses import Status

from guanhuai.core.api import LIST, READ, WRITE, paginate
from guanhuai.core.api import actor as actor_of
from guanhuai.registry import selectors, services
from guanhuai.registry.api.common import HOUSEHOLDS, persons_unit, router
from guanhuai.registry.api.schemas import (
    BirthIn,
    HouseholdDetailOut,
    HouseholdFilterIn,
    HouseholdIn,
    HouseholdOut,
    MemberIn,
    PersonOut,
    _person_input,
)

# --- households --------------------------------------------------------------------------------------------


@router.get(
    "/households",
    response={200: list[HouseholdOut], **LIST},
    tags=HOUSEHOLDS,
    summary="户列表（限本辖区）",
    description="分页（limit/offset，最多200），带总数。422：unit_id 不存在或不在辖区内。",
)
@paginate
def household_list(request: HttpRequest, filters: Query[HouseholdFilterIn]) -> Any:
    actor = actor_of(request)
    unit = persons_unit(request, filters.unit_id) if filters.unit_id is not None else None
    return selectors.household_list(actor=actor, unit=unit, q=filters.q.strip())


@router.get(
    "/households/{int:household_id}",
    response={200: HouseholdDetailOut, **READ},
    tags=HOUSEHOLDS,
    summary="户详情及成员（脱敏）",
)
def household_get(request: HttpRequest, household_id: int) -> Any:
    return selectors.household_get(actor=actor_of(request), household_id=household_id)


@router.post(
    "/households",
    response={201: HouseholdDetailOut, **WRITE},
    tags=HOUSEHOLDS,
    summary="登记新户及其成员",
    description=(
        "一次写入，要么全部成功、要么什么也不写。成员中有且只有一名户主；户主的配偶和子女自动建立家庭关系。"
        "422：组织不存在、不在辖区内或不是村(社区)级，身份证号错误（message 说明原因），户内身份证号重复，"
        "户主不是一名；409：身份证号已登记（在您辖区内时 details.person_id 为已登记人员，否则不透露登记地），"
        "或所填户编号已被其他户使用（不填则按本村顺序自动编号）；"
        "403：可查看该组织但无权登记。"
    ),
)
def household_create(request: HttpRequest, payload: HouseholdIn) -> Any:
    actor = actor_of(request)
    org_unit = persons_unit(request, payload.org_unit_id)
    household = services.household_create(
        actor=actor,
        org_unit=org_unit,
        address=payload.address,
        hukou_type=payload.hukou_type.value,
        number=payload.number,
        members=[_person_input(request, m) for m in payload.members],
    )
    return Status(201, selectors.household_get(actor=actor, household_id=household.pk))


@router.post(
    "/households/{int:household_id}/members",
    response={201: PersonOut, **WRITE},
    tags=HOUSEHOLDS,
    summary="给已有的户添加成员（新生儿请用出生登记）",
    description="422：身份证号错误、关系为户主；409：身份证号已登记；403：可查看但无权登记。",
)
def member_add(request: HttpRequest, household_id: int, payload: MemberIn) -> Any:
    actor = actor_of(request)
    household = selectors.household_get(actor=actor, household_id=household_id)
    person = services.person_add(actor=actor, household=household, data=_person_input(request, payload))
    return Status(201, selectors.person_get(actor=actor, person_id=person.pk))


@router.post(
    "/households/{int:household_id}/births",
    response={201: PersonOut, **WRITE},
    tags=HOUSEHOLDS,
    summary="出生登记",
    description="新生儿加入该户，与父母建立亲生关系，父母的家庭状况随之更新（再生育后不再是失独或伤残家庭）。"
    "422：身份证号错误，或父母不存在、不在辖区内；409：身份证号已登记；403：无权登记。",
)
def birth_record(request: HttpRequest, household_id: int, payload: BirthIn) -> Any:
    actor = actor_of(request)
    household = selectors.household_get(actor=actor, household_id=household_id)
    parents = [selectors.person_ref(actor=actor, person_id=pid) for pid in dict.fromkeys(payload.parent_ids)]
    child = services.birth_record(
        actor=actor,
        household=household,
        parents=parents,
        data=_person_input(request, payload),
        occurred_on=payload.occurred_on,
    )
    return Status(201, selectors.person_get(actor=actor, person_id=child.pk))
