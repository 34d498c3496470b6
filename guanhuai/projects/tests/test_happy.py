"""Happy Family selection (幸福家庭评选) through the services: a village clerk nominates a household of the
project's area with the five statements; the township, the county and the city review it in turn, the city
names it; who may act where (segregation, scope, the step), refusals with their message and nothing saved,
and `families_named` computed from the named nominations on the page, the API and the closing snapshot."""

from __future__ import annotations

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.projects import selectors, services
from guanhuai.projects.models_happy import Nomination, NominationReview
from guanhuai.projects.selectors.snapshot import outcome_snapshot, report_from_snapshot, take_snapshot
from guanhuai.projects.tests.factories_happy import EVIDENCE, family, nominate, selection_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(tree, types):
    """韶关市's 2025 Happy Family selection over 仁化县: township → county → city."""
    return selection_project(types["happy_family"], tree.city, area=[tree.county])


@pytest.fixture
def crew(tree, people, staff):
    return people, staff


def _through(project, nomination, people, staff):
    services.nomination_review(actor=people.reviewer_a, nomination=nomination, decision="recommend")
    services.nomination_review(actor=people.approver, nomination=nomination, decision="recommend")
    return services.nomination_review(
        actor=staff.city, nomination=nomination, decision="name", comment="命名"
    )


def test_a_nomination_climbs_township_county_city_and_is_named(tree, people, staff, project):
    hh = family(tree.village_a, 1)
    # given a nomination by 甲村's clerk
    n = nominate(people.clerk_a, project, hh)
    assert (n.status, n.step) == ("under_review", "township")
    assert services.nomination_steps(n) == ["township", "county", "city"]
    # when each level above the village recommends it and the city names it
    services.nomination_review(actor=people.reviewer_a, nomination=n, decision="recommend", comment="属实")
    n.refresh_from_db()
    assert n.step == "county"
    services.nomination_review(actor=people.approver, nomination=n, decision="recommend")
    n.refresh_from_db()
    assert n.step == "city"
    services.nomination_review(actor=staff.city, nomination=n, decision="name")
    # then it is named, with one review per level, and each move audited
    n.refresh_from_db()
    assert (n.status, n.step) == ("named", "") and n.named_at is not None
    assert list(n.reviews.values_list("step", "decision")) == [
        ("township", "recommend"),
        ("county", "recommend"),
        ("city", "name"),
    ]
    actions = list(
        AuditEntry.objects.filter(action__startswith="projects.nomination.").values_list("action", flat=True)
    )
    assert actions.count("projects.nomination.recommended") == 2
    assert "projects.nomination.created" in actions and "projects.nomination.named" in actions


def test_a_county_project_is_named_by_the_county(tree, types, people):
    county_project = selection_project(types["happy_family"], tree.county)
    n = nominate(people.clerk_a, county_project, family(tree.village_a, 2))
    assert services.nomination_steps(n) == ["township", "county"]
    services.nomination_review(actor=people.reviewer_a, nomination=n, decision="recommend")
    # the county is the last level: "recommend" there is refused, "name" names it
    with pytest.raises(ValidationError) as e:
        services.nomination_review(actor=people.approver, nomination=n, decision="recommend")
    assert e.value.code == "last_step_names"
    services.nomination_review(actor=people.approver, nomination=n, decision="name")
    n.refresh_from_db()
    assert n.status == "named"


def test_not_recommended_needs_a_reason_and_ends_it(tree, people, project):
    n = nominate(people.clerk_a, project, family(tree.village_a, 3))
    with pytest.raises(ValidationError) as e:
        services.nomination_review(actor=people.reviewer_a, nomination=n, decision="not_recommended")
    assert e.value.code == "reason_required" and "理由" in str(e.value)
    services.nomination_review(
        actor=people.reviewer_a, nomination=n, decision="not_recommended", comment="致富一项依据不足"
    )
    n.refresh_from_db()
    assert (n.status, n.step) == ("not_recommended", "")
    with pytest.raises(Conflict) as e:
        services.nomination_review(actor=people.approver, nomination=n, decision="recommend")
    assert e.value.code == "not_under_review"


