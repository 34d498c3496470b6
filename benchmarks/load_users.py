"""The scripted staff users of `guanhuai bench load`: a locustfile, run by `locust --headless` in its own
process (locust patches the standard library with gevent, which must not happen inside Django).

Each user logs in through the form, with the CSRF token from the login page, as the demo account of one
role, then browses that role's own pages with 1–4 s between clicks, as a person would: a list page, now
and then a record found on it. Every request is written as one JSON line to the file named by
`GUANHUAI_LOAD_SAMPLES`: [start time (epoch s), page kind, milliseconds, failure kind or null]. The bench
reads those lines afterwards, so the figures it prints are computed from the raw samples and not from
locust's own rounded percentiles.

A request fails when it errs, answers with a status of 400 or more, or lands on a page it should not (a
login that shows the login form again; a page that sends the user back to the login page).
"""

from __future__ import annotations

import json
import os
import random
import re
from typing import Any

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("GUANHUAI_LOAD_PASSWORD", "guanhuai-demo")
SAMPLES = os.environ.get("GUANHUAI_LOAD_SAMPLES", "")

# Every page a user may browse: kind → (path, detail link pattern, detail kind). A detail pattern picks a
# record from the list page just shown, to follow now and then.
PAGES: dict[str, tuple[str, str, str]] = {
    "home": ("/", "", ""),
    "persons": ("/registry/persons/", r'href="(/registry/persons/\d+/)"', "person"),
    "households": ("/registry/households/", r'href="(/registry/households/\d+/)"', "household"),
    "applications": ("/programmes/applications/", r'href="(/programmes/applications/\d+/)"', "application"),
    "notices": ("/programmes/applications/notices/", "", ""),
    "enrolments": ("/programmes/enrolments/", "", ""),
    "cycles": ("/programmes/cycles/", r'href="(/programmes/cycles/\d+/)"', "cycle"),
    "funds": ("/funds/", r'href="(/funds/\d+/)"', "fund"),
    "receipts": ("/funds/receipts/", "", ""),
    "donors": ("/funds/donors/", "", ""),
    "orgs": ("/orgs/", r'href="(/orgs/\d+/)"', "unit"),
    "users": ("/accounts/users/", "", ""),
    "audit": ("/audit/", "", ""),
    "jobs": ("/jobs/", "", ""),
}

# role → (demo username, {page kind: weight}): how often the role opens each of its pages.
ROLES: dict[str, tuple[str, dict[str, int]]] = {
    "village_clerk": (
        "cun_zhuanguan",
        {"home": 3, "persons": 4, "households": 3, "applications": 2, "jobs": 1},
    ),
    "township_reviewer": (
        "zhen_shenhe",
        {"home": 3, "applications": 4, "notices": 2, "persons": 3, "households": 2},
    ),
    "county_approver": (
        "xian_shenpi",
        {"home": 3, "applications": 4, "enrolments": 2, "cycles": 2, "persons": 2, "orgs": 1},
    ),
    "finance_officer": ("caiwu", {"home": 3, "cycles": 3, "funds": 3, "receipts": 2, "donors": 1}),
    "province_admin": (
        "sheng_admin",
        {"home": 3, "orgs": 2, "users": 2, "audit": 2, "jobs": 1, "persons": 2, "funds": 1},
    ),
}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
LOGIN_PATH = "/accounts/login/"

_out: Any = None


@events.request.add_listener
def _record(
    request_type: str, name: str, response_time: float, exception: Any, start_time: float = 0.0, **kw: Any
) -> None:
    global _out
    if not SAMPLES:
        return
    if _out is None:
        _out = open(SAMPLES, "a", encoding="utf-8")  # closed at quit, below
    _out.write(json.dumps([start_time, name, round(response_time, 2), _failure_kind(exception)]) + "\n")


@events.quitting.add_listener
def _close(**kw: Any) -> None:
    if _out is not None:
        _out.close()


def _failure_kind(exception: Any) -> str | None:
    if exception is None:
        return None
    text = str(exception)
    status = re.search(r"\b([45]\d\d)\b", text)
    if status:
        return f"HTTP {status.group(1)}"
    return text.split(":")[0][:80] or type(exception).__name__


class Staff(HttpUser):
    """One member of staff; the role is dealt round-robin so that every role is present from 5 users."""

    abstract = True
    wait_time = between(1, 4)
    role = ""

    def on_start(self) -> None:
        self.username, weights = ROLES[self.role]
        self.kinds, self.weights = list(weights), list(weights.values())
        self.login()

    def login(self) -> None:
        with self.client.get(LOGIN_PATH, name="login page", catch_response=True) as response:
            token = CSRF.search(response.text or "")
            if response.status_code != 200 or token is None:
                response.failure(f"login page without a CSRF token ({response.status_code})")
                return
            assets = sorted(set(STATIC.findall(response.text)))
        for path in assets:  # a browser fetches them once, then keeps them in its cache
            self.client.get(path, name="static")
        with self.client.post(
            LOGIN_PATH,
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": self.host + LOGIN_PATH},
            name="login POST",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302 or LOGIN_PATH in response.headers.get("Location", ""):
                response.failure(f"login refused ({response.status_code})")
                return
        self.page("home", "/")

    def page(self, kind: str, path: str) -> str:
        with self.client.get(path, name=kind, catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")
                return ""
            if LOGIN_PATH in response.url:
                response.failure("sent back to the login page")
                return ""
            return response.text or ""

    @task
    def browse(self) -> None:
        kind = random.choices(self.kinds, weights=self.weights)[0]
        path, pattern, detail = PAGES[kind]
        html = self.page(kind, path)
        if pattern and html and random.random() < 0.4:
            found = re.findall(pattern, html)
            if found:
                self.page(detail, random.choice(found))


def _role_class(role: str) -> type[Staff]:
    return type(
        role, (Staff,), {"role": role, "abstract": False, "weight": 2 if role == "village_clerk" else 1}
    )


VillageClerk = _role_class("village_clerk")
TownshipReviewer = _role_class("township_reviewer")
CountyApprover = _role_class("county_approver")
FinanceOfficer = _role_class("finance_officer")
ProvinceAdmin = _role_class("province_admin")
