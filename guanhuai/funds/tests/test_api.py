"""/api/v1/funds: scoped, role-checked, money as strings, bad input refused with nothing written, replays
posted once, and a public disclosure that never names a beneficiary."""

import datetime as dt
import functools
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from guanhuai.accounts.tests.factories import ApiClient
from guanhuai.api import api as ninja_api
from guanhuai.funds import selectors, services
from guanhuai.funds.models import (
    Allocation,
    ClosedPeriod,
    Disbursement,
    Donation,
    Donor,
    Fund,
    LedgerEntry,
    LedgerTransaction,
    Pledge,
    Receipt,
    SpecialRound,
)
from guanhuai.funds.tests.factories import allocate, donor, fund, give, purpose
from guanhuai.registry import services as registry
from guanhuai.registry.models import Person
from guanhuai.registry.tests.factories import family

DAY = dt.date(2025, 3, 10)


@pytest.fixture
def api():
    """api(user) -> a client of /api/v1/funds with a fresh token of that user."""
    return functools.partial(ApiClient, prefix="/api/v1/funds")


@pytest.fixture
def books(tree, money):
    """The provincial Birth Care Fund with 1000.50 from a named enterprise, and a restricted fund for
    bereaved families; nothing in 甲镇."""
    f = fund(money.manager, tree.province)
    restricted = fund(money.manager, tree.province, name="失独专项", restricted=True, purposes=["bereaved"])
    d = donor(money.manager, tree.province, credit_code="91110000600037341L")
    donation = give(money.finance, f, d, "1000.50", on=DAY)
    return f, restricted, d, donation


def counts():
    return (
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        Donation.objects.count(),
        Receipt.objects.count(),
        Allocation.objects.count(),
        Disbursement.objects.count(),
        Donor.objects.count(),
        Fund.objects.count(),
        ClosedPeriod.objects.count(),
    )


def donation_body(f, d, amount="200.00", **kw):
    return {
        "donor_id": d.pk,
        "fund_id": f.pk,
        "kind": "cash",
        "channel": "bank_transfer",
        "amount": amount,
        "received_on": DAY.isoformat(),
        **kw,
    }


def allocation_body(f, amount="300", **kw):
    return {
        "fund_id": f.pk,
        "purpose_code": "general",
        "target_kind": "project",
        "target_ref": "project:1",
        "name": "青春健康进校园",
        "amount": amount,
        **kw,
    }


def bereaved_head(actor, unit, address="1号"):
    h = family(actor, unit, address=address)
    child = Person.objects.get(household=h, relation_to_head="child")
    registry.death_record(actor=actor, person=child, occurred_on=dt.date(2020, 1, 1))
    return Person.objects.get(pk=h.head_id)


# --- authentication and the OpenAPI document ----------------------------------------------------------------


def test_no_credentials_is_401_json(db):
    response = Client().get("/api/v1/funds")
    assert response.status_code == 401
    assert "请先登录" in response.json()["message"]
    assert Client().post("/api/v1/funds/donations", {}, content_type="application/json").status_code == 401


def test_openapi_document_lists_funds_paths_with_their_codes(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = [
        "/api/v1/funds",
        "/api/v1/funds/{fund_id}",
        "/api/v1/funds/{fund_id}/statement",
        "/api/v1/funds/{fund_id}/series",
        "/api/v1/funds/{fund_id}/periods/close",
        "/api/v1/funds/donors",
        "/api/v1/funds/donors/{donor_id}",
        "/api/v1/funds/donors/{donor_id}/pledges",
        "/api/v1/funds/donations",
        "/api/v1/funds/donations/{donation_id}/reverse",
        "/api/v1/funds/receipts",
        "/api/v1/funds/receipts/gaps",
        "/api/v1/funds/receipts/{receipt_id}",
        "/api/v1/funds/receipts/{receipt_id}/void",
        "/api/v1/funds/receipts/{receipt_id}/reissue",
        "/api/v1/funds/allocations",
        "/api/v1/funds/allocations/{allocation_id}/close",
        "/api/v1/funds/allocations/{allocation_id}/disbursements",
        "/api/v1/funds/disbursements/{disbursement_id}/reverse",
        "/api/v1/funds/transfers",
        "/api/v1/funds/rounds",
        "/api/v1/funds/purposes",
        "/api/v1/funds/disclosure",
        "/api/v1/funds/reconcile",
    ]
    for path in expected:
        assert path in paths, path
        for method, operation in paths[path].items():
            codes = set(operation["responses"])
            if path != "/api/v1/funds/disclosure":
                assert "401" in codes, (path, codes)
            if method == "post":
                assert {"403", "404", "409", "422"} <= codes, (path, codes)
    assert {"200", "201"} <= set(paths["/api/v1/funds/donations"]["post"]["responses"])
    assert "security" not in paths["/api/v1/funds/disclosure"]["get"]
    header = paths["/api/v1/funds/donations"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in header)
    balances = response.json()["components"]["schemas"]["BalancesOut"]["properties"]["available"]
    assert balances["type"] == "string"


# --- reading: money as strings, scoping ---------------------------------------------------------------------


def test_funds_list_shows_balances_as_two_decimal_strings(api, books, money):
    f, restricted, _d, _donation = books
    response = api(money.auditor).get("")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.data["items"]}
    assert response.data["count"] == 2
    assert rows[f.pk]["balances"] == {
        "available": "1000.50",
        "allocated": "0.00",
        "money": "1000.50",
        "in_kind": "0.00",
    }
    assert [p["code"] for p in rows[restricted.pk]["allowed_purposes"]] == ["bereaved"]
    assert rows[restricted.pk]["restricted"] is True


