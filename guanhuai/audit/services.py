from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from guanhuai.audit.context import current
from guanhuai.audit.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def log_action(
    obj: models.Model,
    action: str,
    *,
    actor: Any,
    org_unit: Any = None,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record who did what to which object. Call inside the service's transaction.

    `changes` maps field → [old, new]. `org_unit` is the branch the object belongs to; it decides which
    auditors may read the entry. Values are stored as JSON; sensitive values must be masked by the caller."""
    ctx = current.get()
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor_id=actor_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        org_unit=org_unit,
        changes=_jsonable(changes or {}),
        data=_jsonable(data or {}),
        ip=ctx.ip,
        via=ctx.via,
        request_id=ctx.request_id,
    )


def diff(obj: models.Model, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields of `obj` that `new_values` would change, as {field: [old, new]}."""
    return {
        field: [getattr(obj, field), value]
        for field, value in new_values.items()
        if getattr(obj, field) != value
    }
