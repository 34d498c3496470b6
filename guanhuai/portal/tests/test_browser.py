"""End to end in headless Chromium at 375 px: a visitor opens the province's site, switches to Traditional,
goes through a column to an article and reads it in Traditional, with its breadcrumbs, read count,
previous/next links and footer; the page never scrolls sideways, runs under its CSP without an error, and
axe-core finds no serious accessibility violation. Screenshots when GUANHUAI_SHOTS names a directory.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from guanhuai.core.testing import page_width
from guanhuai.portal.tests.factories import ArticleFactory, ColumnFactory, SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WIDTH = 375


def _shot(page, name: str) -> None:
    folder = os.environ.get("GUANHUAI_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}-{WIDTH}.png", full_page=True)


def _serious_violations(page) -> list[str]:
    if not AXE.exists():
        if os.environ.get("GUANHUAI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"axe-core is required but {AXE} is missing: run `make assets`")
        return []
    # evaluated by the test driver, not injected as a <script>: the page's CSP forbids inline scripts
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return list(
        page.evaluate(
            """() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id}: ` + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))"""
        )
    )


def test_a_visitor_reads_an_article_in_traditional_on_a_phone(live_server, tree, browser_page):
    from playwright.sync_api import expect

    site = SiteFactory(unit=tree.province, name="广东省计划生育协会", slug="gd", phone="020-83000000")
    zwgk = ColumnFactory(site=site, name="政务公开", slug="zwgk")
    files = ColumnFactory(site=site, parent=zwgk, name="文件资料", slug="wjzl")
    now = timezone.now()
    ArticleFactory(column=files, title="关于开展会员再登记的通知", publish_at=now - dt.timedelta(days=3))
    article = ArticleFactory(
        column=files,
        title="发挥计生协生力军作用的三个关键因素",
        author="广东省计生协第一副会长 张枫",
        body_source="计生协要发挥生力军作用。\n\n## 一、把握方向\n\n坚持以人民为中心。",
        publish_at=now - dt.timedelta(days=1),
    )
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/gk/gd/")
    expect(page.locator(".gk-brand")).to_have_text("广东省计划生育协会")
    page.get_by_role("link", name="繁體").click()
    expect(page.locator(".gk-brand")).to_have_text("廣東省計劃生育協會")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")

    page.get_by_role("navigation", name="欄目導航").get_by_role("link", name="政務公開").click()
    page.get_by_role("link", name="文件資料").first.click()
    page.get_by_role("link", name="發揮計生協生力軍作用的三個關鍵因素").click()

    assert page.url.endswith(f"/gk/hant/gd/a/{article.code}/")
    expect(page.locator("h1")).to_have_text("發揮計生協生力軍作用的三個關鍵因素")
    expect(page.locator(".gk-crumbs")).to_contain_text("首頁 > 政務公開 > 文件資料")
    expect(page.locator(".gk-author")).to_have_text("廣東省計生協第一副會長 張楓")
    expect(page.locator(".gk-meta")).to_contain_text("閱讀次數")
    expect(page.locator(".gk-body h2")).to_have_text("一、把握方向")
    expect(page.locator(".gk-prevnext")).to_contain_text("上一篇：關於開展會員再登記的通知")
    expect(page.locator(".gk-footer")).to_contain_text("訪問統計")
    assert page_width(page) <= WIDTH
    _shot(page, "portal-article-hant")

    problems = _serious_violations(page)
    assert not problems, "\n".join(problems)
    assert not [e for e in errors if "Content Security Policy" in e], errors

    # back to Simplified, on the same article
    page.get_by_role("link", name="简体").click()
    expect(page.locator("h1")).to_have_text("发挥计生协生力军作用的三个关键因素")
    # the skip link is the first tab stop
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("跳到正文")
