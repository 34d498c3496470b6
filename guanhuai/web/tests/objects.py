"""Which model each object route's id names (`OBJECTS`), and the demo they walk (`make_demo`), shared by the
scope walk (test_scope_walk.py) and the English walk (test_english_pages.py). A new app adds its object routes here: the scope walk fails on a
route with an id that no entry names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO

from django.core.management import call_command
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver

from guanhuai.accounts.models import ApiToken, RoleAssignment, User
from guanhuai.association import models as association
from guanhuai.association import models_training as training
from guanhuai.funds import models as funds
from guanhuai.governance import models as governance
from guanhuai.jobs.models import Job
from guanhuai.orgs.models import OrgUnit
from guanhuai.portal import models as portal
from guanhuai.programmes import models as programmes
from guanhuai.projects import models as projects
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
    (r"association/members/imports/|association/member-imports/", r"pk|batch_id", association.MemberImport),
    (r"^association/|^api/v1/association/", r"member_id", association.Member),
    (r"^association/|^api/v1/association/", r"unit_id", OrgUnit),
    (r"^association/|^api/v1/association/", r"campaign_id", association.Campaign),
    (r"^association/|^api/v1/association/", r"body_id", association.Body),
    (r"^association/|^api/v1/association/", r"seat_id", association.Seat),
    (r"^association/|^api/v1/association/", r"cadre_id", association.Cadre),
    (r"^association/|^api/v1/association/", r"group_id", association.MemberGroup),
    (r"^api/v1/association/courses/|^association/training/", r"session_id", training.CourseSession),
    (r"^association/training/certificates/", r"certificate_id", training.Certificate),
    (r"^association/training/|^api/v1/association/courses/", r"enrolment_id", training.CourseEnrolment),
    (r"^association/training/|^api/v1/association/", r"trainer_id", training.Trainer),
    (r"^api/v1/association/courses/|^association/training/", r"course_id", training.Course),
    # projects: a project's own records first, then the project itself
    (r"^projects/types/|^api/v1/projects/types/", r"pk|type_id", projects.ProjectType),
    (r"^projects/|^api/v1/projects/", r"beneficiary_id", projects.Beneficiary),
    (r"^projects/|^api/v1/projects/", r"nomination_id", projects.Nomination),
    (r"^projects/|^api/v1/projects/", r"document_id", projects.ProjectDocument),
    (r"^projects/|^api/v1/projects/", r"report_id", projects.ProjectReport),
    (r"^projects/|^api/v1/projects/", r"milestone_id", projects.Milestone),
    (r"^projects/|^api/v1/projects/", r"funding_id", projects.ProjectFunding),
    (r"^projects/|^api/v1/projects/", r"use_id", projects.ProjectGoodsUse),
    (r"^projects/|^api/v1/projects/", r"activity_id", projects.Activity),
    (r"^projects/|^api/v1/projects/", r"pk|project_id", projects.Project),
    (r"^governance/|^api/v1/governance/", r"document_id", governance.Document),
    (r"^governance/|^api/v1/governance/", r"version_id|other_id", governance.DocumentVersion),
    (r"^governance/|^api/v1/governance/", r"clause_id", governance.Clause),
    (r"^governance/|^api/v1/governance/", r"amendment_id", governance.Amendment),
    (r"^governance/|^api/v1/governance/", r"filing_id", governance.Filing),
    (r"^governance/|^api/v1/governance/", r"meeting_id", governance.Meeting),
    (r"^governance/|^api/v1/governance/", r"motion_id", governance.Motion),
    (r"^governance/|^api/v1/governance/", r"application_id", governance.DesignationApplication),
    (r"^governance/|^api/v1/governance/", r"designation_id", governance.Designation),
    (r"^governance/villages/|^api/v1/governance/villages/", r"unit_id", OrgUnit),
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
    (r"^portal/manage/articles/|^api/v1/portal/articles/", r"pk|article_id", portal.Article),
    (r"^portal/manage/sites/|^api/v1/portal/sites/", r"pk|site_id", portal.Site),
    (r"^portal/manage/columns/", r"pk", portal.Column),
]

# Keywords that are not object ids: a value that makes the route resolve.
# `file`: an attachment within its article (portal), looked up only after the article is found in scope.
OTHER_VALUES = {"kind": "death", "fmt": "csv", "token": "no-such-token", "file": 1}

# Routes left out, and why.
SKIPPED = (
    r"^admin/",  # Django's admin: superusers only, outside scoping by design
    r"^audit/object/",  # filters the caller's own scoped log by a type and id: it names no object
    r"^gk/",  # the public portal: public by design, names no id; its 404s for drafts are portal's tests
)

METHODS = ("get", "post", "patch", "delete")


def walk(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """Every URL pattern of the project, as one route string each."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def routes() -> list[str]:
    """The routes that name an object."""
    found = {route for route in walk() if "<" in route}
    return sorted(route for route in found if not any(re.search(skip, route) for skip in SKIPPED))


def model_for(route: str, keyword: str) -> type[Model]:
    for route_re, keyword_re, model in OBJECTS:
        if re.search(route_re, route) and re.fullmatch(keyword_re, keyword):
            return model
    raise AssertionError(f"{route}: which model does <{keyword}> name? Add it to OBJECTS.")


def make_demo() -> None:
    """The small demo (its jobs not run), and the few kinds of object it does not make, so that every object
    route has a row to walk."""
    call_command("demo", "--small", "--no-job", verbosity=0, stdout=StringIO())
    admin = User.objects.get(username="sheng_admin")
    person = registry.Person.objects.order_by("pk").first()
    assert person is not None
    ApiToken.objects.create(user=admin, name="演示", prefix="gh_demo", digest="0" * 64)
    registry.ImportBatch.objects.create(
        actor=admin, org_unit=person.org_unit, file_name="a.xlsx", digest="0" * 64
    )
    registry.TransferRequest.objects.create(person=person, to_unit=person.org_unit, requested_by=admin)
    application = programmes.Application.objects.order_by("pk").first()
    assert application is not None
    programmes.Grievance.objects.create(
        org_unit=application.org_unit,
        application=application,
        complainant="张三",
        content="未到账",
        recorded_by=admin,
    )
