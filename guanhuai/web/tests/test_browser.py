"""End to end in headless Chromium: a county approver logs in on a phone-sized screen, drills down the
branch tree to a village, and opens a job's progress page.

Skipped when Chromium is not installed, except in CI (.ci/run sets GUANHUAI_REQUIRE_BROWSER=1 and installs it).
"""

from __future__ import annotations

import re

import pytest

from guanhuai.accounts.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_approver_drills_down_to_a_village_and_sees_job_progress(live_server, tree, browser_page):
    from guanhuai.jobs.services import job_submit

    approver = user_with_role("county_approver", tree.county, username="xian_shenpi")
    job, _ = job_submit(
        actor=approver,
        kind="jobs.sleep",
        idempotency_key="browser-test-job",
        params={"steps": 3, "delay": 0},
        org_unit=tree.county,
    )
    page = browser_page

    # given: the login page
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "xian_shenpi")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/$"))

    # when: the approver opens the branch tree (through the collapsed phone menu) and drills down
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name="组织机构").click()
    page.get_by_role("link", name="仁化县").first.click()
    page.get_by_role("heading", name=re.compile("仁化县")).wait_for()  # the click only starts the navigation
    page.get_by_role("link", name="甲镇").first.click()
    page.get_by_role("link", name="甲村").first.click()

    # then: the village page shows its code and the path back up
    assert page.get_by_text("440224100001").first.is_visible()
    assert page.get_by_role("link", name="甲镇").first.is_visible()
    # …and the sibling township is nowhere in reach
    page.goto(f"{live_server.url}/orgs/{tree.other_county.pk}/")
    assert page.get_by_text("始兴县").count() == 0

    # when: the approver opens the job page
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    bar = page.get_by_role("progressbar")
    # then: the progress bar is there and reaches 100% once the job is done
    bar.wait_for()
    page.wait_for_function(
        "document.querySelector('[role=progressbar]').getAttribute('aria-valuenow') === '100'"
    )
    assert page.get_by_text("已完成").first.is_visible()
