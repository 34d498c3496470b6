"""Shared fixtures: a small real-shaped tree and one user per role.

广东省 440000
└── 韶关市 440200
    ├── 仁化县 440224
    │   ├── 甲镇 440224100000 ── 甲村 440224100001, 甲社区 440224100002
    │   └── 乙镇 440224101000 ── 乙村 440224101001
    └── 始兴县 440222
"""

from __future__ import annotations

import os
import shutil
from types import SimpleNamespace

import pytest

from guanhuai.accounts.tests.factories import ApiClient, user_with_role
from guanhuai.orgs.tests.factories import OrgUnitFactory


@pytest.fixture
def tree(db):
    province = OrgUnitFactory(code="440000", name="广东省", level="province")
    city = OrgUnitFactory(code="440200", name="韶关市", level="city", parent=province)
    county = OrgUnitFactory(code="440224", name="仁化县", level="county", parent=city)
    other_county = OrgUnitFactory(code="440222", name="始兴县", level="county", parent=city)
    town_a = OrgUnitFactory(code="440224100000", name="甲镇", level="township", kind="town", parent=county)
    town_b = OrgUnitFactory(code="440224101000", name="乙镇", level="township", kind="town", parent=county)
    village_a = OrgUnitFactory(
        code="440224100001", name="甲村", level="village", kind="village", parent=town_a
    )
    community_a = OrgUnitFactory(
        code="440224100002", name="甲社区", level="village", kind="community", parent=town_a
    )
    village_b = OrgUnitFactory(
        code="440224101001", name="乙村", level="village", kind="village", parent=town_b
    )
    return SimpleNamespace(
        province=province,
        city=city,
        county=county,
        other_county=other_county,
        town_a=town_a,
        town_b=town_b,
        village_a=village_a,
        community_a=community_a,
        village_b=village_b,
    )


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        clerk_a=user_with_role("village_clerk", tree.village_a, username="clerk_a"),
        reviewer_a=user_with_role("township_reviewer", tree.town_a, username="reviewer_a"),
        reviewer_b=user_with_role("township_reviewer", tree.town_b, username="reviewer_b"),
        approver=user_with_role("county_approver", tree.county, username="approver"),
        admin=user_with_role("province_admin", tree.province, username="padmin"),
        county_admin=user_with_role("province_admin", tree.county, username="cadmin"),
        auditor=user_with_role("auditor", tree.province, username="auditor"),
    )


@pytest.fixture
def api(db):
    """api(user) -> an ApiClient of /api/v1 holding a fresh personal token of that user."""
    return ApiClient


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def browser_page():
    """A page in headless Chromium on a phone-sized screen (375 × 812, zh-CN, downloads allowed).

    Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1), where it fails."""
    if not CHROMIUM:
        if os.environ.get("GUANHUAI_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (GUANHUAI_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM work is all done outside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(
            viewport={"width": 375, "height": 812}, locale="zh-CN", accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads, result files and scanned documents go to a folder of the test's own, never var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts from zero, whatever ran before it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def rate_clock(monkeypatch):
    """The rate limits' counters run in fixed windows of django-ratelimit's clock; it stands still in every
    test (a test moves it with `rate_clock.now += 60`), so a window never ends halfway through a test on a
    loaded machine and lets a fourth request of a "3 a minute" limit through."""
    from django_ratelimit import core

    state = SimpleNamespace(now=1_800_000_000.0)
    monkeypatch.setattr(core, "time", SimpleNamespace(time=lambda: state.now))
    return state


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in the thread; each test starts in the default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