def test_name_is_refused_below_the_last_level(tree, people, project):
    n = nominate(people.clerk_a, project, family(tree.village_a, 4))
    with pytest.raises(ValidationError) as e:
        services.nomination_review(actor=people.reviewer_a, nomination=n, decision="name")
    assert e.value.code == "not_last_step" and "市级评审" in str(e.value)


def test_segregation_scope_and_step_matrix(tree, people, staff, project):
    hh = family(tree.village_a, 5)
    # a township reviewer who nominated (they log activities too) may not review their own nomination
    own = nominate(people.reviewer_a, project, hh)
    with pytest.raises(PermissionDenied) as e:
        services.nomination_review(actor=people.reviewer_a, nomination=own, decision="recommend")
    assert e.value.code == "own_nomination"
    n = nominate(people.clerk_a, project, family(tree.village_a, 6))
    # the clerk cannot review at all; 乙镇's reviewer cannot even see 甲村's nomination
    with pytest.raises(PermissionDenied) as e:
        services.nomination_review(actor=people.clerk_a, nomination=n, decision="recommend")
    assert e.value.code == "wrong_level"
    with pytest.raises(NotFound):
        services.nomination_review(actor=people.reviewer_b, nomination=n, decision="recommend")
    with pytest.raises(NotFound):
        selectors.nomination_get(actor=people.reviewer_b, nomination_id=n.pk)
    # the county reviewer holds the permission above the township, so may act at its step; but one level only
    services.nomination_review(actor=people.approver, nomination=n, decision="recommend")
    n.refresh_from_db()
    with pytest.raises(PermissionDenied) as e:
        services.nomination_review(actor=people.approver, nomination=n, decision="recommend")
    assert e.value.code == "one_step_per_person"
    # a decision sent for a step the nomination has left is refused and writes nothing
    with pytest.raises(Conflict) as e:
        services.nomination_review(actor=staff.city, nomination=n, decision="name", step="township")
    assert e.value.code == "stale_step" and "县(区)级评审" in str(e.value)
    assert NominationReview.objects.filter(nomination=n).count() == 1


def test_a_replayed_decision_writes_one_review(tree, people, project):
    n = nominate(people.clerk_a, project, family(tree.village_a, 7))
    services.nomination_review(actor=people.reviewer_a, nomination=n, decision="recommend", step="township")
    with pytest.raises(Conflict):
        services.nomination_review(
            actor=people.reviewer_a, nomination=n, decision="recommend", step="township"
        )
    assert NominationReview.objects.filter(nomination=n).count() == 1


def test_nomination_refusals_say_why_and_save_nothing(tree, types, people, project):
    other = family(tree.village_a, 8)
    # outside the project's area (a 仁化县 project over 乙镇 only)
    narrow = selection_project(types["happy_family"], tree.county, area=[tree.town_b])
    with pytest.raises(ValidationError) as e:
        nominate(people.clerk_a, narrow, other)
    assert e.value.code == "household_outside_area"
    assert str(e.value) == (
        f"户“{other.number}”所在的甲村不在项目“{narrow.name}”的实施范围（乙镇）内，不能提名。"
    )
    # a criterion without its statement: every missing one is named
    with pytest.raises(ValidationError) as e:
        services.nomination_create(
            actor=people.clerk_a,
            project=project,
            household=other,
            evidence={**EVIDENCE, "eugenic": " ", "dedicated": ""},
        )
    assert str(e.value) == "每项评选标准都须写明事实依据：优生、奉献 未填写。"
    # another village's household: not the clerk's
    with pytest.raises(PermissionDenied) as e:
        nominate(people.clerk_a, project, family(tree.village_b, 9))
    assert e.value.code == "not_your_village"
    # a project of another type does not select families
    with pytest.raises(ValidationError) as e:
        nominate(people.clerk_a, selection_project(types["youth_health"], tree.county), other)
    assert e.value.code == "not_selecting"
    # a project not yet approved
    draft = selection_project(
        types["happy_family"], tree.city, area=[tree.county], status="draft", code="HFD"
    )
    with pytest.raises(Conflict) as e:
        nominate(people.clerk_a, draft, other)
    assert e.value.code == "project_not_running"
    assert Nomination.objects.count() == 0
    # a double submit: the second is refused
    nominate(people.clerk_a, project, other)
    with pytest.raises(Conflict) as e:
        nominate(people.clerk_a, project, other)
    assert e.value.code == "duplicate_nomination" and "评选中" in str(e.value)
    assert Nomination.objects.count() == 1


