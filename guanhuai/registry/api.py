"""/api/v1/persons and /api/v1/households: the household registry over the API.

Thin, like the pages: reads through registry.selectors (scoped: a person or household outside the actor's
branches is a 404, exactly like one that does not exist), writes through registry.services; a DomainError
propagates and guanhuai.api turns it into `{"code", "message"}` with its status.

Privacy: every response carries the masked ID, phone and bank account (`id_masked`, `phone_masked`,
`account_masked`), never the plain values. The only way to a full value is POST .../unmask, which needs
registry.unmask and a stated reason, and is written to the audit log (docs/privacy.md).

A person, household or unit named in the request *body* (a spouse, parents, the household of a move, the
village of a new household) that is unknown or outside the scope is a 422 about that input; in the URL it
is a 404. Codes every operation may give besides its own: 401 (no session and no valid token), 422
(malformed path, query or body), and on writes 403 (a browser session without its CSRF token).

No `from __future__ import annotations` here: ninja reads the Query[...] annotations at import time."""

import datetime as dt
from enum import Enum, StrEnum
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from guanhuai.api import AUTH_ERRORS, ErrorOut
from guanhuai.core.errors import NotFound, ValidationError
from guanhuai.jobs.api import JobOut
from guanhuai.jobs.selectors import job_get
from guanhuai.orgs import selectors as org_selectors
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry import imports, io_excel, selectors, services
from guanhuai.registry.models import BankAccount, Consent, Household, ImportBatch, LifeEvent, Person
from guanhuai.registry.permissions import VIEW_PERSONS
from guanhuai.registry.selectors import ORDERINGS, PersonFilters
from guanhuai.registry.services import PersonInput
from guanhuai.registry.states import ConsentPurpose, Hukou, RelationToHead, Sex

router = Router()

MAX_PAGE = 200
PERSONS = ["persons"]
HOUSEHOLDS = ["households"]
IMPORTS = ["registry imports"]

READ = {**AUTH_ERRORS, 404: ErrorOut, 422: ErrorOut}
WRITE = {**AUTH_ERRORS, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE, description="每页条数（最多 200）")
        offset: int = Field(0, ge=0)


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _unit(request: HttpRequest, unit_id: int) -> OrgUnit:
    """A branch named in the input: unknown or invisible is a 422 `unknown_unit`."""
    return org_selectors.unit_ref(actor=_actor(request), unit_id=unit_id)


# --- schemas: output ---------------------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    code: str
    name: str


class PersonRef(Schema):
    id: int
    name: str


class PersonBase(Schema):
    """A person as lists show them: sensitive values masked."""

    id: int
    name: str
    sex: Sex
    sex_label: str
    birth_date: dt.date
    age: int = Field(..., description="周岁（已故者为去世时的周岁）")
    id_masked: str = Field(..., description="脱敏的身份证号，如 4402**********123X")
    phone_masked: str
    household_id: int | None
    relation_to_head: RelationToHead
    relation_to_head_label: str
    hukou_type: Hukou
    hukou_type_label: str
    hukou_place: str
    alive: bool
    died_on: dt.date | None
    disability_grade: int | None
    disability_assessed_on: dt.date | None
    is_migrant: bool
    residence_unit_id: int | None
    only_child_certificate: bool
    children_ever: int = Field(..., description="曾有子女数（亲生及依法收养，含已故）")
    living_children: int
    special_status: str = Field(..., description="由事实推导：bereaved（失独）、disabled_child（伤残）或空")
    special_status_label: str
    anonymised: bool

    @staticmethod
    def resolve_sex_label(obj: Person) -> str:
        return str(obj.get_sex_display())

    @staticmethod
    def resolve_age(obj: Person) -> int:
        on = obj.died_on or timezone.localdate()
        born = obj.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @staticmethod
    def resolve_relation_to_head_label(obj: Person) -> str:
        return str(obj.get_relation_to_head_display())

    @staticmethod
    def resolve_hukou_type_label(obj: Person) -> str:
        return str(obj.get_hukou_type_display())

    @staticmethod
    def resolve_alive(obj: Person) -> bool:
        return obj.died_on is None

    @staticmethod
    def resolve_special_status_label(obj: Person) -> str:
        return str(obj.get_special_status_display()) if obj.special_status else ""

    @staticmethod
    def resolve_anonymised(obj: Person) -> bool:
        return obj.anonymised_at is not None


