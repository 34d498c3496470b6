"""A goods use recorded in error is reversed, never edited or deleted: the ledger reverses its distribution,
the goods' value returns to the fund's holding, the project's goods used drop by its value, the use keeps
who reversed it, when and why, and the audit log says so. Once only, never in a closed period, and only for
whom the project and the fund are in scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.funds import selectors as funds_selectors
from guanhuai.funds import services as funds_services
from guanhuai.funds.ledger import PeriodClosed
from guanhuai.funds.models import LedgerEntry, LedgerTransaction
from guanhuai.funds.states import Account
from guanhuai.funds.tests.factories import donor
from guanhuai.projects import selectors, services
from guanhuai.projects.models import ProjectGoodsUse
from guanhuai.projects.states import GoodsUseStatus
from guanhuai.projects.tests.factories import approved_project

USED_ON = dt.date(2025, 6, 1)


@pytest.fixture
def goods(tree, staff, books):
    """The province's fund holds goods valued at ¥5,000.50 on their receipt (given 2025-04-01)."""
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


@pytest.fixture
def project(tree, types, staff):
    return approved_project(tree, types, staff)


def use(staff, project, fund, amount, items="宣传册"):
    return services.project_use_goods(
        actor=staff.finance, project=project, fund=fund, amount=amount, used_on=USED_ON, items=items
    )[0]


def reverse(staff, use, reason="价值填错，应为 200.25 元", **kwargs):
    return services.goods_use_reverse(actor=staff.manager, use=use, reason=reason, **kwargs)


def test_a_reversal_gives_the_goods_back_to_the_fund_and_the_books_still_agree(tree, staff, goods, project):
    # given two goods uses, one of them wrong, with the project co-funded by the fund's project allocation
    services.project_fund(actor=staff.manager, project=project, allocation=goods.allocation, amount="10000")
    wrong = use(staff, project, goods.fund, "1200.25")
    use(staff, project, goods.fund, "800.10", items="安全套 500 盒")
    assert selectors.project_money(project).goods_used == Decimal("2000.35")
    assert funds_services.in_kind_held(goods.fund) == Decimal("3000.15")
    assert funds_selectors.reconcile().ok
    # when the fund manager reverses the wrong one
    reversed_use, created = reverse(staff, wrong)
    # then its value is back in the fund's holding and out of the project's goods used, to the fen
    assert created
    assert funds_services.in_kind_held(goods.fund) == Decimal("4200.40")
    money = selectors.project_money(project)
    assert (money.goods_used, money.spent) == (Decimal("800.10"), Decimal("0.00"))
    # and the ledger still proves itself: the reversal mirrors the distribution, nothing is edited
    assert funds_selectors.reconcile().ok
    assert reversed_use.reversal.reverses_id == wrong.transaction_id
    assert wrong.transaction.entries.get(account=Account.IN_KIND_DISTRIBUTED).amount == Decimal("1200.25")
    # and the allocation the goods were charged to is charged only for the goods kept
    charged = LedgerEntry.objects.filter(allocation=goods.allocation, account=Account.IN_KIND_DISTRIBUTED)
    assert sum(e.amount for e in charged) == Decimal("800.10")
    # and the fund's statement from the goods' arrival to today shows the same, and reconciles
    statement = funds_selectors.fund_statement(
        goods.fund, start=dt.date(2025, 1, 1), end=timezone.localdate()
    )
    assert statement.in_kind_distributed == Decimal("800.10") == money.goods_used
    assert statement.closing_in_kind == Decimal("4200.40") and statement.reconciled
    # and the use says who reversed it, when and why; the list of uses keeps it
    row = ProjectGoodsUse.objects.get(pk=wrong.pk)
    assert row.status == GoodsUseStatus.REVERSED
    assert (row.reversed_by, row.reversal_reason) == (staff.manager, "价值填错，应为 200.25 元")
    assert row.reversal.posted_on == timezone.localdate() and row.reversed_at is not None
    assert ProjectGoodsUse.objects.filter(project=project).count() == 2
    # and the audit log has the project's line and the fund's
    line = AuditEntry.objects.get(action="projects.goods.reversed")
    assert (line.actor_id, line.data["amount"], line.data["reason"]) == (
        staff.manager.pk,
        "1200.25",
        "价值填错，应为 200.25 元",
    )
    assert AuditEntry.objects.filter(action="funds.in_kind.reversed").count() == 1


