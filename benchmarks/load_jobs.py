"""The jobs that `guanhuai bench load` starts while its users browse: an Excel export, an Excel import and
a cycle generation, each through the pages a person would use, as the demo account whose role does it.

Each one is watched as the browser watches it: the progress panel is polled every second with the htmx
header until it stops asking, and the job's final state is then read from `GET /api/v1/jobs/{id}`. Every
request made here is a sample too (kinds starting with "job:"), so a failed poll counts as a failed
request. Plain threads and `requests`: this module runs in the bench's own process, beside Django.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import requests

LOGIN_PATH = "/accounts/login/"
POLL_SECONDS = 1.0
JOB_TIMEOUT_SECONDS = 600
RUNNING = 'hx-trigger="every 1s"'


class JobDriveError(Exception):
    pass


@dataclass
class Outcome:
    kind: str
    started: float = 0.0
    finished: float = 0.0
    succeeded: bool = False
    status: str = "not started"
    detail: str = ""
    job_ids: list[int] = field(default_factory=list)
    polls: int = 0

    @property
    def seconds(self) -> float:
        return max(0.0, self.finished - self.started)


class _Inputs(HTMLParser):
    """The named inputs of a page's forms (hidden ones and the CSRF token), last value wins."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") == "hidden":
            self.values[a["name"] or ""] = a.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(html)
    return parser.values


