"""Money in templates, one format everywhere (core.money.yuan): `{{ amount|yuan }}` → ¥3,280.00 and
`{{ spent|yuan_out }}` → −¥3,280.00 (¥0.00 when nothing left). A builtin (settings.TEMPLATES), so every
template has it without `{% load %}`; writing `¥{{ amount }}` by hand is what the test of templates refuses."""

from __future__ import annotations

from decimal import Decimal

from django import template

from guanhuai.core.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(amount: Decimal | int | str | None) -> str:
    return _yuan(amount)


@register.filter
def yuan_out(amount: Decimal | int | str | None) -> str:
    return _yuan(amount, outflow=True)
