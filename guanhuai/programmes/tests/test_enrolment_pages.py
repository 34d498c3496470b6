"""The enrolment pages: list with filters, detail with history, the change forms, the flagged queue and
starting a re-confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from guanhuai.accounts.tests.factories import ApiClient, user_with_role
from guanhuai.jobs.models import Job
from guanhuai.programmes.models import Enrolment
from guanhuai.programmes.states import EnrolmentStatus, FlagReason
from guanhuai.programmes.tests.factories import bereaved_couple, enrol, entitle, special_assistance


@pytest.fixture
def setup(tree, people):
    programme = special_assistance(tree, people)
    head, spouse = bereaved_couple(people, tree.village_a)
    other_head, _ = bereaved_couple(people, tree.village_b, actor=people.reviewer_b, address="乙村1号")
    return (
        programme,
        enrol(programme, head, start="2025-03-01"),
        enrol(
            programme,
            spouse,
            start="2025-03-01",
            flag=FlagReason.MOVED_OUT,
            flagged_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        ),
        enrol(programme, other_head, start="2025-03-01"),
    )


def test_list_is_scoped_and_filtered(client, people, setup, django_assert_max_num_queries):
    programme, mine, flagged, other = setup
    client.force_login(people.reviewer_a)  # 甲镇 only
    with django_assert_max_num_queries(12):
        page = client.get(reverse("programmes:enrolment_list")).content.decode()
    assert reverse("programmes:enrolment_detail", args=[mine.pk]) in page
    assert reverse("programmes:enrolment_detail", args=[other.pk]) not in page  # 乙镇
    assert 'data-total="2"' in page

    page = client.get(reverse("programmes:enrolment_list"), {"flag": "any"}).content.decode()
    assert 'data-total="1"' in page and reverse("programmes:enrolment_detail", args=[flagged.pk]) in page
    page = client.get(reverse("programmes:enrolment_list"), {"q": "李", "status": "active"}).content.decode()
    assert 'data-total="1"' in page  # the wife, 李秀英
    page = client.get(reverse("programmes:enrolment_list"), {"unit": "440224100002"}).content.decode()
    assert 'data-total="0"' in page  # 甲社区 has nobody


def test_detail_shows_dates_entitlements_history_and_the_actions_allowed(
    client, people, setup, django_assert_max_num_queries
):
    programme, mine, _, _ = setup
    for month in ("2026-08", "2026-09", "2026-10"):
        entitle(mine, month, status="paid")
    client.force_login(people.approver)
    client.post(
        reverse("programmes:enrolment_suspend", args=[mine.pk]), {"from_month": "2026-11", "reason": "待核实"}
    )
    with django_assert_max_num_queries(12):  # not one per entitlement or per history row
        page = client.get(reverse("programmes:enrolment_detail", args=[mine.pk])).content.decode()
    assert 'data-status="suspended"' in page
    assert "2025-03" in page and "440224" not in page  # the ID is masked
    assert 'data-action="programmes.enrolment.suspended"' in page and "待核实" in page
    assert 'data-entitlements="paid"' in page
    assert reverse("programmes:enrolment_resume", args=[mine.pk]) in page
    assert reverse("programmes:enrolment_suspend", args=[mine.pk]) not in page

    # a township reviewer sees the page but no actions
    client.force_login(people.reviewer_a)
    page = client.get(reverse("programmes:enrolment_detail", args=[mine.pk])).content.decode()
    assert reverse("programmes:enrolment_resume", args=[mine.pk]) not in page
    assert client.get(reverse("programmes:enrolment_resume", args=[mine.pk])).status_code == 404


def test_forms_show_the_service_message_and_change_nothing_on_error(client, people, setup):
    _, mine, _, _ = setup
    client.force_login(people.approver)
    response = client.post(
        reverse("programmes:enrolment_exit", args=[mine.pk]),
        {"reason": "other", "exited_on": "2026-10-01", "confirm": "on"},
    )
    assert response.status_code == 200 and "必须填写说明" in response.content.decode()
    assert Enrolment.objects.get(pk=mine.pk).status == EnrolmentStatus.ACTIVE

    response = client.post(
        reverse("programmes:enrolment_exit", args=[mine.pk]),
        {"reason": "moved_out", "exited_on": "2026-10-01", "note": "迁往湖南"},
    )
    # the exit states what it does, and is not done until that is ticked
    assert response.status_code == 200
    html = response.content.decode()
    assert "从退出日期的下一个月起不再发放" in html and "请先阅读并勾选上面的确认。" in html
    assert Enrolment.objects.get(pk=mine.pk).status == EnrolmentStatus.ACTIVE

    response = client.post(
        reverse("programmes:enrolment_exit", args=[mine.pk]),
        {"reason": "moved_out", "exited_on": "2026-10-01", "note": "迁往湖南", "confirm": "on"},
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=mine.pk).status == EnrolmentStatus.EXITED


def test_flagged_queue_keep_returns_to_the_queue(client, people, setup):
    _, _, flagged, _ = setup
    client.force_login(people.approver)
    queue = reverse("programmes:enrolment_flagged")
    page = client.get(queue).content.decode()
    assert f'data-enrolment="{flagged.pk}"' in page and "已迁出本省" in page
    response = client.post(
        reverse("programmes:enrolment_flag_clear", args=[flagged.pk]) + f"?next={queue}",
        {"note": "外出务工，户籍未迁", "next": queue},
    )
    assert response.status_code == 302 and response["Location"] == queue
    assert Enrolment.objects.get(pk=flagged.pk).flag == ""
    assert f'data-enrolment="{flagged.pk}"' not in client.get(queue).content.decode()
    # an outside redirect target is refused
    assert (
        client.post(
            reverse("programmes:enrolment_flag_clear", args=[flagged.pk]),
            {"note": "x", "next": "https://evil.example/"},
        ).status_code
        == 404
    )


def test_the_queue_and_reconfirmation_are_for_those_who_decide(client, people, setup):
    client.force_login(people.clerk_a)
    assert client.get(reverse("programmes:enrolment_flagged")).status_code == 404
    assert client.get(reverse("programmes:enrolment_reconfirm")).status_code == 404


def test_starting_a_reconfirmation_shows_the_job(client, people, setup, django_capture_on_commit_callbacks):
    programme, *_ = setup
    client.force_login(people.approver)
    form = client.get(reverse("programmes:enrolment_reconfirm"))
    key = form.context["form"].initial["idempotency_key"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programmes:enrolment_reconfirm"),
            {"programme": programme.pk, "as_of": "2026-11-28", "idempotency_key": key},
        )
    job = Job.objects.get(kind="programmes.reconfirm")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == "succeeded" and job.counts["checked"] == 3


def test_a_county_approver_of_another_county_gets_404_on_every_page(tree, client, setup):
    _, mine, flagged, _ = setup
    client.force_login(user_with_role("county_approver", tree.other_county, username="approver_sx"))
    for name in ("enrolment_detail", "enrolment_suspend", "enrolment_exit", "enrolment_flag_clear"):
        assert client.get(reverse(f"programmes:{name}", args=[mine.pk])).status_code == 404
    page = client.get(reverse("programmes:enrolment_flagged")).content.decode()
    assert f'data-enrolment="{flagged.pk}"' not in page


# --- API ---------------------------------------------------------------------------------------------------------


def test_api_list_and_detail_are_scoped(tree, people, setup):
    programme, mine, flagged, other = setup
    api = ApiClient(people.reviewer_a)
    response = api.get("/enrolments", flag="any")
    assert response.status_code == 200
    assert [e["id"] for e in response.data["items"]] == [flagged.pk] and response.data["count"] == 1
    assert response.data["items"][0]["flag_label"] == "已迁出本省"
    assert response.data["items"][0]["start_month"] == "2025-03"
    assert api.get("/enrolments", flag="nonsense").status_code == 422
    assert api.get(f"/enrolments/{other.pk}").status_code == 404  # 乙镇
    detail = api.get(f"/enrolments/{mine.pk}")
    assert detail.status_code == 200 and detail.data["person"]["id_masked"].startswith("4402**")
    outsider = ApiClient(user_with_role("county_approver", tree.other_county, username="approver_sx"))
    assert outsider.get(f"/enrolments/{mine.pk}").data["code"] == "not_found"


def test_api_changes_with_documented_codes(people, setup):
    _, mine, flagged, _ = setup
    assert (
        ApiClient(people.reviewer_a)
        .post(f"/enrolments/{mine.pk}/suspend", {"from_month": "2026-11", "reason": "核实"})
        .status_code
        == 403
    )
    api = ApiClient(people.approver)
    assert (
        api.post(f"/enrolments/{mine.pk}/suspend", {"from_month": "2026-13", "reason": "核实"}).status_code
        == 422
    )
    response = api.post(f"/enrolments/{mine.pk}/suspend", {"from_month": "2026-11", "reason": "核实"})
    assert response.status_code == 200 and response.data["status"] == "suspended"
    assert response.data["history"][-1]["action"] == "programmes.enrolment.suspended"
    again = api.post(f"/enrolments/{mine.pk}/suspend", {"from_month": "2026-11", "reason": "核实"})
    assert (again.status_code, again.data["code"]) == (409, "invalid_transition")
    assert api.post(f"/enrolments/{mine.pk}/resume", {"note": ""}).data["status"] == "active"
    response = api.post(f"/enrolments/{mine.pk}/exit", {"reason": "died", "exited_on": "2026-10-02"})
    assert (response.data["status"], response.data["end_month"]) == ("exited", "2026-10")
    assert api.post(f"/enrolments/{flagged.pk}/keep", {"note": ""}).status_code == 422
    assert api.post(f"/enrolments/{flagged.pk}/keep", {"note": "核实无误"}).data["flag"] == ""
    assert api.post(f"/enrolments/{flagged.pk}/keep", {"note": "核实无误"}).status_code == 409


def test_api_reconfirmation_is_a_job_and_a_replay_returns_it(
    people, setup, django_capture_on_commit_callbacks
):
    programme, *_ = setup
    api = ApiClient(people.approver)
    body = {"programme_id": programme.pk, "as_of": "2026-11-28", "idempotency_key": "year-end"}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("/enrolments/reconfirmations", body)
    assert first.status_code == 202
    replay = api.post("/enrolments/reconfirmations", body)
    assert replay.status_code == 200 and replay.data["id"] == first.data["id"]
    assert replay.data["status"] == "succeeded" and replay.data["counts"]["checked"] == 3
    assert api.post("/enrolments/reconfirmations", {**body, "programme_id": 99999}).status_code == 422
    assert ApiClient(people.clerk_a).post("/enrolments/reconfirmations", body).status_code == 403
