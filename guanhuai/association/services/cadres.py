"""Writes of association cadres (协会干部): appointment and leaving. A cadre row is never deleted or
reopened, so turnover per branch per year (selectors/cadres.py) counts what really happened."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.association.models import Cadre
from guanhuai.association.permissions import MANAGE_CADRES, VIEW
from guanhuai.association.services.care import liaisons_end_with_cadre
from guanhuai.association.states import Employment
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.orgs.models import OrgUnit


def cadre_appoint(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    name: str,
    employment: str,
    position: str,
    appointed_on: dt.date,
    person: Any = None,
) -> Cadre:
    scoping.require(actor, MANAGE_CADRES, org_unit, visible_perm=VIEW)
    if employment not in Employment.values:
        raise ValidationError(_("请选择专职或兼职。"), code="employment")
    name = (person.name if person is not None else name or "").strip()
    if not name:
        raise ValidationError(_("请填写干部姓名。"), code="name")
    if appointed_on > timezone.localdate():
        raise ValidationError(_("任职日期不能晚于今天。"), code="appointed_on")
    if Cadre.objects.filter(org_unit=org_unit, name=name, left_on__isnull=True, position=position).exists():
        raise Conflict(
            _("%(name)s 已在“%(unit)s”担任%(position)s。")
            % {"name": name, "unit": org_unit.name, "position": position},
            code="name",
        )
    with transaction.atomic():
        cadre = Cadre.objects.create(
            org_unit=org_unit,
            name=name,
            person=person,
            employment=employment,
            position=(position or "").strip(),
            appointed_on=appointed_on,
        )
        log(
            cadre,
            "association.cadre.created",
            actor=actor,
            org_unit=org_unit,
            data={"employment": employment},
        )
    return cadre


def cadre_leave(*, actor: Actor, cadre: Cadre, left_on: dt.date, reason: str = "") -> Cadre:
    scoping.require(actor, MANAGE_CADRES, cadre.org_unit, visible_perm=VIEW)
    if cadre.left_on is not None:
        raise Conflict(_("%(name)s 已于 %(d)s 离任。") % {"name": cadre.name, "d": cadre.left_on.isoformat()})
    if left_on < cadre.appointed_on:
        raise ValidationError(
            _("离任日期 %(l)s 早于任职日期 %(a)s。")
            % {"l": left_on.isoformat(), "a": cadre.appointed_on.isoformat()},
            code="left_on",
        )
    if left_on > timezone.localdate():
        raise ValidationError(_("离任日期不能晚于今天。"), code="left_on")
    with transaction.atomic():
        cadre.left_on = left_on
        cadre.save(update_fields=["left_on"])
        # their liaison pairings end with them, so the families count as uncovered again
        ended = liaisons_end_with_cadre(actor=actor, cadre=cadre, left_on=left_on)
        log(
            cadre,
            "association.cadre.left",
            actor=actor,
            org_unit=cadre.org_unit,
            data={"on": left_on, "reason": reason[:200], "pairings_ended": ended},
        )
    return cadre
