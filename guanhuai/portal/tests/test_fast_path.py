"""A cached public page is answered before the middleware stack (`portal.middleware`): without a database
query, with the same security headers as the full stack, the visitor's cookie, and the read still counted;
and never stale after a withdrawal."""

from __future__ import annotations

from django.test import Client

from guanhuai.portal import services
from guanhuai.portal.models import ReadEvent
from guanhuai.portal.tests.factories import ArticleFactory

HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


def test_a_cached_article_is_served_without_a_query_and_still_counts_the_read(
    portal, django_assert_num_queries
):
    article = ArticleFactory(column=portal.news, title="暖心家园开放日")
    url = f"/gk/gd/a/{article.code}/"
    full = Client().get(url)  # renders, caches, counts the first reader
    assert full["X-Portal-Cache"] == "miss"
    with django_assert_num_queries(1):  # the second reader's read: one insert, nothing else
        fast = Client(REMOTE_ADDR="203.0.113.9").get(url)  # another reader
    assert fast["X-Portal-Cache"] == "hit" and fast.content == full.content
    assert "gk_v" in fast.cookies  # a new visitor gets their cookie from the fast path too
    assert {h: fast.get(h) for h in HEADERS} == {h: full.get(h) for h in HEADERS}
    assert "script-src 'self'" in fast["Content-Security-Policy"]
    assert ReadEvent.objects.filter(article=article).count() == 2


def test_a_reader_with_a_session_goes_through_the_whole_stack(portal):
    article = ArticleFactory(column=portal.news)
    url = f"/gk/gd/a/{article.code}/"
    Client().get(url)
    staff = Client()
    staff.force_login(portal.editor)
    response = staff.get(url)
    assert response["X-Portal-Cache"] == "hit"  # the page cache of `public_page`, behind the middleware
    assert response.wsgi_request.user == portal.editor  # authentication ran: not the fast path


def test_a_withdrawn_article_is_gone_from_the_fast_path_at_once(portal, django_capture_on_commit_callbacks):
    article = ArticleFactory(column=portal.news, created_by=portal.editor)
    url = f"/gk/gd/a/{article.code}/"
    reader = Client()
    assert reader.get(url).status_code == 200 and reader.get(url)["X-Portal-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(actor=portal.approver, article=article, reason="内容已过时")
    assert reader.get(url).status_code == 404
    assert reader.get(f"/gk/hant/gd/a/{article.code}/").status_code == 404
