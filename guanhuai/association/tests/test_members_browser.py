"""End to end in headless Chromium at 375 px: a village chair opens the re-registration from the home
page's work queue, unticks a member who has moved away, confirms the rest with one button, and sees the
village's count change. Screenshots of the pages are written when GUANHUAI_SHOTS names a directory.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    folder = os.environ.get("GUANHUAI_SHOTS")
    if folder:
        for width in (375, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 375, "height": 812})


def test_a_village_chair_confirms_members_for_re_registration_on_a_phone(live_server, tree, browser_page):
    from playwright.sync_api import expect

    from guanhuai.association.models import Campaign, CampaignEntry, Member
    from guanhuai.association.services import campaign_prepare
    from guanhuai.association.states import CampaignStatus, MemberStatus
    from guanhuai.association.tests.factories import MemberFactory

    officer = user_with_role("association_officer", tree.county, username="xiehui_b")
    user_with_role("village_clerk", tree.village_a, username="cun_zhuxi")
    members = [MemberFactory(org_unit=tree.village_a, name=n) for n in ("赵一", "钱二", "孙三")]
    MemberFactory(org_unit=tree.village_b, name="李四")
    campaign = Campaign.objects.create(
        org_unit=tree.county,
        title="2026年会员再登记",
        opened_on=timezone.localdate(),
        deadline=timezone.localdate() + dt.timedelta(days=20),
        created_by=officer,
    )

    class _Progress:
        def __init__(self) -> None:
            from types import SimpleNamespace

            self.job = SimpleNamespace(checkpoint={}, counts={})

        def set_total(self, n: int) -> None: ...
        def step(self, n: int = 1, **kw) -> None: ...
        def save_checkpoint(self, c: dict) -> None: ...

    campaign_prepare(campaign, _Progress())
    assert Campaign.objects.get().status == CampaignStatus.OPEN
    page = browser_page

    # given: the chair is signed in on a phone and the work queue shows the members to confirm
    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", "cun_zhuxi")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/$"))
    page.get_by_role("link", name=re.compile("会员再登记待确认")).click()

    # when: they open their village's roll, untick one member and confirm the rest
    page.get_by_role("link", name="确认甲村的会员").click()
    expect(page.locator("#village-count")).to_contain_text("已确认 0 名，待确认 3 名")
    _shot(page, "reregister-village")
    page.get_by_label(re.compile("孙三")).uncheck()
    page.get_by_role("button", name="确认所选会员继续登记").click()

    # then: two are confirmed, the third still waits, and nobody outside the village was touched
    expect(page.get_by_text("已确认 2 名会员。")).to_be_visible()
    expect(page.locator("#village-count")).to_contain_text("已确认 2 名，待确认 1 名")
    _shot(page, "reregister-village-after")
    confirmed = set(
        CampaignEntry.objects.filter(confirmed_at__isnull=False).values_list("member_id", flat=True)
    )
    assert confirmed == {members[0].pk, members[1].pk}
    assert set(Member.objects.values_list("status", flat=True)) == {MemberStatus.ACTIVE}
