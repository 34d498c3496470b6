"""The whole special-assistance path in headless Chromium on a phone-sized screen, each user signing in
through the login page and using only the pages:

1. a village clerk applies for a bereaved mother in her village, uploads her 户口簿 and the child's death
   certificate, and submits;
2. a second clerk of the village passes the village review (the first one may not: segregation of
   duties), the clerk opens the village notice, and — once its seven days are over — closes it;
3. the township reviewer passes it and the county approver approves it: the application is approved and
   the mother is enrolled;
4. the finance officer generates the month's payment cycle (the generation job runs on commit), the
   province admin and the fund manager approve it (neither generated it), the officer creates the bank
   batch and downloads the bank file;
5. the bank's result file, built from that download, is uploaded: the batch is reconciled and posted;
6. the mother's payment history shows the month paid with its amount.

Only what the pages do not cover is set up through the services: the branch tree and users, the family
in the registry with the mother's bank account, and the programme from the national template paid from
a fund allocation that holds the money.

Skipped when Chromium is not installed, except in CI (GUANHUAI_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts.tests.factories import PASSWORD, user_with_role
from guanhuai.core.testing import page_width
from guanhuai.programmes.models import Application, Enrolment, PublicNotice
from guanhuai.programmes.periods import month_index
from guanhuai.programmes.services.programmes import programme_from_template
from guanhuai.programmes.states import ApplicationStatus, EnrolmentStatus
from guanhuai.programmes.tests.cycle_fixtures import allocation
from guanhuai.programmes.tests.factories import PDF, PNG, bereaved_couple
from guanhuai.registry.services import bank_account_set

WIDTH = 375
ACCOUNT = "6228480012345678901"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_thread(fn):
    """Run ORM work between browser steps in a thread of its own, closing its connection after.

    Playwright's sync API runs an event loop in the test's thread; Django refuses the ORM there, and a
    connection opened under that loop is kept in a context nobody closes (PostgreSQL then refuses to drop
    the test database)."""

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def world(tree, people, settings, tmp_path):
    """Users, the bereaved family in 甲村 with the mother's bank account, and 特别扶助 from the national
    template, paid from an allocation of ¥10,000."""
    finance = user_with_role("finance_officer", tree.province, username="caiwu")
    manager = user_with_role("fund_manager", tree.province, username="jijin")
    clerk_a2 = user_with_role("village_clerk", tree.village_a, username="clerk_a2")
    money = allocation(manager, finance, tree.province, "10000.00")
    programme = programme_from_template(
        actor=people.admin, template="special_assistance", org_unit=tree.province, allocation=money
    )
    _father, mother = bereaved_couple(people, tree.village_a)
    assert mother.name == "李秀英"
    bank_account_set(actor=people.clerk_a, person=mother, bank_name="中国农业银行", account_number=ACCOUNT)
    return {
        "programme": programme,
        "mother": mother,
        "finance": finance,
        "manager": manager,
        "clerk_a2": clerk_a2,
    }


def test_an_application_goes_from_the_village_to_a_paid_month(
    live_server, people, world, browser_page, tmp_path
):
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url
    programme, mother = world["programme"], world["mother"]
    today = timezone.localdate()
    period = f"{today:%Y-%m}"  # enrolled from the month of submission: this month is the first paid

    def login(user):
        page.context.clear_cookies()
        page.goto(f"{base}/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
        expect(page.locator("input[name=password]")).to_have_count(0)  # signed in, not back at the form

    def no_error():
        """The page shows no error message (a refused step names its reason here)."""
        expect(page.locator(".alert-danger")).to_have_count(0)

    def fits():
        assert page_width(page) <= WIDTH, page.url

    def open_application(application_id):
        page.goto(f"{base}{reverse('programmes:application_detail', args=[application_id])}")
        fits()

    def review_pass(comment, application_id):
        page.get_by_label("通过", exact=True).check()
        page.get_by_label("意见").fill(comment)
        page.get_by_role("button", name="提交审核意见").click()
        no_error()
        # the queue of that step is now empty: the reviewer is back on the review desk ("下一条" found none)
        expect(page.locator(".alert-success")).to_contain_text("本环节已没有其他待您审核的申请")
        open_application(application_id)

    # --- 1. the village clerk applies for the mother, uploads two documents and submits ------------------
    login(people.clerk_a)
    page.goto(f"{base}{reverse('programmes:application_create')}")
    page.fill("#q", "李秀英")
    page.get_by_role("button", name="查找").click()
    page.locator("#candidates a", has_text="李秀英").click()
    page.get_by_label("扶助项目").select_option(label="计划生育家庭特别扶助")
    page.get_by_label("申请理由").fill("独生子女2020年死亡，未再生育")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r".*/applications/\d+/$"))
    application_id = int(re.search(r"/applications/(\d+)/$", page.url).group(1))
    fits()
    expect(page.locator("#eligible")).to_contain_text("按当前条件符合")
    # the template requires 户口簿 (or ID card) and the death (or disability) certificate
    for kind, name, content in (
        ("hukou_book", "户口簿.png", PNG),
        ("death_certificate", "死亡证明.pdf", PDF),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        page.get_by_label("材料类型").select_option(kind)
        page.get_by_label("文件").set_input_files(str(path))
        page.get_by_role("button", name="上传", exact=True).click()
        no_error()
        expect(page.locator("#documents")).to_contain_text(name)
    page.get_by_role("button", name="提交审核").click()
    no_error()
    expect(page.locator("#status")).to_contain_text("审核中")
    expect(page.locator("#status")).to_contain_text("村级审核")
    # the clerk who submitted it is not offered the pass
    expect(page.get_by_label("通过", exact=True)).to_have_count(0)

    # --- 2. a second clerk of the village passes the village review -----------------------------------
    login(world["clerk_a2"])
    page.goto(f"{base}{reverse('programmes:home')}")
    page.locator(f"a[href='{reverse('programmes:application_detail', args=[application_id])}']").first.click()
    fits()
    review_pass("村两委讨论通过", application_id)
    expect(page.locator("#status")).to_contain_text("村级公示")

    # the clerk opens the village notice from the application page
    login(people.clerk_a)
    open_application(application_id)
    page.get_by_role("button", name="发布公示").click()
    no_error()
    page.wait_for_url(re.compile(r".*/notices/\d+/$"))
    fits()
    # masked on the notice as the village paper shows it (surname and last character)
    expect(page.get_by_role("cell", name="李*英")).to_be_visible()
    notice_id = int(re.search(r"/notices/(\d+)/$", page.url).group(1))
    # closing on the first day is not offered: the notice runs seven days, and the page says from when
    expect(page.get_by_role("button", name="结束公示")).to_be_disabled()
    expect(page.locator("#closable-on")).to_contain_text("起可结束公示")
    # There is no clock travel in the UI: move the notice's seven days into the past through the ORM,
    # as if a week had gone by, then close it through the page.
    notice = in_thread(lambda: PublicNotice.objects.get(pk=notice_id))
    assert (notice.opens_on, notice.closes_on) == (
        today,
        today + dt.timedelta(days=programme.notice_days - 1),
    )
    in_thread(
        lambda: PublicNotice.objects.filter(pk=notice_id).update(
            opens_on=today - dt.timedelta(days=programme.notice_days), closes_on=today - dt.timedelta(days=1)
        )
    )
    page.reload()
    page.locator("#notice-close").get_by_label(re.compile("结束后不能再登记异议")).check()
    page.locator("#notice-close").get_by_role("button", name="结束公示").click()
    no_error()
    expect(page.get_by_text("公示结束", exact=True)).to_be_visible()
    open_application(application_id)
    expect(page.locator("#status")).to_contain_text("乡镇审核")
    expect(page.locator("#timeline")).to_contain_text("公示期满无异议")

    # --- 3. the township reviewer passes it, the county approver approves it --------------------------
    login(people.reviewer_a)
    open_application(application_id)
    review_pass("材料齐全，情况属实", application_id)
    expect(page.locator("#status")).to_contain_text("县级审批")

    login(people.approver)
    open_application(application_id)
    review_pass("同意纳入特别扶助", application_id)
    expect(page.locator("#status")).to_have_text("已批准")
    expect(page.locator("#timeline [data-action='programmes.application.approved']")).to_contain_text(
        "批准扶助申请并纳入享受对象"
    )
    # and the mother is on the list of beneficiaries, from this month
    page.goto(f"{base}{reverse('programmes:enrolment_list')}")
    page.get_by_label("姓名或拼音").fill("李秀英")
    page.get_by_role("button", name="查询").click()
    row = page.locator("tbody tr", has_text="李秀英")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("计划生育家庭特别扶助")
    expect(row).to_contain_text("享受中")
    expect(row).to_contain_text(f"{period} ~")
    fits()
    assert in_thread(lambda: Application.objects.get(pk=application_id).status) == ApplicationStatus.APPROVED
    enrolment = in_thread(lambda: Enrolment.objects.get(programme=programme, person=mother))
    assert (enrolment.status, enrolment.start_month) == (EnrolmentStatus.ACTIVE, month_index(today))

    # --- 4. finance generates the month's cycle; two others approve it; batch and bank file ------------
    login(world["finance"])
    page.goto(f"{base}{reverse('programmes:cycle_list')}")
    generate = page.locator(f"form[action='{reverse('programmes:cycle_generate')}']")
    generate.locator("select[name=programme]").select_option(label="计划生育家庭特别扶助")
    generate.locator("input[name=period]").fill(period)
    generate.get_by_role("button", name="生成").click()
    no_error()
    page.wait_for_url(re.compile(r".*/cycles/\d+/$"))
    cycle_url = page.url
    # the generation job ran (in-process in tests) when the request committed: the summary is there
    expect(page.get_by_text("应发 1 笔，合计 ¥590.00")).to_be_visible()
    expect(page.get_by_text("待审批", exact=True)).to_be_visible()
    fits()
    # the generator is not offered the approval
    expect(page.get_by_role("button", name="审批通过")).to_have_count(0)

    for approver in (people.admin, world["manager"]):
        login(approver)
        page.goto(cycle_url)
        page.get_by_label("审批意见").fill("同意发放")
        page.get_by_role("button", name="审批通过").click()
        no_error()
    expect(page.get_by_text("已审批", exact=True)).to_be_visible()

    login(world["finance"])
    page.goto(cycle_url)
    page.get_by_role("button", name="按银行生成批次").click()
    no_error()
    batch_link = page.locator("a[href*='/cycles/batches/']").first
    expect(batch_link).to_be_visible()
    batch_link.click()
    page.wait_for_url(re.compile(r".*/cycles/batches/\d+/$"))
    fits()
    with page.expect_download() as info:
        page.get_by_role("button", name="导出银行文件（CSV）").click()
    exported = open(info.value.path(), "rb").read().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(exported)))
    header = {row[0]: row[1] for row in lines[:4]}
    assert header["笔数"] == "1"
    assert header["总金额"] == "590.00"
    assert lines[4] == ["行号", "户名", "银行账号", "金额", "开户银行"]
    [payment] = lines[5:]
    assert payment == ["1", "李秀英", ACCOUNT, "590.00", "中国农业银行"]  # the full account, only here
    canonical = "|".join([payment[0], payment[2], payment[1], payment[3]])
    assert header["校验码"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert sum(Decimal(p[3]) for p in lines[5:]) == Decimal(header["总金额"])
    page.reload()  # the export changed the batch's status
    expect(page.get_by_text("已导出待回盘", exact=True)).to_be_visible()

    # --- 5. the bank's result file, built from the exported one, is uploaded ----------------------------
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(
        [
            ["批次号", header["批次号"]],
            ["笔数", header["笔数"]],
            ["总金额", header["总金额"]],
            ["行号", "银行账号", "金额", "结果", "失败原因", "日期"],
            *[[p[0], p[2], p[3], "成功", "", today.isoformat()] for p in lines[5:]],
        ]
    )
    result = tmp_path / "回盘.csv"
    result.write_bytes(buf.getvalue().encode("utf-8-sig"))
    page.get_by_label("银行回盘文件（CSV 或 xlsx）").set_input_files(str(result))
    page.get_by_role("button", name="导入回盘并对账").click()
    no_error()
    expect(page.get_by_text("已对账", exact=True)).to_be_visible()
    # the reconciliation report of that file: all paid, no problem rows, posted to the fund's ledger
    report = page.locator(".card", has=page.locator(".card-header", has_text="回盘.csv"))
    expect(report).to_contain_text("成功 1 笔，失败 0 笔，问题行 0 行。")
    expect(report).to_contain_text("已记账。")
    paid_row = page.locator("tbody tr", has_text="李秀英")
    expect(paid_row).to_contain_text("已到账")
    expect(paid_row).to_contain_text("¥590.00")
    expect(paid_row).to_contain_text(today.isoformat())
    fits()

    # --- 6. the mother's payment history shows the month paid --------------------------------------------
    paid_row.get_by_role("link", name="李秀英").click()
    page.wait_for_url(re.compile(r".*/persons/\d+/payments/$"))
    fits()
    month = page.locator("tbody tr", has_text=period)
    expect(month).to_have_count(1)
    expect(month).to_contain_text("计划生育家庭特别扶助")
    expect(month).to_contain_text("¥590.00")
    expect(month.locator("[data-outcome]")).to_have_attribute("data-outcome", "paid")
    expect(month.locator("[data-outcome]")).to_have_text("已到账")
    expect(month).to_contain_text(today.isoformat())
