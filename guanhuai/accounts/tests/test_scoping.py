import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.accounts import scoping
from guanhuai.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from guanhuai.core.errors import NotFound, PermissionDenied
from guanhuai.orgs import selectors


def names(qs):
    return sorted(u.name for u in qs)


def test_township_reviewer_sees_own_township_and_below_only(tree, people):
    visible = scoping.units(people.reviewer_a, "orgs.view_units")
    assert names(visible) == ["甲村", "甲社区", "甲镇"]


def test_township_reviewer_cannot_count_or_fetch_sibling_township(tree, people):
    assert selectors.unit_list(actor=people.reviewer_a).filter(pk=tree.village_b.pk).count() == 0
    with pytest.raises(NotFound):
        selectors.unit_get(actor=people.reviewer_a, unit_id=tree.town_b.pk)
    with pytest.raises(NotFound):
        selectors.unit_get(actor=people.reviewer_a, unit_id=999_999)


def test_missing_and_forbidden_units_raise_the_same_error(tree, people):
    with pytest.raises(NotFound) as forbidden:
        selectors.unit_get(actor=people.reviewer_a, unit_id=tree.village_b.pk)
    with pytest.raises(NotFound) as missing:
        selectors.unit_get(actor=people.reviewer_a, unit_id=10**9)
    assert str(forbidden.value) == str(missing.value)


def test_closed_by_default_user_without_assignment_sees_nothing(tree):
    nobody = UserFactory(home_unit=tree.town_a)
    assert scoping.units(nobody, "orgs.view_units").count() == 0
    assert not scoping.can_anywhere(nobody, "orgs.view_units")


def test_anonymous_sees_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert scoping.units(AnonymousUser(), "orgs.view_units").count() == 0


def test_expired_and_future_and_revoked_assignments_give_no_access(tree):
    today = timezone.localdate()
    expired = UserFactory()
    RoleAssignmentFactory(
        user=expired,
        org_unit=tree.county,
        role="county_approver",
        valid_from=today - dt.timedelta(days=60),
        valid_until=today - dt.timedelta(days=1),
    )
    future = UserFactory()
    RoleAssignmentFactory(
        user=future, org_unit=tree.county, role="county_approver", valid_from=today + dt.timedelta(days=1)
    )
    revoked = UserFactory()
    RoleAssignmentFactory(
        user=revoked, org_unit=tree.county, role="county_approver", revoked_at=timezone.now()
    )
    for user in (expired, future, revoked):
        assert scoping.units(user, "orgs.view_units").count() == 0


def test_permission_needs_a_role_that_grants_it(tree, people):
    # A village clerk sees the village but may not manage units there.
    assert scoping.can(people.clerk_a, "orgs.view_units", tree.village_a)
    assert not scoping.can(people.clerk_a, "orgs.manage_units", tree.village_a)
    with pytest.raises(PermissionDenied):
        scoping.require(people.clerk_a, "orgs.manage_units", tree.village_a)
    # …and asking about a unit they cannot see at all is a NotFound, not a PermissionDenied.
    with pytest.raises(NotFound):
        scoping.require(people.clerk_a, "orgs.manage_units", tree.village_b)


def test_several_assignments_union_and_nested_ones_collapse(tree):
    user = UserFactory()
    for unit in (tree.town_a, tree.village_a, tree.other_county):
        RoleAssignmentFactory(user=user, org_unit=unit, role="township_reviewer")
    assert scoping.root_paths(user, "orgs.view_units") == sorted([tree.town_a.path, tree.other_county.path])
    assert names(scoping.units(user, "orgs.view_units")) == ["始兴县", "甲村", "甲社区", "甲镇"]


def test_scoped_list_is_one_query(tree, people, django_assert_num_queries):
    scoping.forget(people.approver)
    with django_assert_num_queries(2):  # the actor's assignments, then the list
        list(selectors.unit_list(actor=people.approver))


def test_unknown_permission_is_a_programming_error(tree, people):
    with pytest.raises(KeyError):
        scoping.units(people.approver, "orgs.no_such_permission")


def test_scoped_subtree_of_an_assigned_unit_is_the_same_single_range_as_unscoped(tree, people):
    scoped = str(scoping.units(people.approver, "orgs.view_units", within=tree.town_a.path).query)
    unscoped = str(tree.town_a.subtree().query)
    assert scoped.count(tree.town_a.path) == unscoped.count(tree.town_a.path) == 1


def test_scoped_subtree_above_the_assignment_is_clipped_to_the_assignment(tree, people):
    # A township reviewer asking about the whole county sees only their own township's part of it.
    visible = scoping.units(people.reviewer_a, "orgs.view_units", within=tree.county.path)
    assert names(visible) == ["甲村", "甲社区", "甲镇"]
    assert scoping.units(people.reviewer_a, "orgs.view_units", within=tree.town_b.path).count() == 0


def test_holders_are_the_active_users_with_the_permission_at_or_above_a_unit(tree, people):
    expired = UserFactory(username="expired")
    RoleAssignmentFactory(
        user=expired,
        org_unit=tree.town_a,
        role="township_reviewer",
        valid_from=timezone.localdate() - dt.timedelta(days=60),
        valid_until=timezone.localdate() - dt.timedelta(days=1),
    )

    found = set(scoping.holders("programmes.review_township", tree.village_a))

    # 甲镇's reviewer holds it above 甲村; 乙镇's does not, nor the expired one, nor the clerk (no such role)
    assert found == {people.reviewer_a}
    assert set(scoping.holders("programmes.view", tree.village_a)) >= {
        people.clerk_a,
        people.reviewer_a,
        people.approver,
        people.admin,
    }


def test_holders_seen_by_an_actor_stop_at_the_actors_own_scope(tree, people):
    seen = set(scoping.holders("programmes.view", tree.village_a, seen_by=people.reviewer_a))

    assert seen == {people.clerk_a, people.reviewer_a}
    assert not scoping.holders(
        "programmes.view", tree.village_a, seen_by=UserFactory(username="nobody")
    ).exists()
