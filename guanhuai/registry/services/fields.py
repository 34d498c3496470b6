"""The one place a Person's stored columns are derived from what was typed: the name with its pinyin
search keys, the resident ID with its mask, blind index, legacy original, sex and birth date, and the phone
with its mask. Registering by hand (`household_create`, `person_add`), editing (`person_update`,
`correction_record`), the Excel import (per chunk of rows) and the demo generator all build a Person's
columns here, so a search key or a mask can never be derived two ways.

Each helper returns a dict of Person attnames, to be passed to `Person(...)`, set on an instance (its keys
are the `update_fields`), or merged into a plain record for a multi-row insert. They work per row; the
pinyin of a name is cached, since a 100k-row import or a million-person demo repeats names a lot.
Encryption is not done here: an `EncryptedTextField` encrypts on save, and bulk writers encrypt a chunk at
once (`core.crypto.encrypt`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from guanhuai.core.crypto import blind_index
from guanhuai.core.errors import ValidationError
from guanhuai.core.masking import mask_id, mask_phone
from guanhuai.core.text import name_pinyin
from guanhuai.core.validators import ResidentId

ID_PURPOSE = "resident_id"


def id_lookup_key(number: str) -> str:
    """The blind index of a normalised (18-character) resident ID."""
    return blind_index(number, purpose=ID_PURPOSE)


@lru_cache(maxsize=100_000)
def _pinyin(name: str) -> tuple[str, str]:
    return name_pinyin(name)


def phone_normalise(value: str) -> str:
    """A phone as stored: spaces and dashes dropped, 7 to 12 digits, or empty."""
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value and not (value.isdigit() and 7 <= len(value) <= 12):
        raise ValidationError(_("电话号码应为7至12位数字。"), code="phone_format")
    return value


def name_fields(name: str) -> dict[str, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("姓名不能为空。"), code="name_required")
    full, initials = _pinyin(name)
    return {"name": name, "name_pinyin": full, "name_initials": initials}


def id_fields(rid: ResidentId) -> dict[str, Any]:
    return {
        "id_number": rid.number,
        "id_masked": mask_id(rid.number),
        "id_index": id_lookup_key(rid.number),
        "id_legacy": rid.legacy or "",
        "sex": rid.sex,
        "birth_date": rid.birth_date,
    }


def phone_fields(phone: str) -> dict[str, str]:
    phone = phone_normalise(phone)
    return {"phone": phone, "phone_masked": mask_phone(phone)}


def person_fields(*, name: str, rid: ResidentId, phone: str = "") -> dict[str, Any]:
    """Every derived column of a new person."""
    return name_fields(name) | id_fields(rid) | phone_fields(phone)