class PersonOut(PersonBase):
    org_unit: UnitRef


class BankAccountOut(Schema):
    bank_name: str
    account_masked: str = Field(..., description="脱敏的银行账号，只显示后4位")
    updated_at: dt.datetime


class HouseholdRef(Schema):
    id: int
    number: str
    address: str
    head_id: int | None


class RelativeOut(Schema):
    id: int
    name: str
    sex: Sex
    birth_date: dt.date
    alive: bool
    basis: str = Field("", description="亲生 / 依法收养")


class SpouseOut(Schema):
    id: int
    name: str
    married_on: dt.date | None
    ended_on: dt.date | None
    current: bool


class FamilyOut(Schema):
    parents: list[RelativeOut]
    spouses: list[SpouseOut]
    children: list[RelativeOut]
    hidden_relatives: int = Field(..., description="在您辖区以外的亲属人数（不显示姓名）")


class PersonDetailOut(PersonOut):
    residence_unit: UnitRef | None
    household: HouseholdRef | None
    bank_account: BankAccountOut | None
    family: FamilyOut

    @staticmethod
    def resolve_bank_account(obj: Person) -> BankAccount | None:
        return obj.bank_account_masked  # type: ignore[attr-defined]

    @staticmethod
    def resolve_family(obj: Person) -> dict[str, Any]:
        return obj.family_summary  # type: ignore[attr-defined]


class HouseholdOut(Schema):
    id: int
    number: str
    address: str
    hukou_type: Hukou
    hukou_type_label: str
    org_unit: UnitRef
    head: PersonRef | None
    created_at: dt.datetime

    @staticmethod
    def resolve_hukou_type_label(obj: Household) -> str:
        return str(obj.get_hukou_type_display())


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonBase]

    @staticmethod
    def resolve_members(obj: Household) -> list[Person]:
        return list(obj.members.all())


class EventOut(Schema):
    id: int
    person_id: int
    kind: str
    kind_label: str
    occurred_on: dt.date
    related_person: PersonRef | None = Field(None, description="相关人员；在您辖区以外的不显示")
    disability_grade: int | None
    to_unit: UnitRef | None
    changes: dict[str, Any] = Field(..., description="更正事件：字段 → [原值, 新值]（身份证号脱敏）")
    note: str
    recorded_by: str
    recorded_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: LifeEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_related_person(obj: LifeEvent) -> Person | None:
        visible = getattr(obj, "related_visible", True)
        return obj.related_person if obj.related_person_id and visible else None

    @staticmethod
    def resolve_recorded_by(obj: LifeEvent) -> str:
        return obj.recorded_by.username


class EventPage(Schema):
    items: list[EventOut]
    count: int


class ConsentOut(Schema):
    id: int
    purpose: ConsentPurpose
    purpose_label: str
    scope: str
    given_on: dt.date
    given_by: str
    recorded_by: str
    withdrawn_on: dt.date | None

    @staticmethod
    def resolve_purpose_label(obj: Consent) -> str:
        return str(obj.get_purpose_display())

    @staticmethod
    def resolve_recorded_by(obj: Consent) -> str:
        return obj.recorded_by.username


class UnmaskOut(Schema):
    field: str
    value: str = Field(..., description="完整内容；没有登记时为空字符串")


class CheckIdOut(Schema):
    number: str = Field(..., description="规范化的18位身份证号（15位旧号已升位）")
    legacy: str | None = Field(None, description="升位前的15位旧号")
    birth_date: dt.date
    sex: Sex
    sex_label: str

    @staticmethod
    def resolve_sex_label(obj: Any) -> str:
        return str(Sex(obj.sex).label)


# --- schemas: input ----------------------------------------------------------------------------------------


class SpecialStatusFilter(StrEnum):
    BEREAVED = "bereaved"
    DISABLED_CHILD = "disabled_child"


