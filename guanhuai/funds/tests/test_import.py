"""Donation import from Excel: all rows checked first, one bad row imports nothing, the same file twice is
one job, and every imported gift is posted with its numbered receipt."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guanhuai.funds import imports, selectors, services
from guanhuai.funds.models import Donation, Donor, LedgerTransaction, Receipt
from guanhuai.funds.tests.factories import COMPANY, GOODS, PERSON, donations_xlsx, donor, fund
from guanhuai.jobs.models import Job


@pytest.fixture
def funds(tree, money):
    general = fund(money.manager, tree.province)
    bereaved = fund(money.manager, tree.province, name="失独帮扶专项", restricted=True, purposes=["bereaved"])
    return general, bereaved


@pytest.fixture
def upload(client, tree, money, django_capture_on_commit_callbacks):
    """POST a file to the import page as the province finance officer, running the job in-process."""

    def _upload(content: bytes, *, user=None, unit=None, name="捐赠.xlsx", follow=False):
        client.force_login(user or money.finance)
        data = {"file": SimpleUploadedFile(name, content), "org_unit": (unit or tree.province).pk}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("funds_io:donation_import"), data, follow=follow)

    return _upload


def nothing_written() -> bool:
    return not (
        Donation.objects.exists()
        or Receipt.objects.exists()
        or LedgerTransaction.objects.exists()
        or Donor.objects.exists()
    )


def error_rows(job: Job) -> dict[int, str]:
    ws = load_workbook(job.result_file.open("rb")).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[-1] == "错误原因"
    return {row[0].row: row[-1].value for row in ws.iter_rows(min_row=2) if row[-1].value}


def test_template_has_the_chinese_headers_examples_and_purpose_codes(client, funds, money, tree):
    client.force_login(money.finance)
    page = client.get(reverse("funds_io:donation_import"))
    assert page.status_code == 200
    assert reverse("funds_io:donation_import_template") in page.content.decode()
    # The only branch with funds is preselected.
    assert page.context["form"].initial["org_unit"] == tree.province.pk
    response = client.get(reverse("funds_io:donation_import_template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    # spelled out here, not read from imports.HEADERS: the template's columns are what a clerk fills in
    headers = "捐赠人 类型 统一社会信用代码 公开方式 基金 用途代码 捐赠类型 金额 方式 物资名称 数量 估值依据 收到日期"
    assert list(rows[0]) == headers.split()
    assert rows[1][0] == "某某实业有限公司"
    codes = {r[0]: r[1] for r in wb["用途代码"].iter_rows(min_row=2, values_only=True)}
    assert codes["bereaved"] == "失独家庭帮扶"


def test_import_page_is_404_for_those_who_cannot_record_donations(client, funds, money):
    client.force_login(money.auditor)
    assert client.get(reverse("funds_io:donation_import")).status_code == 404
    assert client.get(reverse("funds_io:donation_import_template")).status_code == 404


def test_a_good_file_records_every_gift_with_a_receipt(funds, upload, tree, money):
    general, bereaved = funds

    response = upload(donations_xlsx([COMPANY, PERSON, GOODS]))

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == "succeeded", job.error
    assert job.counts == {"created": 3, "donors_created": 3}
    assert job.org_unit == tree.province
    company = Donor.objects.get(credit_code="91110000600037341L")
    assert company.public_name == "named" and company.org_unit == tree.province
    person = Donor.objects.get(name="张三")
    assert person.kind == "person" and person.public_name == "anonymous"
    gift = Donation.objects.get(donor=person)
    assert gift.fund == bereaved and gift.purpose.code == "bereaved" and gift.channel == "wechat"
    goods = Donation.objects.get(kind="in_kind")
    assert (goods.items, goods.quantity, goods.valuation_basis) == ("大米", "120袋", "市场价 30元/袋")
    assert goods.received_on == dt.date(2025, 3, 5)
    assert Receipt.objects.count() == 3
    assert selectors.balances(general).available == Decimal("50000.00")
    assert selectors.balances(general).in_kind == Decimal("3600.00")
    assert selectors.reconcile().ok
    # The result file gives each row its receipt number.
    ws = load_workbook(job.result_file.open("rb")).worksheets[0]
    assert ws.cell(row=1, column=14).value == "收据编号"
    numbers = {ws.cell(row=n, column=14).value for n in (2, 3, 4)}
    assert numbers == set(Receipt.objects.values_list("number", flat=True))


def test_a_bad_date_rejects_the_whole_file_with_an_error_workbook(funds, upload):
    bad = [*PERSON[:12], "2025-02-30"]

    upload(donations_xlsx([COMPANY, bad, GOODS]))

    job = Job.objects.get()
    assert job.status == "failed"
    assert job.error == "导入被拒绝：1行有错误，未写入任何数据。"
    assert nothing_written()
    assert error_rows(job) == {3: "收到日期“2025-02-30”不是有效日期，应写作 2025-03-01 这样的格式。"}


def test_every_bad_row_is_reported_with_its_reason(funds, upload):
    rows = [
        [*COMPANY[:2], "91350203M0001QAY9B", *COMPANY[3:]],  # the famous invalid credit code
        [*PERSON[:4], "不存在的基金", *PERSON[5:]],
        [*PERSON[:5], "no_such_purpose", *PERSON[6:]],
        [*PERSON[:5], "youth_health", *PERSON[6:]],  # not allowed by the restricted fund
        [*PERSON[:7], "12.345", *PERSON[8:]],
        [*PERSON[:8], "刷卡", *PERSON[9:]],
        [*PERSON[:12], timezone.localdate() + dt.timedelta(days=3)],
        [*GOODS[:11], "", GOODS[12]],  # goods without a valuation basis
    ]

    upload(donations_xlsx(rows))

    job = Job.objects.get()
    assert job.status == "failed" and job.error == "导入被拒绝：8行有错误，未写入任何数据。"
    assert nothing_written()
    errors = error_rows(job)
    assert errors[2] == "统一社会信用代码校验位错误：最后一位应为 9。"
    assert errors[3] == "“广东省”没有名为“不存在的基金”的基金。"
    assert errors[4].startswith("用途代码“no_such_purpose”不存在")
    assert errors[5] == "“失独帮扶专项”是限定用途基金，只能用于失独家庭帮扶，不能用于“青春健康”。"
    assert errors[6] == "金额 12.345 超过两位小数：金额精确到分。"
    assert errors[7].startswith("方式“刷卡”不正确")
    assert errors[8] == "收到日期不能晚于今天。"
    assert errors[9] == "物资捐赠必须填写物资名称和估值依据。"


def test_a_refusal_while_writing_rolls_back_the_rows_already_written(funds, upload, money):
    general, _bereaved = funds
    services.period_close(actor=money.manager, fund=general, period="2025-02")
    late = [*COMPANY[:12], "2025-02-15"]  # valid on its face, but February is closed

    upload(donations_xlsx([GOODS, COMPANY, late]))

    job = Job.objects.get()
    assert job.status == "failed"
    assert nothing_written()
    assert list(error_rows(job)) == [4]
    assert "已结账" in error_rows(job)[4]


def test_the_same_file_twice_is_one_job_and_one_set_of_gifts(funds, upload):
    content = donations_xlsx([COMPANY, PERSON])
    upload(content)
    job = Job.objects.get()
    assert job.status == "succeeded"

    response = upload(content, follow=True)

    assert Job.objects.count() == 1
    assert Donation.objects.count() == 2 and Receipt.objects.count() == 2
    assert response.redirect_chain[-1][0] == reverse("jobs:detail", args=[job.pk])
    assert "该文件已上传过" in response.content.decode()


def test_known_donors_are_matched_not_duplicated(funds, upload, tree, money):
    company = donor(money.manager, tree.province, name="旧名称公司", credit_code="91110000600037341L")
    person = donor(money.manager, tree.province, name="张三", kind="person", public_name="named")

    upload(donations_xlsx([COMPANY, PERSON]))

    assert Job.objects.get().status == "succeeded"
    assert Donor.objects.count() == 2
    assert set(Donation.objects.values_list("donor_id", flat=True)) == {company.pk, person.pk}
    # A file does not change how a known donor chose to be shown.
    person.refresh_from_db()
    assert person.public_name == "named"


def test_importing_for_a_branch_outside_ones_scope_is_refused(funds, upload, tree, money):
    response = upload(donations_xlsx([COMPANY]), user=money.town_finance, unit=tree.province)
    assert response.status_code == 200
    assert "org_unit" in response.context["form"].errors
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "上传的文件是空的"),
        (b"not a spreadsheet", "文件不是Excel"),
        (donations_xlsx([COMPANY], headers=["姓名", "金额"]), "表头与模板不一致"),
        (donations_xlsx([]), "文件中没有数据行"),
    ],
)
def test_bad_files_are_refused_before_a_job_is_queued(funds, upload, content, message):
    response = upload(content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not Job.objects.exists()


def test_a_file_already_imported_by_a_colleague_is_not_imported_again(funds, upload, money):
    content = donations_xlsx([COMPANY])
    upload(content)

    response = upload(content, user=money.manager, follow=True)

    # The fund manager cannot open the finance officer's job, so they stay on the import page and are told.
    assert response.redirect_chain[-1][0] == reverse("funds_io:donation_import")
    assert "该文件已上传过" in response.content.decode()
    assert Job.objects.count() == 1 and Donation.objects.count() == 1


def test_the_error_workbook_gives_back_a_formula_typed_in_the_upload_as_text():
    sheet = imports.Sheet(rows=[(2, ["+1+cmd|' /C calc'!A0", "个人", "", "", "", "", "", "-100"])])
    content = imports.error_workbook(sheet, [imports.RowError(line=2, message="金额不对")])
    ws = load_workbook(io.BytesIO(content)).active
    assert {c.data_type for c in ws[2] if c.value is not None} == {"s"}
    assert ws["A2"].value == "'+1+cmd|' /C calc'!A0"
    assert ws["H2"].value == "-100"  # a plain number stays as typed
