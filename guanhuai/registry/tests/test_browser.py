"""End to end in headless Chromium on a phone-sized screen: a village clerk registers a household of two.
A wrong ID digit shows the Chinese checksum error as they type; the fixed ID shows the derived birth date
and sex; saving works and the household is in the list.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import re

import pytest

from guanhuai.accounts.tests.factories import PASSWORD, user_with_role
from guanhuai.core.testing import page_width
from guanhuai.registry.tests.factories import make_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wrong_check_digit(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def test_village_clerk_adds_a_household_of_two_with_inline_id_checks(live_server, tree, browser_page):
    from playwright.sync_api import expect

    from guanhuai.registry.models import Household

    user_with_role("village_clerk", tree.village_a, username="cun_zhuangan")
    head_id = make_id("1978-06-07", sex="male")
    spouse_id = make_id("1980-11-12", sex="female")
    page = browser_page

    # given: the clerk is signed in on a phone
    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", "cun_zhuangan")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/$"))

    # when: they open the registry from the phone menu and start a new household
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name="户籍人口").click()
    page.get_by_role("link", name="登记新户").click()
    page.get_by_label("住址").fill("甲村三组8号")

    head = page.locator(".member-row").nth(0)
    head.get_by_label("姓名").fill("刘强")
    id_box = head.get_by_label("身份证号")
    # a wrong last digit: the checksum error appears inline, in Chinese, before saving
    id_box.fill(wrong_check_digit(head_id))
    expect(head.get_by_text(f"身份证号校验位错误：最后一位应为 {head_id[-1]}。")).to_be_visible()
    # fixed: the error goes and the birth date and sex are filled in from the number
    id_box.fill(head_id)
    expect(head.locator("[data-derived=birth_date]")).to_have_value("1978-06-07")
    expect(head.locator("[data-derived=sex]")).to_have_value("男")
    expect(head.get_by_text("身份证号校验位错误")).to_have_count(0)
    head.get_by_label("联系电话").fill("13512345678")

    # a second member, added with the "add member" button
    page.get_by_role("button", name="添加成员").click()
    spouse = page.locator(".member-row").nth(1)
    spouse.get_by_label("姓名").fill("王芬")
    spouse.get_by_label("身份证号").fill(spouse_id)
    expect(spouse.locator("[data-derived=birth_date]")).to_have_value("1980-11-12")
    expect(spouse.locator("[data-derived=sex]")).to_have_value("女")
    spouse.get_by_label("与户主关系").select_option("spouse")

    # the page fits the phone: nothing scrolls sideways
    assert page_width(page) <= 375

    page.get_by_role("button", name="保存", exact=True).click()

    # then: the household page shows both members, masked
    page.wait_for_url(re.compile(r".*/registry/households/\d+/$"))
    expect(page.get_by_text("已登记新户，共2人。")).to_be_visible()
    expect(page.get_by_role("link", name="王芬")).to_be_visible()
    assert page.get_by_text(head_id).count() == 0

    # …and the household is in the list
    page.goto(f"{live_server.url}/registry/households/")
    expect(page.get_by_role("link", name="刘强")).to_be_visible()
    expect(page.get_by_text("甲村三组8号")).to_be_visible()
    household = Household.objects.get()
    assert household.members.count() == 2 and household.head.name == "刘强"
