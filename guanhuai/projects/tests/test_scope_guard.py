"""The scope guard covers the families' rows of the projects app: a beneficiary household, its income records
and aid agreements, a Happy Family nomination and an activity. A list of them built without
`accounts.scoping` is an error while the guard is armed (every request in the tests), not a leak; the
selectors' lists pass, and hold only the actor's branches."""

from __future__ import annotations

import datetime as dt

import pytest

from guanhuai.core.scopes import UnscopedQuery, armed
from guanhuai.projects import selectors
from guanhuai.projects.models_happy import Nomination
from guanhuai.projects.models_outcomes import Activity, AidAgreement, Beneficiary, IncomeRecord
from guanhuai.projects.tests.factories_outcomes import income_history, running_project, youth_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(tree, staff, types):
    project = running_project(
        types["three_combinations"],
        tree.county,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    income_history(staff.county, project, tree.village_a, 1, "10000", ("2024-03-01", "13000"))
    income_history(staff.county, project, tree.village_b, 2, "8000", ("2024-03-01", "9000"))
    return project


@pytest.fixture
def youth(tree, staff, types):
    youth = running_project(types["youth_health"], tree.county, area=[tree.town_a], name="青春健康")
    youth_activity(staff.county, youth, tree.village_a)
    return youth


@pytest.mark.parametrize("model", [Beneficiary, IncomeRecord, AidAgreement, Nomination, Activity])
def test_a_bare_list_of_a_familys_rows_is_an_error_while_armed(project, youth, model):
    with armed(), pytest.raises(UnscopedQuery, match=model.__name__):
        list(model.objects.all())
    with armed(), pytest.raises(UnscopedQuery):
        model.objects.count()
    assert model.objects.unscoped("a test's own count").count() >= 0  # system work that says why passes


def test_the_selectors_lists_pass_and_hold_only_the_actors_branches(project, youth, staff, tree):
    with armed():
        county = sorted(
            b.household.org_unit_id for b in selectors.beneficiaries(actor=staff.county, project=project)
        )
        other = selectors.beneficiaries(actor=staff.other_county, project=project).count()
        incomes = [r.net_income for b in selectors.beneficiaries(actor=staff.county) for r in b.incomes.all()]
        held = selectors.activities(actor=staff.county, project=youth).count()
        held_elsewhere = selectors.activities(actor=staff.other_county, project=youth).count()
    assert county == sorted([tree.village_a.pk, tree.village_b.pk])
    assert other == 0
    assert sorted(incomes) == [8000, 9000, 10000, 13000]
    assert (held, held_elsewhere) == (1, 0)


def test_with_no_actor_a_whole_projects_figures_are_system_work(project):
    with armed():
        report = selectors.live_project_outcomes(actor=None, project=project)
    assert report.income.households == 2
