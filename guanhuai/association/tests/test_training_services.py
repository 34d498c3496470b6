"""Training's rules as a user meets them: capacity, sign-in windows and the refusals of a sign-in, certificates,
trainer qualifications, and the figures per branch per year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import selectors, services
from guanhuai.association.models_training import (
    Attendance,
    Certificate,
    CourseEnrolment,
    SignInCode,
    TrainingTopic,
)
from guanhuai.association.states import MemberStatus, TrainerKind
from guanhuai.association.tests.factories import CadreFactory, MemberFactory, training_topics
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, NotFound, ValidationError

TZ = timezone.get_current_timezone()


@pytest.fixture(autouse=True)
def _topics(db):
    training_topics()


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


DAY = dt.date(2026, 3, 10)


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.county, username="xiehui")


@pytest.fixture
def course(officer, tree):
    return services.course_create(
        actor=officer,
        org_unit=tree.county,
        topic=TrainingTopic.objects.get(code="family_support"),
        title="2026年计生特殊家庭帮扶业务培训班",
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=1),
        hours=8,
        capacity=3,
    )


@pytest.fixture
def session(officer, course):
    return services.session_add(actor=officer, course=course, starts_at=at(DAY, 9), ends_at=at(DAY, 12))


def test_the_six_key_tasks_are_data_a_course_chooses_from(db):
    names = list(TrainingTopic.objects.values_list("name", flat=True))
    assert names == [
        "宣传教育",
        "生殖健康咨询服务",
        "优生优育指导",
        "计划生育家庭帮扶",
        "权益维护",
        "流动人口服务",
    ]


def test_a_course_takes_its_branchs_level_and_a_session_its_length_in_hours(course, session):
    assert course.level == "county"
    assert session.hours == Decimal("3.0")


def test_a_township_cannot_run_a_provincial_course(tree):
    officer = user_with_role("association_officer", tree.town_a, username="zhen")
    with pytest.raises(ValidationError, match="只能举办乡镇级及以下"):
        services.course_create(
            actor=officer,
            org_unit=tree.town_a,
            topic=TrainingTopic.objects.first(),
            title="x",
            starts_on=DAY,
            ends_on=DAY,
            hours=2,
            capacity=10,
            level="province",
        )


def test_a_session_outside_the_course_days_is_refused(officer, course):
    later = DAY + dt.timedelta(days=5)
    with pytest.raises(ValidationError, match="课次应在培训班的日期内"):
        services.session_add(actor=officer, course=course, starts_at=at(later, 9), ends_at=at(later, 11))
    with pytest.raises(ValidationError, match="结束时间应晚于开始时间"):
        services.session_add(actor=officer, course=course, starts_at=at(DAY, 11), ends_at=at(DAY, 9))


def test_enrolment_comes_from_cadres_and_members_and_capacity_is_enforced(officer, course, tree):
    # given three places, and two cadres and two members of the county's villages
    cadres = [CadreFactory(org_unit=tree.village_a), CadreFactory(org_unit=tree.village_b)]
    members = [MemberFactory(org_unit=tree.village_a), MemberFactory(org_unit=tree.community_a)]
    # when three are enrolled
    made = services.enrol(actor=officer, course=course, cadres=cadres, members=members[:1])
    # then each has a distinct six-digit personal code
    assert len({e.personal_code for e in made}) == 3
    assert all(len(e.personal_code) == 6 and e.personal_code.isdigit() for e in made)
    # and a fourth is refused with the numbers, changing nothing
    with pytest.raises(Conflict, match="本班名额3人，已报名3人，还可报名0人"):
        services.enrol(actor=officer, course=course, members=members[1:])
    assert CourseEnrolment.objects.filter(course=course).count() == 3


def test_enrolling_someone_twice_or_from_outside_the_branch_is_refused(officer, course, tree):
    cadre = CadreFactory(org_unit=tree.village_a, name="李四")
    services.enrol(actor=officer, course=course, cadres=[cadre])
    with pytest.raises(ValidationError, match="李四已报名本培训班"):
        services.enrol(actor=officer, course=course, cadres=[cadre])
    outsider = CadreFactory(org_unit=tree.other_county, name="王五")
    with pytest.raises(ValidationError, match="王五不是“仁化县”及其下级协会的干部"):
        services.enrol(actor=officer, course=course, cadres=[outsider])
    lapsed = MemberFactory(org_unit=tree.village_a, status=MemberStatus.LAPSED, name="赵六")
    with pytest.raises(ValidationError, match="赵六的会员状态为“未再登记”"):
        services.enrol(actor=officer, course=course, members=[lapsed])
    assert CourseEnrolment.objects.filter(course=course).count() == 1


# --- sign-in windows ---------------------------------------------------------------------------------------


@pytest.fixture
def enrolled(officer, course, tree):
    return services.enrol(actor=officer, course=course, cadres=[CadreFactory(org_unit=tree.village_a)])[0]


def test_an_attendee_signs_in_with_the_code_on_screen_and_their_personal_code(officer, session, enrolled):
    code = services.signin_code_issue(actor=officer, session=session, now=at(DAY, 9, 5))
    attendance = services.attendance_sign_in(
        code=services.signin_code_find(word=code.word),
        personal_code=enrolled.personal_code,
        now=at(DAY, 9, 6),
    )
    assert attendance.hours == Decimal("3.0") and attendance.day == DAY
    assert attendance.cadre_id == enrolled.cadre_id
    assert AuditEntry.objects.filter(action="association.attendance.signed_in").count() == 1


def test_a_late_sign_in_after_the_session_is_refused(officer, session, enrolled):
    code = services.signin_code_issue(actor=officer, session=session, now=at(DAY, 11, 59))
    with pytest.raises(Conflict, match="本课次已于03-10 12:00结束，不能再签到") as refused:
        services.attendance_sign_in(code=code, personal_code=enrolled.personal_code, now=at(DAY, 12, 1))
    assert refused.value.code == "late"
    assert not Attendance.objects.exists()


def test_an_expired_code_is_refused_and_a_new_one_ends_the_old(officer, session, enrolled, settings):
    settings.GUANHUAI_TRAINING_CODE_SECONDS = 180
    old = services.signin_code_issue(actor=officer, session=session, now=at(DAY, 9))
    with pytest.raises(Conflict, match="签到码已过期") as refused:
        services.attendance_sign_in(code=old, personal_code=enrolled.personal_code, now=at(DAY, 9, 4))
    assert refused.value.code == "expired"
    # a new code ends the live one at once
    live = services.signin_code_issue(actor=officer, session=session, now=at(DAY, 9, 5))
    newer = services.signin_code_issue(actor=officer, session=session, now=at(DAY, 9, 6))
    live.refresh_from_db()
    assert live.expires_at == at(DAY, 9, 6)
    with pytest.raises(Conflict, match="签到码已过期"):
        services.attendance_sign_in(code=live, personal_code=enrolled.personal_code, now=at(DAY, 9, 6, 30))
    services.attendance_sign_in(code=newer, personal_code=enrolled.personal_code, now=at(DAY, 9, 7))
    assert Attendance.objects.count() == 1


def test_a_foreign_code_an_unknown_code_and_a_second_sign_in_each_get_a_precise_message(
    officer, course, session, enrolled, tree
):
    # given another course with its own session and code
    other = services.course_create(
        actor=officer,
        org_unit=tree.county,
        topic=TrainingTopic.objects.get(code="publicity"),
        title="宣传员培训",
        starts_on=DAY,
        ends_on=DAY,
        hours=3,
        capacity=10,
    )
    other_session = services.session_add(
        actor=officer, course=other, starts_at=at(DAY, 9), ends_at=at(DAY, 12)
    )
    foreign = services.signin_code_issue(actor=officer, session=other_session, now=at(DAY, 9))
    # when our attendee types the other course's code
    with pytest.raises(ValidationError, match="此签到码属于培训班“宣传员培训”") as refused:
        services.attendance_sign_in(code=foreign, personal_code=enrolled.personal_code, now=at(DAY, 9, 1))
    assert refused.value.code == "foreign"
    # an unknown code
    with pytest.raises(NotFound, match="签到码不正确"):
        services.signin_code_find(word="000000" if foreign.word != "000000" else "111111")
    # twice
    code = services.signin_code_issue(actor=officer, session=session, now=at(DAY, 9))
    services.attendance_sign_in(code=code, personal_code=enrolled.personal_code, now=at(DAY, 9, 1))
    with pytest.raises(Conflict, match="您已于03-10 09:01签到，无需重复签到") as twice:
        services.attendance_sign_in(code=code, personal_code=enrolled.personal_code, now=at(DAY, 9, 2))
    assert twice.value.code == "already_signed_in"
    assert Attendance.objects.count() == 1


def test_sign_in_opens_shortly_before_the_session(officer, session, settings):
    settings.GUANHUAI_TRAINING_SIGNIN_EARLY_MINUTES = 30
    with pytest.raises(Conflict, match="签到从03-10 08:30开始"):
        services.signin_code_issue(actor=officer, session=session, now=at(DAY, 8, 0))
    assert not SignInCode.objects.exists()
    with pytest.raises(Conflict, match="签到已关闭"):
        services.signin_code_issue(actor=officer, session=session, now=at(DAY, 12, 30))


def test_the_trainer_page_keeps_a_code_until_its_last_minute(officer, session, settings):
    settings.GUANHUAI_TRAINING_CODE_SECONDS = 180
    first = services.signin_code_current(actor=officer, session=session, now=at(DAY, 9))
    assert services.signin_code_current(actor=officer, session=session, now=at(DAY, 9, 1)).pk == first.pk
    # with 30 seconds left, the page gets a new one
    second = services.signin_code_current(actor=officer, session=session, now=at(DAY, 9, 2, 30))
    assert second.pk != first.pk


def test_a_village_clerk_cannot_show_codes_of_a_county_course(session, people):
    with pytest.raises(NotFound):
        services.signin_code_issue(actor=people.clerk_a, session=session, now=at(DAY, 9))


# --- certificates --------------------------------------------------------------------------------------------


def test_certificates_go_to_those_who_attended_enough_and_the_public_check_masks_the_name(
    officer, course, session, tree, settings
):
    settings.GUANHUAI_TRAINING_CERTIFICATE_PERCENT = 80
    afternoon = services.session_add(actor=officer, course=course, starts_at=at(DAY, 14), ends_at=at(DAY, 17))
    full, half = services.enrol(
        actor=officer,
        course=course,
        cadres=[
            CadreFactory(org_unit=tree.village_a, name="欧阳明华"),
            CadreFactory(org_unit=tree.village_b),
        ],
    )
    for s in (session, afternoon):
        code = services.signin_code_issue(actor=officer, session=s, now=s.starts_at)
        services.attendance_sign_in(code=code, personal_code=full.personal_code, now=s.starts_at)
    services.attendance_sign_in(code=code, personal_code=half.personal_code, now=afternoon.starts_at)
    # before the course ends: refused
    with pytest.raises(Conflict, match="结束后才能发证"):
        services.certificates_issue(actor=officer, course=course, today=DAY)
    # after: only the one with 6 of 6 hours (the other has 3, under 80 %)
    assert services.certificates_issue(actor=officer, course=course, today=course.ends_on) == 1
    cert = Certificate.objects.get()
    assert cert.enrolment_id == full.pk and cert.hours == Decimal("6.0")
    # issuing again issues nothing new
    assert services.certificates_issue(actor=officer, course=course, today=course.ends_on) == 0
    # the public check shows the masked name, typed in any case and spacing
    verified = selectors.certificate_verify(cert.code.lower().replace("-", " "))
    assert verified.masked_name == "欧阳**"
    assert verified.course == course.title
    assert selectors.certificate_verify("ABCD-EFGH-JKMN") is None
    assert selectors.certificate_verify("not a code") is None


# --- trainers ------------------------------------------------------------------------------------------------


def test_trainer_qualifications_keep_their_dates_and_refuse_an_end_before_the_start(officer, tree):
    trainer = services.trainer_create(
        actor=officer,
        org_unit=tree.county,
        kind=TrainerKind.YOUTH_HEALTH,
        name="陈老师",
        qualified_on=dt.date(2024, 6, 1),
        valid_until=dt.date(2027, 5, 31),
    )
    assert trainer.get_kind_display() == "青春健康培训师"
    with pytest.raises(ValidationError, match="资格有效期不能早于取得资格日期"):
        services.trainer_create(
            actor=officer,
            org_unit=tree.county,
            kind=TrainerKind.PEER_EDUCATOR,
            name="周同学",
            qualified_on=dt.date(2024, 6, 1),
            valid_until=dt.date(2024, 1, 1),
        )


# --- figures -------------------------------------------------------------------------------------------------


def test_figures_per_branch_per_year(officer, course, session, tree, settings):
    # given two townships: 甲镇 with two cadres (one trained 3 h, one not), 乙镇 with one trained 3 h,
    # a cadre who left before the year, and one trained the year before
    a1 = CadreFactory(org_unit=tree.village_a)
    CadreFactory(org_unit=tree.community_a)
    b1 = CadreFactory(org_unit=tree.village_b)
    CadreFactory(org_unit=tree.village_b, appointed_on=dt.date(2020, 1, 1), left_on=dt.date(2025, 6, 30))
    made = services.enrol(actor=officer, course=course, cadres=[a1, b1])
    code = services.signin_code_issue(actor=officer, session=session, now=at(DAY, 9))
    for e in made:
        services.attendance_sign_in(code=code, personal_code=e.personal_code, now=at(DAY, 9, 1))
    # when the county asks for 2026 with N = 3 hours
    figures = selectors.training_figures(actor=officer, year=2026, unit=tree.county, min_hours=3)
    rows = {r.unit.name: r for r in figures.rows}
    # then
    assert (rows["甲镇"].cadres, rows["甲镇"].trained, rows["甲镇"].reached) == (2, 1, 1)
    assert rows["甲镇"].hours_per_cadre == Decimal("1.5")
    assert rows["甲镇"].share_reached == Decimal("50.0")
    assert (rows["乙镇"].cadres, rows["乙镇"].trained) == (1, 1)
    assert (figures.total.cadres, figures.total.trained, figures.total.reached) == (3, 2, 2)
    assert figures.total.hours == Decimal("6.0")
    # both ways of reading each cadre's hours give the same rows
    from guanhuai.association.selectors.training import _figures_rows

    for unit in (tree.county, tree.town_a, tree.province):
        ways = [
            sorted(
                _figures_rows(
                    unit,
                    first=dt.date(2026, 1, 1),
                    last=dt.date(2026, 12, 31),
                    min_hours=Decimal(3),
                    per_cadre=p,
                )
            )
            for p in (True, False)
        ]
        assert [(r[0], r[1], r[2], float(r[3]), r[4]) for r in ways[0]] == [
            (r[0], r[1], r[2], float(r[3]), r[4]) for r in ways[1]
        ]
    # N = 4 hours: nobody reaches it; the year before: nobody trained
    assert (
        selectors.training_figures(actor=officer, year=2026, unit=tree.county, min_hours=4).total.reached == 0
    )
    assert selectors.training_figures(actor=officer, year=2025, unit=tree.county).total.trained == 0


def test_figures_of_a_branch_outside_the_scope_are_not_found(officer, tree):
    with pytest.raises(NotFound):
        selectors.training_figures(actor=officer, year=2026, unit=tree.other_county)


def test_courses_and_trainers_follow_their_merged_branch(officer, tree, people):
    from guanhuai.association.models_training import Course, Trainer
    from guanhuai.orgs.services import unit_merge

    course = services.course_create(
        actor=people.admin,
        org_unit=tree.village_a,
        topic=TrainingTopic.objects.first(),
        title="村级宣传员培训",
        starts_on=DAY,
        ends_on=DAY,
        hours=2,
        capacity=10,
    )
    trainer = services.trainer_create(
        actor=people.admin,
        org_unit=tree.village_a,
        kind=TrainerKind.PEER_EDUCATOR,
        name="同伴甲",
        qualified_on=dt.date(2025, 1, 1),
    )
    unit_merge(actor=people.admin, unit=tree.village_a, into=tree.community_a)
    assert Course.objects.get(pk=course.pk).org_unit_id == tree.community_a.pk
    assert Trainer.objects.get(pk=trainer.pk).org_unit_id == tree.community_a.pk


def test_issued_certificates_are_audited_at_the_courses_branch(officer, course, session, tree):
    from guanhuai.association.models_training import Course

    enrolled = services.enrol(actor=officer, course=course, cadres=[CadreFactory(org_unit=tree.village_a)])[0]
    services.attendance_record(actor=officer, session=session, enrolment=enrolled, now=at(DAY, 10))
    Course.objects.filter(pk=course.pk).update(hours=3)
    assert services.certificates_issue(actor=officer, course=course, today=course.ends_on) == 1
    entry = AuditEntry.objects.get(action="association.certificate.issued")
    assert entry.org_unit_id == tree.county.pk and entry.object_repr == Certificate.objects.get().code
