from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from guanhuai.jobs.models import WorkerHeartbeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def beat(worker_id, *, seconds_ago):
    seen = timezone.now() - dt.timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="node", pid=1, started_at=seen, seen_at=seen
    )


def test_healthz_answers_json_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    # tests run tasks in-process: there is no worker to wait for
    assert body["worker"]["status"] == "inline"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@override_settings(TASKS=DB_TASKS)
def test_worker_is_down_without_a_fresh_heartbeat(client, db):
    beat("old", seconds_ago=120)
    response = client.get("/healthz")
    # the site still serves: jobs queue up safely until a worker returns
    assert response.status_code == 200
    worker = response.json()["worker"]
    assert worker["status"] == "down"
    assert worker["workers"] == 0
    assert worker["last_seen"] is not None


@override_settings(TASKS=DB_TASKS)
def test_worker_is_ok_with_a_fresh_heartbeat_and_queued_tasks_are_counted(
    client, tree, people, django_capture_on_commit_callbacks
):
    from guanhuai.jobs.services import job_submit

    beat("w1", seconds_ago=2)
    beat("w2", seconds_ago=120)
    with django_capture_on_commit_callbacks(execute=True):
        job_submit(actor=people.clerk_a, kind="jobs.sleep", idempotency_key="h", org_unit=tree.village_a)

    worker = client.get("/healthz").json()["worker"]
    assert worker == {"status": "ok", "workers": 1, "queued_tasks": 1, "last_seen": worker["last_seen"]}


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    from guanhuai.web import health

    class DownConnection:
        vendor = "postgresql"

        def cursor(self):
            raise OSError("connection refused")

    monkeypatch.setattr(health, "connection", DownConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["status"] == "error"


@pytest.mark.parametrize("method", ["post", "put"])
def test_healthz_only_answers_get(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
