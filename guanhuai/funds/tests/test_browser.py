"""End to end in headless Chromium on a phone-sized screen: a finance officer records a donation, opens its
receipt (the PDF, once the documents helper's URL exists), and sees the fund balance and the statement
change.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import os
import re

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from guanhuai.accounts.tests.factories import PASSWORD
from guanhuai.core.testing import page_width
from guanhuai.funds.tests.factories import donor, fund, give

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pdf_url_exists() -> bool:
    try:
        reverse("funds_io:receipt_pdf", args=[1])
    except NoReverseMatch:
        return False
    return True


def test_finance_officer_records_a_donation_prints_its_receipt_and_sees_balance_and_statement(
    live_server, tree, money, browser_page
):
    birth_care = fund(money.manager, tree.province, name="生育关怀基金")
    company = donor(money.manager, tree.province, name="爱心企业", credit_code="91110000600037341L")
    give(money.finance, birth_care, company, "1000", on=timezone.localdate())
    page = browser_page

    # given: the finance officer signs in and opens the fund through the phone menu
    page.goto(f"{live_server.url}/funds/")
    page.fill("input[name=username]", money.finance.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/funds/$"))
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name="基金捐赠").click()
    page.get_by_role("link", name=re.compile("生育关怀基金")).first.click()
    assert page.locator("[data-balance=available]").inner_text() == "¥1,000.00"
    assert page.locator("svg[data-chart=monthly]").is_visible()
    # the page fits the phone: nothing wider than the screen
    assert page_width(page) <= 375

    # when: they record a ¥500 WeChat gift
    page.get_by_role("link", name="登记捐赠").first.click()
    page.select_option("#id_donor", label="爱心企业（91110000600037341L）")
    page.fill("#id_amount", "500")
    page.select_option("#id_channel", "wechat")
    page.get_by_role("button", name="保存并开具收据").click()

    # then: the receipt number is shown with a print link
    number = page.locator("[data-receipt-number]").inner_text().strip()
    assert re.fullmatch(r"440000-\d{4}-000002", number)
    assert page.get_by_text(f"收据编号 {number}").first.is_visible()
    link = page.get_by_role("link", name="打印收据")
    href = link.get_attribute("href")
    if _pdf_url_exists():
        response = page.request.get(f"{live_server.url}{href}")
        assert response.status == 200
        assert response.headers["content-type"].startswith("application/pdf")
        assert response.body()[:5] == b"%PDF-"
    else:
        link.click()
        assert page.locator("[data-receipt-number]").inner_text().strip() == number

    # and the fund's balance and its statement both show the new money
    page.goto(f"{live_server.url}/funds/{birth_care.pk}/")
    assert page.locator("[data-balance=available]").inner_text() == "¥1,500.00"
    page.get_by_role("link", name="基金报表").click()
    assert page.locator("[data-line=cash_donations]").inner_text() == "¥1,500.00"
    assert page.locator("[data-line=closing]").inner_text() == "¥1,500.00"
    assert page.get_by_text("已与账目核对一致").is_visible()


SHOTS = os.environ.get("GUANHUAI_SHOTS", "")


def test_on_a_phone_the_donor_is_found_by_pinyin_and_a_new_one_registered_inline(
    live_server, tree, money, browser_page
):
    fund(money.manager, tree.province, name="生育关怀基金")
    # more donors than the dropdown lists at once, so the field offers its search box
    for i in range(35):
        donor(money.manager, tree.province, name=f"爱心企业{i:02d}", kind="person")
    donor(money.manager, tree.province, name="王秀英", kind="person")
    page = browser_page
    page.goto(f"{live_server.url}/funds/donations/new/")
    page.fill("input[name=username]", money.finance.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/funds/donations/new/$"))

    # when: the officer types the initials of the donor's name with part of it in full
    search = page.locator(".search-select input[type=search]").first
    search.fill("wangxy")
    # then: the one match is chosen
    page.wait_for_function("document.querySelector('#id_donor').selectedOptions[0].text.startsWith('王秀英')")
    assert page_width(page) <= 375
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/donation-form-375.png", full_page=True)

    # when: the giver is new, registered inline without leaving the page
    page.get_by_text("新捐赠人", exact=True).click()
    page.fill("#id_new_donor-name", "李春花")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/donation-new-donor-375.png", full_page=True)
    page.get_by_role("button", name="登记并选中").click()
    page.wait_for_function("document.querySelector('#id_donor').selectedOptions[0].text.startsWith('李春花')")
    page.select_option("#id_fund", index=1)
    page.fill("#id_amount", "3280")
    page.select_option("#id_channel", "cash")
    page.get_by_role("button", name="保存并开具收据").click()

    # then: the gift is hers, in money's one format
    page.wait_for_selector("[data-receipt-number]")
    assert "李春花" in page.content() and "¥3,280.00" in page.content()
    if SHOTS:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{live_server.url}/funds/donations/new/")
        page.screenshot(path=f"{SHOTS}/donation-form-1366.png", full_page=True)
