"""The association app's reactions to other apps' signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guanhuai.accounts.actor import Actor
from guanhuai.association.models import (
    ActionItem,
    Cadre,
    CareArrangement,
    DelegatedTask,
    FollowUp,
    JointMeeting,
    Member,
    Visit,
    Volunteer,
    VolunteerService,
    VolunteerTeam,
)
from guanhuai.association.models_training import Course, Trainer
from guanhuai.orgs.services import org_unit_rows, rows_follow_merge, unit_merged


@receiver(unit_merged, dispatch_uid="association.rows_follow_merge")
def move_rows_of_merged_unit(sender: Any, merged: Any, into: Any, actor: Actor, **kwargs: Any) -> None:
    """A merged branch's association rows follow it (one UPDATE and one audit row per table). Each part of
    the app that owns branch rows adds its tables here."""
    rows_follow_merge(
        actor=actor,
        merged=merged,
        into=into,
        fields=org_unit_rows(
            Member,
            Cadre,
            # care, volunteers, the health commission
            VolunteerTeam,
            Volunteer,
            VolunteerService,
            CareArrangement,
            Visit,
            FollowUp,
            JointMeeting,
            ActionItem,
            DelegatedTask,
        ),
    )


# --- part 1: members ------------------------------------------------------------------------------------------

from guanhuai.association.models import (  # noqa: E402
    Body,
    Campaign,
    CampaignEntry,
    MemberGroup,
    MembersDayEvent,
    Seat,
)
from guanhuai.registry.services.persons import person_died  # noqa: E402


@receiver(unit_merged, dispatch_uid="association.members_rows_follow_merge")
def move_member_rows_of_merged_unit(sender: Any, merged: Any, into: Any, actor: Actor, **kwargs: Any) -> None:
    """Part 1's branch-owned tables follow a merged branch. A registration and a card sequence are one per
    branch: the receiving branch keeps its own, so the merged branch's stay where they were (its card
    numbers carry its own code and stay unique)."""
    rows_follow_merge(
        actor=actor,
        merged=merged,
        into=into,
        fields=org_unit_rows(Body, Seat, MemberGroup, Campaign, CampaignEntry, MembersDayEvent),
    )


@receiver(person_died, dispatch_uid="association.memberships_end_for_death")
def end_memberships_of_the_dead(sender: Any, person: Any, died_on: Any, actor: Actor, **kwargs: Any) -> None:
    """Sent by registry `death_record` inside its transaction: queue the durable job that ends the person's
    memberships (jobs.py), committed with the death, run after it as the recorder, keyed by person and
    date so a replay queues nothing."""
    from guanhuai.association.services.members import death_job_submit

    death_job_submit(actor=actor, person=person, died_on=died_on)


@receiver(unit_merged, dispatch_uid="association.training_rows_follow_merge")
def move_training_rows_of_merged_unit(
    sender: Any, merged: Any, into: Any, actor: Actor, **kwargs: Any
) -> None:
    """Training: courses and trainer qualifications follow a merged branch; sessions, enrolments,
    attendance and certificates hang off their course."""
    rows_follow_merge(
        actor=actor,
        merged=merged,
        into=into,
        fields=org_unit_rows(Course, Trainer),
    )
