"""Signal receivers: side effects of other apps' events on programmes.

Receivers only translate the signal into a service call or a job; the rules live in services/."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guanhuai.accounts.actor import Actor
from guanhuai.orgs.services import org_unit_rows, rows_follow_merge, unit_merged
from guanhuai.registry.services.persons import person_died


@receiver(unit_merged, dispatch_uid="programmes.rows_follow_merge")
def move_programme_rows_of_merged_village(
    sender: Any, merged: Any, into: Any, actor: Actor, **kwargs: Any
) -> None:
    """Inside the merge's transaction: every programmes row owned by the merged branch follows it, one
    UPDATE and one audit row per table, so the receiving village's clerk sees its applications, notices,
    enrolments, entitlements, payments and grievances. Cycles and batches have no branch of their own."""
    from guanhuai.programmes.models import (
        Application,
        Enrolment,
        Entitlement,
        Grievance,
        Payment,
        Programme,
        PublicNotice,
    )

    rows_follow_merge(
        actor=actor,
        merged=merged,
        into=into,
        fields=org_unit_rows(
            Programme, PublicNotice, Application, Enrolment, Entitlement, Payment, Grievance
        ),
    )


@receiver(person_died, dispatch_uid="programmes.enrolments_end_for_death")
def end_enrolments_of_the_dead(sender: Any, person: Any, died_on: Any, actor: Actor, **kwargs: Any) -> None:
    """Sent by registry `death_record` inside its transaction: queue the job that ends the person's
    enrolments (programmes/jobs.py), committed with the death and run after it, as the recorder."""
    from guanhuai.programmes.services.enrolments import death_job_submit

    death_job_submit(actor=actor, person=person, died_on=died_on)
