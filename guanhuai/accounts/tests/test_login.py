"""Signing in and out, lockout, sessions, CSRF, password change, the hasher, and "my account"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts import services
from guanhuai.accounts.models import User
from guanhuai.accounts.tests.factories import PASSWORD, RoleAssignmentFactory, UserFactory
from guanhuai.audit.models import AuditEntry

LOGIN = "/accounts/login/"


def sign_in(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_url_is_the_accounts_login_page(settings):
    assert reverse(settings.LOGIN_URL) == LOGIN
    assert reverse("accounts:login") == LOGIN


def test_login_page_renders_in_chinese(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录关怀工作平台" in response.content.decode()


def test_correct_password_signs_in_and_lands_on_home(client, tree, people):
    response = sign_in(client, "reviewer_a")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_wrong_password_shows_a_normal_chinese_error(client, tree, people):
    response = sign_in(client, "reviewer_a", "wrong-password")
    assert response.status_code == 200
    body = response.content.decode()
    assert "用户名或密码不正确" in body
    assert "锁定" in body  # warns that repeated failures lock the account
    assert "_auth_user_id" not in client.session


def test_deactivated_account_cannot_sign_in(client, tree, people):
    services.user_update(actor=people.admin, user=people.reviewer_a, is_active=False)
    response = sign_in(client, "reviewer_a")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_for_fifteen_minutes(client, tree, people):
    for _ in range(4):
        assert sign_in(client, "reviewer_a", "wrong-password").status_code == 200
    response = sign_in(client, "reviewer_a", "wrong-password")
    body = response.content.decode()
    assert response.status_code == 429
    assert "账号已被暂时锁定" in body
    assert "已被锁定 15 分钟" in body
    assert "reviewer_a" in body
    # Even the right password is refused while locked, with the same message.
    response = sign_in(client, "reviewer_a")
    assert response.status_code == 429
    assert "已被锁定 15 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_not_per_office(client, tree, people):
    """Lock by username: a clerk's typos must not lock out colleagues behind the same NAT address."""
    for _ in range(5):
        sign_in(client, "reviewer_a", "wrong-password")
    assert sign_in(client, "reviewer_b").status_code == 302


def test_lockout_expires_after_the_cooloff(client, tree, people):
    for _ in range(5):
        sign_in(client, "reviewer_a", "wrong-password")
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert sign_in(client, "reviewer_a").status_code == 302


def test_logout_is_post_only(client, tree, people):
    client.force_login(people.reviewer_a)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_post_without_csrf_token_is_refused(tree, people):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(LOGIN, {"username": "reviewer_a", "password": PASSWORD}).status_code == 403
    browser.force_login(people.admin)
    url = reverse("accounts:assignment_grant", args=[people.reviewer_a.pk])
    before = people.reviewer_a.assignments.count()
    response = browser.post(url, {"org_unit": tree.town_a.pk, "role": "auditor"})
    assert response.status_code == 403
    assert people.reviewer_a.assignments.count() == before
    assert browser.post(reverse("accounts:logout")).status_code == 403


