"""Training's pages: the trainer's page with the code and its QR code, the attendee's sign-in on a phone (no login),
the certificate PDF and its public check, trainers and the figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import services
from guanhuai.association.models_training import (
    Attendance,
    Certificate,
    Course,
    SignInCode,
    Trainer,
    TrainingTopic,
)
from guanhuai.association.tests.factories import CadreFactory, MemberFactory, one_day_course, training_topics
from guanhuai.audit.models import AuditEntry


@pytest.fixture(autouse=True)
def _topics(db):
    training_topics()


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.county, username="xiehui")


@pytest.fixture
def running(officer, tree):
    """A course today with a session running now, and one enrolled cadre."""
    now = timezone.now()
    today = timezone.localdate()
    course = services.course_create(
        actor=officer,
        org_unit=tree.county,
        topic=TrainingTopic.objects.get(code="publicity"),
        title="宣传员培训班",
        starts_on=today,
        ends_on=today,
        hours=2,
        capacity=20,
    )
    start = max(
        now - dt.timedelta(minutes=30), timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))
    )
    end = min(now + dt.timedelta(hours=1), timezone.make_aware(dt.datetime.combine(today, dt.time(23, 59))))
    session = services.session_add(actor=officer, course=course, starts_at=start, ends_at=end, hours=1)
    enrolment = services.enrol(
        actor=officer, course=course, cadres=[CadreFactory(org_unit=tree.village_a, name="王小红")]
    )[0]
    return course, session, enrolment


def test_an_officer_opens_a_course_from_the_form(client, officer, tree):
    client.force_login(officer)
    assert "开设培训班" in client.get("/association/training/new/").content.decode()
    topic = TrainingTopic.objects.get(code="healthy_births")
    response = client.post(
        "/association/training/new/",
        {
            "org_unit": tree.county.pk,
            "title": "优生优育指导员培训",
            "topic": topic.pk,
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-30",
            "hours": "8",
            "capacity": "30",
        },
    )
    # the end before the start: shown beside the field, nothing saved
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Course.objects.exists()
    response = client.post(
        "/association/training/new/",
        {
            "org_unit": tree.county.pk,
            "title": "优生优育指导员培训",
            "topic": topic.pk,
            "starts_on": "2026-05-01",
            "ends_on": "2026-05-02",
            "hours": "8",
            "capacity": "30",
        },
    )
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/association/training/{course.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "优生优育指导员培训" in page and "县级" in page


def test_enrolment_from_the_page_picks_cadres_and_member_card_numbers(client, officer, tree):
    client.force_login(officer)
    course = services.course_create(
        actor=officer,
        org_unit=tree.county,
        topic=TrainingTopic.objects.first(),
        title="x班",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 5, 1),
        hours=2,
        capacity=5,
    )
    cadre = CadreFactory(org_unit=tree.town_a, name="钱干部")
    member = MemberFactory(org_unit=tree.village_a, card_no="4402240001")
    page = client.get(f"/association/training/{course.pk}/enrol/").content.decode()
    assert "钱干部" in page
    response = client.post(
        f"/association/training/{course.pk}/enrol/", {"cadres": [str(cadre.pk)], "card_nos": "4402240009"}
    )
    assert "找不到会员证号 4402240009" in response.content.decode()
    response = client.post(
        f"/association/training/{course.pk}/enrol/", {"cadres": [str(cadre.pk)], "card_nos": member.card_no}
    )
    assert response.status_code == 302
    assert course.enrolments.count() == 2


def test_the_trainer_shows_a_code_with_an_inline_qr_and_an_attendee_signs_in_on_the_phone(
    client, officer, running
):
    course, session, enrolment = running
    client.force_login(officer)
    page = client.get(f"/association/training/sessions/{session.pk}/").content.decode()
    assert "显示签到码" in page
    # the button (htmx) asks for a code: the panel shows six digits and an inline SVG QR code
    panel = client.post(
        f"/association/training/sessions/{session.pk}/code/", HTTP_HX_REQUEST="true"
    ).content.decode()
    code = SignInCode.objects.get()
    assert code.word in panel and "<svg" in panel and 'hx-trigger="every 30s"' in panel
    # asked again half a minute later, it keeps the same code
    client.post(f"/association/training/sessions/{session.pk}/code/", HTTP_HX_REQUEST="true")
    assert SignInCode.objects.count() == 1
    # the attendee, not logged in, scans the QR code and types their personal code
    client.logout()
    qr_page = client.get(f"/association/sign-in/{code.token}/").content.decode()
    assert "宣传员培训班" in qr_page and "培训老师屏幕上的6位数字" not in qr_page
    done = client.post(f"/association/sign-in/{code.token}/", {"personal_code": enrolment.personal_code})
    text = done.content.decode()
    assert "王**，签到成功" in text and "王小红" not in text
    assert Attendance.objects.get().via == "qr"
    # signing in again, typed this time: refused with the time of the first
    again = client.post(
        "/association/sign-in/", {"word": code.word, "personal_code": enrolment.personal_code}
    )
    assert "无需重复签到" in again.content.decode()
    assert Attendance.objects.count() == 1


def test_an_unknown_qr_address_is_a_404_and_a_wrong_typed_code_is_explained(client, running):
    assert client.get("/association/sign-in/not-a-token/").status_code == 404
    response = client.post("/association/sign-in/", {"word": "12345", "personal_code": "123456"})
    assert "签到码是6位数字" in response.content.decode()
    word = "000000" if not SignInCode.objects.filter(word="000000").exists() else "999999"
    response = client.post("/association/sign-in/", {"word": word, "personal_code": "123456"})
    assert "签到码不正确" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_trainer_records_someone_without_a_phone(client, officer, running):
    course, session, enrolment = running
    client.force_login(officer)
    response = client.post(
        f"/association/training/sessions/{session.pk}/present/", {"enrolment": enrolment.pk}, follow=True
    )
    assert "已为王小红补登签到" in response.content.decode()
    assert Attendance.objects.get().via == "manual"


def test_a_village_clerk_cannot_open_the_trainer_page_of_a_county_course(client, people, running):
    course, session, enrolment = running
    client.force_login(people.clerk_a)
    assert client.get(f"/association/training/sessions/{session.pk}/").status_code == 404
    assert client.post(f"/association/training/sessions/{session.pk}/code/").status_code == 404
    assert not SignInCode.objects.exists()


def test_a_certificate_pdf_embeds_the_cjk_font_and_the_public_page_checks_its_code(
    client, officer, tree, running
):
    course, session, enrolment = running
    services.attendance_record(actor=officer, session=session, enrolment=enrolment)
    Course.objects.filter(pk=course.pk).update(hours=1)
    services.certificates_issue(actor=officer, course=course)
    cert = Certificate.objects.get()
    client.force_login(officer)
    response = client.get(f"/association/training/certificates/{cert.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert b"/FontFile2" in response.content  # the TrueType font is embedded, not only named
    assert AuditEntry.objects.filter(action="association.certificate.downloaded").count() == 1
    # the public check: no login, masked name, the course and the date
    client.logout()
    page = client.get("/association/certificates/verify/", {"code": cert.code}).content.decode()
    assert "证书有效" in page and "王**" in page and "宣传员培训班" in page and "王小红" not in page
    # an unknown and a malformed code get the same neutral answer
    unknown = client.get("/association/certificates/verify/", {"code": "ABCD-EFGH-JKMN"}).content.decode()
    malformed = client.get("/association/certificates/verify/", {"code": "hello"}).content.decode()
    assert "未查到与该验证码相符的证书" in unknown

    def answer(page: str) -> str:
        return page[page.index('id="verify-result"') :]

    assert answer(unknown) == answer(malformed)


def test_the_certificate_check_is_rate_limited(client, settings, db):
    settings.GUANHUAI_RATE_LIMITS = {"certificate_check": ("3/m", "3/m")}
    for _ in range(3):
        assert client.get("/association/certificates/verify/", {"code": "ABCD-EFGH-JKMN"}).status_code == 200
    refused = client.get("/association/certificates/verify/", {"code": "ABCD-EFGH-JKMN"})
    assert refused.status_code == 429 and "Retry-After" in refused


def test_trainers_and_figures_pages(client, officer, tree):
    client.force_login(officer)
    response = client.post(
        "/association/training/trainers/new/",
        {"org_unit": tree.county.pk, "kind": "peer_educator", "name": "林同学", "qualified_on": "2025-03-01"},
    )
    assert response.status_code == 302 and Trainer.objects.get().name == "林同学"
    assert "同伴教育者" in client.get("/association/training/trainers/").content.decode()
    CadreFactory(org_unit=tree.town_a)
    page = client.get("/association/training/figures/", {"year": 2026, "min_hours": 8}).content.decode()
    assert "甲镇" in page and "仁化县 2026年干部培训" in page


def test_todays_courses_and_certificates_due_are_on_the_officers_work_queue(client, officer, running, tree):
    import re

    course, session, enrolment = running
    # a course that ended last week with attendance and no certificates
    last_week = timezone.localdate() - dt.timedelta(days=7)
    done, past = one_day_course(officer, tree.county, last_week, title="上周的培训班")
    person = services.enrol(actor=officer, course=done, cadres=[CadreFactory(org_unit=tree.town_a)])[0]
    services.attendance_record(actor=officer, session=past, enrolment=person)
    client.force_login(officer)
    body = client.get("/").content.decode()
    tiles = {
        key: (int(count), href)
        for href, key, count in re.findall(
            r'href="([^"]*)" data-key="(association\.[a-z_]+)" data-count="(\d+)"', body
        )
        if key in ("association.training_today", "association.certificates_due")  # the officer has others too
    }
    assert tiles == {
        "association.training_today": (1, "/association/training/?state=today"),
        "association.certificates_due": (1, "/association/training/?state=to_certify"),
    }
    listed = client.get(tiles["association.certificates_due"][1]).content.decode()
    assert "上周的培训班" in listed and "宣传员培训班" not in listed


def test_the_training_pages_query_count_does_not_grow_with_rows(
    client, officer, running, tree, django_assert_max_num_queries
):
    """A course list, a course page and a trainer's page with one row each, then with many: the same queries."""
    course, session, enrolment = running
    services.trainer_create(
        actor=officer,
        org_unit=tree.county,
        kind="youth_health",
        name="陈老师",
        qualified_on=dt.date(2024, 1, 1),
    )
    client.force_login(officer)
    urls = [
        "/association/training/",
        f"/association/training/{course.pk}/",
        f"/association/training/sessions/{session.pk}/",
        "/association/training/trainers/",
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(20) as small:
            assert client.get(url).status_code == 200
        counts[url] = len(small.captured_queries)
    # more of everything: courses, enrolled cadres with attendance, trainers
    for i in range(4):
        services.course_create(
            actor=officer,
            org_unit=tree.county,
            topic=TrainingTopic.objects.first(),
            title=f"另一个培训班{i}",
            starts_on=course.starts_on,
            ends_on=course.ends_on,
            hours=2,
            capacity=10,
        )
        services.trainer_create(
            actor=officer,
            org_unit=tree.county,
            kind="peer_educator",
            name=f"同伴{i}",
            qualified_on=dt.date(2025, 1, 1),
        )
    more = services.enrol(
        actor=officer, course=course, cadres=[CadreFactory(org_unit=tree.village_b) for _ in range(6)]
    )
    for e in more[:3]:
        services.attendance_record(actor=officer, session=session, enrolment=e)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
