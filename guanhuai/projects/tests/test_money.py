"""A project's money: shares of funds allocations (co-funding, goods in kind), spending posted through the
ledger and never beyond the share, and the project's figures agreeing with the fund's books to the fen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from guanhuai.core.errors import InvalidTransition, ValidationError
from guanhuai.funds import selectors as funds_selectors
from guanhuai.funds import services as funds_services
from guanhuai.funds.ledger import InsufficientFunds
from guanhuai.funds.models import Disbursement, LedgerEntry
from guanhuai.funds.states import Account
from guanhuai.funds.tests.factories import allocate, donor, fund, give
from guanhuai.projects import selectors, services
from guanhuai.projects.models import ProjectSpending
from guanhuai.projects.states import ProjectStatus
from guanhuai.projects.tests.factories import approved_project

PAID_ON = dt.date(2025, 6, 1)


def test_spending_posts_through_the_ledger_and_the_project_agrees_with_the_fund_to_the_fen(
    tree, types, staff, books
):
    # given two projects sharing the ¥60,000 allocation: ¥25,000.50 and ¥30,000
    a = approved_project(tree, types, staff)
    b = approved_project(tree, types, staff, name="仁化县青春健康进社区")
    fa = services.project_fund(actor=staff.manager, project=a, allocation=books.allocation, amount="25000.50")
    fb = services.project_fund(actor=staff.manager, project=b, allocation=books.allocation, amount="30000")
    # when each pays out of its share
    services.project_spend(
        actor=staff.finance, funding=fa, amount="12000.25", spent_on=PAID_ON, payee="某中学"
    )
    services.project_spend(actor=staff.finance, funding=fa, amount="3000", spent_on=PAID_ON, payee="培训讲师")
    services.project_spend(
        actor=staff.finance, funding=fb, amount="29999.99", spent_on=PAID_ON, payee="某社区"
    )
    # then each project's spent is read from the ledger, and together they are what the allocation paid
    money_a, money_b = selectors.project_money(a), selectors.project_money(b)
    assert (money_a.budget, money_a.allocated, money_a.spent, money_a.remaining) == (
        Decimal("30000.00"),
        Decimal("25000.50"),
        Decimal("15000.25"),
        Decimal("10000.25"),
    )
    assert money_b.spent == Decimal("29999.99")
    paid_by_allocation = -LedgerEntry.objects.filter(
        allocation=books.allocation, account=Account.ALLOCATED, transaction__kind="disbursement"
    ).aggregate(s=Sum("amount"))["s"]
    assert money_a.spent + money_b.spent == paid_by_allocation == Decimal("45000.24")
    assert funds_services.allocation_remaining(books.allocation) == Decimal("14999.76")
    statement = funds_selectors.fund_statement(
        books.fund, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    assert statement.disbursements == Decimal("45000.24") and statement.reconciled
    # and the first payment started each project
    a.refresh_from_db()
    assert a.status == ProjectStatus.IN_PROGRESS


def test_spending_beyond_the_projects_share_is_refused_and_changes_nothing(tree, types, staff, books):
    project = approved_project(tree, types, staff)
    funding = services.project_fund(
        actor=staff.manager, project=project, allocation=books.allocation, amount="10000"
    )
    services.project_spend(
        actor=staff.finance, funding=funding, amount="9000", spent_on=PAID_ON, payee="某中学"
    )
    entries = LedgerEntry.objects.count()
    # the allocation still holds ¥51,000, but this project's share has ¥1,000 left
    with pytest.raises(InsufficientFunds, match="安排的资金只剩 ¥1,000.00，不足支付 ¥1,000.01"):
        services.project_spend(
            actor=staff.finance, funding=funding, amount="1000.01", spent_on=PAID_ON, payee="某中学"
        )
    assert LedgerEntry.objects.count() == entries
    assert ProjectSpending.objects.count() == Disbursement.objects.count() == 1


def test_shares_of_one_allocation_never_add_up_to_more_than_it_holds(tree, types, staff, books):
    a = approved_project(tree, types, staff)
    b = approved_project(tree, types, staff, name="第二个项目")
    services.project_fund(actor=staff.manager, project=a, allocation=books.allocation, amount="50000")
    with pytest.raises(InsufficientFunds, match="可安排给项目的余额为 ¥10,000.00，不足 ¥10,000.01"):
        services.project_fund(actor=staff.manager, project=b, allocation=books.allocation, amount="10000.01")
    assert b.fundings.count() == 0


def test_co_funding_from_two_funds_and_goods_in_kind(tree, types, staff, books):
    # given a second fund (a city's) with its own allocation for projects
    city_fund = fund(staff.manager, tree.province, name="韶关市生育关怀基金")
    give(staff.finance, city_fund, donor(staff.manager, tree.province, name="韶关某企业"), "20000")
    city_allocation = allocate(
        staff.manager, city_fund, "8000", name="韶关市配套资金", target_ref="project:city"
    )
    project = approved_project(tree, types, staff)
    # when the project is funded from both, and given goods
    services.project_fund(actor=staff.manager, project=project, allocation=books.allocation, amount="20000")
    f2 = services.project_fund(
        actor=staff.manager, project=project, allocation=city_allocation, amount="8000"
    )
    services.project_fund(actor=staff.manager, project=project, amount="3500", items="宣传折页 5000 份")
    services.project_spend(actor=staff.finance, funding=f2, amount="8000", spent_on=PAID_ON, payee="印刷厂")
    # then its allocated money is the cash shares, the goods shown beside, and spent comes from the city fund
    money = selectors.project_money(project)
    assert (money.allocated_cash, money.allocated_in_kind, money.spent) == (
        Decimal("28000.00"),
        Decimal("3500.00"),
        Decimal("8000.00"),
    )
    assert funds_services.allocation_remaining(city_allocation) == 0


def test_money_bad_input_is_refused_with_a_precise_message(tree, types, staff, books):
    draft = services.project_create(
        actor=staff.county,
        org_unit=tree.county,
        project_type=types["youth_health"],
        name="草稿",
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 12, 31),
    )
    with pytest.raises(InvalidTransition, match="不能安排资金"):
        services.project_fund(actor=staff.manager, project=draft, allocation=books.allocation, amount="100")
    project = approved_project(tree, types, staff)
    with pytest.raises(ValidationError, match="安排金额 100.005 超过两位小数"):
        services.project_fund(
            actor=staff.manager, project=project, allocation=books.allocation, amount="100.005"
        )
    with pytest.raises(ValidationError, match="实物资助请填写物资名称"):
        services.project_fund(actor=staff.manager, project=project, amount="100")
    funding = services.project_fund(
        actor=staff.manager, project=project, allocation=books.allocation, amount="100"
    )
    with pytest.raises(ValidationError, match="请填写收款方"):
        services.project_spend(actor=staff.finance, funding=funding, amount="10", spent_on=PAID_ON, payee="")


def test_a_reversed_payment_gives_its_money_back_to_the_share(tree, types, staff, books):
    project = approved_project(tree, types, staff)
    funding = services.project_fund(
        actor=staff.manager, project=project, allocation=books.allocation, amount="5000"
    )
    spending, _created = services.project_spend(
        actor=staff.finance, funding=funding, amount="5000", spent_on=PAID_ON, payee="某中学"
    )
    funds_services.disbursement_reverse(
        actor=staff.manager, disbursement=spending.disbursement, reason="重复支付"
    )
    assert selectors.project_money(project).spent == 0
    assert selectors.project_list(actor=staff.county).get().spent == 0
    services.project_spend(
        actor=staff.finance, funding=funding, amount="5000", spent_on=PAID_ON, payee="某中学"
    )
    assert selectors.project_money(project).spent == Decimal("5000.00")


def test_a_replayed_payment_pays_once(tree, types, staff, books):
    project = approved_project(tree, types, staff)
    funding = services.project_fund(
        actor=staff.manager, project=project, allocation=books.allocation, amount="5000"
    )
    first, created = services.project_spend(
        actor=staff.finance,
        funding=funding,
        amount="100",
        spent_on=PAID_ON,
        payee="某中学",
        idempotency_key="k-1",
    )
    again, created_again = services.project_spend(
        actor=staff.finance,
        funding=funding,
        amount="100",
        spent_on=PAID_ON,
        payee="某中学",
        idempotency_key="k-1",
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert selectors.project_money(project).spent == Decimal("100.00")
