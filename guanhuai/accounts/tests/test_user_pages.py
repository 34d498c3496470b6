"""Managing users and roles through the pages: scoped lists and details, and every write refused with a
Chinese message and nothing written when it must be."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts.models import RoleAssignment, User
from guanhuai.accounts.tests.factories import PASSWORD, RoleAssignmentFactory, UserFactory, user_with_role
from guanhuai.audit.models import AuditEntry

USERS = "/accounts/users/"


def body(response) -> str:
    return response.content.decode()


def usernames(response) -> set[str]:
    return {u.username for u in response.context["page"]}


# --- who sees whom -----------------------------------------------------------------------------------------


def test_province_admin_lists_every_user_in_the_province(login, tree, people, elsewhere):
    response = login(people.admin).get(USERS)
    assert response.status_code == 200
    assert usernames(response) == {
        "clerk_a",
        "reviewer_a",
        "reviewer_b",
        "approver",
        "padmin",
        "cadmin",
        "auditor",
    }
    assert "hunan_reviewer" not in body(response)


def test_county_admin_lists_only_users_of_the_county(login, tree, people):
    assert usernames(login(people.county_admin).get(USERS)) == {
        "clerk_a",
        "reviewer_a",
        "reviewer_b",
        "approver",
        "cadmin",
    }


def test_township_user_cannot_list_or_fetch_users_of_a_sibling_township(login, tree, people):
    client = login(people.reviewer_a)
    assert client.get(USERS).status_code == 404  # no accounts.view_users at all
    assert client.get(reverse("accounts:user", args=[people.reviewer_b.pk])).status_code == 404
    # Even with user-viewing rights on 甲镇 (an auditor there), 乙镇's users stay invisible.
    auditor_a = user_with_role("auditor", tree.town_a, username="auditor_a")
    client = login(auditor_a)
    assert usernames(client.get(USERS)) == {"reviewer_a", "clerk_a", "auditor_a"}
    for url in (
        reverse("accounts:user", args=[people.reviewer_b.pk]),
        reverse("accounts:user_edit", args=[people.reviewer_b.pk]),
        reverse("accounts:assignment_grant", args=[people.reviewer_b.pk]),
    ):
        assert client.get(url).status_code == 404


def test_missing_and_forbidden_users_look_the_same(login, tree, people, elsewhere):
    client = login(people.admin)
    forbidden = client.get(reverse("accounts:user", args=[elsewhere.reviewer.pk]))
    missing = client.get(reverse("accounts:user", args=[10**9]))
    assert forbidden.status_code == missing.status_code == 404


def test_list_filters_by_name_role_and_branch(login, tree, people):
    client = login(people.admin)
    assert usernames(client.get(USERS, {"q": "reviewer"})) == {"reviewer_a", "reviewer_b"}
    assert usernames(client.get(USERS, {"q": people.approver.name})) == {"approver"}
    assert usernames(client.get(USERS, {"role": "township_reviewer"})) == {"reviewer_a", "reviewer_b"}
    # A branch means the branch and everything below it.
    assert usernames(client.get(USERS, {"unit": tree.town_a.pk})) == {"reviewer_a", "clerk_a"}
    assert usernames(client.get(USERS, {"unit": tree.town_a.pk, "role": "village_clerk"})) == {"clerk_a"}


def test_list_filter_by_a_branch_outside_the_scope_is_refused(login, tree, people, elsewhere):
    response = login(people.county_admin).get(USERS, {"unit": elsewhere.town.pk})
    assert "所选组织不存在，或不在您的管理范围内" in body(response)
    assert "hunan_reviewer" not in body(response)


def test_role_filter_ignores_revoked_and_lapsed_roles(login, tree, people):
    today = timezone.localdate()
    RoleAssignmentFactory(
        user=people.clerk_a, org_unit=tree.village_a, role="auditor", revoked_at=timezone.now()
    )
    RoleAssignmentFactory(
        user=people.approver,
        org_unit=tree.county,
        role="auditor",
        valid_from=today - dt.timedelta(days=9),
        valid_until=today - dt.timedelta(days=1),
    )
    assert usernames(login(people.admin).get(USERS, {"role": "auditor"})) == {"auditor"}


# Session + user (2), the actor's roles once per permission asked (4: list scope, "may manage", and the
# navigation's two), unit picker, count, page, prefetched roles (4), session save (3). Not one per row.
LIST_QUERIES = 13


def test_list_is_paginated_and_its_query_count_is_pinned(login, tree, people, django_assert_max_num_queries):
    for i in range(60):
        user_with_role("village_clerk", tree.village_b, username=f"clerk_b{i:02d}")
    client = login(people.admin)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(USERS)
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.count == 67
    with django_assert_max_num_queries(LIST_QUERIES + 3):  # + the chosen unit: validated, shown, its subtree
        response = client.get(USERS, {"page": 2, "role": "village_clerk", "unit": tree.county.pk})
    assert len(response.context["page"]) == 11
    assert "role=village_clerk" in body(response)  # the pager keeps the filters


def test_list_shows_only_roles_within_my_scope(login, tree, people):
    RoleAssignmentFactory(user=people.reviewer_a, org_unit=tree.town_b, role="project_officer")
    response = login(people.county_admin).get(USERS, {"q": "reviewer_a"})
    assert "项目专员 · 乙镇" in body(response)
    auditor_a = user_with_role("auditor", tree.town_a)
    response = login(auditor_a).get(USERS, {"q": "reviewer_a"})
    assert "乙镇" not in body(response)


def test_unit_picker_search_is_scoped(login, tree, people, elsewhere):
    client = login(people.admin)
    response = client.get(reverse("accounts:unit_options"), {"perm": "manage", "org_unit_unit_q": "镇"})
    assert "甲镇" in body(response) and "乙镇" in body(response)
    assert "丙镇" not in body(response)
    response = login(people.reviewer_a).get(
        reverse("accounts:unit_options"), {"perm": "manage", "org_unit_unit_q": "镇"}
    )
    assert "甲镇" not in body(response)


# --- create, edit, deactivate, reset -----------------------------------------------------------------------


def create(client, **overrides):
    data = {
        "username": "li_si",
        "name": "李四",
        "email": "",
        "new_password1": "Lychee-harbour-42",
        "new_password2": "Lychee-harbour-42",
    }
    data.update(overrides)
    return client.post(reverse("accounts:user_create"), data)


def test_province_admin_creates_a_user_in_the_province(login, tree, people):
    response = create(login(people.admin), home_unit=tree.village_b.pk)
    user = User.objects.get(username="li_si")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user", args=[user.pk])
    assert user.home_unit == tree.village_b and user.check_password("Lychee-harbour-42")
    assert AuditEntry.objects.filter(action="accounts.user.created", object_id=str(user.pk)).exists()


def test_create_with_a_duplicate_username_is_refused(login, tree, people):
    response = create(login(people.admin), username="REVIEWER_A", home_unit=tree.town_a.pk)
    assert response.status_code == 200
    assert "用户名“REVIEWER_A”已被使用" in body(response)
    assert User.objects.filter(username__iexact="reviewer_a").count() == 1


def test_create_with_a_weak_password_is_refused(login, tree, people):
    response = create(
        login(people.admin), home_unit=tree.town_a.pk, new_password1="12345678", new_password2="12345678"
    )
    assert "密码太短" in body(response) and "密码不能全是数字" in body(response)
    assert not User.objects.filter(username="li_si").exists()


def test_create_with_an_invalid_username_is_refused_in_chinese(login, tree, people):
    response = create(login(people.admin), username="li si!", home_unit=tree.town_a.pk)
    assert response.status_code == 200
    assert "用户名" in body(response)
    assert not User.objects.filter(name="李四").exists()


def test_create_outside_my_subtree_is_refused(login, tree, people, elsewhere):
    response = create(login(people.county_admin), home_unit=tree.other_county.pk)
    assert "所选组织不存在，或不在您的管理范围内" in body(response)
    response = create(login(people.admin), home_unit=elsewhere.town.pk)
    assert "所选组织不存在，或不在您的管理范围内" in body(response)
    assert not User.objects.filter(username="li_si").exists()


def test_viewers_without_manage_rights_cannot_create(login, tree, people):
    assert login(people.auditor).get(reverse("accounts:user_create")).status_code == 404
    assert login(people.reviewer_a).get(reverse("accounts:user_create")).status_code == 404


def test_edit_a_user(login, tree, people):
    client = login(people.admin)
    response = client.post(
        reverse("accounts:user_edit", args=[people.clerk_a.pk]),
        {"name": "王五", "email": "wangwu@example.cn", "home_unit": tree.community_a.pk},
    )
    assert response.status_code == 302
    people.clerk_a.refresh_from_db()
    assert (people.clerk_a.name, people.clerk_a.email, people.clerk_a.home_unit) == (
        "王五",
        "wangwu@example.cn",
        tree.community_a,
    )
    assert AuditEntry.objects.filter(
        action="accounts.user.updated", object_id=str(people.clerk_a.pk)
    ).exists()


def test_auditor_may_view_but_not_edit(login, tree, people):
    client = login(people.auditor)
    page = client.get(reverse("accounts:user", args=[people.clerk_a.pk]))
    assert page.status_code == 200 and "授予角色" not in body(page)
    response = client.post(
        reverse("accounts:user_edit", args=[people.clerk_a.pk]),
        {"name": "王五", "home_unit": tree.village_a.pk},
    )
    assert response.status_code == 200
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.name != "王五"


def test_deactivate_and_reactivate(login, tree, people, client):
    admin = login(people.admin)
    url = reverse("accounts:user_set_active", args=[people.clerk_a.pk])
    assert admin.get(url).status_code == 405
    admin.post(url, {"active": "0"})
    people.clerk_a.refresh_from_db()
    assert not people.clerk_a.is_active
    admin.post(url, {"active": "1"})
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.is_active


def test_cannot_deactivate_myself(login, tree, people):
    client = login(people.admin)
    response = client.post(
        reverse("accounts:user_set_active", args=[people.admin.pk]), {"active": "0"}, follow=True
    )
    assert "不能停用自己的账号" in body(response)
    people.admin.refresh_from_db()
    assert people.admin.is_active


def test_province_admin_cannot_touch_a_superuser_account(login, tree, people):
    root = UserFactory(username="root", is_superuser=True, is_staff=True, home_unit=tree.town_a)
    client = login(people.admin)
    response = client.post(reverse("accounts:user_set_active", args=[root.pk]), {"active": "0"}, follow=True)
    assert "只有系统管理员可以管理系统管理员的账号" in body(response)
    response = client.post(
        reverse("accounts:user_reset_password", args=[root.pk]),
        {"new_password1": "Lychee-harbour-42", "new_password2": "Lychee-harbour-42"},
    )
    assert "只有系统管理员" in body(response)
    root.refresh_from_db()
    assert root.is_active and root.check_password(PASSWORD)


def test_reset_someone_elses_password(login, tree, people, client):
    admin = login(people.admin)
    url = reverse("accounts:user_reset_password", args=[people.clerk_a.pk])
    weak = admin.post(url, {"new_password1": "password123", "new_password2": "password123"})
    assert "这个密码太常见" in body(weak)
    response = admin.post(url, {"new_password1": "Lychee-harbour-42", "new_password2": "Lychee-harbour-42"})
    assert response.status_code == 302
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.check_password("Lychee-harbour-42")


# --- grant and revoke --------------------------------------------------------------------------------------


def grant(client, user, **data):
    return client.post(reverse("accounts:assignment_grant", args=[user.pk]), data)


def test_grant_a_role_with_dates(login, tree, people):
    today = timezone.localdate()
    until = today + dt.timedelta(days=365)
    response = grant(
        login(people.admin),
        people.clerk_a,
        org_unit=tree.village_a.pk,
        role="project_officer",
        valid_from=today.isoformat(),
        valid_until=until.isoformat(),
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=people.clerk_a, role="project_officer")
    assert (assignment.org_unit, assignment.valid_from, assignment.valid_until) == (
        tree.village_a,
        today,
        until,
    )
    assert assignment.granted_by == people.admin
    assert AuditEntry.objects.filter(
        action="accounts.assignment.granted", object_id=str(assignment.pk)
    ).exists()


def test_grant_form_offers_units_and_roles_from_my_scope(login, tree, people, elsewhere):
    page = body(
        login(people.county_admin).get(reverse("accounts:assignment_grant", args=[people.clerk_a.pk]))
    )
    assert "仁化县" in page and "甲镇" in page
    assert "广东省" not in page and "湖南省" not in page and "始兴县" not in page
    assert "省级管理员" in page and "自治工作专员" in page


def test_province_admin_cannot_grant_on_another_province(login, tree, people, elsewhere):
    before = RoleAssignment.objects.count()
    response = grant(
        login(people.admin), people.clerk_a, org_unit=elsewhere.town.pk, role="township_reviewer"
    )
    assert response.status_code == 200
    assert "所选组织不存在，或不在您的管理范围内" in body(response)
    assert RoleAssignment.objects.count() == before
    assert not AuditEntry.objects.filter(action="accounts.assignment.granted").exists()


def test_county_admin_cannot_grant_on_the_neighbouring_county_or_above(login, tree, people):
    before = RoleAssignment.objects.count()
    for unit in (tree.other_county, tree.city):
        response = grant(login(people.county_admin), people.clerk_a, org_unit=unit.pk, role="auditor")
        assert "所选组织不存在，或不在您的管理范围内" in body(response)
    assert RoleAssignment.objects.count() == before


def test_cannot_grant_to_a_user_outside_my_subtree(login, tree, people, elsewhere):
    assert (
        grant(login(people.admin), elsewhere.reviewer, org_unit=tree.town_a.pk, role="auditor").status_code
        == 404
    )
    assert not RoleAssignment.objects.filter(user=elsewhere.reviewer, org_unit=tree.town_a).exists()


def test_expired_assignment_is_rejected(login, tree, people):
    today = timezone.localdate()
    response = grant(
        login(people.admin),
        people.clerk_a,
        org_unit=tree.village_a.pk,
        role="auditor",
        valid_from=(today - dt.timedelta(days=30)).isoformat(),
        valid_until=(today - dt.timedelta(days=1)).isoformat(),
    )
    assert "已过，这项授权不会生效" in body(response)
    assert not RoleAssignment.objects.filter(user=people.clerk_a, role="auditor").exists()


def test_until_before_from_is_rejected(login, tree, people):
    today = timezone.localdate()
    response = grant(
        login(people.admin),
        people.clerk_a,
        org_unit=tree.village_a.pk,
        role="auditor",
        valid_from=(today + dt.timedelta(days=10)).isoformat(),
        valid_until=(today + dt.timedelta(days=5)).isoformat(),
    )
    assert "截止日期不能早于生效日期" in body(response)
    assert not RoleAssignment.objects.filter(user=people.clerk_a, role="auditor").exists()


def test_duplicate_grant_and_unknown_role_are_rejected(login, tree, people):
    client = login(people.admin)
    response = grant(client, people.clerk_a, org_unit=tree.village_a.pk, role="village_clerk")
    assert "该用户在“甲村”已有这个角色" in body(response)
    response = grant(client, people.clerk_a, org_unit=tree.village_a.pk, role="emperor")
    assert response.status_code == 200 and "emperor" not in {a.role for a in people.clerk_a.assignments.all()}
    assert people.clerk_a.assignments.count() == 1


def test_cannot_grant_myself_a_role(login, tree, people):
    response = grant(login(people.admin), people.admin, org_unit=tree.province.pk, role="fund_manager")
    assert "不能给自己授予角色" in body(response)
    assert not people.admin.assignments.filter(role="fund_manager").exists()


def test_revoke_a_role(login, tree, people):
    assignment = people.clerk_a.assignments.get()
    client = login(people.admin)
    url = reverse("accounts:assignment_revoke", args=[assignment.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "已撤销“村级专干”（甲村）" in body(response)
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None and assignment.revoked_by == people.admin
    # The revoked assignment is kept on the page for the record, and gives no access any more.
    assert "已撤销" in body(client.get(reverse("accounts:user", args=[people.clerk_a.pk])))
    response = client.post(url, follow=True)
    assert "这项授权已被撤销" in body(response)


def test_cannot_revoke_outside_my_subtree(login, tree, people, elsewhere):
    assignment = elsewhere.reviewer.assignments.get()
    assert (
        login(people.admin).post(reverse("accounts:assignment_revoke", args=[assignment.pk])).status_code
        == 404
    )
    auditor_view = login(people.auditor).post(
        reverse("accounts:assignment_revoke", args=[people.clerk_a.assignments.get().pk])
    )
    assert auditor_view.status_code == 404
    assert not RoleAssignment.objects.filter(revoked_at__isnull=False).exists()
