"""Money, dates and ids as the API reads and writes them.

Out: `Money` is a string with exactly two decimals ("1234.50"), never a float and never "-0.00".
In: `AmountIn` is strict. It accepts 123, 123.4 and 123.45, as a JSON string or number, and refuses with a
422 naming the rule: full-width digits, `1_000`, `1e2`, surrounding spaces, `100.`, `.5`, more than two
decimals, zero or less, and anything over `settings.GUANHUAI_MAX_AMOUNT` (default
`core.money.MAX_AMOUNT`). Pages and Excel imports keep the forgiving `core.money.parse_amount` (¥, commas);
a program sending JSON has no excuse for them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from guanhuai.core.money import CENT, MAX_AMOUNT

MONEY_PATTERN = r"^-?\d+\.\d{2}$"
AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?", re.ASCII)
_NUMBERISH = re.compile(r"[0-9]*\.?[0-9]*", re.ASCII)

# Dates a money record may carry: the association's ledgers start well after 2000; a typo such as
# 1900-01-01 or 20260-01-01 would otherwise change an opening balance or a period far away.
MIN_DAY = dt.date(2000, 1, 1)
MAX_DAY = dt.date(2099, 12, 31)
MAX_ID = 2**63 - 1


def money_text(value: Decimal | int | str) -> str:
    # `+ 0` turns "-0.00" (a negated empty sum) into "0.00".
    return f"{Decimal(value).quantize(CENT) + Decimal('0.00'):f}"


Money = Annotated[
    Decimal,
    PlainSerializer(money_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["1234.50"]}),
]


def max_amount() -> Decimal:
    return Decimal(str(getattr(settings, "GUANHUAI_MAX_AMOUNT", MAX_AMOUNT)))


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PydanticCustomError("amount_type", _('金额须为字符串或数字，如 "1234.50"'))
    if isinstance(value, float):
        value = repr(value)  # 12.5 → "12.5"; 1e+30 → refused below as an exponent
    text = str(value)
    if text != text.strip():
        raise PydanticCustomError("amount_spaces", _("金额前后不能有空格"))
    if not _AMOUNT.fullmatch(text):
        if "e" in text.lower():
            raise PydanticCustomError("amount_exponent", _("金额不能用科学计数法（如 1e2），请写成 100"))
        if text.startswith("-"):
            raise PydanticCustomError("amount_not_positive", _("金额必须大于零"))
        if _NUMBERISH.fullmatch(text) and text.endswith("."):
            raise PydanticCustomError(
                "amount_format", _("金额不能以小数点结尾（如 100.），请写成 100 或 100.00")
            )
        if _NUMBERISH.fullmatch(text) and text.startswith("."):
            raise PydanticCustomError("amount_format", _("金额须以数字开头（如 .5 应写成 0.5）"))
        if re.fullmatch(r"[0-9]+\.[0-9]{3,}", text, re.ASCII):
            raise PydanticCustomError("amount_precision", _("金额最多两位小数（精确到分）"))
        raise PydanticCustomError(
            "amount_format",
            _("金额只能由半角数字和最多一个小数点组成，如 1234.50（不能有全角数字、下划线、逗号或货币符号）"),
        )
    amount = Decimal(text)
    if amount <= 0:
        raise PydanticCustomError("amount_not_positive", _("金额必须大于零"))
    limit = max_amount()
    if amount > limit:
        raise PydanticCustomError("amount_too_large", _("金额不能超过 {limit}"), {"limit": money_text(limit)})
    return amount.quantize(CENT)


AmountIn = Annotated[
    Decimal,
    BeforeValidator(_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": AMOUNT_PATTERN, "examples": ["1234.50"]},
                {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.01},
            ],
            "description": '金额（元），大于零，最多两位小数；建议用字符串，如 "1234.50"',
        }
    ),
]


def _day(value: dt.date) -> dt.date:
    if not MIN_DAY <= value <= MAX_DAY:
        raise PydanticCustomError(
            "date_range",
            _("日期须在 {start} 至 {end} 之间"),
            {"start": MIN_DAY.isoformat(), "end": MAX_DAY.isoformat()},
        )
    return value


DayIn = Annotated[dt.date, AfterValidator(_day)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
