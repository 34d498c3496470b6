"""Identity, households and persons: registering people, editing plain facts, bank accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.audit.services import log
from guanhuai.core.crypto import blind_index
from guanhuai.core.errors import Conflict, PermissionDenied, ValidationError
from guanhuai.core.masking import mask_account, mask_id
from guanhuai.core.validators import ResidentId, parse_resident_id
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry import family
from guanhuai.registry.models import (
    BankAccount,
    Household,
    Marriage,
    ParentChild,
    Person,
)
from guanhuai.registry.permissions import EDIT_PERSONS, VIEW_PERSONS
from guanhuai.registry.services.fields import (
    id_lookup_key,
    name_fields,
    person_fields,
    phone_fields,
)
from guanhuai.registry.services.numbers import household_number_for
from guanhuai.registry.states import ChildBasis, Hukou, RelationToHead, Sex

# Sent inside the death's transaction (person, died_on, actor), so that apps above the registry queue
# their consequences durably with it — programmes submits a job that ends the person's enrolments. A
# receiver must only queue work (a job, enqueued on commit), never do it inline: its failure would undo
# the death or, after commit, give the recorder an error for a death that is saved.
person_died = Signal()

ACCOUNT_PURPOSE = "bank_account"


class DuplicatePerson(Conflict):
    """The ID is already registered. `details` carries the existing person's id only when the actor may
    see that person; otherwise the message says so without revealing where."""

    code = "duplicate_id_number"


def _require_village(unit: OrgUnit) -> None:
    if unit.level != Level.VILLAGE:
        raise ValidationError(_("户必须属于村或社区一级组织。"), code="household_unit_level")
    if not unit.is_open:
        raise ValidationError(_("“%(name)s”已撤销，不能登记新户。") % {"name": unit.name}, code="unit_closed")


def check_id_number(
    raw: str,
    *,
    actor: Actor,
    sex: str | None = None,
    birth_date: dt.date | None = None,
    exclude_pk: int | None = None,
) -> ResidentId:
    """Validate an ID (checksum, date, 15→18 upgrade), cross-check sex and birth date when both are given,
    and refuse a duplicate. Used by the forms' inline check too, so the message is the same everywhere."""
    rid = parse_resident_id(raw)
    if sex and sex != rid.sex:
        raise ValidationError(
            _("性别与身份证号不符：身份证号第17位表示%(sex)s。") % {"sex": Sex(rid.sex).label},
            code="id_sex_mismatch",
        )
    if birth_date and birth_date != rid.birth_date:
        raise ValidationError(
            _("出生日期与身份证号不符：身份证号中的出生日期是 %(d)s。") % {"d": rid.birth_date.isoformat()},
            code="id_birth_mismatch",
        )
    existing = (
        Person.objects.unscoped("an ID number is unique across branches")
        .filter(id_index=id_lookup_key(rid.number))
        .exclude(pk=exclude_pk or 0)
        .first()
    )
    if existing is not None:
        if scoping.can(actor, VIEW_PERSONS, existing.org_unit):
            raise DuplicatePerson(
                _("身份证号 %(id)s 已登记：%(name)s（%(unit)s）。")
                % {"id": mask_id(rid.number), "name": existing.name, "unit": existing.org_unit.name},
                details={"person_id": existing.pk, "in_scope": True},
            )
        raise DuplicatePerson(
            _("该身份证号已在您管辖范围以外的地方登记，不能重复登记。如此人已迁入本地，请提交迁入申请。"),
            details={"in_scope": False},
        )
    return rid


def id_number_check(
    *, actor: Actor, raw: str, sex: str | None = None, birth_date: dt.date | None = None
) -> ResidentId:
    """The inline check behind the forms and POST /api/v1/persons/check-id. Only for actors who may
    register persons somewhere, since its duplicate answer tells whether an ID is registered at all."""
    if not scoping.can_anywhere(actor, EDIT_PERSONS):
        raise PermissionDenied(_("您没有登记户籍人口的权限。"), code="permission_denied")
    return check_id_number(raw, actor=actor, sex=sex, birth_date=birth_date)


