"""The staff API for articles: the same workflow, scope and refusals as the pages, with documented codes."""

from __future__ import annotations

import pytest

from guanhuai.portal.states import ArticleStatus
from guanhuai.portal.tests.factories import ArticleFactory


def test_an_article_goes_from_draft_to_published_over_the_api(
    api, portal, django_capture_on_commit_callbacks
):
    editor, approver = api(portal.editor), api(portal.approver)
    created = editor.post(
        "/portal/articles",
        {"column_id": portal.news.pk, "title": "API 写的文章", "body_source": "正文<script>x()</script>"},
    )
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert "<script" not in created.data["body"] and created.data["status"] == "draft"
    assert editor.post(f"/portal/articles/{pk}/submit").data["status"] == "pending"

    refused = editor.post(f"/portal/articles/{pk}/publish", {})
    assert refused.status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        published = approver.post(
            f"/portal/articles/{pk}/publish", {"publish_at": "2020-01-01T08:00:00+08:00"}
        )
    assert published.status_code == 200
    assert published.data["article"]["status"] == "published"
    assert published.data["published_now_although_scheduled"] is True

    again = approver.post(f"/portal/articles/{pk}/publish", {})
    assert again.status_code == 409 and again.data["code"] == "invalid_transition"
    withdrawn = approver.post(f"/portal/articles/{pk}/withdraw", {"reason": "撤回测试"})
    assert withdrawn.data["status"] == "withdrawn"


def test_the_author_cannot_approve_over_the_api_either(api, portal, tree):
    from guanhuai.accounts.tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=portal.editor, org_unit=tree.province, role="association_officer")
    client = api(portal.editor)
    pk = client.post("/portal/articles", {"column_id": portal.news.pk, "title": "自批"}).data["id"]
    client.post(f"/portal/articles/{pk}/submit")
    refused = client.post(f"/portal/articles/{pk}/publish", {})
    assert refused.status_code == 403 and refused.data["code"] == "same_person"


def test_out_of_scope_is_the_same_404_as_missing(api, portal):
    article = ArticleFactory(column=portal.news, status=ArticleStatus.DRAFT)
    county = api(portal.county_editor)
    assert county.get(f"/portal/articles/{article.pk}").status_code == 404
    assert county.get("/portal/articles/987654321").status_code == 404
    assert county.post("/portal/articles", {"column_id": portal.news.pk, "title": "越权"}).status_code == 404
    assert [a["id"] for a in county.get("/portal/articles").data["items"]] == []


@pytest.mark.parametrize("body", ['<img src="https://example.org/a.png">', "# 一\n\n#### 跳级"])
def test_a_body_the_sanitiser_refuses_is_a_422_with_its_code(api, portal, body):
    answer = api(portal.editor).post(
        "/portal/articles", {"column_id": portal.news.pk, "title": "坏正文", "body_source": body}
    )
    assert answer.status_code == 422 and answer.data["code"] in ("missing_alt", "heading_order")


def test_the_list_filters_by_status(api, portal):
    ArticleFactory(column=portal.news, title="已发布")
    ArticleFactory(column=portal.news, title="草稿", status=ArticleStatus.DRAFT)
    items = api(portal.editor).get("/portal/articles", status="draft").data["items"]
    assert [i["title"] for i in items] == ["草稿"]
