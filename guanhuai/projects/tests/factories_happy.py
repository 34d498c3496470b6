"""Builders of the Happy Family tests: a selecting project, a household with its head, a nomination with the
five statements, and the head's honours consent recorded through the registry's service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanhuai.accounts.actor import Actor
from guanhuai.projects import happy_rules as rules
from guanhuai.projects import services
from guanhuai.projects.models_happy import Nomination
from guanhuai.projects.tests.factories import ProjectFactory
from guanhuai.projects.tests.factories_outcomes import household, running_project
from guanhuai.registry.models import Consent, Household, Person
from guanhuai.registry.services import consent_record
from guanhuai.registry.states import ConsentPurpose

EVIDENCE = {
    "civilised": "邻里和睦，家风良好，连续三年无纠纷。",
    "healthy": "全家参加年度体检，坚持健康生活方式。",
    "eugenic": "婚检孕检齐全，科学育儿。",
    "prosperous": "种植香菇，家庭年纯收入 8 万元。",
    "dedicated": "参加村志愿服务队，结对帮扶一户困难家庭。",
}
assert set(EVIDENCE) == set(rules.CRITERION_CODES)


def selection_project(project_type: Any, unit: Any, *, area: list[Any] | None = None, **kw: Any) -> Any:
    if "status" in kw:
        return ProjectFactory(type=project_type, org_unit=unit, area=area, **kw)
    return running_project(project_type, unit, area=area, **kw)


def family(unit: Any, n: int, head_name: str = "张明") -> Household:
    """A household of the village with its head (registered directly: the registry is not under test)."""
    hh = household(unit, n)
    head = Person.objects.create(
        household=hh,
        org_unit=unit,
        name=head_name,
        sex="male",
        birth_date=dt.date(1975, 5, 1),
        hukou_type="rural",
    )
    hh.head = head
    hh.save(update_fields=["head"])
    return hh


def nominate(actor: Actor, project: Any, hh: Household, **kw: Any) -> Nomination:
    return services.nomination_create(
        actor=actor, project=project, household=hh, evidence=dict(EVIDENCE), **kw
    )


def consent(actor: Actor, hh: Household, *, on: dt.date | None = None) -> Consent:
    assert hh.head is not None
    return consent_record(
        actor=actor,
        person=hh.head,
        purpose=ConsentPurpose.HONOURS,
        scope="幸福家庭命名：户主姓名和所在村在门户网站公开",
        given_on=on or timezone.localdate(),
        given_by=hh.head.name,
    )
