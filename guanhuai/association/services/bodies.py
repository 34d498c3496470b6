"""Writes of a branch's registration and its governing bodies (会员代表大会, 理事会, 常务理事会).

Nothing is overwritten. A new term (届) of a body closes the open one the day before it starts, and every
post still held in it ceases on that day; a post ends with its ceased date. Refused, with a message, and
changing nothing: a ceased date before its designation, and two holders of a sole post (会长, 常务副会长,
秘书长) — or the same person twice in any post — over overlapping dates in the same body kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.association.models import Body, Registration, Seat
from guanhuai.association.permissions import MANAGE_BRANCHES, VIEW
from guanhuai.association.states import SOLE_POSITIONS, BodyKind, Position
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.orgs.models import OrgUnit

REGISTRATION_FIELDS = (
    "founded_on",
    "legal_person",
    "legal_representative",
    "address",
    "contact_name",
    "contact_phone",
    "charter_version",
    "charter_adopted_on",
)


def registration_save(*, actor: Actor, org_unit: OrgUnit, **values: Any) -> Registration:
    """Create or update the branch's registration; the audit row holds what changed, old and new."""
    scoping.require(actor, MANAGE_BRANCHES, org_unit, visible_perm=VIEW)
    unknown = set(values) - set(REGISTRATION_FIELDS)
    if unknown:
        raise ValidationError(_("未知的登记项：%(f)s") % {"f": "、".join(sorted(unknown))})
    with transaction.atomic():
        reg, _created = (
            Registration.objects.unscoped("the registration of the branch the service checked")
            .select_for_update()
            .get_or_create(org_unit=org_unit)
        )
        changes = {}
        for field, value in values.items():
            old = getattr(reg, field)
            if old != value:
                changes[field] = [old, value]
                setattr(reg, field, value)
        if reg.legal_person and not reg.legal_representative:
            raise ValidationError(_("具有法人资格的协会须填写法定代表人。"), code="legal_representative")
        if reg.charter_adopted_on and reg.founded_on and reg.charter_adopted_on < reg.founded_on:
            raise ValidationError(_("章程通过日期不能早于成立日期。"), code="charter_adopted_on")
        reg.full_clean()
        reg.save()
        if changes:
            log(reg, "association.registration.saved", actor=actor, org_unit=org_unit, changes=changes)
    return reg


def body_term_open(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    kind: str,
    started_on: dt.date,
    term: int | None = None,
    note: str = "",
) -> Body:
    """Open the next term of a body. The open term, if any, ends the day before (its open posts cease
    then). `term` defaults to the last term plus one; a first term may carry its real number (第五届)."""
    scoping.require(actor, MANAGE_BRANCHES, org_unit, visible_perm=VIEW)
    if kind not in BodyKind.values:
        raise ValidationError(_("机构类型不正确。"), code="kind")
    with transaction.atomic():
        # The branch's own terms, which the permission check above covers; the open one under lock.
        terms = Body.objects.unscoped("the terms of the branch the service checked").filter(
            org_unit=org_unit, kind=kind
        )
        current = terms.select_for_update().filter(ended_on__isnull=True).first()
        last = terms.aggregate(t=Max("term"))["t"] or 0
        if term is None:
            term = last + 1
        elif term <= last:
            raise ValidationError(_("届次应大于已有的第%(n)d届。") % {"n": last}, code="term")
        if term < 1:
            raise ValidationError(_("届次应为正整数。"), code="term")
        if current is not None:
            if started_on <= current.started_on:
                raise ValidationError(
                    _("新一届的产生日期应晚于第%(n)d届的产生日期 %(d)s。")
                    % {"n": current.term, "d": current.started_on.isoformat()},
                    code="started_on",
                )
            end = started_on - dt.timedelta(days=1)
            current.ended_on = end
            current.save(update_fields=["ended_on"])
            ceased = 0
            for seat in Seat.objects.select_for_update().filter(body=current, ceased_on__isnull=True):
                seat.ceased_on = max(end, seat.designated_on)
                seat.save(update_fields=["ceased_on"])
                ceased += 1
            log(
                current,
                "association.body.term_closed",
                actor=actor,
                org_unit=org_unit,
                data={"ended_on": end, "seats_ceased": ceased},
            )
        body = Body.objects.create(org_unit=org_unit, kind=kind, term=term, started_on=started_on, note=note)
        log(body, "association.body.term_opened", actor=actor, org_unit=org_unit, data={"term": term})
    return body


