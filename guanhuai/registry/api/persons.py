"""/api/v1/persons endpoints.

No `from __future__ import annotations`: ninja reads annotations at import time."""

import datetime as dt
from enum import Enum
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query
from ninja.responses import Status

from guanhuai.core.api import AUTH_ERRORS, LIST, READ, WRITE, ErrorOut, Paged, not_found, paginate
from guanhuai.core.api import actor as actor_of
from guanhuai.core.errors import ValidationError
from guanhuai.orgs import selectors as org_selectors
from guanhuai.registry import selectors, services
from guanhuai.registry.api.common import PERSONS, persons_unit, router
from guanhuai.registry.api.schemas import (
    AdoptionIn,
    BankAccountIn,
    BankAccountOut,
    CheckIdIn,
    CheckIdOut,
    ConsentIn,
    ConsentOut,
    ConsentWithdrawIn,
    DeathIn,
    DisabilityIn,
    DivorceIn,
    EventIn,
    EventOut,
    LookupIn,
    MarriageIn,
    MigrationIn,
    PersonDetailOut,
    PersonFilterIn,
    PersonMoveIn,
    PersonOut,
    PersonPatchIn,
    UnmaskIn,
    UnmaskOut,
)
from guanhuai.registry.models import LifeEvent, Person
from guanhuai.registry.selectors import PersonFilters

# --- persons -----------------------------------------------------------------------------------------------


@router.get(
    "/persons",
    response={200: list[PersonOut], **LIST},
    tags=PERSONS,
    summary="人员列表（限本辖区，脱敏）",
    description="分页（limit/offset，最多200），带总数。422：参数有误，或 unit_id 不存在或不在辖区内。",
)
@paginate
def person_list(request: HttpRequest, filters: Query[PersonFilterIn]) -> Any:
    actor = actor_of(request)
    unit = persons_unit(request, filters.unit_id) if filters.unit_id is not None else None
    return selectors.person_list(
        actor=actor,
        filters=PersonFilters(
            q=filters.q.strip(),
            unit=unit,
            hukou_type=filters.hukou_type.value if filters.hukou_type else "",
            special_status=filters.special_status.value if filters.special_status else "",
            sex=filters.sex.value if filters.sex else "",
            age_min=filters.age_min,
            age_max=filters.age_max,
            migrant=filters.migrant,
            alive=None if filters.alive == "all" else filters.alive,
            order=filters.order,
        ),
    )


def _detail(request: HttpRequest, person: Person) -> Person:
    actor = actor_of(request)
    tree = selectors.family_tree(actor=actor, person=person)
    person.bank_account_masked = selectors.bank_account_get(actor=actor, person=person)  # type: ignore[attr-defined]

    def relative(p: Person, basis: str = "") -> dict[str, Any]:
        return {
            "id": p.pk,
            "name": p.name,
            "sex": p.sex,
            "birth_date": p.birth_date,
            "alive": p.died_on is None,
            "basis": basis,
        }

    person.family_summary = {  # type: ignore[attr-defined]
        "parents": [relative(p, basis) for p, basis in tree.parents],
        "children": [relative(p, basis) for p, basis in tree.children],
        "spouses": [
            {
                "id": s.pk,
                "name": s.name,
                "married_on": m.married_on,
                "ended_on": m.ended_on,
                "current": m.ended_on is None,
            }
            for s, m in tree.spouses
        ],
        "hidden_relatives": selectors.hidden_relatives(actor=actor, person=person),
    }
    return person


@router.get(
    "/persons/{int:person_id}",
    response={200: PersonDetailOut, **READ},
    tags=PERSONS,
    summary="人员详情（含家庭关系，脱敏）",
    description="404：不存在或不在辖区内（两者不加区分）。辖区以外的亲属只计数、不显示。",
)
def person_get(request: HttpRequest, person_id: int) -> Any:
    return _detail(request, selectors.person_get(actor=actor_of(request), person_id=person_id))


