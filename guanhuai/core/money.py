"""Money is Decimal with two places, never float. Every amount typed by a person or read from a file
comes through `parse_amount`, so "12.345", "-5", "0" and 1e3 get the same precise refusal everywhere."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import DecimalField, Sum
from django.db.models.functions import Round
from django.utils.translation import gettext as _

from guanhuai.core.errors import ValidationError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
MAX_AMOUNT = Decimal("999999999999.99")


def parse_amount(value: Any, *, allow_zero: bool = False, field: str = "") -> Decimal:
    label = field or _("金额")
    if isinstance(value, float):
        # A float has already lost precision; accept it only if it is exactly a 2-decimal amount.
        value = repr(value)
    text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    for symbol in ("¥", "￥", "元"):
        text = text.replace(symbol, "")
    # Plain decimal notation only: Decimal() would also take "1e30", "1_000" and "NaN".
    if not PLAIN_NUMBER.fullmatch(text):
        raise ValidationError(
            _("%(f)s“%(v)s”不是有效的数字。") % {"f": label, "v": value}, code="amount_format"
        )
    amount = Decimal(text)
    if amount > MAX_AMOUNT:  # before quantize, which cannot represent a huge value in cents
        raise ValidationError(_("%(f)s过大。") % {"f": label}, code="amount_too_large")
    if amount != amount.quantize(CENT):
        raise ValidationError(
            _("%(f)s %(v)s 超过两位小数：金额精确到分。") % {"f": label, "v": text}, code="amount_precision"
        )
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(_("%(f)s必须大于零。") % {"f": label}, code="amount_not_positive")
    return amount.quantize(CENT)


def money_sum(expression: str, **kwargs: Any) -> Round:
    """SUM of money, rounded to cents in SQL. SQLite adds DECIMAL columns as binary floats, so an
    allocation paid out in full can otherwise sum to 2.8e-14 (or -2.8e-14, which would read as an
    overdraw). Every aggregate over amounts goes through this."""
    return Round(Sum(expression, **kwargs), 2, output_field=DecimalField(max_digits=18, decimal_places=2))


def to_money(value: Any) -> Decimal:
    """A sum read back from the database (None, a float on SQLite, a Decimal) as cents; never -0.00."""
    return Decimal(str(value or 0)).quantize(CENT) + ZERO


MINUS = "\u2212"  # −, the minus sign: a hyphen is too short to see beside ¥ on a phone


def yuan(amount: Decimal | int | str | None, *, outflow: bool = False, symbol: bool = True) -> str:
    """The one display format of money, on every page, PDF, message and spreadsheet label: ¥3,280.00,
    with thousands separators and two places; a negative amount −¥3,280.00. `outflow` shows an amount that
    leaves (a statement's spending) with the minus sign. Zero is ¥0.00 either way, never −¥0.00, and a
    missing amount is ¥0.00. `symbol=False` gives the figure alone (3,280.00) for a table column whose
    heading names the unit (金额（元）): ¥ and 元 are never written together."""
    value = Decimal(str(amount) if amount not in (None, "") else 0).quantize(CENT, rounding=ROUND_HALF_UP)
    if outflow:
        value = -value
    sign = MINUS if value < 0 else ""
    return f"{sign}{'¥' if symbol else ''}{abs(value):,.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_SECTIONS = ("", "万", "亿", "万亿")


def amount_in_words(amount: Decimal | int | str) -> str:
    """The amount in Chinese capital numerals, as written on receipts and cheques (大写金额):
    12345.67 → 壹万贰仟叁佰肆拾伍元陆角柒分.

    Following the 支付结算办法 conventions: 整 after 元 when there are no 角/分, none after 角 or 分;
    one 零 for any run of zeros between non-zero digits (壹仟零伍元整, 壹拾万零壹佰元整); 元零 before 分 when
    角 is zero (壹仟元零伍分); 壹拾 rather than a bare 拾; amounts under one yuan start at 角 or 分 (柒分)."""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("amount_in_words takes a non-negative amount")
    cents = int(value * 100)
    yuan_part, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    if yuan_part >= 10**16:
        raise ValueError("amount too large for Chinese capital numerals")
    words = ""
    if yuan_part:
        digits = str(yuan_part)
        zero_pending = False
        section_has_digit = False
        for i, ch in enumerate(digits):
            pos = len(digits) - 1 - i
            d = int(ch)
            if d == 0:
                zero_pending = True
            else:
                if zero_pending and words:
                    words += "零"
                zero_pending = False
                words += _DIGITS[d] + _UNITS[pos % 4]
                section_has_digit = True
            if pos % 4 == 0:
                if section_has_digit:
                    words += _SECTIONS[pos // 4]
                section_has_digit = False
        words += "元"
    if jiao == 0 and fen == 0:
        return words + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif yuan_part:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    return words
