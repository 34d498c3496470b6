"""The projects app's reactions to other apps' signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guanhuai.accounts.actor import Actor
from guanhuai.orgs.services import org_unit_rows, rows_follow_merge, unit_merged
from guanhuai.projects.models import Project, ProjectArea


@receiver(unit_merged, dispatch_uid="projects.rows_follow_merge")
def move_rows_of_merged_unit(sender: Any, merged: Any, into: Any, actor: Actor, **kwargs: Any) -> None:
    """A merged branch's projects follow it, and so does every project area that named it. Each part of
    the app that owns branch rows adds its tables here."""
    # A project that covered both branches keeps one area row: the merged one's goes first.
    ProjectArea.objects.filter(
        org_unit=merged, project__in=ProjectArea.objects.filter(org_unit=into).values("project")
    ).delete()
    rows_follow_merge(
        actor=actor,
        merged=merged,
        into=into,
        fields=org_unit_rows(Project, ProjectArea),
    )
