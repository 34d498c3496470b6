"""/api/v1/applications…, /notices…, /grievances…: the response codes a client must handle."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from guanhuai.programmes.models import Application, Enrolment
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.tests.factories import PDF, at_day, enrol, submitted, uploaded

API = "/api/v1"


def as_user(client, user):
    client.force_login(user)
    return client


def post(client, url, data=None, **headers):
    return client.post(f"{API}{url}", data or {}, content_type="application/json", headers=headers)


def test_unauthenticated_is_401(client):
    r = client.get(f"{API}/applications")

    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_create_returns_201_and_a_replay_200(client, apps, people):
    c = as_user(client, people.clerk_a)
    body = {"programme_id": apps.programme.pk, "person_id": apps.head.pk, "reason": "失独"}

    r = post(c, "/applications", body, **{"Idempotency-Key": "abc"})
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["status"] == "draft"
    assert data["person"]["id_masked"] == apps.head.id_masked
    assert apps.head.id_number not in r.content.decode()
    assert data["eligible_now"] is True

    again = post(c, "/applications", body, **{"Idempotency-Key": "abc"})
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    assert Application.objects.count() == 1


def test_a_replay_naming_another_person_is_409_and_creates_nothing(client, apps, people):
    c = as_user(client, people.clerk_a)
    body = {"programme_id": apps.programme.pk, "person_id": apps.head.pk, "reason": "失独"}
    assert post(c, "/applications", body, **{"Idempotency-Key": "k-9"}).status_code == 201

    r = post(c, "/applications", {**body, "person_id": apps.spouse.pk}, **{"Idempotency-Key": "k-9"})

    assert (r.status_code, r.json()["code"]) == (409, "idempotency_mismatch")
    assert list(Application.objects.values_list("person_id", flat=True)) == [apps.head.pk]


def test_create_for_a_person_of_another_township_is_404(client, apps, people):
    r = post(
        as_user(client, people.clerk_a),
        "/applications",
        {"programme_id": apps.programme.pk, "person_id": apps.other.pk},
    )

    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_create_for_an_enrolled_person_is_409(client, apps, people):
    enrol(apps.programme, apps.head)

    r = post(
        as_user(client, people.clerk_a),
        "/applications",
        {"programme_id": apps.programme.pk, "person_id": apps.head.pk},
    )

    assert r.status_code == 409
    assert r.json()["code"] == "already_enrolled"


def test_a_township_reviewer_may_not_create_403(client, apps, people):
    r = post(
        as_user(client, people.reviewer_a),
        "/applications",
        {"programme_id": apps.programme.pk, "person_id": apps.head.pk},
    )

    assert r.status_code == 403


def test_documents_upload_201_and_bad_type_422(client, apps, people):
    a, _created = svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)
    c = as_user(client, people.clerk_a)
    url = f"{API}/applications/{a.pk}/documents"

    r = c.post(url, {"kind": "id_card", "file": uploaded(PDF, "id.pdf")})
    assert r.status_code == 201, r.json()
    assert r.json()["content_type"] == "application/pdf"
    doc_id = r.json()["id"]

    r = c.post(url, {"kind": "id_card", "file": uploaded(b"<html>", "id.pdf")})
    assert r.status_code == 422
    assert r.json()["code"] == "document_type"

    r = c.post(url, {"kind": "id_card", "file": uploaded(PDF, "again.pdf")})
    assert r.status_code == 409
    assert r.json()["code"] == "duplicate_document"

    r = c.get(f"{url}/{doc_id}")
    assert r.status_code == 200 and r.content == PDF
    assert as_user(client, people.reviewer_b).get(f"{url}/{doc_id}").status_code == 404


def test_review_codes_sod_403_reason_422_notice_409(client, apps, people):
    a = submitted(apps, people)

    r = post(as_user(client, people.clerk_a), f"/applications/{a.pk}/review", {"decision": "pass"})
    assert r.status_code == 403
    assert r.json()["code"] == "segregation_of_duties"

    c = as_user(client, people.reviewer_a)
    r = post(c, f"/applications/{a.pk}/review", {"decision": "refuse", "comment": ""})
    assert r.status_code == 422
    assert r.json()["code"] == "reason_required"

    r = post(c, f"/applications/{a.pk}/review", {"decision": "pass"})
    assert r.status_code == 200
    assert r.json()["step"] == "notice"

    r = post(
        as_user(client, people.clerk_a),
        "/notices",
        {"programme_id": apps.programme.pk, "village_id": a.org_unit_id},
    )
    assert r.status_code == 201
    notice = r.json()
    assert notice["rows"] == [{"name": "王*国", "village": "甲村", "amount": "590.00", "unit": "/月"}]

    r = post(as_user(client, people.approver), f"/applications/{a.pk}/review", {"decision": "pass"})
    assert r.status_code == 409
    assert r.json()["code"] == "notice_open"

    r = post(as_user(client, people.clerk_a), f"/notices/{notice['id']}/close")
    assert r.status_code == 409
    assert r.json()["code"] == "notice_not_over"

    r = as_user(client, people.reviewer_b).get(f"{API}/applications/{a.pk}")
    assert r.status_code == 404


def test_the_full_path_through_the_api(client, apps, people, monkeypatch):
    c = as_user(client, people.clerk_a)
    a = post(c, "/applications", {"programme_id": apps.programme.pk, "person_id": apps.head.pk}).json()
    assert post(c, f"/applications/{a['id']}/submit").status_code == 200
    # the village step by 甲村's second clerk: the township reviewer passes the township step, one step each
    assert (
        post(
            as_user(client, apps.clerk_a2), f"/applications/{a['id']}/review", {"decision": "pass"}
        ).status_code
        == 200
    )
    notice = post(
        as_user(client, people.clerk_a),
        "/notices",
        {"programme_id": apps.programme.pk, "village_id": apps.head.org_unit_id},
    ).json()
    r = post(client, f"/notices/{notice['id']}/objections", {"application_id": a["id"], "content": "有异议"})
    assert r.status_code == 201
    objection = r.json()
    r = post(
        as_user(client, people.reviewer_a),
        f"/objections/{objection['id']}/resolve",
        {"upheld": False, "resolution": "不成立"},
    )
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    at_day(monkeypatch, timezone.localdate() + dt.timedelta(days=7))
    assert post(as_user(client, people.clerk_a), f"/notices/{notice['id']}/close").status_code == 200
    assert (
        post(
            as_user(client, people.reviewer_a), f"/applications/{a['id']}/review", {"decision": "pass"}
        ).status_code
        == 200
    )
    r = post(
        as_user(client, people.approver),
        f"/applications/{a['id']}/review",
        {"decision": "pass", "comment": "同意"},
    )
    assert r.status_code == 200
    detail = r.json()
    assert detail["status"] == "approved"
    assert [d["step"] for d in detail["decisions"]] == ["village", "township", "county"]
    actions = [e["action"] for e in detail["timeline"]]
    assert actions[0] == "programmes.application.created"
    assert "programmes.objection.dismissed" in actions
    assert actions[-1] == "programmes.application.approved"
    assert Enrolment.objects.filter(person=apps.head, programme=apps.programme).exists()
    pdf = client.get(f"{API}/notices/{notice['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_bulk_review_returns_a_result_per_item(client, apps, people):
    a = submitted(apps, people, person=apps.head)
    b = submitted(apps, people, person=apps.spouse)

    r = post(
        as_user(client, people.reviewer_a),
        "/applications/review",
        {"ids": [a.pk, b.pk, 999999], "decision": "pass"},
    )

    assert r.status_code == 200
    assert [(x["id"], x["ok"]) for x in r.json()] == [(a.pk, True), (b.pk, True), (999999, False)]
    assert r.json()[2]["code"] == "not_found"


def test_list_filters_and_awaiting_me(client, apps, people):
    a = submitted(apps, people)
    svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.spouse)

    c = as_user(client, people.reviewer_a)
    assert c.get(f"{API}/applications").json()["count"] == 2
    assert [x["id"] for x in c.get(f"{API}/applications?status=under_review").json()["items"]] == [a.pk]
    assert [x["id"] for x in c.get(f"{API}/applications?awaiting_me=true").json()["items"]] == [a.pk]
    assert as_user(client, people.clerk_a).get(f"{API}/applications?awaiting_me=true").json()["count"] == 0
    assert as_user(client, people.reviewer_b).get(f"{API}/applications").json()["count"] == 0


def test_grievances_through_the_api(client, apps, people):
    a = submitted(apps, people)
    c = as_user(client, people.clerk_a)

    r = post(c, "/grievances", {"application_id": a.pk, "complainant": "匿名", "content": "太慢"})
    assert r.status_code == 201
    g = r.json()
    r = post(
        as_user(client, people.reviewer_a),
        f"/grievances/{g['id']}/assign",
        {"assignee_id": people.reviewer_b.pk},
    )
    assert r.status_code == 422
    r = post(client, f"/grievances/{g['id']}/assign", {"assignee_id": people.reviewer_a.pk})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = post(client, f"/grievances/{g['id']}/finish", {"outcome": "resolve", "text": ""})
    assert r.status_code == 422
    r = post(client, f"/grievances/{g['id']}/finish", {"outcome": "resolve", "text": "已答复"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert as_user(client, people.reviewer_b).get(f"{API}/grievances/{g['id']}").status_code == 404
