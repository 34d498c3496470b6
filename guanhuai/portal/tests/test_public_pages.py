"""The public site as a visitor meets it: columns paginated, search in either form, feeds and a sitemap,
a print view, attachments as downloads; Traditional pages converted while stored text keeps its form; no
page shows a draft, an internal id or a staff link."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from guanhuai.core.testing import assert_queries_flat
from guanhuai.portal.models import Article, Attachment
from guanhuai.portal.states import ArticleStatus
from guanhuai.portal.tests.factories import ArticleFactory


def test_the_home_page_shows_each_column_with_its_newest_articles(client, portal):
    ArticleFactory(column=portal.files, title="关于印发2026年工作要点的通知")
    ArticleFactory(column=portal.news, title="韶关市开展暖心家园活动")
    html = client.get("/gk/gd/").content.decode()
    assert "政务公开" in html and "关于印发2026年工作要点的通知" in html  # a sub-column's article shows above
    assert "韶关市开展暖心家园活动" in html
    assert "020-83000000" in html  # the footer's contacts


def test_a_column_page_is_paginated_newest_first(client, portal):
    now = timezone.now()
    for i in range(25):
        ArticleFactory(column=portal.news, title=f"动态{i:02d}号", publish_at=now - dt.timedelta(hours=i + 1))
    first = client.get("/gk/gd/c/xhdt/").content.decode()
    second = client.get("/gk/gd/c/xhdt/?page=2").content.decode()
    assert "动态00号" in first and "动态19号" in first and "动态20号" not in first
    assert "动态20号" in second and "第 2 页" in second and "共 2 页" not in second  # no count: 上一页 only
    assert 'rel="prev"' in second and 'rel="next"' not in second and 'rel="next"' in first


def test_the_column_page_takes_the_same_queries_for_more_articles(client, portal):
    ArticleFactory(column=portal.news)

    def fetch():
        from django.core.cache import cache

        cache.clear()
        return client.get("/gk/gd/c/xhdt/")

    assert_queries_flat(
        fetch, lambda: ArticleFactory.create_batch(5, column=portal.news), most=12, row="<li><a"
    )


def test_the_article_page_has_previous_and_next_in_its_column(client, portal):
    now = timezone.now()
    older = ArticleFactory(column=portal.news, title="较早的一篇", publish_at=now - dt.timedelta(days=2))
    middle = ArticleFactory(column=portal.news, title="中间的一篇", publish_at=now - dt.timedelta(days=1))
    newer = ArticleFactory(column=portal.news, title="较新的一篇", publish_at=now - dt.timedelta(hours=1))
    ArticleFactory(column=portal.notices, title="别的栏目", publish_at=now - dt.timedelta(hours=12))
    html = client.get(f"/gk/gd/a/{middle.code}/").content.decode()
    assert re.search(r"上一篇：<a href=\"/gk/gd/a/" + older.code, html)
    assert re.search(r"下一篇：<a href=\"/gk/gd/a/" + newer.code, html)
    assert "别的栏目" not in html


def test_search_finds_an_article_whichever_form_query_and_article_are_in(client, portal):
    ArticleFactory(column=portal.news, title="计划生育协会开展关怀活动", body_source="为失独家庭送去温暖。")
    ArticleFactory(
        column=portal.news,
        title="牢牢把握發揮計生協生力軍作用",
        body_source="習近平總書記對計生協工作作出重要指示。",
    )
    ArticleFactory(column=portal.news, title="草稿不应被搜到", body_source="关怀", status=ArticleStatus.DRAFT)

    def titles(q: str, prefix: str = "/gk/gd") -> str:
        return client.get(f"{prefix}/search/", {"q": q}).content.decode()

    assert "计划生育协会开展关怀活动" in titles("关怀")
    assert "计划生育协会开展关怀活动" in titles("關懷")  # a Traditional query finds a Simplified article
    assert "發揮計生協生力軍" in titles("生力军")  # a Simplified query finds a Traditional article
    assert "發揮計生協生力軍" in titles("总书记")  # in the body too
    assert "草稿不应被搜到" not in titles("关怀")
    assert "没有找到相关文章" in titles("不存在的词语")
    # on the Traditional site, the result list is shown in Traditional
    assert "計劃生育協會開展關懷活動" in titles("关怀", "/gk/hant/gd")


def test_stored_text_keeps_its_form_and_only_the_page_is_converted(client, portal):
    article = ArticleFactory(column=portal.news, title="计生协会", body_source="發揮作用")
    hant = client.get(f"/gk/hant/gd/a/{article.code}/").content.decode()
    hans = client.get(f"/gk/gd/a/{article.code}/").content.decode()
    article.refresh_from_db()
    assert article.title == "计生协会" and article.body_source == "發揮作用"
    assert "計生協會" in hant and "发揮作用" not in hant
    assert "计生协会" in hans and "發揮作用" in hans  # the Simplified page shows Traditional text as written
    # the switch on each page leads to the other form of the same page
    assert f'href="/gk/hant/gd/a/{article.code}/"' in hans
    assert f'href="/gk/gd/a/{article.code}/"' in hant


def test_feeds_list_the_columns_newest_articles_in_both_forms(client, portal):
    ArticleFactory(column=portal.news, title="关怀基金捐赠仪式举行")
    ArticleFactory(column=portal.news, title="还没发布", status=ArticleStatus.PENDING)
    rss = client.get("/gk/gd/feed/xhdt/rss.xml")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(rss.content).findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["关怀基金捐赠仪式举行"]
    assert "/gk/gd/a/" in items[0].findtext("link")
    atom = client.get("/gk/hant/gd/feed/xhdt/atom.xml")
    assert atom.status_code == 200 and "關懷基金捐贈儀式舉行" in atom.content.decode()
    assert "/gk/hant/gd/a/" in atom.content.decode()


def test_the_sitemap_lists_public_articles_and_columns_only(client, portal):
    public = ArticleFactory(column=portal.news)
    draft = ArticleFactory(column=portal.news, status=ArticleStatus.DRAFT)
    response = client.get("/gk/gd/sitemap.xml")
    locs = [
        e.text
        for e in ET.fromstring(response.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert any(loc.endswith(f"/gk/gd/a/{public.code}/") for loc in locs)
    assert not any(draft.code in loc for loc in locs)
    assert any(loc.endswith("/gk/gd/c/zwgk/wjzl/") for loc in locs)


def test_the_print_view_has_the_article_without_the_sites_chrome(client, portal):
    article = ArticleFactory(column=portal.news, title="可打印的文章", author="省计生协 张枫")
    html = client.get(f"/gk/gd/a/{article.code}/print/").content.decode()
    assert "可打印的文章" in html and "省计生协 张枫" in html
    assert "gk-nav" not in html and "gk-search" not in html


def test_an_attachment_downloads_and_is_never_rendered_inline(client, portal, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = ArticleFactory(column=portal.files)
    att = Attachment(
        article=article, code="a1b2c3d4", name="工作要点.pdf", content_type="application/pdf", size=9
    )
    att.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    att.save()
    html = client.get(f"/gk/gd/a/{article.code}/").content.decode()
    assert f"/gk/gd/a/{article.code}/files/a1b2c3d4/" in html
    response = client.get(f"/gk/gd/a/{article.code}/files/a1b2c3d4/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/gk/gd/a/{article.code}/files/ffffffff/").status_code == 404


def test_anonymous_pages_show_no_draft_no_internal_id_and_no_staff_link(client, portal):
    public = ArticleFactory(column=portal.news, title="公开的文章")
    draft = ArticleFactory(column=portal.news, title="起草中的文章", status=ArticleStatus.DRAFT)
    urls = ["/gk/gd/", "/gk/gd/c/xhdt/", f"/gk/gd/a/{public.code}/", f"/gk/gd/a/{public.code}/print/",
            "/gk/gd/search/?q=文章", "/gk/gd/feed/xhdt/rss.xml", "/gk/gd/sitemap.xml", "/gk/hant/gd/"]  # fmt: skip
    for url in urls:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "起草中的文章" not in html and draft.code not in html, url
        for staff in ("/portal/manage", "/admin/", "/accounts/", "/api/", "/audit/", "csrfmiddlewaretoken"):
            assert staff not in html, (url, staff)
        assert f"/{public.pk}/" not in html.replace(public.code, ""), url
    assert Article.objects.count() == 2


def test_a_missing_site_and_a_closed_site_are_the_same_404(client, portal):
    portal.county_site.is_active = False
    portal.county_site.save()
    assert client.get("/gk/renhua/").status_code == 404
    assert client.get("/gk/nosuchsite/").status_code == 404


def test_public_pages_carry_a_strict_content_security_policy(client, portal):
    policy = client.get("/gk/gd/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-src 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize("url", ["/gk/gd/", "/gk/hant/gd/"])
def test_a_second_visit_is_served_from_the_page_cache(client, portal, url):
    assert client.get(url)["X-Portal-Cache"] == "miss"
    assert client.get(url)["X-Portal-Cache"] == "hit"


def test_a_browser_asking_for_english_gets_the_chinese_page_from_the_same_cache(client, portal):
    from django.test import Client

    first = Client().get("/gk/gd/", HTTP_ACCEPT_LANGUAGE="en")
    second = client.get("/gk/gd/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "首页" in first.content.decode() and 'lang="zh-Hans"' in first.content.decode()
    assert second["X-Portal-Cache"] == "hit"
