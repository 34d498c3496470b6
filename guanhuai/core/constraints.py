"""Database constraints that several models declare the same way."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


def ends_after(start: str, end: str, *, name: str) -> models.CheckConstraint:
    """A dated record's end, when it has one, is not before its start: `CHECK (end IS NULL OR end >= start)`."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": models.F(start)}), name=name
    )