@dataclass
class PersonInput:
    name: str
    id_number: str
    relation_to_head: str = RelationToHead.HEAD
    sex: str | None = None
    birth_date: dt.date | None = None
    phone: str = ""
    hukou_type: str | None = None
    hukou_place: str = ""
    only_child_certificate: bool = False
    is_migrant: bool = False
    residence_unit: OrgUnit | None = None
    disability_grade: int | None = None
    disability_assessed_on: dt.date | None = None
    died_on: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def build_person(data: PersonInput, *, household: Household, rid: ResidentId) -> Person:
    """An unsaved Person of this household, its derived columns from `fields.person_fields`."""
    if data.disability_grade is not None and data.disability_grade not in (1, 2, 3, 4):
        raise ValidationError(_("残疾等级应为1至4级。"), code="disability_grade")
    return Person(
        household=household,
        org_unit=household.org_unit,
        relation_to_head=data.relation_to_head,
        **person_fields(name=data.name, rid=rid, phone=data.phone),
        hukou_type=data.hukou_type or household.hukou_type,
        hukou_place=data.hukou_place,
        only_child_certificate=data.only_child_certificate,
        is_migrant=data.is_migrant,
        residence_unit=data.residence_unit,
        disability_grade=data.disability_grade,
        disability_assessed_on=data.disability_assessed_on,
        died_on=data.died_on,
    )


def household_create(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    address: str,
    hukou_type: str,
    members: list[PersonInput],
    number: str = "",
) -> Household:
    """A household with its members, in one transaction. Exactly one member is the head."""
    scoping.require(actor, EDIT_PERSONS, org_unit)
    _require_village(org_unit)
    if hukou_type not in Hukou.values:
        raise ValidationError(_("户籍类型应为城镇或农村。"), code="hukou_type")
    if not (address or "").strip():
        raise ValidationError(_("住址不能为空。"), code="address_required")
    heads = [m for m in members if m.relation_to_head == RelationToHead.HEAD]
    if len(heads) != 1:
        raise ValidationError(_("每户必须有且只有一名户主。"), code="household_head")
    rids = []
    seen: dict[str, str] = {}
    for m in members:
        rid = check_id_number(m.id_number, actor=actor, sex=m.sex, birth_date=m.birth_date)
        if rid.number in seen:
            raise ValidationError(
                _("%(a)s 与 %(b)s 的身份证号相同。") % {"a": seen[rid.number], "b": m.name},
                code="duplicate_in_household",
            )
        seen[rid.number] = m.name
        rids.append(rid)
    with transaction.atomic():
        household = Household.objects.create(
            org_unit=org_unit,
            address=address.strip(),
            hukou_type=hukou_type,
            number=household_number_for(org_unit, number),
        )
        persons = [
            build_person(m, household=household, rid=rid) for m, rid in zip(members, rids, strict=True)
        ]
        for p in persons:
            p.full_clean(
                exclude=["household", "org_unit", "residence_unit", "id_number", "id_legacy", "phone"]
            )
        try:
            Person.objects.bulk_create(persons)
        except IntegrityError:
            raise DuplicatePerson(_("身份证号已被同时登记，请刷新后重试。"))
        if any(p.pk is None for p in persons):
            persons = list(Person.objects.filter(household=household).order_by("pk"))
        head = next(p for p in persons if p.relation_to_head == RelationToHead.HEAD)
        household.head = head
        household.save(update_fields=["head"])
        _link_household_family(persons)
        log(
            household,
            "registry.household.created",
            actor=actor,
            org_unit=org_unit,
            data={"members": len(persons), "persons": [p.pk for p in persons]},
        )
    return household


def _link_household_family(persons: list[Person]) -> None:
    """Members entered together as head, spouse and children are linked as a family: the head's spouse
    is married to the head, and the children are their children by birth. Other links are events."""
    head = next((p for p in persons if p.relation_to_head == RelationToHead.HEAD), None)
    if head is None:
        return
    spouse = next((p for p in persons if p.relation_to_head == RelationToHead.SPOUSE), None)
    parents = [head] + ([spouse] if spouse else [])
    if spouse is not None:
        a, b = sorted([head, spouse], key=lambda p: p.pk)
        Marriage.objects.create(a=a, b=b)
    children = [p for p in persons if p.relation_to_head == RelationToHead.CHILD]
    ParentChild.objects.bulk_create(
        [
            ParentChild(parent=parent, child=child, basis=ChildBasis.BIRTH)
            for parent in parents
            for child in children
        ]
    )
    if children:
        family.recompute_family_facts([p.pk for p in parents])