def test_a_double_click_reverses_once_and_a_second_reversal_is_refused(staff, goods, project):
    wrong = use(staff, project, goods.fund, "1000.00")
    first, created = reverse(staff, wrong, idempotency_key="web:reverse:1")
    # the same click again (same key): the first reversal, nothing posted
    again, created_again = reverse(staff, wrong, idempotency_key="web:reverse:1")
    assert (created, created_again, again.reversal_id) == (True, False, first.reversal_id)
    assert LedgerTransaction.objects.filter(reverses=wrong.transaction).count() == 1
    # another request (no key, or another key) is refused with the use named
    for key in (None, "web:reverse:2"):
        with pytest.raises(Conflict) as refused:
            reverse(staff, wrong, idempotency_key=key)
        assert refused.value.code == "already_reversed"
        assert refused.value.message == "这笔物资使用（宣传册，¥1,000.00）已冲销。"
    assert funds_services.in_kind_held(goods.fund) == Decimal("5000.50")
    assert AuditEntry.objects.filter(action="projects.goods.reversed").count() == 1


def test_a_reversal_dated_in_a_closed_period_is_refused_and_changes_nothing(staff, goods, project):
    wrong = use(staff, project, goods.fund, "1000.00")
    funds_services.period_close(actor=staff.manager, fund=goods.fund, period="2025-06")
    with pytest.raises(PeriodClosed) as refused:
        reverse(staff, wrong, reversed_on=dt.date(2025, 6, 30))
    assert refused.value.code == "period_closed"
    assert "2025-06 已结账" in refused.value.message
    wrong.refresh_from_db()
    assert (wrong.status, wrong.reversal_id) == (GoodsUseStatus.RECORDED, None)
    assert funds_services.in_kind_held(goods.fund) == Decimal("4000.50")
    # dated today (an open month), the same reversal goes through
    reverse(staff, wrong)
    assert funds_services.in_kind_held(goods.fund) == Decimal("5000.50")


def test_bad_reversals_are_refused_with_their_reason_and_change_nothing(tree, staff, goods, project):
    wrong = use(staff, project, goods.fund, "1000.00")
    with pytest.raises(ValidationError) as no_reason:
        reverse(staff, wrong, reason="  ")
    assert (no_reason.value.code, no_reason.value.message) == ("reason_required", "冲销必须填写原因。")
    with pytest.raises(ValidationError) as early:
        reverse(staff, wrong, reversed_on=dt.date(2025, 5, 31))
    assert early.value.message == "冲销日期不能早于发放日期 2025-06-01。"
    # the finance officer records goods uses but, as for a cash payment, only the fund manager reverses
    with pytest.raises(PermissionDenied):
        services.goods_use_reverse(actor=staff.finance, use=wrong, reason="填错")
    # another county sees neither the project nor its uses
    with pytest.raises((PermissionDenied, NotFound)):
        services.goods_use_reverse(actor=staff.other_county, use=wrong, reason="填错")
    with pytest.raises(NotFound):
        selectors.goods_use_get(
            selectors.project_get(actor=staff.other_county, project_id=project.pk), wrong.pk
        )
    wrong.refresh_from_db()
    assert wrong.status == GoodsUseStatus.RECORDED
    assert funds_services.in_kind_held(goods.fund) == Decimal("4000.50")
    assert not AuditEntry.objects.filter(action="projects.goods.reversed").exists()


