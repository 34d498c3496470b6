"""Life events. Each one changes facts, writes a LifeEvent and audit, and recomputes the derived family
facts of everyone it touches, in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.masking import mask_id
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry import family
from guanhuai.registry.models import (
    Household,
    LifeEvent,
    Marriage,
    ParentChild,
    Person,
)
from guanhuai.registry.permissions import EDIT_PERSONS
from guanhuai.registry.services.fields import id_fields, name_fields
from guanhuai.registry.services.persons import (
    PersonInput,
    build_person,
    check_id_number,
    person_died,
)
from guanhuai.registry.states import ChildBasis, EventKind, RelationToHead

# --- life events -----------------------------------------------------------------------------------


def _event(person: Person, kind: str, *, actor: Actor, occurred_on: dt.date, **fields: Any) -> LifeEvent:
    if occurred_on > timezone.localdate():
        raise ValidationError(_("事件日期不能晚于今天。"), code="event_in_future")
    event = LifeEvent.objects.create(
        person=person, kind=kind, occurred_on=occurred_on, recorded_by=signed_in(actor), **fields
    )
    log(
        event,
        f"registry.event.{kind}",
        actor=actor,
        org_unit=person.org_unit,
        data={"person": person.pk, "occurred_on": occurred_on},
    )
    return event


def _lock_persons(*persons: Person) -> None:
    Person.objects.unscoped(
        "persons are locked in a fixed order before a life event"
    ).select_for_update().filter(pk__in=sorted(p.pk for p in persons)).order_by("pk").exists()


def birth_record(
    *,
    actor: Actor,
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
        child = build_person(data, household=household, rid=rid)
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


def adoption_record(*, actor: Actor, parents: list[Person], child: Person, occurred_on: dt.date) -> LifeEvent:
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


def death_record(*, actor: Actor, person: Person, occurred_on: dt.date, note: str = "") -> LifeEvent:
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
        person_died.send(sender=Person, person=person, died_on=occurred_on, actor=actor)
    return event


def disability_record(*, actor: Actor, person: Person, grade: int | None, occurred_on: dt.date) -> LifeEvent:
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


def marriage_record(*, actor: Actor, person: Person, spouse: Person, occurred_on: dt.date) -> LifeEvent:
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


def divorce_record(*, actor: Actor, person: Person, occurred_on: dt.date) -> LifeEvent:
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    # The person is the clerk's to edit; the spouse may be registered in another branch.
    in_force = Marriage.objects.unscoped("the marriage in force of a person the clerk may edit")
    marriage = (
        in_force.filter(ended_on__isnull=True).filter(a=person).first()
        or in_force.filter(ended_on__isnull=True, b=person).first()
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
    *, actor: Actor, person: Person, residence_unit: OrgUnit | None, occurred_on: dt.date, note: str = ""
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
    *, actor: Actor, person: Person, household: Household, relation_to_head: str, occurred_on: dt.date
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


def correction_record(*, actor: Actor, person: Person, field_name: str, value: Any, reason: str) -> LifeEvent:
    """Correct a recorded fact (a typo in the ID, a death recorded in error) with a reason. The old value
    stays in the event (masked for IDs), so nothing is silently overwritten."""
    scoping.require(actor, EDIT_PERSONS, person.org_unit)
    if field_name not in CORRECTABLE:
        raise ValidationError(_("该字段不能更正。"), code="not_correctable")
    if not (reason or "").strip():
        raise ValidationError(_("更正必须填写原因。"), code="reason_required")
    old = getattr(person, field_name)
    derived: dict[str, Any] = {}
    if field_name == "id_number":
        rid = check_id_number(value, actor=actor, exclude_pk=person.pk)
        derived = id_fields(rid)
        # A correction to an 18-digit number keeps the legacy original recorded before.
        derived["id_legacy"] = derived["id_legacy"] or person.id_legacy
        change: list[str | None] = [mask_id(old), derived["id_masked"]]
    elif field_name == "name":
        derived = name_fields(value)
        change = [old, derived["name"]]
    else:
        if field_name in ("sex", "birth_date") and person.id_number:
            raise ValidationError(_("性别和出生日期由身份证号决定，请更正身份证号。"), code="derived_from_id")
        derived = {field_name: value}
        change = [str(old) if old else None, str(value) if value else None]
    for key, new in derived.items():
        setattr(person, key, new)
    with transaction.atomic():
        person.save(update_fields=[*derived, "updated_at"])
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
