"""What the application services share: the open statuses, the permission of each review level, the
row lock, the state transition, the audit line, the next step and the checks before an application is
created."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.actor import Actor
from guanhuai.accounts.registry import permissions as all_permissions
from guanhuai.audit.services import log
from guanhuai.core import states
from guanhuai.core.errors import Conflict, DomainError
from guanhuai.core.locks import relock
from guanhuai.programmes import rules
from guanhuai.programmes.models import Application, Enrolment, Programme
from guanhuai.programmes.permissions import APPROVE_COUNTY, MANAGE_NOTICES, REVIEW_TOWNSHIP, REVIEW_VILLAGE
from guanhuai.programmes.states import APPLICATION_TRANSITIONS, ApplicationStatus, EnrolmentStatus, Step
from guanhuai.registry.models import Person

OPEN_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.IN_PUBLIC_NOTICE,
    ApplicationStatus.RETURNED,
)
LIVE_ENROLMENT = (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED)

# The permission that acts at each review level. The notice step is managed, not reviewed.
STEP_PERMISSIONS: dict[str, str] = {
    Step.VILLAGE: REVIEW_VILLAGE,
    Step.NOTICE: MANAGE_NOTICES,
    Step.TOWNSHIP: REVIEW_TOWNSHIP,
    Step.COUNTY: APPROVE_COUNTY,
}


# --- small helpers -------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _perm_label(perm: str) -> str:
    return str(all_permissions()[perm].label)


def _lock(application: Application) -> Application:
    """Re-read the application under a row lock: the state checks below see what concurrent reviewers did."""
    return relock(application, "programme", "person", "org_unit")


def _transition(application: Application, new: str) -> None:
    states.transition(application, new, APPLICATION_TRANSITIONS)


def _log(application: Application, action: str, *, actor: Actor, **data: Any) -> None:
    log(application, action, actor=actor, org_unit=application.org_unit, data=data)


def eligible_now(programme: Programme, person: Person) -> bool | None:
    """Does the person meet the programme's current rule today? None when the rule cannot be evaluated
    (a rule the engine refuses): shown as "unknown", never a block."""
    try:
        return rules.eligible(
            programme,
            as_of=_today(),
            persons=Person.objects.unscoped("eligibility of the one applicant the service holds").filter(
                pk=person.pk
            ),
        ).exists()
    except DomainError:
        return None


def eligibility_checks(programme: Programme, person: Person) -> list[rules.Check]:
    """What the current rule checks for the person today, fact by fact, with the person's values, and what
    every programme asks besides (alive, not anonymised, a month still owed) where it fails (for the review
    page). Empty when the rule cannot be evaluated, as `eligible_now` is then None."""
    try:
        return rules.explain_programme(programme, person, as_of=_today())
    except DomainError:
        return []


def _check_not_enrolled(programme: Programme, person: Person) -> None:
    if Enrolment.objects.filter(programme=programme, person=person, status__in=LIVE_ENROLMENT).exists():
        raise Conflict(
            _("%(name)s 已是“%(programme)s”的享受对象，不能重复申请。")
            % {"name": person.name, "programme": programme.name},
            code="already_enrolled",
        )


def _check_no_open_application(programme: Programme, person: Person) -> None:
    if Application.objects.filter(programme=programme, person=person, status__in=OPEN_STATUSES).exists():
        raise Conflict(
            _("%(name)s 已有一份“%(programme)s”的申请正在办理，不能重复申请。")
            % {"name": person.name, "programme": programme.name},
            code="open_application",
        )


def _next_step(application: Application) -> str | None:
    steps = list(application.programme.steps or [])
    try:
        i = steps.index(application.step)
    except ValueError:
        return steps[0] if steps else None
    return steps[i + 1] if i + 1 < len(steps) else None
