"""The demo job succeeds on the embedded default while another connection keeps committing (issue 16).
Its progress writes happen in autocommit, between the handler's own statements."""

from __future__ import annotations

import pytest

from guanhuai.jobs import jobs
from guanhuai.jobs.services import job_submit
from guanhuai.jobs.tests.busy_sqlite import busy_sqlite_file

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_job_succeeds_while_others_write(people, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "_pause", lambda _delay: None)
    with busy_sqlite_file(tmp_path):
        job, _created = job_submit(
            actor=people.admin, kind=jobs.SLEEP, idempotency_key="demo", params={"steps": 30}
        )
        job.refresh_from_db()
    assert (job.status, job.error, job.progress_done, job.checkpoint) == ("succeeded", "", 30, {"done": 30})
