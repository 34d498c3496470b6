"""The multi-level review: village → notice → township → county → enrolled; return, refusal, segregation of
duties, bulk review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from guanhuai.accounts import scoping
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.programmes.models import Application, Enrolment, ReviewDecision
from guanhuai.programmes.periods import month_index
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.services import notices
from guanhuai.programmes.states import ApplicationStatus, EnrolmentStatus, NoticeStatus
from guanhuai.programmes.tests.factories import ProgrammeFactory, at_day, enrol, submitted

TODAY = timezone.localdate()


def through_notice(application, people, monkeypatch):
    """Village review by 甲村's second clerk (the first one submitted it; the township reviewer passes the
    township step, and one person passes one step), then a 7-day notice opened and closed after its end."""
    from guanhuai.accounts.models import User

    svc.application_review(
        actor=User.objects.get(username="clerk_a2"), application=application, decision="pass"
    )
    notice = notices.notice_open(
        actor=people.clerk_a, programme=application.programme, org_unit=application.org_unit
    )
    at_day(monkeypatch, notice.closes_on + dt.timedelta(days=1))
    notices.notice_close(actor=people.clerk_a, notice=notice)
    application.refresh_from_db()
    return notice


def test_the_full_path_ends_enrolled_from_the_month_of_submission(apps, people, monkeypatch):
    application = submitted(apps, people)
    assert (application.status, application.step) == ("under_review", "village")

    # village: 甲村's second clerk (the first one submitted it, so cannot pass it; the township reviewer
    # will pass the township step, and one person passes at most one step)
    svc.application_review(actor=apps.clerk_a2, application=application, decision="pass", comment="属实")
    application.refresh_from_db()
    assert (application.status, application.step) == ("under_review", "notice")

    notice = notices.notice_open(actor=people.clerk_a, programme=apps.programme, org_unit=apps.head.org_unit)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PUBLIC_NOTICE
    assert notice.closes_on - notice.opens_on == dt.timedelta(days=6)  # 7 days including the first

    at_day(monkeypatch, notice.closes_on + dt.timedelta(days=1))
    notices.notice_close(actor=people.clerk_a, notice=notice)
    application.refresh_from_db()
    assert (application.status, application.step) == ("under_review", "township")

    svc.application_review(actor=people.reviewer_a, application=application, decision="pass")
    application.refresh_from_db()
    assert application.step == "county"

    svc.application_review(actor=people.approver, application=application, decision="pass", comment="同意")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_at is not None
    enrolment = Enrolment.objects.get(programme=apps.programme, person=apps.head)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.start_month == month_index(application.submitted_at.date())
    assert enrolment.application == application
    assert list(ReviewDecision.objects.filter(application=application).values_list("step", "reviewer")) == [
        ("village", apps.clerk_a2.pk),
        ("township", people.reviewer_a.pk),
        ("county", people.approver.pk),
    ]


def test_a_couple_programme_enrols_both_spouses(apps, people, monkeypatch):
    application = submitted(apps, people, programme=apps.couple)
    through_notice(application, people, monkeypatch)
    svc.application_review(actor=people.reviewer_a, application=application, decision="pass")
    svc.application_review(actor=people.approver, application=application, decision="pass")

    assert set(Enrolment.objects.filter(programme=apps.couple).values_list("person", flat=True)) == {
        apps.head.pk,
        apps.spouse.pk,
    }


def test_an_age_limited_programme_enrols_from_birth_or_counts_from_until_the_limit(apps, people, tree):
    childcare = ProgrammeFactory(
        org_unit=tree.province,
        created_by=people.admin,
        steps=["village", "county"],
        age_limit_months=36,
        counts_from=dt.date(2025, 1, 1),
    )
    application = submitted(apps, people, person=apps.son, programme=childcare)
    svc.application_review(actor=people.reviewer_a, application=application, decision="pass")

    # the son was born in 1985: far past 36 months
    with pytest.raises(Conflict) as exc:
        svc.application_review(actor=people.approver, application=application, decision="pass")

    assert exc.value.code == "age_limit_passed"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW  # the approval was refused and rolled back
    assert not Enrolment.objects.filter(programme=childcare).exists()


def test_an_age_limited_enrolment_runs_to_the_last_month_before_the_limit(apps, people, tree, monkeypatch):
    from guanhuai.registry.models import Person

    childcare = ProgrammeFactory(
        org_unit=tree.province,
        created_by=people.admin,
        steps=["village", "county"],
        age_limit_months=36,
        counts_from=dt.date(2025, 1, 1),
    )
    birth = dt.date(TODAY.year - 1, 3, 15)
    Person.objects.filter(pk=apps.son.pk).update(birth_date=birth)
    application = submitted(apps, people, person=apps.son, programme=childcare)
    svc.application_review(actor=people.reviewer_a, application=application, decision="pass")
    svc.application_review(actor=people.approver, application=application, decision="pass")

    enrolment = Enrolment.objects.get(programme=childcare, person=apps.son)
    assert enrolment.start_month == max(month_index(birth), month_index(dt.date(2025, 1, 1)))
    assert enrolment.end_month == month_index(birth) + 35


def test_approval_reactivates_an_exited_enrolment_instead_of_adding_one(apps, people, monkeypatch):
    old = enrol(
        apps.programme, apps.head, start="2020-01-01", status=EnrolmentStatus.EXITED, exit_reason="other"
    )
    application = submitted(apps, people)
    through_notice(application, people, monkeypatch)
    svc.application_review(actor=people.reviewer_a, application=application, decision="pass")
    svc.application_review(actor=people.approver, application=application, decision="pass")

    old.refresh_from_db()
    assert Enrolment.objects.filter(programme=apps.programme, person=apps.head).count() == 1
    assert old.status == EnrolmentStatus.ACTIVE
    assert old.exit_reason == ""
    assert old.start_month == month_index(application.submitted_at.date())
    # an explicit service, allowed by the transition table, with the move in the enrolment's history
    entry = AuditEntry.objects.get(action="programmes.enrolment.reactivated", object_id=str(old.pk))
    assert entry.changes == {"status": ["exited", "active"]}
    assert entry.data["application"] == application.pk and entry.data["previous_exit_reason"] == "other"


def test_a_return_goes_back_to_the_village_and_can_be_resubmitted(apps, people, monkeypatch):
    application = submitted(apps, people)
    through_notice(application, people, monkeypatch)

    with pytest.raises(ValidationError) as exc:
        svc.application_review(actor=people.reviewer_a, application=application, decision="return")
    assert exc.value.code == "reason_required"

    svc.application_review(
        actor=people.reviewer_a, application=application, decision="return", comment="补充残疾证"
    )
    application.refresh_from_db()
    assert (application.status, application.step) == (ApplicationStatus.RETURNED, "")

    svc.application_submit(actor=people.clerk_a, application=application)
    application.refresh_from_db()
    assert (application.status, application.step) == (ApplicationStatus.UNDER_REVIEW, "village")


def test_a_refusal_needs_a_reason_at_every_level(apps, people):
    application = submitted(apps, people)

    with pytest.raises(ValidationError) as exc:
        svc.application_review(
            actor=people.reviewer_a, application=application, decision="refuse", comment="  "
        )

    assert "不予批准须说明理由" in str(exc.value)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    svc.application_review(
        actor=people.reviewer_a, application=application, decision="refuse", comment="子女健在"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert ReviewDecision.objects.get(application=application).comment == "子女健在"


def test_the_submitter_cannot_pass_their_own_application_at_any_level(apps, people, monkeypatch):
    # the submitting clerk also holds every review role (unusual, but possible): still refused
    from guanhuai.accounts.tests.factories import RoleAssignmentFactory

    for role, unit in (
        ("township_reviewer", people.clerk_a.home_unit.parent),
        ("county_approver", people.clerk_a.home_unit.parent.parent),
    ):
        RoleAssignmentFactory(user=people.clerk_a, org_unit=unit, role=role)
    scoping.forget(people.clerk_a)
    application = submitted(apps, people)

    with pytest.raises(PermissionDenied) as exc:
        svc.application_review(actor=people.clerk_a, application=application, decision="pass")
    assert exc.value.code == "segregation_of_duties"
    assert "不能在任何环节审核通过" in str(exc.value)

    through_notice(application, people, monkeypatch)
    for _step in ("township", "county"):
        with pytest.raises(PermissionDenied) as exc:
            svc.application_review(actor=people.clerk_a, application=application, decision="pass")
        assert exc.value.code == "segregation_of_duties"
        # someone else passes this level so the clerk can try the next one
        actor = people.reviewer_a if _step == "township" else people.approver
        svc.application_review(actor=actor, application=application, decision="pass")
        application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert not ReviewDecision.objects.filter(reviewer=people.clerk_a).exists()


def test_the_creator_cannot_pass_an_application_a_colleague_submitted(apps, people):
    application, _created = svc.application_create(
        actor=people.clerk_a, programme=apps.programme, person=apps.head
    )
    svc.application_submit(actor=apps.clerk_a2, application=application)

    with pytest.raises(PermissionDenied):
        svc.application_review(actor=people.clerk_a, application=application, decision="pass")
    with pytest.raises(PermissionDenied):
        svc.application_review(actor=apps.clerk_a2, application=application, decision="pass")


def test_each_level_needs_its_own_permission(apps, people):
    application = submitted(apps, people)

    # the county approver has no village-review permission
    with pytest.raises(PermissionDenied) as exc:
        svc.application_review(actor=people.approver, application=application, decision="pass")

    assert exc.value.code == "wrong_level"
    assert "村级审核" in str(exc.value)


def test_a_reviewer_of_another_township_gets_the_same_404(apps, people):
    application = submitted(apps, people)

    with pytest.raises(NotFound):
        svc.application_review(actor=people.reviewer_b, application=application, decision="pass")


def test_approving_during_an_open_notice_is_refused(apps, people):
    application = submitted(apps, people)
    svc.application_review(actor=people.reviewer_a, application=application, decision="pass")
    notice = notices.notice_open(actor=people.clerk_a, programme=apps.programme, org_unit=apps.head.org_unit)
    application.refresh_from_db()

    for actor in (people.reviewer_a, people.approver):
        with pytest.raises(Conflict) as exc:
            svc.application_review(actor=actor, application=application, decision="pass")
        assert exc.value.code == "notice_open"
        assert str(notice.closes_on) in str(exc.value)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PUBLIC_NOTICE
    assert notice.status == NoticeStatus.OPEN


def test_a_pass_at_the_notice_step_without_a_notice_is_refused(apps, people):
    application = submitted(apps, people)
    svc.application_review(actor=people.reviewer_a, application=application, decision="pass")

    with pytest.raises(Conflict) as exc:
        svc.application_review(actor=people.reviewer_a, application=application, decision="pass")

    assert exc.value.code == "notice_required"


def test_a_finished_application_cannot_be_reviewed_again(apps, people):
    application = submitted(apps, people)
    svc.application_review(
        actor=people.reviewer_a, application=application, decision="refuse", comment="不符合"
    )

    with pytest.raises(Conflict) as exc:
        svc.application_review(actor=people.reviewer_a, application=application, decision="pass")

    assert exc.value.code == "not_under_review"


# --- bulk ----------------------------------------------------------------------------------------------


def test_bulk_review_reports_each_item_and_keeps_the_good_ones(apps, people, tree):
    village_only = ProgrammeFactory(
        org_unit=tree.province, created_by=people.admin, steps=["village", "township"]
    )
    ok1 = submitted(apps, people, person=apps.head, programme=village_only)
    ok2 = submitted(apps, people, person=apps.spouse, programme=village_only)
    # reviewer_a created this one: SoD refuses it
    own, _created = svc.application_create(actor=people.clerk_a, programme=village_only, person=apps.son)
    svc.application_submit(actor=people.clerk_a, application=own)
    Application.objects.filter(pk=own.pk).update(created_by=people.reviewer_a)
    foreign = submitted_other(apps, village_only)

    results = svc.applications_review_bulk(
        actor=people.reviewer_a, ids=[ok1.pk, own.pk, ok2.pk, foreign.pk, 999999], decision="pass"
    )

    assert [(r.id, r.ok) for r in results] == [
        (ok1.pk, True),
        (own.pk, False),
        (ok2.pk, True),
        (foreign.pk, False),
        (999999, False),
    ]
    assert results[1].code == "segregation_of_duties"
    assert results[3].message == results[4].message == "未找到该记录，或您无权访问。"
    assert list(Application.objects.filter(pk__in=[ok1.pk, ok2.pk]).values_list("step", flat=True)) == [
        "township",
        "township",
    ]
    own.refresh_from_db()
    assert own.step == "village"


def submitted_other(ctx, programme):
    application, _created = svc.application_create(actor=ctx.clerk_b, programme=programme, person=ctx.other)
    return svc.application_submit(actor=ctx.clerk_b, application=application)


def test_bulk_return_needs_a_comment_for_every_item(apps, people):
    a = submitted(apps, people)

    results = svc.applications_review_bulk(actor=people.reviewer_a, ids=[a.pk], decision="return", comment="")

    assert results[0].ok is False
    assert results[0].code == "reason_required"


def test_bulk_review_of_many_is_a_bounded_number_of_queries_per_item(
    apps, people, tree, django_assert_max_num_queries
):
    programme = ProgrammeFactory(
        org_unit=tree.province, created_by=people.admin, steps=["village", "township"]
    )
    from guanhuai.registry.tests.factories import family

    ids = []
    for i in range(5):
        home = family(people.clerk_a, tree.village_a, address=f"路{i}号")
        person = home.members.order_by("pk").first()
        ids.append(submitted(apps, people, person=person, programme=programme).pk)

    with django_assert_max_num_queries(3 + 12 * len(ids)):
        results = svc.applications_review_bulk(actor=people.reviewer_a, ids=ids, decision="pass")

    assert all(r.ok for r in results), [r.message for r in results]
    assert connection.vendor in ("sqlite", "postgresql")


# --- PostgreSQL: two approvers at once --------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrency needs PostgreSQL (SQLite has one writer and no SELECT … FOR UPDATE)",
)
@pytest.mark.django_db(transaction=True)
def test_two_county_approvers_at_once_enrol_once(apps, people, tree, monkeypatch):
    from guanhuai.accounts.tests.factories import user_with_role
    from guanhuai.core.testing import fresh, outcomes, race

    # given: an application waiting at the county, and two approvers who both press "pass"
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, steps=["village", "county"])
    application = submitted(apps, people, programme=programme)
    svc.application_review(actor=people.reviewer_a, application=application, decision="pass")
    second = user_with_role("county_approver", tree.county, username="approver2")
    approvers = [fresh(people.approver), fresh(second)]

    def hold() -> None:
        list(Application.objects.select_for_update().filter(pk=application.pk))

    # when
    results = race(
        2,
        lambda i: svc.application_review(actor=approvers[i], application=application, decision="pass"),
        hold=hold,
    )

    # then: one approval, one precise refusal, one enrolment
    done, errors = outcomes(results)
    assert len(done) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], Conflict) and errors[0].code == "not_under_review"
    assert Enrolment.objects.filter(programme=programme, person=apps.head).count() == 1
    assert ReviewDecision.objects.filter(application=application, step="county").count() == 1


def test_one_person_passes_at_most_one_step_of_an_application(apps, people, tree):
    # given a programme reviewed at the village and the township, and 甲镇's reviewer, who holds both
    from guanhuai.accounts.tests.factories import user_with_role
    from guanhuai.programmes.tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(
        org_unit=tree.province, created_by=people.admin, steps=["village", "township"]
    )
    a = submitted(apps, people, programme=programme)
    svc.application_review(actor=people.reviewer_a, application=a, decision="pass")
    a.refresh_from_db()
    assert a.step == "township"

    # when the same reviewer tries to pass the township step too
    with pytest.raises(PermissionDenied) as refused:
        svc.application_review(actor=people.reviewer_a, application=a, decision="pass")

    # then it is refused, and a second reviewer of 甲镇 passes it
    assert refused.value.code == "one_step_per_person"
    a.refresh_from_db()
    assert a.step == "township"
    second = user_with_role("township_reviewer", tree.town_a, username="reviewer_a2")
    svc.application_review(actor=second, application=a, decision="pass")
    a.refresh_from_db()
    assert a.status == ApplicationStatus.APPROVED