def test_the_lists_are_scoped_and_the_queue_shows_my_level(tree, people, staff, project):
    a = nominate(people.clerk_a, project, family(tree.village_a, 10))
    clerk_b = user_with_role("village_clerk", tree.village_b, username="clerk_b")
    b = nominate(clerk_b, project, family(tree.village_b, 11, "李强"))
    services.nomination_review(actor=people.reviewer_b, nomination=b, decision="recommend")
    assert set(selectors.nomination_list(actor=people.reviewer_a, project=project)) == {a}
    assert set(selectors.nomination_list(actor=staff.city, project=project)) == {a, b}
    # the township sees 甲村's waiting at its step; the county sees 乙村's, now at the county step
    assert list(selectors.nomination_list(actor=people.reviewer_a, to_review=True)) == [a]
    assert list(selectors.nomination_list(actor=people.approver, to_review=True)) == [b]
    counts = selectors.nomination_counts(selectors.nomination_list(actor=staff.city, project=project))
    assert counts == {"under_review": 2, "named": 0, "not_recommended": 0, "revoked": 0}


def test_families_named_is_computed_on_the_report_and_frozen_in_the_snapshot(tree, people, staff, project):
    n1 = nominate(people.clerk_a, project, family(tree.village_a, 12))
    n2 = nominate(people.clerk_a, project, family(tree.village_a, 13, "王芳"))
    nominate(people.clerk_a, project, family(tree.village_a, 14, "陈亮"))
    _through(project, n1, people, staff)
    _through(project, n2, people, staff)
    report = selectors.project_outcomes(actor=staff.city, project=project)
    assert report.families_named == 2
    assert selectors.outcome_report(actor=staff.province, type_code="happy_family").families_named == 2
    frozen = take_snapshot(project)
    assert frozen["families_named"] == 2
    assert report_from_snapshot(project, frozen).families_named == 2
    # an old snapshot without the figure reads as 0, not an error
    old = outcome_snapshot(report)
    del old["families_named"]
    assert report_from_snapshot(project, old).families_named == 0


def test_the_naming_level_revokes_a_title_with_a_reason_and_the_count_drops(tree, people, staff, project):
    n = _through(project, nominate(people.clerk_a, project, family(tree.village_a, 20)), people, staff)
    assert selectors.families_named(actor=staff.city, project=project) == 1
    # a reason is required, and a level below the naming one may not revoke: nothing changes
    with pytest.raises(ValidationError) as no_reason:
        services.nomination_revoke(actor=staff.city, nomination=n, reason="  ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(PermissionDenied) as below:
        services.nomination_revoke(actor=people.approver, nomination=n, reason="县里认为不实")
    assert below.value.code == "wrong_level"
    n.refresh_from_db()
    assert n.status == "named"
    # the city, which named it, revokes it
    services.nomination_revoke(actor=staff.city, nomination=n, reason="致富事迹经核查不实")
    n.refresh_from_db()
    assert (n.status, n.revoke_reason, n.revoked_by) == ("revoked", "致富事迹经核查不实", staff.city)
    assert n.named_at is not None and n.reviews.count() == 3  # the record of the selection stays
    assert selectors.families_named(actor=staff.city, project=project) == 0
    entry = AuditEntry.objects.get(action="projects.nomination.revoked")
    assert entry.data["reason"] == "致富事迹经核查不实"
    # a replayed form is refused and writes nothing
    with pytest.raises(Conflict) as again:
        services.nomination_revoke(actor=staff.city, nomination=n, reason="再次")
    assert again.value.code == "not_named"
    assert AuditEntry.objects.filter(action="projects.nomination.revoked").count() == 1


def test_only_a_named_family_can_be_revoked(tree, people, staff, project):
    n = nominate(people.clerk_a, project, family(tree.village_a, 21))
    with pytest.raises(Conflict):
        services.nomination_revoke(actor=staff.city, nomination=n, reason="尚未命名")
    n.refresh_from_db()
    assert n.status == "under_review" and n.revoked_at is None
