"""The annual report's projects section counts the year's figures, not each project's lifetime: money spent
and goods used posted in the year, activities and participants held in it, households with an aid agreement
or an income survey dated in it. A project spanning 2024 and 2025 gives each year its own part; worked out
by hand below. The project's own public page keeps its lifetime figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from guanhuai.funds import services as funds_services
from guanhuai.funds.tests.factories import donor
from guanhuai.portal.selectors.disclosure import annual_report
from guanhuai.portal.tests.factories import SiteFactory
from guanhuai.projects import selectors as project_selectors
from guanhuai.projects import services as project_services
from guanhuai.projects.models import Project
from guanhuai.projects.states import ProjectStatus
from guanhuai.projects.tests.factories import project_books, project_staff, project_types
from guanhuai.projects.tests.factories_outcomes import household, running_project, youth_activity

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def world(tree):
    """仁化县's site and three public projects of 仁化县:

    P, Youth Health, 2024-07-01 — 2025-06-30, budget ¥50,000:
      paid ¥10,000.00 on 2024-09-10 and ¥5,000.50 on 2025-03-05; ¥999.99 paid 2025-02-10 in error and
      reversed 2025-04-01; goods ¥300.00 used 2024-12-01 and ¥200.20 on 2025-02-01, and ¥150.00 used
      2025-02-02 in error and reversed on 2025-02-03;
      activities 2024-10-01 (20 people), 2024-12-01 (30), 2025-04-01 (15);
      households 1 and 2 surveyed (baseline) 2024-08-01, household 1 followed up 2025-05-01, household 3
      with an aid agreement signed 2025-01-10.
    Q, 2024-01-01 — 2024-06-30, budget ¥20,000: paid ¥1,234.56 on 2024-05-05.
    R, 2025-01-01 — 2025-06-30, budget ¥10,000, closed on 2025-07-01; an activity of 2025-05-01 (40
      people) typed in after its closing, which its reported figures leave out."""
    types, staff = project_types(), project_staff(tree)
    books = project_books(tree, staff)
    site = SiteFactory(unit=tree.county, name="仁化县计划生育协会", slug="renhua")
    youth = types["youth_health"]
    funds_services.donation_record(
        actor=staff.finance,
        donor=donor(staff.manager, tree.province, name="爱心药企"),
        fund=books.fund,
        kind="in_kind",
        amount="1000.00",
        received_on=D(2024, 6, 1),
        items="宣传册",
        quantity="1000",
        valuation_basis="发票",
    )

    def project(code, start, end, budget, **kw):
        row = running_project(
            youth,
            tree.county,
            area=[tree.town_a],
            code=code,
            name=code,
            start_date=start,
            end_date=end,
            budget_total=Decimal(budget),
            **kw,
        )
        return row, project_services.project_fund(
            actor=staff.manager, project=row, allocation=books.allocation, amount="20000"
        )

    def pay(funding, amount, on):
        return project_services.project_spend(
            actor=staff.finance, funding=funding, amount=amount, spent_on=on, payee="仁化中学"
        )[0]

    def goods(row, amount, on):
        return project_services.project_use_goods(
            actor=staff.finance, project=row, fund=books.fund, amount=amount, used_on=on, items="宣传册"
        )[0]

    p, p_funding = project("P", D(2024, 7, 1), D(2025, 6, 30), "50000")
    pay(p_funding, "10000.00", D(2024, 9, 10))
    pay(p_funding, "5000.50", D(2025, 3, 5))
    wrong = pay(p_funding, "999.99", D(2025, 2, 10))
    funds_services.disbursement_reverse(
        actor=staff.manager, disbursement=wrong.disbursement, reason="重复支付", posted_on=D(2025, 4, 1)
    )
    goods(p, "300.00", D(2024, 12, 1))
    goods(p, "200.20", D(2025, 2, 1))
    project_services.goods_use_reverse(
        actor=staff.manager,
        use=goods(p, "150.00", D(2025, 2, 2)),
        reason="价值填错",
        reversed_on=D(2025, 2, 3),
    )
    youth_activity(staff.county, p, tree.village_a, on=D(2024, 10, 1), male=10, female=10)
    youth_activity(staff.county, p, tree.village_a, on=D(2024, 12, 1), male=15, female=15, venue="community")
    youth_activity(staff.county, p, tree.village_a, on=D(2025, 4, 1), male=8, female=7)
    h1, h2, h3 = (
        project_services.beneficiary_add(
            actor=staff.county, project=p, household=household(tree.village_a, n)
        )
        for n in (1, 2, 3)
    )
    for row, kind, on, income in (
        (h1, "baseline", D(2024, 8, 1), "10000"),
        (h2, "baseline", D(2024, 8, 1), "9000"),
        (h1, "follow_up", D(2025, 5, 1), "14000"),
    ):
        project_services.income_record(
            actor=staff.county, beneficiary=row, kind=kind, recorded_on=on, net_income=income, source="survey"
        )
    project_services.aid_agreement_add(
        actor=staff.county, beneficiary=h3, support_kind="cash", amount="2000", signed_on=D(2025, 1, 10)
    )

    _q, q_funding = project("Q", D(2024, 1, 1), D(2024, 6, 30), "20000")
    pay(q_funding, "1234.56", D(2024, 5, 5))

    r, _r_funding = project("R", D(2025, 1, 1), D(2025, 6, 30), "10000")
    r.status, r.closed_at = ProjectStatus.CLOSED, dt.datetime(2025, 7, 1, 4, tzinfo=dt.UTC)
    r.outcome_snapshot = project_selectors.take_snapshot(r)
    r.save(update_fields=["status", "closed_at", "outcome_snapshot"])
    youth_activity(staff.county, r, tree.village_a, on=D(2025, 5, 1), male=20, female=20)
    return site


def test_each_year_counts_its_own_spending_goods_activities_and_households(world):
    y2024 = annual_report(world, 2024).projects
    # P and Q ran in 2024: ¥10,000.00 + ¥1,234.56 paid, ¥300.00 of goods, 20 + 30 people, households 1 and 2
    assert (y2024.projects, y2024.budget) == (2, Decimal("70000.00"))
    assert (y2024.spent, y2024.goods_used) == (Decimal("11234.56"), Decimal("300.00"))
    assert (y2024.activities, y2024.participants, y2024.households) == (2, 50, 2)
    y2025 = annual_report(world, 2025).projects
    # P and R ran in 2025: ¥5,000.50 paid (the ¥999.99 paid and reversed in the year nets out), ¥200.20 of
    # goods (the ¥150.00 reversed use does not count), 15 people, household 1 (follow-up) and 3 (agreement);
    # R's activity, typed in after it closed, is left out as its evaluated figures leave it out
    assert (y2025.projects, y2025.budget) == (2, Decimal("60000.00"))
    assert (y2025.spent, y2025.goods_used) == (Decimal("5000.50"), Decimal("200.20"))
    assert (y2025.activities, y2025.participants, y2025.households) == (1, 15, 2)
    # Q's money is not in 2025, nor 2023's in anything
    assert [(r.type_name, r.projects, r.spent) for r in y2025.by_type] == [
        ("青春健康", 2, Decimal("5000.50"))
    ]
    assert annual_report(world, 2023).projects.projects == 0


def test_the_years_add_up_to_the_projects_lifetime_figures(world):
    p = next(d for d in project_selectors.project_disclosures(_public(world)) if d.code == "P")
    assert (p.spent, p.goods_used) == (Decimal("15000.50"), Decimal("500.20"))
    assert (p.activities, p.participants, p.beneficiary_households) == (3, 65, 3)
    years = [
        next(
            d
            for d in project_selectors.project_disclosures(_public(world), start=D(y, 1, 1), end=D(y, 12, 31))
            if d.code == "P"
        )
        for y in (2024, 2025)
    ]
    assert sum(d.spent for d in years) == p.spent and sum(d.goods_used for d in years) == p.goods_used
    assert sum(d.participants for d in years) == p.participants


def test_the_report_page_and_the_projects_page(client, world):
    html = client.get(
        reverse("portal:annual_report", kwargs={"site": "renhua", "year": 2025})
    ).content.decode()
    assert (
        "本年度实施项目 2 个，预算合计 ¥60,000.00，已支出 ¥5,000.50。另使用捐赠物资 ¥200.20（按收据估值）。"
        in html
    )
    assert "共开展活动 1 场，参与 15 人次，受益家庭 2 户。" in html
    page = client.get(reverse("portal:project", kwargs={"site": "renhua", "code": "P"})).content.decode()
    assert '<dd class="col-6 text-end" id="spent">¥15,000.50</dd>' in page
    assert '<dd class="col-6 text-end" id="goods-used">¥500.20</dd>' in page


def _public(site):
    return Project.objects.unscoped("test").select_related("type", "org_unit").order_by("code")
