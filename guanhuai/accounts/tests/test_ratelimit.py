"""Rate limits on sign-in, ID lookup, unmasking, exports and token creation: per user and per address,
429 with Retry-After, and the view does not run. The clock of the counters is frozen, so a window never
ends in the middle of a test."""

from __future__ import annotations

import pytest
from django.test import Client

from guanhuai.accounts import services
from guanhuai.accounts.models import ApiToken
from guanhuai.audit.models import AuditEntry


@pytest.fixture
def clock(rate_clock):
    # the root conftest stands the counters' clock still for every test; these tests move it
    return rate_clock


@pytest.fixture
def limits(settings, clock):
    settings.GUANHUAI_RATE_LIMITS = {
        "login": ("3/m", "5/m"),
        "id_lookup": ("3/m", "5/m"),
        "unmask": ("2/h", "10/h"),
        "export": ("2/h", "10/h"),
        "token_create": ("2/h", "10/h"),
    }
    return clock


def sign_in(username, address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": "wrong-password"}
    )


def test_sign_in_is_limited_per_username_across_addresses(tree, people, limits):
    for n in range(3):
        assert sign_in("reviewer_a", f"10.0.0.{n}").status_code == 200
    refused = sign_in("reviewer_a", "10.0.0.9")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert "操作过于频繁" in refused.content.decode()
    # another account from another address is not affected
    assert sign_in("reviewer_b", "10.0.0.8").status_code == 200


def test_sign_in_is_limited_per_address_across_usernames(tree, people, limits):
    for n in range(5):
        assert sign_in(f"someone{n}", "10.0.0.1").status_code == 200
    assert sign_in("someone-else", "10.0.0.1").status_code == 429
    assert sign_in("someone-else", "10.0.0.2").status_code == 200


def test_the_limit_ends_with_its_window(tree, people, limits):
    for n in range(5):
        sign_in(f"someone{n}")
    refused = sign_in("someone5")
    assert refused.status_code == 429
    limits.now += int(refused["Retry-After"]) - 1
    assert sign_in("someone6").status_code == 429  # one second early
    limits.now += 1
    assert sign_in("someone7").status_code == 200


def test_id_lookup_is_limited_per_user(tree, people, limits):
    client = Client()
    client.force_login(people.clerk_a)
    for _ in range(3):
        assert client.post("/registry/check-id/", {"id_number": "440224196001011234"}).status_code == 200
    refused = client.post("/registry/check-id/", {"id_number": "440224196001011234"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_api_unmask_is_limited_for_a_token_user_with_json_and_retry_after(tree, people, limits):
    _token, plain = services.token_create(actor=people.approver, name="t")
    headers = {"Authorization": f"Bearer {plain}"}
    body = {"field": "id_number", "reason": "核对身份"}
    client = Client()
    for _ in range(2):
        r = client.post(
            "/api/v1/persons/999999/unmask", body, content_type="application/json", headers=headers
        )
        assert r.status_code == 404
    r = client.post("/api/v1/persons/999999/unmask", body, content_type="application/json", headers=headers)
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limited" and "秒后再试" in r.json()["message"]
    assert 1 <= int(r["Retry-After"]) <= 3601


def test_token_creation_is_limited_and_a_refused_request_creates_nothing(tree, people, limits):
    client = Client()
    client.force_login(people.reviewer_a)
    for n in range(2):
        assert client.post("/accounts/me/tokens/", {"name": f"t{n}"}).status_code == 302
    refused = client.post("/accounts/me/tokens/", {"name": "t3"})
    assert refused.status_code == 429 and "Retry-After" in refused
    assert ApiToken.objects.filter(user=people.reviewer_a).count() == 2
    assert AuditEntry.objects.filter(action="accounts.token.created").count() == 2
    # the page itself (GET) is not counted
    assert client.get("/accounts/me/tokens/").status_code == 200


def test_exports_are_limited_per_user(tree, people, limits):
    client = Client()
    client.force_login(people.approver)
    for _ in range(2):
        assert client.post("/registry/io/export/", {}).status_code != 429
    assert client.post("/registry/io/export/", {}).status_code == 429


def test_limits_can_be_switched_off(tree, people, limits, settings):
    settings.GUANHUAI_RATE_LIMITS_ENABLED = False
    for n in range(6):
        assert sign_in(f"someone{n}").status_code == 200


def test_cache_url_chooses_a_cache_that_the_web_workers_share(tmp_path):
    from guanhuai import env

    def backend(url, testing=False):
        return env.caches(url, default_dir=tmp_path, testing=testing)["default"]

    assert backend("redis://127.0.0.1:6379/1") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    assert backend("db://")["BACKEND"].endswith("DatabaseCache")
    assert backend("")["BACKEND"].endswith("FileBasedCache") and backend("")["LOCATION"] == str(tmp_path)
    assert backend("", testing=True)["BACKEND"].endswith("LocMemCache")
    with pytest.raises(ValueError, match="CACHE_URL"):
        backend("memcached://x")


def test_counters_in_redis_are_shared_between_clients(tree, people, limits, settings):
    """Two web workers are two processes; what they share is the cache. With Redis, one client's counts
    are seen by another client that has its own connection."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    caches["default"].clear()
    try:
        for n in range(5):
            assert sign_in(f"someone{n}", "10.9.9.9").status_code == 200
        del caches["default"]  # a fresh connection, as another worker would have
        assert sign_in("someone-else", "10.9.9.9").status_code == 429
    finally:
        caches["default"].clear()


class NoAddressClient(Client):
    """A WSGI client that, like some test tools, sends no REMOTE_ADDR at all."""

    def _base_environ(self, **request):
        environ = super()._base_environ(**request)
        environ.pop("REMOTE_ADDR", None)
        return environ


def test_a_request_without_a_client_address_is_counted_not_a_server_error(tree, people, limits):
    client = NoAddressClient()
    client.force_login(people.clerk_a)
    request = {"id_number": "440224196001011234"}
    answers = [client.post("/registry/check-id/", request).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
