"""factory_boy factories for the association's records (fast set-up for tests; services are tested
through their own calls)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from guanhuai.accounts.actor import Actor
from guanhuai.association.models import Cadre, Member
from guanhuai.association.states import Employment


class MemberFactory(factory.django.DjangoModelFactory):
    """Pass `org_unit=` (and `person=` for a registry person)."""

    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"会员{n}")
    card_no = factory.Sequence(lambda n: f"M{n:06d}")
    joined_on = dt.date(2024, 5, 29)


class CadreFactory(factory.django.DjangoModelFactory):
    """Pass `org_unit=`."""

    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    employment = Employment.FULL_TIME
    position = "秘书长"
    appointed_on = dt.date(2023, 1, 1)


# --- training ---


def training_topics() -> None:
    """The six key tasks, as the data migration writes them. A live-server test flushes the database after
    itself, data migrations' rows too; training's tests call this first, so they pass in any order."""
    import importlib

    from guanhuai.association.models_training import TrainingTopic

    migration = importlib.import_module("guanhuai.association.migrations.0005_training_topics")
    for code, name, sort in migration.TOPICS:
        TrainingTopic.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})


def one_day_course(actor: Actor, org_unit: Any, day: dt.date, *, title: str = "x") -> tuple[Any, Any]:
    """A course of one day (3 hours, 5 places) at `org_unit`, opened by `actor` through the services, with its
    one sitting from 9:00 to 12:00 that day: (course, session)."""
    from django.utils import timezone

    from guanhuai.association import services
    from guanhuai.association.models_training import TrainingTopic

    course = services.course_create(
        actor=actor,
        org_unit=org_unit,
        topic=TrainingTopic.objects.first(),
        title=title,
        starts_on=day,
        ends_on=day,
        hours=3,
        capacity=5,
    )
    tz = timezone.get_current_timezone()
    session = services.session_add(
        actor=actor,
        course=course,
        starts_at=dt.datetime.combine(day, dt.time(9), tzinfo=tz),
        ends_at=dt.datetime.combine(day, dt.time(12), tzinfo=tz),
    )
    return course, session
