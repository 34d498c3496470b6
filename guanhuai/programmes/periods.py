"""Months as integers, so pro-rata and date-limited entitlements are plain integer arithmetic in SQL on
SQLite and PostgreSQL alike: month index = year × 12 + (month − 1). 2026-12 is 24323.

A period label is "2026-12" (monthly), "2026-Q4" (quarterly) or "2026" (yearly)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from guanhuai.core.errors import ValidationError
from guanhuai.programmes.states import Period

_MONTHLY = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTERLY = re.compile(r"^(\d{4})-Q([1-4])$")
_YEARLY = re.compile(r"^(\d{4})$")


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(index: int) -> dt.date:
    return month_start(index + 1) - dt.timedelta(days=1)


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def period_name(label: str) -> str:
    """A period as people say it: 2026-12 → 2026年12月, 2026-Q4 → 2026年第4季度, 2026 → 2026年. A label of
    another shape is shown as it is."""
    text = (label or "").strip()
    if m := _MONTHLY.match(text):
        return _("%(y)d年%(m)d月") % {"y": int(m[1]), "m": int(m[2])}
    if m := _QUARTERLY.match(text):
        return _("%(y)d年第%(q)d季度") % {"y": int(m[1]), "q": int(m[2])}
    if m := _YEARLY.match(text):
        return _("%(y)d年") % {"y": int(m[1])}
    return text


@dataclass(frozen=True)
class PeriodSpan:
    label: str
    first: int  # month index of the first month
    last: int  # month index of the last month, inclusive

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    @property
    def starts_on(self) -> dt.date:
        return month_start(self.first)

    @property
    def ends_on(self) -> dt.date:
        return month_end(self.last)


def parse_period(label: str, kind: str) -> PeriodSpan:
    """Parse a period label for a programme's period kind; a label of the wrong shape is refused with the
    shape it should have."""
    text = (label or "").strip()
    if kind == Period.MONTHLY and (m := _MONTHLY.match(text)) and 1 <= int(m[2]) <= 12:
        first = int(m[1]) * 12 + int(m[2]) - 1
        return PeriodSpan(text, first, first)
    if kind == Period.QUARTERLY and (m := _QUARTERLY.match(text)):
        first = int(m[1]) * 12 + (int(m[2]) - 1) * 3
        return PeriodSpan(text, first, first + 2)
    if kind == Period.YEARLY and (m := _YEARLY.match(text)):
        first = int(m[1]) * 12
        return PeriodSpan(text, first, first + 11)
    examples: dict[str, str] = {"monthly": "2026-12", "quarterly": "2026-Q4", "yearly": "2026"}
    example = examples.get(str(kind), "2026-12")
    raise ValidationError(
        _("发放期“%(label)s”格式不对，应为 %(example)s 这样的格式。") % {"label": text, "example": example},
        code="bad_period",
    )


def period_containing(day: dt.date, kind: str) -> PeriodSpan:
    if kind == Period.QUARTERLY:
        return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}", kind)
    if kind == Period.YEARLY:
        return parse_period(str(day.year), kind)
    return parse_period(f"{day:%Y-%m}", Period.MONTHLY)


def previous_period(span: PeriodSpan, kind: str) -> PeriodSpan:
    return period_containing(month_start(span.first - 1), kind)
