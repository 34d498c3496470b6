"""Writes to the registry. Facts change only through these services; each writes audit, and life events
update the derived family facts (registry.family) of everyone they touch, set-based."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.audit.services import log_action
from guanhuai.core.crypto import blind_index
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.core.text import name_pinyin
from guanhuai.core.validators import ResidentId, parse_resident_id
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry import family
from guanhuai.registry.masking import mask_account, mask_id, mask_phone
from guanhuai.registry.models import (
    BankAccount,
    Consent,
    Household,
    LifeEvent,
    Marriage,
    ParentChild,
    Person,
    TransferRequest,
)
from guanhuai.registry.permissions import EDIT_PERSONS, MANAGE_PRIVACY, UNMASK, VIEW_PERSONS
from guanhuai.registry.states import ChildBasis, EventKind, Hukou, RelationToHead, Sex

# Sent after commit when a death is recorded, so that programmes can stop entitlements (person, died_on).
person_died = Signal()

ID_PURPOSE = "resident_id"
ACCOUNT_PURPOSE = "bank_account"


def id_lookup_key(number: str) -> str:
    return blind_index(number, purpose=ID_PURPOSE)


class DuplicatePerson(Conflict):
    """The ID is already registered. `details` carries the existing person's id only when the actor may
    see that person; otherwise the message says so without revealing where."""

    code = "duplicate_id_number"


def _require_village(unit: OrgUnit) -> None:
    if unit.level != Level.VILLAGE:
        raise ValidationError(_("户必须属于村或社区一级组织。"), code="household_unit_level")
    if not unit.is_open:
        raise ValidationError(_("“%(name)s”已撤销，不能登记新户。") % {"name": unit.name}, code="unit_closed")


def _phone(value: str) -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value and not (value.isdigit() and 7 <= len(value) <= 12):
        raise ValidationError(_("电话号码应为7至12位数字。"), code="phone_format")
    return value


def check_id_number(
    raw: str,
    *,
    actor: Any,
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
    existing = Person.objects.filter(id_index=id_lookup_key(rid.number)).exclude(pk=exclude_pk or 0).first()
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
    *, actor: Any, raw: str, sex: str | None = None, birth_date: dt.date | None = None
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


def _build_person(data: PersonInput, *, actor: Any, household: Household, rid: ResidentId) -> Person:
    name = (data.name or "").strip()
    if not name:
        raise ValidationError(_("姓名不能为空。"), code="name_required")
    if data.disability_grade is not None and data.disability_grade not in (1, 2, 3, 4):
        raise ValidationError(_("残疾等级应为1至4级。"), code="disability_grade")
    full, initials = name_pinyin(name)
    phone = _phone(data.phone)
    return Person(
        household=household,
        org_unit=household.org_unit,
        relation_to_head=data.relation_to_head,
        name=name,
        name_pinyin=full,
        name_initials=initials,
        id_number=rid.number,
        id_masked=mask_id(rid.number),
        id_index=id_lookup_key(rid.number),
        id_legacy=rid.legacy or "",
        sex=rid.sex,
        birth_date=rid.birth_date,
        phone=phone,
        phone_masked=mask_phone(phone),
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
    actor: Any,
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
            org_unit=org_unit, address=address.strip(), hukou_type=hukou_type, number=number.strip()
        )
        persons = [
            _build_person(m, actor=actor, household=household, rid=rid)
            for m, rid in zip(members, rids, strict=True)
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
        log_action(
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


def person_add(*, actor: Any, household: Household, data: PersonInput) -> Person:
    """Add a member to an existing household (not a birth: use birth_record for newborns)."""
    scoping.require(actor, EDIT_PERSONS, household.org_unit)
    if data.relation_to_head == RelationToHead.HEAD:
        raise ValidationError(_("该户已有户主；如需更换户主，请使用“更换户主”。"), code="household_head")
    rid = check_id_number(data.id_number, actor=actor, sex=data.sex, birth_date=data.birth_date)
    with transaction.atomic():
        person = _build_person(data, actor=actor, household=household, rid=rid)
        try:
            person.save()
        except IntegrityError:
            raise DuplicatePerson(_("身份证号已被同时登记，请刷新后重试。"))
        log_action(person, "registry.person.created", actor=actor, org_unit=household.org_unit)
    return person


EDITABLE = ("name", "phone", "hukou_type", "hukou_place", "only_child_certificate", "relation_to_head")


def person_update(*, actor: Any, person: Person, **values: Any) -> Person:
    """Audited edit of facts that are not life events. Birth date, sex, ID and death go through
    `correction_record` or the event services instead."""
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("这些字段不能直接修改：%(f)s") % {"f": ", ".join(sorted(unknown))}, code="not_editable"
        )
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise ValidationError(_("姓名不能为空。"), code="name_required")
    if "phone" in values:
        values["phone"] = _phone(values["phone"])
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
        if "name" in changed:
            person.name_pinyin, person.name_initials = name_pinyin(person.name)
            fields += ["name_pinyin", "name_initials"]
        if "phone" in changed:
            person.phone_masked = mask_phone(person.phone)
            fields.append("phone_masked")
        person.save(update_fields=[*fields, "updated_at"])
        audit_changes: dict[str, Any] = {
            k: ["***", "***"] if k == "phone" else [None, str(v)] for k, v in changed.items()
        }
        log_action(
            person, "registry.person.updated", actor=actor, org_unit=person.org_unit, changes=audit_changes
        )
    return person


def bank_account_set(*, actor: Any, person: Person, bank_name: str, account_number: str) -> BankAccount:
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    number = (account_number or "").replace(" ", "")
    if not (number.isdigit() and 8 <= len(number) <= 30):
        raise ValidationError(_("银行账号应为8至30位数字。"), code="account_format")
    if not (bank_name or "").strip():
        raise ValidationError(_("请填写开户银行。"), code="bank_required")
    with transaction.atomic():
        account, created = BankAccount.objects.update_or_create(
            person=person,
            defaults={
                "bank_name": bank_name.strip(),
                "account_number": number,
                "account_masked": mask_account(number),
                "account_index": blind_index(number, purpose=ACCOUNT_PURPOSE),
            },
        )
        log_action(
            person,
            "registry.bank_account.set",
            actor=actor,
            org_unit=person.org_unit,
            data={"bank": bank_name.strip(), "account": mask_account(number), "new": created},
        )
    return account


# --- life events -----------------------------------------------------------------------------------


def _event(person: Person, kind: str, *, actor: Any, occurred_on: dt.date, **fields: Any) -> LifeEvent:
    if occurred_on > timezone.localdate():
        raise ValidationError(_("事件日期不能晚于今天。"), code="event_in_future")
    event = LifeEvent.objects.create(
        person=person, kind=kind, occurred_on=occurred_on, recorded_by=actor, **fields
    )
    log_action(
        event,
        f"registry.event.{kind}",
        actor=actor,
        org_unit=person.org_unit,
        data={"person": person.pk, "occurred_on": occurred_on},
    )
    return event


def _lock_persons(*persons: Person) -> None:
    Person.objects.select_for_update().filter(pk__in=sorted(p.pk for p in persons)).order_by("pk").exists()


def birth_record(
    *,
    actor: Any,
    household: Household,
    parents: list[Person],
    data: PersonInput,
    occurred_on: dt.date | None = None,
) -> Person:
    """A child born: a new person in the household, linked to the parents by birth, and the parents'
    family facts recomputed (a second child ends 失独/伤残 status)."""
    scoping.require(actor, EDIT_PERSONS, household.org_unit)
    for parent in parents:
        scoping.require(actor, EDIT_PERSONS, parent.org_unit)
    if data.relation_to_head == RelationToHead.HEAD:
        data.relation_to_head = RelationToHead.CHILD
    rid = check_id_number(data.id_number, actor=actor, sex=data.sex, birth_date=data.birth_date)
    with transaction.atomic():
        _lock_persons(*parents)
        child = _build_person(data, actor=actor, household=household, rid=rid)
        child.save()
        ParentChild.objects.bulk_create(
            [
                ParentChild(parent=p, child=child, basis=ChildBasis.BIRTH, since=rid.birth_date)
                for p in parents
            ]
        )
        _event(child, EventKind.BIRTH, actor=actor, occurred_on=occurred_on or rid.birth_date)
        family.recompute_family_facts([p.pk for p in parents])
    return child


def adoption_record(*, actor: Any, parents: list[Person], child: Person, occurred_on: dt.date) -> LifeEvent:
    for person in [*parents, child]:
        scoping.require(actor, EDIT_PERSONS, person.org_unit)
    if ParentChild.objects.filter(parent__in=parents, child=child).exists():
        raise Conflict(_("收养关系已经存在。"), code="already_linked")
    with transaction.atomic():
        _lock_persons(*parents, child)
        ParentChild.objects.bulk_create(
            [
                ParentChild(parent=p, child=child, basis=ChildBasis.ADOPTION, since=occurred_on)
                for p in parents
            ]
        )
        event = _event(
            child, EventKind.ADOPTION, actor=actor, occurred_on=occurred_on, related_person=parents[0]
        )
        family.recompute_family_facts([p.pk for p in parents])
    return event


def death_record(*, actor: Any, person: Person, occurred_on: dt.date, note: str = "") -> LifeEvent:
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    if person.died_on is not None:
        raise Conflict(
            _("%(name)s 的死亡已于 %(d)s 登记。") % {"name": person.name, "d": person.died_on},
            code="already_dead",
        )
    if occurred_on < person.birth_date:
        raise ValidationError(_("死亡日期不能早于出生日期。"), code="death_before_birth")
    with transaction.atomic():
        _lock_persons(person)
        person.died_on = occurred_on
        person.save(update_fields=["died_on", "updated_at"])
        event = _event(person, EventKind.DEATH, actor=actor, occurred_on=occurred_on, note=note)
        family.recompute_family_facts(family.parents_of([person.pk]))
        transaction.on_commit(lambda: person_died.send(sender=Person, person=person, died_on=occurred_on))
    return event


def disability_record(*, actor: Any, person: Person, grade: int | None, occurred_on: dt.date) -> LifeEvent:
    """A disability assessment (grade 1–4), or `grade=None` when a reassessment finds none."""
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    if grade is not None and grade not in (1, 2, 3, 4):
        raise ValidationError(_("残疾等级应为1至4级。"), code="disability_grade")
    with transaction.atomic():
        person.disability_grade, person.disability_assessed_on = grade, occurred_on
        person.save(update_fields=["disability_grade", "disability_assessed_on", "updated_at"])
        event = _event(
            person, EventKind.DISABILITY, actor=actor, occurred_on=occurred_on, disability_grade=grade
        )
        family.recompute_family_facts(family.parents_of([person.pk]))
    return event


def marriage_record(*, actor: Any, person: Person, spouse: Person, occurred_on: dt.date) -> LifeEvent:
    for p in (person, spouse):
        scoping.require(actor, EDIT_PERSONS, p.org_unit)
    if person.pk == spouse.pk:
        raise ValidationError(_("不能与本人结婚。"), code="marry_self")
    current = Marriage.objects.filter(ended_on__isnull=True).filter(
        a__in=[person, spouse]
    ) | Marriage.objects.filter(ended_on__isnull=True, b__in=[person, spouse])
    if current.exists():
        raise Conflict(_("其中一人已有登记的婚姻，请先登记离婚。"), code="already_married")
    with transaction.atomic():
        a, b = sorted([person, spouse], key=lambda p: p.pk)
        Marriage.objects.create(a=a, b=b, married_on=occurred_on)
        _event(spouse, EventKind.MARRIAGE, actor=actor, occurred_on=occurred_on, related_person=person)
        return _event(person, EventKind.MARRIAGE, actor=actor, occurred_on=occurred_on, related_person=spouse)


def divorce_record(*, actor: Any, person: Person, occurred_on: dt.date) -> LifeEvent:
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    marriage = (
        Marriage.objects.filter(ended_on__isnull=True).filter(a=person).first()
        or Marriage.objects.filter(ended_on__isnull=True, b=person).first()
    )
    if marriage is None:
        raise Conflict(_("%(name)s 没有登记在册的婚姻。") % {"name": person.name}, code="not_married")
    spouse = marriage.b if marriage.a_id == person.pk else marriage.a
    with transaction.atomic():
        marriage.ended_on = occurred_on
        marriage.save(update_fields=["ended_on"])
        _event(spouse, EventKind.DIVORCE, actor=actor, occurred_on=occurred_on, related_person=person)
        return _event(person, EventKind.DIVORCE, actor=actor, occurred_on=occurred_on, related_person=spouse)


def migration_record(
    *, actor: Any, person: Person, residence_unit: OrgUnit | None, occurred_on: dt.date, note: str = ""
) -> LifeEvent:
    """Living away from the hukou place (`residence_unit`), or back home (`None`)."""
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    with transaction.atomic():
        person.is_migrant = residence_unit is not None
        person.residence_unit = residence_unit
        person.save(update_fields=["is_migrant", "residence_unit", "updated_at"])
        return _event(
            person,
            EventKind.MIGRATION,
            actor=actor,
            occurred_on=occurred_on,
            to_unit=residence_unit,
            note=note,
        )


def move_record(
    *, actor: Any, person: Person, household: Household, relation_to_head: str, occurred_on: dt.date
) -> LifeEvent:
    """Move a person into another household (迁户), possibly in another village the actor also serves."""
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    scoping.require(actor, EDIT_PERSONS, household.org_unit)
    if person.household_id == household.pk:
        raise ValidationError(_("此人已在该户。"), code="same_household")
    if relation_to_head == RelationToHead.HEAD:
        raise ValidationError(_("迁入的人员不能直接成为户主。"), code="household_head")
    if Household.objects.filter(head=person).exists():
        raise ValidationError(_("户主不能迁出，请先更换户主。"), code="head_cannot_move")
    with transaction.atomic():
        person.household, person.org_unit, person.relation_to_head = (
            household,
            household.org_unit,
            relation_to_head,
        )
        person.save(update_fields=["household", "org_unit", "relation_to_head", "updated_at"])
        return _event(
            person, EventKind.MOVE, actor=actor, occurred_on=occurred_on, to_unit=household.org_unit
        )


CORRECTABLE = ("name", "sex", "birth_date", "id_number", "died_on")


def correction_record(*, actor: Any, person: Person, field_name: str, value: Any, reason: str) -> LifeEvent:
    """Correct a recorded fact (a typo in the ID, a death recorded in error) with a reason. The old value
    stays in the event (masked for IDs), so nothing is silently overwritten."""
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    if field_name not in CORRECTABLE:
        raise ValidationError(_("该字段不能更正。"), code="not_correctable")
    if not (reason or "").strip():
        raise ValidationError(_("更正必须填写原因。"), code="reason_required")
    old = getattr(person, field_name)
    update = [field_name]
    if field_name == "id_number":
        rid = check_id_number(value, actor=actor, exclude_pk=person.pk)
        person.id_number, person.id_masked, person.id_index = (
            rid.number,
            mask_id(rid.number),
            id_lookup_key(rid.number),
        )
        person.sex, person.birth_date, person.id_legacy = (
            rid.sex,
            rid.birth_date,
            rid.legacy or person.id_legacy,
        )
        update = ["id_number", "id_masked", "id_index", "sex", "birth_date", "id_legacy"]
        change: list[str | None] = [mask_id(old), mask_id(rid.number)]
    elif field_name == "name":
        person.name = (value or "").strip()
        person.name_pinyin, person.name_initials = name_pinyin(person.name)
        update += ["name_pinyin", "name_initials"]
        change = [old, person.name]
    else:
        if field_name in ("sex", "birth_date") and person.id_number:
            raise ValidationError(_("性别和出生日期由身份证号决定，请更正身份证号。"), code="derived_from_id")
        setattr(person, field_name, value)
        change = [str(old) if old else None, str(value) if value else None]
    with transaction.atomic():
        person.save(update_fields=[*update, "updated_at"])
        event = _event(
            person,
            EventKind.CORRECTION,
            actor=actor,
            occurred_on=timezone.localdate(),
            changes={field_name: change},
            note=reason.strip()[:300],
        )
        family.recompute_family_facts(family.parents_of([person.pk]))
    return event


# --- privacy ---------------------------------------------------------------------------------------

UNMASKABLE = {"id_number": _("身份证号"), "phone": _("联系电话"), "bank_account": _("银行账号")}


def person_unmask(*, actor: Any, person: Person, field_name: str, reason: str) -> str:
    """Return one sensitive value in full. Needs registry.unmask and a reason; always audited."""
    scoping.require(actor, UNMASK, person.org_unit, visible_perm=VIEW_PERSONS)
    if field_name not in UNMASKABLE:
        raise ValidationError(_("该字段无需或不能显示完整内容。"), code="not_unmaskable")
    if len((reason or "").strip()) < 2:
        raise ValidationError(_("查看完整信息必须填写用途。"), code="reason_required")
    if field_name == "bank_account":
        account = BankAccount.objects.filter(person=person).first()
        value = account.account_number if account else ""
    else:
        value = getattr(person, field_name)
    log_action(
        person,
        "registry.person.unmasked",
        actor=actor,
        org_unit=person.org_unit,
        data={"field": field_name, "reason": reason.strip()[:200]},
    )
    return value


def consent_record(
    *, actor: Any, person: Person, purpose: str, scope: str, given_on: dt.date, given_by: str
) -> Consent:
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    if given_on > timezone.localdate():
        raise ValidationError(_("同意日期不能晚于今天。"), code="consent_in_future")
    with transaction.atomic():
        consent = Consent(
            person=person,
            purpose=purpose,
            scope=scope.strip(),
            given_on=given_on,
            given_by=given_by.strip(),
            recorded_by=actor,
        )
        consent.full_clean(exclude=["person", "recorded_by"])
        consent.save()
        log_action(
            consent,
            "registry.consent.recorded",
            actor=actor,
            org_unit=person.org_unit,
            data={"purpose": purpose},
        )
    return consent


def consent_withdraw(*, actor: Any, consent: Consent, withdrawn_on: dt.date) -> Consent:
    scoping.require(actor, EDIT_PERSONS, consent.person.org_unit)
    if consent.withdrawn_on is not None:
        raise Conflict(_("该同意已于 %(d)s 撤回。") % {"d": consent.withdrawn_on}, code="already_withdrawn")
    with transaction.atomic():
        consent.withdrawn_on = withdrawn_on
        consent.save(update_fields=["withdrawn_on"])
        log_action(consent, "registry.consent.withdrawn", actor=actor, org_unit=consent.person.org_unit)
    return consent


def person_access_export(*, actor: Any, person: Person) -> dict[str, Any]:
    """Everything held about a person, for an access request (PIPL art. 45). Audited."""
    scoping.require(actor, MANAGE_PRIVACY, person.org_unit, visible_perm=VIEW_PERSONS)
    account = BankAccount.objects.filter(person=person).first()
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "sex": person.get_sex_display(),
        "birth_date": person.birth_date.isoformat(),
        "phone": person.phone,
        "hukou_type": person.get_hukou_type_display(),
        "hukou_place": person.hukou_place,
        "village": person.org_unit.name,
        "address": person.household.address if person.household else "",
        "died_on": person.died_on.isoformat() if person.died_on else None,
        "disability_grade": person.disability_grade,
        "is_migrant": person.is_migrant,
        "only_child_certificate": person.only_child_certificate,
        "special_status": person.get_special_status_display() if person.special_status else None,
        "bank_account": {"bank": account.bank_name, "number": account.account_number} if account else None,
        "events": [
            {"kind": e.get_kind_display(), "occurred_on": e.occurred_on.isoformat(), "note": e.note}
            for e in person.events.all()
        ],
        "consents": [
            {
                "purpose": c.get_purpose_display(),
                "given_on": c.given_on.isoformat(),
                "withdrawn_on": c.withdrawn_on.isoformat() if c.withdrawn_on else None,
            }
            for c in person.consents.all()
        ],
    }
    log_action(person, "registry.person.access_exported", actor=actor, org_unit=person.org_unit)
    return data


def person_anonymise(*, actor: Any, person: Person, reason: str) -> Person:
    """Erase what identifies a person (PIPL art. 47) while keeping the counts that statistics and other
    families' derived facts rely on: birth year, sex, life/death, relations. Refused for the living head
    of a household with other members (re-assign the head first)."""
    scoping.require(actor, MANAGE_PRIVACY, person.org_unit, visible_perm=VIEW_PERSONS)
    if not (reason or "").strip():
        raise ValidationError(_("删除个人信息必须填写依据。"), code="reason_required")
    if person.anonymised_at is not None:
        raise Conflict(_("此人的个人信息已删除。"), code="already_anonymised")
    if (
        Household.objects.filter(head=person).exists()
        and Person.objects.filter(household=person.household).count() > 1
    ):
        raise ValidationError(_("此人是户主且户内还有其他成员，请先更换户主。"), code="head_with_members")
    with transaction.atomic():
        person.name = "已删除"  # stored as data in the source language; translated only when displayed
        person.name_pinyin = person.name_initials = ""
        person.id_number = person.id_legacy = person.phone = ""
        person.id_masked = person.phone_masked = ""
        person.id_index = None
        person.hukou_place = ""
        person.birth_date = person.birth_date.replace(month=1, day=1)
        person.anonymised_at = timezone.now()
        person.save()
        BankAccount.objects.filter(person=person).delete()
        LifeEvent.objects.filter(person=person).update(note="")
        log_action(
            person,
            "registry.person.anonymised",
            actor=actor,
            org_unit=person.org_unit,
            data={"reason": reason.strip()[:200]},
        )
    return person


def transfer_request(*, actor: Any, id_number: str, to_unit: OrgUnit, reason: str) -> TransferRequest:
    """Ask the branch that holds a person's record to transfer it here, without learning where it is."""
    scoping.require(actor, EDIT_PERSONS, to_unit)
    rid = parse_resident_id(id_number)
    person = Person.objects.filter(id_index=id_lookup_key(rid.number)).first()
    if person is None:
        raise NotFound(_("没有找到该身份证号的登记，可以直接登记。"))
    if scoping.can(actor, VIEW_PERSONS, person.org_unit):
        raise ValidationError(_("此人已在您的管辖范围内，无需申请迁入。"), code="already_in_scope")
    if TransferRequest.objects.filter(
        person=person, to_unit=to_unit, status=TransferRequest.Status.OPEN
    ).exists():
        raise Conflict(_("已有一份待处理的迁入申请。"), code="duplicate_transfer")
    with transaction.atomic():
        req = TransferRequest.objects.create(
            person=person, to_unit=to_unit, requested_by=actor, reason=reason.strip()[:300]
        )
        log_action(req, "registry.transfer.requested", actor=actor, org_unit=to_unit)
        # The holding branch sees it in its own list; the requester learns nothing about where it went.
        log_action(req, "registry.transfer.received", actor=actor, org_unit=person.org_unit)
    return req


