"""Registry reactions to other apps' signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guanhuai.orgs.services import unit_merged
from guanhuai.registry.models import Household, Person


@receiver(unit_merged)
def move_households_of_merged_village(sender: Any, merged: Any, into: Any, actor: Any, **kwargs: Any) -> None:
    """When a village merges into a neighbour, its households and people follow, in two UPDATEs."""
    Household.objects.filter(org_unit=merged).update(org_unit=into)
    Person.objects.filter(org_unit=merged).update(org_unit=into)
