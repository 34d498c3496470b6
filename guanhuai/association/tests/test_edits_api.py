"""The page-only edits over the API: correcting a course (PUT /courses/{id}) and a trainer (PUT
/courses/trainers/{id}), cancelling an enrolment (POST /courses/enrolments/{id}/cancel) and changing a member
group's leader (PUT /member-groups/{id}/leader). Each is tried by the branch's officer (done and audited), by an
officer of another county (404, as if it did not exist), by a province auditor who may read but not write
(403), and with bad input (a precise 4xx that changes nothing)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import services
from guanhuai.association.models import Member, MemberGroup
from guanhuai.association.models_training import Course, CourseEnrolment, Trainer, TrainingTopic
from guanhuai.association.states import MemberStatus, TrainerKind
from guanhuai.association.tests.factories import CadreFactory, MemberFactory, training_topics
from guanhuai.audit.models import AuditEntry

API = "/api/v1/association"
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def who(tree):
    return SimpleNamespace(
        officer=user_with_role("association_officer", tree.county, username="xiehui_put"),
        stranger=user_with_role("association_officer", tree.other_county, username="shixing_put"),
        auditor=user_with_role("auditor", tree.province, username="shenji_put"),
    )


@pytest.fixture
def course(who, tree):
    training_topics()
    trainer = services.trainer_create(
        actor=who.officer,
        org_unit=tree.county,
        kind=TrainerKind.YOUTH_HEALTH,
        name="张老师",
        qualified_on=dt.date(2020, 5, 1),
    )
    return services.course_create(
        actor=who.officer,
        org_unit=tree.county,
        topic=TrainingTopic.objects.get(code="family_support"),
        title="帮扶业务培训班",
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=1),
        hours=8,
        capacity=3,
        trainers=[trainer],
    )


def _course_body(course, **changes):
    body = {
        "topic": course.topic.code,
        "title": course.title,
        "starts_on": str(course.starts_on),
        "ends_on": str(course.ends_on),
        "hours": str(course.hours),
        "capacity": course.capacity,
        "place": course.place,
        "trainer_ids": list(course.trainers.values_list("pk", flat=True)),
    }
    return body | changes


def _put(client, user, url, body):
    client.force_login(user)
    return client.put(url, body, content_type="application/json")


def test_a_course_is_corrected_over_the_api_with_its_trainers(client, who, course, tree):
    peer = services.trainer_create(
        actor=who.officer,
        org_unit=tree.town_a,
        kind=TrainerKind.PEER_EDUCATOR,
        name="李同伴",
        qualified_on=dt.date(2021, 1, 1),
    )
    body = _course_body(course, title="帮扶业务培训班（第二期）", capacity=5, trainer_ids=[peer.pk])
    response = _put(client, who.officer, f"{API}/courses/{course.pk}", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["title"], data["capacity"], data["trainer_ids"]) == (
        "帮扶业务培训班（第二期）",
        5,
        [peer.pk],
    )
    assert client.get(f"{API}/courses", {"year": 2026}).json()["items"][0]["trainer_ids"] == [peer.pk]
    changes = AuditEntry.objects.get(action="association.course.updated").changes
    assert changes["capacity"] == ["3", "5"] and "trainers" in changes


def test_bad_course_corrections_are_4xx_and_change_nothing(client, who, course, tree):
    services.enrol(
        actor=who.officer, course=course, cadres=[CadreFactory(org_unit=tree.town_a) for _ in range(2)]
    )
    other_trainer = services.trainer_create(
        actor=who.stranger,
        org_unit=tree.other_county,
        kind=TrainerKind.YOUTH_HEALTH,
        name="外县老师",
        qualified_on=dt.date(2020, 1, 1),
    )
    url = f"{API}/courses/{course.pk}"
    cases = [
        ({"capacity": 1}, 409, "capacity"),
        ({"topic": "astrology"}, 422, "unknown_topic"),
        ({"trainer_ids": [other_trainer.pk]}, 422, "unknown_trainer"),
        ({"ends_on": str(DAY - dt.timedelta(days=1))}, 422, "ends_on"),
        ({"title": "  "}, 422, "title"),
    ]
    for changes, status, code in cases:
        response = _put(client, who.officer, url, _course_body(course, **changes))
        assert (response.status_code, response.json()["code"]) == (status, code), changes
    course.refresh_from_db()
    assert (course.title, course.capacity, course.ends_on) == (
        "帮扶业务培训班",
        3,
        DAY + dt.timedelta(days=1),
    )
    assert not AuditEntry.objects.filter(action="association.course.updated").exists()


def test_course_and_trainer_edits_by_scope(client, who, course):
    trainer = course.trainers.get()
    trainer_body = {
        "kind": "youth_health",
        "name": "张老师",
        "qualified_on": "2020-05-01",
        "valid_until": None,
    }
    for user, status in [(who.stranger, 404), (who.auditor, 403)]:
        assert (
            _put(client, user, f"{API}/courses/{course.pk}", _course_body(course, title="改")).status_code
            == status
        )
        assert _put(client, user, f"{API}/courses/trainers/{trainer.pk}", trainer_body).status_code == status
    assert Course.objects.get(pk=course.pk).title == "帮扶业务培训班"
    assert not AuditEntry.objects.filter(action__endswith=".updated").exists()


def test_a_trainer_is_corrected_over_the_api_and_a_bad_date_is_a_422(client, who, course):
    trainer = course.trainers.get()
    url = f"{API}/courses/trainers/{trainer.pk}"
    body = {
        "kind": "youth_health",
        "name": "张老师",
        "qualified_on": "2020-05-01",
        "certificate_no": "QJ-017",
    }
    bad = _put(client, who.officer, url, body | {"valid_until": "2019-12-31"})
    assert (bad.status_code, bad.json()["code"]) == (422, "valid_until")
    unknown_kind = _put(client, who.officer, url, body | {"kind": "astrologer"})
    assert unknown_kind.status_code == 422
    assert Trainer.objects.get(pk=trainer.pk).certificate_no == ""
    good = _put(client, who.officer, url, body | {"valid_until": "2028-04-30"})
    assert good.status_code == 200, good.content
    assert (good.json()["valid_until"], good.json()["certificate_no"]) == ("2028-04-30", "QJ-017")
    assert AuditEntry.objects.filter(action="association.trainer.updated").count() == 1


def test_an_enrolment_is_cancelled_over_the_api_only_with_a_reason_before_attendance(
    client, who, course, tree
):
    cadres = [CadreFactory(org_unit=tree.town_a, name=f"学员{i}") for i in range(2)]
    services.enrol(actor=who.officer, course=course, cadres=cadres)
    first, second = CourseEnrolment.objects.filter(course=course).order_by("pk")
    client.force_login(who.officer)

    def cancel(enrolment, reason, user=who.officer):
        client.force_login(user)
        return client.post(
            f"{API}/courses/enrolments/{enrolment.pk}/cancel",
            {"reason": reason},
            content_type="application/json",
        )

    assert (cancel(first, " ").status_code, cancel(first, " ").json()["code"]) == (422, "reason")
    assert cancel(first, "调岗", who.stranger).status_code == 404
    assert cancel(first, "调岗", who.auditor).status_code == 403
    assert cancel(first, "x" * 201).status_code == 422
    assert CourseEnrolment.objects.filter(course=course).count() == 2
    # a sign-in makes the second a record of training: it stays
    session = services.session_add(
        actor=who.officer,
        course=course,
        starts_at=dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 3, 10, 11, tzinfo=dt.UTC),
    )
    services.attendance_record(actor=who.officer, session=session, enrolment=second)
    attended = cancel(second, "误报")
    assert (attended.status_code, attended.json()["code"]) == (409, "attended")
    done = cancel(first, "工作冲突，无法参加")
    assert done.status_code == 204
    assert list(CourseEnrolment.objects.filter(course=course)) == [second]
    assert (
        AuditEntry.objects.get(action="association.enrolment.cancelled").data["reason"]
        == "工作冲突，无法参加"
    )


@pytest.fixture
def group(who, tree):
    leader = MemberFactory(org_unit=tree.village_a, name="老组长")
    return services.member_group_create(
        actor=who.officer, org_unit=tree.village_a, name="一组", leader=leader
    )


def test_a_group_leader_is_changed_over_the_api_and_joins_the_group(client, who, group, tree):
    newcomer = MemberFactory(org_unit=tree.village_a, name="新组长")
    clerk = user_with_role("village_clerk", tree.village_a, username="clerk_put")
    response = _put(client, clerk, f"{API}/member-groups/{group.pk}/leader", {"leader_id": newcomer.pk})
    assert response.status_code == 200, response.content
    assert (response.json()["leader_id"], response.json()["leader_name"]) == (newcomer.pk, "新组长")
    assert Member.objects.get(pk=newcomer.pk).group_id == group.pk
    changes = AuditEntry.objects.get(action="association.member_group.leader_changed").changes
    assert changes["leader"][0].startswith("老组长") and changes["leader"][1].startswith("新组长")
    listed = client.get(f"{API}/member-groups", {"unit_id": tree.village_a.pk}).json()["items"]
    assert [(g["name"], g["leader_name"]) for g in listed] == [("一组", "新组长")]
    # and a group may be left without a leader
    cleared = _put(client, clerk, f"{API}/member-groups/{group.pk}/leader", {"leader_id": None})
    assert cleared.status_code == 200 and cleared.json()["leader_id"] is None


def test_bad_group_leaders_are_4xx_and_change_nothing(client, who, group, tree):
    url = f"{API}/member-groups/{group.pk}/leader"
    elsewhere = MemberFactory(org_unit=tree.village_b)
    lapsed = MemberFactory(org_unit=tree.village_a, status=MemberStatus.LAPSED, ended_on=dt.date(2026, 1, 1))
    foreign = MemberFactory(org_unit=tree.other_county)
    cases = [
        (who.officer, {"leader_id": elsewhere.pk}, 422, "leader"),
        (who.officer, {"leader_id": lapsed.pk}, 422, "leader"),
        (who.officer, {"leader_id": foreign.pk}, 422, "unknown_member"),
        (who.officer, {"leader_id": 0}, 422, None),
        (who.officer, {}, 422, None),
        (who.stranger, {"leader_id": elsewhere.pk}, 404, None),
        (who.auditor, {"leader_id": elsewhere.pk}, 403, None),
    ]
    for user, body, status, code in cases:
        response = _put(client, user, url, body)
        assert response.status_code == status, (body, response.content)
        if code:
            assert response.json()["code"] == code
    assert MemberGroup.objects.get(pk=group.pk).leader.name == "老组长"
    assert not AuditEntry.objects.filter(action="association.member_group.leader_changed").exists()
    client.force_login(who.stranger)
    assert client.get(f"{API}/member-groups/{group.pk}").status_code == 404
    assert client.get(f"{API}/member-groups", {"unit_id": tree.village_a.pk}).status_code == 422
