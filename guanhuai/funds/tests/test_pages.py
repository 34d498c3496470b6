"""The funds staff pages, as a finance officer, a fund manager, an auditor and a township officer use them:
scoping (404, not in lists), roles (buttons hidden, 403), every bad input refused with its Chinese message
and nothing written, a double submit recorded once, and the dashboard's chart and statement figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from guanhuai.funds import selectors, services
from guanhuai.funds.models import (
    Allocation,
    ClosedPeriod,
    Disbursement,
    Donation,
    Donor,
    LedgerTransaction,
    Receipt,
)
from guanhuai.funds.tests.factories import allocate, donor, fund, give, purpose
from guanhuai.registry.tests.factories import bereaved_heads

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1
ON = dt.date(LAST_YEAR, 3, 10)  # an open, past day


@pytest.fixture
def books(tree, money):
    """A provincial fund with ¥1,000, a fund of 甲镇 with ¥200, and a donor at each level."""
    province_fund = fund(money.manager, tree.province, name="生育关怀基金")
    town_fund = fund(money.manager, tree.town_a, name="甲镇关怀基金")
    big_donor = donor(money.manager, tree.province, name="爱心企业", credit_code="91110000600037341L")
    town_donor = donor(money.town_finance, tree.town_a, name="张先生", kind="person")
    gift = give(money.finance, province_fund, big_donor, "1000", on=ON)
    give(money.town_finance, town_fund, town_donor, "200", on=ON)
    return province_fund, town_fund, big_donor, town_donor, gift


def donation_post(fund_, donor_, *, amount="500", key="k1", **extra):
    data = {
        "idempotency_key": key,
        "donor": donor_.pk,
        "fund": fund_.pk,
        "kind": "cash",
        "amount": amount,
        "channel": "wechat",
        "received_on": ON.isoformat(),
        "purpose": "",
        "pledge": "",
    }
    data.update(extra)
    return data


def test_navigation_has_the_funds_entry(client, books, money, tree):
    client.force_login(money.finance)
    assert "基金捐赠" in client.get(reverse("funds:dashboard")).content.decode()


def test_dashboard_lists_the_actors_funds_with_balances(client, books, money):
    client.force_login(money.finance)
    html = client.get(reverse("funds:dashboard")).content.decode()
    assert "生育关怀基金" in html and "甲镇关怀基金" in html
    assert "¥1,000.00" in html and "¥200.00" in html
    assert 'data-total="available">¥1,200.00' in html


def test_a_township_finance_officer_never_sees_the_provincial_fund(client, books, money):
    province_fund, town_fund, big_donor, _, gift = books
    receipt = gift.receipts.get()
    client.force_login(money.town_finance)

    # not in the lists…
    html = client.get(reverse("funds:dashboard")).content.decode()
    assert "甲镇关怀基金" in html and "生育关怀基金" not in html
    assert "爱心企业" not in client.get(reverse("funds:donors")).content.decode()
    assert (
        receipt.number not in client.get(reverse("funds:receipts"), {"year": receipt.year}).content.decode()
    )
    form_html = client.get(reverse("funds:donation_create")).content.decode()
    assert "生育关怀基金" not in form_html and "爱心企业" not in form_html

    # …and every page of it is a 404, like a missing one
    for url in [
        reverse("funds:fund", args=[province_fund.pk]),
        reverse("funds:statement", args=[province_fund.pk]),
        reverse("funds:donations", args=[province_fund.pk]),
        reverse("funds:donation", args=[gift.pk]),
        reverse("funds:receipt", args=[receipt.pk]),
        reverse("funds:donor", args=[big_donor.pk]),
        reverse("funds:fund", args=[999999]),
    ]:
        assert client.get(url).status_code == 404, url

    # a forged POST naming the provincial fund is refused and writes nothing
    before = LedgerTransaction.objects.count()
    response = client.post(reverse("funds:donation_create"), donation_post(province_fund, big_donor))
    assert response.status_code == 200
    assert LedgerTransaction.objects.count() == before


def test_the_gap_report_only_offers_the_actors_own_branches(client, books, money):
    client.force_login(money.town_finance)
    html = client.get(reverse("funds:receipt_gaps")).content.decode()
    assert "甲镇" in html and "广东省" not in html
    province_unit = books[0].org_unit
    html = client.get(reverse("funds:receipt_gaps"), {"unit": province_unit.pk}).content.decode()
    assert "广东省" not in html


# --- roles ---------------------------------------------------------------------------------------------


def test_a_finance_officer_records_but_cannot_allocate(client, books, money):
    province_fund = books[0]
    client.force_login(money.finance)
    html = client.get(reverse("funds:fund", args=[province_fund.pk])).content.decode()
    assert "登记捐赠" in html
    assert 'data-action="allocate"' not in html and "分配资金" not in html
    url = reverse("funds:allocation_create", args=[province_fund.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "idempotency_key": "x",
            "name": "偷偷分配",
            "purpose": purpose("general").pk,
            "target_kind": "project",
            "target_ref": "p1",
            "amount": "100",
            "posted_on": ON.isoformat(),
        },
    )
    assert response.status_code == 403
    assert Allocation.objects.count() == 0
    assert client.get(reverse("funds:transfer", args=[province_fund.pk])).status_code == 403
    assert client.get(reverse("funds:round_create", args=[province_fund.pk])).status_code == 403


def test_a_fund_manager_sees_the_allocate_button(client, books, money):
    client.force_login(money.manager)
    html = client.get(reverse("funds:fund", args=[books[0].pk])).content.decode()
    assert 'data-action="allocate"' in html


def test_an_auditor_reads_only(client, books, money):
    province_fund, _, _, _, gift = books
    receipt = gift.receipts.get()
    client.force_login(money.auditor)
    assert client.get(reverse("funds:dashboard")).status_code == 200
    html = client.get(reverse("funds:fund", args=[province_fund.pk])).content.decode()
    assert "¥1,000.00" in html
    assert "登记捐赠" not in html and "分配资金" not in html and "月末结账" not in html
    assert client.get(reverse("funds:statement", args=[province_fund.pk])).status_code == 200
    assert client.get(reverse("funds:donation_create")).status_code == 404
    receipt_html = client.get(reverse("funds:receipt", args=[receipt.pk])).content.decode()
    assert "作废收据" not in receipt_html
    assert client.post(reverse("funds:receipt_void", args=[receipt.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("funds:donation_reverse", args=[gift.pk]), {"reason": "x"}).status_code == 403
    receipt.refresh_from_db()
    assert receipt.status == "issued"


# --- recording a donation --------------------------------------------------------------------------------


def test_recording_a_donation_shows_its_receipt_number_and_a_print_link(client, books, money):
    province_fund, _, big_donor, _, _ = books
    client.force_login(money.finance)
    form = client.get(reverse("funds:donation_create"), {"fund": province_fund.pk}).content.decode()
    assert 'name="idempotency_key"' in form
    response = client.post(
        reverse("funds:donation_create"), donation_post(province_fund, big_donor), follow=True
    )
    donation = Donation.objects.latest("pk")
    receipt = donation.receipts.get()
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("funds:donation", args=[donation.pk])
    assert receipt.number in html and "打印收据" in html
    assert f"已登记捐赠，收据编号 {receipt.number}。" in html
    assert selectors.balances(province_fund).available == Decimal("1500.00")


def test_a_double_submit_records_once(client, books, money):
    province_fund, _, big_donor, _, _ = books
    client.force_login(money.finance)
    before = (Donation.objects.count(), Receipt.objects.count(), LedgerTransaction.objects.count())
    first = client.post(reverse("funds:donation_create"), donation_post(province_fund, big_donor, key="same"))
    second = client.post(
        reverse("funds:donation_create"), donation_post(province_fund, big_donor, key="same")
    )
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    after = (Donation.objects.count(), Receipt.objects.count(), LedgerTransaction.objects.count())
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_an_in_kind_donation_needs_items_and_a_valuation_basis(client, books, money):
    province_fund, _, big_donor, _, _ = books
    client.force_login(money.finance)
    data = donation_post(province_fund, big_donor, kind="in_kind", channel="")
    html = client.post(reverse("funds:donation_create"), data).content.decode()
    assert "物资捐赠必须填写物资名称和估值依据。" in html
    data.update(items="大米", quantity="30袋", valuation_basis="市场价")
    assert client.post(reverse("funds:donation_create"), data).status_code == 302
    assert selectors.balances(province_fund).in_kind == Decimal("500.00")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "捐赠金额必须大于零。"),
        ("-5", "捐赠金额必须大于零。"),
        ("12.345", "捐赠金额 12.345 超过两位小数：金额精确到分。"),
        ("abc", "不是有效的数字"),
    ],
)
def test_bad_amounts_are_refused_with_a_message_and_nothing_is_written(client, books, money, amount, message):
    province_fund, _, big_donor, _, _ = books
    client.force_login(money.finance)
    before = (Donation.objects.count(), Receipt.objects.count(), LedgerTransaction.objects.count())
    response = client.post(
        reverse("funds:donation_create"), donation_post(province_fund, big_donor, amount=amount)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Donation.objects.count(), Receipt.objects.count(), LedgerTransaction.objects.count()) == before


def test_a_restricted_fund_refuses_a_purpose_it_does_not_allow(client, tree, books, money):
    restricted = fund(
        money.manager, tree.province, name="失独帮扶专项", restricted=True, purposes=["bereaved"]
    )
    client.force_login(money.finance)
    data = donation_post(restricted, books[2], purpose=purpose("youth_health").pk)
    html = client.post(reverse("funds:donation_create"), data).content.decode()
    assert "只能用于失独家庭帮扶，不能用于“青春健康”" in html
    assert not Donation.objects.filter(fund=restricted).exists()

    give(money.finance, restricted, books[2], "500", purpose=purpose("bereaved"), on=ON)
    client.force_login(money.manager)
    response = client.post(
        reverse("funds:allocation_create", args=[restricted.pk]),
        {
            "idempotency_key": "a1",
            "name": "综合",
            "purpose": purpose("general").pk,
            "target_kind": "project",
            "target_ref": "p1",
            "amount": "100",
            "posted_on": ON.isoformat(),
        },
    )
    assert "只能用于失独家庭帮扶" in response.content.decode()
    assert Allocation.objects.count() == 0


def test_a_future_received_date_is_refused(client, books, money):
    province_fund, _, big_donor, _, _ = books
    client.force_login(money.finance)
    data = donation_post(province_fund, big_donor, received_on=(TODAY + dt.timedelta(days=3)).isoformat())
    assert "收到日期不能晚于今天。" in client.post(reverse("funds:donation_create"), data).content.decode()


def test_posting_into_a_closed_period_is_refused(client, books, money):
    province_fund, _, big_donor, _, _ = books
    client.force_login(money.finance)
    response = client.post(
        reverse("funds:period_close", args=[province_fund.pk]), {"period": f"{LAST_YEAR}-03"}
    )
    assert response.status_code == 302
    assert ClosedPeriod.objects.filter(fund=province_fund, period=f"{LAST_YEAR}-03").exists()
    before = Donation.objects.count()
    data = donation_post(province_fund, big_donor, received_on=dt.date(LAST_YEAR, 3, 20).isoformat())
    html = client.post(reverse("funds:donation_create"), data).content.decode()
    assert f"的 {LAST_YEAR}-03 已结账，不能再记入" in html
    assert Donation.objects.count() == before
    # closing the same month again is refused too, and the page says so
    html = client.post(
        reverse("funds:period_close", args=[province_fund.pk]), {"period": f"{LAST_YEAR}-03"}
    ).content.decode()
    assert "已结账" in html
    fund_html = client.get(reverse("funds:fund", args=[province_fund.pk])).content.decode()
    assert f"{LAST_YEAR}-03" in fund_html


def test_a_reversal_needs_a_manager_and_voids_the_receipt(client, books, money):
    province_fund, _, _, _, gift = books
    client.force_login(money.manager)
    url = reverse("funds:donation_reverse", args=[gift.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    gift.refresh_from_db()
    assert not gift.reversed
    assert client.post(url, {"reason": "重复登记"}).status_code == 302
    gift.refresh_from_db()
    assert gift.reversed and gift.receipts.get().status == "voided"
    assert selectors.balances(province_fund).available == 0
    html = client.post(url, {"reason": "again"}).content.decode()
    assert "这笔捐赠已冲销。" in html


# --- donors -------------------------------------------------------------------------------------------


def test_an_invalid_credit_code_is_refused_with_a_message(client, tree, money):
    client.force_login(money.finance)
    data = {
        "kind": "organisation",
        "name": "某公司",
        "credit_code": "91350203M0001QAY9B",
        "public_name": "named",
        "org_unit": tree.province.pk,
    }
    html = client.post(reverse("funds:donor_create"), data).content.decode()
    assert "统一社会信用代码校验位错误" in html
    assert not Donor.objects.exists()
    data["credit_code"] = "91110000600037341L"
    response = client.post(reverse("funds:donor_create"), data)
    assert response.status_code == 302
    assert Donor.objects.get().credit_code == "91110000600037341L"


def test_donor_search_and_statement_with_pledge_against_received(client, books, money):
    province_fund, _, big_donor, _, _ = books
    client.force_login(money.finance)
    assert "爱心企业" in client.get(reverse("funds:donors"), {"q": "爱心"}).content.decode()
    assert "爱心企业" not in client.get(reverse("funds:donors"), {"q": "没有这个"}).content.decode()
    response = client.post(
        reverse("funds:pledge_create", args=[big_donor.pk]),
        {"fund": province_fund.pk, "amount": "300", "schedule": "monthly", "starts_on": ON.isoformat()},
    )
    assert response.status_code == 302
    pledge = big_donor.pledges.get()
    # the donation form offers the donor's pledge, and a gift against it shows as received
    form = client.get(reverse("funds:donation_create"), {"donor": big_donor.pk}).content.decode()
    assert "对应认捐" in form
    client.post(
        reverse("funds:donation_create"),
        donation_post(province_fund, big_donor, amount="300", key="p1", pledge=pledge.pk),
    )
    html = client.get(reverse("funds:donor", args=[big_donor.pk])).content.decode()
    assert f'data-pledge-received="{pledge.pk}">¥300.00' in html
    assert 'data-total="cash">¥1,300.00' in html


# --- receipts -------------------------------------------------------------------------------------------


def test_void_twice_is_refused_and_a_reissue_links_to_the_original(client, books, money):
    receipt = books[4].receipts.get()
    client.force_login(money.finance)
    url = reverse("funds:receipt_void", args=[receipt.pk])
    assert client.post(url, {"reason": " "}).status_code == 200
    receipt.refresh_from_db()
    assert receipt.status == "issued"
    assert client.post(url, {"reason": "填写错误", "confirm": "on"}).status_code == 302
    html = client.post(url, {"reason": "再次", "confirm": "on"}).content.decode()
    assert f"收据 {receipt.number} 已于" in html and "不能再次作废" in html
    receipt.refresh_from_db()
    assert receipt.void_reason == "填写错误"

    response = client.post(
        reverse("funds:receipt_reissue", args=[receipt.pk]), {"reason": "原件遗失"}, follow=True
    )
    new = Receipt.objects.get(duplicate_of=receipt)
    html = response.content.decode()
    assert new.number in html and "补开" in html
    # submitting the re-issue again does not put a second valid receipt on the gift
    again = client.post(reverse("funds:receipt_reissue", args=[receipt.pk]), {"reason": "原件遗失"})
    assert f"这笔捐赠已有有效收据 {new.number}，不能再补开。" in again.content.decode()
    assert receipt.donation.receipts.filter(status="issued").count() == 1
    assert f'href="{reverse("funds:receipt", args=[receipt.pk])}" data-original' in html

    gaps = client.get(reverse("funds:receipt_gaps"), {"year": receipt.year, "unit": receipt.org_unit_id})
    gap_html = gaps.content.decode()
    assert receipt.number in gap_html and "填写错误" in gap_html and 'data-gap-count="1"' in gap_html


def test_voiding_a_receipt_states_the_consequence_and_needs_it_ticked(client, books, money):
    receipt = books[4].receipts.get()
    client.force_login(money.finance)
    detail = client.get(reverse("funds:receipt", args=[receipt.pk])).content.decode()
    url = reverse("funds:receipt_void", args=[receipt.pk])

    unticked = client.post(url, {"reason": "金额写错"})

    # the consequence is on the receipt page's void form, before anything is posted
    assert "作废后该捐赠仍计入基金；如需冲销，请由基金管理员操作" in detail
    assert 'type="checkbox" name="confirm"' in detail
    # posted without the tick: the page comes back saying so, and the receipt is still valid
    assert unticked.status_code == 200
    assert "请先阅读并勾选上面的确认。" in unticked.content.decode()
    receipt.refresh_from_db()
    assert receipt.status == "issued"


# --- allocations, disbursements, transfers, rounds ------------------------------------------------------------


def test_allocation_and_disbursement_refuse_an_overdraw(client, tree, people, books, money):
    province_fund = books[0]
    client.force_login(money.manager)
    data = {
        "idempotency_key": "al1",
        "name": "青春健康进校园",
        "purpose": purpose("general").pk,
        "target_kind": "project",
        "target_ref": "p1",
        "amount": "5000",
        "posted_on": ON.isoformat(),
    }
    url = reverse("funds:allocation_create", args=[province_fund.pk])
    assert "可用资金不足：还差 ¥4,000.00" in client.post(url, data).content.decode()
    assert Allocation.objects.count() == 0
    data["amount"] = "300"
    assert client.post(url, data).status_code == 302
    allocation = Allocation.objects.get()
    assert client.post(url, data).status_code == 302 and Allocation.objects.count() == 1  # same key: once

    client.force_login(money.finance)
    disburse = reverse("funds:disbursement_create", args=[allocation.pk])
    pay = {"idempotency_key": "d1", "payee": "某学校", "amount": "400", "paid_on": ON.isoformat()}
    html = client.post(disburse, pay).content.decode()
    assert "分配余额不足：还差 ¥100.00" in html
    assert not Disbursement.objects.exists()
    pay["amount"] = "250"
    assert client.post(disburse, pay).status_code == 302
    html = client.get(reverse("funds:fund", args=[province_fund.pk])).content.decode()
    assert f'data-remaining="{allocation.pk}">¥50.00' in html

    # a person named by ID number must be in scope
    pay.update(idempotency_key="d2", payee="", id_number="11010519491231002X", amount="10")
    assert (
        "在您的管辖范围内没有找到身份证号为 11010519491231002X 的人员"
        in client.post(disburse, pay).content.decode()
    )

    client.force_login(money.manager)
    assert client.post(reverse("funds:allocation_close", args=[allocation.pk])).status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == "closed"
    assert selectors.balances(province_fund).available == Decimal("750.00")


def test_a_transfer_between_funds(client, tree, books, money):
    province_fund, town_fund = books[0], books[1]
    client.force_login(money.manager)
    response = client.post(
        reverse("funds:transfer", args=[province_fund.pk]),
        {"idempotency_key": "t1", "to_fund": town_fund.pk, "amount": "100", "posted_on": ON.isoformat()},
    )
    assert response.status_code == 302
    assert selectors.balances(town_fund).available == Decimal("300.00")
    html = client.get(
        reverse("funds:statement", args=[town_fund.pk]),
        {"start": f"{LAST_YEAR}-01-01", "end": f"{LAST_YEAR}-12-31"},
    ).content.decode()
    assert 'data-line="transfers_in">¥100.00' in html


def test_a_special_round_previews_then_pays_each_family_once(client, tree, people, money):
    f = fund(money.manager, tree.province, name="失独专项", restricted=True, purposes=["bereaved"])
    partner = donor(money.manager, tree.province, name="香港某同胞会")
    give(money.finance, f, partner, "10000", purpose=purpose("bereaved"), on=ON)
    heads = bereaved_heads(people.approver, tree.village_a, 3)
    client.force_login(money.manager)
    url = reverse("funds:round_create", args=[f.pk])
    data = {
        "idempotency_key": "r1",
        "name": "第一轮",
        "purpose": purpose("bereaved").pk,
        "partner": partner.pk,
        "amount_each": "3000",
        "paid_on": TODAY.isoformat(),
        "source": "ids",
        "id_numbers": "\n".join(h.id_number for h in heads) + "\n\n",
        "unit_code": "",
        "special_status": "bereaved",
        "action": "preview",
    }
    html = client.post(url, data).content.decode()
    assert "共 3 户，合计 ¥9,000.00" in html
    assert not Disbursement.objects.exists()

    # the same list, chosen as "every bereaved family in 甲村"
    by_unit = {**data, "source": "unit", "id_numbers": "", "unit_code": tree.village_a.code}
    assert "共 3 户，合计 ¥9,000.00" in client.post(url, by_unit).content.decode()

    data["action"] = "create"
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # double click: the same round
    assert Disbursement.objects.count() == 3
    assert selectors.balances(f).available == Decimal("1000.00")

    # a bad line is reported by its line number, and nothing is paid
    bad = {**data, "idempotency_key": "r2", "id_numbers": f"{heads[0].id_number}\n12345"}
    html = client.post(url, bad).content.decode()
    assert "第2行" in html
    assert Disbursement.objects.count() == 3


# --- the chart and the statement ----------------------------------------------------------------------------


def test_the_fund_page_draws_the_twelve_month_chart_with_its_figures(client, tree, money):
    f = fund(money.manager, tree.province)
    d = donor(money.manager, tree.province)
    give(money.finance, f, d, "1234.50", on=TODAY)
    allocation = allocate(money.manager, f, "400", name="帮扶", target_ref="p", posted_on=TODAY)
    services.disbursement_record(
        actor=money.finance, allocation=allocation, amount="234.50", paid_on=TODAY, payee="某户"
    )
    client.force_login(money.finance)
    html = client.get(reverse("funds:fund", args=[f.pk])).content.decode()
    month = f"{TODAY:%Y-%m}"
    assert "<svg" in html and 'data-chart="monthly"' in html
    assert html.count("<g data-month=") == 12
    assert f'<g data-month="{month}">' in html
    assert f"{month} 收入 ¥1,234.50" in html and f"{month} 支出 ¥234.50" in html
    # the same figures in the table below the chart
    assert (
        f'<th scope="row" class="fw-normal">{month}</th><td class="text-end">¥1,234.50</td><td class="text-end">¥234.50</td>'
        in html
    )
    # the tallest bar fills the plot: no bar has a negative or absurd height
    assert 'height="-' not in html


def test_the_statement_defaults_to_the_current_year_and_is_reconciled(client, tree, money):
    f = fund(money.manager, tree.province)
    d = donor(money.manager, tree.province)
    give(money.finance, f, d, "1000", on=dt.date(LAST_YEAR, 12, 1))
    give(money.finance, f, d, "500", on=TODAY)
    client.force_login(money.finance)
    html = client.get(reverse("funds:statement", args=[f.pk])).content.decode()
    assert f"{TODAY.year}-01-01 — {TODAY.year}-12-31" in html
    assert 'data-line="opening">¥1,000.00' in html
    assert 'data-line="cash_donations">¥500.00' in html
    assert 'data-line="closing">¥1,500.00' in html
    assert "已与账目核对一致" in html
    bad = client.get(reverse("funds:statement", args=[f.pk]), {"start": "2025-12-01", "end": "2025-01-01"})
    assert "开始日期不能晚于结束日期。" in bad.content.decode()


def test_creating_a_restricted_fund_needs_a_purpose(client, tree, money):
    client.force_login(money.manager)
    data = {"name": "专项", "org_unit": tree.city.pk, "restricted": "on", "founded_on": ON.isoformat()}
    html = client.post(reverse("funds:fund_create"), data).content.decode()
    assert "限定用途基金必须至少选择一项允许的用途。" in html
    data["allowed_purposes"] = [purpose("bereaved").pk]
    assert client.post(reverse("funds:fund_create"), data).status_code == 302
    created = selectors.fund_list(actor=money.manager).get(name="专项")
    assert created.restricted and created.org_unit == tree.city
    # a finance officer cannot open the page at all
    client.force_login(money.finance)
    assert client.get(reverse("funds:fund_create")).status_code == 404


def test_a_special_round_shows_a_bad_amount_beside_the_amount_per_family(client, tree, people, money):
    f = fund(money.manager, tree.province, name="失独专项", restricted=True, purposes=["bereaved"])
    heads = bereaved_heads(people.approver, tree.village_a, 1)
    client.force_login(money.manager)
    data = {
        "idempotency_key": "r1",
        "name": "第一轮",
        "purpose": purpose("bereaved").pk,
        "amount_each": "30.005",
        "paid_on": TODAY.isoformat(),
        "source": "ids",
        "id_numbers": heads[0].id_number,
        "special_status": "bereaved",
        "action": "preview",
    }
    response = client.post(reverse("funds:round_create", args=[f.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["amount_each"]
    assert "30.005" in response.content.decode()
