from __future__ import annotations

import datetime as dt
import json
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from guanhuai.accounts.models import RoleAssignment, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "village_clerk"
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))


def user_with_role(role: str, unit, **kwargs) -> User:
    user = UserFactory(home_unit=unit, **kwargs)
    RoleAssignmentFactory(user=user, org_unit=unit, role=role)
    return user


class ApiClient:
    """Calls the REST API as `user`, with a fresh personal token (or with `token=`, a plain token made
    elsewhere). JSON bodies go in; the parsed answer is `response.data` (None when it is not JSON)."""

    def __init__(
        self, user: User | None = None, *, token: str | None = None, prefix: str = "/api/v1"
    ) -> None:
        from guanhuai.accounts.services import token_create

        if token is None:
            assert user is not None, "ApiClient needs a user or a token"
            _token, token = token_create(actor=user, name="测试")
        self.client = Client()
        self.prefix = prefix
        self.headers = {"Authorization": f"Bearer {token}"}

    def _answer(self, response: Any) -> Any:
        is_json = response.get("Content-Type", "").startswith("application/json")
        response.data = response.json() if is_json and response.content else None
        return response

    def _call(self, method: str, path: str, body: Any = None, params: Any = None, headers: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": {**self.headers, **(headers or {})}}
        if body is not None:
            kwargs.update(data=json.dumps(body, default=str), content_type="application/json")
        elif params:
            kwargs["data"] = params
        return self._answer(getattr(self.client, method)(f"{self.prefix}{path}", **kwargs))

    def get(self, path: str, **params: Any) -> Any:
        return self._call("get", path, params=params)

    def post(self, path: str, body: Any = None, headers: Any = None) -> Any:
        return self._call("post", path, body={} if body is None else body, headers=headers)

    def patch(self, path: str, body: Any) -> Any:
        return self._call("patch", path, body=body)

    def post_raw(self, path: str, raw: str) -> Any:
        """A body written by hand, so that a JSON number like 12.345 reaches the server as typed."""
        return self._answer(
            self.client.post(
                f"{self.prefix}{path}", data=raw, content_type="application/json", headers=self.headers
            )
        )

    def upload(self, path: str, name: str, content: bytes, **fields: Any) -> Any:
        """A multipart POST of one file (`file`) and any other fields."""
        data = {"file": SimpleUploadedFile(name, content), **fields}
        return self._answer(self.client.post(f"{self.prefix}{path}", data=data, headers=self.headers))
