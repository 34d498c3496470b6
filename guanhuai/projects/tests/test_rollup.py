"""The rollups the province report reads (`services.rollup`): kept right by the services that write the
records, equal to a rebuild from the records whatever happened since, and scoped like the records. And the
report page's year: it opens on the latest year with activities, and offers every year."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from guanhuai.projects import selectors, services
from guanhuai.projects.models import Project
from guanhuai.projects.models_outcomes import Activity, ActivityRollup, Beneficiary
from guanhuai.projects.tests.factories_outcomes import income_history, running_project, youth_activity

pytestmark = pytest.mark.django_db


def _rollup_rows() -> list[tuple]:
    return sorted(
        ActivityRollup.objects.values_list(
            "project_id",
            "venue_unit_id",
            "venue_kind",
            "year",
            "activities",
            "participants",
            "respondents",
            "pre_hundredths",
            "post_hundredths",
        )
    )


def _gains() -> list[tuple]:
    return sorted(
        Beneficiary.objects.values_list(
            "pk",
            "income_baseline",
            "income_baseline_year",
            "income_latest",
            "income_latest_year",
            "income_gain",
        )
    )


@pytest.fixture
def two_years(tree, staff, types):
    """A 甲镇 Youth Health project over 2024 and 2025: in 2024 one school activity (20 people, 20 answered:
    55.55 → 70.25); in 2025 two (40 people, 40 answered: 60 → 80; 10 people in a community, 10 answered:
    50 → 90). And a Three Combinations project of 仁化县 (2023–2025): A 10,000 → 20,000 over two years,
    B 8,000 → 9,000 in one, C 9,000 without a follow-up."""
    youth = running_project(
        types["youth_health"], tree.town_a, start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 12, 31)
    )
    town = staff.town
    youth_activity(
        town, youth, tree.village_a, on=dt.date(2024, 6, 1), respondents=20, pre="55.55", post="70.25"
    )
    youth_activity(town, youth, tree.village_a, male=18, female=22, respondents=40, pre="60", post="80")
    youth_activity(
        town,
        youth,
        tree.community_a,
        venue="community",
        male=5,
        female=5,
        respondents=10,
        pre="50",
        post="90",
    )
    tc = running_project(
        types["three_combinations"],
        tree.county,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    a = income_history(staff.county, tc, tree.village_a, 1, "10000", ("2025-03-01", "20000"))
    b = income_history(staff.county, tc, tree.village_b, 2, "8000", ("2024-03-01", "9000"))
    c = income_history(staff.county, tc, tree.village_b, 3, "9000")
    return youth, tc, (a, b, c)


def test_the_report_over_every_year_gives_the_hand_worked_figures(staff, two_years):
    report = selectors.outcome_report(actor=staff.city)
    # activities: 3, 20 + 40 + 10 = 70 people; pre (20·55.55 + 40·60 + 10·50) / 70 = 4,011 / 70 = 57.30
    # post (20·70.25 + 40·80 + 10·90) / 70 = 5,505 / 70 = 78.64 (78.642…)
    t = report.total
    assert (t.activities, t.participants, t.respondents) == (3, 70, 70)
    assert (t.knowledge_pre, t.knowledge_post) == (Decimal("57.30"), Decimal("78.64"))
    assert [(y.key, y.activities, y.participants) for y in report.years] == [(2024, 1, 20), (2025, 2, 50)]
    assert [(v.key, v.activities) for v in report.venues] == [("school", 2), ("community", 1)]
    # income: gains 5,000 and 1,000, C missing (not a zero): mean 3,000, median 3,000
    i = report.income
    assert (i.households, i.measured, i.missing, i.mean_gain, i.median_gain) == (
        3,
        2,
        1,
        Decimal("3000.00"),
        Decimal("3000.00"),
    )
    year = selectors.outcome_report(actor=staff.city, year=2024)
    assert (year.total.activities, year.total.knowledge_pre, year.total.knowledge_post) == (
        1,
        Decimal("55.55"),
        Decimal("70.25"),
    )


def test_logging_an_activity_and_a_follow_up_moves_the_report_at_once(tree, staff, two_years):
    youth, tc, (a, b, c) = two_years
    # given
    before = selectors.outcome_report(actor=staff.city)
    # when: a third 2025 activity (no questionnaire) and C's follow-up, 9,000 → 12,000 after two years
    youth_activity(staff.town, youth, tree.village_a, on=dt.date(2025, 9, 1), male=3, female=2)
    services.income_record(
        actor=staff.county,
        beneficiary=c,
        kind="follow_up",
        recorded_on=dt.date(2025, 4, 1),
        net_income="12000",
        source="survey",
    )
    # then: one activity and 5 people more, the scores unchanged (no one answered); C now gains 1,500
    after = selectors.outcome_report(actor=staff.city)
    assert (after.total.activities, after.total.participants) == (
        before.total.activities + 1,
        before.total.participants + 5,
    )
    assert after.total.knowledge_pre == before.total.knowledge_pre
    i = after.income
    assert (i.measured, i.missing, i.mean_gain, i.median_gain) == (
        3,
        0,
        Decimal("2500.00"),  # (5,000 + 1,000 + 1,500) / 3
        Decimal("1500.00"),
    )
    # a follow-up dated before the latest one does not replace it
    services.income_record(
        actor=staff.county,
        beneficiary=a,
        kind="follow_up",
        recorded_on=dt.date(2024, 3, 1),
        net_income="1",
        source="survey",
    )
    assert Beneficiary.objects.get(pk=a.pk).income_gain == Decimal("5000.00")
    # and the kept rows are exactly what a rebuild from the records gives
    kept_rollups, kept_gains = _rollup_rows(), _gains()
    ActivityRollup.objects.all().delete()
    Beneficiary.objects.update(income_gain=None, income_latest=None, income_baseline=None)
    services.outcomes_rebuild()
    assert (_rollup_rows(), _gains()) == (kept_rollups, kept_gains)


def test_a_corrected_or_deleted_activity_is_right_once_its_project_is_refreshed(tree, staff, two_years):
    youth, _tc, _h = two_years
    # given: the 2024 activity corrected to 2025 in a community, and a 2025 school activity deleted (there
    # is no correction service yet: whatever writes one calls activities_refresh, as activity_log does)
    first = Activity.objects.get(held_on__year=2024)
    Activity.objects.filter(pk=first.pk).update(held_on=dt.date(2025, 6, 1), venue_kind="community")
    Activity.objects.filter(held_on=dt.date(2025, 5, 10), venue_kind="school").delete()
    # when
    services.activities_refresh(project_ids=[youth.pk])
    # then: two community activities in 2025 (20 + 10 people); no 2024, no school
    report = selectors.outcome_report(actor=staff.city)
    assert [(y.key, y.activities, y.participants) for y in report.years] == [(2025, 2, 30)]
    assert [(v.key, v.activities) for v in report.venues] == [("community", 2)]
    assert report.total.knowledge_pre == Decimal("53.70")  # (20·55.55 + 10·50) / 30 = 1,611 / 30
    # a deleted project takes its rollup rows with it
    Project.objects.unscoped("test").filter(pk=youth.pk).delete()
    assert not ActivityRollup.objects.exists()


def test_the_rollup_is_scoped_like_the_records(tree, staff, two_years):
    report = selectors.outcome_report(actor=staff.other_county)
    assert (report.projects, report.total.activities, report.income.households) == (0, 0, 0)
    assert selectors.coverage_table(actor=staff.other_county) == []
    assert [c.label for c in selectors.coverage_table(actor=staff.county, year=2025)] == ["韶关市"]


def test_the_page_opens_on_the_latest_year_with_activities_and_offers_every_year(
    client, api, staff, two_years
):
    client.force_login(staff.city)
    page = client.get(reverse("projects:outcomes")).content.decode()
    # 2025: two activities, 50 people (2024's 20 are not counted)
    assert 'data-figure="activities">2<' in page and 'data-figure="participants">50<' in page
    assert '<option value="2025" selected>' in page and '<option value="2024">' in page
    this_year = timezone.localdate().year
    assert f'<option value="{this_year}"' in page and '<option value="all">全部年份</option>' in page
    assert "year=2025" in page  # the Excel link exports what is shown
    everything = client.get(reverse("projects:outcomes"), {"year": "all"}).content.decode()
    assert 'data-figure="participants">70<' in everything and '<option value="all" selected>' in everything
    # the API and the CLI without a year give the same figures as the page's 全部年份
    data = api(staff.city).get("/projects/outcomes").data
    assert (data["totals"]["activities"], data["totals"]["participants"]) == (3, 70)
    out = io.StringIO()
    call_command("projects", "report", "--as", staff.city.username, stdout=out)
    assert "活动 3 次；参与 70 人" in out.getvalue()


def test_with_nothing_in_scope_the_page_opens_on_this_year(client, staff, two_years):
    client.force_login(staff.other_county)
    page = client.get(reverse("projects:outcomes")).content.decode()
    assert f'<option value="{timezone.localdate().year}" selected>' in page
    assert 'data-figure="activities">0<' in page


def test_the_median_and_bands_equal_the_sorted_gains_wherever_the_middle_falls(tree, staff, types):
    """Gains packed into a few 100-yuan buckets (and two below zero), so that the middle falls inside a
    bucket, not at its edge: the report's median, mean and bands equal those of the sorted gains, for an
    odd and an even number of households."""
    tc = running_project(
        types["three_combinations"],
        tree.county,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    gains = [
        Decimal(g)
        for g in "5003 5017 5029 5041 5011 4950.5 5063 5088 5050 5099.99 -120 -35.5 5110 1999.99 2000".split()
    ]
    for n, gain in enumerate(gains, start=1):
        income_history(staff.county, tc, tree.village_a, n, "8000", ("2024-03-01", str(8000 + gain)))
    for extra in (False, True):
        if extra:
            income_history(staff.county, tc, tree.village_b, 99, "8000", ("2024-03-01", "13047"))
            gains.append(Decimal(5047))
        ordered = sorted(gains)
        n = len(ordered)
        median = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
        income = selectors.outcome_report(actor=staff.county, type_code="three_combinations").income
        assert income.median_gain == median.quantize(Decimal("0.01"))
        assert income.mean_gain == (sum(ordered) / n).quantize(Decimal("0.01"))
        assert [b.households for b in income.distribution] == [2, 1, 2, n - 5, 0, 0]
