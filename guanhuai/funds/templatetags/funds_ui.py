"""Display helpers for the funds pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from guanhuai.core.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(amount: Decimal | int | None) -> str:
    """¥1,234.50"""
    return _yuan(amount)
