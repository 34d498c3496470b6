"""Every URL pattern and every API path that names an object, walked as a user whose scope holds none of
them: the answer must be the one a missing id gets (a 404, or the same refusal), and must say nothing
about the object.

The user holds every role, but at a new branch with nothing in it, so every object of the demo province is
outside their scope. A new pattern with an object id fails here until `OBJECTS` says which model its id
names: that is how a new app joins the walk."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model

from guanhuai.accounts.models import RoleAssignment, User
from guanhuai.accounts.registry import ALL_ROLES
from guanhuai.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from guanhuai.orgs.models import OrgUnit
from guanhuai.orgs.tests.factories import OrgUnitFactory
from guanhuai.web.tests.objects import METHODS, OBJECTS, OTHER_VALUES, SKIPPED, make_demo, model_for, routes  # noqa: F401

MISSING = 987654321


def fill(route: str, value: Callable[[str], Any]) -> str:
    def one(match: re.Match) -> str:
        keyword = match.group(2)
        return str(OTHER_VALUES[keyword] if keyword in OTHER_VALUES else value(keyword))

    return re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.GUANHUAI_RATE_LIMITS_ENABLED = False  # the walk is about scope; it would hit the export limits
    with django_capture_on_commit_callbacks(execute=True):
        make_demo()


@pytest.fixture
def outsider(demo):
    """Every role, at a new branch with nothing in it."""
    province = OrgUnit.objects.get(level="province")
    island = OrgUnitFactory(code="449900", name="空白市", level="city", parent=province)
    user = UserFactory(home_unit=island, username="outsider")
    for role in ALL_ROLES:
        RoleAssignmentFactory(user=user, org_unit=island, role=role)
    return user


def some(model: type[Model], outsider: User) -> Model:
    qs = model._default_manager.all()
    if model is User:
        qs = qs.exclude(pk=outsider.pk)
    elif model is RoleAssignment:
        qs = qs.exclude(user=outsider)
    elif model is OrgUnit:
        qs = qs.filter(level="county")
    obj = qs.order_by("pk").first()
    assert obj is not None, f"the demo has no {model.__name__}: the walk cannot test its routes"
    return obj


def _strip(body: bytes, *ids: int) -> str:
    """The body with the ids it may echo (as whole numbers) and per-request values taken out."""
    text = body.decode("utf-8", "replace")
    for value in ids:
        text = re.sub(rf"(?<![\w\\]){value}(?!\w)", "<id>", text)
    # the CSRF token is masked afresh on every page (in forms and in htmx's header), so it says nothing
    return re.sub(r'(csrfmiddlewaretoken" value="|"request_id": ?"|"X-CSRFToken": ")[^"]*', r"\1", text)


@pytest.mark.django_db
def test_every_object_route_answers_an_out_of_scope_user_as_if_the_object_were_missing(client, outsider):
    client.force_login(outsider)
    named = {}
    problems = []
    for route in routes():
        objects = {}

        def existing(keyword: str, route: str = route, objects: dict = objects) -> int:
            model = model_for(route, keyword)
            objects[keyword] = some(model, outsider)
            return objects[keyword].pk

        url_existing = "/" + fill(route, existing)
        url_missing = "/" + fill(route, lambda keyword: MISSING)
        ids = [obj.pk for obj in objects.values()]
        for method in METHODS:
            send = getattr(client, method)
            kwargs: dict = {}
            if route.startswith("api/") and method != "get":
                kwargs = {"content_type": "application/json", "data": "{}"}
            seen = send(url_existing, **kwargs)
            missing = send(url_missing, **kwargs)
            named[route] = True
            if seen.status_code != missing.status_code:
                problems.append(
                    f"{method.upper()} {url_existing}: {seen.status_code}, missing id {missing.status_code}"
                )
            elif seen.status_code < 400 or seen.status_code >= 500:
                problems.append(f"{method.upper()} {url_existing}: {seen.status_code}")
            # both bodies lose the same numbers: a page's own digits (a viewport's "scale=1") stay equal
            elif seen.content != missing.content and _strip(seen.content, *ids, MISSING) != _strip(
                missing.content, *ids, MISSING
            ):
                problems.append(f"{method.upper()} {url_existing}: the answer differs from a missing id's")
            else:
                for obj in objects.values():
                    for word in {str(getattr(obj, f, "")) for f in ("name", "title", "username")} - {""}:
                        if len(word) > 1 and word in seen.content.decode("utf-8", "replace"):
                            problems.append(f"{method.upper()} {url_existing}: names {word!r}")
    assert len(named) > 100
    assert problems == [], "\n".join(problems)
