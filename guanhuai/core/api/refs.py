"""Who is calling, and records named in a request body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest

from guanhuai.core.errors import NotFound, ValidationError

T = TypeVar("T")


def actor(request: HttpRequest) -> Any:
    """The authenticated user: the token's owner or the session's user (ninja puts it on `request.auth`)."""
    return request.auth  # type: ignore[attr-defined]


def ref(lookup: Callable[[], T], *, code: str, message: str) -> T:
    """A record named in the *body*: run the scoped lookup, and turn its 404 into a 422 about that input.
    In the URL the same record is a 404; in the body the request itself is wrong, so the client gets a
    422 with `code` (e.g. `unknown_fund`) and a message that never says whether the record exists."""
    try:
        return lookup()
    except NotFound:
        raise ValidationError(message, code=code) from None
