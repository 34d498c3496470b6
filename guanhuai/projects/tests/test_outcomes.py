"""The outcome service: figures worked out by hand here, and the bad input each service refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.orgs.tests.factories import OrgUnitFactory
from guanhuai.projects import selectors, services
from guanhuai.projects.models_outcomes import Activity, Beneficiary, IncomeRecord, ParticipantCount
from guanhuai.projects.tests.factories_outcomes import (
    household,
    income_history,
    running_project,
    youth_activity,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def income_world(tree, staff, types):
    """Five households of a 仁化县 Three Combinations project (2023–2025), gains worked out by hand:
    A 10,000 → 20,000 over two years: 5,000 a year; B 8,000.50 → 9,000.50 in one: 1,000;
    C 6,000 → 30,000 over two: 12,000; D baseline 9,000 and no follow-up: missing;
    E 12,000 → 11,000: −1,000."""
    project = running_project(
        types["three_combinations"],
        tree.county,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    a = staff.county
    income_history(
        a, project, tree.village_a, 1, "10000", ("2024-03-01", "13000"), ("2025-03-01", "20,000.00")
    )
    income_history(a, project, tree.village_a, 2, "8000.50", ("2024-03-02", "9000.50"))
    income_history(a, project, tree.village_b, 3, "6000", ("2025-02-01", "30000"))
    income_history(a, project, tree.village_b, 4, "9000")
    income_history(a, project, tree.community_a, 5, "12000", ("2024-04-01", "11000"))
    return project


def test_income_gain_mean_median_distribution_and_missing(income_world, staff):
    report = selectors.project_outcomes(actor=staff.county, project=income_world)
    income = report.income
    assert (income.households, income.with_baseline, income.measured, income.missing) == (5, 5, 4, 1)
    # gains −1,000, 1,000, 5,000, 12,000: mean 17,000 / 4; median (1,000 + 5,000) / 2; D is not a zero.
    assert income.mean_gain == Decimal("4250.00")
    assert income.median_gain == Decimal("3000.00")
    assert income.mean_baseline == Decimal("9000.10")  # 45,000.50 / 5
    assert [b.households for b in income.distribution] == [1, 1, 0, 1, 1, 0]
    missing = list(
        selectors.missing_follow_ups(selectors.beneficiaries(actor=staff.county, project=income_world))
    )
    assert [m.household.number for m in missing] == ["440224101001-0004"]


def test_income_figures_follow_the_actors_scope(income_world, tree, staff):
    """The county project's households count for the city above it, and for nobody beside or below it."""
    assert selectors.outcome_report(actor=staff.city, type_code="three_combinations").income.measured == 4
    for outsider in (staff.other_county, staff.town):
        income = selectors.outcome_report(actor=outsider, type_code="three_combinations").income
        assert (income.households, income.measured, income.mean_gain) == (0, 0, None)


def test_province_report_for_a_year_and_a_type_by_name(income_world, staff):
    report = selectors.outcome_report(actor=staff.province, year=2024, type_code="计生三结合")
    assert report.projects == 1 and report.income.mean_gain == Decimal("4250.00")
    assert (
        selectors.outcome_report(actor=staff.province, year=2022, type_code="计生三结合").income.households
        == 0
    )


@pytest.fixture
def youth_world(tree, staff, types):
    """A provincial Youth Health project over 韶关市 and 广州市 (2025), three activities:
    a school in 甲村 (18 boys, 22 girls; 40 answered: 60 → 80), a community in 乙镇 (5 + 5; 10 answered:
    50 → 90), a school in 广州市 (10 + 10, no questionnaire)."""
    guangzhou = OrgUnitFactory(code="440100", name="广州市", level="city", parent=tree.province)
    project = running_project(types["youth_health"], tree.province, area=[tree.city, guangzhou])
    a = staff.province
    youth_activity(a, project, tree.village_a, male=18, female=22, respondents=40, pre="60", post="80")
    youth_activity(
        a, project, tree.town_b, venue="community", male=5, female=5, respondents=10, pre="50", post="90"
    )
    youth_activity(a, project, guangzhou, male=10, female=10, on=dt.date(2025, 9, 1))
    return project


def test_youth_health_by_venue_city_year_and_coverage(youth_world, staff):
    report = selectors.outcome_report(actor=staff.province, year=2025, type_code="youth_health")
    total = report.total
    assert (total.activities, total.participants, total.respondents) == (3, 70, 50)
    # weighted: (40·60 + 10·50) / 50 and (40·80 + 10·90) / 50
    assert (total.knowledge_pre, total.knowledge_post) == (Decimal("58.00"), Decimal("82.00"))
    venues = {v.key: (v.activities, v.participants, v.knowledge_pre, v.knowledge_post) for v in report.venues}
    assert venues == {
        "school": (2, 60, Decimal("60.00"), Decimal("80.00")),
        "community": (1, 10, Decimal("50.00"), Decimal("90.00")),
    }
    assert [(c.label, c.activities, c.participants) for c in report.cities] == [
        ("韶关市", 2, 50),
        ("广州市", 1, 20),
    ]
    assert [(y.key, y.participants) for y in report.years] == [(2025, 70)]
    assert (report.coverage.cities, report.coverage.venue_kinds) == (2, 2)
    assert (
        selectors.outcome_report(actor=staff.province, year=2024, type_code="youth_health").total.activities
        == 0
    )


