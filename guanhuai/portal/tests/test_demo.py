"""The demo's portal: the province's site opens with its columns and articles, one withdrawn and one
scheduled that the public does not see, read counts on the pages; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from guanhuai.audit.models import AuditEntry
from guanhuai.portal.models import Article, Column, ReadDaily
from guanhuai.portal.states import ArticleStatus

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = StringIO()
    call_command("demo", "--small", "--no-job", "--no-households", stdout=out)
    return out.getvalue()


def test_the_demo_portal_is_built_once_and_reads_like_the_real_site(client):
    output = run_demo()
    assert "演示门户" in output
    articles = Article.objects.unscoped("the test counts the demo")
    assert articles.filter(status=ArticleStatus.WITHDRAWN).count() == 1
    assert articles.filter(status=ArticleStatus.SCHEDULED).count() == 1
    assert articles.filter(status=ArticleStatus.PENDING).count() == 1
    assert articles.filter(status=ArticleStatus.PUBLISHED).count() >= 30
    paths = set(Column.objects.unscoped("the test").filter(site__slug="gd").values_list("path", flat=True))
    assert {"zwgk", "zwgk/wjzl", "tzgg", "xhdt", "zcfg", "bszn"} <= paths
    assert ReadDaily.objects.exists()

    home = client.get("/gk/gd/").content.decode()
    withdrawn = articles.get(status=ArticleStatus.WITHDRAWN)
    scheduled = articles.get(status=ArticleStatus.SCHEDULED)
    assert "政务公开" in home and "办事指南" in home
    assert client.get(f"/gk/gd/a/{withdrawn.code}/").status_code == 404
    assert client.get(f"/gk/gd/a/{scheduled.code}/").status_code == 404
    assert scheduled.title not in client.get("/gk/gd/c/tzgg/").content.decode()

    before = (articles.count(), AuditEntry.objects.count(), ReadDaily.objects.count())
    assert "演示门户已存在" in run_demo()
    assert (articles.count(), AuditEntry.objects.count(), ReadDaily.objects.count()) == before
