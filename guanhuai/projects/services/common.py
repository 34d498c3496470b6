"""What the projects services share: the row lock, the state move, the audit line, today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanhuai.accounts.actor import Actor
from guanhuai.audit.services import log
from guanhuai.core import states
from guanhuai.core.locks import relock
from guanhuai.projects.models import Project
from guanhuai.projects.states import PROJECT_TRANSITIONS


def today() -> dt.date:
    return timezone.localdate()


def lock(project: Project) -> Project:
    """Re-read the project under a row lock: the state checks that follow see what concurrent reviewers did."""
    return relock(project, "type", "org_unit")


def move(project: Project, new: str) -> None:
    states.transition(project, new, PROJECT_TRANSITIONS)


def audit(project: Project, action: str, *, actor: Actor, obj: Any = None, **data: Any) -> None:
    log(obj if obj is not None else project, action, actor=actor, org_unit=project.org_unit, data=data)
