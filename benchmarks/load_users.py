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

# role → (demo username, [(weight, page kind, path, detail kind, detail link pattern)])
# A detail pattern picks a record from the list page just shown, to follow now and then.
PERSON = (r'href="(/registry/persons/\d+/)"', "person")
HOUSEHOLD = (r'href="(/registry/households/\d+/)"', "household")
APPLICATION = (r'href="(/programmes/applications/\d+/)"', "application")
CYCLE = (r'href="(/programmes/cycles/\d+/)"', "cycle")
FUND = (r'href="(/funds/\d+/)"', "fund")
UNIT = (r'href="(/orgs/\d+/)"', "unit")
NONE = ("", "")

ROLES: dict[str, tuple[str, list[tuple[int, str, str, tuple[str, str]]]]] = {
    "village_clerk": (
        "cun_zhuanguan",
        [
            (3, "home", "/", NONE),
            (4, "persons", "/registry/persons/", PERSON),
            (3, "households", "/registry/households/", HOUSEHOLD),
            (2, "applications", "/programmes/applications/", APPLICATION),
            (1, "jobs", "/jobs/", NONE),
        ],
    ),
    "township_reviewer": (
        "zhen_shenhe",
        [
            (3, "home", "/", NONE),
            (4, "applications", "/programmes/applications/", APPLICATION),
            (2, "notices", "/programmes/applications/notices/", NONE),
            (3, "persons", "/registry/persons/", PERSON),
            (2, "households", "/registry/households/", HOUSEHOLD),
        ],
    ),
    "county_approver": (
        "xian_shenpi",
        [
            (3, "home", "/", NONE),
            (4, "applications", "/programmes/applications/", APPLICATION),
            (2, "enrolments", "/programmes/enrolments/", NONE),
            (2, "cycles", "/programmes/cycles/", CYCLE),
            (2, "persons", "/registry/persons/", PERSON),
            (1, "orgs", "/orgs/", UNIT),
        ],
    ),
    "finance_officer": (
        "caiwu",
        [
            (3, "home", "/", NONE),
            (3, "cycles", "/programmes/cycles/", CYCLE),
            (3, "funds", "/funds/", FUND),
            (2, "receipts", "/funds/receipts/", NONE),
            (1, "donors", "/funds/donors/", NONE),
        ],
    ),
    "province_admin": (
        "sheng_admin",
        [
            (3, "home", "/", NONE),
            (2, "orgs", "/orgs/", UNIT),
            (2, "users", "/accounts/users/", NONE),
            (2, "audit", "/audit/", NONE),
            (1, "jobs", "/jobs/", NONE),
            (2, "persons", "/registry/persons/", PERSON),
            (1, "funds", "/funds/", FUND),
        ],
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
        self.username, self.pages = ROLES[self.role]
        self.weights = [w for w, *_rest in self.pages]
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
        _w, kind, path, (pattern, detail) = random.choices(self.pages, weights=self.weights)[0]
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