@router.patch(
    "/persons/{int:person_id}",
    response={200: PersonDetailOut, **WRITE},
    tags=PERSONS,
    summary="修改人员信息（姓名、电话、户籍、光荣证、与户主关系）",
    description="出生日期、性别、身份证号和死亡通过“更正”事件修改。403：可查看但无权修改；"
    "422：姓名为空、电话格式错误，或试图借此更换户主。",
)
def person_update(request: HttpRequest, person_id: int, payload: PersonPatchIn) -> Any:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    values = {k: (v.value if isinstance(v, Enum) else v) for k, v in payload.dict(exclude_unset=True).items()}
    if any(v is None for v in values.values()):
        raise ValidationError(_("修改的字段不能为空值。"), code="null_value")
    services.person_update(actor=actor, person=person, **values)
    return _detail(request, person)


@router.post(
    "/persons/{int:person_id}/unmask",
    response={200: UnmaskOut, **WRITE},
    tags=PERSONS,
    summary="查看完整的身份证号、电话或银行账号（留痕）",
    description="需要“查看完整信息”权限（否则403）和用途说明（否则422）。每次查看都写入审计日志："
    "谁、看了谁的什么、为什么。响应不缓存。",
)
def person_unmask(request: HttpRequest, response: HttpResponse, person_id: int, payload: UnmaskIn) -> Any:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    value = services.person_unmask(
        actor=actor, person=person, field_name=payload.field.value, reason=payload.reason
    )
    response["Cache-Control"] = "no-store"
    return {"field": payload.field.value, "value": value}


@router.get(
    "/persons/{int:person_id}/events",
    response={200: list[EventOut], **READ},
    tags=PERSONS,
    summary="人员的生活事件（最新在前）",
)
@paginate
def event_list(request: HttpRequest, person_id: int) -> Any:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)

    def with_visibility(items: list[Any]) -> list[Any]:
        visible = selectors.visible_person_ids(actor=actor, person_ids=[e.related_person_id for e in items])
        for event in items:
            event.related_visible = event.related_person_id in visible
        return items

    return Paged(selectors.event_list(actor=actor, person=person), with_visibility)


@router.post(
    "/persons/{int:person_id}/events",
    response={201: EventOut, **WRITE},
    tags=PERSONS,
    summary="登记生活事件（死亡、残疾评定、结婚、离婚、流动、迁户、收养、更正）",
    description=(
        "按 kind 填写对应字段。收养：本人是被收养的子女，parent_ids 为收养人。出生通过 "
        "POST /households/{id}/births 登记。事件会更新推导的家庭状况（现有子女数、失独、伤残）。"
        "404：人员不存在或不在辖区内；422：参数有误，或所指的人员、户、组织不存在或不在辖区内；"
        "403：可查看但无权登记；409：与现状冲突（已登记死亡、已有婚姻、没有婚姻、收养关系已存在、身份证号重复）。"
    ),
)
def event_create(request: HttpRequest, person_id: int, payload: EventIn) -> Any:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    return Status(201, _record_event(request, person, payload))


def _record_event(request: HttpRequest, person: Person, p: Any) -> LifeEvent:
    actor = actor_of(request)

    def ref(person_id: int) -> Person:
        return selectors.person_ref(actor=actor, person_id=person_id)

    if isinstance(p, DeathIn):
        return services.death_record(actor=actor, person=person, occurred_on=p.occurred_on, note=p.note)
    if isinstance(p, DisabilityIn):
        return services.disability_record(
            actor=actor, person=person, grade=p.grade, occurred_on=p.occurred_on
        )
    if isinstance(p, MarriageIn):
        return services.marriage_record(
            actor=actor, person=person, spouse=ref(p.spouse_id), occurred_on=p.occurred_on
        )
    if isinstance(p, DivorceIn):
        return services.divorce_record(actor=actor, person=person, occurred_on=p.occurred_on)
    if isinstance(p, MigrationIn):
        # The residence may be anywhere in the country: it is named, not read.
        unit = (
            org_selectors.public_unit(unit_id=p.residence_unit_id)
            if p.residence_unit_id is not None
            else None
        )
        return services.migration_record(
            actor=actor, person=person, residence_unit=unit, occurred_on=p.occurred_on, note=p.note
        )
    if isinstance(p, PersonMoveIn):
        household = selectors.household_ref(actor=actor, household_id=p.household_id)
        return services.move_record(
            actor=actor,
            person=person,
            household=household,
            relation_to_head=p.relation_to_head.value,
            occurred_on=p.occurred_on,
        )
    if isinstance(p, AdoptionIn):
        parents = [ref(pid) for pid in dict.fromkeys(p.parent_ids)]
        return services.adoption_record(actor=actor, parents=parents, child=person, occurred_on=p.occurred_on)
    value: Any = p.value
    if p.field in ("birth_date", "died_on"):
        value = _date_or_none(value, required=p.field == "birth_date")
    return services.correction_record(
        actor=actor, person=person, field_name=p.field, value=value, reason=p.reason
    )


