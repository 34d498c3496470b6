"""PIPL: unmasking with a reason, consent, access requests and erasure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.registry.models import (
    BankAccount,
    Consent,
    Household,
    LifeEvent,
    Person,
)
from guanhuai.registry.permissions import EDIT_PERSONS, MANAGE_PRIVACY, UNMASK, VIEW_PERSONS

# Sent after the commit of a consent recorded or withdrawn, with `person` and `purpose`: apps above that show
# something only with a consent (the portal's honours list) drop their cached pages at once.
consent_changed = Signal()


def _announce(consent: Consent) -> None:
    person, purpose = consent.person, consent.purpose
    transaction.on_commit(lambda: consent_changed.send(sender=Consent, person=person, purpose=purpose))


# --- privacy ---------------------------------------------------------------------------------------

# Lazy: the labels are read at request time, in the reader's language (an eager gettext here froze them in
# Chinese at import, and the English person page showed 身份证号).
UNMASKABLE = {
    "id_number": gettext_lazy("身份证号"),
    "phone": gettext_lazy("联系电话"),
    "bank_account": gettext_lazy("银行账号"),
}


def person_unmask(*, actor: Actor, person: Person, field_name: str, reason: str) -> str:
    """Return one sensitive value in full. Needs registry.unmask and a reason; always audited."""
    scoping.require(actor, UNMASK, person.org_unit, visible_perm=VIEW_PERSONS)
    if field_name not in UNMASKABLE:
        raise ValidationError(_("该字段无需或不能显示完整内容。"), code="not_unmaskable")
    if len((reason or "").strip()) < 2:
        raise ValidationError(_("查看完整信息必须填写用途。"), code="reason_required")
    if field_name == "bank_account":
        account = BankAccount.objects.unscoped("the person was checked above").filter(person=person).first()
        value = account.account_number if account else ""
    else:
        value = getattr(person, field_name)
    if not value:  # nothing to reveal, so nothing to audit
        raise ValidationError(_("该字段没有登记内容。"), code="field_empty")
    log(
        person,
        "registry.person.unmasked",
        actor=actor,
        org_unit=person.org_unit,
        data={"field": field_name, "reason": reason.strip()[:200]},
    )
    return value


def consent_record(
    *, actor: Actor, person: Person, purpose: str, scope: str, given_on: dt.date, given_by: str
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
            recorded_by=signed_in(actor),
        )
        consent.full_clean(exclude=["person", "recorded_by"])
        consent.save()
        log(
            consent,
            "registry.consent.recorded",
            actor=actor,
            org_unit=person.org_unit,
            data={"purpose": purpose},
        )
        _announce(consent)
    return consent


def consent_withdraw(*, actor: Actor, consent: Consent, withdrawn_on: dt.date) -> Consent:
    scoping.require(actor, EDIT_PERSONS, consent.person.org_unit)
    if consent.withdrawn_on is not None:
        raise Conflict(_("该同意已于 %(d)s 撤回。") % {"d": consent.withdrawn_on}, code="already_withdrawn")
    with transaction.atomic():
        consent.withdrawn_on = withdrawn_on
        consent.save(update_fields=["withdrawn_on"])
        log(consent, "registry.consent.withdrawn", actor=actor, org_unit=consent.person.org_unit)
        _announce(consent)
    return consent


def person_access_export(*, actor: Actor, person: Person) -> dict[str, Any]:
    """Everything held about a person, for an access request (PIPL art. 45). Audited."""
    scoping.require(actor, MANAGE_PRIVACY, person.org_unit, visible_perm=VIEW_PERSONS)
    account = BankAccount.objects.unscoped("the person was checked above").filter(person=person).first()
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
    log(person, "registry.person.access_exported", actor=actor, org_unit=person.org_unit)
    return data


def person_anonymise(*, actor: Actor, person: Person, reason: str) -> Person:
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
        log(
            person,
            "registry.person.anonymised",
            actor=actor,
            org_unit=person.org_unit,
            data={"reason": reason.strip()[:200]},
        )
    return person
