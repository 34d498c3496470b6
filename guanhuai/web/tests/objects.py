"""Which model each object route's id names (`OBJECTS`), shared by the scope walk (test_scope_walk.py) and
the English walk (test_english_pages.py). A new app adds its object routes here: the scope walk fails on a
route with an id that no entry names."""

from __future__ import annotations

import re

from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver

from guanhuai.accounts.models import ApiToken, RoleAssignment, User
from guanhuai.association import models as association
from guanhuai.association import models_training as training
from guanhuai.funds import models as funds
from guanhuai.jobs.models import Job
from guanhuai.orgs.models import OrgUnit
from guanhuai.programmes import models as programmes
from guanhuai.registry import models as registry

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
