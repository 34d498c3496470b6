"""At 375 px in headless Chromium: a township reviewer signs in, finds the first review item from the home
page, passes it, and lands on the next one ("下一条").

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from guanhuai.accounts.tests.factories import PASSWORD
from guanhuai.core.testing import page_width
from guanhuai.programmes.models import Application
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.states import Step
from guanhuai.programmes.tests.factories import build_apps
from guanhuai.registry.tests.factories import family

WIDTH = 375

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(tree, people, settings, tmp_path):
    """Two applications of 甲村 waiting at the township step (the steps before have their own tests)."""
    apps = build_apps(tree, people)
    out = []
    for address in ("甲村21号", "甲村22号"):
        person = family(people.clerk_a, tree.village_a, address=address).members.first()
        a = svc.application_submit(
            actor=people.clerk_a,
            application=svc.application_create(actor=people.clerk_a, programme=apps.programme, person=person)[
                0
            ],
        )
        Application.objects.filter(pk=a.pk).update(step=Step.TOWNSHIP)
        out.append(a)
    return out


def test_a_township_reviewer_works_through_the_queue_from_home(live_server, people, queue, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url

    def fits():
        assert page_width(page) <= WIDTH, page.url

    # signs in and lands on home, which is her queue
    page.goto(f"{base}/")
    page.fill("input[name=username]", people.reviewer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    tile = page.locator('[data-key="programmes.review.township"]')
    expect(tile).to_have_attribute("data-count", "2")
    expect(page.locator('[data-key="programmes.review.county"]')).to_have_count(0)
    fits()

    # the tile opens the review desk filtered to her step; she opens the first application
    tile.click()
    page.wait_for_url(re.compile(r".*/programmes/\?step=township$"))
    fits()
    page.locator("table a[href*='/applications/']").first.click()
    page.wait_for_url(re.compile(r".*/applications/\d+/$"))
    first = int(re.search(r"/applications/(\d+)/$", page.url)[1])

    # passes it
    page.get_by_label("通过", exact=True).check()
    page.get_by_label("意见").fill("情况属实")
    page.get_by_role("button", name="提交审核意见").click()

    # and lands on the next one, told so
    page.wait_for_url(re.compile(r".*/applications/\d+/$"))
    (other,) = [a.pk for a in queue if a.pk != first]
    assert page.url.endswith(reverse("programmes:application_detail", args=[other]))
    expect(page.locator(".alert-success")).to_contain_text("下一条")
    expect(page.get_by_role("button", name="提交审核意见")).to_be_visible()
    fits()