def _date_or_none(raw: str | None, *, required: bool) -> dt.date | None:
    if not raw:
        if required:
            raise ValidationError(_("请填写日期（YYYY-MM-DD）。"), code="date_required")
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD。"), code="date_format")


@router.post(
    "/persons/{int:person_id}/bank-account",
    response={200: BankAccountOut, **WRITE},
    tags=PERSONS,
    summary="登记或更换银行账户",
    description="响应中的账号已脱敏。403：可查看但无权修改；422：账号应为8至30位数字、开户银行必填。",
)
def bank_account_set(request: HttpRequest, person_id: int, payload: BankAccountIn) -> Any:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    return services.bank_account_set(
        actor=actor, person=person, bank_name=payload.bank_name, account_number=payload.account_number
    )


@router.get(
    "/persons/{int:person_id}/consents",
    response={200: list[ConsentOut], **READ},
    tags=PERSONS,
    summary="个人信息处理同意记录",
)
@paginate
def consent_list(request: HttpRequest, person_id: int) -> Any:
    actor = actor_of(request)
    return selectors.consent_list(actor=actor, person=selectors.person_get(actor=actor, person_id=person_id))


@router.post(
    "/persons/{int:person_id}/consents",
    response={201: ConsentOut, **WRITE},
    tags=PERSONS,
    summary="登记同意（用途、范围、日期、同意人）",
    description="403：可查看但无权修改；422：日期晚于今天、范围或同意人为空。",
)
def consent_record(request: HttpRequest, person_id: int, payload: ConsentIn) -> Any:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    consent = services.consent_record(
        actor=actor,
        person=person,
        purpose=payload.purpose.value,
        scope=payload.scope,
        given_on=payload.given_on,
        given_by=payload.given_by,
    )
    return Status(201, consent)


@router.post(
    "/persons/{int:person_id}/consents/{int:consent_id}/withdraw",
    response={200: ConsentOut, **WRITE},
    tags=PERSONS,
    summary="撤回同意",
    description="404：人员或同意记录不存在或不在辖区内；409：已撤回。",
)
def consent_withdraw(
    request: HttpRequest, person_id: int, consent_id: int, payload: ConsentWithdrawIn
) -> Any:
    actor = actor_of(request)
    consent = selectors.consent_get(actor=actor, consent_id=consent_id)
    if consent.person_id != person_id:
        raise not_found()
    return services.consent_withdraw(
        actor=actor, consent=consent, withdrawn_on=payload.withdrawn_on or timezone.localdate()
    )


@router.post(
    "/persons/lookup",
    response={200: PersonOut, **READ},
    tags=PERSONS,
    summary="按身份证号精确查找（限本辖区）",
    description="身份证号放在请求体中，不进入网址和日志。未登记与不在辖区内同样返回404；"
    "422：身份证号格式或校验位错误。",
)
def person_lookup(request: HttpRequest, payload: LookupIn) -> Any:
    person = selectors.person_by_id_number(actor=actor_of(request), id_number=payload.id_number)
    if person is None:
        raise not_found()
    return person


@router.post(
    "/persons/check-id",
    response={200: CheckIdOut, **AUTH_ERRORS, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=PERSONS,
    summary="校验身份证号（与登记表单的即时校验相同）",
    description=(
        "200：号码有效且未登记，返回规范化号码、出生日期和性别（15位旧号升为18位）。"
        "422：位数、日期或校验位错误，或与填写的性别、出生日期不符（message 说明原因）。"
        "409：已登记；在您辖区内时 details.person_id 为已登记人员，否则只说明已在辖区以外登记。"
        "403：没有登记户籍人口的权限。"
    ),
)
def check_id(request: HttpRequest, payload: CheckIdIn) -> Any:
    return services.id_number_check(
        actor=actor_of(request),
        raw=payload.id_number,
        sex=payload.sex.value if payload.sex else None,
        birth_date=payload.birth_date,
    )
