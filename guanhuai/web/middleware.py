from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class StaffLanguageMiddleware:
    """The staff UI is Simplified Chinese unless the user picks English with the language switch.

    Many office PCs run an English-language browser; a township clerk must not find the UI in English
    because of that. So, outside the API, the browser's Accept-Language is ignored and only the language
    cookie set by the switch counts. API clients still choose with Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
