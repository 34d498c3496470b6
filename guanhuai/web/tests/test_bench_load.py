"""The load benchmark's short version, as a correctness test and not a timing test: 10 staff users for 20
seconds against gunicorn and the worker on a copy of the small demo, with a watched Excel export running.
Nothing may fail: no request, and not the export. It takes two to three minutes (the demo is built first),
hence the `slow` mark; it runs in `make test` all the same. The report's arithmetic is checked apart, on
made-up samples."""

from __future__ import annotations

import importlib.util
import json
import os
from io import StringIO
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.skipif(
    not (importlib.util.find_spec("gunicorn") and importlib.util.find_spec("locust")),
    reason="gunicorn and locust are test dependencies (pyproject.toml [test])",
)


def _scratch_url() -> list[str]:
    """On the PostgreSQL pass of the suite, the bench runs on PostgreSQL too, in a database of its own
    that it creates and drops (named after the suite's, so CI's clean-up finds it if a run is killed)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return []
    parts = urlsplit(url)
    name = f"{parts.path.strip('/')}_load_{os.getpid()}"
    return ["--database-url", urlunsplit(parts._replace(path=f"/{name}"))]


@pytest.mark.slow
def test_ten_users_browse_for_twenty_seconds_while_a_watched_export_runs_and_nothing_fails(tmp_path):
    out = StringIO()

    call_command(
        "bench",
        "load",
        "--small",
        "--users",
        "10",
        "--duration",
        "20",
        "--jobs",
        "export",
        "--json",
        str(tmp_path / "load.json"),
        *_scratch_url(),
        stdout=out,
    )

    report = json.loads((tmp_path / "load.json").read_text(encoding="utf-8"))
    assert report["failed"] == 0, report["failures"]
    # Every user signed in through the form, and then browsed.
    assert report["kinds"]["login POST"]["n"] == 10
    assert report["requests"] > report["kinds"]["login POST"]["n"] * 3
    assert {"home", "persons", "applications"} <= set(report["kinds"])
    # The export ran while they browsed, was watched to its end through the progress panel, and its file
    # is a workbook.
    (export,) = report["jobs"]
    assert export["kind"] == "export"
    assert export["succeeded"] is True, export
    assert export["status"] == "succeeded"
    assert export["polls"] >= 1
    assert export["pages_during_n"] > 0
    assert export["detail"].endswith("KB")
    text = out.getvalue()
    assert "任务 export：成功" in text and "失败：0" in text


def test_the_report_counts_failures_by_kind_and_keeps_job_requests_and_job_windows_apart():
    from benchmarks.load import BURST_SECONDS, summarise
    from benchmarks.load_jobs import Outcome

    t0 = 1_000.0
    late = t0 + BURST_SECONDS + 10
    export = Outcome("export", started=late + 100, finished=late + 110, succeeded=True, status="succeeded")
    samples = [
        [t0 + 1, "login POST", 900.0, None],
        [t0 + 2, "home", 100.0, "HTTP 500"],
        [t0 + 3, "home", 50.0, None],
        [late, "persons", 30.0, None],
        [late + 1, "persons", 40.0, None],
        [late + 105, "persons", 4_000.0, None],  # while the export ran
        [late + 106, "job: progress poll", 20.0, "ConnectionError"],
    ]

    report = summarise(samples, t0, 200.0, [export])

    assert report["requests"] == 6 and report["job_requests"] == 1
    assert report["failed"] == 2
    assert report["failures"] == {"home: HTTP 500": 1, "job: progress poll: ConnectionError": 1}
    assert report["first_minute_login_post"]["p50"] == 900.0
    # The slow page during the export is counted in the export's window, not in the steady figure.
    assert report["steady_n"] == 2 and report["steady"]["p99"] <= 40.0
    assert report["jobs"][0]["pages_during_n"] == 1
    assert report["jobs"][0]["pages_during"]["p50"] == 4_000.0
    assert report["kinds"]["persons"]["n"] == 3