def test_post_with_csrf_token_is_accepted(tree, people):
    browser = Client(enforce_csrf_checks=True)
    browser.get(LOGIN)
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        LOGIN, {"username": "reviewer_a", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_session_ends_at_browser_close_and_after_the_configured_age(client, tree, people, settings):
    sign_in(client, "reviewer_a")
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert client.session.get_expire_at_browser_close()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    session = Session.objects.get(session_key=client.session.session_key)
    age = (session.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < age <= settings.SESSION_COOKIE_AGE


def test_expired_session_redirects_to_login(client, tree, people):
    sign_in(client, "reviewer_a")
    profile = reverse("accounts:profile")
    assert client.get(profile).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(profile)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={profile}"


def production_hashers():
    """The suite hashes with MD5 for speed; these tests use what a deployment uses."""
    from django.conf import settings

    return override_settings(PASSWORD_HASHERS=settings.GUANHUAI_PASSWORD_HASHERS)


def test_argon2id_hash_with_the_documented_parameters_is_stored_and_signs_in(client, tree, people):
    with production_hashers():
        user = services.user_create(
            actor=people.admin,
            username="zhang_san",
            name="张三",
            home_unit=tree.town_a,
            password="Lychee-harbour-42",
        )
        stored = User.objects.get(pk=user.pk).password
        # OWASP's minimum for argon2id, chosen in docs/deployment.md
        assert stored.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        assert "Lychee-harbour-42" not in stored
        assert sign_in(client, "zhang_san", "Lychee-harbour-42").status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_password_hashed_with_the_old_parameters_signs_in_and_is_rehashed(client, tree, people):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = people.reviewer_a
    User.objects.filter(pk=user.pk).update(
        password=Argon2PasswordHasher().encode(PASSWORD, "oldsalt123456789")
    )
    with production_hashers():
        assert sign_in(client, "reviewer_a").status_code == 302
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db(transaction=True)
def test_a_successful_login_runs_no_empty_write_transactions(client, tree, people):
    """On SQLite every write transaction waits for the single writer. A login needs the session (twice), the
    access log and last_login; axes' clean-ups of an empty attempts table are skipped after one EXISTS."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert sign_in(client, "reviewer_a").status_code == 302
    sql = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    statements = [s for s in sql if s not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]
    assert sorted(statements) == [
        "INSERT",
        "INSERT",
        "SELECT",
        "SELECT",
        "SELECT",
        "SELECT",
        "UPDATE",
        "UPDATE",
    ]


def test_a_successful_login_still_clears_earlier_failures(client, tree, people):
    from axes.models import AccessAttempt

    sign_in(client, "reviewer_a", "wrong-password")
    assert AccessAttempt.objects.filter(username="reviewer_a").exists()
    assert sign_in(client, "reviewer_a").status_code == 302
    assert not AccessAttempt.objects.filter(username="reviewer_a").exists()


# --- password change ---------------------------------------------------------------------------------------


def change(client, old, new1, new2=None):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_password_change_needs_the_old_password(login, tree, people):
    client = login(people.reviewer_a)
    response = change(client, "not-my-password", "Lychee-harbour-42")
    assert response.status_code == 200
    assert "原密码不正确" in response.content.decode()
    people.reviewer_a.refresh_from_db()
    assert people.reviewer_a.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short1", "密码太短，至少需要 10 个字符"),
        ("1234567890123", "密码不能全是数字"),
        ("password123", "这个密码太常见"),
        ("reviewer_a1", "密码与用户名太相似"),
    ],
)
def test_password_change_applies_the_password_validators(login, tree, people, new, message):
    client = login(people.reviewer_a)
    response = change(client, PASSWORD, new)
    assert response.status_code == 200
    assert message in response.content.decode()
    people.reviewer_a.refresh_from_db()
    assert people.reviewer_a.check_password(PASSWORD)


def test_password_change_with_mismatched_confirmation(login, tree, people):
    client = login(people.reviewer_a)
    response = change(client, PASSWORD, "Lychee-harbour-42", "Lychee-harbour-43")
    assert "两次输入的新密码不一致" in response.content.decode()
    people.reviewer_a.refresh_from_db()
    assert people.reviewer_a.check_password(PASSWORD)


def test_password_change_keeps_me_signed_in_and_is_audited(login, tree, people):
    client = login(people.reviewer_a)
    response = change(client, PASSWORD, "Lychee-harbour-42")
    assert response.status_code == 302
    people.reviewer_a.refresh_from_db()
    assert people.reviewer_a.check_password("Lychee-harbour-42")
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEntry.objects.filter(
        action="accounts.user.password_changed", object_id=str(people.reviewer_a.pk)
    ).exists()


# --- my account --------------------------------------------------------------------------------------------


def test_profile_shows_my_roles_with_dates_and_my_home_branch(login, tree, people):
    today = timezone.localdate()
    RoleAssignmentFactory(
        user=people.reviewer_a,
        org_unit=tree.village_a,
        role="project_officer",
        valid_from=today - dt.timedelta(days=10),
        valid_until=today + dt.timedelta(days=20),
    )
    RoleAssignmentFactory(
        user=people.reviewer_a,
        org_unit=tree.village_a,
        role="auditor",
        valid_from=today + dt.timedelta(days=5),
    )
    RoleAssignmentFactory(
        user=people.reviewer_a, org_unit=tree.town_a, role="fund_manager", revoked_at=timezone.now()
    )
    body = login(people.reviewer_a).get(reverse("accounts:profile")).content.decode()
    assert "乡镇审核员" in body and "甲镇" in body
    assert "项目专员" in body and (today + dt.timedelta(days=20)).isoformat() in body
    assert "未生效" in body  # the future auditor role
    assert "基金管理员" not in body  # revoked
    assert "440224100000" in body  # home branch code


def test_pages_need_a_signed_in_user(client):
    for name in ("accounts:profile", "accounts:password_change", "accounts:tokens", "accounts:users"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_user_without_roles_can_still_use_my_account(login, tree):
    nobody = UserFactory(home_unit=tree.town_a)
    body = login(nobody).get(reverse("accounts:profile")).content.decode()
    assert "您还没有任何角色授权" in body