class PersonFilterIn(Schema):
    q: str = Field("", description="姓名、全拼或首字母（zhangf、zf、张枫），或完整身份证号（精确匹配）")
    unit_id: int | None = Field(None, description="所属组织（含下级）；须在您的辖区内")
    hukou_type: Hukou | None = None
    special_status: SpecialStatusFilter | None = None
    sex: Sex | None = None
    age_min: int | None = Field(None, ge=0, le=150, description="周岁下限（含）")
    age_max: int | None = Field(None, ge=0, le=150, description="周岁上限（含）")
    migrant: bool | None = None
    alive: bool | Literal["all"] = Field(True, description="true：在世（默认）；false：已故；all：全部")
    order: Literal[tuple(ORDERINGS)] = Field("name", description="排序")  # type: ignore[valid-type]


class HouseholdFilterIn(Schema):
    unit_id: int | None = Field(None, description="所属组织（含下级）；须在您的辖区内")
    q: str = Field("", description="地址、户编号、户主姓名（含拼音）或户主身份证号")


class PersonPatchIn(Schema):
    name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=20)
    hukou_type: Hukou | None = None
    hukou_place: str | None = Field(None, max_length=200)
    only_child_certificate: bool | None = None
    relation_to_head: RelationToHead | None = Field(None, description="不能借此更换户主")


class UnmaskField(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"


class UnmaskIn(Schema):
    field: UnmaskField
    reason: str = Field(..., max_length=200, description="查看用途，写入审计日志（至少2个字）")


class BankAccountIn(Schema):
    bank_name: str = Field(..., max_length=100)
    account_number: str = Field(..., max_length=40, description="8至30位数字")


class ConsentIn(Schema):
    purpose: ConsentPurpose
    scope: str = Field(..., max_length=200)
    given_on: dt.date
    given_by: str = Field(..., max_length=50, description="本人，或监护人姓名")


class ConsentWithdrawIn(Schema):
    withdrawn_on: dt.date | None = Field(None, description="留空为今天")


class LookupIn(Schema):
    id_number: str = Field(..., max_length=20)


class CheckIdIn(Schema):
    id_number: str = Field(..., max_length=20)
    sex: Sex | None = Field(None, description="填写时与身份证号第17位核对")
    birth_date: dt.date | None = Field(None, description="填写时与身份证号中的出生日期核对")


class DeathIn(Schema):
    kind: Literal["death"]
    occurred_on: dt.date
    note: str = Field("", max_length=300)


class DisabilityIn(Schema):
    kind: Literal["disability"]
    occurred_on: dt.date = Field(..., description="评定日期")
    grade: int | None = Field(..., description="残疾等级1至4；复评无残疾时为 null")


class MarriageIn(Schema):
    kind: Literal["marriage"]
    occurred_on: dt.date
    spouse_id: int


class DivorceIn(Schema):
    kind: Literal["divorce"]
    occurred_on: dt.date


class MigrationIn(Schema):
    kind: Literal["migration"]
    occurred_on: dt.date
    residence_unit_id: int | None = Field(..., description="现居住地组织；回到户籍地时为 null")
    note: str = Field("", max_length=300)


class MoveIn(Schema):
    kind: Literal["move"]
    occurred_on: dt.date
    household_id: int = Field(..., description="迁入的户")
    relation_to_head: RelationToHead = Field(..., description="在新户中与户主的关系（不能是户主）")


class AdoptionIn(Schema):
    kind: Literal["adoption"]
    occurred_on: dt.date
    parent_ids: list[int] = Field(..., min_length=1, max_length=2, description="收养人（本人为被收养的子女）")


class CorrectionIn(Schema):
    kind: Literal["correction"]
    field: Literal["name", "sex", "birth_date", "id_number", "died_on"]
    value: str | None = Field(..., description="新值；日期为 YYYY-MM-DD；撤销误登的死亡时 died_on 为 null")
    reason: str = Field(..., max_length=300)


EventIn = Annotated[
    DeathIn | DisabilityIn | MarriageIn | DivorceIn | MigrationIn | MoveIn | AdoptionIn | CorrectionIn,
    Field(discriminator="kind"),
]


class MemberIn(Schema):
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=20)
    relation_to_head: RelationToHead = RelationToHead.HEAD
    sex: Sex | None = Field(None, description="填写时与身份证号核对")
    birth_date: dt.date | None = Field(None, description="填写时与身份证号核对")
    phone: str = Field("", max_length=20)
    hukou_type: Hukou | None = Field(None, description="留空同户的户籍类型")
    hukou_place: str = Field("", max_length=200)
    only_child_certificate: bool = False
    is_migrant: bool = False
    residence_unit_id: int | None = None
    disability_grade: int | None = None
    disability_assessed_on: dt.date | None = None
    died_on: dt.date | None = None


