"""End to end in headless Chromium at 375 px: a visitor opens the site's 阳光计生 notices, switches to
Traditional, reads a notice (masked names only), answers the question and files an objection; the village
clerk finds it in their records.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import re

import pytest

from guanhuai.core.testing import page_width
from guanhuai.portal.tests.factories import SiteFactory
from guanhuai.programmes.models import Objection
from guanhuai.programmes.services import applications as app_svc
from guanhuai.programmes.services import notices as notice_svc
from guanhuai.programmes.tests.factories import build_apps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_reads_a_notice_in_traditional_and_files_an_objection(
    live_server, tree, people, browser_page
):
    apps = build_apps(tree, people)
    for person in (apps.head, apps.spouse):
        application, _created = app_svc.application_create(
            actor=people.clerk_a, programme=apps.programme, person=person
        )
        app_svc.application_submit(actor=people.clerk_a, application=application)
        app_svc.application_review(actor=people.reviewer_a, application=application, decision="pass")
    notice_svc.notice_open(actor=people.clerk_a, programme=apps.programme, org_unit=tree.village_a)
    SiteFactory(unit=tree.province, name="广东省计划生育协会", slug="gd")
    page = browser_page
    page.set_default_timeout(45_000)  # a shared two-core machine: the first page loads OpenCC's tables

    # the visitor opens the notices and switches to Traditional
    page.goto(f"{live_server.url}/gk/gd/ygjs/gs/")
    page.get_by_role("link", name="繁體").click()
    page.wait_for_url(re.compile(r".*/gk/hant/gd/ygjs/gs/$"))
    page.get_by_role("link", name=re.compile("甲村特別扶助對象公示")).click()

    # reads it: masked names, the amount, how to object, all in Traditional
    table = page.locator("table.gk-notice-rows")
    assert "王**" in table.inner_text() and "李**" in table.inner_text()
    assert "王建國" not in page.content() and "王建国" not in page.content()
    assert "網上提出異議" in page.content()
    assert page_width(page) <= 375

    # files an objection about 王**, answering the question
    page.select_option("select[name=row]", label="王** · 甲村")
    page.fill("textarea[name=content]", "該戶兒子仍在廣州工作。")
    question = page.locator("label[for=id_answer]").inner_text()
    a, b = re.search(r"(\d+) 加 (\d+)", question).groups()
    page.fill("input[name=answer]", str(int(a) + int(b)))
    page.get_by_role("button", name="提交異議").click()
    page.wait_for_url(re.compile(r".*/gk/hant/gd/ygjs/gs/[0-9a-f]{12}/\?filed=1"))
    assert page.locator("#objection-filed").is_visible()

    # it is in the village's records, as written, received online
    objection = Objection.objects.get()
    assert (objection.content, objection.channel) == ("該戶兒子仍在廣州工作。", "online")
    assert objection.application.person_id == apps.head.pk
    assert objection.notice.org_unit_id == tree.village_a.pk
