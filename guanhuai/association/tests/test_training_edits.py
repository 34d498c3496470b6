"""Training's small gaps: a course and a trainer are corrected later (audited, with the same checks and
what the course already holds kept true), and an enrolment is cancelled with its reason before attendance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import services
from guanhuai.association.models_training import CourseEnrolment, Trainer, TrainingTopic
from guanhuai.association.states import TrainerKind
from guanhuai.association.tests.factories import CadreFactory, training_topics
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, ValidationError

TZ = timezone.get_current_timezone()
DAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _topics(db):
    training_topics()


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.county, username="xiehui_edit")


@pytest.fixture
def course(officer, tree):
    course = services.course_create(
        actor=officer,
        org_unit=tree.county,
        topic=TrainingTopic.objects.get(code="family_support"),
        title="帮扶业务培训班",
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=1),
        hours=8,
        capacity=3,
    )
    services.session_add(
        actor=officer,
        course=course,
        starts_at=dt.datetime(2026, 3, 11, 9, tzinfo=TZ),
        ends_at=dt.datetime(2026, 3, 11, 12, tzinfo=TZ),
    )
    return course


def _edit(officer, course, **changes):
    fields = {
        "topic": course.topic,
        "title": course.title,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "hours": course.hours,
        "capacity": course.capacity,
        "place": course.place,
    }
    return services.course_update(actor=officer, course=course, **(fields | changes))


def test_a_course_is_corrected_and_the_change_is_audited_field_by_field(officer, course):
    updated = _edit(officer, course, title="帮扶业务培训班（第二期）", capacity=5, place="县计生协会议室")
    assert (updated.title, updated.capacity, updated.place) == (
        "帮扶业务培训班（第二期）",
        5,
        "县计生协会议室",
    )
    entry = AuditEntry.objects.get(action="association.course.updated")
    assert entry.changes["capacity"] == ["3", "5"] and "title" in entry.changes
    assert "starts_on" not in entry.changes


def test_a_course_keeps_its_sessions_inside_its_dates_and_its_capacity_above_the_enrolled(
    officer, course, tree
):
    with pytest.raises(ValidationError, match="课次 2026-03-11 不在新的培训日期之内"):
        _edit(officer, course, ends_on=DAY)
    cadres = [CadreFactory(org_unit=tree.town_a) for _ in range(2)]
    services.enrol(actor=officer, course=course, cadres=cadres)
    with pytest.raises(Conflict, match="名额不能少于已报名的2人"):
        _edit(officer, course, capacity=1)
    course.refresh_from_db()
    assert (course.ends_on, course.capacity) == (DAY + dt.timedelta(days=1), 3)


def test_an_enrolment_is_cancelled_with_its_reason_and_the_place_is_free_again(officer, course, tree):
    cadres = [CadreFactory(org_unit=tree.town_a, name=f"学员{i}") for i in range(3)]
    services.enrol(actor=officer, course=course, cadres=cadres)
    enrolment = CourseEnrolment.objects.get(course=course, cadre=cadres[0])
    with pytest.raises(ValidationError, match="请填写取消报名的原因"):
        services.enrolment_cancel(actor=officer, enrolment=enrolment, reason=" ")
    services.enrolment_cancel(actor=officer, enrolment=enrolment, reason="工作冲突，无法参加")
    assert not CourseEnrolment.objects.filter(pk=enrolment.pk).exists()
    entry = AuditEntry.objects.get(action="association.enrolment.cancelled")
    assert entry.data["name"] == "学员0" and entry.data["reason"] == "工作冲突，无法参加"
    # the place is free: another cadre can enrol into the full course now
    services.enrol(actor=officer, course=course, cadres=[CadreFactory(org_unit=tree.town_b)])
    assert course.enrolments.count() == 3


def test_an_enrolment_with_attendance_cannot_be_cancelled(officer, course, tree):
    cadre = CadreFactory(org_unit=tree.town_a)
    services.enrol(actor=officer, course=course, cadres=[cadre])
    enrolment = course.enrolments.get()
    session = course.sessions.get()
    services.attendance_record(actor=officer, session=session, enrolment=enrolment)
    with pytest.raises(Conflict, match="已签到过本培训班的课次"):
        services.enrolment_cancel(actor=officer, enrolment=enrolment, reason="误报")
    assert course.enrolments.count() == 1


def test_a_trainer_is_corrected_and_a_bad_date_changes_nothing(officer, tree):
    trainer = services.trainer_create(
        actor=officer,
        org_unit=tree.county,
        kind=TrainerKind.YOUTH_HEALTH,
        name="张老师",
        qualified_on=dt.date(2020, 5, 1),
    )
    services.trainer_update(
        actor=officer,
        trainer=trainer,
        kind=TrainerKind.YOUTH_HEALTH,
        name="张老师",
        qualified_on=dt.date(2020, 5, 1),
        valid_until=dt.date(2028, 4, 30),
        certificate_no="QJ-2020-017",
    )
    trainer.refresh_from_db()
    assert (trainer.valid_until, trainer.certificate_no) == (dt.date(2028, 4, 30), "QJ-2020-017")
    assert AuditEntry.objects.get(action="association.trainer.updated").changes["valid_until"] == [
        "None",
        "2028-04-30",
    ]
    with pytest.raises(ValidationError, match="资格有效期不能早于取得资格日期"):
        services.trainer_update(
            actor=officer,
            trainer=trainer,
            kind=TrainerKind.YOUTH_HEALTH,
            name="张老师",
            qualified_on=dt.date(2020, 5, 1),
            valid_until=dt.date(2019, 1, 1),
        )
    assert Trainer.objects.unscoped("test").get(pk=trainer.pk).valid_until == dt.date(2028, 4, 30)


def test_the_pages_edit_a_course_cancel_an_enrolment_and_edit_a_trainer(client, officer, course, tree):
    cadre = CadreFactory(org_unit=tree.town_a, name="王学员")
    services.enrol(actor=officer, course=course, cadres=[cadre])
    enrolment = course.enrolments.get()
    client.force_login(officer)
    page = client.get(f"/association/training/{course.pk}/").content.decode()
    assert f"/association/training/{course.pk}/edit/" in page
    assert f"/association/training/enrolments/{enrolment.pk}/cancel/" in page
    form = client.get(f"/association/training/{course.pk}/edit/").content.decode()
    assert "帮扶业务培训班" in form
    response = client.post(
        f"/association/training/{course.pk}/edit/",
        {
            "title": "帮扶业务培训班",
            "topic": course.topic_id,
            "level": "",
            "starts_on": "2026-03-10",
            "ends_on": "2026-03-10",
            "hours": "8",
            "capacity": "3",
            "place": "",
        },
    )
    assert "不在新的培训日期之内" in response.content.decode()
    response = client.post(f"/association/training/enrolments/{enrolment.pk}/cancel/", {"reason": "调岗"})
    assert response.status_code == 302 and not course.enrolments.exists()
    trainer = services.trainer_create(
        actor=officer,
        org_unit=tree.county,
        kind=TrainerKind.PEER_EDUCATOR,
        name="李同伴",
        qualified_on=dt.date(2021, 1, 1),
    )
    listing = client.get("/association/training/trainers/").content.decode()
    assert f"/association/training/trainers/{trainer.pk}/edit/" in listing
    # another county's officer: the same 404 as a missing course or trainer
    client.force_login(user_with_role("association_officer", tree.other_county, username="xiehui_far_edit"))
    assert client.get(f"/association/training/{course.pk}/edit/").status_code == 404
    assert client.get(f"/association/training/trainers/{trainer.pk}/edit/").status_code == 404
