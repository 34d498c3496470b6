"""End to end in headless Chromium at 375 px: a township cadre opens the township's project on a phone,
uploads a photo of the activity from the camera input, and the county's project officer then sees it on the
project's page; a file that is not a picture is refused with the reason.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import struct
import zlib

import pytest

from guanhuai.accounts.tests.factories import PASSWORD, user_with_role
from guanhuai.core.testing import page_width
from guanhuai.projects.models import ProjectDocument
from guanhuai.projects.services import install_builtin_types
from guanhuai.projects.tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([30, 120, 200]) * 8 for _row in range(6))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 6, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _login(page, url, user) -> None:
    page.goto(url)
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(url)


def test_a_township_cadre_uploads_a_photo_on_a_phone_and_the_county_sees_it(
    live_server, tree, browser_page, tmp_path
):
    youth = {t.code: t for t in install_builtin_types()}["youth_health"]
    project = ProjectFactory(
        org_unit=tree.town_a, type=youth, status="in_progress", name="甲镇青春健康进校园"
    )
    cadre = user_with_role("township_reviewer", tree.town_a, username="zhen_ganbu")
    county = user_with_role("project_officer", tree.county, username="xian_xiangmu")
    photo = tmp_path / "课堂照片.png"
    photo.write_bytes(_png())
    fake = tmp_path / "签到表.png"
    fake.write_bytes(b"%PDF-1.4 a scanned sheet saved with the wrong name")
    page = browser_page
    page.set_default_timeout(30_000)  # a shared test machine can be slow; the outcome must hold anyway
    # the cadre opens the project and the upload form on the phone
    _login(page, f"{live_server.url}/projects/{project.pk}/", cadre)
    page.click("text=上传照片或签到表")
    assert page.locator("input[type=file]").get_attribute("capture") == "environment"
    # a PDF named .png is refused, with the reason
    page.select_option("select[name=kind]", "sign_in")
    page.set_input_files("input[type=file]", str(fake))
    page.get_by_role("button", name="上传").click()
    page.get_by_text("内容是 PDF，与扩展名不符").wait_for()  # the refusal, once the form comes back
    # the photo goes in
    page.select_option("select[name=kind]", "photo")
    page.set_input_files("input[type=file]", str(photo))
    page.get_by_role("button", name="上传").click()
    page.wait_for_url(f"{live_server.url}/projects/{project.pk}/")
    assert page.locator("[data-document]").count() == 1
    assert page_width(page) <= 375
    # the county's officer sees the photo on the project's page, and it loads as an image
    page.context.clear_cookies()
    _login(page, f"{live_server.url}/projects/{project.pk}/", county)
    image = page.locator("[data-document] img")
    assert image.count() == 1
    # wait for the image to finish loading (a loaded page may still be fetching it), then check it decoded
    image.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete", arg=image.element_handle())
    assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) == 8
    assert ProjectDocument.objects.get().uploaded_by == cadre
