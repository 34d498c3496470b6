"""The association app's reactions to other apps' signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guanhuai.association.models import Cadre, Member
from guanhuai.association.models_training import Course, Trainer
from guanhuai.orgs.services import rows_follow_merge, unit_merged


@receiver(unit_merged, dispatch_uid="association.rows_follow_merge")
def move_rows_of_merged_unit(sender: Any, merged: Any, into: Any, actor: Any, **kwargs: Any) -> None:
    """A merged branch's association rows follow it (one UPDATE and one audit row per table). Each part of
    the app that owns branch rows adds its tables here."""
    rows_follow_merge(
        actor=actor,
        merged=merged,
        into=into,
        fields=[(Member.objects.all(), "org_unit"), (Cadre.objects.all(), "org_unit")],
    )
    # training: courses and trainer qualifications; sessions, enrolments, attendance and certificates hang
    # off their course
    rows_follow_merge(
        actor=actor,
        merged=merged,
        into=into,
        fields=[(Course.objects.all(), "org_unit"), (Trainer.objects.all(), "org_unit")],
    )