def test_a_county_sees_no_figure_of_a_provincial_project(youth_world, staff):
    report = selectors.outcome_report(actor=staff.county, year=2025, type_code="youth_health")
    assert (report.projects, report.total.activities, report.coverage.cities) == (0, 0, 0)


def test_disclosure_has_aggregates_and_no_personal_data(income_world, youth_world):
    d = selectors.project_disclosure(income_world)
    assert (d.beneficiary_households, d.households_measured, d.mean_gain) == (5, 4, Decimal("4250.00"))
    assert d.budget == Decimal("50000.00") and d.spent == Decimal("0.00")
    text = repr(d)
    assert "幸福路" not in text and "440224100001-0001" not in text
    y = selectors.project_disclosure(youth_world)
    assert (y.activities, y.participants, y.cities) == (3, 70, ["韶关市", "广州市"])


# ---------------------------------------------------------------- bad input: a precise message, nothing changed


def _refused(exc_type, code, call):
    before = (
        Activity.objects.count(),
        ParticipantCount.objects.count(),
        Beneficiary.objects.count(),
        IncomeRecord.objects.count(),
    )
    with pytest.raises(exc_type) as caught:
        call()
    assert caught.value.code == code
    after = (
        Activity.objects.count(),
        ParticipantCount.objects.count(),
        Beneficiary.objects.count(),
        IncomeRecord.objects.count(),
    )
    assert after == before
    return str(caught.value)


@pytest.fixture
def youth(tree, types):
    return running_project(types["youth_health"], tree.county)


def test_activity_outside_the_projects_dates(youth, tree, staff):
    message = _refused(
        ValidationError,
        "activity_outside_dates",
        lambda: youth_activity(staff.county, youth, tree.village_a, on=dt.date(2026, 1, 2)),
    )
    assert "2026-01-02" in message and "2025-03-01" in message and "2025-12-31" in message


@pytest.mark.parametrize(
    ("participants", "counts", "code", "words"),
    [
        ("20", {"male": "-1", "female": "21", "age_15_19": "20"}, "count_negative", "不能是负数"),
        (
            "20",
            {"male": "10", "female": "9", "age_15_19": "20"},
            "participants_mismatch",
            "按性别分项之和 19",
        ),
        (
            "20",
            {"male": "10", "female": "10", "age_15_19": "18"},
            "participants_mismatch",
            "按年龄段分项之和 18",
        ),
        ("-3", {}, "count_negative", "不能是负数"),
        ("二十", {}, "count_format", "应填整数"),
        (
            "20",
            {"male": "10", "female": "10", "age_15_19": "20", "peer_educators": "21"},
            "participants_mismatch",
            "同伴教育者 21 人",
        ),
    ],
)
def test_participant_counts_negative_or_not_matching(youth, tree, staff, participants, counts, code, words):
    def call():
        services.activity_log(
            actor=staff.county,
            project=youth,
            kind="peer_education",
            venue_kind="school",
            venue_unit=tree.village_a,
            venue_name="仁化中学",
            held_on=dt.date(2025, 5, 1),
            participants=participants,
            counts=counts,
        )

    assert words in _refused(ValidationError, code, call)


def test_activity_outside_the_area(youth, tree, staff):
    _refused(
        ValidationError, "venue_outside_area", lambda: youth_activity(staff.county, youth, tree.other_county)
    )


def test_bad_income_format_and_follow_up_before_baseline(income_world, tree, staff):
    row = Beneficiary.objects.filter(project=income_world).order_by("pk").first()
    message = _refused(
        ValidationError,
        "amount_format",
        lambda: services.income_record(
            actor=staff.county,
            beneficiary=row,
            kind="follow_up",
            recorded_on=dt.date(2025, 6, 1),
            net_income="1.2万",
            source="survey",
        ),
    )
    assert "家庭年纯收入" in message and "1.2万" in message
    message = _refused(
        ValidationError,
        "follow_up_before_baseline",
        lambda: services.income_record(
            actor=staff.county,
            beneficiary=row,
            kind="follow_up",
            recorded_on=dt.date(2022, 12, 31),
            net_income="5000",
            source="survey",
        ),
    )
    assert "2022-12-31" in message and "2023-03-01" in message
    _refused(
        Conflict,
        "duplicate_baseline",
        lambda: services.income_record(
            actor=staff.county,
            beneficiary=row,
            kind="baseline",
            recorded_on=dt.date(2023, 5, 1),
            net_income="5000",
            source="survey",
        ),
    )


def test_beneficiary_outside_the_projects_area(income_world, tree, staff):
    outside = household(tree.other_county, 9)
    message = _refused(
        ValidationError,
        "household_outside_area",
        lambda: services.beneficiary_add(actor=staff.city, project=income_world, household=outside),
    )
    assert "始兴县" in message
