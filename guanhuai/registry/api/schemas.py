"""Request and response schemas of the registry API.

No `from __future__ import annotations`: ninja reads annotations at import time."""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema

from guanhuai.registry.api.common import unit_ref
from guanhuai.registry.models import BankAccount, Household, LifeEvent, Person
from guanhuai.registry.selectors import ORDERINGS
from guanhuai.registry.services import PersonInput
from guanhuai.registry.states import ConsentPurpose, Hukou, RelationToHead, Sex

# --- schemas: output ---------------------------------------------------------------------------------------


class PlaceRef(Schema):
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
    sex_label: str = Field(alias="get_sex_display")
    birth_date: dt.date
    age: int = Field(..., description="周岁（已故者为去世时的周岁）")
    id_masked: str = Field(..., description="脱敏的身份证号，如 4402**********123X")
    phone_masked: str
    household_id: int | None
    relation_to_head: RelationToHead
    relation_to_head_label: str = Field(alias="get_relation_to_head_display")
    hukou_type: Hukou
    hukou_type_label: str = Field(alias="get_hukou_type_display")
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
    def resolve_age(obj: Person) -> int:
        on = obj.died_on or timezone.localdate()
        born = obj.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

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
    org_unit: PlaceRef


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
    residence_unit: PlaceRef | None
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
    hukou_type_label: str = Field(alias="get_hukou_type_display")
    org_unit: PlaceRef
    head: PersonRef | None
    created_at: dt.datetime


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonBase]

    @staticmethod
    def resolve_members(obj: Household) -> list[Person]:
        return list(obj.members.all())


class EventOut(Schema):
    id: int
    person_id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    occurred_on: dt.date
    related_person: PersonRef | None = Field(None, description="相关人员；在您辖区以外的不显示")
    disability_grade: int | None
    to_unit: PlaceRef | None
    changes: dict[str, Any] = Field(..., description="更正事件：字段 → [原值, 新值]（身份证号脱敏）")
    note: str
    recorded_by: str = Field(alias="recorded_by.username")
    recorded_at: dt.datetime

    @staticmethod
    def resolve_related_person(obj: LifeEvent) -> Person | None:
        visible = getattr(obj, "related_visible", True)
        return obj.related_person if obj.related_person_id and visible else None


class ConsentOut(Schema):
    id: int
    purpose: ConsentPurpose
    purpose_label: str = Field(alias="get_purpose_display")
    scope: str
    given_on: dt.date
    given_by: str
    recorded_by: str = Field(alias="recorded_by.username")
    withdrawn_on: dt.date | None


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
    scope: str = Field(..., min_length=1, max_length=200, pattern=r"\S")
    given_on: dt.date
    given_by: str = Field(..., min_length=1, max_length=50, pattern=r"\S", description="本人，或监护人姓名")


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


class PersonMoveIn(Schema):
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
    DeathIn | DisabilityIn | MarriageIn | DivorceIn | MigrationIn | PersonMoveIn | AdoptionIn | CorrectionIn,
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
        residence_unit=unit_ref(request, residence_id) if residence_id is not None else None,
        disability_grade=getattr(m, "disability_grade", None),
        disability_assessed_on=getattr(m, "disability_assessed_on", None),
        died_on=getattr(m, "died_on", None),
    )