def test_lists_are_a_fixed_number_of_queries(api, tree, money, django_assert_num_queries):
    d = donor(money.manager, tree.province)
    for i in range(6):
        f = fund(
            money.manager, tree.province, name=f"基金{i}", restricted=True, purposes=["general", "bereaved"]
        )
        give(money.finance, f, d, "10", on=DAY, purpose=purpose("general"))
        services.allocation_create(
            actor=money.manager,
            fund=f,
            purpose=purpose("general"),
            target_kind="project",
            target_ref=f"project:{i}",
            name=f"项目{i}",
            amount="4",
        )
    client = api(money.auditor)
    client.get("")  # the token's first use stamps last_used_at
    # token, roles, count, funds, their purposes, all balances in one grouped query
    with django_assert_num_queries(6):
        response = client.get("", limit=200)
    assert response.data["count"] == 6
    assert all(row["balances"]["available"] == "6.00" for row in response.data["items"])
    # token, roles, count, donations with donor/fund/purpose, their receipts
    with django_assert_num_queries(5):
        response = client.get("/donations", limit=200)
    assert response.data["count"] == 6 and all(row["receipts"] for row in response.data["items"])
    # token, roles, count, allocations with fund/purpose, all remaining budgets in one grouped query
    with django_assert_num_queries(5):
        response = client.get("/allocations", limit=200)
    assert response.data["count"] == 6 and all(row["remaining"] == "4.00" for row in response.data["items"])


def test_page_size_is_capped_at_200(api, books, money):
    assert api(money.auditor).get("", limit=201).status_code == 422
    assert api(money.auditor).get("/donations", limit=0).status_code == 422


def test_fund_detail_statement_and_series(api, books, money):
    f, _r, d, _donation = books
    recent = timezone.localdate() - dt.timedelta(days=3)
    give(money.finance, f, d, "99.50", on=recent)
    client = api(money.finance)
    detail = client.get(f"/{f.pk}")
    assert detail.status_code == 200
    assert detail.data["balances"]["available"] == "1100.00"
    assert detail.data["org_unit"]["name"] == "广东省"

    st = client.get(f"/{f.pk}/statement", start="2025-01-01", end="2025-12-31")
    assert st.status_code == 200
    assert st.data["opening"] == "0.00"
    assert st.data["cash_donations"] == "1000.50"
    assert st.data["closing"] == "1000.50"
    assert st.data["reconciled"] is True
    later = client.get(f"/{f.pk}/statement", start="2025-04-01", end=recent.isoformat())
    assert later.data["opening"] == "1000.50" and later.data["closing"] == "1100.00"
    assert later.data["cash_donations"] == "99.50"

    bad = client.get(f"/{f.pk}/statement", start="2025-12-31", end="2025-01-01")
    assert bad.status_code == 422 and "开始日期不能晚于结束日期" in bad.data["message"]

    series = client.get(f"/{f.pk}/series")
    assert series.status_code == 200
    assert len(series.data) == 12
    assert series.data[-1]["month"] == f"{timezone.localdate():%Y-%m}"
    assert sum(Decimal(m["income"]) for m in series.data) == Decimal("99.50")
    assert all(isinstance(m["income"], str) and isinstance(m["spending"], str) for m in series.data)


@pytest.mark.parametrize("today", [dt.date(2026, 11, 29), dt.date(2026, 3, 31), dt.date(2026, 1, 1)])
def test_the_series_is_always_twelve_months_ending_this_month(books, today):
    f = books[0]
    months = [row["month"] for row in selectors.monthly_series(f, months=12, today=today)]
    assert len(months) == 12 and len(set(months)) == 12
    assert months[-1] == f"{today:%Y-%m}"
    assert months[0] == {29: "2025-12", 31: "2025-04", 1: "2025-02"}[today.day]


