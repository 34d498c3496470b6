"""Enrolment when the last review level approves an application: one enrolment per beneficiary (the
applicant, and the spouse of a couple programme), re-activating an exited row rather than adding one."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import Conflict
from guanhuai.programmes.models import Application, Enrolment
from guanhuai.programmes.periods import month_index
from guanhuai.programmes.services.application_common import _log, _now, _today, _transition
from guanhuai.programmes.services.enrolments import enrolment_reactivate
from guanhuai.programmes.states import ApplicationStatus, EnrolmentStatus
from guanhuai.registry.models import Person


def _enrol(application: Application, *, actor: Actor) -> list[Enrolment]:
    """One enrolment per beneficiary (the applicant, and the spouse of a couple programme), re-activating an
    exited row rather than adding one (one row per person per programme)."""
    programme = application.programme
    submitted = timezone.localdate(application.submitted_at) if application.submitted_at else _today()
    beneficiaries: list[Person] = [application.person]
    if application.spouse is not None:
        beneficiaries.append(application.spouse)
    enrolments = []
    for person in beneficiaries:
        if programme.age_limit_months:
            birth = month_index(person.birth_date)
            start = max(birth, month_index(programme.counts_from)) if programme.counts_from else birth
            end: int | None = birth + programme.age_limit_months - 1
        else:
            start = month_index(submitted)
            if programme.counts_from:
                start = max(start, month_index(programme.counts_from))
            end = None
        if end is not None and end < start:
            raise Conflict(
                _("%(name)s 已超过享受年龄（%(months)s 个月），不能纳入享受对象。")
                % {"name": person.name, "months": programme.age_limit_months},
                code="age_limit_passed",
            )
        existing = (
            Enrolment.objects.unscoped("a re-read under lock of a row the service already holds")
            .select_for_update(of=("self",))
            .filter(programme=programme, person=person)
            .first()
        )
        if existing is not None:
            if existing.status != EnrolmentStatus.EXITED:
                raise Conflict(
                    _("%(name)s 已是“%(programme)s”的享受对象。")
                    % {"name": person.name, "programme": programme.name},
                    code="already_enrolled",
                )
            enrolments.append(
                enrolment_reactivate(
                    actor=actor, enrolment=existing, application=application, start_month=start, end_month=end
                )
            )
        else:
            enrolments.append(
                Enrolment.objects.create(
                    programme=programme,
                    person=person,
                    application=application,
                    org_unit_id=person.org_unit_id,
                    start_month=start,
                    end_month=end,
                )
            )
    application.start_month = enrolments[0].start_month
    return enrolments


def _approve(application: Application, *, actor: Actor, comment: str) -> None:
    enrolments = _enrol(application, actor=actor)
    _transition(application, ApplicationStatus.APPROVED)
    application.step = ""
    application.decided_at = _now()
    application.save(update_fields=["status", "step", "decided_at", "start_month"])
    _log(
        application,
        "programmes.application.approved",
        actor=actor,
        comment=comment,
        enrolments=[e.pk for e in enrolments],
        start_month=application.start_month,
    )
