"""Writes of the work with the health commission: joint meetings (联席会议) with their action items, and tasks
the government delegates to the association (承接政府转移职能) with their status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.association.models import ActionItem, DelegatedTask, JointMeeting
from guanhuai.association.permissions import MANAGE_MEETINGS, VIEW
from guanhuai.association.states import ACTION_TRANSITIONS, DELEGATED_TRANSITIONS
from guanhuai.audit.services import log
from guanhuai.core.errors import ValidationError
from guanhuai.core.states import transition


def meeting_record(
    *,
    actor: Actor,
    org_unit: Any,
    held_on: dt.date,
    title: str,
    attendees: str,
    minutes: str = "",
    decisions: str = "",
    actions: list[tuple[str, str, dt.date]] = (),  # type: ignore[assignment]
) -> JointMeeting:
    """A joint meeting and its action items: (what, who is responsible, due date)."""
    scoping.require(actor, MANAGE_MEETINGS, org_unit, visible_perm=VIEW)
    if held_on > timezone.localdate():
        raise ValidationError(_("会议日期不能晚于今天。"), code="held_on")
    for what, owner, due_on in actions:
        if not what.strip() or not owner.strip():
            raise ValidationError(_("每个议定事项都须填写事项和责任单位/人。"), code="actions")
        if due_on < held_on:
            raise ValidationError(_("事项期限不能早于会议日期。"), code="actions")
    with transaction.atomic():
        meeting = JointMeeting(
            org_unit=org_unit,
            held_on=held_on,
            title=title.strip(),
            attendees=attendees.strip(),
            minutes=minutes.strip(),
            decisions=decisions.strip(),
            created_by=signed_in(actor),
        )
        meeting.full_clean()
        meeting.save()
        ActionItem.objects.bulk_create(
            [
                ActionItem(meeting=meeting, org_unit=org_unit, title=w.strip(), owner=o.strip(), due_on=d)
                for w, o, d in actions
            ]
        )
        log(
            meeting,
            "association.meeting.recorded",
            actor=actor,
            org_unit=org_unit,
            data={"actions": len(actions)},
        )
    return meeting


def action_item_close(*, actor: Actor, item: ActionItem, status: str) -> ActionItem:
    """Mark an action item done or dropped."""
    scoping.require(actor, MANAGE_MEETINGS, item.org_unit, visible_perm=VIEW)
    with transaction.atomic():
        old = item.status
        transition(item, status, ACTION_TRANSITIONS)
        item.closed_on = timezone.localdate()
        item.save(update_fields=["status", "closed_on"])
        log(
            item,
            "association.action.closed",
            actor=actor,
            org_unit=item.org_unit,
            changes={"status": [old, status]},
        )
    return item


def delegated_task_create(
    *,
    actor: Actor,
    org_unit: Any,
    title: str,
    agreement: str,
    agreed_on: dt.date,
    due_on: dt.date,
    deliverables: str,
) -> DelegatedTask:
    scoping.require(actor, MANAGE_MEETINGS, org_unit, visible_perm=VIEW)
    if due_on < agreed_on:
        raise ValidationError(_("完成期限不能早于签订日期。"), code="due_on")
    with transaction.atomic():
        task = DelegatedTask(
            org_unit=org_unit,
            title=title.strip(),
            agreement=agreement.strip(),
            agreed_on=agreed_on,
            due_on=due_on,
            deliverables=deliverables.strip(),
            created_by=signed_in(actor),
        )
        task.full_clean()
        task.save()
        log(task, "association.delegated.created", actor=actor, org_unit=org_unit)
    return task


def delegated_task_move(*, actor: Actor, task: DelegatedTask, status: str) -> DelegatedTask:
    scoping.require(actor, MANAGE_MEETINGS, task.org_unit, visible_perm=VIEW)
    with transaction.atomic():
        old = task.status
        transition(task, status, DELEGATED_TRANSITIONS)
        task.save(update_fields=["status"])
        log(
            task,
            "association.delegated.moved",
            actor=actor,
            org_unit=task.org_unit,
            changes={"status": [old, status]},
        )
    return task
