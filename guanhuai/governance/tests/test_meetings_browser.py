"""End to end in headless Chromium at 375 px: a clerk signs people in by their codes until the quorum banner
turns green, records a vote, and closes the meeting.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import PASSWORD
from guanhuai.governance import services
from guanhuai.governance.models import Meeting, RollEntry
from guanhuai.governance.states import MeetingStatus, MotionStatus
from guanhuai.governance.tests.factories import MeetingFactory, adults

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_signs_people_in_until_the_quorum_turns_green_votes_and_closes(
    live_server, tree, people, browser_page
):
    adults(tree.village_a, 5, per_household=1)  # five households: 3 of 5 is a majority, not 2/3 of households
    meeting = MeetingFactory(
        unit=tree.village_a,
        title="富龙村村民会议",
        created_by=people.clerk_a,
        scheduled_at=timezone.now() + dt.timedelta(days=12),
    )
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="修订村规民约")
    services.meeting_open(actor=people.clerk_a, meeting=meeting, chair_name="张主任", recorder_name="李文书")
    services.motion_create(actor=people.clerk_a, meeting=meeting, title="通过修订后的村规民约")
    codes = list(RollEntry.objects.filter(meeting=meeting).order_by("pk").values_list("code", flat=True))
    page = browser_page
    shots = os.environ.get("GUANHUAI_SHOTS_DIR", "")

    page.goto(f"{live_server.url}/governance/meetings/{meeting.pk}/")
    page.fill("input[name=username]", people.clerk_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(rf".*/governance/meetings/{meeting.pk}/$"))
    page.locator("#to-signin").click()
    banner = page.locator("#quorum-banner")
    assert "alert-warning" in (banner.get_attribute("class") or "")

    # two people sign in, the second twice by mistake (refused): 2 of 5 is short
    for code in [codes[0], codes[1], codes[1]]:
        page.fill("#code", code)
        page.locator("#code-form button[type=submit]").click()
        page.wait_for_timeout(300)
    page.wait_for_selector("text=不能重复签到")
    page.wait_for_selector("#quorum-banner:has-text('已到 2 / 应到 5 人，还差 1 人')")
    assert page.locator("#quorum-banner").get_attribute("data-met") == "0"
    page.fill("#code", codes[2])
    page.locator("#code-form button[type=submit]").click()
    page.wait_for_selector("#quorum-banner:has-text('已到 3 / 应到 5 人，已过半数，可以开会')")
    # htmx keeps the old banner's class for its settle step after the swap, then applies the new one: wait
    # for it rather than read it at once (read at once, it raced and failed on a busy machine)
    page.wait_for_selector("#quorum-banner.alert-success")
    if shots:
        page.screenshot(path=os.path.join(shots, "meeting-signin-375.png"), full_page=True)

    # back on the meeting: open voting on the motion, record the counts, close
    page.get_by_role("link", name=re.compile("富龙村村民会议")).click()
    page.get_by_role("button", name="开始表决").click()
    page.fill("input[name=votes_for]", "2")
    page.fill("input[name=votes_against]", "1")
    page.fill("input[name=votes_abstain]", "0")
    page.get_by_role("button", name="记录表决结果").click()
    page.wait_for_selector("text=赞成 2，反对 1，弃权 0")
    if shots:
        page.screenshot(path=os.path.join(shots, "meeting-tally-375.png"), full_page=True)
    page.locator("#close-meeting").click()
    page.wait_for_selector("#meeting-status:has-text('已闭会')")
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.status == MeetingStatus.CLOSED and meeting.present == 3
    assert meeting.motions.get().status == MotionStatus.PASSED
