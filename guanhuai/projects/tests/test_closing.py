"""Closing freezes a project's outcome figures: the approving level's evaluation is stored with the figures
of the one outcome service as they were, so an activity or a follow-up recorded after closing changes the
province report but never the closed project's reported figures (page, API, disclosure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from guanhuai.projects import selectors, services
from guanhuai.projects.models import ProjectReport
from guanhuai.projects.tests.factories_outcomes import income_history, running_project, youth_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(tree, staff, types):
    """A 仁化县 Youth Health project (2025) with one activity of 20 people and one household gaining
    (13,000 − 10,000) / 1 = 3,000 a year, closed by the province (its approving level)."""
    project = running_project(types["youth_health"], tree.county, area=[tree.town_a])
    youth_activity(
        staff.county, project, tree.village_a, male=8, female=12, pre="50", post="80", respondents=20
    )
    project.start_date = dt.date(2023, 1, 1)
    project.save(update_fields=["start_date"])
    income_history(staff.county, project, tree.village_a, 1, "10000", ("2024-03-01", "13000"))
    ProjectReport.objects.create(
        project=project,
        kind="final",
        title="结项报告",
        due_on=dt.date(2026, 1, 30),
        submitted_on=dt.date(2026, 1, 5),
    )
    return services.project_close(actor=staff.province, project=project, evaluation="完成目标", rating="good")


def test_closing_stores_the_figures_and_later_records_do_not_change_them(client, api, tree, staff, closed):
    frozen = selectors.project_outcomes(actor=staff.county, project=closed)
    assert (frozen.total.activities, frozen.total.participants) == (1, 20)
    assert frozen.total.knowledge_pre == Decimal("50.00") and frozen.total.knowledge_post == Decimal("80.00")
    assert frozen.income.mean_gain == Decimal("3000.00") and frozen.coverage.cities == 1
    # when a follow-up and an activity come in after closing (allowed: follow-ups come later)
    youth_activity(staff.county, closed, tree.village_a, male=5, female=5)
    income_history(staff.county, closed, tree.village_a, 2, "5000", ("2024-05-01", "25000"))
    # then the province report counts them, the closed project's figures do not
    live = selectors.outcome_report(actor=staff.county, type_code="youth_health")
    assert live.total.activities == 2 and live.income.households == 2
    again = selectors.project_outcomes(
        actor=staff.county, project=selectors.project_get(actor=staff.county, project_id=closed.pk)
    )
    assert (again.total.activities, again.total.participants, again.income.households) == (1, 20, 1)
    assert again.income.mean_gain == Decimal("3000.00")
    assert [b.households for b in again.income.distribution] == [0, 0, 1, 0, 0, 0]
    # the page, the API and the public disclosure give the frozen figures too
    client.force_login(staff.county)
    page = client.get(reverse("projects:detail", args=[closed.pk])).content.decode()
    assert 'data-figure="participants">20<' in page and "结项时" in page
    answer = api(staff.county).get(f"/projects/{closed.pk}/outcomes").data
    assert answer["totals"]["participants"] == 20 and answer["income"]["mean_gain"] == "3000.00"
    public = selectors.project_disclosure(closed)
    assert (public.activities, public.participants, public.beneficiary_households) == (1, 20, 1)


def test_closing_with_an_overdue_final_report_is_refused_and_stores_nothing(tree, staff, types):
    from guanhuai.core.errors import Conflict

    project = running_project(types["youth_health"], tree.county)
    ProjectReport.objects.create(project=project, kind="final", title="结项报告", due_on=dt.date(2026, 1, 30))
    with pytest.raises(Conflict, match="“结项报告”应于 2026-01-30 提交，已逾期") as refused:
        services.project_close(actor=staff.province, project=project, evaluation="好", rating="good")
    assert refused.value.code == "report_overdue"
    project.refresh_from_db()
    assert project.status == "in_progress" and project.outcome_snapshot is None
