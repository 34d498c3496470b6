"""Builders the outcome tests share: a running project of a built-in type, households in the registry, and
an activity or an income history recorded through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guanhuai.accounts.actor import Actor
from guanhuai.projects import services
from guanhuai.projects.models import Project, ProjectType
from guanhuai.projects.models_outcomes import Activity, Beneficiary
from guanhuai.projects.tests.factories import ProjectFactory
from guanhuai.registry.models import Household


def running_project(
    project_type: ProjectType, unit: Any, *, area: list[Any] | None = None, **kw: Any
) -> Project:
    return ProjectFactory(type=project_type, org_unit=unit, area=area, status="in_progress", **kw)


def household(unit: Any, n: int) -> Household:
    return Household.objects.create(
        org_unit=unit, address=f"幸福路{n}号", hukou_type="rural", number=f"{unit.code}-{n:04d}"
    )


def youth_activity(
    actor: Actor,
    project: Project,
    unit: Any,
    *,
    venue: str = "school",
    on: dt.date = dt.date(2025, 5, 10),
    male: int = 10,
    female: int = 10,
    pre: Any = None,
    post: Any = None,
    respondents: int = 0,
    photos: tuple[Any, ...] = (),
) -> Activity:
    total = male + female
    return services.activity_log(
        actor=actor,
        project=project,
        kind="peer_education",
        venue_kind=venue,
        venue_unit=unit,
        venue_name="仁化中学",
        held_on=on,
        participants=total,
        counts={"male": male, "female": female, "age_15_19": total},
        respondents=respondents,
        knowledge_pre=pre,
        knowledge_post=post,
        photos=photos,
    )


def income_history(
    actor: Actor, project: Project, unit: Any, n: int, baseline: str, *follow_ups: tuple[str, str]
) -> Beneficiary:
    """A beneficiary household with a baseline in March 2023 and follow-ups given as (date, amount)."""
    row = services.beneficiary_add(actor=actor, project=project, household=household(unit, n))
    services.income_record(
        actor=actor,
        beneficiary=row,
        kind="baseline",
        recorded_on=dt.date(2023, 3, 1),
        net_income=baseline,
        source="survey",
    )
    for on, amount in follow_ups:
        services.income_record(
            actor=actor,
            beneficiary=row,
            kind="follow_up",
            recorded_on=dt.date.fromisoformat(on),
            net_income=amount,
            source="village_record",
        )
    return row
