"""The set-based public disclosure: many projects in a fixed number of queries, each with the figures it has
alone (no figure leaks from one project to the next), and the portal's project list on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from guanhuai.core.testing import assert_queries_flat
from guanhuai.portal.tests.factories import SiteFactory
from guanhuai.projects import selectors
from guanhuai.projects.models import Project
from guanhuai.projects.tests.factories_outcomes import income_history, running_project, youth_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(tree, staff, types):
    """A Youth Health project with two activities (20 and 30 people, scores 50 → 70 from 20 and 60 → 90 from
    30) and a Three Combinations project with three households gaining 1,000, 3,000 and 8,000 a year."""
    youth = running_project(types["youth_health"], tree.county, area=[tree.town_a], name="青春健康")
    youth_activity(
        staff.county, youth, tree.village_a, male=10, female=10, pre="50", post="70", respondents=20
    )
    youth_activity(
        staff.county,
        youth,
        tree.village_a,
        venue="community",
        male=15,
        female=15,
        pre="60",
        post="90",
        respondents=30,
    )
    income = running_project(
        types["three_combinations"],
        tree.county,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    for n, follow in enumerate(("11000", "13000", "18000"), start=1):
        income_history(staff.county, income, tree.village_b, n, "10000", ("2024-03-01", follow))
    return youth, income


def test_many_projects_at_once_give_each_its_own_figures(two):
    youth, income = two
    rows = (
        Project.objects.unscoped("test")
        .select_related("type", "org_unit")
        .filter(pk__in=[youth.pk, income.pk])
    )
    by_code = {d.code: d for d in selectors.project_disclosures(rows.order_by("pk"))}
    y, i = by_code[youth.code], by_code[income.code]
    # scores weighted by who answered: (20·50 + 30·60) / 50 = 56, (20·70 + 30·90) / 50 = 82
    assert (y.activities, y.participants, y.knowledge_pre, y.knowledge_post) == (
        2,
        50,
        Decimal("56.00"),
        Decimal("82.00"),
    )
    assert y.venue_kinds == ["学校", "社区"] and y.cities == ["韶关市"] and y.beneficiary_households == 0
    assert (i.activities, i.beneficiary_households, i.households_measured) == (0, 3, 3)
    assert (i.mean_gain, i.median_gain) == (Decimal("4000.00"), Decimal("3000.00"))
    assert selectors.project_disclosure(income) == i


def test_the_portals_project_list_runs_a_fixed_number_of_queries(client, tree, staff, types, two):
    SiteFactory(unit=tree.county, slug="renhua")
    url = reverse("portal:projects", kwargs={"site": "renhua"})

    def fetch():
        cache.clear()
        return client.get(url)

    def grow():
        for n in range(4):
            project = running_project(types["three_combinations"], tree.county, name=f"新增项目{n}")
            income_history(staff.county, project, tree.village_a, 50 + n, "9000", ("2025-06-01", "12000"))

    assert_queries_flat(fetch, grow, most=20, row="<li>")
