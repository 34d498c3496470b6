"""A donor is shared, but the donor's gifts are scoped by the receiving fund's branch: an officer of 甲镇
who may see a 甲镇 donor never sees what that donor gave to the province's fund, on the donor page, in the
API, in the statement workbook or in the donors list's gift count."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guanhuai.funds.tests.factories import donor, fund, give

DAY = dt.date(2025, 3, 10)


@pytest.fixture
def shared_donor(tree, money):
    province_fund = fund(money.manager, tree.province, name="生育关怀基金")
    town_fund = fund(money.manager, tree.town_a, name="甲镇关怀基金")
    d = donor(money.town_finance, tree.town_a, name="张先生", kind="person")
    province_gift = give(money.finance, province_fund, d, "777.00", on=DAY)
    town_gift = give(money.town_finance, town_fund, d, "200.00", on=DAY)
    return d, province_gift, town_gift


def test_the_donor_page_shows_only_the_gifts_to_funds_in_scope(client, shared_donor, money):
    d, province_gift, town_gift = shared_donor
    province_receipt = province_gift.receipts.get().number

    client.force_login(money.town_finance)
    html = client.get(reverse("funds:donor", args=[d.pk])).content.decode()

    assert town_gift.receipts.get().number in html
    assert province_receipt not in html
    assert "777" not in html
    assert 'data-total="cash">¥200.00' in html

    client.force_login(money.finance)
    html = client.get(reverse("funds:donor", args=[d.pk])).content.decode()
    assert province_receipt in html
    assert 'data-total="cash">¥977.00' in html


def test_the_donors_list_counts_only_gifts_in_scope(client, shared_donor, money):
    client.force_login(money.town_finance)
    html = client.get(reverse("funds:donors")).content.decode()
    row = html[html.index("张先生") :]
    assert '<td class="text-end">1</td>' in row[: row.index("</tr>")]

    client.force_login(money.finance)
    html = client.get(reverse("funds:donors")).content.decode()
    row = html[html.index("张先生") :]
    assert '<td class="text-end">2</td>' in row[: row.index("</tr>")]


def test_the_api_statement_and_list_show_only_gifts_in_scope(client, shared_donor, money):
    d, province_gift, town_gift = shared_donor
    client.force_login(money.town_finance)

    body = client.get(f"/api/v1/funds/donors/{d.pk}").json()
    listed = client.get("/api/v1/funds/donors").json()

    assert [g["id"] for g in body["donations"]] == [town_gift.pk]
    assert province_gift.receipts.get().number not in str(body)
    items = listed["items"] if isinstance(listed, dict) else listed
    assert [x["gifts"] for x in items if x["id"] == d.pk] == [1]


def test_the_statement_workbook_shows_only_gifts_in_scope(client, shared_donor, money):
    d, province_gift, town_gift = shared_donor
    client.force_login(money.town_finance)

    response = client.get(reverse("funds_io:donor_statement_xlsx", args=[d.pk]))

    assert response.status_code == 200
    cells = [
        str(v)
        for r in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
        for v in r
    ]
    assert town_gift.receipts.get().number in cells
    assert province_gift.receipts.get().number not in cells
    assert not any("777" in c for c in cells)


def test_a_pledge_to_another_branchs_fund_is_neither_on_the_statement_nor_in_the_donation_form(
    client, shared_donor, money, tree
):
    from guanhuai.funds import services
    from guanhuai.funds.models import Fund

    d, _province_gift, _town_gift = shared_donor
    province_fund = Fund.objects.get(org_unit=tree.province)
    pledge = services.pledge_create(
        actor=money.finance, donor=d, fund=province_fund, amount="5432", schedule="monthly", starts_on=DAY
    )
    client.force_login(money.town_finance)

    page = client.get(reverse("funds:donor", args=[d.pk])).content.decode()
    form = client.get(reverse("funds:donation_create"), {"donor": d.pk}).context["form"]

    assert "5,432" not in page and "5432" not in page
    assert pledge not in form.fields["pledge"].queryset
