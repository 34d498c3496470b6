"""Encryption at rest for sensitive fields, and blind indexes for exact lookup.

Both keys are derived from settings.FIELD_KEY (env GUANHUAI_FIELD_KEY) with HKDF under different labels,
so the encryption key and the index key are independent. Fernet gives authenticated encryption with a
random IV: the same ID number encrypts differently every time, which is why lookup and de-duplication go
through the keyed hash (HMAC-SHA256) instead."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


def _derive(label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"guanhuai-field-key-v1", info=label).derive(
        settings.FIELD_KEY.encode()
    )


@lru_cache(maxsize=4)
def _fernet(field_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"encrypt")))


@lru_cache(maxsize=4)
def _index_key(field_key: str) -> bytes:
    return _derive(b"blind-index")


def encrypt(plain: str) -> str:
    return _fernet(settings.FIELD_KEY).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong GUANHUAI_FIELD_KEY or corrupted value") from exc


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash of a normalised value. `purpose` separates indexes (an ID number and a phone number
    with the same digits must not collide)."""
    msg = f"{purpose}:{value}".encode()
    return hmac.new(_index_key(settings.FIELD_KEY), msg, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees the plain string. Not searchable: pair it with a
    blind-index column for lookups."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        return None if value is None or value == "" else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(str(value))
