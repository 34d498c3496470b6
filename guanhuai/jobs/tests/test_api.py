from __future__ import annotations

from django.core.files.base import ContentFile

from guanhuai.accounts.services import token_create
from guanhuai.audit.models import AuditEntry
from guanhuai.jobs.models import Job
from guanhuai.jobs.states import JobStatus
from guanhuai.jobs.tests.factories import JobFactory

API = "/api/v1/jobs"


def bearer(user):
    _, plain = token_create(actor=user, name="test")
    return {"Authorization": f"Bearer {plain}"}


def test_list_is_scoped_and_paginated(client, tree, people, job_a):
    JobFactory.create_batch(3, actor=people.reviewer_b, org_unit=tree.town_b)

    mine = client.get(API, headers=bearer(people.reviewer_a)).json()
    assert mine["count"] == 1
    assert mine["items"][0]["id"] == job_a.pk

    page = client.get(API, {"limit": 2, "offset": 0}, headers=bearer(people.auditor)).json()
    assert page["count"] == 4 and len(page["items"]) == 2

    failed = client.get(API, {"status": "failed"}, headers=bearer(people.auditor)).json()
    assert failed["count"] == 0


def test_list_rejects_an_unknown_status_with_422(client, people, job_a):
    response = client.get(API, {"status": "exploded"}, headers=bearer(people.reviewer_a))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_detail_reports_progress(client, people, job_a):
    body = client.get(f"{API}/{job_a.pk}", headers=bearer(people.reviewer_a)).json()
    assert body["status"] == "running" and body["status_label"] == "运行中"
    assert body["kind_label"] == "演示任务"
    assert body["percent"] == 35
    assert body["counts"] == {"counted": 7}
    assert body["message"] == "已完成第 7 / 20 步" and body["error"] == ""
    assert body["result_url"] is None
    assert body["actor"] == "reviewer_a" and body["org_unit_name"] == "甲镇"


def test_another_townships_job_is_404_through_the_api(client, people, job_a):
    headers = bearer(people.reviewer_b)
    for response in (
        client.get(f"{API}/{job_a.pk}", headers=headers),
        client.post(f"{API}/{job_a.pk}/retry", headers=headers),
        client.get(f"{API}/{job_a.pk}/result", headers=headers),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert (
        client.get(f"{API}/{10**9}", headers=headers).json()
        == client.get(f"{API}/{job_a.pk}", headers=headers).json()
    )


def test_anonymous_gets_401(client, job_a):
    response = client.get(f"{API}/{job_a.pk}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_retry_only_failed_jobs(client, people, job_a, no_sleep, django_capture_on_commit_callbacks):
    headers = bearer(people.reviewer_a)
    conflict = client.post(f"{API}/{job_a.pk}/retry", headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "invalid_transition"

    Job.objects.filter(pk=job_a.pk).update(
        status=JobStatus.FAILED, error="出错了", params={"steps": 20, "delay": 0}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/{job_a.pk}/retry", headers=headers)
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    job_a.refresh_from_db()
    # the in-process backend ran it at once, from step 6 (its checkpoint is empty, but progress says 5)
    assert job_a.status == JobStatus.SUCCEEDED


def test_result_url_downloads_with_the_token(client, people, job_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job_a.result_file.save("result.csv", ContentFile(b"a,b\n"), save=True)
    headers = bearer(people.reviewer_a)

    url = client.get(f"{API}/{job_a.pk}", headers=headers).json()["result_url"]
    assert url.endswith(f"{API}/{job_a.pk}/result")

    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a,b\n"
    assert AuditEntry.objects.filter(action="jobs.job.file_downloaded", object_id=str(job_a.pk)).exists()


def test_every_operation_documents_its_error_codes(client):
    schema = client.get("/api/v1/openapi.json").json()
    ops = {
        ("get", "/api/v1/jobs"): {"200", "401", "422"},
        ("get", "/api/v1/jobs/{job_id}"): {"200", "401", "404"},
        ("post", "/api/v1/jobs/{job_id}/retry"): {"200", "401", "404", "409"},
        ("get", "/api/v1/jobs/{job_id}/result"): {"200", "401", "404"},
    }
    for (method, path), codes in ops.items():
        assert set(schema["paths"][path][method]["responses"]) >= codes, path
