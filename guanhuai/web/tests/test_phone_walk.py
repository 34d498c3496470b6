"""A clerk's day on a phone: each role, at 375 px in headless Chromium over the small demo, signs in, finds
its first work item on the home page, completes it, and sees the next one; no page scrolls sideways.

(The township reviewer's walk, with "下一条" after a review, is `test_home_browser.py`.) Skipped when
Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from guanhuai.core.testing import page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "guanhuai-demo"
WIDTH = 375


@pytest.fixture
def walk(live_server, live_demo, browser_page):
    """The phone, and the steps every walk shares."""

    class Walk:
        page = browser_page
        base = live_server.url

        def sign_in(self, username: str) -> None:
            self.page.goto(f"{self.base}/")
            self.page.fill("input[name=username]", username)
            self.page.fill("input[name=password]", PASSWORD)
            self.page.locator("form button[type=submit]").first.click()
            self.page.wait_for_url(f"{self.base}/")
            self.fits()

        def home(self) -> None:
            self.page.goto(f"{self.base}/")
            self.fits()

        def tile(self, key: str):
            return self.page.locator(f'[data-key="{key}"]')

        def count(self, key: str) -> int:
            tile = self.tile(key)
            return int(tile.get_attribute("data-count")) if tile.count() else 0

        def fits(self) -> None:
            width = page_width(self.page)
            assert width <= WIDTH, f"{self.page.url} is {width} px wide on a {WIDTH} px phone"

    return Walk()


def test_a_village_clerk_submits_her_draft_then_finds_the_returned_application(walk):
    from playwright.sync_api import expect

    page = walk.page
    walk.sign_in("cun_zhuanguan")
    assert walk.count("programmes.drafts") == 1
    assert walk.count("programmes.returned") == 1

    # the drafts tile opens her drafts; she opens the first and submits it
    walk.tile("programmes.drafts").click()
    page.wait_for_url(re.compile(r".*/programmes/applications/\?status=draft$"))
    walk.fits()
    page.locator("table a[href*='/applications/']").first.click()
    page.wait_for_url(re.compile(r".*/applications/\d+/$"))
    walk.fits()
    # the draft still lacks the ID card: she photographs it (a phone's camera gives a JPEG) and submits
    page.get_by_label("材料类型").select_option(value="id_card")
    page.get_by_label("文件").set_input_files(
        {"name": "id.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0" + b"\0" * 64}
    )
    page.get_by_role("button", name="上传").click()
    expect(page.locator("body")).to_contain_text("id.jpg")
    walk.fits()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".alert-success")).to_be_visible()

    # home: no draft left, and the next item is the application returned to her
    walk.home()
    assert walk.count("programmes.drafts") == 0
    walk.tile("programmes.returned").click()
    page.wait_for_url(re.compile(r".*/programmes/applications/\?status=returned$"))
    walk.fits()
    page.locator("table a[href*='/applications/']").first.click()
    page.wait_for_url(re.compile(r".*/applications/\d+/$"))
    expect(page.locator("body")).to_contain_text("退回")
    walk.fits()


def test_a_county_approver_approves_then_turns_to_the_flagged_enrolment(walk):
    from playwright.sync_api import expect

    page = walk.page
    walk.sign_in("xian_shenpi")
    assert walk.count("programmes.review.county") == 1
    assert walk.count("programmes.flagged") == 1

    walk.tile("programmes.review.county").click()
    page.wait_for_url(re.compile(r".*/programmes/\?step=county$"))
    walk.fits()
    page.locator("table a[href*='/applications/']").first.click()
    page.wait_for_url(re.compile(r".*/applications/\d+/$"))
    walk.fits()
    page.get_by_label("通过", exact=True).check()
    page.get_by_label("意见").fill("同意纳入")
    page.get_by_role("button", name="提交审核意见").click()
    expect(page.locator(".alert-success")).to_be_visible()

    # the approval queue is empty; the next item is the enrolment flagged at re-confirmation
    walk.home()
    assert walk.count("programmes.review.county") == 0
    walk.tile("programmes.flagged").click()
    page.wait_for_url(re.compile(r".*/programmes/enrolments/flagged/$"))
    walk.fits()
    expect(page.locator("[data-enrolment]")).to_have_count(1)


def test_a_finance_officer_generates_a_cycle_and_sees_the_next_programme_to_generate(walk):
    from playwright.sync_api import expect

    from guanhuai.programmes.models import Programme
    from guanhuai.programmes.periods import period_containing

    page = walk.page
    walk.sign_in("caiwu")
    before = walk.count("programmes.cycles_to_generate")
    assert before >= 2
    detail = walk.tile("programmes.cycles_to_generate").inner_text()

    walk.tile("programmes.cycles_to_generate").click()
    page.wait_for_url(re.compile(r".*/programmes/cycles/$"))
    walk.fits()
    # the first programme the tile names, for its current period
    programme = next(p for p in Programme.objects.order_by("pk") if p.name in detail)
    period = period_containing(timezone.localdate(), programme.period).label
    form = page.locator("form[action$='/cycles/generate/']")
    if not form.is_visible():
        page.locator("summary", has_text="生成新的发放周期").click()
    form.locator("select[name=programme]").select_option(value=str(programme.pk))
    form.locator("input[name=period]").fill(period)
    form.get_by_role("button", name="生成").click()
    page.wait_for_url(re.compile(r".*/cycles/\d+/$"))
    expect(page.locator("body")).to_contain_text(period)
    walk.fits()

    walk.home()
    assert walk.count("programmes.cycles_to_generate") == before - 1
    assert programme.name not in walk.tile("programmes.cycles_to_generate").inner_text()


def test_a_fund_manager_closes_last_month_of_one_fund_and_sees_the_others_waiting(walk):
    from playwright.sync_api import expect

    page = walk.page
    walk.sign_in("jijin")
    before = walk.count("funds.periods_to_close")
    assert before >= 2
    last_month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).strftime("%Y-%m")
    expect(walk.tile("funds.periods_to_close")).to_contain_text(last_month)

    walk.tile("funds.periods_to_close").click()
    page.wait_for_url(re.compile(r".*/funds/$"))
    walk.fits()
    page.locator("a[data-fund]").first.click()
    page.wait_for_url(re.compile(r".*/funds/\d+/$"))
    walk.fits()
    page.get_by_role("link", name="月末结账").click()
    page.get_by_label("会计期间").fill(last_month)
    page.get_by_role("button", name="确认结账").click()
    expect(page.locator(".alert-success")).to_contain_text(last_month)
    walk.fits()

    walk.home()
    assert walk.count("funds.periods_to_close") == before - 1


def test_an_auditor_reads_the_voided_receipts_then_the_weeks_sensitive_reads(walk):
    from playwright.sync_api import expect

    page = walk.page
    walk.sign_in("shenji")
    voided = walk.count("funds.voided_receipts")
    assert voided >= 1

    walk.tile("funds.voided_receipts").click()
    page.wait_for_url(re.compile(r".*/funds/receipts/gaps/\?year=\d{4}$"))
    walk.fits()
    expect(page.locator("tbody tr", has_text="已作废")).to_have_count(voided)
    # each voided number shows why it was voided
    for reason in page.locator("tbody tr", has_text="已作废").locator("td:last-child").all_inner_texts():
        assert reason.strip()

    walk.home()
    walk.tile("registry.sensitive_reads").click()
    page.wait_for_url(re.compile(r".*/audit/\?action=registry\.person\.unmasked&since=.*"))
    expect(page.get_by_label("操作", exact=True)).to_have_value("registry.person.unmasked")
    walk.fits()
