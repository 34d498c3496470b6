"""One idempotency contract for every create that may be replayed (money above all).

- The key comes from the `Idempotency-Key` header or the body's `idempotency_key`; if both are sent they
  must be equal (else 422 `idempotency_key_conflict`). At most 64 characters, in the schema too.
- It is namespaced by what it creates and by the user, so one key used for a donation and a transfer, or by
  two users, names two requests.
- The create service returns `(obj, created)`; the first request answers 201, a replay answers 200 with the
  first result and writes nothing. Because the service decides under its own lock or unique constraint,
  eight concurrent requests with one key give exactly one 201.
- A replay whose body differs from the first request (another amount, fund, direction …) is 409
  `idempotency_mismatch`: `check_replay` compares the fields that define the request."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header
from ninja.responses import Status

from guanhuai.core.errors import Conflict, ValidationError

MAX_KEY = 64

IdempotencyKeyIn = Annotated[
    str | None,
    Field(
        None, min_length=1, max_length=MAX_KEY, description="幂等键：同一个键重复提交只记一次（最多64个字符）"
    ),
]

# The same key sent as the `Idempotency-Key` header: `header_key: IdempotencyKeyHeader = None`.
IdempotencyKeyHeader = Annotated[str | None, Header(None, alias="Idempotency-Key", max_length=MAX_KEY)]


def idempotency_key(request: HttpRequest, kind: str, header: str | None, body: str | None) -> str | None:
    """The namespaced key, or None when the client sent none."""
    header, body = (header or "").strip() or None, (body or "").strip() or None
    if header and body and header != body:
        raise ValidationError(
            _("请求头 Idempotency-Key 与请求体中的 idempotency_key 不一致。"), code="idempotency_key_conflict"
        )
    key = header or body
    if not key:
        return None
    if len(key) > MAX_KEY:
        raise ValidationError(_("Idempotency-Key 不能超过64个字符。"), code="idempotency_key")
    return f"api:{kind}:{request.auth.pk}:{key}"  # type: ignore[attr-defined]


def check_replay(stored: dict[str, Any], sent: dict[str, Any], *, pk: int) -> None:
    """Refuse a replay whose defining fields differ from the first request's."""
    if any(stored[name] != sent[name] for name in sent):
        raise Conflict(
            _("该幂等键已用于另一笔不同的请求（编号 %(id)s），请换一个键。") % {"id": pk},
            code="idempotency_mismatch",
        )


def created_or_replayed(created: bool, body: Any, *, status: int = 201) -> Status:
    """201 (or 202 for a create that continues as a job) the first time; 200 for a replay."""
    return Status(status if created else 200, body)
