"""End to end in headless Chromium at 375 px: a trainer shows the sign-in code on their phone, an attendee signs in
on their own phone without a login, and a sign-in after the session has ended is refused.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import PASSWORD, user_with_role
from guanhuai.association import services
from guanhuai.association.models_training import Attendance, TrainingTopic
from guanhuai.association.tests.factories import CadreFactory, training_topics
from guanhuai.core.testing import page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _topics(db):
    training_topics()


def _course(officer, unit, day, title):
    return services.course_create(
        actor=officer,
        org_unit=unit,
        topic=TrainingTopic.objects.get(code="publicity"),
        title=title,
        starts_on=day,
        ends_on=day,
        hours=3,
        capacity=30,
    )


def test_a_trainer_runs_a_sign_in_and_a_late_sign_in_is_refused(live_server, tree, browser_page):
    from playwright.sync_api import expect

    officer = user_with_role("association_officer", tree.county, username="xiehui")
    now, today = timezone.now(), timezone.localdate()
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))
    # given a course running now, with one enrolled cadre
    course = _course(officer, tree.county, today, "宣传员培训班")
    session = services.session_add(
        actor=officer,
        course=course,
        starts_at=max(now - dt.timedelta(minutes=30), midnight),
        ends_at=min(now + dt.timedelta(hours=1), midnight + dt.timedelta(hours=23, minutes=59)),
        hours=1,
    )
    cadre = CadreFactory(org_unit=tree.village_a, name="王小红")
    enrolment = services.enrol(actor=officer, course=course, cadres=[cadre])[0]
    # and yesterday's course, whose code was shown while it ran
    yesterday = today - dt.timedelta(days=1)
    old = _course(officer, tree.county, yesterday, "昨天的培训班")
    old_session = services.session_add(
        actor=officer,
        course=old,
        starts_at=timezone.make_aware(dt.datetime.combine(yesterday, dt.time(9))),
        ends_at=timezone.make_aware(dt.datetime.combine(yesterday, dt.time(12))),
    )
    old_enrolment = services.enrol(actor=officer, course=old, cadres=[cadre])[0]
    old_code = services.signin_code_issue(actor=officer, session=old_session, now=old_session.starts_at)
    page = browser_page
    shots = os.environ.get("GUANHUAI_SHOTS_DIR", "")

    # the trainer signs in on the phone and opens the session's sign-in page
    page.goto(f"{live_server.url}/association/training/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/association/training/$"))
    page.get_by_role("link", name=re.compile("宣传员培训班")).click()
    page.get_by_role("link", name="签到", exact=True).click()
    page.get_by_role("button", name="显示签到码").click()
    word = page.locator("#signin-word").inner_text().strip()
    assert re.fullmatch(r"\d{6}", word)
    assert page.locator("#signin-qr svg").is_visible()
    assert page_width(page) <= 375
    if shots:
        page.screenshot(path=f"{shots}/trainer-code-375.png", full_page=True)

    # an attendee, on their own phone and not logged in, types the code and their personal code
    phone = page.context.browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    attendee = phone.new_page()
    attendee.goto(f"{live_server.url}/association/sign-in/")
    attendee.fill("#id_word", word)
    attendee.fill("#id_personal_code", enrolment.personal_code)
    attendee.get_by_role("button", name="签到").click()
    assert "王**，签到成功" in attendee.locator("#signin-done").inner_text()
    assert page_width(attendee) <= 375
    if shots:
        attendee.screenshot(path=f"{shots}/attendee-signed-in-375.png", full_page=True)

    # yesterday's QR code, scanned today: refused as late, nothing recorded
    attendee.goto(f"{live_server.url}/association/sign-in/{old_code.token}/")
    attendee.fill("#id_personal_code", old_enrolment.personal_code)
    attendee.get_by_role("button", name="签到").click()
    expect(attendee.locator("main form")).to_contain_text("不能再签到")
    if shots:
        attendee.screenshot(path=f"{shots}/attendee-late-375.png", full_page=True)
    phone.close()
    assert list(Attendance.objects.values_list("session_id", flat=True)) == [session.pk]

    # the trainer's list shows the attendee present
    page.reload()
    assert "已签到 1 / 1" in page.locator("h2").first.inner_text()
