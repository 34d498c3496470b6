"""Four eyes at the top: never the last province administrator; nobody opens an account and then makes it
powerful alone; an auditor's account changes only when a second administrator does the same."""

from __future__ import annotations

import pytest

from guanhuai.accounts import services
from guanhuai.accounts.models import RoleAssignment
from guanhuai.accounts.tests.factories import PASSWORD, user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, PermissionDenied

NEW_PASSWORD = "another-Horse-staple-9"


def admin_assignment(user):
    return RoleAssignment.objects.active().get(user=user, role="province_admin")


def test_the_last_province_admin_cannot_revoke_their_own_role(tree, people):
    # given padmin is the only province administrator of 广东省 (cadmin's role is on a county)
    with pytest.raises(Conflict) as refused:
        services.assignment_revoke(actor=people.admin, assignment=admin_assignment(people.admin))

    assert refused.value.code == "last_admin"
    assert admin_assignment(people.admin).revoked_at is None


def test_the_last_province_admin_cannot_be_deactivated_but_one_of_two_can(tree, people):
    second = user_with_role("province_admin", tree.province, username="padmin2")

    services.assignment_revoke(actor=second, assignment=admin_assignment(people.admin))

    # now padmin2 is the last one: not even a system operator deactivates them
    from guanhuai.accounts.tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    with pytest.raises(Conflict) as refused:
        services.user_update(actor=root, user=second, is_active=False)
    assert refused.value.code == "last_admin"
    second.refresh_from_db()
    assert second.is_active


def test_an_admin_cannot_open_an_account_and_make_it_powerful_alone(tree, people):
    twin = services.user_create(
        actor=people.admin, username="twin", name="影子", home_unit=tree.province, password=PASSWORD
    )

    for role in ("province_admin", "finance_officer", "fund_manager", "auditor"):
        with pytest.raises(PermissionDenied) as refused:
            services.assignment_grant(actor=people.admin, user=twin, org_unit=tree.province, role=role)
        assert refused.value.code == "grant_own_account"
    assert not RoleAssignment.objects.filter(user=twin).exists()

    # an ordinary role is fine, and a second administrator may grant the powerful one
    services.assignment_grant(actor=people.admin, user=twin, org_unit=tree.village_a, role="village_clerk")
    second = user_with_role("province_admin", tree.province, username="padmin2")
    services.assignment_grant(actor=second, user=twin, org_unit=tree.province, role="finance_officer")
    assert RoleAssignment.objects.active().filter(user=twin, role="finance_officer").exists()


def test_an_auditors_password_is_reset_only_by_a_second_admin(tree, people):
    second = user_with_role("province_admin", tree.province, username="padmin2")

    # when one admin resets the auditor's password, it is recorded as a request and nothing changes
    with pytest.raises(Conflict) as pending:
        services.user_set_password(actor=people.admin, user=people.auditor, password=NEW_PASSWORD)
    assert pending.value.code == "second_admin_required"
    people.auditor.refresh_from_db()
    assert people.auditor.check_password(PASSWORD)
    # the same admin asking again does not count as a second one
    with pytest.raises(Conflict):
        services.user_set_password(actor=people.admin, user=people.auditor, password=NEW_PASSWORD)

    # then a second admin doing the same makes it happen, with both in the audit log
    services.user_set_password(actor=second, user=people.auditor, password=NEW_PASSWORD)
    people.auditor.refresh_from_db()
    assert people.auditor.check_password(NEW_PASSWORD)
    confirmed = AuditEntry.objects.get(action="accounts.auditor.change_confirmed")
    assert (confirmed.actor_id, confirmed.data["requested_by"]) == (second.pk, people.admin.pk)


def test_an_auditor_is_deactivated_or_loses_the_role_only_with_a_second_admin(tree, people):
    second = user_with_role("province_admin", tree.province, username="padmin2")
    auditor_role = RoleAssignment.objects.active().get(user=people.auditor, role="auditor")

    with pytest.raises(Conflict):
        services.user_update(actor=people.admin, user=people.auditor, is_active=False)
    with pytest.raises(Conflict):
        services.assignment_revoke(actor=people.admin, assignment=auditor_role)
    people.auditor.refresh_from_db()
    auditor_role.refresh_from_db()
    assert people.auditor.is_active and auditor_role.revoked_at is None

    # a confirmation of one kind does not confirm another
    services.assignment_revoke(actor=second, assignment=auditor_role)
    auditor_role.refresh_from_db()
    assert auditor_role.revoked_at is not None
