"""Rate limits: the one place that says which requests are limited, how much, and what a refused one gets.

Signing in, looking an ID number up, unmasking, exporting and creating API tokens are what an attacker
repeats: guessing passwords, walking ID numbers, draining full values or files. Each of these is counted
twice, per user and per client address, in fixed windows, by django-ratelimit on the cache (`CACHES`,
shared between web workers: Redis through `CACHE_URL` in production). Over either limit the request gets
429 with `Retry-After` (seconds until the window ends): JSON `{"code": "rate_limited", ...}` under /api/,
a short page elsewhere. The view never runs, so a refused request writes nothing and audits nothing.

Requests are matched by URL name or route (`RULES`), not by decorators in each app, so the policy is read
in one table. The rates are settings (`GUANHUAI_RATE_LIMITS`), so a deployment can loosen or tighten one
group; `GUANHUAI_RATE_LIMITS_ENABLED=0` turns all of them off.

Who "the user" is: the signed-in user; for an API request, the user of a valid bearer token (looked up
here, because token authentication happens later, inside the API); for a sign-in, the username typed,
so guessing one account's password from many addresses is still limited. The address is REMOTE_ADDR,
or the header named by `RATELIMIT_IP_META_KEY` behind a trusted reverse proxy; IPv6 is counted per /64."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from guanhuai.accounts.services import token_lookup


@dataclass(frozen=True)
class Rule:
    group: str
    methods: frozenset[str]


ANY = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
POST = frozenset({"POST"})

# URL name (namespace:name) or route → what it is counted as. API routes are matched by their route,
# which stays the same when an operation is renamed.
RULES: dict[str, Rule] = {
    "accounts:login": Rule("login", POST),
    "registry:check_id": Rule("id_lookup", ANY),
    "registry:person_unmask": Rule("unmask", POST),
    "api/v1/persons/<int:person_id>/unmask": Rule("unmask", POST),
    "registry_io:export": Rule("export", POST),
    "registry:person_access_export": Rule("export", ANY),
    "programmes:batch_export": Rule("export", POST),
    "api/v1/batches/<int:batch_id>/export": Rule("export", POST),
    "programmes:programme_missed_export": Rule("export", POST),
    "funds_io:donor_statement_xlsx": Rule("export", ANY),
    "accounts:tokens": Rule("token_create", POST),
    "api/v1/tokens": Rule("token_create", POST),
    # association training: the public certificate check and the attendee's sign-in (no login), walked
    # like an ID lookup (verification codes, personal codes)
    "association:certificate_verify": Rule("certificate_check", ANY),
    "api/v1/association/courses/certificates/verify": Rule("certificate_check", ANY),
    "association:sign_in": Rule("sign_in", POST),
    "association:sign_in_qr": Rule("sign_in", POST),
    "api/v1/association/courses/sign-in": Rule("sign_in", POST),
    # the public portal's online objection (no login): a flood from one visitor is refused
    "portal:notice": Rule("objection", POST),
    "portal:hant_notice": Rule("objection", POST),
}

# Per group: (per user, per address). An office behind one NAT address shares the second figure.
DEFAULT_RATES: dict[str, tuple[str, str]] = {
    # 120 a minute per address: a county office of fifty behind one NAT signs in at nine together; the
    # per-username limit and the lockout (axes) are what protect an account.
    "login": ("10/m", "120/m"),
    "id_lookup": ("30/m", "60/m"),
    "unmask": ("30/h", "60/h"),
    "export": ("20/h", "60/h"),
    "token_create": ("10/h", "30/h"),
    "certificate_check": ("30/m", "30/m"),
    # a class of 60 signs in within minutes, often behind the venue's one Wi-Fi address
    "sign_in": ("20/m", "200/m"),
    # a visitor objects to a row or two of a notice; a village office may file several for its people
    "objection": ("10/h", "10/h"),
}


def rates(group: str) -> tuple[str, str]:
    configured = getattr(settings, "GUANHUAI_RATE_LIMITS", {}) or {}
    return tuple(configured.get(group, DEFAULT_RATES[group]))  # type: ignore[return-value]


def _user_key(group: str, request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    if group == "login":
        return "n" + (request.POST.get("username") or "").strip().lower()
    kind, _sep, plain = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() == "bearer":
        token = token_lookup(plain.strip())
        if token is not None:
            return f"u{token.user_id}"
    return ""  # nobody to count: the address limit still applies


def _usage(request: HttpRequest, group: str, key: str | Callable[..., str], rate: str) -> dict[str, Any]:
    return get_usage(request, group=f"guanhuai.{group}", key=key, rate=rate, method=ALL, increment=True) or {}


def check(request: HttpRequest, group: str) -> int | None:
    """Count this request in its group; the seconds to wait if it is over a limit, else None."""
    user_rate, ip_rate = rates(group)
    waits = []
    try:
        usages = [_usage(request, group, "ip", ip_rate)]
    except (KeyError, ImproperlyConfigured):
        # No client address in the request (a WSGI client that sets none, or a missing proxy header): such
        # requests are counted together rather than answered with a 500.
        usages = [_usage(request, group, lambda _group, _request: "unknown", ip_rate)]
    who = _user_key(group, request)
    if who:
        usages.append(_usage(request, group + ".user", lambda _group, _request: who, user_rate))
    for usage in usages:
        if usage.get("should_limit"):
            # The window's last second still counts in it: the next one is free.
            waits.append(max(1, math.ceil(usage.get("time_left", 0)) + 1))
    return max(waits) if waits else None


def refused(request: HttpRequest, wait: int) -> HttpResponse:
    message = _("操作过于频繁，请在 %(n)d 秒后再试。") % {"n": wait}
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "rate_limited", "message": message}, status=429)
    else:
        response = render(
            request, "accounts/rate_limited.html", {"message": message, "wait": wait}, status=429
        )
    response["Retry-After"] = str(wait)
    return response


class RateLimitMiddleware:
    """Runs the table above before the view (after authentication and sessions)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(settings, "GUANHUAI_RATE_LIMITS_ENABLED", True):
            return None
        match = request.resolver_match
        if match is None:
            return None
        rule = RULES.get(match.view_name) or RULES.get(match.route)
        if rule is None or request.method not in rule.methods:
            return None
        wait = check(request, rule.group)
        return refused(request, wait) if wait is not None else None
