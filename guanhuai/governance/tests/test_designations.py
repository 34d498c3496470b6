"""Demonstration villages and counties: an application with its 五有 evidence and the indicators read from
the platform, township → county → city review with segregation of duties, the designation and its validity,
re-evaluation, revocation, the county's application, and the report by branch. Each refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.governance import designation_rules as rules
from guanhuai.governance import selectors, services
from guanhuai.governance.models import Designation, DesignationApplication
from guanhuai.governance.states import ApplicationStatus, DesignationStatus, DesignationStep, Rating
from guanhuai.governance.tests.factories import FIVE_HAVES_MET, village_meeting_the_criteria


@pytest.fixture
def officers(tree):
    return {
        "city": user_with_role("governance_officer", tree.city, username="city_officer"),
        "county": user_with_role("governance_officer", tree.county, username="county_officer"),
        "clerk_b": user_with_role("village_clerk", tree.village_b, username="clerk_b"),
    }


def _apply(people, tree, rating=Rating.DEMONSTRATION, **kwargs):
    return services.designation_apply(
        actor=kwargs.pop("actor", people.clerk_a),
        unit=kwargs.pop("unit", tree.village_a),
        rating=rating,
        evidence=kwargs.pop("evidence", FIVE_HAVES_MET),
        **kwargs,
    )


def _designated(people, tree, officers, rating=Rating.DEMONSTRATION):
    application = _apply(people, tree, rating)
    services.designation_review(actor=people.reviewer_a, application=application, decision="pass")
    services.designation_review(actor=people.approver, application=application, decision="pass")
    services.designation_review(actor=officers["city"], application=application, decision="pass")
    return Designation.objects.unscoped("test").get(application=application)


def test_a_village_is_designated_after_township_county_and_city_pass_it(tree, people, officers):
    # given a village whose filed rules, assembly and (empty) special-family list meet the criteria
    village_meeting_the_criteria(tree.village_a)
    # when it applies and each level passes it
    application = _apply(people, tree)
    assert application.step == DesignationStep.TOWNSHIP
    assert {i["code"]: i["met"] for i in application.indicators} == {
        rules.FILED_CHARTER: True,
        rules.QUORATE_ASSEMBLY: True,
        rules.CARE_COVERAGE: True,
    }
    services.designation_review(
        actor=people.reviewer_a, application=application, decision="pass", comment="属实"
    )
    application.refresh_from_db()
    assert application.step == DesignationStep.COUNTY
    services.designation_review(actor=people.approver, application=application, decision="pass")
    services.designation_review(actor=officers["city"], application=application, decision="pass")
    # then it is a demonstration village for three years, and in the group reports slice by
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    designation = Designation.objects.unscoped("test").get(application=application)
    today = timezone.localdate()
    assert designation.valid_from == today
    assert designation.valid_until == today.replace(year=today.year + 3) - dt.timedelta(days=1)
    assert list(selectors.designated_units(rating=Rating.DEMONSTRATION)) == [tree.village_a]
    assert [r.step for r in application.reviews.all()] == ["township", "county", "city"]


def test_nobody_reviews_their_own_application_or_two_levels_of_one(tree, people, officers):
    village_meeting_the_criteria(tree.village_a)
    own = _apply(people, tree, actor=people.admin)
    with pytest.raises(PermissionDenied, match="不能审核自己提交的申报"):
        services.designation_review(actor=people.admin, application=own, decision="pass")
    # the city's officer may decide any level below, but only one of them
    services.designation_review(actor=officers["city"], application=own, decision="pass")
    with pytest.raises(PermissionDenied, match="同一人不能审核两个环节"):
        services.designation_review(actor=officers["city"], application=own, decision="pass")
    own.refresh_from_db()
    assert own.step == DesignationStep.COUNTY and own.reviews.count() == 1


def test_each_level_is_decided_by_its_own_reviewers(tree, people, officers):
    village_meeting_the_criteria(tree.village_a)
    application = _apply(people, tree)
    with pytest.raises(PermissionDenied, match="乡镇审核"):  # a county approver cannot do the township's part
        services.designation_review(actor=people.approver, application=application, decision="pass")
    with pytest.raises(NotFound):  # another township's reviewer does not see it
        services.designation_review(actor=people.reviewer_b, application=application, decision="pass")
    assert application.reviews.count() == 0


def test_the_work_queue_counts_only_the_applications_waiting_for_the_users_own_level(tree, people, officers):
    from guanhuai.governance import work

    # given an application at the township step, in the scope of 甲镇's reviewer and of the county's approver
    village_meeting_the_criteria(tree.village_a)
    application = _apply(people, tree)
    # then only those who may decide it now have it to do: not the county before the township has passed it
    assert work.designations_to_review(people.reviewer_a).count == 1
    assert work.designations_to_review(people.reviewer_b).count == 0
    assert work.designations_to_review(people.approver).count == 0
    assert work.designations_to_review(officers["city"]).count == 1  # an officer may decide any level below
    # when the township passes it, it moves to the county's queue and leaves the township's
    services.designation_review(actor=people.reviewer_a, application=application, decision="pass")
    assert work.designations_to_review(people.reviewer_a).count == 0
    assert work.designations_to_review(people.approver).count == 1
    # and one who has passed a level, or applied, does not count it again
    services.designation_review(actor=officers["city"], application=application, decision="pass")
    assert work.designations_to_review(officers["city"]).count == 0
    assert work.designations_to_review(people.approver).count == 0
    village_meeting_the_criteria(tree.village_b)
    _apply(people, tree, actor=people.admin, unit=tree.village_b)
    assert work.designations_to_review(people.reviewer_b).count == 1
    assert work.designations_to_review(people.admin).count == 1  # 甲村's, at the city level; not its own


def test_a_refusal_needs_a_reason_and_ends_the_application(tree, people):
    village_meeting_the_criteria(tree.village_a)
    application = _apply(people, tree)
    with pytest.raises(ValidationError, match="不通过须说明理由"):
        services.designation_review(actor=people.reviewer_a, application=application, decision="refuse")
    services.designation_review(
        actor=people.reviewer_a, application=application, decision="refuse", comment="活动室未挂牌"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    with pytest.raises(Conflict, match="未通过"):
        services.designation_review(actor=people.approver, application=application, decision="pass")
    # refused, the village may apply again
    assert _apply(people, tree).status == ApplicationStatus.UNDER_REVIEW


def test_bad_applications_are_refused_with_the_reason_and_change_nothing(tree, people):
    village_meeting_the_criteria(tree.village_a, assembly=False)
    missing = {**FIVE_HAVES_MET, "venue": {"met": False, "evidence": ""}}
    with pytest.raises(ValidationError, match="五有.*未全部达到（有活动阵地）"):
        _apply(people, tree, evidence=missing)
    bare = {**FIVE_HAVES_MET, "publicity": {"met": True, "evidence": " "}}
    with pytest.raises(ValidationError, match="有宣传员 未填写"):
        _apply(people, tree, evidence=bare)
    with pytest.raises(ValidationError, match="近一年召开过达到法定人数的村民会议（否）"):
        _apply(people, tree, Rating.DEMONSTRATION)  # no assembly in the last year
    with pytest.raises(ValidationError, match="村\\(社区\\)可申报合格或示范"):
        _apply(people, tree, "gold")
    assert DesignationApplication.objects.unscoped("test").count() == 0
    # qualified needs no assembly; applying twice while the first is in review is refused
    _apply(people, tree, Rating.QUALIFIED)
    with pytest.raises(Conflict, match="已有一份申报正在审核，不能重复申报"):
        _apply(people, tree, Rating.QUALIFIED)
    assert DesignationApplication.objects.unscoped("test").count() == 1


def test_a_village_without_a_filed_charter_is_not_even_qualified(tree, people):
    with pytest.raises(ValidationError, match="已报乡镇备案（否）"):
        _apply(people, tree, Rating.QUALIFIED)


def test_re_evaluation_falls_due_before_expiry_and_renews_the_designation(tree, people, officers):
    village_meeting_the_criteria(tree.village_a)
    first = _designated(people, tree, officers)
    with pytest.raises(Conflict, match="起可申报复评"):
        _apply(people, tree)
    # when its expiry comes within 90 days, the re-evaluation is due: on the list and open to apply
    Designation.objects.unscoped("test").filter(pk=first.pk).update(
        valid_from=timezone.localdate() - dt.timedelta(days=1000),
        valid_until=timezone.localdate() + dt.timedelta(days=60),
    )
    assert list(selectors.designation_list(actor=people.clerk_a, due_by=timezone.localdate())) == [first]
    reviewers = {"city": user_with_role("governance_officer", tree.city, username="city2")}
    application = _apply(people, tree)
    assert application.renews_id == first.pk
    services.designation_review(actor=people.reviewer_a, application=application, decision="pass")
    services.designation_review(actor=people.approver, application=application, decision="pass")
    services.designation_review(actor=reviewers["city"], application=application, decision="pass")
    first.refresh_from_db()
    assert first.status == DesignationStatus.RENEWED
    assert selectors.designation_of(unit=tree.village_a).application_id == application.pk


def test_revocation_needs_a_reason_and_an_expired_designation_is_not_revoked(tree, people, officers):
    village_meeting_the_criteria(tree.village_a)
    designation = _designated(people, tree, officers)
    with pytest.raises(PermissionDenied):
        services.designation_revoke(actor=people.clerk_a, designation=designation, reason="自行放弃")
    with pytest.raises(ValidationError, match="撤销评定须说明理由"):
        services.designation_revoke(actor=officers["county"], designation=designation, reason="  ")
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.IN_FORCE
    services.designation_revoke(
        actor=officers["county"], designation=designation, reason="村规民约被责令改正后未整改"
    )
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.REVOKED and designation.revoked_by == officers["county"]
    assert not selectors.designated_units().exists()
    # an expired one has already left the group: revoking it is refused
    village_meeting_the_criteria(tree.village_b)
    expired = services.designation_apply(
        actor=officers["clerk_b"], unit=tree.village_b, rating=Rating.QUALIFIED, evidence=FIVE_HAVES_MET
    )
    Designation.objects.create(
        unit=tree.village_b,
        rating=Rating.QUALIFIED,
        application=expired,
        valid_from=timezone.localdate() - dt.timedelta(days=1200),
        valid_until=timezone.localdate() - dt.timedelta(days=5),
    )
    old = Designation.objects.unscoped("test").get(unit=tree.village_b)
    with pytest.raises(Conflict, match="到期，无需撤销"):
        services.designation_revoke(actor=officers["county"], designation=old, reason="复评未通过")
    assert not selectors.designated_units().exists()


def test_a_county_applies_to_city_and_province_on_its_villages_ratings(tree, people, officers, monkeypatch):
    county_officer = officers["county"]
    with pytest.raises(ValidationError, match="县\\(区\\)可申报示范县"):
        services.designation_apply(
            actor=county_officer, unit=tree.county, rating=Rating.QUALIFIED, evidence=FIVE_HAVES_MET
        )
    with pytest.raises(ValidationError, match="合格村以上的村\\(社区\\)比例（0.0%（0/3））"):
        services.designation_apply(
            actor=county_officer, unit=tree.county, rating=Rating.DEMONSTRATION, evidence=FIVE_HAVES_MET
        )
    # given all three villages rated (two demonstration) and a threshold of two demonstration villages
    indicator = next(i for i in rules.INDICATORS if i.code == rules.DEMONSTRATION_VILLAGES)
    monkeypatch.setitem(indicator.minimum, Rating.DEMONSTRATION, 2)
    for unit, rating in [
        (tree.village_a, Rating.DEMONSTRATION),
        (tree.community_a, Rating.DEMONSTRATION),
        (tree.village_b, Rating.QUALIFIED),
    ]:
        Designation.objects.create(
            unit=unit,
            rating=rating,
            application=DesignationApplication.objects.create(
                unit=unit, rating=rating, created_by=people.admin, submitted_at=timezone.now()
            ),
            valid_from=timezone.localdate(),
            valid_until=rules.valid_until(timezone.localdate()),
        )
    application = services.designation_apply(
        actor=county_officer, unit=tree.county, rating=Rating.DEMONSTRATION, evidence=FIVE_HAVES_MET
    )
    assert application.step == DesignationStep.CITY
    services.designation_review(actor=officers["city"], application=application, decision="pass")
    application.refresh_from_db()
    assert application.step == DesignationStep.PROVINCE
    services.designation_review(actor=people.admin, application=application, decision="pass")
    assert tree.county in selectors.designated_units(rating=Rating.DEMONSTRATION)


def test_the_report_counts_rated_and_demonstration_villages_by_township(
    tree, people, django_assert_num_queries
):
    for unit, rating in [(tree.village_a, Rating.DEMONSTRATION), (tree.village_b, Rating.QUALIFIED)]:
        Designation.objects.create(
            unit=unit,
            rating=rating,
            application=DesignationApplication.objects.create(
                unit=unit, rating=rating, created_by=people.admin, submitted_at=timezone.now()
            ),
            valid_from=timezone.localdate(),
            valid_until=rules.valid_until(timezone.localdate()),
        )
    with django_assert_num_queries(3):  # the scope, the grouped count, the child branches
        rows, total = selectors.designation_report(actor=people.approver, unit=tree.county)
    assert [(r.unit, r.villages, r.qualified, r.demonstration) for r in rows] == [
        (tree.town_a, 2, 1, 1),
        (tree.town_b, 1, 1, 0),
    ]
    assert (total.villages, total.qualified, total.demonstration, total.share) == (3, 2, 1, "66.7%")
    with pytest.raises(NotFound):
        selectors.designation_report(actor=people.reviewer_b, unit=tree.town_a)
