"""The staff pages as editors and approvers use them on a phone: an editor writes and submits, the
approver publishes from the same page (or schedules, or returns), a script in the body never reaches the
page, an image upload needs its description, and another county's staff get the same 404 as for a
missing article."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanhuai.core.testing import assert_queries_flat
from guanhuai.portal.models import Article, Column, Site
from guanhuai.portal.states import ArticleStatus
from guanhuai.portal.tests.factories import ArticleFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_an_editor_writes_submits_and_the_approver_publishes(client, portal):
    client.force_login(portal.editor)
    assert client.get("/portal/manage/articles/new/").status_code == 200
    response = client.post(
        "/portal/manage/articles/new/",
        {"column": portal.news.pk, "title": "全省青春健康培训班开班", "body_format": "markdown",
         "body_source": "培训班在广州开班。\n\n<script>alert(1)</script>", "author": "宣传部"},
    )  # fmt: skip
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/manage/articles/{article.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "提交审核" in detail and "<script>alert" not in detail
    client.post(f"/portal/manage/articles/{article.pk}/submit/")
    article.refresh_from_db()
    assert article.status == ArticleStatus.PENDING
    # the editor has no publish button, and posting anyway is refused
    assert "发布</button>" not in client.get(f"/portal/manage/articles/{article.pk}/").content.decode()
    assert client.post(f"/portal/manage/articles/{article.pk}/publish/").status_code in (302, 403)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PENDING

    client.force_login(portal.approver)
    page = client.get(f"/portal/manage/articles/{article.pk}/").content.decode()
    assert "发布</button>" in page
    response = client.post(f"/portal/manage/articles/{article.pk}/publish/", {"publish_at": ""}, follow=True)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert "已发布" in response.content.decode()
    assert f"/gk/gd/a/{article.code}/" in response.content.decode()


def test_a_past_schedule_publishes_now_with_a_warning(client, portal):
    article = ArticleFactory(
        column=portal.news, status=ArticleStatus.PENDING, created_by=portal.editor, publish_at=None
    )
    client.force_login(portal.approver)
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/portal/manage/articles/{article.pk}/publish/", {"publish_at": past}, follow=True
    )
    assert "已立即发布" in response.content.decode()
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED


def test_an_image_in_the_body_without_a_description_shows_beside_the_body(client, portal):
    client.force_login(portal.editor)
    response = client.post(
        "/portal/manage/articles/new/",
        {
            "column": portal.news.pk,
            "title": "有图的文章",
            "body_format": "markdown",
            "body_source": "![](https://example.org/a.png)",
        },
    )
    assert response.status_code == 200
    assert "说明文字" in response.content.decode()
    assert not Article.objects.exists()


def test_an_image_attachment_needs_its_description_and_a_fake_pdf_is_refused(
    client, portal, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    article = ArticleFactory(column=portal.news, status=ArticleStatus.DRAFT, created_by=portal.editor)
    client.force_login(portal.editor)
    url = f"/portal/manage/articles/{article.pk}/attachments/"
    page = client.post(
        url, {"file": SimpleUploadedFile("会场.png", PNG), "alt": ""}, follow=True
    ).content.decode()
    assert "图片说明" in page and not article.attachments.exists()
    page = client.post(
        url, {"file": SimpleUploadedFile("通知.pdf", b"<html>not a pdf"), "alt": ""}, follow=True
    ).content.decode()
    assert "不是 PDF" in page and not article.attachments.exists()
    client.post(url, {"file": SimpleUploadedFile("会场.png", PNG), "alt": "培训班开班现场"})
    assert article.attachments.get().alt == "培训班开班现场"


def test_a_withdrawal_needs_a_reason_and_keeps_the_article(client, portal):
    article = ArticleFactory(column=portal.news, created_by=portal.editor)
    client.force_login(portal.approver)
    client.post(f"/portal/manage/articles/{article.pk}/withdraw/", {"reason": ""})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    client.post(f"/portal/manage/articles/{article.pk}/withdraw/", {"reason": "已有新版本"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.WITHDRAWN
    assert "已有新版本" in client.get(f"/portal/manage/articles/{article.pk}/").content.decode()


@pytest.mark.parametrize("path", ["", "edit/"])
def test_another_countys_staff_get_the_same_404_as_for_a_missing_article(client, portal, path):
    article = ArticleFactory(column=portal.news, status=ArticleStatus.DRAFT)
    client.force_login(portal.county_editor)
    assert client.get(f"/portal/manage/articles/{article.pk}/{path}").status_code == 404
    assert client.get(f"/portal/manage/articles/987654321/{path}").status_code == 404
    assert client.post(f"/portal/manage/articles/{article.pk}/submit/").status_code == 404


def test_a_user_without_a_portal_role_does_not_see_the_pages(client, portal, people):
    client.force_login(people.clerk_a)
    assert client.get("/portal/manage/").status_code == 404
    assert client.get("/portal/manage/stats/").status_code == 404


def test_the_anonymous_are_sent_to_log_in(client, portal):
    response = client.get("/portal/manage/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_the_article_list_takes_the_same_queries_for_more_articles(client, portal):
    ArticleFactory(column=portal.news, created_by=portal.editor)
    client.force_login(portal.editor)
    assert_queries_flat(
        lambda: client.get("/portal/manage/"),
        lambda: ArticleFactory.create_batch(4, column=portal.news, created_by=portal.editor),
        most=14,
        row="list-group-item-action",
    )


def test_the_statistics_show_reads_per_article_column_and_day(client, portal):
    article = ArticleFactory(column=portal.news, title="最受欢迎的文章")
    from django.test import Client

    for agent in ("A", "B", "C"):
        Client().get(f"/gk/gd/a/{article.code}/", HTTP_USER_AGENT=agent)
    client.force_login(portal.editor)
    page = client.get("/portal/manage/stats/?days=7")
    html = page.content.decode()
    assert page.status_code == 200
    assert "最受欢迎的文章" in html and "协会动态" in html
    assert "data-total-reads>3<" in html and "data-total-visits>3<" in html


def test_the_county_editor_sees_only_the_county_sites_reads(client, portal):
    article = ArticleFactory(column=portal.news, title="省里的文章")
    client.get(f"/gk/gd/a/{article.code}/", HTTP_USER_AGENT="A")
    client.force_login(portal.county_editor)
    html = client.get("/portal/manage/stats/").content.decode()
    assert "省里的文章" not in html and "data-total-reads>0<" in html


def test_the_province_admin_opens_a_city_site_and_builds_its_columns(client, portal, tree, people):
    client.force_login(people.admin)
    assert client.get("/portal/manage/sites/").status_code == 200
    response = client.post(
        "/portal/manage/sites/new/",
        {"unit": tree.city.pk, "name": "韶关市计划生育协会", "slug": "shaoguan", "phone": "0751-8888888"},
    )
    assert response.status_code == 302
    site = Site.objects.get(slug="shaoguan")
    client.post(f"/portal/manage/sites/{site.pk}/", {"name": "政务公开", "slug": "zwgk", "position": 0})
    parent = Column.objects.get(site=site, slug="zwgk")
    client.post(
        f"/portal/manage/sites/{site.pk}/",
        {"parent": parent.pk, "name": "文件资料", "slug": "wjzl", "position": 0},
    )
    page = client.post(f"/portal/manage/sites/{site.pk}/", {"name": "重复", "slug": "zwgk", "position": 1})
    assert "同一级栏目中已有这个网址名" in page.content.decode()
    assert list(Column.objects.filter(site=site).values_list("path", flat=True).order_by("path")) == [
        "zwgk",
        "zwgk/wjzl",
    ]
    # a reserved or taken slug is refused beside the field
    taken = client.post(
        "/portal/manage/sites/new/", {"unit": tree.other_county.pk, "name": "另一个", "slug": "gd"}
    )
    assert "网址名已被其他网站使用" in taken.content.decode()


def test_an_editor_sees_the_column_tree_but_cannot_add_columns(client, portal):
    client.force_login(portal.editor)
    html = client.get(f"/portal/manage/sites/{portal.site.pk}/").content.decode()
    assert "zwgk/wjzl" in html and "新建栏目</button>" not in html
    client.post(f"/portal/manage/sites/{portal.site.pk}/", {"name": "越权栏目", "slug": "yq", "position": 0})
    assert not Column.objects.filter(slug="yq").exists()
    assert client.get(f"/portal/manage/sites/{portal.county_site.pk}/").status_code == 200
    client.force_login(portal.county_editor)
    assert client.get(f"/portal/manage/sites/{portal.site.pk}/").status_code == 404
