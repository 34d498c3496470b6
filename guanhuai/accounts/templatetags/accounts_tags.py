from __future__ import annotations

import datetime as dt
import math

from django import template

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """Whole minutes in a timedelta, rounded up (a lockout of 14 min 30 s reads as 15 minutes)."""
    if not value:
        return 0
    return math.ceil(value.total_seconds() / 60)
