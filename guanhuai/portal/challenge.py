"""A small question before a public form is accepted (the online objection): "3 加 4 等于多少？".

It needs no outside service (no captcha provider: the portal must work on a county's own server, and a
visitor's browser may not reach foreign hosts) and no JavaScript (the CSP forbids inline script, and a
phone on a slow line should not wait for one). It does not stop a determined person; the rate limit
(`accounts.ratelimit`, group "objection") does that. It stops the blind form-filler.

The question's token is signed and timed (`django.core.signing`), and holds only a keyed hash of the
answer, so reading the page's HTML does not give the answer away. Each token is good for one accepted
answer (its nonce is remembered in the cache for its lifetime) and for `MAX_AGE` seconds.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

SALT = "guanhuai.portal.challenge"
MAX_AGE = 30 * 60


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _digest(answer: int, nonce: str) -> str:
    return salted_hmac(SALT, f"{answer}:{nonce}").hexdigest()[:20]


def issue() -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(8)
    token = signing.dumps({"n": nonce, "h": _digest(a + b, nonce)}, salt=SALT, compress=False)
    return Challenge(question=_("请计算：%(a)d 加 %(b)d 等于多少？") % {"a": a, "b": b}, token=token)


def passed(token: str, answer: str) -> bool:
    """Whether `answer` answers the question of `token`, in time, and for the first time."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
        given = int((answer or "").strip())
    except (signing.BadSignature, ValueError, TypeError):
        return False
    if not isinstance(data, dict) or not constant_time_compare(
        _digest(given, str(data.get("n"))), str(data.get("h"))
    ):
        return False
    return bool(cache.add(f"portal:challenge:{data.get('n')}", 1, timeout=MAX_AGE))
