"""Identifier checks from DOMAIN.md: resident ID (GB 11643-1999), unified social credit code
(GB 32100-2015) and division codes (GB/T 2260 + 12-digit statistical codes)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.core.errors import ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class ResidentId:
    number: str  # always 18 characters
    birth_date: dt.date
    sex: str  # "male" | "female"
    legacy: str | None = None  # the 15-digit original, when upgraded


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def parse_resident_id(raw: str) -> ResidentId:
    """Validate and normalise a resident ID. 15-digit legacy numbers are upgraded to 18 digits.

    The area code is deliberately not checked against the division list: codes are those of first
    registration, and real people hold numbers whose area no longer exists."""
    value = (raw or "").strip().upper()
    legacy = None
    if re.fullmatch(r"\d{15}", value):
        legacy = value
        body = value[:6] + "19" + value[6:]
        value = body + id_check_char(body)
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(
            _("身份证号应为18位（最后一位可为X）或15位旧号，当前为%(n)d位。") % {"n": len(value)},
            code="id_number_format",
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不存在。") % {"d": value[6:14]}, code="id_number_date"
        )
    if birth > timezone.localdate() or birth.year < 1880:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不合理。") % {"d": birth.isoformat()}, code="id_number_date"
        )
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("身份证号校验位错误：最后一位应为 %(c)s。") % {"c": id_check_char(value[:17])},
            code="id_number_checksum",
        )
    sex = "male" if int(value[16]) % 2 else "female"
    return ResidentId(number=value, birth_date=birth, sex=sex, legacy=legacy)


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def validate_credit_code(raw: str) -> str:
    value = (raw or "").strip().upper()
    if len(value) != 18 or any(c not in _USCC_ALPHABET for c in value):
        raise ValidationError(
            _("统一社会信用代码应为18位，且只含数字和大写字母（不含I、O、Z、S、V）。"),
            code="credit_code_format",
        )
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True))
    expected = _USCC_ALPHABET[(31 - total % 31) % 31]
    if value[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：最后一位应为 %(c)s。") % {"c": expected},
            code="credit_code_checksum",
        )
    return value


# Division code length by level. National is a pseudo-code; township and village use the 12-digit
# statistical code, whose ranges are not hard-validated (DOMAIN.md).
DIVISION_CODE_LENGTHS = {"national": 6, "province": 6, "city": 6, "county": 6, "township": 12, "village": 12}


def validate_division_code(code: str, level: str) -> str:
    value = (code or "").strip()
    length = DIVISION_CODE_LENGTHS[level]
    if not re.fullmatch(rf"\d{{{length}}}", value):
        raise ValidationError(
            _("区划代码“%(code)s”格式错误：该级别应为%(n)d位数字。") % {"code": value, "n": length},
            code="division_code_format",
        )
    if level == "province" and not value.endswith("0000"):
        raise ValidationError(_("省级区划代码应以0000结尾。"), code="division_code_format")
    if level == "city" and (value.endswith("0000") or not value.endswith("00")):
        raise ValidationError(_("市级区划代码应以00结尾（且不以0000结尾）。"), code="division_code_format")
    if level == "county" and value.endswith("00"):
        raise ValidationError(_("县级区划代码的末两位不能为00。"), code="division_code_format")
    return value
