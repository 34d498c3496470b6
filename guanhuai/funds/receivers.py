"""Funds reactions to other apps' signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guanhuai.accounts.actor import Actor
from guanhuai.funds.models import Donor, Fund
from guanhuai.orgs.services import org_unit_rows, rows_follow_merge, unit_merged


@receiver(unit_merged, dispatch_uid="funds.rows_follow_merge")
def move_funds_of_merged_unit(sender: Any, merged: Any, into: Any, actor: Actor, **kwargs: Any) -> None:
    """A merged branch's funds and donors follow it (one UPDATE and one audit row each). Receipts and
    their number sequence stay with the closed branch: a receipt number names its issuer, and the unique
    (branch, year, number) would collide with the receiving branch's own receipts."""
    rows_follow_merge(
        actor=actor,
        merged=merged,
        into=into,
        fields=org_unit_rows(Fund, Donor),
    )
