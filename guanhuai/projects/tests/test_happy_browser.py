"""End to end in headless Chromium at 375 px: 甲村's clerk nominates a family of her village on a phone with the
five statements and a photo; 甲镇's reviewer finds it under "待我评审" and recommends it to the county.
Screenshots are written when GUANHUAI_SHOTS names a directory.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import os
import re

import pytest

from guanhuai.accounts.tests.factories import PASSWORD, user_with_role
from guanhuai.projects.models_happy import Nomination
from guanhuai.projects.services import install_builtin_types
from guanhuai.projects.tests.factories_happy import EVIDENCE, family, selection_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
LABELS = {
    "civilised": "文明",
    "healthy": "健康",
    "eugenic": "优生",
    "prosperous": "致富",
    "dedicated": "奉献",
}


def _shot(page, name: str) -> None:
    folder = os.environ.get("GUANHUAI_SHOTS")
    if folder:
        for width in (375, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 375, "height": 812})


def _login(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/$"))


def test_a_village_clerk_nominates_and_the_township_recommends(live_server, tree, browser_page):
    from playwright.sync_api import expect

    types = {t.code: t for t in install_builtin_types()}
    user_with_role("village_clerk", tree.village_a, username="cun_ganbu")
    user_with_role("township_reviewer", tree.town_a, username="zhen_shenhe")
    project = selection_project(
        types["happy_family"], tree.city, area=[tree.county], name="韶关市幸福家庭创建"
    )
    hh = family(tree.village_a, 1, "张明")
    page = browser_page
    page.set_default_timeout(60_000)  # a shared, busy machine: the first page load compiles templates

    # given: the clerk is signed in on a phone and opens the project's selection
    _login(page, live_server.url, "cun_ganbu")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.locator("#happy-families").get_by_role("link", name="提名家庭").click()
    expect(page.get_by_role("heading", name=re.compile("提名幸福家庭"))).to_be_visible()

    # when: she types the household number, the five statements, takes a photo and submits
    page.get_by_label("户编号").fill(hh.number)
    for code, label in LABELS.items():
        page.get_by_label(label, exact=True).fill(EVIDENCE[code])
    page.get_by_label(re.compile("证明材料")).set_input_files(
        files=[{"name": "family.png", "mimeType": "image/png", "buffer": PNG}]
    )
    _shot(page, "happy-nominate")
    page.get_by_role("button", name="提交提名").click()

    # then: the nomination waits at the township, with its evidence and its photo
    expect(page.locator("#status")).to_have_text("待乡镇(街道)级评审")
    expect(page.locator("#evidence")).to_contain_text(EVIDENCE["prosperous"])
    expect(page.locator("#evidence")).to_contain_text("family.png")
    assert Nomination.objects.get().document is not None

    # and: the township reviewer finds it waiting for them and recommends it
    page.context.clear_cookies()
    _login(page, live_server.url, "zhen_shenhe")
    page.goto(f"{live_server.url}/projects/happy-families/?mine=1")
    _shot(page, "happy-list")
    page.locator("[data-nomination]").first.click()
    expect(page.locator("#review")).to_be_visible()
    page.get_by_label("推荐", exact=True).check()
    page.get_by_label("评审意见").fill("事迹属实，同意推荐。")
    _shot(page, "happy-review")
    page.get_by_role("button", name="提交评审意见").click()
    expect(page.locator("#status")).to_have_text("待县(区)级评审")
    expect(page.locator('[data-step="township"]')).to_contain_text("事迹属实，同意推荐。")
    _shot(page, "happy-nomination")
    assert Nomination.objects.get().step == "county"