class Browser:
    """One signed-in person, recording each request as a sample."""

    def __init__(self, base: str, record: Callable[[float, str, float, str | None], None]) -> None:
        self.base = base
        self.record = record
        self.http = requests.Session()

    def request(self, method: str, path: str, kind: str, *, ok: tuple[int, ...] = (200,), **kw: Any) -> Any:
        started = time.time()
        t0 = time.perf_counter()
        failure: str | None = None
        try:
            response = self.http.request(method, self.base + path, timeout=60, allow_redirects=False, **kw)
        except requests.RequestException as exc:
            self.record(started, kind, (time.perf_counter() - t0) * 1000, type(exc).__name__)
            raise JobDriveError(f"{kind}: {type(exc).__name__}")
        if response.status_code not in ok:
            failure = f"HTTP {response.status_code}"
        self.record(started, kind, (time.perf_counter() - t0) * 1000, failure)
        if failure:
            raise JobDriveError(f"{kind}: {failure} ({path})")
        return response

    def login(self, username: str, password: str) -> None:
        page = self.request("GET", LOGIN_PATH, "job: login page")
        token = hidden_inputs(page.text).get("csrfmiddlewaretoken", "")
        response = self.request(
            "POST",
            LOGIN_PATH,
            "job: login POST",
            ok=(302,),
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        if LOGIN_PATH in response.headers.get("Location", ""):
            raise JobDriveError(f"login of {username} refused")

    def post_form(self, page_path: str, action: str, kind: str, data: dict[str, Any], **kw: Any) -> str:
        """GET the page with the form, POST it with its hidden fields (the CSRF token, a request key)
        plus `data`; return where it redirected to."""
        page = self.request("GET", page_path, f"{kind} page")
        fields = {**hidden_inputs(page.text), **data}
        response = self.request("POST", action, f"{kind} POST", ok=(302,), data=fields, **kw)
        return response.headers.get("Location", "")

    def watch(self, progress_path: str, outcome: Outcome, *, refresh_header: bool = False) -> str:
        """Poll a progress panel every second, as htmx does, until it stops asking (job pages) or answers
        HX-Refresh (import batch pages); return the last panel."""
        deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            response = self.request(
                "GET", progress_path, "job: progress poll", headers={"HX-Request": "true"}
            )
            outcome.polls += 1
            done = (
                response.headers.get("HX-Refresh") == "true"
                if refresh_header
                else RUNNING not in response.text
            )
            if done:
                return response.text
        raise JobDriveError(f"still running after {JOB_TIMEOUT_SECONDS} s")

    def job_status(self, job_id: int) -> dict[str, Any]:
        return self.request("GET", f"/api/v1/jobs/{job_id}", "job: API status").json()


def _finish(browser: Browser, outcome: Outcome, job_id: int) -> None:
    outcome.job_ids.append(job_id)
    data = browser.job_status(job_id)
    outcome.status = str(data.get("status"))
    outcome.succeeded = outcome.status == "succeeded"
    if not outcome.succeeded:
        outcome.detail = str(data.get("error") or data.get("message") or "")[:300]


def _job_id(text: str, where: str) -> int:
    found = re.search(r"/jobs/(\d+)/", text)
    if not found:
        raise JobDriveError(f"no job on {where}")
    return int(found.group(1))


def run_export(browser: Browser, outcome: Outcome, plan: dict[str, Any]) -> None:
    """The whole registry in the actor's scope to Excel, then the file is downloaded."""
    location = browser.post_form("/registry/io/export/", "/registry/io/export/", "job: export", {})
    job_id = _job_id(location, "the export's redirect")
    browser.request("GET", f"/jobs/{job_id}/", "job: job page")
    browser.watch(f"/jobs/{job_id}/progress/", outcome)
    _finish(browser, outcome, job_id)
    if outcome.succeeded:
        file = browser.request("GET", f"/jobs/{job_id}/result/", "job: download")
        if not file.content.startswith(b"PK"):
            outcome.succeeded, outcome.detail = False, "the result is not an Excel file"
        else:
            outcome.detail = f"{len(file.content) / 1024:,.0f} KB"


def run_import(browser: Browser, outcome: Outcome, plan: dict[str, Any]) -> None:
    """Upload, wait for the validation, commit, wait for the import."""
    location = browser.post_form(
        "/registry/io/import/",
        "/registry/io/import/",
        "job: import upload",
        {"org_unit": str(plan["import_unit"])},
        files={"file": ("load.xlsx", plan["import_content"], "application/octet-stream")},
    )
    found = re.search(r"/registry/io/import/(\d+)/", location)
    if not found:
        raise JobDriveError(f"the upload did not lead to a batch ({location})")
    batch = f"/registry/io/import/{found.group(1)}/"
    browser.request("GET", batch, "job: batch page")
    panel = browser.watch(batch + "progress/", outcome, refresh_header=True)
    _finish(browser, outcome, _job_id(panel, "the validation's progress panel"))
    page = browser.request("GET", batch, "job: batch page")
    if not outcome.succeeded:
        return
    if batch + "commit/" not in page.text:
        outcome.succeeded, outcome.status = False, "not committable"
        outcome.detail = "the validated batch offers no commit (rows rejected?)"
        return
    browser.post_form(batch, batch + "commit/", "job: import commit", {})
    panel = browser.watch(batch + "progress/", outcome, refresh_header=True)
    _finish(browser, outcome, _job_id(panel, "the import's progress panel"))
    page = browser.request("GET", batch, "job: batch page")
    imported = re.search(r'id="count-valid">(\d+)<', page.text)
    if outcome.succeeded and imported:
        outcome.detail = f"{int(imported.group(1)):,} of {plan['import_rows']:,} rows imported"
    elif outcome.succeeded:
        outcome.succeeded, outcome.detail = False, "the batch page does not show the imported count"


def run_cycle(browser: Browser, outcome: Outcome, plan: dict[str, Any]) -> None:
    location = browser.post_form(
        "/programmes/cycles/",
        "/programmes/cycles/generate/",
        "job: cycle generate",
        {"programme": str(plan["cycle_programme"]), "period": plan["cycle_period"]},
    )
    if not re.search(r"/programmes/cycles/\d+/", location):
        raise JobDriveError(f"the generation was refused ({location})")
    page = browser.request("GET", location, "job: cycle page")
    job_id = _job_id(page.text, "the cycle page")
    browser.watch(f"/jobs/{job_id}/progress/", outcome)
    _finish(browser, outcome, job_id)
    if outcome.succeeded:
        outcome.detail = f"{plan['cycle_programme_name']} {plan['cycle_period']}"


JOBS: dict[str, tuple[str, Callable[[Browser, Outcome, dict[str, Any]], None]]] = {
    # kind → (demo account whose role does it, how)
    "export": ("sheng_admin", run_export),
    "import": ("xian_shenpi", run_import),
    "cycle": ("caiwu", run_cycle),
}


def start(
    kinds: list[str],
    *,
    base: str,
    password: str,
    plan: dict[str, Any],
    delay: float,
    record: Callable[[float, str, float, str | None], None],
) -> tuple[threading.Thread, list[Outcome]]:
    """After `delay` seconds, run the jobs one after another in a background thread."""
    outcomes = [Outcome(kind) for kind in kinds]

    def drive() -> None:
        time.sleep(delay)
        for outcome in outcomes:
            username, how = JOBS[outcome.kind]
            browser = Browser(base, record)
            outcome.started = time.time()
            outcome.status = "running"
            try:
                browser.login(username, password)
                how(browser, outcome, plan)
            except (JobDriveError, ValueError, KeyError) as exc:
                outcome.succeeded, outcome.status, outcome.detail = False, "error", str(exc)[:300]
            outcome.finished = time.time()

    thread = threading.Thread(target=drive, name="load-jobs", daemon=True)
    thread.start()
    return thread, outcomes
