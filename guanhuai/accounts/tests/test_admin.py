"""The Django admin: superusers only, tokens read-only, revocations through the services."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from guanhuai.accounts import services
from guanhuai.accounts.models import ApiToken, RoleAssignment
from guanhuai.accounts.tests.factories import PASSWORD, UserFactory
from guanhuai.audit.models import AuditEntry

ADMIN = "/admin/"


def superuser(tree):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_superuser_gets_the_admin(login, tree):
    client = login(superuser(tree))
    assert client.get(ADMIN).status_code == 200
    for model in ("user", "roleassignment", "apitoken"):
        assert client.get(reverse(f"admin:accounts_{model}_changelist")).status_code == 200


def test_staff_who_is_not_superuser_gets_the_admin_login_page(login, tree, people):
    staff = UserFactory(username="staff", is_staff=True, home_unit=tree.province)
    client = login(staff)
    for url in (
        ADMIN,
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_apitoken_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    # The province administrator (no staff flag, every role) is refused too.
    response = login(people.admin).get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_staff_signing_in_through_the_admin_login_still_gets_no_admin(client, tree):
    UserFactory(username="staff", is_staff=True)
    client.post(reverse("admin:login"), {"username": "staff", "password": PASSWORD, "next": ADMIN})
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_inactive_superuser_is_refused(login, tree):
    root = UserFactory(username="root", is_superuser=True, is_staff=True, is_active=False)
    assert not admin.site.has_permission(type("R", (), {"user": root})())


def test_token_digest_is_read_only_and_tokens_cannot_be_added(login, tree, people):
    token, _plain = services.token_create(actor=people.reviewer_a, name="手机")
    client = login(superuser(tree))
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert page.status_code == 200
    assert 'name="digest"' not in page.content.decode() and token.digest in page.content.decode()
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    before = token.digest
    client.post(reverse("admin:accounts_apitoken_change", args=[token.pk]), {"digest": "0" * 64, "name": "x"})
    token.refresh_from_db()
    assert token.digest == before and token.name == "手机"


def test_admin_revoke_actions_go_through_the_services(login, tree, people):
    token, _plain = services.token_create(actor=people.reviewer_a, name="泄露的令牌")
    client = login(superuser(tree))
    client.post(
        reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assignment = people.clerk_a.assignments.get()
    client.post(
        reverse("admin:accounts_roleassignment_changelist"),
        {"action": "revoke", "_selected_action": [assignment.pk]},
    )
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None
    assert AuditEntry.objects.filter(
        action="accounts.assignment.revoked", object_id=str(assignment.pk)
    ).exists()
    assert AuditEntry.objects.filter(action="accounts.token.revoked", object_id=str(token.pk)).exists()


def test_assignments_are_neither_added_nor_deleted_in_the_admin(login, tree, people):
    client = login(superuser(tree))
    assignment = people.clerk_a.assignments.get()
    assert client.get(reverse("admin:accounts_roleassignment_add")).status_code == 403
    assert (
        client.get(reverse("admin:accounts_roleassignment_delete", args=[assignment.pk])).status_code == 403
    )
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert ApiToken.objects.count() == 0
