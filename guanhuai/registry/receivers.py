"""Registry reactions to other apps' signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guanhuai.accounts.actor import Actor
from guanhuai.orgs.services import rows_follow_merge, unit_merged
from guanhuai.registry.models import Household, Person, TransferRequest


@receiver(unit_merged, dispatch_uid="registry.rows_follow_merge")
def move_registry_rows_of_merged_village(
    sender: Any, merged: Any, into: Any, actor: Actor, **kwargs: Any
) -> None:
    """When a village merges into a neighbour, its households and people follow (and migrants living
    there, and transfers still waiting to come in), one UPDATE and one audit row per column. Life events
    and imports keep the branch they happened in: they are history."""
    rows_follow_merge(
        actor=actor,
        merged=merged,
        into=into,
        fields=[
            (Household.objects.all(), "org_unit"),
            (Person.objects.all(), "org_unit"),
            (Person.objects.all(), "residence_unit"),
            (TransferRequest.objects.filter(status=TransferRequest.Status.OPEN), "to_unit"),
        ],
    )
