"""Transfer requests between branches, found only by ID number."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, NotFound, ValidationError
from guanhuai.core.validators import parse_resident_id
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry.models import (
    Household,
    Person,
    TransferRequest,
)
from guanhuai.registry.permissions import EDIT_PERSONS, VIEW_PERSONS
from guanhuai.registry.services.events import _event
from guanhuai.registry.services.persons import id_lookup_key
from guanhuai.registry.states import EventKind


def transfer_request(*, actor: Actor, id_number: str, to_unit: OrgUnit, reason: str) -> TransferRequest:
    """Ask the branch that holds a person's record to transfer it here, without learning where it is."""
    scoping.require(actor, EDIT_PERSONS, to_unit)
    rid = parse_resident_id(id_number)
    person = (
        Person.objects.unscoped("a transfer finds the record wherever it is, without showing it")
        .filter(id_index=id_lookup_key(rid.number))
        .first()
    )
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
            person=person, to_unit=to_unit, requested_by=signed_in(actor), reason=reason.strip()[:300]
        )
        log(req, "registry.transfer.requested", actor=actor, org_unit=to_unit)
        # The holding branch sees it in its own list; the requester learns nothing about where it went.
        log(req, "registry.transfer.received", actor=actor, org_unit=person.org_unit)
    return req


def transfer_decide(
    *, actor: Actor, request: TransferRequest, approve: bool, note: str = ""
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
        request.decided_by, request.decided_at, request.note = (
            signed_in(actor),
            timezone.now(),
            note.strip()[:300],
        )
        request.save(update_fields=["status", "decided_by", "decided_at", "note"])
        if approve:
            old_unit = person.org_unit
            person.household, person.org_unit = None, request.to_unit
            person.save(update_fields=["household", "org_unit", "updated_at"])
            _event(
                person, EventKind.MOVE, actor=actor, occurred_on=timezone.localdate(), to_unit=request.to_unit
            )
            log(request, "registry.transfer.approved", actor=actor, org_unit=old_unit)
        else:
            log(request, "registry.transfer.refused", actor=actor, org_unit=person.org_unit)
    return request
