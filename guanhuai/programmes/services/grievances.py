"""Grievances (投诉/信访) about an application or a payment: recorded, assigned, resolved or rejected."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core import states
from guanhuai.core.errors import (
    PermissionDenied,
    ValidationError,
)
from guanhuai.core.locks import relock
from guanhuai.programmes.models import (
    Application,
    Grievance,
    Payment,
)
from guanhuai.programmes.permissions import (
    HANDLE_GRIEVANCES,
    VIEW,
)
from guanhuai.programmes.services.application_common import _log, _now
from guanhuai.programmes.states import (
    GRIEVANCE_TRANSITIONS,
    GrievanceStatus,
)

# --- grievances --------------------------------------------------------------------------------------------


def grievance_record(
    *,
    actor: Actor,
    complainant: str,
    content: str,
    application: Application | None = None,
    payment: Payment | None = None,
    contact: str = "",
) -> Grievance:
    subject = application or payment
    if subject is None:
        raise ValidationError(_("投诉须针对一份申请或一笔发放。"), code="subject_required")
    unit = subject.org_unit
    scoping.require(actor, HANDLE_GRIEVANCES, unit, visible_perm=VIEW)
    if not (complainant or "").strip():
        raise ValidationError(_("请填写投诉人（可填“匿名”）。"), code="complainant_required")
    if not (content or "").strip():
        raise ValidationError(_("请填写投诉内容。"), code="content_required")
    with transaction.atomic():
        grievance = Grievance.objects.create(
            org_unit=unit,
            application=application,
            payment=payment,
            complainant=complainant.strip(),
            contact=contact.strip(),
            content=content.strip(),
            recorded_by=signed_in(actor),
        )
        log(grievance, "programmes.grievance.recorded", actor=actor, org_unit=unit)
        if application is not None:
            _log(application, "programmes.grievance.recorded", actor=actor, grievance=grievance.pk)
    return grievance


def _grievance_move(grievance: Grievance, new: str) -> Grievance:
    locked = relock(grievance, "org_unit")
    if new != locked.status:  # saving the same status again is a note, not a move
        states.transition(locked, new, GRIEVANCE_TRANSITIONS)
    return locked


def grievance_assign(*, actor: Actor, grievance: Grievance, assignee: Any) -> Grievance:
    """`assignee` may be None (an id that matched no user): a missing user, one outside the actor's scope
    and one without the permission get the same answer, so user ids cannot be walked for names."""
    from guanhuai.programmes.selectors.applications import grievance_assignees

    scoping.require(actor, HANDLE_GRIEVANCES, grievance.org_unit, visible_perm=VIEW)
    if (
        assignee is None
        or not grievance_assignees(actor=actor, grievance=grievance).filter(pk=assignee.pk).exists()
    ):
        raise ValidationError(_("不能指定该用户为承办人。"), code="assignee_not_allowed")
    with transaction.atomic():
        grievance = _grievance_move(grievance, GrievanceStatus.IN_PROGRESS)
        grievance.assigned_to = assignee
        grievance.save(update_fields=["status", "assigned_to"])
        log(
            grievance,
            "programmes.grievance.assigned",
            actor=actor,
            org_unit=grievance.org_unit,
            data={"assignee": assignee.pk},
        )
    return grievance


def grievance_resolve(*, actor: Actor, grievance: Grievance, resolution: str) -> Grievance:
    return _grievance_finish(actor=actor, grievance=grievance, text=resolution, new=GrievanceStatus.RESOLVED)


def grievance_reject(*, actor: Actor, grievance: Grievance, reason: str) -> Grievance:
    return _grievance_finish(actor=actor, grievance=grievance, text=reason, new=GrievanceStatus.REJECTED)


def _grievance_finish(*, actor: Actor, grievance: Grievance, text: str, new: str) -> Grievance:
    scoping.require(actor, HANDLE_GRIEVANCES, grievance.org_unit, visible_perm=VIEW)
    text = (text or "").strip()
    if not text:
        raise ValidationError(
            _("请填写办理结果。") if new == GrievanceStatus.RESOLVED else _("请填写不予受理的理由。"),
            code="reason_required",
        )
    with transaction.atomic():
        grievance = _grievance_move(grievance, new)
        if grievance.assigned_to_id and grievance.assigned_to_id != actor.pk and not actor.is_superuser:
            # The assignee handles it; others in scope may still close an unassigned one.
            raise PermissionDenied(_("该投诉已指定承办人，只有承办人可以办结。"), code="not_assignee")
        grievance.resolution = text
        grievance.resolved_at = _now()
        grievance.save(update_fields=["status", "resolution", "resolved_at"])
        action = (
            "programmes.grievance.resolved"
            if new == GrievanceStatus.RESOLVED
            else "programmes.grievance.rejected"
        )
        log(grievance, action, actor=actor, org_unit=grievance.org_unit, data={"comment": text})
        if grievance.application is not None:
            _log(grievance.application, action, actor=actor, grievance=grievance.pk, comment=text)
    return grievance
