"""The pages a clerk and a reviewer use: 我的待办 with bulk review, creating an application from a person
search, the application page (documents, timeline, the buttons the actor may use), notices and grievances."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest
from django.urls import reverse
from django.utils import timezone

from guanhuai.core.testing import page_width
from guanhuai.programmes.models import Application, Objection
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.services import notices
from guanhuai.programmes.states import ApplicationStatus
from guanhuai.programmes.tests.factories import PDF, PNG, at_day, submitted, uploaded


def page(client, user, url, **kw):
    client.force_login(user)
    return client.get(url, **kw)


def test_the_home_page_lists_what_awaits_the_reviewer(client, apps, people):
    a = submitted(apps, people)

    r = page(client, people.reviewer_a, reverse("programmes:home"))

    assert r.status_code == 200
    html = r.content.decode()
    assert "审核待办" in html
    assert reverse("programmes:application_detail", args=[a.pk]) in html
    assert f'name="ids" value="{a.pk}"' in html


def test_the_submitting_clerk_does_not_see_their_own_application_as_awaiting_them(client, apps, people):
    a = submitted(apps, people)

    r = page(client, people.clerk_a, reverse("programmes:home"))

    assert r.status_code == 200
    assert f'name="ids" value="{a.pk}"' not in r.content.decode()


def test_home_works_for_a_user_without_programme_roles(client, tree):
    from guanhuai.accounts.tests.factories import user_with_role

    editor = user_with_role("portal_editor", tree.province, username="editor")

    r = page(client, editor, reverse("programmes:home"))

    assert r.status_code == 200


def test_bulk_pass_shows_a_result_per_application(client, apps, people, tree):
    from guanhuai.programmes.tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(
        org_unit=tree.province, created_by=people.admin, steps=["village", "township"]
    )
    ok = submitted(apps, people, person=apps.head, programme=programme)
    other = submitted(apps, people, person=apps.spouse, programme=programme)
    Application.objects.filter(pk=other.pk).update(created_by=people.reviewer_a)  # SoD refuses this one
    client.force_login(people.reviewer_a)

    r = client.post(
        reverse("programmes:home"),
        {"ids": [ok.pk, other.pk], "decision": "pass", "comment": "", "confirm": "on"},
    )

    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-id="{ok.pk}" data-ok="1"' in html
    assert f'data-id="{other.pk}" data-ok="0"' in html
    assert "不能在任何环节审核通过" in html
    ok.refresh_from_db()
    assert ok.step == "township"


def test_a_clerk_finds_a_person_and_creates_an_application(client, apps, people):
    client.force_login(people.clerk_a)
    url = reverse("programmes:application_create")

    r = client.get(url, {"q": "王建国"})
    assert r.status_code == 200
    assert f"?person={apps.head.pk}" in r.content.decode()
    # the person in 乙村 (same name) is not offered
    assert f"?person={apps.other.pk}" not in r.content.decode()

    r = client.get(url, {"person": apps.head.pk})
    key = re.search(r'name="idempotency_key" value="(\w+)"', r.content.decode()).group(1)
    data = {"person": apps.head.pk, "programme": apps.programme.pk, "reason": "失独", "idempotency_key": key}
    r = client.post(url, data)
    assert r.status_code == 302
    application = Application.objects.get()
    assert r["Location"] == reverse("programmes:application_detail", args=[application.pk])
    # a double click sends the same key: still one application, and the page says so
    again = client.post(url, data, follow=True)
    assert again.redirect_chain == [(reverse("programmes:application_detail", args=[application.pk]), 302)]
    assert "这份申请已经保存过，没有重复录入。" in again.content.decode()
    assert Application.objects.count() == 1


def test_a_clerk_cannot_open_the_create_form_for_a_person_elsewhere(client, apps, people):
    r = page(client, people.clerk_a, reverse("programmes:application_create"), data={"person": apps.other.pk})

    assert r.status_code == 404


def test_the_application_page_uploads_from_a_phone_and_shows_the_timeline(client, apps, people):
    a, _created = svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)
    client.force_login(people.clerk_a)
    detail = reverse("programmes:application_detail", args=[a.pk])

    html = client.get(detail).content.decode()
    assert 'capture="environment"' in html
    assert 'accept="application/pdf,image/jpeg,image/png"' in html
    assert apps.head.id_masked in html and apps.head.id_number not in html

    r = client.post(
        reverse("programmes:application_document_upload", args=[a.pk]),
        {"kind": "id_card", "file": uploaded(PNG, "身份证.png")},
    )
    assert r.status_code == 302
    r = client.post(
        reverse("programmes:application_document_upload", args=[a.pk]),
        {"kind": "id_card", "file": uploaded(b"GIF89a....", "x.png")},
    )
    html = client.get(detail).content.decode()
    assert "不是 PDF、JPEG 或 PNG" in html
    assert "身份证.png" in html
    client.post(reverse("programmes:application_submit", args=[a.pk]))
    html = client.get(detail).content.decode()
    assert "上传申请材料" in html and "提交扶助申请" in html
    a.refresh_from_db()
    assert a.status == ApplicationStatus.UNDER_REVIEW


def test_a_document_is_served_only_to_scoped_users(client, apps, people):
    a, _created = svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)
    doc = svc.application_document_add(
        actor=people.clerk_a, application=a, kind="id_card", upload=uploaded(PDF)
    )
    url = reverse("programmes:application_document", args=[a.pk, doc.pk])

    r = page(client, people.reviewer_a, url)
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf"
    assert r["X-Content-Type-Options"] == "nosniff"

    assert page(client, people.reviewer_b, url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_review_buttons_follow_the_level_and_segregation_of_duties(client, apps, people):
    a = submitted(apps, people)
    detail = reverse("programmes:application_detail", args=[a.pk])

    html = page(client, people.clerk_a, detail).content.decode()
    assert "不能审核通过" in html
    assert 'value="pass"' not in html

    html = page(client, people.reviewer_a, detail).content.decode()
    assert 'value="pass"' in html
    r = client.post(
        reverse("programmes:application_review", args=[a.pk]), {"decision": "return", "comment": ""}
    )
    assert r.status_code == 302
    html = client.get(detail).content.decode()
    assert "退回修改须说明需要修改什么" in html

    html = page(client, people.approver, detail).content.decode()
    assert 'value="pass"' not in html


def test_the_notice_pages_open_record_an_objection_resolve_and_print(client, apps, people, monkeypatch):
    a = submitted(apps, people)
    svc.application_review(actor=people.reviewer_a, application=a, decision="pass")
    client.force_login(people.clerk_a)

    r = client.post(
        reverse("programmes:notice_open"),
        {
            "programme": apps.programme.pk,
            "village": a.org_unit_id,
            "opens_on": timezone.localdate().isoformat(),
        },
    )
    assert r.status_code == 302
    notice_url = r["Location"]
    a.refresh_from_db()
    assert a.status == ApplicationStatus.IN_PUBLIC_NOTICE

    r = client.post(
        notice_url,
        {
            "application": a.pk,
            "content": "家中另有子女",
            "raised_by": "",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert r.status_code == 302
    objection = Objection.objects.get()
    html = client.get(notice_url).content.decode()
    assert "家中另有子女" in html and "王*国" in html

    client.force_login(people.reviewer_a)
    client.post(
        reverse("programmes:objection_resolve", args=[objection.pk]),
        {"upheld": "1", "resolution": "核实属实"},
    )
    a.refresh_from_db()
    assert a.status == ApplicationStatus.RETURNED

    r = client.get(reverse("programmes:notice_pdf", args=[a.notice_id]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")

    # during the notice period "结束公示" is not offered: the button is disabled, with the first day it
    # may be used; a POST all the same is refused with that date
    client.force_login(people.clerk_a)
    html = client.get(notice_url).content.decode()
    first_day = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    assert re.search(r'<button type="button"[^>]*disabled[^>]*>结束公示</button>', html)
    assert f"公示期未满，{first_day} 起可结束公示。" in html and 'id="notice-close"' not in html
    assert "登记异议</h2>" in html
    client.post(reverse("programmes:notice_close", args=[a.notice_id]), {"confirm": "on"})
    html = client.get(notice_url).content.decode()
    assert "方可结束公示" in html
    # from that day on it is offered, with what closing does; it needs the tick
    at_day(monkeypatch, timezone.localdate() + dt.timedelta(days=7))
    html = client.get(notice_url).content.decode()
    assert 'id="notice-close"' in html and "结束后不能再登记异议" in html
    # and the objection form, which the service would refuse after the last day, is no longer offered
    assert "登记异议</h2>" not in html and "公示期已过，不能再登记异议；如有意见请登记为投诉。" in html
    client.post(reverse("programmes:notice_close", args=[a.notice_id]))
    html = client.get(notice_url).content.decode()
    assert "请先阅读并勾选结束公示的确认。" in html and "公示已结束" not in html
    client.post(reverse("programmes:notice_close", args=[a.notice_id]), {"confirm": "on"})
    html = client.get(notice_url).content.decode()
    assert "公示已结束" in html


def test_a_notice_of_another_township_is_404(client, apps, people):
    a = submitted(apps, people)
    svc.application_review(actor=people.reviewer_a, application=a, decision="pass")
    notice = notices.notice_open(actor=people.clerk_a, programme=apps.programme, org_unit=a.org_unit)

    assert (
        page(client, people.reviewer_b, reverse("programmes:notice_detail", args=[notice.pk])).status_code
        == 404
    )
    assert (
        page(client, people.reviewer_b, reverse("programmes:notice_pdf", args=[notice.pk])).status_code == 404
    )


def test_grievance_pages_record_assign_and_resolve(client, apps, people):
    a = submitted(apps, people)
    client.force_login(people.clerk_a)

    r = client.post(
        reverse("programmes:grievance_create", args=[a.pk]),
        {"complainant": "匿名", "contact": "", "content": "审核太慢"},
    )
    assert r.status_code == 302
    url = r["Location"]
    client.force_login(people.reviewer_a)
    client.post(url, {"action": "assign", "assignee": people.reviewer_a.pk})
    client.post(url, {"action": "finish", "outcome": "resolve", "text": "已说明"})
    html = client.get(url).content.decode()
    assert "已办结" in html
    assert client.get(reverse("programmes:grievance_list")).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["programmes:home", "programmes:application_list", "programmes:notice_list", "programmes:grievance_list"],
)
def test_list_pages_render_for_a_county_approver(client, apps, people, name):
    submitted(apps, people)

    assert page(client, people.approver, reverse(name)).status_code == 200


def test_the_home_page_query_count_does_not_grow_with_the_queue(
    client, apps, people, tree, django_assert_max_num_queries
):
    from guanhuai.registry.tests.factories import family

    for i in range(6):
        home = family(people.clerk_a, tree.village_a, address=f"路{i}号")
        submitted(apps, people, person=home.members.order_by("pk").first())
    client.force_login(people.reviewer_a)

    with django_assert_max_num_queries(30):
        r = client.get(reverse("programmes:home"))

    assert r.content.decode().count('name="ids"') == 6


# --- in a browser, on a phone -----------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_no_browser = not CHROMIUM and os.environ.get("GUANHUAI_REQUIRE_BROWSER") != "1"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(_no_browser, reason="chromium is not installed")
def test_a_clerk_applies_uploads_and_submits_on_a_phone(live_server, apps, people, tmp_path):
    """On a 375 px screen: find the person, save the draft, upload a photo, submit; no page scrolls
    sideways, and the reviewer's queue then offers the application with a checkbox."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    from guanhuai.accounts.tests.factories import PASSWORD

    photo = tmp_path / "户口簿.png"
    photo.write_bytes(PNG)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"], headless=True
        )
        page = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN").new_page()
        page.set_default_timeout(10_000)

        def login(user):
            page.context.clear_cookies()
            page.goto(f"{live_server.url}/")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button[type=submit]").first.click()
            page.wait_for_load_state()

        def fits():
            assert page_width(page) <= 375

        login(people.clerk_a)
        page.goto(f"{live_server.url}{reverse('programmes:application_create')}")
        fits()
        page.fill("#q", "王建国")
        page.get_by_role("button", name="查找").click()
        page.locator("#candidates a").first.click()
        page.select_option("#id_programme", label="特别扶助")
        page.get_by_role("button", name="保存草稿").click()
        page.wait_for_url(re.compile(r".*/applications/\d+/$"))
        fits()
        page.select_option("#id_kind", "hukou_book")
        page.set_input_files("#id_file", str(photo))
        page.get_by_role("button", name="上传").click()
        expect(page.locator("#documents")).to_contain_text("户口簿.png")
        page.get_by_role("button", name="提交审核").click()
        expect(page.locator("#status")).to_contain_text("审核中")
        expect(page.locator("#timeline")).to_contain_text("提交扶助申请")
        fits()

        login(people.reviewer_a)
        page.goto(f"{live_server.url}{reverse('programmes:home')}")
        expect(page.locator("input[name=ids]")).to_have_count(1)
        fits()
        browser.close()
    assert Application.objects.get().status == ApplicationStatus.UNDER_REVIEW