def _overlapping(body: Body, position: str, start: dt.date, end: dt.date | None) -> Q:
    q = Q(org_unit_id=body.org_unit_id, body__kind=body.kind, position=position) & (
        Q(ceased_on__isnull=True) | Q(ceased_on__gte=start)
    )
    if end is not None:
        q &= Q(designated_on__lte=end)
    return q


def seat_designate(
    *,
    actor: Actor,
    body: Body,
    position: str,
    name: str,
    designated_on: dt.date,
    ceased_on: dt.date | None = None,
    person: Any = None,
) -> Seat:
    """Record who holds a post in a term, from `designated_on` (to `ceased_on`, for history)."""
    scoping.require(actor, MANAGE_BRANCHES, body.org_unit, visible_perm=VIEW)
    if position not in Position.values:
        raise ValidationError(_("职务不正确。"), code="position")
    name = (person.name if person is not None else name or "").strip()
    if not name:
        raise ValidationError(_("请填写任职人姓名。"), code="name")
    if ceased_on is not None and ceased_on < designated_on:
        raise ValidationError(
            _("离任日期 %(c)s 早于任职日期 %(d)s。")
            % {"c": ceased_on.isoformat(), "d": designated_on.isoformat()},
            code="ceased_on",
        )
    if designated_on < body.started_on or (body.ended_on is not None and designated_on > body.ended_on):
        raise ValidationError(
            _("任职日期应在%(body)s的任期之内（%(a)s 至 %(b)s）。")
            % {
                "body": body,
                "a": body.started_on.isoformat(),
                "b": body.ended_on.isoformat() if body.ended_on else _("今"),
            },
            code="designated_on",
        )
    if body.ended_on is not None and (ceased_on is None or ceased_on > body.ended_on):
        ceased_on = body.ended_on
    with transaction.atomic():
        Body.objects.select_for_update().filter(org_unit_id=body.org_unit_id, kind=body.kind).exists()
        clash = Seat.objects.filter(_overlapping(body, position, designated_on, ceased_on))
        if position not in SOLE_POSITIONS:
            clash = clash.filter(
                Q(person=person) if person is not None else Q(name=name, person__isnull=True)
            )
        other = clash.select_related("body").first()
        if other is not None:
            raise Conflict(
                _("%(position)s的任期与 %(name)s 的任期（%(a)s 至 %(b)s）重叠。")
                % {
                    "position": Position(position).label,
                    "name": other.name,
                    "a": other.designated_on.isoformat(),
                    "b": other.ceased_on.isoformat() if other.ceased_on else _("今"),
                },
                code="designated_on",
            )
        seat = Seat.objects.create(
            body=body,
            org_unit_id=body.org_unit_id,
            position=position,
            name=name,
            person=person,
            designated_on=designated_on,
            ceased_on=ceased_on,
        )
        log(
            seat,
            "association.seat.designated",
            actor=actor,
            org_unit=body.org_unit,
            data={"body": body.pk, "position": position, "on": designated_on},
        )
    return seat


def seat_cease(*, actor: Actor, seat: Seat, ceased_on: dt.date) -> Seat:
    """A holder leaves a post; the row stays, with its ceased date."""
    scoping.require(actor, MANAGE_BRANCHES, seat.org_unit, visible_perm=VIEW)
    if seat.ceased_on is not None:
        raise Conflict(_("%(name)s 已于 %(d)s 离任。") % {"name": seat.name, "d": seat.ceased_on.isoformat()})
    if ceased_on < seat.designated_on:
        raise ValidationError(
            _("离任日期 %(c)s 早于任职日期 %(d)s。")
            % {"c": ceased_on.isoformat(), "d": seat.designated_on.isoformat()},
            code="ceased_on",
        )
    with transaction.atomic():
        seat.ceased_on = ceased_on
        seat.save(update_fields=["ceased_on"])
        log(seat, "association.seat.ceased", actor=actor, org_unit=seat.org_unit, data={"on": ceased_on})
    return seat
