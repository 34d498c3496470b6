"""The frame of the public portal: an anonymous visitor reads a site's home, a column and an article in
Simplified and in Traditional; unpublished articles do not exist for them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.portal.states import ArticleStatus
from guanhuai.portal.tests.factories import ArticleFactory, ColumnFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tree):
    return SiteFactory(unit=tree.province, name="广东省计划生育协会", slug="gd")


@pytest.fixture
def news(site):
    return ColumnFactory(site=site, name="协会动态", slug="xhdt")


def test_anonymous_reads_an_article_with_breadcrumbs_and_author(client, site, news):
    article = ArticleFactory(column=news, title="关于开展生育关怀活动的通知", author="省计生协 张枫")

    page = client.get(f"/gk/gd/a/{article.code}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "当前位置" in html and "协会动态" in html
    assert "关于开展生育关怀活动的通知" in html
    assert "省计生协 张枫" in html
    assert "阅读次数" in html
    assert "Content-Security-Policy" in page.headers
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_same_article_in_traditional_has_its_own_url(client, site, news):
    article = ArticleFactory(column=news, title="计划生育协会开展关怀活动")

    page = client.get(f"/gk/hant/gd/a/{article.code}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "計劃生育協會開展關懷活動" in html
    assert 'lang="zh-Hant"' in html
    # the switch leads back to the Simplified URL of the same page
    assert f'href="/gk/gd/a/{article.code}/"' in html


@pytest.mark.parametrize(
    "status", [ArticleStatus.DRAFT, ArticleStatus.PENDING, ArticleStatus.WITHDRAWN, "future", "expired"]
)
def test_an_article_not_public_is_the_same_404_as_a_missing_one(client, site, news, status):
    now = timezone.now()
    if status == "future":
        article = ArticleFactory(
            column=news, status=ArticleStatus.SCHEDULED, publish_at=now + dt.timedelta(days=1)
        )
    elif status == "expired":
        article = ArticleFactory(
            column=news, publish_at=now - dt.timedelta(days=2), expire_at=now - dt.timedelta(days=1)
        )
    else:
        article = ArticleFactory(
            column=news, status=status, withdrawn_reason="数字有误" if status == "withdrawn" else ""
        )

    probe = client.get(f"/gk/gd/a/{article.code}/")
    missing = client.get("/gk/gd/a/20990101-ffffff/")

    assert probe.status_code == missing.status_code == 404

    assert probe.content == missing.content
    assert "/portal/manage" not in probe.content.decode() and "/accounts/" not in probe.content.decode()


def test_column_page_lists_public_articles_only(client, site, news):
    ArticleFactory(column=news, title="已发布的动态")
    ArticleFactory(column=news, title="还在起草的动态", status=ArticleStatus.DRAFT)

    html = client.get("/gk/gd/c/xhdt/").content.decode()

    assert "已发布的动态" in html
    assert "还在起草的动态" not in html
