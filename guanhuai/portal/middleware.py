"""The public portal's fast path: a cached public page is answered before the rest of the middleware stack.

A reader of the public site has no session, no login and no form; for a page already in the page cache the
session, authentication, CSRF, locale, message, scope, audit and rate-limit middleware only cost time. So
this middleware, placed right after `SecurityMiddleware` and WhiteNoise (HTTPS redirect, HSTS, nosniff and
static files still apply), answers an anonymous GET or HEAD under `/gk/` from the page cache when the page is
there and current (`public.serve_cached`: the site's generation has not moved since it was rendered), with
the same headers and the same read counting as the full stack. Everything else (a miss, a POST, a request
carrying a staff session cookie) goes on down the stack unchanged, where `public_page` renders and caches it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from guanhuai.portal import public

PUBLIC_PREFIX = "/gk/"


class PublicCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            request.method in ("GET", "HEAD")
            and request.path_info.startswith(PUBLIC_PREFIX)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            response = public.serve_cached(request)
            if response is not None:
                return response
        return self.get_response(request)
