"""The scope guard covers the families' rows of the projects app: a beneficiary household, its income records
and aid agreements, a Happy Family nomination and an activity. A list of them built without
`accounts.scoping` is an error while the guard is armed (every request in the tests), not a leak; the
selectors' lists pass, and hold only the actor's branches."""

from __future__ import annotations

import datetime as dt

import pytest

from guanhuai.core.scopes import ScopedManager, armed
from guanhuai.projects import selectors, services
from guanhuai.projects.models import ProjectArea
from guanhuai.projects.models_happy import Nomination
from guanhuai.projects.models_outcomes import (
    Activity,
    ActivityRollup,
    AidAgreement,
    Beneficiary,
    IncomeRecord,
    ParticipantCount,
)
from guanhuai.projects.models_sites import SiteCheck
from guanhuai.projects.tests.factories import ProjectFactory
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


@pytest.mark.parametrize(
    "model",
    [
        Beneficiary,
        IncomeRecord,
        AidAgreement,
        Nomination,
        Activity,
        ParticipantCount,
        ActivityRollup,
        SiteCheck,
        ProjectArea,
    ],
)
def test_a_familys_rows_and_a_projects_figures_are_guarded(model):
    # a bare list of each raises while armed: core/tests/test_scope_coverage.py, for every guarded model
    assert isinstance(model._default_manager, ScopedManager)


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


# --- a project's figures: participant counts, the activity rollup, the Warm Home checks, the area ----------


@pytest.fixture
def site(tree, staff, types):
    site = ProjectFactory(org_unit=tree.county, type=types["warm_home"], status="in_progress")
    services.site_check(actor=staff.county, project=site, item="six_plan", met=False, note="计划待修订")
    return site


def test_a_projects_figures_reach_its_county_and_not_the_other_one(api, youth, site, staff, tree):
    with armed():
        rollups = selectors.rollups(actor=staff.county).count()
        rollups_elsewhere = selectors.rollups(actor=staff.other_county).count()
        counts = {
            c.field: c.count
            for a in selectors.activities(actor=staff.county, project=youth)
            for c in a.counts.all()
        }
        checks = [
            c.item for c in selectors.project_get(actor=staff.county, project_id=site.pk).site_checks.all()
        ]
        in_area = services.in_area(youth, tree.village_a), services.in_area(youth, tree.village_b)
    assert (rollups, rollups_elsewhere) == (1, 0)
    assert (
        (counts["male"], counts["female"]) == (10, 10) and checks == ["six_plan"] and in_area == (True, False)
    )
    # the API: the county's officer reads the activities with their participant counts and the report's
    # figures; the other county's officer gets the 404 of a missing project and a report without them
    mine = api(staff.county).get(f"/projects/{youth.pk}/activities")
    assert mine.status_code == 200 and mine.data["items"][0]["counts"] == counts
    assert api(staff.county).get("/projects/outcomes").data["totals"]["activities"] == 1
    other = api(staff.other_county)
    assert other.get(f"/projects/{youth.pk}/activities").status_code == 404
    assert other.get(f"/projects/{youth.pk}/outcomes").status_code == 404
    assert other.get("/projects/outcomes").data["totals"]["activities"] == 0
