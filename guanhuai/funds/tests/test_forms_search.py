"""The funds forms on a phone: the donor is found by name, pinyin or credit code and a new one registered
inline; the branch field offers only the user's branches and searches them; required fields are marked;
the receipt names the officer, not the login."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.core.forms import SearchSelect
from guanhuai.funds import documents
from guanhuai.funds.forms import DonorForm
from guanhuai.funds.models import Donor
from guanhuai.funds.tests.factories import donor, fund, give
from guanhuai.orgs.models import OrgUnit


@pytest.fixture
def donors(tree, money):
    return {
        "company": donor(money.manager, tree.province, name="爱心企业", credit_code="91110000600037341L"),
        "wang": donor(money.manager, tree.province, name="王秀英", kind="person"),
        "zhang": donor(money.town_finance, tree.town_a, name="张先生", kind="person"),
    }


def options(html: str) -> list[str]:
    return [label for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', html)]


def pick(client, user, q: str) -> str:
    client.force_login(user)
    return client.get(reverse("funds:donor_pick"), {"q": q}).content.decode()


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("王秀", ["王秀英（个人）"]),
        ("wangxiuying", ["王秀英（个人）"]),
        ("wxy", ["王秀英（个人）"]),
        ("wangxy", ["王秀英（个人）"]),
        ("9111", ["爱心企业（91110000600037341L）"]),
        ("91110000600037341l", ["爱心企业（91110000600037341L）"]),
        ("aixin", ["爱心企业（91110000600037341L）"]),
        ("zhao", []),
    ],
)
def test_the_donor_field_finds_a_donor_by_name_pinyin_or_credit_code(client, donors, money, q, found):
    assert options(pick(client, money.finance, q)) == found


def test_the_only_match_is_chosen_and_the_count_heads_the_list(client, donors, money):
    html = pick(client, money.finance, "wxy")
    assert "找到 1 个“wxy”，请选择" in html
    assert f'<option value="{donors["wang"].pk}" selected>' in html
    assert "没有找到“zhao”" in pick(client, money.finance, "zhao")


def test_the_donor_search_is_scoped_like_the_form(client, tree, donors):
    # a 乙镇 finance officer sees neither the province's donors nor 甲镇's
    town_b = user_with_role("finance_officer", tree.town_b, username="yi_caiwu")
    assert options(pick(client, town_b, "zhang")) == []
    assert options(pick(client, town_b, "")) == []


def test_a_new_donor_is_registered_inline_and_chosen(client, tree, money):
    client.force_login(money.finance)
    r = client.post(
        reverse("funds:donor_inline"),
        {
            "donor": "",
            "new_donor-kind": "person",
            "new_donor-name": "李春花",
            "new_donor-credit_code": "",
            "new_donor-phone": "",
            "new_donor-org_unit": tree.province.pk,
            "new_donor-public_name": "anonymous",
        },
    )
    assert r.status_code == 200
    new = Donor.objects.get(name="李春花")
    html = r.content.decode()
    assert re.search(rf'<option value="{new.pk}"[^>]*selected', html)
    assert (new.name_pinyin, new.name_initials) == ("lichunhua", "lch")


def test_an_inline_donor_with_a_bad_credit_code_is_refused_beside_the_field_and_nothing_is_saved(
    client, tree, money
):
    client.force_login(money.finance)
    r = client.post(
        reverse("funds:donor_inline"),
        {
            "new_donor-kind": "organisation",
            "new_donor-name": "某某公司",
            "new_donor-credit_code": "91350203M0001QAY9B",
            "new_donor-org_unit": tree.province.pk,
            "new_donor-public_name": "named",
        },
    )
    html = r.content.decode()
    assert "<details" in html and " open" in html.split("<details", 1)[1].split(">", 1)[0]
    assert "统一社会信用代码" in html and "invalid-feedback" in html
    assert not Donor.objects.filter(name="某某公司").exists()


def test_the_donation_page_marks_the_gift_channel_as_required(client, donors, money, tree):
    fund(money.manager, tree.province)
    client.force_login(money.finance)
    html = client.get(reverse("funds:donation_create")).content.decode()
    label = html.split('for="id_channel"', 1)[1].split("</label>", 1)[0]
    assert "捐赠方式" in label and 'class="text-danger"' in label and "*" in label
    assert "新捐赠人" in html


def test_the_branch_field_offers_only_the_users_branches_and_searches_them(client, tree, money, donors):
    # 甲镇's finance officer registers donors at 甲镇 only
    client.force_login(money.town_finance)
    html = client.get(reverse("funds:donor_create")).content.decode()
    field = html.split('name="org_unit"', 1)[1].split("</select>", 1)[0]
    assert "甲镇" in field and "广东省" not in field and "乙镇" not in field

    pick_url = reverse("orgs:unit_pick")
    params = {"perm": "funds.record_donations", "level": "township", "q": "镇"}
    found = client.get(pick_url, params).content.decode()
    assert options(found) == ["甲镇（440224100000）"]
    client.force_login(money.finance)
    found = client.get(pick_url, params).content.decode()
    assert options(found) == ["甲镇（440224100000）", "乙镇（440224101000）"]
    assert client.get(pick_url, {"perm": "no.such_permission", "q": "镇"}).status_code == 404


def test_a_long_branch_list_gets_a_search_box_and_keeps_the_chosen_branch(tree, money):
    form = DonorForm(units=OrgUnit.objects.none(), initial={"org_unit": tree.town_b.pk})
    field = form.fields["org_unit"]
    field.for_actor(money.finance)
    widget = field.widget
    assert isinstance(widget, SearchSelect)
    widget.limit = 2  # the province, the city, ...: more than two branches
    html = str(form["org_unit"])
    assert 'type="search"' in html and 'hx-get="/orgs/pick/?perm=funds.record_donations' in html
    # the empty choice, the chosen 乙镇 (further down the tree) and the first two
    assert html.count("<option") == 4
    assert "乙镇" in html
    widget.limit = 30
    assert 'type="search"' not in str(form["org_unit"])  # a short list is a plain dropdown


def test_the_receipt_names_the_officer_not_the_login(tree, money, donors):
    money.finance.name = "陈丽华"
    money.finance.save(update_fields=["name"])
    f = fund(money.manager, tree.province)
    receipt = give(money.finance, f, donors["company"], "3280").receipts.get()

    c = documents.receipt_content(receipt)

    assert c.issued_by == "陈丽华"
    assert documents.receipt_pdf(receipt).startswith(b"%PDF")


def test_a_receipt_by_an_officer_without_a_name_leaves_the_line_to_sign(tree, money, donors):
    money.finance.name = ""
    money.finance.save(update_fields=["name"])
    f = fund(money.manager, tree.province)
    receipt = give(money.finance, f, donors["company"], "3280").receipts.get()
    assert documents.receipt_content(receipt).issued_by == ""
