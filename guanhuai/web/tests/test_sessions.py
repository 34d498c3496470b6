"""Sessions slide without a write per page view (issue 16): on SQLite every write queues behind the one
writer, so a read-only page must not write at all. The expiry is refreshed at most once every
SESSION_REFRESH_SECONDS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanhuai.registry.tests.factories import family
from guanhuai.web.middleware import SESSION_REFRESHED_KEY

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.fixture
def signed_in(client, tree, people):
    family(people.approver, tree.village_a, children=1)
    client.force_login(people.reviewer_a)
    client.get(reverse("home"))  # the first page after signing in may refresh the session once
    return client


@pytest.mark.parametrize("page", ["registry:persons", "jobs:list", "home"])
def test_a_list_page_writes_nothing(signed_in, page):
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(reverse(page))
    assert response.status_code == 200
    assert writes(queries) == []


def test_the_expiry_slides_once_the_refresh_interval_has_passed(signed_in, settings):
    # given: the last refresh was longer ago than the interval, and the session is close to its end
    session = signed_in.session
    session[SESSION_REFRESHED_KEY] -= settings.SESSION_REFRESH_SECONDS + 1
    session.save()
    soon = timezone.now() + dt.timedelta(minutes=10)
    Session.objects.filter(session_key=session.session_key).update(expire_date=soon)
    # when
    with CaptureQueriesContext(connection) as queries:
        signed_in.get(reverse("jobs:list"))
    # then: one write pushes the expiry a full session length forward, and the next view writes nothing
    assert len(writes(queries)) == 1
    expires = Session.objects.get(session_key=session.session_key).expire_date
    assert expires > timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    with CaptureQueriesContext(connection) as queries:
        signed_in.get(reverse("jobs:list"))
    assert writes(queries) == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz"])  # the latter never reads the session
def test_a_stale_session_cookie_creates_no_session(client, settings, path):
    client.cookies[settings.SESSION_COOKIE_NAME] = "expiredorforgedsessionkey0000000"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    assert writes(queries) == [] and not Session.objects.exists()