class HouseholdIn(Schema):
    org_unit_id: int = Field(..., description="所属村(社区)")
    address: str = Field(..., max_length=200)
    hukou_type: Hukou
    number: str = Field("", max_length=30)
    members: list[MemberIn] = Field(..., min_length=1, max_length=50, description="有且只有一名户主")


class BirthIn(Schema):
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=20)
    sex: Sex | None = None
    birth_date: dt.date | None = None
    phone: str = Field("", max_length=20)
    hukou_type: Hukou | None = None
    hukou_place: str = Field("", max_length=200)
    relation_to_head: RelationToHead = RelationToHead.CHILD
    parent_ids: list[int] = Field(default_factory=list, max_length=2, description="父母（须已登记）")
    occurred_on: dt.date | None = Field(None, description="留空为身份证号中的出生日期")


def _person_input(request: HttpRequest, m: MemberIn | BirthIn) -> PersonInput:
    residence_id = getattr(m, "residence_unit_id", None)
    return PersonInput(
        name=m.name,
        id_number=m.id_number,
        relation_to_head=m.relation_to_head.value,
        sex=m.sex.value if m.sex else None,
        birth_date=m.birth_date,
        phone=m.phone,
        hukou_type=m.hukou_type.value if m.hukou_type else None,
        hukou_place=m.hukou_place,
        only_child_certificate=getattr(m, "only_child_certificate", False),
        is_migrant=getattr(m, "is_migrant", False),
        residence_unit=_unit(request, residence_id) if residence_id is not None else None,
        disability_grade=getattr(m, "disability_grade", None),
        disability_assessed_on=getattr(m, "disability_assessed_on", None),
        died_on=getattr(m, "died_on", None),
    )


# --- persons -----------------------------------------------------------------------------------------------


@router.get(
    "/persons",
    response={200: list[PersonOut], **AUTH_ERRORS, 422: ErrorOut},
    tags=PERSONS,
    summary="人员列表（限本辖区，脱敏）",
    description="分页（limit/offset，最多200），带总数。422：参数有误，或 unit_id 不存在或不在辖区内。",
)
@paginate(Pagination)
def person_list(request: HttpRequest, filters: Query[PersonFilterIn]) -> Any:
    actor = _actor(request)
    unit = None
    if filters.unit_id is not None:
        unit = org_selectors.unit_ref(actor=actor, unit_id=filters.unit_id, perm=VIEW_PERSONS)
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
    actor = _actor(request)
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
    return _detail(request, selectors.person_get(actor=_actor(request), person_id=person_id))