def test_the_goods_page_lists_the_uses_and_reverses_one_after_a_confirmation(client, staff, goods, project):
    wrong = use(staff, project, goods.fund, "1200.25")
    kept = use(staff, project, goods.fund, "800.10", items="安全套 500 盒")
    client.force_login(staff.manager)
    page = client.get(f"/projects/{project.pk}/goods/").content.decode()
    assert f'data-goods-use="{wrong.pk}" data-status="recorded"' in page
    assert f"/projects/{project.pk}/goods/{wrong.pk}/reverse/" in page and "¥2,000.35" in page
    # the button opens a confirmation that asks why
    confirm = client.get(f"/projects/{project.pk}/goods/{wrong.pk}/reverse/").content.decode()
    assert "确认冲销" in confirm and "冲销原因" in confirm and "宣传册 ¥1,200.25" in confirm
    key = "c0ffee"
    empty = client.post(
        f"/projects/{project.pk}/goods/{wrong.pk}/reverse/",
        {"reason": "", "reversed_on": timezone.localdate().isoformat(), "idempotency_key": key},
    )
    assert empty.status_code == 200 and "这个字段是必填项" in empty.content.decode()
    body = {"reason": "基金选错", "reversed_on": timezone.localdate().isoformat(), "idempotency_key": key}
    # a double click: two posts of the same form, one reversal
    first = client.post(f"/projects/{project.pk}/goods/{wrong.pk}/reverse/", body)
    second = client.post(f"/projects/{project.pk}/goods/{wrong.pk}/reverse/", body, follow=True)
    assert first.status_code == 302 and first["Location"] == f"/projects/{project.pk}/goods/"
    after = second.content.decode()
    assert "已冲销这笔物资使用，¥1,200.25 的物资已退回“生育关怀基金”。" in after
    assert f'data-goods-use="{wrong.pk}" data-status="reversed"' in after and "冲销：基金选错" in after
    assert LedgerTransaction.objects.filter(reverses=wrong.transaction).count() == 1
    # the project's page shows the goods kept, and the reversed use marked
    detail = client.get(f"/projects/{project.pk}/").content.decode()
    assert "¥800.10" in detail and "已冲销" in detail
    assert selectors.project_money(project).goods_used == kept.amount
    # a finance officer records goods but is offered no reversal, and is refused one
    client.force_login(staff.finance)
    assert "/reverse/" not in client.get(f"/projects/{project.pk}/goods/").content.decode()
    refused = client.post(
        f"/projects/{project.pk}/goods/{kept.pk}/reverse/",
        {"reason": "填错", "reversed_on": timezone.localdate().isoformat(), "idempotency_key": "k2"},
    )
    assert refused.status_code in (403, 404)
    # another county gets the 404 of a missing page
    client.force_login(staff.other_county)
    assert client.get(f"/projects/{project.pk}/goods/{kept.pk}/reverse/").status_code == 404
    assert funds_services.in_kind_held(goods.fund) == Decimal("4200.40")


def test_reversing_over_the_api(api, tree, types, staff, goods, project):
    wrong = use(staff, project, goods.fund, "1200.25")
    other = approved_project(tree, types, staff, name="另一个项目")
    manager = api(staff.manager)
    url = f"/projects/{project.pk}/goods-uses/{wrong.pk}/reverse"
    assert manager.post(url, {"reason": ""}).json()["code"] == "reason_required"
    done = manager.post(url, {"reason": "价值填错"}, headers={"Idempotency-Key": "r1"})
    again = manager.post(url, {"reason": "价值填错"}, headers={"Idempotency-Key": "r1"})
    assert (done.status_code, again.status_code) == (200, 200)
    assert done.json() == again.json()
    assert done.json()["status"] == "reversed" and done.json()["reversal_reason"] == "价值填错"
    assert done.json()["reversed_on"] == timezone.localdate().isoformat()
    twice = manager.post(url, {"reason": "价值填错"}, headers={"Idempotency-Key": "r2"})
    assert (twice.status_code, twice.json()["code"]) == (409, "already_reversed")
    # the project's figures over the API: goods used beside spent, the reversed use not counted
    use(staff, project, goods.fund, "300.30")
    row = manager.get(f"/projects/{project.pk}").json()
    assert (row["goods_used"], row["spent"]) == ("300.30", "0.00")
    listed = {r["id"]: r for r in manager.get("/projects").json()["items"]}
    assert listed[project.pk]["goods_used"] == "300.30" and listed[other.pk]["goods_used"] == "0.00"
    uses = manager.get(f"/projects/{project.pk}/goods-uses").json()
    assert [(u["amount"], u["status"]) for u in uses] == [("300.30", "recorded"), ("1200.25", "reversed")]
    # scope: another county, and a use asked for under another project, are the 404 of a missing id
    assert api(staff.other_county).post(url, {"reason": "x"}).status_code == 404
    assert (
        manager.post(f"/projects/{other.pk}/goods-uses/{wrong.pk}/reverse", {"reason": "x"}).status_code
        == 404
    )
    # the finance officer may record goods but not reverse them
    kept = ProjectGoodsUse.objects.get(amount=Decimal("300.30"))
    refused = api(staff.finance).post(f"/projects/{project.pk}/goods-uses/{kept.pk}/reverse", {"reason": "x"})
    assert refused.status_code == 403
    assert funds_services.in_kind_held(goods.fund) == Decimal("4700.20")