def person_add(*, actor: Actor, household: Household, data: PersonInput) -> Person:
    """Add a member to an existing household (not a birth: use birth_record for newborns)."""
    scoping.require(actor, EDIT_PERSONS, household.org_unit)
    if data.relation_to_head == RelationToHead.HEAD:
        raise ValidationError(_("该户已有户主；如需更换户主，请使用“更换户主”。"), code="household_head")
    rid = check_id_number(data.id_number, actor=actor, sex=data.sex, birth_date=data.birth_date)
    with transaction.atomic():
        person = build_person(data, household=household, rid=rid)
        try:
            person.save()
        except IntegrityError:
            raise DuplicatePerson(_("身份证号已被同时登记，请刷新后重试。"))
        log(person, "registry.person.created", actor=actor, org_unit=household.org_unit)
    return person


EDITABLE = ("name", "phone", "hukou_type", "hukou_place", "only_child_certificate", "relation_to_head")


def person_update(*, actor: Actor, person: Person, **values: Any) -> Person:
    """Audited edit of facts that are not life events. Birth date, sex, ID and death go through
    `correction_record` or the event services instead."""
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("这些字段不能直接修改：%(f)s") % {"f": ", ".join(sorted(unknown))}, code="not_editable"
        )
    derived: dict[str, Any] = {}
    if "name" in values:
        derived |= name_fields(values["name"])
        values["name"] = derived["name"]
    if "phone" in values:
        derived |= phone_fields(values["phone"])
        values["phone"] = derived["phone"]
    if "hukou_type" in values and values["hukou_type"] not in Hukou.values:
        raise ValidationError(_("户籍类型应为城镇或农村。"), code="hukou_type")
    relation = values.get("relation_to_head", person.relation_to_head)
    if relation not in RelationToHead.values:
        raise ValidationError(_("与户主关系不正确。"), code="relation_to_head")
    if relation != person.relation_to_head and (
        relation == RelationToHead.HEAD or Household.objects.filter(head=person).exists()
    ):
        # household.head and the members' relations change together, or the household has two heads.
        raise ValidationError(_("户主不能通过修改“与户主关系”更换。"), code="household_head")
    changed = {k: v for k, v in values.items() if getattr(person, k) != v}
    if not changed:
        return person
    with transaction.atomic():
        for key, value in changed.items():
            setattr(person, key, value)
        fields = list(changed)
        for key in ("name", "phone"):
            if key in changed:
                extra = {k: v for k, v in derived.items() if k != key and k.startswith(key)}
                for k, v in extra.items():
                    setattr(person, k, v)
                fields += list(extra)
        person.save(update_fields=[*fields, "updated_at"])
        audit_changes: dict[str, Any] = {
            k: ["***", "***"] if k == "phone" else [None, str(v)] for k, v in changed.items()
        }
        log(person, "registry.person.updated", actor=actor, org_unit=person.org_unit, changes=audit_changes)
    return person


def bank_account_set(*, actor: Actor, person: Person, bank_name: str, account_number: str) -> BankAccount:
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    number = (account_number or "").replace(" ", "")
    if not (number.isdigit() and 8 <= len(number) <= 30):
        raise ValidationError(_("银行账号应为8至30位数字。"), code="account_format")
    if not (bank_name or "").strip():
        raise ValidationError(_("请填写开户银行。"), code="bank_required")
    with transaction.atomic():
        account, created = BankAccount.objects.unscoped("the person was checked above").update_or_create(
            person=person,
            defaults={
                "bank_name": bank_name.strip(),
                "account_number": number,
                "account_masked": mask_account(number),
                "account_index": blind_index(number, purpose=ACCOUNT_PURPOSE),
            },
        )
        log(
            person,
            "registry.bank_account.set",
            actor=actor,
            org_unit=person.org_unit,
            data={"bank": bank_name.strip(), "account": mask_account(number), "new": created},
        )
    return account
