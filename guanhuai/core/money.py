"""Money is Decimal with two places, never float. Every amount typed by a person or read from a file
comes through `parse_amount`, so "12.345", "-5", "0" and 1e3 get the same precise refusal everywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from guanhuai.core.errors import ValidationError

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")


def parse_amount(value: Any, *, allow_zero: bool = False, field: str = "") -> Decimal:
    label = field or _("金额")
    if isinstance(value, float):
        # A float has already lost precision; accept it only if it is exactly a 2-decimal amount.
        value = repr(value)
    text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    for symbol in ("¥", "￥", "元"):
        text = text.replace(symbol, "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            _("%(f)s“%(v)s”不是有效的数字。") % {"f": label, "v": value}, code="amount_format"
        )
    if not amount.is_finite():
        raise ValidationError(
            _("%(f)s“%(v)s”不是有效的数字。") % {"f": label, "v": value}, code="amount_format"
        )
    if amount != amount.quantize(CENT):
        raise ValidationError(
            _("%(f)s %(v)s 超过两位小数：金额精确到分。") % {"f": label, "v": text}, code="amount_precision"
        )
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(_("%(f)s必须大于零。") % {"f": label}, code="amount_not_positive")
    if amount > MAX_AMOUNT:
        raise ValidationError(_("%(f)s过大。") % {"f": label}, code="amount_too_large")
    return amount.quantize(CENT)


def yuan(amount: Decimal | int | None) -> str:
    """¥1,234.50 for display."""
    value = Decimal(amount or 0).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"¥{value:,.2f}"
