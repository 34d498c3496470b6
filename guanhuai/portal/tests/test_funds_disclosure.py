"""The funds disclosure and the annual report on the portal: every figure comes from the funds' disclosure
selector (raised, spent per purpose, donors by their own choice, special rounds as "N 户 × 3,000 元") and
the programmes' notice counts; no beneficiary appears. The annual report is also drafted as an article by
the command line, with the same figures, and goes through the workflow."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.funds import services as fund_services
from guanhuai.funds.tests.factories import donor, fund, give, purpose
from guanhuai.portal.models import Article
from guanhuai.portal.tests.factories import ColumnFactory, SiteFactory
from guanhuai.registry.tests.factories import bereaved_heads

TODAY = timezone.localdate()


@pytest.fixture
def books(tree, people):
    """This year at the province: a named company gives 100,000, a donor who asked to stay anonymous gives
    2,000, a partner (named) gives 9,000 for a round that pays three bereaved families 3,000 each."""
    manager = user_with_role("fund_manager", tree.province, username="jijin")
    finance = user_with_role("finance_officer", tree.province, username="caiwu")
    care = fund(manager, tree.province, name="生育关怀基金")
    special = fund(manager, tree.province, name="失独专项", restricted=True, purposes=["bereaved"])
    give(finance, care, donor(manager, tree.province, name="韶关某实业有限公司"), "100000", on=TODAY)
    give(
        finance,
        care,
        donor(manager, tree.province, name="陈某某", kind="person", public_name="anonymous"),
        "2000",
        on=TODAY,
    )
    partner = donor(manager, tree.province, name="广府人海外联谊会")
    give(finance, special, partner, "9000", on=TODAY, purpose=purpose("bereaved"))
    heads = bereaved_heads(people.approver, tree.village_a, 3)
    fund_services.special_round_create(
        actor=manager,
        fund=special,
        name="失独家庭救助第一轮",
        purpose=purpose("bereaved"),
        amount_each="3000",
        persons=heads,
        paid_on=TODAY,
        idempotency_key="round-1",
        partner=partner,
    )
    site = SiteFactory(unit=tree.province, name="广东省计划生育协会", slug="gd")
    column = ColumnFactory(site=site, name="通知公告", slug="tzgg")
    return heads, site, column


def test_the_funds_page_shows_raised_spent_donors_and_rounds(client, books):
    heads, _site, _column = books

    html = client.get(reverse("portal:funds", kwargs={"site": "gd"})).content.decode()

    assert "¥111,000.00" in html  # raised: 100,000 + 2,000 + 9,000
    assert "韶关某实业有限公司" in html and "¥100,000.00" in html
    assert "陈某某" not in html and "爱心人士（1 笔）" in html
    assert "失独家庭救助第一轮" in html and "3 户 × ¥3,000.00" in html and "¥9,000.00" in html
    assert "广府人海外联谊会" in html
    assert "¥9,000.00" in html.split('id="spent"')[1][:80]  # spent in all
    for head in heads:
        assert head.name not in html and head.name[0] + "*" not in html


def test_a_past_year_shows_its_own_figures(client, books):
    html = client.get(
        reverse("portal:funds", kwargs={"site": "gd"}), {"year": TODAY.year - 1}
    ).content.decode()

    assert "本期没有收到捐赠" in html and "本期没有专项救助" in html


def test_the_funds_of_a_county_site_leave_out_the_province(client, books, tree):
    SiteFactory(unit=tree.county, slug="renhua")

    html = client.get(reverse("portal:funds", kwargs={"site": "renhua"})).content.decode()

    assert "韶关某实业有限公司" not in html and "本期没有专项救助" in html


def test_the_funds_page_in_traditional(client, books):
    html = client.get(reverse("portal:hant_funds", kwargs={"site": "gd"})).content.decode()

    assert "募集合計" in html and "失獨家庭救助第一輪" in html


def test_the_annual_report_page_reads_its_figures_from_the_selectors(client, books):
    html = client.get(
        reverse("portal:annual_report", kwargs={"site": "gd", "year": TODAY.year})
    ).content.decode()

    assert "共募集资金和物资 ¥111,000.00" in html
    assert "3 户 × ¥3,000.00，共 ¥9,000.00" in html
    assert "发布扶助对象公示 0 次" in html
    assert client.get(reverse("portal:annual_report", kwargs={"site": "gd", "year": 1999})).status_code == 404


def test_the_command_drafts_the_annual_report_as_an_article_for_review(books, tree):
    _heads, site, column = books
    editor = user_with_role("portal_editor", tree.province, username="bianji")
    out = StringIO()

    call_command(
        "portal", "annual-report", "--site", "gd", "--year", str(TODAY.year), "--column", "tzgg", "--as", "bianji",
        stdout=out,
    )  # fmt: skip

    article = Article.objects.unscoped("test").get()
    assert article.title == f"广东省计划生育协会{TODAY.year}年度报告"
    assert (article.status, article.created_by_id, article.column_id) == ("draft", editor.pk, column.pk)
    assert "¥111,000.00" in article.body and "3 户 × ¥3,000.00" in article.body
    assert article.code in out.getvalue()


def test_the_disclosure_index_links_its_pages(client, books):
    html = client.get(reverse("portal:disclosure", kwargs={"site": "gd"})).content.decode()

    assert reverse("portal:funds", kwargs={"site": "gd"}) in html
    assert reverse("portal:annual_report", kwargs={"site": "gd", "year": TODAY.year}) in html
    assert "/portal/manage" not in html and "/funds/" not in html.replace("/ygjs/funds/", "")
