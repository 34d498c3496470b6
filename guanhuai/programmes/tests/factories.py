"""Small builders for programme tests. They write rows directly (tests of one sub-domain should not
depend on another's services); tests of a service call the service itself."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from guanhuai.programmes.models import AmountRule, Enrolment, Programme, RuleVersion
from guanhuai.programmes.periods import month_index

_seq = itertools.count(1)


def make_programme(
    *,
    org_unit: Any,
    created_by: Any,
    rule: dict | None = None,
    amount: str = "590.00",
    valid_from: str = "2022-07-01",
    **fields: Any,
) -> Programme:
    """A programme with one rule version and one amount rule (for everyone, from `valid_from`)."""
    n = next(_seq)
    fields.setdefault("code", f"p{n}")
    fields.setdefault("name", f"测试项目{n}")
    fields.setdefault("legal_basis", "测试依据")
    programme = Programme.objects.create(org_unit=org_unit, created_by=created_by, **fields)
    RuleVersion.objects.create(
        programme=programme, version=1, rule=rule or {"all": []}, created_by=created_by
    )
    AmountRule.objects.create(
        programme=programme,
        label="标准",
        amount=Decimal(amount),
        valid_from=dt.date.fromisoformat(valid_from),
    )
    return programme


def enrol(
    programme: Programme, person: Any, *, start: str = "2026-01-01", end: str | None = None, **kw: Any
) -> Enrolment:
    """An active enrolment from the month of `start` (to the month of `end`, if given)."""
    return Enrolment.objects.create(
        programme=programme,
        person=person,
        org_unit=person.org_unit,
        start_month=month_index(dt.date.fromisoformat(start)),
        end_month=month_index(dt.date.fromisoformat(end)) if end else None,
        **kw,
    )
