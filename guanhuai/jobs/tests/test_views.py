from __future__ import annotations

import re

from django.core.files.base import ContentFile
from django.urls import reverse

from guanhuai.audit.models import AuditEntry
from guanhuai.core.testing import assert_queries_flat
from guanhuai.jobs.models import Job
from guanhuai.jobs.states import JobStatus
from guanhuai.jobs.tests.factories import JobFactory


def login(client, user):
    client.force_login(user)
    return client


def test_job_list_shows_own_jobs_and_not_the_other_townships(client, tree, people, job_a):
    JobFactory(actor=people.reviewer_b, org_unit=tree.town_b)

    response = login(client, people.reviewer_a).get(reverse("jobs:list"))

    assert response.status_code == 200
    assert [j.pk for j in response.context["page"].object_list] == [job_a.pk]
    assert "演示任务" in response.content.decode()


def test_auditor_sees_jobs_across_the_province_and_can_filter_them(client, tree, people, job_a):
    other = JobFactory(
        actor=people.reviewer_b,
        org_unit=tree.town_b,
        status=JobStatus.FAILED,
    )
    client = login(client, people.auditor)

    assert response_ids(client.get(reverse("jobs:list"))) == {job_a.pk, other.pk}
    assert response_ids(client.get(reverse("jobs:list"), {"status": "failed"})) == {other.pk}
    assert response_ids(client.get(reverse("jobs:list"), {"kind": "orgs.nope"})) == {job_a.pk, other.pk}


def response_ids(response):
    assert response.status_code == 200
    return {j.pk for j in response.context["page"].object_list}


def test_job_list_query_count_does_not_grow_with_rows(client, tree, people):
    JobFactory(actor=people.reviewer_a, org_unit=tree.town_a)
    client = login(client, people.admin)
    # session, user, count, page, session save (+2 savepoint), and the actor's assignments once per
    # permission asked (jobs scope + three navigation entries): none of it grows with the rows.
    assert_queries_flat(
        lambda: client.get(reverse("jobs:list")),
        lambda: JobFactory.create_batch(30, actor=people.reviewer_a, org_unit=tree.town_a),
        most=11,
    )
    response = client.get(reverse("jobs:list"))
    assert len(response.context["page"].object_list) == 25
    assert "第 1 / 2 页" in response.content.decode()


def test_detail_page_shows_a_polling_accessible_progress_bar(client, people, job_a):
    response = login(client, people.reviewer_a).get(reverse("jobs:detail", args=[job_a.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="progressbar"' in html and 'aria-valuenow="35"' in html
    assert f'hx-get="{reverse("jobs:progress", args=[job_a.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "已完成第 7 / 20 步" in html and "已计数" in html


def test_progress_partial_renders_the_percent_and_stops_polling_when_finished(client, people, job_a):
    client = login(client, people.reviewer_a)
    url = reverse("jobs:progress", args=[job_a.pk])

    running = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in running
    assert 'aria-valuenow="35"' in running and "35%" in running
    assert "every 1s" in running

    Job.objects.filter(pk=job_a.pk).update(status=JobStatus.SUCCEEDED, progress_done=20)
    finished = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'aria-valuenow="100"' in finished
    assert "hx-trigger" not in finished
    assert "已完成" in finished


def test_another_townships_job_is_404_on_every_page(client, people, job_a):
    client = login(client, people.reviewer_b)
    for name in ("jobs:detail", "jobs:progress", "jobs:result", "jobs:input"):
        assert client.get(reverse(name, args=[job_a.pk])).status_code == 404, name
    assert client.post(reverse("jobs:retry", args=[job_a.pk])).status_code == 404
    # …the same as a job that does not exist
    assert client.get(reverse("jobs:detail", args=[10**9])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, job_a):
    response = client.get(reverse("jobs:detail", args=[job_a.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_failed_job_has_a_retry_button_that_queues_it_again(client, people, job_a, no_sleep):
    Job.objects.filter(pk=job_a.pk).update(status=JobStatus.FAILED, error="演示任务按要求在第 8 步失败。")
    client = login(client, people.reviewer_a)
    page = client.get(reverse("jobs:detail", args=[job_a.pk])).content.decode()
    assert "重试" in page and reverse("jobs:retry", args=[job_a.pk]) in page
    assert "演示任务按要求在第 8 步失败。" in page

    response = client.post(reverse("jobs:retry", args=[job_a.pk]), follow=True)

    assert response.status_code == 200
    assert "任务已重新排队" in response.content.decode()
    job_a.refresh_from_db()
    assert job_a.status == JobStatus.QUEUED
    assert job_a.error == ""


def test_retrying_a_job_that_did_not_fail_shows_why(client, people, job_a):
    response = login(client, people.reviewer_a).post(reverse("jobs:retry", args=[job_a.pk]), follow=True)
    assert "任务状态不能从“运行中”变为“排队中”。" in response.content.decode()
    job_a.refresh_from_db()
    assert job_a.status == JobStatus.RUNNING


def test_result_file_downloads_through_an_access_check_and_is_audited(
    client, people, job_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    job_a.result_file.save("结果.csv", ContentFile("姓名,金额\n".encode()), save=True)
    client = login(client, people.reviewer_a)

    page = client.get(reverse("jobs:detail", args=[job_a.pk])).content.decode()
    assert reverse("jobs:result", args=[job_a.pk]) in page
    assert "/media/" not in page

    response = client.get(reverse("jobs:result", args=[job_a.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "姓名,金额\n"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="jobs.job.file_downloaded", actor=people.reviewer_a).count() == 1
    # a job without an input file has nothing to download
    assert client.get(reverse("jobs:input", args=[job_a.pk])).status_code == 404


def test_list_page_fits_a_phone(client, people, job_a):
    html = login(client, people.reviewer_a).get(reverse("jobs:list")).content.decode()
    assert "table-responsive" in html
    assert not re.search(r"width:\s*\d+px", html)


def test_an_auditor_reads_another_users_failed_job_but_cannot_retry_it(client, people, job_a):
    Job.objects.filter(pk=job_a.pk).update(status=JobStatus.FAILED, error="出错了")
    client = login(client, people.auditor)

    page = client.get(reverse("jobs:detail", args=[job_a.pk]))
    assert page.status_code == 200
    assert reverse("jobs:retry", args=[job_a.pk]) not in page.content.decode()

    response = client.post(reverse("jobs:retry", args=[job_a.pk]), follow=True)
    assert "只有任务的提交人或本辖区管理员可以重试该任务。" in response.content.decode()
    job_a.refresh_from_db()
    assert job_a.status == JobStatus.FAILED


def test_the_api_refuses_an_auditors_retry_with_403(client, people, job_a):
    Job.objects.filter(pk=job_a.pk).update(status=JobStatus.FAILED, error="出错了")
    client = login(client, people.auditor)

    response = client.post(f"/api/v1/jobs/{job_a.pk}/retry")

    assert response.status_code == 403
    job_a.refresh_from_db()
    assert job_a.status == JobStatus.FAILED
