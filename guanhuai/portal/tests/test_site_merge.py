"""A site follows its branch through a merge: to the receiving branch when that branch has no site; else it
is closed and its public addresses answer 301 to the receiving branch's site. Audited either way, and a
cached page of the old site is not served after the merge."""

from __future__ import annotations

import pytest

from guanhuai.audit.models import AuditEntry
from guanhuai.orgs.services import unit_merge
from guanhuai.portal.models import Site
from guanhuai.portal.tests.factories import ArticleFactory, ColumnFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _merge(tree, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        unit_merge(actor=people.admin, unit=tree.village_a, into=tree.community_a)


def test_the_site_moves_to_the_receiving_branch_that_has_none(
    client, tree, people, django_capture_on_commit_callbacks
):
    site = SiteFactory(unit=tree.village_a, name="甲村计生协", slug="jiacun")
    article = ArticleFactory(column=ColumnFactory(site=site), title="甲村的文章")

    _merge(tree, people, django_capture_on_commit_callbacks)

    site.refresh_from_db()
    assert site.unit == tree.community_a and site.is_active and site.moved_to is None
    page = client.get(f"/gk/jiacun/a/{article.code}/")
    assert page.status_code == 200 and "甲村的文章" in page.content.decode()
    entry = AuditEntry.objects.get(action="portal.site.moved", object_id=str(site.pk))
    assert entry.org_unit == tree.community_a and entry.actor == people.admin
    assert entry.data == {"from": tree.village_a.code, "into": tree.community_a.code}


def test_the_site_closes_and_redirects_when_the_receiving_branch_has_one(
    client, tree, people, django_capture_on_commit_callbacks
):
    old = SiteFactory(unit=tree.village_a, name="甲村计生协", slug="jiacun")
    new = SiteFactory(unit=tree.community_a, name="甲社区计生协", slug="jiashequ")
    article = ArticleFactory(column=ColumnFactory(site=old), title="甲村的文章")
    assert client.get("/gk/jiacun/").status_code == 200  # cached before the merge
    assert client.get("/gk/jiacun/")["X-Portal-Cache"] == "hit"

    _merge(tree, people, django_capture_on_commit_callbacks)

    old.refresh_from_db()
    assert not old.is_active and old.moved_to == new and old.unit == tree.village_a
    assert Site.objects.unscoped("test").get(pk=new.pk).unit == tree.community_a
    redirects = {
        "/gk/jiacun/": "/gk/jiashequ/",
        "/gk/hant/jiacun/": "/gk/hant/jiashequ/",
        "/gk/jiacun/ygjs/funds/": "/gk/jiashequ/ygjs/funds/",
        "/gk/hant/jiacun/ygjs/villages/": "/gk/hant/jiashequ/ygjs/villages/",
        f"/gk/jiacun/a/{article.code}/": "/gk/jiashequ/",  # the article stayed with the closed site
        "/gk/jiacun/c/anything/": "/gk/jiashequ/",
    }
    for path, target in redirects.items():
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (301, target), path
    assert client.get("/gk/jiashequ/").status_code == 200
    entry = AuditEntry.objects.get(action="portal.site.closed_by_merge", object_id=str(old.pk))
    assert entry.org_unit == tree.community_a and entry.actor == people.admin
    assert entry.data == {
        "from": tree.village_a.code,
        "into": tree.community_a.code,
        "redirect_to": "jiashequ",
    }


def test_a_site_closed_by_hand_is_still_the_plain_404(client, tree):
    SiteFactory(unit=tree.village_a, slug="jiacun", is_active=False)
    assert client.get("/gk/jiacun/").status_code == 404
