"""End to end in headless Chromium at 375 px: a township cadre opens a county's project on a phone, logs an
activity in their township with a photo, and a county project officer then sees it in the project's totals.
Screenshots are written when GUANHUAI_SHOTS names a directory.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import os
import re

import pytest

from guanhuai.accounts.tests.factories import PASSWORD, user_with_role
from guanhuai.projects.models import Activity
from guanhuai.projects.services import install_builtin_types
from guanhuai.projects.tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


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


def test_a_township_cadre_logs_an_activity_with_a_photo_and_the_county_sees_it(
    live_server, tree, browser_page
):
    from playwright.sync_api import expect

    types = {t.code: t for t in install_builtin_types()}
    user_with_role("township_reviewer", tree.town_a, username="zhen_ganbu")
    user_with_role("project_officer", tree.county, username="xian_xiangmu")
    # a county's project over the whole county: the township cadre implements it in 甲镇 (scope is downward,
    # so it is their branch in the project's area, not the project's branch, that lets them log)
    project = ProjectFactory(
        type=types["youth_health"], org_unit=tree.county, status="in_progress", name="仁化县中学青春健康项目"
    )
    page = browser_page
    page.set_default_timeout(60_000)  # a shared, busy machine: the first page load compiles templates

    # given: the township cadre is signed in on a phone and opens the project
    _login(page, live_server.url, "zhen_ganbu")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_role("link", name="登记活动").click()

    # when: they fill in the activity, take a photo and save
    page.get_by_label("活动地点所在单位").select_option(label="甲村")
    page.get_by_label("场所名称").fill("甲村小学")
    page.get_by_label("活动日期").fill("2025-05-20")
    page.get_by_label("参与人数合计").fill("30")
    page.get_by_label("男", exact=True).fill("14")
    page.get_by_label("女", exact=True).fill("16")
    page.get_by_label("15–19岁").fill("30")
    page.get_by_label("答卷人数").fill("30")
    page.get_by_label("前测平均分（0–100）").fill("61.5")
    page.get_by_label("后测平均分（0–100）").fill("84")
    page.get_by_label(re.compile("活动照片")).set_input_files(
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}]
    )
    _shot(page, "activity-form")
    page.get_by_role("button", name="保存活动").click()

    # then: the activity is on the project's page with its photo
    expect(page.get_by_text("已登记活动。")).to_be_visible()
    expect(page.locator("[data-activity]")).to_contain_text("甲村小学")
    expect(page.locator("[data-activity] img")).to_have_count(1)
    assert Activity.objects.get().photos.count() == 1

    # and the county project officer sees it in the project's totals
    page.context.clear_cookies()
    _login(page, live_server.url, "xian_xiangmu")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.locator('[data-figure="participants"]')).to_have_text("30")
    expect(page.locator('[data-figure="scores"]')).to_contain_text("61.50 → 84.00")
    _shot(page, "project-outcomes")
