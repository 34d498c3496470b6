"""Fixtures of the accounts tests: a second province (outside 广东省), signed-in clients, and an API
client that authenticates with a personal token."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.test import Client

from guanhuai.accounts import services
from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.orgs.tests.factories import OrgUnitFactory


@pytest.fixture
def elsewhere(tree):
    """湖南省 with one county and one township: nobody in the shared fixtures has any role there."""
    province = OrgUnitFactory(code="430000", name="湖南省", level="province")
    city = OrgUnitFactory(code="430100", name="长沙市", level="city", parent=province)
    county = OrgUnitFactory(code="430121", name="长沙县", level="county", parent=city)
    town = OrgUnitFactory(code="430121100000", name="丙镇", level="township", kind="town", parent=county)
    clerk = user_with_role("township_reviewer", town, username="hunan_reviewer")
    return SimpleNamespace(province=province, city=city, county=county, town=town, reviewer=clerk)


@pytest.fixture
def login(client):
    """Sign a user in on the shared test client and return that client."""

    def _login(user) -> Client:
        client.force_login(user)
        return client

    return _login


class ApiClient:
    """Calls /api/v1/ with `Authorization: Bearer <token>`; bodies are JSON, answers parsed."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, body=None, **params):
        fn = getattr(self.client, method)
        kwargs = {"headers": self.headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        elif params:
            kwargs["data"] = params
        response = fn(f"/api/v1{path}", **kwargs)
        response.data = response.json() if response.content else None
        return response

    def get(self, path: str, **params):
        return self._call("get", path, **params)

    def post(self, path: str, body=None):
        return self._call("post", path, body if body is not None else {})

    def patch(self, path: str, body):
        return self._call("patch", path, body)


@pytest.fixture
def api():
    """api(user) -> an ApiClient holding a fresh personal token of that user."""

    def _api(user) -> ApiClient:
        _token, plain = services.token_create(actor=user, name="测试")
        return ApiClient(plain)

    return _api
