"""Every URL pattern and every API path that names an object, walked as a user whose scope holds none of
them: the answer must be the one a missing id gets (a 404, or the same refusal), and must say nothing
about the object.

The user holds every role, but at a new branch with nothing in it, so every object of the demo province is
outside their scope. A new pattern with an object id fails here until `OBJECTS` says which model its id
names: that is how a new app joins the walk."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver

from guanhuai.accounts.models import ApiToken, RoleAssignment, User
from guanhuai.accounts.registry import ALL_ROLES
from guanhuai.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from guanhuai.association import models as association
from guanhuai.association import models_training as training
from guanhuai.funds import models as funds
from guanhuai.jobs.models import Job
from guanhuai.orgs.models import OrgUnit
from guanhuai.orgs.tests.factories import OrgUnitFactory
from guanhuai.programmes import models as programmes
from guanhuai.registry import models as registry

MISSING = 987654321

# (route regex, URL keyword) → the model whose id that keyword names. The first match wins.
OBJECTS: list[tuple[str, str, type[Model]]] = [
    (r"association/care/families/", r"pk|household_id", registry.Household),
    (r"association/care/arrangements/", r"pk|arrangement_id", association.CareArrangement),
    (r"association/care/visits/", r"pk|visit_id", association.Visit),
    (r"association/care/follow-ups/", r"pk|follow_up_id", association.FollowUp),
    (r"association/volunteers/", r"pk|volunteer_id", association.Volunteer),
    (r"association/meetings/actions/", r"pk|action_id", association.ActionItem),
    (
        r"association/meetings/delegated/|association/delegated-tasks/",
        r"pk|task_id",
        association.DelegatedTask,
    ),
    (r"association/meetings/", r"pk|meeting_id", association.JointMeeting),
    (r"^association/|^api/v1/association/", r"member_id", association.Member),
    (r"^association/|^api/v1/association/", r"unit_id", OrgUnit),
    (r"^association/|^api/v1/association/", r"campaign_id", association.Campaign),
    (r"^association/|^api/v1/association/", r"body_id", association.Body),
    (r"^association/|^api/v1/association/", r"seat_id", association.Seat),
    (r"^association/|^api/v1/association/", r"cadre_id", association.Cadre),
    (r"^api/v1/association/courses/|^association/training/", r"session_id", training.CourseSession),
    (r"^association/training/certificates/", r"certificate_id", training.Certificate),
    (r"^api/v1/association/courses/|^association/training/", r"course_id", training.Course),
    (r"orgunits/|^orgs/", r"unit_id|pk", OrgUnit),
    (r"users/", r"user_id", User),
    (r"assignments/", r"assignment_id", RoleAssignment),
    (r"tokens/", r"token_id", ApiToken),
    (r"^api/v1/jobs/|^jobs/", r"job_id|pk", Job),
    (r"registry/imports/|registry/io/import/", r"batch_id|pk", registry.ImportBatch),
    (r"households/", r"household_id|pk", registry.Household),
    (r"consents/", r"consent_id|consent_pk", registry.Consent),
    (r"persons/", r"person_id|pk", registry.Person),
    (r"registry/transfers/", r"pk", registry.TransferRequest),
    (r"donors/", r"donor_id|pk", funds.Donor),
    (r"donations/", r"donation_id|pk", funds.Donation),
    (r"receipts/", r"receipt_id|pk", funds.Receipt),
    (r"allocations/", r"allocation_id|pk", funds.Allocation),
    (r"disbursements/", r"disbursement_id", funds.Disbursement),
    (r"^api/v1/funds/|^funds/", r"fund_id|pk", funds.Fund),
    (r"amount", r"rule_id|rule_pk", programmes.AmountRule),
    (r"^api/v1/programmes/|^programmes/definitions/", r"programme_id|pk", programmes.Programme),
    (r"documents/", r"document_id|doc", programmes.ApplicationDocument),
    (r"notices/", r"notice_id|pk", programmes.PublicNotice),
    (r"objections/", r"objection_id|pk", programmes.Objection),
    (r"grievances/", r"grievance_id|pk", programmes.Grievance),
    (r"applications/", r"application_id|pk", programmes.Application),
    (r"enrolments/", r"enrolment_id|pk", programmes.Enrolment),
    (r"entitlements/", r"entitlement_id|pk", programmes.Entitlement),
    (r"batches/", r"batch_id|pk", programmes.PaymentBatch),
    (r"cycles/", r"cycle_id|pk", programmes.Cycle),
]

# Keywords that are not object ids: a value that makes the route resolve.
OTHER_VALUES = {"kind": "death", "fmt": "csv", "token": "no-such-token"}

# Routes left out, and why.
SKIPPED = (
    r"^admin/",  # Django's admin: superusers only, outside scoping by design
    r"^audit/object/",  # filters the caller's own scoped log by a type and id: it names no object
)

METHODS = ("get", "post", "patch", "delete")


def routes() -> list[str]:
    def walk(resolver: URLResolver, prefix: str = ""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    found = {route for route in walk(get_resolver()) if "<" in route}
    return sorted(route for route in found if not any(re.search(skip, route) for skip in SKIPPED))


def model_for(route: str, keyword: str) -> type[Model]:
    for route_re, keyword_re, model in OBJECTS:
        if re.search(route_re, route) and re.fullmatch(keyword_re, keyword):
            return model
    raise AssertionError(f"{route}: which model does <{keyword}> name? Add it to OBJECTS.")


def fill(route: str, value: Callable[[str], Any]) -> str:
    def one(match: re.Match) -> str:
        keyword = match.group(2)
        return str(OTHER_VALUES[keyword] if keyword in OTHER_VALUES else value(keyword))

    return re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.GUANHUAI_RATE_LIMITS_ENABLED = False  # the walk is about scope; it would hit the export limits
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--small", "--no-job", verbosity=0, stdout=StringIO())
    # the few kinds of object the demo does not make
    admin = User.objects.get(username="sheng_admin")
    person = registry.Person.objects.order_by("pk").first()
    ApiToken.objects.create(user=admin, name="演示", prefix="gh_demo", digest="0" * 64)
    registry.ImportBatch.objects.create(
        actor=admin, org_unit=person.org_unit, file_name="a.xlsx", digest="0" * 64
    )
    registry.TransferRequest.objects.create(person=person, to_unit=person.org_unit, requested_by=admin)
    application = programmes.Application.objects.order_by("pk").first()
    programmes.Grievance.objects.create(
        org_unit=application.org_unit,
        application=application,
        complainant="张三",
        content="未到账",
        recorded_by=admin,
    )


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