@router.patch(
    "/persons/{int:person_id}",
    response={200: PersonDetailOut, **WRITE},
    tags=PERSONS,
    summary="修改人员信息（姓名、电话、户籍、光荣证、与户主关系）",
    description="出生日期、性别、身份证号和死亡通过“更正”事件修改。403：可查看但无权修改；"
    "422：姓名为空、电话格式错误，或试图借此更换户主。",
)
def person_update(request: HttpRequest, person_id: int, payload: PersonPatchIn) -> Any:
    actor = _actor(request)
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
    actor = _actor(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    value = services.person_unmask(
        actor=actor, person=person, field_name=payload.field.value, reason=payload.reason
    )
    response["Cache-Control"] = "no-store"
    return {"field": payload.field.value, "value": value}


@router.get(
    "/persons/{int:person_id}/events",
    response={200: EventPage, **READ},
    tags=PERSONS,
    summary="人员的生活事件（最新在前）",
)
def event_list(
    request: HttpRequest,
    person_id: int,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Any:
    actor = _actor(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    qs = selectors.event_list(actor=actor, person=person)
    items = list(qs[offset : offset + limit])
    visible = selectors.visible_person_ids(actor=actor, person_ids=[e.related_person_id for e in items])
    for event in items:
        event.related_visible = event.related_person_id in visible  # type: ignore[attr-defined]
    return {"items": items, "count": qs.count()}


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
    actor = _actor(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    return Status(201, _record_event(request, person, payload))


def _record_event(request: HttpRequest, person: Person, p: Any) -> LifeEvent:
    actor = _actor(request)

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
    if isinstance(p, MoveIn):
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
    actor = _actor(request)
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
@paginate(Pagination)
def consent_list(request: HttpRequest, person_id: int) -> Any:
    actor = _actor(request)
    return selectors.consent_list(actor=actor, person=selectors.person_get(actor=actor, person_id=person_id))


@router.post(
    "/persons/{int:person_id}/consents",
    response={201: ConsentOut, **WRITE},
    tags=PERSONS,
    summary="登记同意（用途、范围、日期、同意人）",
    description="403：可查看但无权修改；422：日期晚于今天、范围或同意人为空。",
)
def consent_record(request: HttpRequest, person_id: int, payload: ConsentIn) -> Any:
    actor = _actor(request)
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
    actor = _actor(request)
    consent = selectors.consent_get(actor=actor, consent_id=consent_id)
    if consent.person_id != person_id:
        raise NotFound(_("未找到该记录，或您无权访问。"))
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
    person = selectors.person_by_id_number(actor=_actor(request), id_number=payload.id_number)
    if person is None:
        raise NotFound(_("未找到该记录，或您无权访问。"))
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
        actor=_actor(request),
        raw=payload.id_number,
        sex=payload.sex.value if payload.sex else None,
        birth_date=payload.birth_date,
    )


# --- households --------------------------------------------------------------------------------------------


@router.get(
    "/households",
    response={200: list[HouseholdOut], **AUTH_ERRORS, 422: ErrorOut},
    tags=HOUSEHOLDS,
    summary="户列表（限本辖区）",
    description="分页（limit/offset，最多200），带总数。422：unit_id 不存在或不在辖区内。",
)
@paginate(Pagination)
def household_list(request: HttpRequest, filters: Query[HouseholdFilterIn]) -> Any:
    actor = _actor(request)
    unit = None
    if filters.unit_id is not None:
        unit = org_selectors.unit_ref(actor=actor, unit_id=filters.unit_id, perm=VIEW_PERSONS)
    return selectors.household_list(actor=actor, unit=unit, q=filters.q.strip())


@router.get(
    "/households/{int:household_id}",
    response={200: HouseholdDetailOut, **READ},
    tags=HOUSEHOLDS,
    summary="户详情及成员（脱敏）",
)
def household_get(request: HttpRequest, household_id: int) -> Any:
    return selectors.household_get(actor=_actor(request), household_id=household_id)


@router.post(
    "/households",
    response={201: HouseholdDetailOut, **WRITE},
    tags=HOUSEHOLDS,
    summary="登记新户及其成员",
    description=(
        "一次写入，要么全部成功、要么什么也不写。成员中有且只有一名户主；户主的配偶和子女自动建立家庭关系。"
        "422：组织不存在、不在辖区内或不是村(社区)级，身份证号错误（message 说明原因），户内身份证号重复，"
        "户主不是一名；409：身份证号已登记（在您辖区内时 details.person_id 为已登记人员，否则不透露登记地）；"
        "403：可查看该组织但无权登记。"
    ),
)
def household_create(request: HttpRequest, payload: HouseholdIn) -> Any:
    actor = _actor(request)
    org_unit = org_selectors.unit_ref(actor=actor, unit_id=payload.org_unit_id, perm=VIEW_PERSONS)
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
    actor = _actor(request)
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
    actor = _actor(request)
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


# --- Excel imports (staging, validation, commit: guanhuai.registry.imports) ------------------------------


class ImportRowOut(Schema):
    row_number: int = Field(..., description="Excel 中的行号")
    household_number: str
    village_code: str
    name: str
    id_masked: str
    relation: str
    error: str = Field(..., description="错误原因（中文）")


class BatchOut(Schema):
    id: int
    status: str
    status_label: str
    file_name: str
    org_unit: UnitRef
    uploaded_by: str
    total_rows: int
    valid_rows: int
    invalid_rows: int
    imported_rows: int
    households_created: int
    created_at: dt.datetime
    validated_at: dt.datetime | None
    committed_at: dt.datetime | None
    validate_job_id: int | None
    commit_job_id: int | None

    @staticmethod
    def resolve_status_label(obj: ImportBatch) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_uploaded_by(obj: ImportBatch) -> str:
        return obj.actor.username


class BatchSubmittedOut(BatchOut):
    job: JobOut | None = Field(None, description="校验任务（新上传时）")


class BatchDetailOut(BatchOut):
    errors: list[ImportRowOut] = Field(..., description="错误行（按行号，分页：limit/offset）")
    errors_count: int


@router.post(
    "/registry/imports",
    response={200: BatchSubmittedOut, 202: BatchSubmittedOut, **WRITE},
    tags=IMPORTS,
    summary="上传户籍人口Excel（后台读入并校验）",
    description=(
        "multipart：file（按模板填写的 .xlsx）、org_unit_id（导入范围：文件中的村(社区)须在其下）。"
        "文件大小、格式、表头和空文件在请求中检查（422，什么也不写）；逐行校验在后台任务中进行，"
        "用 GET /registry/imports/{batch_id} 查看结果。同一文件（按内容）在同一组织下只建一个批次："
        "新批次返回 202；重复上传返回 200 和原批次（已导入的不会重复导入）。403：无权导入。"
    ),
)
def import_upload(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    org_unit_id: int = Form(...),
) -> Any:
    actor = _actor(request)
    org_unit = org_selectors.unit_ref(actor=actor, unit_id=org_unit_id, perm=VIEW_PERSONS)
    content = io_excel.read_upload(file, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
    batch, created = imports.batch_submit(
        actor=actor, org_unit=org_unit, content=content, file_name=file.name or ""
    )
    batch = imports.batch_get(actor=actor, batch_id=batch.pk)  # fresh: an inline task may have run already
    batch.job = batch.validate_job if created else None  # type: ignore[attr-defined]
    return Status(202 if created else 200, batch)


@router.get(
    "/registry/imports/{int:batch_id}",
    response={200: BatchDetailOut, **READ},
    tags=IMPORTS,
    summary="导入批次：有效与错误行数、错误行及原因",
    description="错误行只显示脱敏的身份证号。404：批次不存在或不在您可导入的范围内。",
)
def import_detail(
    request: HttpRequest,
    batch_id: int,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Any:
    batch = imports.batch_get(actor=_actor(request), batch_id=batch_id)
    rows = imports.invalid_rows(batch=batch)
    batch.errors = list(rows[offset : offset + limit])  # type: ignore[attr-defined]
    batch.errors_count = rows.count()  # type: ignore[attr-defined]
    return batch


@router.post(
    "/registry/imports/{int:batch_id}/commit",
    response={202: JobOut, **WRITE},
    tags=IMPORTS,
    summary="导入有效记录（后台任务）",
    description=(
        "有效行按户批量导入；错误行所在的整户留待修改后重新上传。重复提交返回同一个任务。"
        "409：仍在校验中，或该文件已导入；422：没有有效记录；403：无权导入；404：批次不存在或不在范围内。"
    ),
)
def import_commit(request: HttpRequest, batch_id: int) -> Any:
    actor = _actor(request)
    batch = imports.batch_get(actor=actor, batch_id=batch_id)
    job = imports.commit_submit(actor=actor, batch=batch)
    return Status(202, job_get(actor=actor, job_id=job.pk))
