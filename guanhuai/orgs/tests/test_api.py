import pytest

from guanhuai.accounts.services import token_create
from guanhuai.jobs.models import Job
from guanhuai.orgs.models import OrgUnit

API = "/api/v1/orgunits"


@pytest.fixture
def as_user(client):
    """A client authenticated with a personal API token of the given user."""

    def _as(user):
        _token, plain = token_create(actor=user, name="测试")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
        return client

    return _as


def test_unauthenticated_requests_get_401_json(client, tree):
    response = client.get(API)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_list_is_scoped_and_paginated(as_user, tree, people):
    api = as_user(people.admin)
    body = api.get(API, {"limit": 3, "offset": 0}).json()
    assert body["count"] == 9 and len(body["items"]) == 3 and set(body) == {"items", "count"}
    assert [u["name"] for u in body["items"]] == ["广东省", "韶关市", "仁化县"]
    page2 = api.get(API, {"limit": 3, "offset": 3}).json()
    assert [u["name"] for u in page2["items"]][0] != "广东省"
    assert api.get(API, {"level": "township"}).json()["count"] == 2
    assert [u["name"] for u in api.get(API, {"parent": tree.town_a.pk}).json()["items"]] == ["甲村", "甲社区"]
    assert [u["code"] for u in api.get(API, {"q": "4402241010"}).json()["items"]] == [
        "440224101000",
        "440224101001",
    ]


def test_list_limit_over_200_is_a_422(as_user, tree, people):
    response = as_user(people.admin).get(API, {"limit": 201})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_township_user_never_lists_or_fetches_the_sibling(as_user, tree, people):
    api = as_user(people.reviewer_a)
    body = api.get(API, {"limit": 200}).json()
    assert body["count"] == 3
    assert {u["name"] for u in body["items"]} == {"甲镇", "甲村", "甲社区"}
    assert api.get(API, {"q": "乙"}).json()["count"] == 0
    assert api.get(API, {"parent": tree.town_b.pk}).json()["count"] == 0
    for unit in (tree.town_b, tree.village_b, tree.county):
        for suffix in ("", "/children", "/counts"):
            response = api.get(f"{API}/{unit.pk}{suffix}")
            assert response.status_code == 404, suffix
            assert response.json() == {"code": "not_found", "message": "未找到该组织，或您无权访问。"}
    missing = api.get(f"{API}/999999")
    assert missing.status_code == 404 and missing.json() == response.json()


def test_detail_children_and_counts(as_user, tree, people):
    api = as_user(people.admin)
    detail = api.get(f"{API}/{tree.town_a.pk}").json()
    assert (
        detail["code"] == "440224100000"
        and detail["level_label"] == "乡镇(街道)"
        and detail["kind_label"] == "镇"
    )
    children = api.get(f"{API}/{tree.county.pk}/children").json()
    assert [(c["name"], c["descendant_counts"]) for c in children] == [
        ("甲镇", {"village": 2}),
        ("乙镇", {"village": 1}),
    ]
    counts = api.get(f"{API}/{tree.city.pk}/counts").json()
    assert counts == {"unit_id": tree.city.pk, "counts": {"county": 2, "township": 2, "village": 3}}


