"""The annual report's projects and villages sections: the figures are the owners' public selectors'
(projects' `project_disclosures`, governance's `published_documents`, `published_results` and
`designated_units`), for the site's branch and below and the year; worked out by hand here. No person
appears, and the report's query count does not grow with the number of projects, villages or meetings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanhuai.governance import designation_rules as rules
from guanhuai.governance.models import Designation, DesignationApplication
from guanhuai.governance.models_filing import Filing
from guanhuai.governance.states import (
    ApplicationStatus,
    DocumentKind,
    FilingStatus,
    MotionStatus,
    Rating,
    VersionStatus,
)
from guanhuai.governance.tests.factories import (
    DocumentFactory,
    MotionFactory,
    passed_motion,
    version_with_clauses,
)
from guanhuai.portal.selectors.disclosure import annual_report
from guanhuai.portal.tests.factories import SiteFactory
from guanhuai.projects import services as project_services
from guanhuai.projects.states import ProjectStatus
from guanhuai.projects.tests.factories import (
    ProjectFactory,
    ProjectTypeFactory,
    approved_project,
    project_books,
    project_staff,
    project_types,
)

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
PAID_ON = dt.date(2025, 6, 1)


@pytest.fixture
def types(db):
    return project_types()


@pytest.fixture
def staff(tree):
    return project_staff(tree)


@pytest.fixture
def books(tree, staff):
    return project_books(tree, staff)


def _filed(unit, kind, user):
    version = version_with_clauses(
        DocumentFactory(unit=unit, kind=kind, created_by=user), status=VersionStatus.ADOPTED, number=1
    )
    Filing.objects.create(
        unit=unit,
        document=version.document,
        version=version,
        status=FilingStatus.FILED,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
        created_by=user,
    )
    return version


def _designation(unit, rating, by):
    application = DesignationApplication.objects.create(
        unit=unit,
        rating=rating,
        created_by=by,
        submitted_at=timezone.now(),
        status=ApplicationStatus.APPROVED,
    )
    Designation.objects.create(
        unit=unit,
        rating=rating,
        application=application,
        valid_from=timezone.localdate(),
        valid_until=rules.valid_until(timezone.localdate()),
    )


def _project(unit, kind, budget, status=ProjectStatus.IN_PROGRESS, year=YEAR, **kwargs):
    return ProjectFactory(
        org_unit=unit,
        type=kind,
        status=status,
        budget_total=Decimal(budget),
        start_date=dt.date(year, 1, 1),
        end_date=dt.date(year, 12, 31),
        **kwargs,
    )


@pytest.fixture
def world(tree, people):
    """仁化县's site. Projects this year: two 幸福家庭 (50,000 and 30,000 yuan, one approved and one
    running), one 青春健康 (20,000, closed); not counted: a withdrawn one, one of 始兴县, one of last year.
    Villages: 甲村 has its charter and village rules filed, 乙村 its rules adopted but not filed; 甲村's
    assembly this year voted two motions (one passed), one last year is not counted; 甲村 is rated
    qualified, 乙村 demonstration; 仁化县's own county rating is not a village's."""
    site = SiteFactory(unit=tree.county, name="仁化县计划生育协会", slug="renhua")
    family = ProjectTypeFactory(name="幸福家庭")
    youth = ProjectTypeFactory(name="青春健康")
    _project(tree.county, family, "50000.00", code="RH-1")
    _project(tree.village_a, family, "30000.00", status=ProjectStatus.APPROVED, code="RH-2")
    _project(tree.county, youth, "20000.00", status=ProjectStatus.CLOSED, code="RH-3")
    _project(tree.county, youth, "99000.00", status=ProjectStatus.WITHDRAWN, code="RH-4")
    _project(tree.other_county, youth, "77000.00", code="SX-1")
    _project(tree.county, family, "66000.00", year=YEAR - 1, code="RH-0")

    rules_a = _filed(tree.village_a, DocumentKind.VILLAGE_RULES, people.clerk_a)
    _filed(tree.village_a, DocumentKind.CHARTER, people.clerk_a)
    version_with_clauses(
        DocumentFactory(unit=tree.village_b, created_by=people.clerk_a),
        status=VersionStatus.ADOPTED,
        number=1,
    )
    motion = passed_motion(rules_a, title="审议通过甲村村规民约", present_at_vote=330)
    motion.meeting.scheduled_at = timezone.now()
    motion.meeting.save(update_fields=["scheduled_at"])
    MotionFactory(meeting=motion.meeting, title="修建村道", status=MotionStatus.FAILED, votes_for=100)
    old = passed_motion(rules_a, title="去年的议题")
    old.meeting.scheduled_at = timezone.now().replace(year=YEAR - 1)
    old.meeting.save(update_fields=["scheduled_at"])

    _designation(tree.village_a, Rating.QUALIFIED, people.reviewer_a)
    _designation(tree.village_b, Rating.DEMONSTRATION, people.reviewer_a)
    _designation(tree.county, Rating.DEMONSTRATION, people.reviewer_a)
    return site


def test_the_projects_section_sums_the_years_public_projects_by_type(world):
    p = annual_report(world, YEAR).projects
    assert p.projects == 3
    assert p.budget == Decimal("100000.00")
    assert [(r.type_name, r.projects, r.budget) for r in p.by_type] == [
        ("幸福家庭", 2, Decimal("80000.00")),
        ("青春健康", 1, Decimal("20000.00")),
    ]
    # no money was paid out and no activity held: the ledger and the activities say so
    assert p.spent == Decimal("0.00") and p.activities == 0 and p.participants == 0


def test_the_villages_section_counts_filed_texts_assemblies_and_ratings(world):
    v = annual_report(world, YEAR).villages
    assert (v.charters, v.village_rules, v.compacts, v.villages_filed) == (1, 1, 0, 1)
    assert (v.assemblies, v.motions, v.motions_passed) == (1, 2, 1)
    assert (v.qualified, v.demonstration) == (2, 1)
    last = annual_report(world, YEAR - 1).villages
    assert (last.assemblies, last.motions, last.motions_passed) == (1, 1, 1)


def test_the_report_page_shows_the_sections_and_no_person(client, world, people):
    html = client.get(
        reverse("portal:annual_report", kwargs={"site": "renhua", "year": YEAR})
    ).content.decode()
    assert "本年度实施项目 3 个，预算合计 ¥100,000.00，已支出 ¥0.00。" in html
    assert "幸福家庭：2 个，预算 ¥80,000.00" in html
    assert "村民自治章程 1 件、村规民约 1 件、居民公约 0 件，涉及 1 个村（社区）" in html
    assert "会议 1 次，表决事项 2 项，通过 1 项" in html
    assert "合格村（社区）2 个，其中示范村（社区）1 个" in html
    for name in (people.clerk_a.username, people.reviewer_a.username, "/governance/", "/projects/"):
        assert name not in html


def test_the_reports_query_count_does_not_grow_with_projects_and_villages(world, tree, people):
    with CaptureQueriesContext(connection) as few:
        annual_report(world, YEAR)
    kind = ProjectTypeFactory(name="更多项目")
    for i in range(4):
        _project(tree.county, kind, "1000.00", code=f"RH-M{i}")
    rules_b = _filed(tree.village_b, DocumentKind.VILLAGE_RULES, people.clerk_a)
    for hour in (9, 14, 19):  # three meetings of one title on one day are three assemblies
        m = passed_motion(rules_b)
        m.meeting.scheduled_at = timezone.now().replace(month=1, day=2, hour=hour)
        m.meeting.save(update_fields=["scheduled_at"])
    with CaptureQueriesContext(connection) as many:
        report = annual_report(world, YEAR)
    assert report.projects.projects == 7 and report.villages.assemblies == 4
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_projects_money_is_the_ledgers(tree, types, staff, books):
    """Two 2025 projects of 仁化县 (¥30,000 budget each) paid ¥12,000.25 + ¥3,000 and ¥29,999.99 out of their
    shares of the fund's allocation: the 2025 report says 2 projects, ¥60,000.00 budgeted, ¥45,000.24 spent."""
    site = SiteFactory(unit=tree.county, slug="renhua")
    a = approved_project(tree, types, staff)
    b = approved_project(tree, types, staff, name="仁化县青春健康进社区")
    fa = project_services.project_fund(
        actor=staff.manager, project=a, allocation=books.allocation, amount="25000.50"
    )
    fb = project_services.project_fund(
        actor=staff.manager, project=b, allocation=books.allocation, amount="30000"
    )
    for funding, amount in ((fa, "12000.25"), (fa, "3000"), (fb, "29999.99")):
        project_services.project_spend(
            actor=staff.finance, funding=funding, amount=amount, spent_on=PAID_ON, payee="某中学"
        )

    p = annual_report(site, 2025).projects
    assert (p.projects, p.budget, p.spent) == (2, Decimal("60000.00"), Decimal("45000.24"))
    assert [(r.type_name, r.projects, r.spent) for r in p.by_type] == [
        (types["youth_health"].name, 2, Decimal("45000.24"))
    ]
    assert annual_report(site, 2024).projects.projects == 0
