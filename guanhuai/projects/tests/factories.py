"""factory_boy factories for projects (fast set-up for tests; services are tested through their own calls),
and the builders the app's tests share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import factory

from guanhuai.accounts.tests.factories import UserFactory, user_with_role
from guanhuai.funds.tests.factories import allocate, donor, fund, give, restore_purposes
from guanhuai.projects import services as project_services
from guanhuai.projects.models import Project, ProjectArea, ProjectType
from guanhuai.projects.services import BUILTIN_TYPES, install_builtin_types


class ProjectTypeFactory(factory.django.DjangoModelFactory):
    """A type with the Youth Health lists under a fresh code and name (pass `config=` for others)."""

    class Meta:
        model = ProjectType

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"项目类型{n}")
    config = factory.LazyFunction(lambda: dict(BUILTIN_TYPES[0]["config"]))


class ProjectFactory(factory.django.DjangoModelFactory):
    """Pass `org_unit=`; `area=[units]` adds area rows (default: the owning branch)."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    type = factory.SubFactory(ProjectTypeFactory)
    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"项目{n}")
    objectives = "提高青少年生殖健康知识水平。"
    start_date = dt.date(2025, 3, 1)
    end_date = dt.date(2025, 12, 31)
    budget_total = Decimal("50000.00")
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def area(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if not create:
            return
        for unit in extracted if extracted is not None else [self.org_unit]:
            ProjectArea.objects.create(project=self, org_unit=unit)


def approved_project(tree, types, staff, name="仁化县青春健康进校园", budget="30000"):
    project = project_services.project_create(
        actor=staff.county,
        org_unit=tree.county,
        project_type=types["youth_health"],
        name=name,
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 12, 31),
        budget_lines=[("活动经费", budget)],
    )
    project_services.project_submit(actor=staff.county, project=project)
    project_services.project_review(actor=staff.city, project=project, decision="pass")
    project_services.project_review(actor=staff.province, project=project, decision="pass")
    project.refresh_from_db()
    return project


# --- the shared set-up of the projects tests (fixtures in conftest.py; other apps' tests call these) -------


def project_types() -> dict[str, ProjectType]:
    return {t.code: t for t in install_builtin_types()}


def project_staff(tree):
    """Project officers of 仁化县 (proposes), 韶关市 and 广东省 (review), a second county officer, and the
    funds staff of the province."""
    return SimpleNamespace(
        county=user_with_role("project_officer", tree.county, username="xm_county"),
        county_2=user_with_role("project_officer", tree.county, username="xm_county2"),
        city=user_with_role("project_officer", tree.city, username="xm_city"),
        province=user_with_role("project_officer", tree.province, username="xm_province"),
        other_county=user_with_role("project_officer", tree.other_county, username="xm_shixing"),
        town=user_with_role("township_reviewer", tree.town_a, username="town_a_cadre"),
        manager=user_with_role("fund_manager", tree.province, username="jijin"),
        finance=user_with_role("finance_officer", tree.province, username="caiwu"),
    )


def project_books(tree, staff):
    """A Birth Care Fund of the province with ¥100,000 given and ¥60,000 allocated to projects."""
    restore_purposes()
    f = fund(staff.manager, tree.province)
    give(staff.finance, f, donor(staff.manager, tree.province), "100000")
    allocation = allocate(staff.manager, f, "60000.00", name="2025年青春健康项目")
    return SimpleNamespace(fund=f, allocation=allocation)
