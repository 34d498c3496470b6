"""Goods in kind a project used: distributed out of a fund's in-kind holding at their receipt value, through
the ledger, never beyond what the fund holds, once per idempotency key, and agreeing with the fund's
statement to the fen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanhuai.core.errors import NotFound, PermissionDenied
from guanhuai.funds import selectors as funds_selectors
from guanhuai.funds import services as funds_services
from guanhuai.funds.ledger import InsufficientFunds
from guanhuai.funds.models import LedgerEntry, LedgerTransaction
from guanhuai.funds.states import Account
from guanhuai.funds.tests.factories import donor
from guanhuai.projects import selectors, services
from guanhuai.projects.models import ProjectGoodsUse
from guanhuai.projects.states import ProjectStatus
from guanhuai.projects.tests.factories import approved_project

USED_ON = dt.date(2025, 6, 1)


@pytest.fixture
def goods(tree, staff, books):
    """The province's fund is given goods valued at ¥5,000.50 on their receipt."""
    funds_services.donation_record(
        actor=staff.finance,
        donor=donor(staff.manager, tree.province, name="爱心药企"),
        fund=books.fund,
        kind="in_kind",
        amount="5000.50",
        received_on=dt.date(2025, 4, 1),
        items="青春健康宣传册 2000 本",
        quantity="2000",
        valuation_basis="捐赠方发票",
    )
    return books


def use(staff, project, fund, amount, key=None, items="宣传册"):
    return services.project_use_goods(
        actor=staff.finance,
        project=project,
        fund=fund,
        amount=amount,
        used_on=USED_ON,
        items=items,
        idempotency_key=key,
    )


def test_goods_used_agree_between_the_projects_and_the_fund_statement_to_the_fen(tree, types, staff, goods):
    # given two projects, one co-funded by the fund's project allocation
    a = approved_project(tree, types, staff)
    b = approved_project(tree, types, staff, name="仁化县青春健康进社区")
    services.project_fund(actor=staff.manager, project=a, allocation=goods.allocation, amount="10000")
    # when they use goods out of the fund's in-kind holding
    use(staff, a, goods.fund, "1200.25")
    use(staff, a, goods.fund, "800.10", items="安全套 500 盒")
    use(staff, b, goods.fund, "3000.14")
    # then each project's goods used is read from the ledger, beside (not inside) its cash spent
    money_a, money_b = selectors.project_money(a), selectors.project_money(b)
    assert (money_a.goods_used, money_a.spent, money_b.goods_used) == (
        Decimal("2000.35"),
        Decimal("0.00"),
        Decimal("3000.14"),
    )
    # and the fund's statement shows the same distribution, and the goods left, to the fen
    statement = funds_selectors.fund_statement(
        goods.fund, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    assert statement.in_kind_distributed == money_a.goods_used + money_b.goods_used == Decimal("5000.49")
    assert statement.closing_in_kind == Decimal("0.01") == funds_services.in_kind_held(goods.fund)
    assert statement.reconciled
    # and the goods of the co-funded project are charged to its allocation, the allocation's cash untouched
    charged = LedgerEntry.objects.filter(allocation=goods.allocation, account=Account.IN_KIND_DISTRIBUTED)
    assert sum(e.amount for e in charged) == Decimal("2000.35")
    assert funds_services.allocation_remaining(goods.allocation) == Decimal("60000.00")
    # and using goods started the projects
    a.refresh_from_db()
    assert a.status == ProjectStatus.IN_PROGRESS


def test_using_more_goods_than_the_fund_holds_is_refused_and_changes_nothing(tree, types, staff, goods):
    project = approved_project(tree, types, staff)
    use(staff, project, goods.fund, "5000.00")
    before = LedgerTransaction.objects.count()
    with pytest.raises(InsufficientFunds) as refused:
        use(staff, project, goods.fund, "0.51")
    assert refused.value.message == "“生育关怀基金”现有物资价值 ¥0.50，不足发放 ¥0.51。"
    assert LedgerTransaction.objects.count() == before
    assert ProjectGoodsUse.objects.count() == 1
    assert selectors.project_money(project).goods_used == Decimal("5000.00")


def test_a_replayed_key_records_the_goods_once(tree, types, staff, goods):
    project = approved_project(tree, types, staff)
    first, created = use(staff, project, goods.fund, "1000.00", key="goods-1")
    again, created_again = use(staff, project, goods.fund, "1000.00", key="goods-1")
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert ProjectGoodsUse.objects.count() == 1
    assert funds_services.in_kind_held(goods.fund) == Decimal("4000.50")


def test_goods_cannot_be_used_by_another_county_or_a_project_not_running(tree, types, staff, goods):
    project = approved_project(tree, types, staff)
    with pytest.raises((PermissionDenied, NotFound)):
        services.project_use_goods(
            actor=staff.other_county,
            project=project,
            fund=goods.fund,
            amount="10",
            used_on=USED_ON,
            items="宣传册",
        )
    # a county project officer may record for the project but may not give out the province fund's goods
    with pytest.raises((PermissionDenied, NotFound)):
        services.project_use_goods(
            actor=staff.county, project=project, fund=goods.fund, amount="10", used_on=USED_ON, items="宣传册"
        )
    assert funds_services.in_kind_held(goods.fund) == Decimal("5000.50")


def test_goods_used_on_the_page_and_over_the_api(client, api, tree, types, staff, goods):
    project = approved_project(tree, types, staff)
    client.force_login(staff.finance)
    form = client.get(f"/projects/{project.pk}/goods/")
    assert form.status_code == 200 and "生育关怀基金（现有物资 ¥5,000.50）" in form.content.decode()
    posted = client.post(
        f"/projects/{project.pk}/goods/",
        {"fund": goods.fund.pk, "amount": "6000", "items": "宣传册", "used_on": "2025-06-01"},
    )
    assert "现有物资价值 ¥5,000.50，不足发放 ¥6,000.00" in posted.content.decode()
    client.post(
        f"/projects/{project.pk}/goods/",
        {"fund": goods.fund.pk, "amount": "1500.20", "items": "宣传册", "used_on": "2025-06-01"},
    )
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "¥1,500.20" in page and "data-goods-used" in page
    finance = api(staff.finance)
    body = {"fund_id": goods.fund.pk, "amount": "500.00", "used_on": "2025-06-02", "items": "安全套"}
    first = finance.post(f"/projects/{project.pk}/goods-uses", body, headers={"Idempotency-Key": "g1"})
    again = finance.post(f"/projects/{project.pk}/goods-uses", body, headers={"Idempotency-Key": "g1"})
    assert (first.status_code, again.status_code, again.json()["id"]) == (201, 200, first.json()["id"])
    assert first.json()["amount"] == "500.00"
    over = finance.post(f"/projects/{project.pk}/goods-uses", {**body, "amount": "3000.31"})
    assert over.status_code == 409 and over.json()["code"] == "insufficient_funds"
    assert selectors.project_money(project).goods_used == Decimal("2000.20")
