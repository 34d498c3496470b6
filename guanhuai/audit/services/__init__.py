"""The one door into the audit log. Every `AuditEntry` is written here, inside the caller's transaction:

- `log(obj, action, …)`: one entry;
- `log_many(objects, action, …)`: one entry per object, in one INSERT;
- `log_select(queryset, action, …)`: one entry per row of a queryset, as one INSERT … SELECT (set-based
  bulk work: a re-confirmation that flags 300,000 enrolments writes their history without loading them).

Each app registers the sentences of its own action codes in its `<app>/audit.py`. A test
(`audit/tests/test_one_door.py`) fails if another module writes `AuditEntry` rows itself."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import (
    CharField,
    DateTimeField,
    Expression,
    F,
    GenericIPAddressField,
    IntegerField,
    JSONField,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from guanhuai.accounts.actor import Actor
from guanhuai.audit.context import current
from guanhuai.audit.models import AuditEntry
from guanhuai.core.sql import insert_select


def jsonable(value: Any) -> Any:
    """`value` as JSON can store it: model instances as their pk, dates, decimals and UUIDs as text."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def _actor_id(actor: Actor | None) -> int | None:
    return getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None


def log(
    obj: models.Model,
    action: str,
    *,
    actor: Actor | None,  # None: nobody signed in (a public sign-in) or system work (the demo)
    org_unit: Any = None,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record who did what to which object. Call inside the service's transaction.

    `changes` maps field → [old, new]. `org_unit` is the branch the object belongs to; it decides which
    auditors may read the entry. Values are stored as JSON; sensitive values must be masked by the caller."""
    ctx = current.get()
    return AuditEntry.objects.create(
        actor_id=_actor_id(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        org_unit=org_unit,
        changes=jsonable(changes or {}),
        data=jsonable(data or {}),
        ip=ctx.ip,
        via=ctx.via,
        request_id=ctx.request_id,
    )


def log_many(
    objects: Iterable[models.Model], action: str, *, actor: Actor, data: dict[str, Any] | None = None
) -> int:
    """One entry per object, the same action and data for all, in one INSERT. Each entry's branch is its
    object's `org_unit_id` (None where the object has none). Returns the number written."""
    ctx = current.get()
    payload = jsonable(data or {})
    entries = AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor_id=_actor_id(actor),
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                org_unit_id=getattr(obj, "org_unit_id", None),
                data=payload,
                ip=ctx.ip,
                via=ctx.via,
                request_id=ctx.request_id,
            )
            for obj in objects
        ],
        batch_size=2000,
    )
    return len(entries)


_COLUMNS = (
    "at", "actor_id", "action", "object_type", "object_id", "object_repr", "org_unit_id", "changes", "data",
    "ip", "via", "request_id",
)  # fmt: skip


def log_select(
    rows: QuerySet,
    action: str,
    *,
    actor: Actor,
    object_repr: Expression,
    data: dict[str, Any] | None = None,
    org_unit: str = "org_unit_id",
    at: dt.datetime | None = None,
    via: str | None = None,
) -> int:
    """One entry per row of `rows` (a queryset of the audited model), written by one INSERT … SELECT that
    the ORM compiles: nothing is loaded into Python. `object_repr` is an SQL expression over the row (its
    `str()` would need the object); `org_unit` names the row's branch column. Returns the number written."""
    ctx = current.get()
    selected = (
        rows.order_by()
        .annotate(
            a_at=Value(at or timezone.now(), output_field=DateTimeField()),
            a_actor=Value(_actor_id(actor), output_field=IntegerField()),
            a_action=Value(action, output_field=CharField()),
            a_type=Value(rows.model._meta.label_lower, output_field=CharField()),
            a_id=Cast("pk", output_field=CharField()),
            a_repr=Cast(object_repr, output_field=CharField()),
            a_unit=F(org_unit),
            a_changes=Value({}, output_field=JSONField()),
            a_data=Value(jsonable(data or {}), output_field=JSONField()),
            a_ip=Value(ctx.ip, output_field=GenericIPAddressField()),
            a_via=Value(ctx.via if via is None else via, output_field=CharField()),
            a_request=Value(ctx.request_id, output_field=CharField()),
        )
        .values(
            "a_at", "a_actor", "a_action", "a_type", "a_id", "a_repr", "a_unit", "a_changes", "a_data",
            "a_ip", "a_via", "a_request",
        )
    )  # fmt: skip
    return insert_select(AuditEntry, _COLUMNS, selected)


def diff(obj: models.Model, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields of `obj` that `new_values` would change, as {field: [old, new]}."""
    return {
        field: [getattr(obj, field), value]
        for field, value in new_values.items()
        if getattr(obj, field) != value
    }
