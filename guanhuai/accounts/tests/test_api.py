"""/api/v1/: me, users, assignments and tokens, with token and session authentication."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from guanhuai.accounts import services
from guanhuai.accounts.models import ApiToken, RoleAssignment, User
from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry


def ids(response) -> set[str]:
    return {row["username"] for row in response.data["items"]}


# --- authentication ----------------------------------------------------------------------------------------


def test_no_credentials_is_401_json(db):
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert "请先登录" in response.json()["message"]


@pytest.mark.parametrize("state", ["revoked", "expired", "garbage", "inactive"])
def test_revoked_expired_or_unknown_tokens_get_401_json(tree, people, state):
    token, plain = services.token_create(actor=people.reviewer_a, name="t")
    if state == "revoked":
        services.token_revoke(actor=people.reviewer_a, token=token)
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif state == "garbage":
        plain = plain[:-2] + "xx"
    else:
        User.objects.filter(pk=people.reviewer_a.pk).update(is_active=False)
    response = Client().get("/api/v1/users", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_token_use_is_recorded(api, tree, people):
    client = api(people.reviewer_a)
    assert client.get("/me").status_code == 200
    assert ApiToken.objects.get(user=people.reviewer_a).last_used_at is not None


def test_session_auth_works_for_reads_and_needs_csrf_for_writes(tree, people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.reviewer_a)
    assert browser.get("/api/v1/me").status_code == 200
    response = browser.post("/api/v1/tokens", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_me_shows_my_roles_and_home_branch(api, tree, people):
    response = api(people.reviewer_a).get("/me")
    assert response.status_code == 200
    assert response.data["username"] == "reviewer_a"
    assert response.data["home_unit"]["code"] == "440224100000"
    [role] = response.data["assignments"]
    assert (role["role"], role["role_label"], role["org_unit"]["name"], role["active"]) == (
        "township_reviewer",
        "乡镇审核员",
        "甲镇",
        True,
    )


# --- users -------------------------------------------------------------------------------------------------


def test_user_list_is_scoped_and_paginated(api, tree, people, elsewhere, django_assert_max_num_queries):
    client = api(people.admin)
    response = client.get("/users")
    assert response.status_code == 200
    assert response.data["count"] == 7
    assert "hunan_reviewer" not in ids(response)
    page = client.get("/users", limit=2, offset=2)
    assert page.data["count"] == 7 and len(page.data["items"]) == 2
    assert client.get("/users", limit=201).status_code == 422
    assert ids(client.get("/users", role="township_reviewer")) == {"reviewer_a", "reviewer_b"}
    assert ids(client.get("/users", unit_id=tree.town_a.pk)) == {"reviewer_a", "clerk_a"}
    assert ids(client.get("/users", q="cadmin")) == {"cadmin"}
    for i in range(20):
        user_with_role("village_clerk", tree.village_b, username=f"many{i}")
    with django_assert_max_num_queries(6):  # token, last-used, roles, count, page, prefetched roles
        assert client.get("/users", limit=50).status_code == 200


def test_township_user_cannot_list_or_fetch_users_of_a_sibling_township(api, tree, people):
    client = api(people.reviewer_a)
    response = client.get("/users")
    assert response.status_code == 200 and response.data["count"] == 0
    response = client.get(f"/users/{people.reviewer_b.pk}")
    assert response.status_code == 404 and response.data["code"] == "not_found"
    assert client.get(f"/users/{people.reviewer_b.pk}/assignments").status_code == 404
    auditor_a = user_with_role("auditor", tree.town_a)
    client = api(auditor_a)
    assert "reviewer_b" not in ids(client.get("/users"))
    assert client.get(f"/users/{people.reviewer_b.pk}").status_code == 404
    assert client.get(f"/users/{people.reviewer_a.pk}").status_code == 200


def test_missing_and_forbidden_users_give_the_same_404(api, tree, people, elsewhere):
    client = api(people.admin)
    forbidden = client.get(f"/users/{elsewhere.reviewer.pk}")
    missing = client.get("/users/999999")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.data == missing.data


def test_create_user(api, tree, people):
    client = api(people.admin)
    body = {
        "username": "zhao_liu",
        "name": "赵六",
        "home_unit_id": tree.village_b.pk,
        "password": "Lychee-harbour-42",
    }
    response = client.post("/users", body)
    assert response.status_code == 201
    assert response.data["home_unit"]["name"] == "乙村"
    assert User.objects.get(username="zhao_liu").check_password("Lychee-harbour-42")
    again = client.post("/users", body)
    assert again.status_code == 409 and again.data["code"] == "duplicate_username"


def test_create_user_refusals(api, tree, people, elsewhere):
    client = api(people.admin)
    base = {"username": "zhao_liu", "name": "赵六", "home_unit_id": tree.village_b.pk}
    weak = client.post("/users", {**base, "password": "12345678"})
    assert (
        weak.status_code == 422
        and weak.data["code"] == "weak_password"
        and "密码太短" in weak.data["message"]
    )
    outside = client.post(
        "/users", {**base, "home_unit_id": elsewhere.town.pk, "password": "Lychee-harbour-42"}
    )
    assert outside.status_code == 422 and outside.data["code"] == "unknown_unit"
    bad_name = client.post("/users", {**base, "username": "bad name!", "password": "Lychee-harbour-42"})
    assert bad_name.status_code == 422
    auditor = api(people.auditor).post("/users", {**base, "password": "Lychee-harbour-42"})
    assert auditor.status_code == 403 and auditor.data["code"] == "permission_denied"
    assert not User.objects.filter(name="赵六").exists()


def test_patch_user(api, tree, people):
    client = api(people.admin)
    response = client.patch(
        f"/users/{people.clerk_a.pk}", {"name": "钱七", "home_unit_id": tree.community_a.pk}
    )
    assert response.status_code == 200
    assert response.data["name"] == "钱七" and response.data["home_unit"]["name"] == "甲社区"
    response = client.patch(f"/users/{people.clerk_a.pk}", {"is_active": False})
    assert response.status_code == 200 and response.data["is_active"] is False
    myself = client.patch(f"/users/{people.admin.pk}", {"is_active": False})
    assert myself.status_code == 422 and "不能停用自己的账号" in myself.data["message"]
    bad_email = client.patch(f"/users/{people.reviewer_a.pk}", {"email": "not-an-email"})
    assert bad_email.status_code == 422
    people.reviewer_a.refresh_from_db()
    assert people.reviewer_a.email == ""


def test_patch_user_refusals(api, tree, people, elsewhere):
    assert api(people.admin).patch(f"/users/{elsewhere.reviewer.pk}", {"name": "x"}).status_code == 404
    assert api(people.auditor).patch(f"/users/{people.clerk_a.pk}", {"name": "x"}).status_code == 403
    # Moving a user to a unit outside my subtree: the unit is unknown to me.
    response = api(people.county_admin).patch(
        f"/users/{people.clerk_a.pk}", {"home_unit_id": tree.other_county.pk}
    )
    assert response.status_code == 422 and response.data["code"] == "unknown_unit"
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.name != "x" and people.clerk_a.home_unit == tree.village_a


# --- assignments -------------------------------------------------------------------------------------------


def test_list_assignments_including_revoked(api, tree, people):
    services.assignment_revoke(actor=people.admin, assignment=people.clerk_a.assignments.get())
    response = api(people.admin).get(f"/users/{people.clerk_a.pk}/assignments")
    assert response.status_code == 200
    [row] = response.data["items"]
    assert row["revoked_at"] is not None and row["active"] is False


def test_grant_and_revoke(api, tree, people):
    client = api(people.admin)
    until = timezone.localdate() + dt.timedelta(days=90)
    response = client.post(
        f"/users/{people.clerk_a.pk}/assignments",
        {"org_unit_id": tree.town_a.pk, "role": "project_officer", "valid_until": until.isoformat()},
    )
    assert response.status_code == 201
    assert response.data["valid_until"] == until.isoformat() and response.data["active"] is True
    assignment_id = response.data["id"]
    assert AuditEntry.objects.filter(
        action="accounts.assignment.granted", object_id=str(assignment_id)
    ).exists()
    response = client.post(f"/assignments/{assignment_id}/revoke")
    assert response.status_code == 200 and response.data["revoked_at"] is not None
    again = client.post(f"/assignments/{assignment_id}/revoke")
    assert again.status_code == 409 and again.data["code"] == "already_revoked"


def test_province_admin_cannot_grant_on_another_province_through_the_api(api, tree, people, elsewhere):
    before = RoleAssignment.objects.count()
    response = api(people.admin).post(
        f"/users/{people.clerk_a.pk}/assignments",
        {"org_unit_id": elsewhere.town.pk, "role": "township_reviewer"},
    )
    assert 400 <= response.status_code < 500
    assert response.data["code"] == "unknown_unit"
    assert "不存在，或您无权操作" in response.data["message"]
    assert RoleAssignment.objects.count() == before
    # …nor grant anything to a user of that province, nor revoke their roles.
    client = api(people.admin)
    response = client.post(
        f"/users/{elsewhere.reviewer.pk}/assignments", {"org_unit_id": tree.town_a.pk, "role": "auditor"}
    )
    assert response.status_code == 404
    assert client.post(f"/assignments/{elsewhere.reviewer.assignments.get().pk}/revoke").status_code == 404
    assert RoleAssignment.objects.count() == before
    assert not RoleAssignment.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "code", "message"),
    [
        (-30, -1, "assignment_expired", "已过，这项授权不会生效"),
        (10, 5, "assignment_dates", "截止日期不能早于生效日期"),
    ],
)
def test_bad_dates_are_rejected(api, tree, people, valid_from, valid_until, code, message):
    today = timezone.localdate()
    response = api(people.admin).post(
        f"/users/{people.clerk_a.pk}/assignments",
        {
            "org_unit_id": tree.village_a.pk,
            "role": "auditor",
            "valid_from": (today + dt.timedelta(days=valid_from)).isoformat(),
            "valid_until": (today + dt.timedelta(days=valid_until)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert response.data["code"] == code and message in response.data["message"]
    assert not RoleAssignment.objects.filter(role="auditor", user=people.clerk_a).exists()


def test_grant_refusals(api, tree, people):
    client = api(people.admin)
    url = f"/users/{people.clerk_a.pk}/assignments"
    assert client.post(url, {"org_unit_id": tree.village_a.pk, "role": "emperor"}).status_code == 422
    duplicate = client.post(url, {"org_unit_id": tree.village_a.pk, "role": "village_clerk"})
    assert duplicate.status_code == 409 and duplicate.data["code"] == "duplicate_assignment"
    myself = client.post(
        f"/users/{people.admin.pk}/assignments", {"org_unit_id": tree.town_a.pk, "role": "fund_manager"}
    )
    assert myself.status_code == 403 and myself.data["code"] == "grant_self"
    auditor = api(people.auditor).post(url, {"org_unit_id": tree.village_a.pk, "role": "project_officer"})
    assert auditor.status_code == 403
    assert people.clerk_a.assignments.count() == 1


# --- tokens ------------------------------------------------------------------------------------------------


def test_tokens_create_list_revoke(api, tree, people):
    client = api(people.reviewer_a)
    response = client.post("/tokens", {"name": "报表"})
    assert response.status_code == 201
    plain = response.data["token"]
    assert plain.startswith("gh_") and response.data["prefix"] == plain[:10]
    listed = client.get("/tokens")
    assert listed.data["count"] == 2
    assert all("token" not in row and "digest" not in row for row in listed.data["items"])
    revoked = client.post(f"/tokens/{response.data['id']}/revoke")
    assert revoked.status_code == 200 and revoked.data["revoked_at"] is not None
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401


def test_token_refusals(api, tree, people):
    other, _ = services.token_create(actor=people.reviewer_b, name="乙")
    client = api(people.reviewer_a)
    assert client.post(f"/tokens/{other.pk}/revoke").status_code == 404
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = client.post("/tokens", {"name": "x", "expires_at": past})
    assert response.status_code == 422 and response.data["code"] == "token_expired"
    assert client.post("/tokens", {"name": " "}).status_code == 422
    assert ApiToken.objects.filter(user=people.reviewer_a).count() == 1


def test_a_short_lived_token_cannot_create_a_token_that_outlives_it(tree, people):
    from guanhuai.accounts.tests.factories import ApiClient

    soon = timezone.now() + dt.timedelta(minutes=5)
    _token, plain = services.token_create(actor=people.reviewer_a, name="五分钟", expires_at=soon)
    client = ApiClient(token=plain)
    for body in (
        {"name": "永久"},
        {"name": "一年", "expires_at": (soon + dt.timedelta(days=365)).isoformat()},
    ):
        response = client.post("/tokens", body)
        assert (response.status_code, response.data["code"]) == (403, "token_outlives_parent")
    assert ApiToken.objects.filter(user=people.reviewer_a).count() == 1
    # rotating within its own lifetime is allowed
    within = (soon - dt.timedelta(minutes=1)).isoformat()
    assert client.post("/tokens", {"name": "轮换", "expires_at": within}).status_code == 201
    # a signed-in browser (no token) may create a long-lived one, as may a token without an expiry
    browser = Client()
    browser.force_login(people.reviewer_a)
    assert (
        browser.post("/api/v1/tokens", {"name": "长期"}, content_type="application/json").status_code == 201
    )
    _token, forever = services.token_create(actor=people.reviewer_a, name="长期2")
    assert ApiClient(token=forever).post("/tokens", {"name": "长期3"}).status_code == 201


def test_every_operation_documents_its_responses(tree):
    from guanhuai.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    ours = {
        p: ops
        for p, ops in schema["paths"].items()
        if p.startswith(("/api/v1/me", "/api/v1/users", "/api/v1/assignments", "/api/v1/tokens"))
    }
    assert len(ours) == 7
    for ops in ours.values():
        for method, op in ops.items():
            codes = {str(code) for code in op["responses"]}
            assert "401" in codes, (method, op["operationId"])
            if method in {"post", "patch"}:
                assert {"403", "422"} <= codes, (method, op["operationId"])
