from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
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


# When the session's expiry was last pushed forward (Unix seconds), kept in the session itself.
SESSION_REFRESHED_KEY = "_gh_refreshed"


class SlidingSessionMiddleware:
    """A sliding session expiry without a database write on every page view.

    Django's SESSION_SAVE_EVERY_REQUEST writes the session on every request. On SQLite that puts every
    reader in the single writer's queue (issue 16). Instead, the session is saved (and its expiry moved a
    full SESSION_COOKIE_AGE forward) only when the last refresh is SESSION_REFRESH_SECONDS old. The
    price: a session ends between SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE
    after the last click, not exactly SESSION_COOKIE_AGE after it. Sessions of anonymous visitors that
    hold nothing are never created. Placed after SessionMiddleware, so that the save happens there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        last = int(session.get(SESSION_REFRESHED_KEY, 0))
        if session.is_empty():  # the cookie named a session that expired or never existed: keep it so
            return response
        now = int(time.time())
        if session.modified or now - last >= settings.SESSION_REFRESH_SECONDS:
            session[SESSION_REFRESHED_KEY] = now
        return response
