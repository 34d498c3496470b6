"""The governance app's reactions to other apps' signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guanhuai.accounts.actor import Actor
from guanhuai.governance.models import Document, Meeting
from guanhuai.orgs.services import rows_follow_merge, unit_merged


@receiver(unit_merged, dispatch_uid="governance.rows_follow_merge")
def move_rows_of_merged_unit(sender: Any, merged: Any, into: Any, actor: Actor, **kwargs: Any) -> None:
    """A merged village's texts and meetings follow it (one UPDATE and one audit row per table). Versions,
    clauses and motions hang off these rows and follow with them."""
    rows_follow_merge(
        actor=actor,
        merged=merged,
        into=into,
        fields=[(Document.objects.all(), "unit"), (Meeting.objects.all(), "unit")],
    )
