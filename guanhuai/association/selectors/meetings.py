"""Reads of volunteers and of the work with the health commission, scoped by the association's VIEW."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.association.models import (
    ActionItem,
    Cadre,
    DelegatedTask,
    JointMeeting,
    Volunteer,
    VolunteerTeam,
)
from guanhuai.association.permissions import VIEW
from guanhuai.association.states import ActionStatus, DelegatedStatus


def meeting_list(*, actor: Actor) -> QuerySet[JointMeeting]:
    return (
        scoping.scope(JointMeeting.objects.all(), actor, VIEW)
        .select_related("org_unit")
        .annotate(
            open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN)),
            overdue_actions=Count(
                "actions",
                filter=Q(actions__status=ActionStatus.OPEN, actions__due_on__lt=timezone.localdate()),
            ),
        )
        .order_by("-held_on", "-pk")
    )


def meeting_get(*, actor: Actor, meeting_id: Any) -> JointMeeting:
    return scoping.get_or_404(
        JointMeeting.objects.select_related("org_unit", "created_by"), actor, VIEW, pk=meeting_id
    )


def action_get(*, actor: Actor, action_id: Any) -> ActionItem:
    return scoping.get_or_404(
        ActionItem.objects.select_related("meeting", "org_unit"), actor, VIEW, pk=action_id
    )


def delegated_list(*, actor: Actor) -> QuerySet[DelegatedTask]:
    return (
        scoping.scope(DelegatedTask.objects.all(), actor, VIEW)
        .select_related("org_unit")
        .order_by("due_on", "pk")
    )


def actions_overdue(*, actor: Actor, perm: str) -> QuerySet[ActionItem]:
    """Joint-meeting action items still open past their due date, in the actor's branches (the work queue
    counts them for whoever may close them; the meetings list marks them)."""
    return scoping.scope(
        ActionItem.objects.filter(status=ActionStatus.OPEN, due_on__lt=timezone.localdate()), actor, perm
    )


def delegated_overdue(*, actor: Actor, perm: str) -> QuerySet[DelegatedTask]:
    """Delegated tasks not yet delivered past their due date, in the actor's branches."""
    return scoping.scope(
        DelegatedTask.objects.filter(
            status__in=[DelegatedStatus.AGREED, DelegatedStatus.IN_PROGRESS], due_on__lt=timezone.localdate()
        ),
        actor,
        perm,
    )


def delegated_get(*, actor: Actor, task_id: Any) -> DelegatedTask:
    return scoping.get_or_404(DelegatedTask.objects.select_related("org_unit"), actor, VIEW, pk=task_id)


def team_list(*, actor: Actor) -> QuerySet[VolunteerTeam]:
    return (
        scoping.scope(VolunteerTeam.objects.all(), actor, VIEW)
        .select_related("org_unit")
        .order_by("org_unit__path", "name")
    )


def volunteer_list(*, actor: Actor) -> QuerySet[Volunteer]:
    return (
        scoping.scope(Volunteer.objects.all(), actor, VIEW)
        .select_related("org_unit", "team")
        .annotate(
            total_hours=Coalesce(
                Sum("services__hours"), Value(0), output_field=DecimalField(max_digits=9, decimal_places=1)
            ),
            service_count=Count("services"),
        )
        .order_by("org_unit__path", "name")
    )


def volunteer_get(*, actor: Actor, volunteer_id: Any) -> Volunteer:
    return scoping.get_or_404(
        Volunteer.objects.select_related("org_unit", "team"), actor, VIEW, pk=volunteer_id
    )


def cadre_get(*, actor: Actor, cadre_id: Any) -> Cadre:
    """A cadre the actor may see (a liaison pairing names one)."""
    return scoping.get_or_404(Cadre.objects.select_related("org_unit"), actor, VIEW, pk=cadre_id)
