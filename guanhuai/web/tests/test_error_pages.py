"""The error pages: Chinese, phone-sized, in the site's layout, linking home. The 404 gives one answer for
a missing item and one outside the user's area; the 500 and CSRF pages need no database or request."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults
from django.views.csrf import csrf_failure

from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.tests.factories import build_apps

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def is_error_page(body: str, status: int) -> None:
    assert f'id="error-page" data-status="{status}"' in body
    assert VIEWPORT in body
    assert 'href="/"' in body or f'href="{reverse("home")}"' in body
    assert "返回首页" in body
    assert "Not Found" not in body and "Forbidden" not in body and "Bad Request" not in body


def main(body: str) -> str:
    """The page's own content (the header carries the per-response CSRF token and the current path)."""
    return body[body.index("<main") :]


@pytest.fixture
def apps(tree, people, settings, tmp_path):
    return build_apps(tree, people)


def test_a_missing_and_a_forbidden_application_get_the_same_chinese_404(client, apps, people):
    # an application of 甲村, out of 乙镇's reviewer's area
    theirs, _created = svc.application_create(
        actor=people.clerk_a, programme=apps.programme, person=apps.head
    )
    client.force_login(people.reviewer_b)

    forbidden = client.get(reverse("programmes:application_detail", args=[theirs.pk]))
    missing = client.get(reverse("programmes:application_detail", args=[theirs.pk + 1000]))

    assert forbidden.status_code == missing.status_code == 404
    body = forbidden.content.decode()
    is_error_page(body, 404)
    assert "不存在，或者不在您的工作范围内" in body
    assert 'class="navbar-nav me-auto"' in body
    assert main(body) == main(missing.content.decode())
    assert apps.head.name not in body


def test_an_unknown_address_is_the_same_404_page_for_a_visitor(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    is_error_page(response.content.decode(), 404)


def test_the_403_page_is_chinese_and_does_not_repeat_the_reason(rf, people):
    request = rf.get("/x/")
    request.user = people.clerk_a

    response = defaults.permission_denied(request, PermissionDenied("internal detail"))

    body = response.content.decode()
    assert response.status_code == 403
    is_error_page(body, 403)
    assert "您没有办理此事项的权限" in body and "internal detail" not in body


def test_the_400_page_is_chinese(rf, db):
    request = rf.get("/x/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()

    response = defaults.bad_request(request, Exception("boom"))

    assert response.status_code == 400
    body = response.content.decode()
    is_error_page(body, 400)
    assert "无法处理这个请求" in body and "boom" not in body


def test_a_post_without_the_csrf_token_gets_the_chinese_expired_page(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.clerk_a)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 403
    body = response.content.decode()
    is_error_page(body, 403)
    assert "页面已过期" in body and "CSRF" not in body


def test_the_500_page_needs_neither_the_database_nor_the_request():
    # no `db` fixture: any query here would raise
    request = RequestFactory().get("/x/")

    response = defaults.server_error(request)
    csrf = csrf_failure(request, reason="x")

    assert response.status_code == 500
    is_error_page(response.content.decode(), 500)
    assert "系统出错了" in response.content.decode()
    is_error_page(csrf.content.decode(), 403)


def test_the_500_page_needs_no_static_files(settings):
    # a production storage whose manifest is missing (collectstatic not run): {% static %} would raise
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-static-root"

    response = defaults.server_error(RequestFactory().get("/x/"))

    assert response.status_code == 500
    is_error_page(response.content.decode(), 500)


def test_an_exception_in_a_view_shows_the_500_page(client, people, monkeypatch):
    from guanhuai.web import views

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(views.work, "items_for", broken)
    client.raise_request_exception = False
    client.force_login(people.clerk_a)

    response = client.get(reverse("home"))

    assert response.status_code == 500
    body = response.content.decode()
    is_error_page(body, 500)
    assert "database on fire" not in body


def test_the_lockout_page_is_chinese_and_phone_sized(client, people):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "clerk_a", "password": "wrong"})

    response = client.post(reverse("accounts:login"), {"username": "clerk_a", "password": "wrong"})

    assert response.status_code == 429
    body = response.content.decode()
    assert VIEWPORT in body and "账号已被暂时锁定" in body and 'lang="zh-hans"' in body


def test_the_township_reviewer_is_not_offered_the_flagged_list_which_is_the_countys(client, apps, people):
    """Re-confirmation flags are decided by the county (programmes.manage_enrolments): the township
    reviewer's home, enrolment pages and README do not offer 待复核, and the address is the neutral 404."""
    client.force_login(people.reviewer_a)
    flagged = reverse("programmes:enrolment_flagged")

    assert flagged not in client.get(reverse("home")).content.decode()
    assert flagged not in client.get(reverse("programmes:enrolment_list")).content.decode()
    response = client.get(flagged)
    assert response.status_code == 404
    is_error_page(response.content.decode(), 404)

    client.force_login(people.approver)
    assert flagged in client.get(reverse("home")).content.decode()
    assert client.get(flagged).status_code == 200


def test_a_refusal_no_form_shows_is_a_400_page_with_its_message_and_a_way_home(rf, people):
    from guanhuai.core.errors import Conflict
    from guanhuai.core.web import DomainErrorMiddleware

    request = rf.post("/x/")
    request.user = people.clerk_a

    response = DomainErrorMiddleware(lambda r: None).process_exception(
        request, Conflict("该批次已对账，不能再导入回盘。")
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "该批次已对账，不能再导入回盘。" in body and "返回首页" in body and VIEWPORT in body
