"""Accessibility on a phone (375 px, headless Chromium) over the small demo: axe-core finds no serious or
critical violation on the main page of each app; the skip link is the first stop of the keyboard; links in
tables, checkboxes and radios are touch targets of at least 44 px; list tables become cards that never
scroll sideways.

axe-core comes from npm (package.json's devDependencies, installed by `make assets`). Skipped, like the
browser, when it is missing, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from guanhuai.core.testing import page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "guanhuai-demo"
WIDTH = 375

# The main page of each app, as the demo user whose work it is.
MAIN_PAGES = {
    "cun_zhuanguan": ["/", "/registry/persons/", "/registry/households/", "/programmes/applications/"],
    "zhen_shenhe": ["/programmes/"],
    "xian_shenpi": ["/programmes/enrolments/flagged/", "/programmes/enrolments/"],
    "caiwu": ["/programmes/cycles/"],
    "jijin": ["/funds/", "/funds/receipts/", "/funds/donors/"],
    "shenji": ["/audit/"],
    "sheng_admin": ["/orgs/", "/accounts/users/", "/jobs/", "/association/", "/programmes/definitions/"],
}


@pytest.fixture
def axe():
    if not AXE.exists():
        if os.environ.get("GUANHUAI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"axe-core is required but {AXE} is missing: run `make assets`")
        pytest.skip("axe-core is not installed (make assets)")
    return AXE


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def violations(page, axe_path: Path) -> list[str]:
    page.add_script_tag(path=str(axe_path))
    found = page.evaluate(
        """() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))"""
    )
    return list(found)


def test_the_main_page_of_each_app_has_no_serious_accessibility_violation(
    live_server, live_demo, axe, browser_page
):
    page = browser_page
    problems = []
    page.goto(f"{live_server.url}/accounts/login/")
    problems += [f"/accounts/login/: {v}" for v in violations(page, axe)]
    for username, paths in MAIN_PAGES.items():
        sign_in(page, live_server.url, username)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status == 200, (username, path, response.status)
            problems += [f"{path} ({username}): {v}" for v in violations(page, axe)]
            assert page_width(page) <= WIDTH, f"{path} scrolls sideways"
    assert not problems, "\n".join(problems)


def test_the_skip_link_is_the_first_tab_stop_and_moves_to_the_content(live_server, live_demo, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    sign_in(page, live_server.url, "cun_zhuanguan")

    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("跳到正文")
    expect(skip).to_be_in_viewport()  # hidden until focused, then on screen
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_on_a_phone_list_rows_are_cards_with_labels_and_touch_targets_of_44_px(
    live_server, live_demo, browser_page
):
    page = browser_page
    sign_in(page, live_server.url, "cun_zhuanguan")
    page.goto(f"{live_server.url}/registry/persons/")

    first = page.locator("table.table-cards tbody tr").first
    # the key columns are on screen, each under its heading: name (the card's title), status, village
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    assert page.locator("table.table-cards thead").bounding_box()["height"] <= 1  # headings live in the cards
    labels = first.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert '"状态"' in labels and '"村(社区)"' in labels
    link = first.locator("td a").first
    assert link.bounding_box()["height"] >= 44
    for selector in ("a.page-link", "select[name=size]"):
        if page.locator(selector).count():
            assert page.locator(selector).first.bounding_box()["height"] >= 44, selector

    # checkboxes and radios: the bulk review's row checkbox, the review form's radios
    sign_in(page, live_server.url, "zhen_shenhe")
    page.goto(f"{live_server.url}/programmes/?step=village")
    check = page.locator("td.cell-check label").first
    assert check.bounding_box()["height"] >= 44 and check.bounding_box()["width"] >= 44
    page.locator("table a[href*='/applications/']").first.click()
    # the click only starts the navigation: wait for the review form before counting its radios
    page.wait_for_url("**/programmes/applications/*/")
    radios = page.locator(".form-check:has(input[type=radio])")
    radios.first.wait_for()
    assert radios.count() >= 2
    for i in range(radios.count()):
        assert radios.nth(i).bounding_box()["height"] >= 44