def test_township_finance_officer_gets_404_on_the_provincial_fund(api, books, money, tree):
    f, _r, d, donation = books
    client = api(money.town_finance)
    assert client.get("").data["count"] == 0
    for path in [f"/{f.pk}", f"/{f.pk}/statement", f"/{f.pk}/series", f"/donors/{d.pk}"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.data["message"] == "未找到该记录，或您无权访问。"
    assert client.get(f"/receipts/{donation.receipts.get().pk}").status_code == 404
    assert client.get("/donations").data["count"] == 0
    assert client.post(f"/{f.pk}/periods/close", {"period": "2025-03"}).status_code == 404
    assert client.post(f"/receipts/{donation.receipts.get().pk}/void", {"reason": "错"}).status_code == 404
    # Their own township's fund and donors are theirs; naming the provincial fund in the body is a 422
    # about that input, worded like a missing one.
    town_fund = fund(money.manager, tree.town_a, name="甲镇关怀金")
    town_donor = donor(money.town_finance, tree.town_a, name="甲镇某商户")
    assert client.get(f"/{town_fund.pk}").status_code == 200
    before = counts()
    response = client.post("/donations", donation_body(f, town_donor))
    assert response.status_code == 422
    assert response.data == {
        "code": "unknown_fund",
        "message": f"指定的基金（编号 {f.pk}）不存在，或您无权操作。",
    }
    assert counts() == before
    assert client.post("/donations", donation_body(town_fund, town_donor)).status_code == 201


# --- roles ---------------------------------------------------------------------------------------------------


def test_finance_officer_records_donations_but_cannot_allocate(api, books, money):
    f, _r, d, _donation = books
    client = api(money.finance)
    response = client.post("/donations", donation_body(f, d, "200.00"))
    assert response.status_code == 201, response.data
    assert response.data["amount"] == "200.00"
    assert response.data["receipts"][0]["number"].startswith("440000-")
    before = counts()
    response = client.post("/allocations", allocation_body(f))
    assert response.status_code == 403
    assert "没有“设立基金、分配资金、审批支出、转账”权限" in response.data["message"]
    assert counts() == before


def test_fund_manager_allocates_and_finance_officer_disburses(api, books, money, tree, people):
    f, _r, _d, _donation = books
    manager, finance = api(money.manager), api(money.finance)
    created = manager.post("/allocations", allocation_body(f, "300"))
    assert created.status_code == 201, created.data
    assert created.data["remaining"] == "300.00" and created.data["status"] == "active"
    alloc_id = created.data["id"]
    head = family(people.clerk_a, tree.village_a).head
    paid = finance.post(
        f"/allocations/{alloc_id}/disbursements",
        {"amount": "120.00", "paid_on": "2025-04-01", "person_id": head.pk},
    )
    assert paid.status_code == 201, paid.data
    assert paid.data["person"] == {"id": head.pk, "name": "王建国"}
    listed = finance.get(f"/allocations/{alloc_id}/disbursements")
    assert listed.data["count"] == 1 and listed.data["items"][0]["amount"] == "120.00"
    allocations = finance.get("/allocations", fund_id=f.pk)
    assert allocations.data["items"][0]["remaining"] == "180.00"
    # Reversal and closing are the fund manager's.
    assert finance.post(f"/disbursements/{paid.data['id']}/reverse", {"reason": "错付"}).status_code == 403
    reversed_ = manager.post(f"/disbursements/{paid.data['id']}/reverse", {"reason": "错付"})
    assert reversed_.status_code == 200 and reversed_.data["reversed"] is True
    closed = manager.post(f"/allocations/{alloc_id}/close")
    assert (
        closed.status_code == 200 and closed.data["status"] == "closed" and closed.data["remaining"] == "0.00"
    )
    assert manager.get(f"/{f.pk}").data["balances"]["available"] == "1000.50"
    again = manager.post(f"/allocations/{alloc_id}/close")
    assert again.status_code == 409 and again.data["message"] == "该分配已结束。"
    assert selectors.reconcile().ok


def test_auditor_reads_everything(api, books, money, tree):
    f, _r, d, donation = books
    receipt = donation.receipts.get()
    alloc = allocate(money.manager, f, "100", name="项目")
    client = api(money.auditor)
    for path, params in [
        ("", {}),
        (f"/{f.pk}", {}),
        (f"/{f.pk}/statement", {"start": "2025-01-01", "end": "2025-12-31"}),
        (f"/{f.pk}/series", {}),
        ("/donors", {}),
        (f"/donors/{d.pk}", {}),
        ("/donations", {"fund_id": f.pk}),
        ("/receipts", {"year": receipt.year}),
        (f"/receipts/{receipt.pk}", {}),
        ("/receipts/gaps", {"unit_id": tree.province.pk, "year": receipt.year}),
        ("/allocations", {}),
        (f"/allocations/{alloc.pk}/disbursements", {}),
        ("/purposes", {}),
        ("/reconcile", {}),
    ]:
        response = client.get(path, **params)
        assert response.status_code == 200, (path, response.data)
    assert client.get("/reconcile").data == {
        "ok": True,
        "transactions": 2,
        "entries": 4,
        "problems": [],
    }


def test_auditor_cannot_write_anything_and_nothing_is_written(api, books, money, tree, people):
    f, restricted, d, donation = books
    receipt = donation.receipts.get()
    alloc = allocate(money.manager, f, "100", name="项目")
    paid, _created = services.disbursement_record(
        actor=money.finance, allocation=alloc, amount="10", paid_on=DAY, payee="某学校"
    )
    head = bereaved_head(people.clerk_a, tree.village_a)
    client = api(money.auditor)
    before = counts()
    posts = [
        ("", {"org_unit_id": tree.province.pk, "name": "新基金", "founded_on": "2025-01-01"}),
        (f"/{f.pk}/periods/close", {"period": "2025-03"}),
        ("/donors", {"org_unit_id": tree.province.pk, "kind": "person", "name": "张三"}),
        (f"/donors/{d.pk}/pledges", {"fund_id": f.pk, "amount": "100", "starts_on": "2025-01-01"}),
        ("/donations", donation_body(f, d)),
        (f"/donations/{donation.pk}/reverse", {"reason": "错"}),
        (f"/receipts/{receipt.pk}/void", {"reason": "错"}),
        (f"/receipts/{receipt.pk}/reissue", {"reason": "遗失"}),
        ("/allocations", allocation_body(f, "10")),
        (f"/allocations/{alloc.pk}/close", {}),
        (f"/allocations/{alloc.pk}/disbursements", {"amount": "1", "paid_on": "2025-04-01", "payee": "x"}),
        (f"/disbursements/{paid.pk}/reverse", {"reason": "错"}),
        (
            "/transfers",
            {"from_fund_id": f.pk, "to_fund_id": restricted.pk, "amount": "1", "posted_on": "2025-04-01"},
        ),
        (
            "/rounds",
            {
                "fund_id": f.pk,
                "name": "第一轮",
                "purpose_code": "bereaved",
                "amount_each": "100",
                "person_ids": [head.pk],
                "paid_on": "2025-05-01",
                "idempotency_key": "r1",
            },
        ),
    ]
    for path, body in posts:
        response = client.post(path, body)
        assert response.status_code == 403, (path, response.status_code, response.data)
        assert response.data["code"] == "permission_denied"
        assert "没有" in response.data["message"] and "权限" in response.data["message"]
    assert counts() == before
    assert Pledge.objects.count() == 0 and SpecialRound.objects.count() == 0
    assert Receipt.objects.get(pk=receipt.pk).status == "issued"


def test_finance_officer_cannot_run_the_ledger_check(api, books, money):
    response = api(money.finance).get("/reconcile")
    assert response.status_code == 403
    assert response.data["message"] == "只有省级基金管理员或审计员可以核对总账。"
    assert api(money.manager).get("/reconcile").data["ok"] is True


AMOUNT_CHARS = "金额只能由半角数字和最多一个小数点组成，如 1234.50（不能有全角数字、下划线、逗号或货币符号）"


# --- bad input: a precise Chinese message, nothing written -----------------------------------------------------


@pytest.mark.parametrize(
    ("raw_amount", "code", "message"),
    [
        ('"0"', "amount_not_positive", "金额必须大于零"),
        ("0", "amount_not_positive", "金额必须大于零"),
        ('"-1"', "amount_not_positive", "金额必须大于零"),
        ("-1", "amount_not_positive", "金额必须大于零"),
        ('"12.345"', "amount_precision", "金额最多两位小数（精确到分）"),
        ("12.345", "amount_precision", "金额最多两位小数（精确到分）"),
        ('"abc"', "amount_format", AMOUNT_CHARS),
        ('"１２３"', "amount_format", AMOUNT_CHARS),
        ('"1_000"', "amount_format", AMOUNT_CHARS),
        ('"1,000"', "amount_format", AMOUNT_CHARS),
        ('"1e2"', "amount_exponent", "金额不能用科学计数法（如 1e2），请写成 100"),
        ('"1e30"', "amount_exponent", "金额不能用科学计数法（如 1e2），请写成 100"),
        ("1e30", "amount_exponent", "金额不能用科学计数法（如 1e2），请写成 100"),
        ('" 100"', "amount_spaces", "金额前后不能有空格"),
        ('"100 "', "amount_spaces", "金额前后不能有空格"),
        ('"100."', "amount_format", "金额不能以小数点结尾（如 100.），请写成 100 或 100.00"),
        ('".5"', "amount_format", "金额须以数字开头（如 .5 应写成 0.5）"),
        ('"' + "9" * 27 + '"', "amount_too_large", "金额不能超过 999999999999.99"),
        ("9" * 27, "amount_too_large", "金额不能超过 999999999999.99"),
        ('"1000000000000"', "amount_too_large", "金额不能超过 999999999999.99"),
    ],
)
def test_bad_amounts_are_a_precise_422_and_nothing_is_written(api, books, money, raw_amount, code, message):
    f, _r, d, _donation = books
    before = counts()
    body = json.dumps(donation_body(f, d, amount="AMOUNT"), ensure_ascii=False).replace(
        '"AMOUNT"', raw_amount
    )
    response = api(money.finance).post_raw("/donations", body)
    assert response.status_code == 422
    assert (response.data["code"], response.data["message"]) == (code, message)
    assert counts() == before


def test_a_bad_amount_is_422_even_for_a_user_who_may_not_record_donations(api, books, money):
    # "1e30" used to crash (500) in the service before its permission check.
    f, _r, d, _donation = books
    body = json.dumps(donation_body(f, d, amount="AMOUNT")).replace('"AMOUNT"', '"1e30"')
    assert api(money.auditor).post_raw("/donations", body).status_code == 422


@pytest.mark.parametrize(
    ("raw_amount", "stored"), [("123", "123.00"), ("123.4", "123.40"), ("123.45", "123.45")]
)
def test_an_amount_may_be_a_string_or_a_number_with_up_to_two_decimals(api, books, money, raw_amount, stored):
    f, _r, d, _donation = books
    for raw in (raw_amount, f'"{raw_amount}"'):
        body = json.dumps(donation_body(f, d, amount="AMOUNT")).replace('"AMOUNT"', raw)
        response = api(money.finance).post_raw("/donations", body)
        assert response.status_code == 201, response.data
        assert response.data["amount"] == stored
        assert Donation.objects.get(pk=response.data["id"]).amount == Decimal(stored)


def test_the_maximum_amount_is_configured(api, books, money, settings):
    settings.GUANHUAI_MAX_AMOUNT = "5000"
    f, _r, d, _donation = books
    response = api(money.finance).post("/donations", donation_body(f, d, amount="5000.01"))
    assert (response.status_code, response.data["message"]) == (422, "金额不能超过 5000.00")
    assert api(money.finance).post("/donations", donation_body(f, d, amount="5000")).status_code == 201


def test_a_donation_dated_before_2000_is_refused(api, books, money):
    f, _r, d, _donation = books
    before = counts()
    body = {**donation_body(f, d, amount="10"), "received_on": "1900-01-01"}
    response = api(money.finance).post("/donations", body)
    assert (response.status_code, response.data["code"]) == (422, "date_range")
    assert response.data["message"] == "日期须在 2000-01-01 至 2099-12-31 之间"
    assert counts() == before


def test_an_amount_of_the_wrong_type_is_422(api, books, money):
    f, _r, d, _donation = books
    before = counts()
    for amount in [True, None, [1]]:
        response = api(money.finance).post("/donations", donation_body(f, d, amount=amount))
        assert response.status_code == 422, amount
        assert response.data["code"] == "amount_type"
    assert counts() == before


def test_an_invalid_credit_code_is_422_and_no_donor_is_written(api, tree, money):
    before = Donor.objects.count()
    response = api(money.finance).post(
        "/donors",
        {
            "org_unit_id": tree.province.pk,
            "kind": "organisation",
            "name": "某公司",
            "credit_code": "91350203M0001QAY9B",
        },
    )
    assert response.status_code == 422
    assert "统一社会信用代码" in response.data["message"]
    assert Donor.objects.count() == before
    ok = api(money.finance).post(
        "/donors",
        {
            "org_unit_id": tree.province.pk,
            "kind": "organisation",
            "name": "某公司",
            "credit_code": "91110000600037341L",
            "phone": "13812345678",
            "public_name": "named",
        },
    )
    assert ok.status_code == 201, ok.data
    assert ok.data["credit_code"] == "91110000600037341L"
    assert ok.data["phone_masked"] != "13812345678" and "13812345678" not in json.dumps(ok.data)
    assert ok.data["display_name"] == "某公司"
    dup = api(money.finance).post(
        "/donors",
        {
            "org_unit_id": tree.province.pk,
            "kind": "organisation",
            "name": "另一家",
            "credit_code": "91110000600037341L",
        },
    )
    assert dup.status_code == 409 and "已登记" in dup.data["message"]


def test_a_restricted_fund_refuses_a_purpose_it_does_not_allow(api, books, money):
    _f, restricted, d, _donation = books
    before = counts()
    client = api(money.finance)
    response = client.post("/donations", donation_body(restricted, d, purpose_code="youth_health"))
    assert response.status_code == 422
    assert response.data["code"] == "purpose_not_allowed"
    assert response.data["message"] == "“失独专项”是限定用途基金，只能用于失独家庭帮扶，不能用于“青春健康”。"
    missing = client.post("/donations", donation_body(restricted, d))
    assert missing.status_code == 422 and missing.data["code"] == "purpose_required"
    unknown = client.post("/donations", donation_body(restricted, d, purpose_code="no_such"))
    assert unknown.status_code == 422 and unknown.data["message"] == "用途“no_such”不存在。"
    assert counts() == before
    ok = client.post("/donations", donation_body(restricted, d, purpose_code="bereaved"))
    assert ok.status_code == 201 and ok.data["purpose"]["code"] == "bereaved"


def test_a_disbursement_beyond_the_allocation_is_409_and_nothing_is_written(api, books, money):
    f, _r, _d, _donation = books
    alloc = allocate(money.manager, f, "300")
    client = api(money.finance)
    ok = client.post(
        f"/allocations/{alloc.pk}/disbursements",
        {"amount": "200", "paid_on": "2025-04-01", "payee": "某学校"},
    )
    assert ok.status_code == 201
    before = counts()
    over = client.post(
        f"/allocations/{alloc.pk}/disbursements",
        {"amount": "200", "paid_on": "2025-04-01", "payee": "某学校"},
    )
    assert over.status_code == 409
    assert over.data == {
        "code": "insufficient_funds",
        "message": "“青春健康进校园”的分配余额不足：还差 ¥100.00。",
    }
    assert counts() == before
    # Allocating more than the fund has available is refused the same way.
    too_much = api(money.manager).post("/allocations", allocation_body(f, "5000"))
    assert too_much.status_code == 409 and too_much.data["code"] == "insufficient_funds"
    assert "可用资金不足" in too_much.data["message"]
    assert counts() == before


def test_posting_into_a_closed_period_is_409_and_nothing_is_written(api, books, money):
    f, _r, d, _donation = books
    closed = api(money.manager).post(f"/{f.pk}/periods/close", {"period": "2025-03"})
    assert closed.status_code == 200 and closed.data["period"] == "2025-03"
    before = counts()
    response = api(money.finance).post("/donations", donation_body(f, d, received_on="2025-03-20"))
    assert response.status_code == 409
    assert response.data == {
        "code": "period_closed",
        "message": "“生育关怀基金”的 2025-03 已结账，不能再记入 2025-03-20 的账目。",
    }
    assert counts() == before
    twice = api(money.manager).post(f"/{f.pk}/periods/close", {"period": "2025-03"})
    assert twice.status_code == 409 and "已结账" in twice.data["message"]
    bad = api(money.manager).post(f"/{f.pk}/periods/close", {"period": "2025/03"})
    assert bad.status_code == 422 and bad.data["message"] == "会计期间格式应为 YYYY-MM。"
    assert counts() == before


def test_voiding_a_receipt_twice_is_409_and_the_gap_report_lists_it(api, books, money, tree):
    _f, _r, _d, donation = books
    receipt = donation.receipts.get()
    client = api(money.finance)
    no_reason = client.post(f"/receipts/{receipt.pk}/void", {"reason": "  "})
    assert no_reason.status_code == 422 and no_reason.data["message"] == "作废收据必须填写原因。"
    voided = client.post(f"/receipts/{receipt.pk}/void", {"reason": "金额写错"})
    assert voided.status_code == 200
    assert voided.data["status"] == "voided" and voided.data["status_label"] == "已作废"
    again = client.post(f"/receipts/{receipt.pk}/void", {"reason": "再作废"})
    assert again.status_code == 409
    assert again.data["code"] == "already_voided"
    assert again.data["message"] == (
        f"收据 {receipt.number} 已于 {timezone.localdate()} 作废，不能再次作废。"
    )
    assert Receipt.objects.get(pk=receipt.pk).void_reason == "金额写错"

    reissued = client.post(f"/receipts/{receipt.pk}/reissue", {"reason": "补开"})
    assert reissued.status_code == 201
    assert reissued.data["duplicate_of"]["number"] == receipt.number
    assert reissued.data["seq"] == receipt.seq + 1 and reissued.data["status"] == "issued"

    gaps = client.get("/receipts/gaps", unit_id=tree.province.pk, year=receipt.year)
    assert gaps.status_code == 200
    assert gaps.data["gaps"] == [
        {"seq": receipt.seq, "number": receipt.number, "status": "voided", "reason": "金额写错"}
    ]
    outside = api(money.town_finance).get("/receipts/gaps", unit_id=tree.province.pk, year=receipt.year)
    assert outside.status_code == 422 and outside.data["code"] == "unknown_unit"


# --- replays ---------------------------------------------------------------------------------------------------


def test_a_replayed_donation_is_recorded_once(api, books, money):
    f, _r, d, _donation = books
    client = api(money.finance)
    first = client.post("/donations", donation_body(f, d, "500"), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    before = counts()
    replay = client.post("/donations", donation_body(f, d, "500"), headers={"Idempotency-Key": "k-1"})
    assert replay.status_code == 200
    assert replay.data["id"] == first.data["id"]
    assert replay.data["receipts"] == first.data["receipts"]
    assert counts() == before
    assert client.get(f"/{f.pk}").data["balances"]["available"] == "1500.50"

    # The key may come in the body; a different key is a different gift.
    by_body = client.post("/donations", donation_body(f, d, "500", idempotency_key="k-1"))
    assert by_body.status_code == 200 and by_body.data["id"] == first.data["id"]
    other = client.post("/donations", donation_body(f, d, "500"), headers={"Idempotency-Key": "k-2"})
    assert other.status_code == 201 and other.data["id"] != first.data["id"]

    # The same key for a different gift is refused, not silently answered with the old one.
    before = counts()
    clash = client.post("/donations", donation_body(f, d, "800"), headers={"Idempotency-Key": "k-1"})
    assert clash.status_code == 409 and clash.data["code"] == "idempotency_mismatch"
    assert counts() == before

    # Keys belong to their user: another officer's "k-1" is another donation.
    colleague = api(money.manager).post(
        "/donations", donation_body(f, d, "500"), headers={"Idempotency-Key": "k-1"}
    )
    assert colleague.status_code == 201 and colleague.data["id"] != first.data["id"]
    assert selectors.reconcile().ok


def test_a_special_round_is_created_once(api, tree, people, money):
    f = fund(money.manager, tree.province, name="失独专项", restricted=True, purposes=["bereaved"])
    partner = donor(money.manager, tree.province, name="香港某同胞会")
    give(money.finance, f, partner, "10000", purpose=purpose("bereaved"), on=DAY)
    heads = [bereaved_head(people.clerk_a, tree.village_a, f"{i}号") for i in range(3)]
    body = {
        "fund_id": f.pk,
        "name": "第一轮",
        "purpose_code": "bereaved",
        "amount_each": "3000",
        "person_ids": [h.pk for h in heads],
        "paid_on": "2025-05-01",
        "partner_id": partner.pk,
        "idempotency_key": "round-1",
    }
    client = api(money.manager)
    first = client.post("/rounds", body)
    assert first.status_code == 201, first.data
    assert first.data["families"] == 3 and first.data["total"] == "9000.00"
    assert first.data["partner"] == {"id": partner.pk, "name": "香港某同胞会"}
    before = counts()
    replay = client.post("/rounds", body)
    assert replay.status_code == 200 and replay.data["id"] == first.data["id"]
    assert counts() == before
    assert client.get(f"/{f.pk}").data["balances"]["available"] == "1000.00"

    over = client.post("/rounds", {**body, "idempotency_key": "round-2"})
    assert over.status_code == 409 and over.data["code"] == "insufficient_funds"
    dup = client.post("/rounds", {**body, "person_ids": [heads[0].pk, heads[0].pk], "idempotency_key": "r3"})
    assert dup.status_code == 422 and dup.data["message"] == "名单中有重复的家庭。"
    unknown = client.post("/rounds", {**body, "person_ids": [heads[0].pk, 999999], "idempotency_key": "r4"})
    assert unknown.status_code == 422 and "999999" in unknown.data["message"]
    assert counts() == before

    # The same key with another amount is not this round.
    other = client.post("/rounds", {**body, "amount_each": "2000"})
    assert (other.status_code, other.data["code"]) == (409, "idempotency_mismatch")
    assert counts() == before


def test_the_same_key_with_another_body_is_409_on_every_money_endpoint(api, books, money, tree):
    f, _restricted, _d, _donation = books
    other_fund = fund(money.manager, tree.province, name="青春健康基金")
    client = api(money.manager)
    first = client.post("/allocations", allocation_body(f, "300"), headers={"Idempotency-Key": "a-1"})
    assert first.status_code == 201, first.data
    paid = client.post(
        f"/allocations/{first.data['id']}/disbursements",
        {"amount": "100", "paid_on": DAY.isoformat(), "payee": "某户"},
        headers={"Idempotency-Key": "d-1"},
    )
    assert paid.status_code == 201, paid.data
    transfer = {
        "from_fund_id": f.pk,
        "to_fund_id": other_fund.pk,
        "amount": "50",
        "posted_on": DAY.isoformat(),
    }
    moved = client.post("/transfers", transfer, headers={"Idempotency-Key": "t-1"})
    assert moved.status_code == 201, moved.data
    before = counts()
    clashes = [
        client.post("/allocations", allocation_body(f, "301"), headers={"Idempotency-Key": "a-1"}),
        client.post(
            f"/allocations/{first.data['id']}/disbursements",
            {"amount": "99", "paid_on": DAY.isoformat(), "payee": "某户"},
            headers={"Idempotency-Key": "d-1"},
        ),
        client.post("/transfers", {**transfer, "amount": "51"}, headers={"Idempotency-Key": "t-1"}),
        # the other direction is another transfer, whatever the amount
        client.post(
            "/transfers",
            {**transfer, "from_fund_id": other_fund.pk, "to_fund_id": f.pk},
            headers={"Idempotency-Key": "t-1"},
        ),
    ]
    assert [(r.status_code, r.data["code"]) for r in clashes] == [(409, "idempotency_mismatch")] * 4
    assert counts() == before
    # An identical replay still answers 200 with the first result.
    again = client.post("/allocations", allocation_body(f, "300"), headers={"Idempotency-Key": "a-1"})
    assert (again.status_code, again.data["id"]) == (200, first.data["id"])


def test_header_and_body_keys_that_disagree_are_refused(api, books, money):
    f, _r, d, _donation = books
    before = counts()
    response = api(money.finance).post(
        "/donations", donation_body(f, d, "500", idempotency_key="k-1"), headers={"Idempotency-Key": "k-2"}
    )
    assert (response.status_code, response.data["code"]) == (422, "idempotency_key_conflict")
    assert counts() == before


def test_an_idempotency_key_over_64_characters_is_422_and_the_limit_is_in_the_schema(api, books, money):
    f, _r, d, _donation = books
    long_key = "k" * 65
    by_body = api(money.finance).post("/donations", donation_body(f, d, "500", idempotency_key=long_key))
    by_header = api(money.finance).post(
        "/donations", donation_body(f, d, "500"), headers={"Idempotency-Key": long_key}
    )
    assert by_body.status_code == 422 and by_header.status_code == 422
    document = ninja_api.get_openapi_schema()
    operation = document["paths"]["/api/v1/funds/donations"]["post"]
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["schema"].get("maxLength") == 64 or any(
        option.get("maxLength") == 64 for option in header["schema"].get("anyOf", [])
    )
    body = document["components"]["schemas"]["DonationIn"]["properties"]["idempotency_key"]
    assert any(option.get("maxLength") == 64 for option in body.get("anyOf", [body]))


# --- the public disclosure -----------------------------------------------------------------------------------


def test_disclosure_is_public_and_never_names_a_beneficiary(api, tree, people, money):
    f = fund(money.manager, tree.province)
    named = donor(money.manager, tree.province, name="爱心企业甲", public_name="named")
    shy = donor(money.manager, tree.province, name="不愿具名的王先生", kind="person", public_name="anonymous")
    give(money.finance, f, named, "5000", on=DAY)
    give(money.finance, f, shy, "300", on=DAY)
    head = bereaved_head(people.clerk_a, tree.village_a)
    alloc, _created = services.allocation_create(
        actor=money.manager,
        fund=f,
        purpose=purpose("bereaved"),
        target_kind="round",
        target_ref="round:x",
        name="失独帮扶",
        amount="3000",
    )
    services.disbursement_record(
        actor=money.finance, allocation=alloc, amount="3000", paid_on=DAY, person=head
    )

    response = Client().get(
        "/api/v1/funds/disclosure", {"unit_id": tree.province.pk, "start": "2025-01-01", "end": "2025-12-31"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["raised"] == "5300.00"
    assert data["spent_by_purpose"] == {"失独家庭帮扶": "3000.00"}
    assert data["named_donors"] == [{"name": "爱心企业甲", "amount": "5000.00"}]
    assert data["anonymous"] == {"name": "爱心人士", "amount": "300.00", "gifts": 1}
    text = response.content.decode()
    for secret in [head.name, "王建国", "李秀英", "王小明", "不愿具名的王先生", head.id_masked, "person"]:
        assert secret not in text, secret

    # Below the province a township sees only its own funds; an unknown unit is a 404.
    town = Client().get(
        "/api/v1/funds/disclosure", {"unit_id": tree.town_a.pk, "start": "2025-01-01", "end": "2025-12-31"}
    )
    assert town.status_code == 200 and town.json()["raised"] == "0.00"
    missing = Client().get("/api/v1/funds/disclosure", {"unit_id": 999999})
    assert missing.status_code == 404 and missing.json()["message"] == "未找到该组织。"
    backwards = Client().get(
        "/api/v1/funds/disclosure", {"unit_id": tree.province.pk, "start": "2025-12-31", "end": "2025-01-01"}
    )
    assert backwards.status_code == 422


# --- the rest of the surface -----------------------------------------------------------------------------------


def test_create_a_fund_then_a_donor_a_pledge_an_in_kind_gift_and_a_donor_statement(api, tree, money):
    manager, finance = api(money.manager), api(money.finance)
    created = manager.post(
        "",
        {
            "org_unit_id": tree.province.pk,
            "name": "伤残家庭专项",
            "founded_on": "2024-01-01",
            "restricted": True,
            "allowed_purposes": ["disabled_child"],
        },
    )
    assert created.status_code == 201, created.data
    assert created.data["balances"]["money"] == "0.00"
    fund_id = created.data["id"]
    no_purposes = manager.post(
        "", {"org_unit_id": tree.province.pk, "name": "空", "founded_on": "2024-01-01", "restricted": True}
    )
    assert (
        no_purposes.status_code == 422
        and no_purposes.data["message"] == "限定用途基金必须至少选择一项允许的用途。"
    )
    same_name = manager.post(
        "", {"org_unit_id": tree.province.pk, "name": "伤残家庭专项", "founded_on": "2024-01-01"}
    )
    assert same_name.status_code == 409
    assert (
        api(money.finance)
        .post("", {"org_unit_id": tree.province.pk, "name": "财务设的", "founded_on": "2024-01-01"})
        .status_code
        == 403
    )

    donor_ = finance.post("/donors", {"org_unit_id": tree.province.pk, "kind": "person", "name": "陈女士"})
    assert donor_.status_code == 201 and donor_.data["display_name"] == "爱心人士"
    donor_id = donor_.data["id"]
    pledge = finance.post(
        f"/donors/{donor_id}/pledges",
        {"fund_id": fund_id, "amount": 100, "schedule": "monthly", "starts_on": "2025-01-01"},
    )
    assert pledge.status_code == 201, pledge.data
    assert pledge.data["amount"] == "100.00" and pledge.data["received"] == "0.00"
    fund_ = Fund.objects.get(pk=fund_id)
    gift = finance.post(
        "/donations",
        donation_body(
            fund_, Donor(pk=donor_id), "100", purpose_code="disabled_child", pledge_id=pledge.data["id"]
        ),
    )
    assert gift.status_code == 201, gift.data
    goods = finance.post(
        "/donations",
        {
            "donor_id": donor_id,
            "fund_id": fund_id,
            "kind": "in_kind",
            "amount": "2400.00",
            "items": "轮椅",
            "quantity": "4台",
            "valuation_basis": "发票价",
            "purpose_code": "disabled_child",
            "received_on": DAY.isoformat(),
        },
    )
    assert goods.status_code == 201, goods.data
    no_basis = finance.post(
        "/donations",
        {
            "donor_id": donor_id,
            "fund_id": fund_id,
            "kind": "in_kind",
            "amount": "10",
            "items": "米",
            "purpose_code": "disabled_child",
            "received_on": DAY.isoformat(),
        },
    )
    assert no_basis.status_code == 422 and no_basis.data["message"] == "物资捐赠必须填写物资名称和估值依据。"

    statement = finance.get(f"/donors/{donor_id}")
    assert statement.status_code == 200
    assert statement.data["total_cash"] == "100.00" and statement.data["total_in_kind"] == "2400.00"
    assert [d["kind"] for d in statement.data["donations"]] == ["cash", "in_kind"]
    assert statement.data["pledges"][0]["received"] == "100.00"
    balances = finance.get(f"/{fund_id}").data["balances"]
    assert balances == {"available": "100.00", "allocated": "0.00", "money": "100.00", "in_kind": "2400.00"}
    assert [p["code"] for p in finance.get("/purposes").data][:2] == ["bereaved", "childcare"]


def test_reversing_a_donation_voids_its_receipt_and_is_the_fund_managers(api, books, money):
    _f, _r, _d, donation = books
    assert (
        api(money.finance).post(f"/donations/{donation.pk}/reverse", {"reason": "重复登记"}).status_code
        == 403
    )
    response = api(money.manager).post(f"/donations/{donation.pk}/reverse", {"reason": "重复登记"})
    assert response.status_code == 200
    assert response.data["reversed"] is True
    assert response.data["receipts"][0]["status"] == "voided"
    again = api(money.manager).post(f"/donations/{donation.pk}/reverse", {"reason": "重复登记"})
    assert again.status_code == 409 and again.data["message"] == "这笔捐赠已冲销。"
    assert selectors.reconcile().ok


def test_transfers_between_funds(api, books, money, tree):
    f, restricted, _d, _donation = books
    other = fund(money.manager, tree.province, name="青春健康基金")
    client = api(money.manager)
    moved = client.post(
        "/transfers",
        {"from_fund_id": f.pk, "to_fund_id": other.pk, "amount": "400.25", "posted_on": "2025-04-01"},
        headers={"Idempotency-Key": "t-1"},
    )
    assert moved.status_code == 201, moved.data
    assert moved.data["amount"] == "400.25" and moved.data["to_fund_id"] == other.pk
    before = counts()
    replay = client.post(
        "/transfers",
        {"from_fund_id": f.pk, "to_fund_id": other.pk, "amount": "400.25", "posted_on": "2025-04-01"},
        headers={"Idempotency-Key": "t-1"},
    )
    assert replay.status_code == 200 and replay.data["id"] == moved.data["id"]
    assert counts() == before
    assert client.get(f"/{other.pk}").data["balances"]["available"] == "400.25"
    too_much = client.post(
        "/transfers",
        {"from_fund_id": f.pk, "to_fund_id": other.pk, "amount": "9999", "posted_on": "2025-04-01"},
    )
    assert too_much.status_code == 409 and too_much.data["code"] == "insufficient_funds"
    assert counts() == before
    assert selectors.reconcile().ok


def test_the_ledger_check_is_only_for_the_top_of_the_tree(api, books, tree):
    # given a city auditor and a county fund manager: their scope is part of the province's books
    from guanhuai.accounts.tests.factories import user_with_role

    city_auditor = user_with_role("auditor", tree.city, username="city_auditor")
    county_manager = user_with_role("fund_manager", tree.county, username="county_jijin")
    province_auditor = user_with_role("auditor", tree.province, username="province_auditor")

    for user in (city_auditor, county_manager):
        response = api(user).get("/reconcile")
        # then they get no counts and no problem lines naming other branches' funds
        assert response.status_code == 403, user
        assert "transactions" not in response.data
    assert api(province_auditor).get("/reconcile").data["ok"] is True