def transfer_decide(
    *, actor: Any, request: TransferRequest, approve: bool, note: str = ""
) -> TransferRequest:
    """The holding branch approves (the person leaves their household and is placed, without a household,
    at the requesting village, for its clerk to assign) or refuses with a note."""
    scoping.require(actor, EDIT_PERSONS, request.person.org_unit)
    if request.status != TransferRequest.Status.OPEN:
        raise Conflict(_("该申请已处理。"), code="already_decided")
    if not approve and not note.strip():
        raise ValidationError(_("拒绝迁入申请必须说明理由。"), code="reason_required")
    if approve and Household.objects.filter(head=request.person).exists():
        raise ValidationError(_("此人是户主，请先更换户主。"), code="head_cannot_move")
    with transaction.atomic():
        person = request.person
        request.status = TransferRequest.Status.APPROVED if approve else TransferRequest.Status.REFUSED
        request.decided_by, request.decided_at, request.note = actor, timezone.now(), note.strip()[:300]
        request.save(update_fields=["status", "decided_by", "decided_at", "note"])
        if approve:
            old_unit = person.org_unit
            person.household, person.org_unit = None, request.to_unit
            person.save(update_fields=["household", "org_unit", "updated_at"])
            _event(
                person, EventKind.MOVE, actor=actor, occurred_on=timezone.localdate(), to_unit=request.to_unit
            )
            log_action(request, "registry.transfer.approved", actor=actor, org_unit=old_unit)
        else:
            log_action(request, "registry.transfer.refused", actor=actor, org_unit=person.org_unit)
    return request
