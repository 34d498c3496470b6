"""Request facts (client IP, request id) that audit entries carry, set once per request."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    request_id: str = ""
    via: str = ""  # "web", "api", "cli", "task"


_NO_REQUEST = RequestContext(via="cli")
current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "guanhuai_request", default=_NO_REQUEST
)