def test_bulk_review_has_no_default_decision_and_needs_the_tick(client, apps, people):
    a = submitted(apps, people)
    client.force_login(apps.clerk_a2)
    url = reverse("programmes:home")

    desk = client.get(url).content.decode()
    no_decision = client.post(url, {"ids": [a.pk], "comment": "", "confirm": "on"}).content.decode()
    unticked = client.post(url, {"ids": [a.pk], "decision": "pass", "comment": ""}).content.decode()

    # the decision box starts on "请选择", not on 通过, and the consequence is stated beside the button
    select = re.search(r'<select name="decision".*?</select>', desk, re.S)[0]
    assert '<option value="" selected>请选择</option>' in select
    assert "最后一级通过即批准并纳入享受" in desk
    # neither a missing decision nor a missing tick passes anything
    assert "请选择批量审核结论。" in no_decision and "bulk-results" not in no_decision
    assert "请先阅读并勾选上面的确认。" in unticked and "bulk-results" not in unticked
    a.refresh_from_db()
    assert (a.status, a.step) == (ApplicationStatus.UNDER_REVIEW, "village")


def test_bulk_review_results_never_name_an_application_the_actor_cannot_see(client, apps, people, tree):
    # given an application in 甲镇, and a reviewer of 乙镇 and a user with no role at all
    from guanhuai.accounts.tests.factories import UserFactory

    a = submitted(apps, people)
    nobody = UserFactory(username="nobody")

    for user in (people.reviewer_b, nobody):
        client.force_login(user)
        # when they post its id to the bulk review
        r = client.post(
            reverse("programmes:home"), {"ids": [a.pk], "decision": "pass", "comment": "", "confirm": "on"}
        )
        # then the result says "not found" without the applicant's name
        assert r.status_code == 200
        html = r.content.decode()
        assert f'data-id="{a.pk}" data-ok="0"' in html
        assert a.person.name not in html
    a.refresh_from_db()
    assert (a.status, a.step) == (ApplicationStatus.UNDER_REVIEW, "village")


def test_searching_a_person_by_full_id_keeps_the_number_out_of_the_url(client, apps, people):
    client.force_login(people.clerk_a)
    url = reverse("programmes:application_create")

    r = client.post(url, {"search": "1", "q": apps.head.id_number})

    assert r.status_code == 302
    assert apps.head.id_number not in r["Location"] and "q=idx_" in r["Location"]
    found = client.get(r["Location"])
    assert f"?person={apps.head.pk}" in found.content.decode()
    assert apps.head.id_number not in found.content.decode()
