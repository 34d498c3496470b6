"""/api/v1/association/courses: a course run end to end over the API, the sign-in refusals as status codes, the
public certificate check, the figures, and scope (another county's course is a 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import services
from guanhuai.association.models_training import Attendance, Certificate, CourseEnrolment, TrainingTopic
from guanhuai.association.tests.factories import CadreFactory, MemberFactory, one_day_course, training_topics

API = "/api/v1/association/courses"


@pytest.fixture(autouse=True)
def _topics(db):
    training_topics()


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.county, username="xiehui")


def test_a_course_over_the_api_from_creation_to_certificate(client, officer, tree):
    client.force_login(officer)
    today = timezone.localdate()
    now = timezone.now()
    # given a course today
    topics = client.get(f"{API}/topics").json()
    assert [t["code"] for t in topics][:2] == ["publicity", "reproductive_health"]
    created = client.post(
        API,
        {
            "org_unit_id": tree.county.pk,
            "topic": "rights_protection",
            "title": "维权工作培训",
            "starts_on": str(today),
            "ends_on": str(today),
            "hours": "1",
            "capacity": 2,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    course = created.json()
    assert course["level"] == "county" and course["topic_name"] == "权益维护"
    start = max(
        now - dt.timedelta(minutes=20), timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))
    )
    end = min(
        now + dt.timedelta(minutes=40), timezone.make_aware(dt.datetime.combine(today, dt.time(23, 59)))
    )
    session = client.post(
        f"{API}/{course['id']}/sessions",
        {"starts_at": start.isoformat(), "ends_at": end.isoformat(), "hours": "1"},
        content_type="application/json",
    ).json()
    # when a cadre and a member enrol, and a third is over the capacity of 2
    cadre = CadreFactory(org_unit=tree.village_a, name="孙丽")
    member = MemberFactory(org_unit=tree.village_b)
    enrolled = client.post(
        f"{API}/{course['id']}/enrolments",
        {"cadre_ids": [cadre.pk], "member_ids": [member.pk]},
        content_type="application/json",
    )
    assert enrolled.status_code == 201
    full = client.post(
        f"{API}/{course['id']}/enrolments",
        {"member_ids": [MemberFactory(org_unit=tree.village_b).pk]},
        content_type="application/json",
    )
    assert full.status_code == 409 and full.json()["code"] == "capacity"
    personal = next(e["personal_code"] for e in enrolled.json() if e["cadre_id"] == cadre.pk)
    # the trainer's code; the attendee signs in without a login
    code = client.post(f"{API}/sessions/{session['id']}/code").json()
    client.logout()
    signed = client.post(
        f"{API}/sign-in", {"word": code["word"], "personal_code": personal}, content_type="application/json"
    )
    assert signed.status_code == 201 and signed.json()["name"] == "孙*"
    twice = client.post(
        f"{API}/sign-in", {"word": code["word"], "personal_code": personal}, content_type="application/json"
    )
    assert twice.status_code == 409 and twice.json()["code"] == "already_signed_in"
    # certificates once the course is over (today is its last day)
    client.force_login(officer)
    issued = client.post(f"{API}/{course['id']}/certificates")
    assert issued.json() == {"issued": 1}
    cert = Certificate.objects.get()
    listed = client.get(f"{API}/{course['id']}/enrolments").json()
    assert {e["name"]: e["certificate_code"] for e in listed["items"]}["孙丽"] == cert.code
    client.logout()
    verified = client.get(f"{API}/certificates/verify", {"code": cert.code}).json()
    assert verified["valid"] and verified["masked_name"] == "孙*" and verified["course"] == "维权工作培训"
    assert client.get(f"{API}/certificates/verify", {"code": "ZZZZ-ZZZZ-ZZZZ"}).json() == {
        "valid": False,
        "masked_name": None,
        "course": None,
        "organiser": None,
        "starts_on": None,
        "ends_on": None,
        "issued_on": None,
    }


def test_sign_in_refusals_have_their_codes_and_change_nothing(client, officer, tree):
    course, session = one_day_course(officer, tree.county, dt.date(2026, 3, 10))
    tz = timezone.get_current_timezone()
    enrolment = services.enrol(actor=officer, course=course, cadres=[CadreFactory(org_unit=tree.village_a)])[
        0
    ]
    code = services.signin_code_issue(
        actor=officer, session=session, now=dt.datetime(2026, 3, 10, 11, 59, tzinfo=tz)
    )
    # the session ended on 2026-03-10 at 12:00: now is later, so a sign-in is late
    late = client.post(
        f"{API}/sign-in",
        {"token": code.token, "personal_code": enrolment.personal_code},
        content_type="application/json",
    )
    assert late.status_code == 409 and late.json()["code"] == "late"
    unknown = client.post(
        f"{API}/sign-in", {"word": "abcdef", "personal_code": "123456"}, content_type="application/json"
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_code"
    bad = client.post(
        f"{API}/sign-in", {"word": code.word, "personal_code": "12"}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert not Attendance.objects.exists()


def test_another_countys_course_is_a_404_and_its_figures_are_refused(client, officer, tree):
    other = user_with_role("association_officer", tree.other_county, username="shixing")
    course = services.course_create(
        actor=other,
        org_unit=tree.other_county,
        topic=TrainingTopic.objects.first(),
        title="始兴县培训",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 4, 1),
        hours=2,
        capacity=5,
    )
    client.force_login(officer)
    assert client.get(f"{API}/{course.pk}").status_code == 404
    assert client.get(f"{API}/{course.pk}/enrolments").status_code == 404
    assert client.get(API).json()["count"] == 0
    refused = client.get(f"{API}/figures", {"year": 2026, "unit_id": tree.other_county.pk})
    assert refused.status_code == 422 and refused.json()["code"] == "unknown_unit"
    own = client.get(f"{API}/figures", {"year": 2026}).json()
    assert own["unit_id"] == tree.county.pk
    assert not CourseEnrolment.objects.exists()
