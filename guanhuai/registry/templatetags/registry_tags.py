"""Small display helpers for the registry pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

register = template.Library()


@register.filter
def age(birth: dt.date | None, on: dt.date | None = None) -> int | str:
    """Whole years on `on` (today by default), or at death when given the death date."""
    if not birth:
        return ""
    day = on or timezone.localdate()
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@register.inclusion_tag("registry/_badges.html")
def person_badges(person) -> dict:  # type: ignore[no-untyped-def]
    return {"p": person}


@register.filter
def correction_label(field_name: str) -> str:
    """The field's own label (身份证号, 出生日期…) for a correction event's changes."""
    from guanhuai.registry.models import Person

    try:
        return str(getattr(Person._meta.get_field(field_name), "verbose_name", field_name))
    except FieldDoesNotExist:
        return field_name
