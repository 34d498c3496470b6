from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from guanhuai.audit.context import RequestContext, current


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR only: X-Forwarded-For is trivially forged unless a trusted proxy rewrites it.
        via = "api" if request.path.startswith("/api/") else "web"
        token = current.set(
            RequestContext(ip=request.META.get("REMOTE_ADDR"), request_id=uuid.uuid4().hex, via=via)
        )
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
