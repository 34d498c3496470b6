"""End to end in headless Chromium at 375 px: the fund manager opens a project's goods page on a phone, reverses
a goods use recorded at the wrong value (the button opens a confirmation that asks why), and the goods page,
the project's money box and the portal's project page then count only the goods kept. Screenshots are written
when GUANHUAI_SHOTS names a directory.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.urls import reverse

from guanhuai.accounts.tests.factories import PASSWORD
from guanhuai.funds import services as funds_services
from guanhuai.funds.tests.factories import donor
from guanhuai.portal.tests.factories import SiteFactory
from guanhuai.projects import services
from guanhuai.projects.models import ProjectGoodsUse
from guanhuai.projects.states import GoodsUseStatus
from guanhuai.projects.tests.factories import approved_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def test_the_fund_manager_reverses_a_wrong_goods_use_from_a_phone(
    live_server, tree, types, staff, books, browser_page
):
    from playwright.sync_api import expect

    funds_services.donation_record(
        actor=staff.finance,
        donor=donor(staff.manager, tree.province, name="爱心药企"),
        fund=books.fund,
        kind="in_kind",
        amount="5000.50",
        received_on=dt.date(2025, 4, 1),
        items="青春健康宣传册 2000 本",
        quantity="2000",
        valuation_basis="捐赠方发票",
    )
    project = approved_project(tree, types, staff)
    for amount, items in (("1200.25", "青春健康宣传册 600 本"), ("800.10", "安全套 500 盒")):
        services.project_use_goods(
            actor=staff.finance,
            project=project,
            fund=books.fund,
            amount=amount,
            used_on=dt.date(2025, 6, 1),
            items=items,
        )
    wrong = ProjectGoodsUse.objects.get(amount="1200.25")
    SiteFactory(unit=tree.county, name="仁化县计划生育协会", slug="renhua")
    page = browser_page
    page.set_default_timeout(60_000)  # a shared, busy machine: the first page load compiles templates

    # given: the fund manager, signed in on a phone, opens the project's goods page
    _login(page, live_server.url, staff.manager.username)
    page.goto(f"{live_server.url}/projects/{project.pk}/goods/")
    expect(page.locator("[data-goods-used]")).to_have_text("¥2,000.35")
    _shot(page, "goods-page")

    # when: they press 冲销 on the wrong use, say why, and confirm
    page.locator(f'[data-goods-use="{wrong.pk}"]').get_by_role("link", name="冲销").click()
    page.wait_for_url(re.compile(rf".*/goods/{wrong.pk}/reverse/$"))
    expect(page.get_by_role("heading", name=re.compile("冲销物资使用"))).to_be_visible()
    page.get_by_label("冲销原因").fill("价值填错：应为 200.25 元")
    _shot(page, "goods-reverse-confirm")
    page.get_by_role("button", name="确认冲销").click()

    # then: the goods page marks it reversed, with why, and counts only the goods kept
    page.wait_for_url(re.compile(rf".*/projects/{project.pk}/goods/$"))
    expect(page.get_by_text("已冲销这笔物资使用，¥1,200.25 的物资已退回“生育关怀基金”。")).to_be_visible()
    row = page.locator(f'[data-goods-use="{wrong.pk}"]')
    expect(row).to_have_attribute("data-status", "reversed")
    expect(row.locator("[data-reversal]")).to_contain_text("价值填错：应为 200.25 元")
    expect(row.get_by_role("link", name="冲销")).to_have_count(0)
    expect(page.locator("[data-goods-used]")).to_have_text("¥800.10")
    _shot(page, "goods-page-reversed")
    wrong.refresh_from_db()
    assert wrong.status == GoodsUseStatus.REVERSED and wrong.reversed_by == staff.manager

    # and the project's money box shows goods used beside cash spent
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.locator("#money [data-goods-used]")).to_have_text("¥800.10")
    expect(page.locator("#money [data-spent]")).to_have_text("¥0.00")
    page.locator("#money").scroll_into_view_if_needed()
    _shot(page, "project-page")

    # and the public sees the same on the portal's project page
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("portal:project", kwargs={"site": "renhua", "code": project.code}))
    expect(page.locator("#goods-used")).to_have_text("¥800.10")
    _shot(page, "portal-project")
