from __future__ import annotations

import datetime as dt

from django.db.models import Model, Q, QuerySet

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.audit.models import AuditEntry
from guanhuai.audit.permissions import VIEW_AUDIT


def entry_list(
    *,
    actor: Actor,
    q: str = "",
    action: str = "",
    actor_id: int | None = None,
    actor_username: str = "",
    object_type: str = "",
    object_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    qs = scoping.scope(AuditEntry.objects.all(), actor, VIEW_AUDIT)
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(action__icontains=q) | Q(actor__username__icontains=q))
    if action:
        # "programmes." is every action of an app; a full code is that action alone.
        qs = qs.filter(action__startswith=action) if action.endswith(".") else qs.filter(action=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if actor_username:
        qs = qs.filter(actor__username=actor_username)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.select_related("actor", "org_unit")


def trail(obj: Model) -> QuerySet[AuditEntry]:
    """The audit rows of one object that the caller has already read through scoping (an application for its
    timeline, an enrolment for its history): the trail is as visible as the object, as its rows would be
    through a related manager were the trail a foreign key. Not a list of the log: that is `entry_list`."""
    return AuditEntry.objects.unscoped("the trail of one object already read through scoping").filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )


def can_view_log(*, actor: Actor) -> bool:
    """Whether the audit pages exist for this actor at all (they hold audit.view_log somewhere)."""
    return scoping.can_anywhere(actor, VIEW_AUDIT)