def test_create_by_parent_code(as_user, tree, people):
    response = as_user(people.admin).post(
        API,
        {
            "parent_code": "440224100000",
            "code": "440224100003",
            "name": "丁村",
            "level": "village",
            "kind": "village",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    unit = OrgUnit.objects.get(code="440224100003")
    assert response.json()["id"] == unit.pk and unit.parent == tree.town_a


@pytest.mark.parametrize(
    ("payload", "status", "code", "message"),
    [
        (
            {"parent_code": "440224999000", "code": "440224999001", "level": "village", "kind": "village"},
            422,
            "unknown_unit",
            "区划代码 440224999000 对应的组织不存在，或您无权操作。",
        ),
        (
            {"parent_id": 10**8, "code": "440224100003", "level": "village", "kind": "village"},
            422,
            "unknown_unit",
            "指定的组织不存在，或您无权操作。",
        ),
        (
            {"parent_code": "440224100000", "code": "440224101001", "level": "village", "kind": "village"},
            409,
            "duplicate_code",
            "区划代码 440224101001 已被使用。",
        ),
        (
            {"parent_code": "440224100000", "code": "4402241", "level": "village", "kind": "village"},
            422,
            "division_code_format",
            "区划代码“4402241”格式错误：该级别应为12位数字。",
        ),
        (
            {"parent_code": "440224100000", "code": "440224100003", "level": "city", "kind": ""},
            422,
            "level_order",
            "市级组织不能隶属于乡镇(街道)级组织“甲镇”。",
        ),
        (
            {"parent_code": "440224100000", "code": "440224100003", "level": "hamlet", "kind": ""},
            422,
            "validation_error",
            None,
        ),
    ],
)
def test_create_errors_are_json_and_write_nothing(as_user, tree, people, payload, status, code, message):
    before = OrgUnit.objects.count()
    response = as_user(people.admin).post(API, {"name": "新单位", **payload}, content_type="application/json")
    assert response.status_code == status
    assert response.json()["code"] == code
    if message:
        assert response.json()["message"] == message
    assert OrgUnit.objects.count() == before


def test_create_without_manage_permission_is_403_and_invisible_parent_is_422(as_user, tree, people):
    api = as_user(people.reviewer_a)
    body = {"code": "440224100003", "name": "丁村", "level": "village", "kind": "village"}
    own = api.post(API, {"parent_id": tree.town_a.pk, **body}, content_type="application/json")
    assert own.status_code == 403 and own.json()["code"] == "permission_denied"
    sibling = api.post(API, {"parent_id": tree.town_b.pk, **body}, content_type="application/json")
    assert sibling.status_code == 422 and sibling.json()["code"] == "unknown_unit"
    assert not OrgUnit.objects.filter(code="440224100003").exists()


def test_patch(as_user, tree, people):
    api = as_user(people.admin)
    response = api.patch(
        f"{API}/{tree.village_a.pk}", {"name": "甲村（新）"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["name"] == "甲村（新）"
    clash = api.patch(f"{API}/{tree.village_a.pk}", {"code": "440224101001"}, content_type="application/json")
    assert clash.status_code == 409
    assert (
        as_user(people.reviewer_a)
        .patch(f"{API}/{tree.village_b.pk}", {"name": "x"}, content_type="application/json")
        .status_code
        == 404
    )


def test_move_and_move_into_own_subtree(as_user, tree, people):
    api = as_user(people.admin)
    refused = api.post(
        f"{API}/{tree.county.pk}/move", {"new_parent_id": tree.village_a.pk}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json() == {"code": "move_into_self", "message": "不能把组织调整到它自己或它的下级之下。"}
    moved = api.post(
        f"{API}/{tree.town_a.pk}/move",
        {"new_parent_code": "440222", "note": "划转"},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["parent_id"] == tree.other_county.pk
    tree.village_a.refresh_from_db()
    assert tree.village_a.path.startswith(OrgUnit.objects.get(pk=tree.town_a.pk).path)


def test_merge(as_user, tree, people):
    api = as_user(people.admin)
    response = api.post(
        f"{API}/{tree.town_b.pk}/merge", {"into_code": "440224100000"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["is_open"] is False and response.json()["merged_into_id"] == tree.town_a.pk
    assert [c["name"] for c in api.get(f"{API}/{tree.town_a.pk}/children").json()] == [
        "甲村",
        "甲社区",
        "乙村",
    ]
    not_sibling = api.post(
        f"{API}/{tree.village_a.pk}/merge", {"into_id": tree.town_a.pk}, content_type="application/json"
    )
    assert not_sibling.status_code == 422 and not_sibling.json()["code"] == "merge_not_sibling"


def test_import_returns_the_job_once_per_key(as_user, tree, people, xlsx, django_capture_on_commit_callbacks):
    api = as_user(people.admin)
    content = xlsx([["440224102000", "丙镇", "440224", "乡镇(街道)", "镇"]])

    def post():
        from django.core.files.uploadedfile import SimpleUploadedFile

        with django_capture_on_commit_callbacks(execute=True):
            return api.post(
                f"{API}/import",
                {
                    "file": SimpleUploadedFile("t.xlsx", content),
                    "idempotency_key": "abc",
                    "org_unit_id": tree.province.pk,
                },
            )

    first = post()
    assert first.status_code == 202, first.content
    assert first.json()["kind"] == "orgs.import_tree"
    second = post()
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert second.json()["status"] == "succeeded" and second.json()["counts"] == {"created": 1}
    assert Job.objects.count() == 1
    assert OrgUnit.objects.filter(code="440224102000").count() == 1


def test_import_bad_files_are_422_and_queue_nothing(as_user, tree, people, xlsx):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = as_user(people.admin)
    for content, code in (
        (b"hello", "not_excel"),
        (xlsx([], headers=["a", "b"]), "bad_headers"),
        (xlsx([]), "empty_file"),
    ):
        response = api.post(
            f"{API}/import",
            {
                "file": SimpleUploadedFile("t.xlsx", content),
                "idempotency_key": "k",
                "org_unit_id": tree.province.pk,
            },
        )
        assert response.status_code == 422
        assert response.json()["code"] == code
    outside = as_user(people.county_admin).post(
        f"{API}/import",
        {
            "file": SimpleUploadedFile(
                "t.xlsx", xlsx([["440222100000", "镇", "440222", "乡镇(街道)", "镇"]])
            ),
            "idempotency_key": "k",
            "org_unit_id": tree.other_county.pk,
        },
    )
    assert outside.status_code == 422 and outside.json()["code"] == "unknown_unit"
    assert Job.objects.count() == 0


def test_session_clients_need_csrf_for_writes(tree, people):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.admin)
    assert browser.get(API).status_code == 200
    response = browser.post(
        API,
        {
            "parent_id": tree.town_a.pk,
            "code": "440224100003",
            "name": "丁村",
            "level": "village",
            "kind": "village",
        },
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert not OrgUnit.objects.filter(code="440224100003").exists()
