"""Donation import from Excel: the template, submission as a job, row validation, and the all-or-nothing
write through `services.donation_record` (each gift with its numbered receipt).

The whole file is checked before anything is written; one bad row rejects the file, and the person gets
their rows back with a 错误原因 column. A good file is written in one transaction, so a failure half-way
(a period closed meanwhile, a credit code registered by someone else a second ago) still leaves nothing.

The headers are a file format, not UI text: they stay Chinese whatever the interface language.

Donors are matched, not duplicated: an organisation by its unified social credit code, anyone else by
exact name and type among the donors registered at the importing branch. A name shared by several donors
there is refused (the clerk records those gifts one by one). 公开方式 applies only to donors the import
creates; an existing donor's choice is not changed by a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core import excel
from guanhuai.core.cells import safe_cell, safe_row
from guanhuai.core.errors import DomainError, ValidationError
from guanhuai.core.excel import cell_text
from guanhuai.core.money import parse_amount
from guanhuai.core.validators import validate_credit_code
from guanhuai.funds import selectors, services
from guanhuai.funds.models import Donation, Donor, Fund, Purpose
from guanhuai.funds.permissions import RECORD_DONATIONS
from guanhuai.funds.states import Channel, DonationKind, DonorKind, PublicName
from guanhuai.orgs.models import OrgUnit

IMPORT_DONATIONS = "funds.import_donations"

HEADERS = [
    "捐赠人",
    "类型",
    "统一社会信用代码",
    "公开方式",
    "基金",
    "用途代码",
    "捐赠类型",
    "金额",
    "方式",
    "物资名称",
    "数量",
    "估值依据",
    "收到日期",
]
ERROR_HEADER = "错误原因"
RECEIPT_HEADER = "收据编号"
TEMPLATE_NAME = "捐赠导入模板.xlsx"
ERROR_NAME = "捐赠导入错误.xlsx"
RESULT_NAME = "捐赠导入结果.xlsx"
# Every gift is posted and numbered one by one inside one transaction; a bigger file should be split.
MAX_ROWS = 5000

DONOR_KINDS = {"个人": DonorKind.PERSON, "单位": DonorKind.ORGANISATION}
PUBLIC_NAMES = {"公开": PublicName.NAMED, "爱心人士": PublicName.ANONYMOUS, "": PublicName.ANONYMOUS}
DONATION_KINDS = {"资金": DonationKind.CASH, "物资": DonationKind.IN_KIND}
CHANNELS = {str(c.label): c.value for c in Channel}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")

EXAMPLE_ROWS = [
    [
        "某某实业有限公司",
        "单位",
        "91110000600037341L",
        "公开",
        "生育关怀基金",
        "",
        "资金",
        "50000.00",
        "银行转账",
    ]
    + ["", "", "", "2025-03-01"],
    [
        "张三",
        "个人",
        "",
        "爱心人士",
        "生育关怀基金",
        "bereaved",
        "资金",
        "1000",
        "微信",
        "",
        "",
        "",
        "2025-03-02",
    ],
    ["某某超市", "单位", "", "公开", "生育关怀基金", "", "物资", "3600", "", "大米", "120袋"]
    + ["市场价 30元/袋", "2025-03-05"],
]


# --- the file -------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """The data rows of an upload: (Excel row number, the cells as read). Dates may be `datetime`."""

    rows: list[tuple[int, list[Any]]]


@dataclass
class RowError:
    line: int
    message: str


class DonationImportRejected(ValidationError):
    code = "donation_import_rejected"

    def __init__(self, errors: list[RowError], sheet: Sheet) -> None:
        super().__init__(
            _("导入被拒绝：%(n)d行有错误，未写入任何数据。") % {"n": len({e.line for e in errors})},
            details=[{"row": e.line, "message": e.message} for e in errors],
        )
        self.errors = errors
        self.sheet = sheet


def read_sheet(content: bytes) -> Sheet:
    """All data rows of the first worksheet; blank rows skipped; row numbers are Excel's."""
    wb = excel.open_workbook(content)
    try:
        if not wb.worksheets:
            raise ValidationError(_("文件中没有工作表。"), code="empty_file")
        it = wb.worksheets[0].iter_rows(values_only=True)
        excel.check_header(next(it, None), HEADERS)
        rows: list[tuple[int, list[Any]]] = []
        for line, row in enumerate(it, start=2):
            values = list(row[: len(HEADERS)]) + [None] * (len(HEADERS) - len(row[: len(HEADERS)]))
            if any(cell_text(v) for v in values):
                rows.append((line, values))
                if len(rows) > MAX_ROWS:
                    raise ValidationError(
                        _("文件超过 %(n)d 行，请分成几个文件导入。") % {"n": MAX_ROWS}, code="too_many_rows"
                    )
    finally:
        wb.close()
    if not rows:
        raise ValidationError(_("文件中没有数据行：请在表头下方填写捐赠记录。"), code="empty_file")
    return Sheet(rows=rows)


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "捐赠"
    ws.append(HEADERS)
    for row in EXAMPLE_ROWS:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = (20, 8, 22, 10, 18, 12, 10, 12, 10, 12, 10, 18, 12)
    for i, width in enumerate(widths, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = width
    # Text format for the credit code and the amount, so Excel neither rounds nor reformats them.
    for n in range(2, 502):
        ws[f"C{n}"].number_format = "@"
        ws[f"H{n}"].number_format = "@"
    notes = wb.create_sheet("填写说明")
    for line in (
        "每行一笔捐赠。整份文件有任何一行出错，都不会写入数据，并可下载标明错误原因的文件。",
        "类型：个人 或 单位。单位可填18位统一社会信用代码；个人不填。",
        "公开方式：公开 或 爱心人士（默认爱心人士）。只用于新登记的捐赠人；收据上始终是捐赠人的真实姓名或名称。",
        "基金：填写导入组织的基金名称。用途代码：见“用途代码”工作表；限定用途基金必须填写允许的用途。",
        "捐赠类型：资金 或 物资。资金必须填写方式：银行转账、现金、微信 或 支付宝。",
        "物资必须填写物资名称和估值依据，金额填写估值。金额精确到分，例如 1000 或 1000.50。",
        "收到日期：例如 2025-03-01，不能晚于今天。",
        "已登记的单位按统一社会信用代码匹配，其他捐赠人按姓名和类型匹配；不存在的会自动登记。",
        "请删除示例行后再导入。每笔捐赠都会开具一张编号收据。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    codes = wb.create_sheet("用途代码")
    codes.append(["用途代码", "用途"])
    for p in Purpose.objects.order_by("code"):
        codes.append(safe_row([p.code, p.name]))
    codes.column_dimensions["A"].width = 20
    codes.column_dimensions["B"].width = 24
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _workbook_with(sheet: Sheet, extra_header: str, extra: dict[int, str], *, highlight: bool) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "导入错误" if highlight else "导入结果"
    ws.append([*HEADERS, extra_header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    # Each row goes back to its original row number, so "第N行" in a message matches both files.
    for line, values in sheet.rows:
        note = extra.get(line, "")
        for i, value in enumerate([*(cell_text(v) for v in values), note], start=1):
            cell = ws.cell(row=line, column=i, value=safe_cell(value))
            if highlight and note:
                cell.fill = fill
    for i in range(1, len(HEADERS) + 2):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 14
    ws.column_dimensions[ws.cell(row=1, column=len(HEADERS) + 1).column_letter].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def error_workbook(sheet: Sheet, errors: list[RowError]) -> bytes:
    """The uploaded rows as typed, plus a 错误原因 column; rows with errors are highlighted."""
    reasons: dict[int, list[str]] = {}
    for e in errors:
        reasons.setdefault(e.line, []).append(e.message)
    return _workbook_with(
        sheet, ERROR_HEADER, {line: "；".join(msgs) for line, msgs in reasons.items()}, highlight=True
    )


def result_workbook(sheet: Sheet, receipts: dict[int, str]) -> bytes:
    """The imported rows with the receipt number issued for each."""
    return _workbook_with(sheet, RECEIPT_HEADER, receipts, highlight=False)


# --- submission -----------------------------------------------------------------------------------------


def import_targets(*, actor: Actor) -> QuerySet[OrgUnit]:
    """Branches the actor may import gifts for: where they record donations and a fund is kept."""
    return (
        scoping.units(actor, RECORD_DONATIONS)
        .filter(pk__in=Fund.objects.values("org_unit_id"))
        .order_by("path")
    )


def check_upload(content: bytes, *, max_bytes: int) -> Sheet:
    """The checks made in the request, before a job is queued: size, format, headers, not empty."""
    if len(content) > max_bytes:
        raise excel.too_large(len(content), max_bytes)
    return read_sheet(content)


def idempotency_key(*, org_unit: OrgUnit, content: bytes) -> str:
    """The same file for the same branch's funds is one import, whoever uploads it and however often."""
    return f"{IMPORT_DONATIONS}:{org_unit.pk}:{hashlib.sha256(content).hexdigest()}"


def import_submit(
    *, actor: Actor, org_unit: OrgUnit, content: bytes, file_name: str, max_bytes: int
) -> tuple[Any, bool]:
    """Queue the import job. Returns (job, created): a second upload of the same file returns the first
    job, even after it finished, so a double click or a re-sent file never records the gifts twice."""
    from guanhuai.jobs.services import job_submit

    scoping.require(actor, RECORD_DONATIONS, org_unit)
    check_upload(content, max_bytes=max_bytes)
    base = (file_name or "").replace("\\", "/").rsplit("/", 1)[-1][:80] or "donations"
    return job_submit(
        actor=actor,
        kind=IMPORT_DONATIONS,
        idempotency_key=idempotency_key(org_unit=org_unit, content=content),
        org_unit=org_unit,
        params={"file_name": base},
        input_name=base if base.lower().endswith(".xlsx") else base + ".xlsx",
        input_content=content,
    )


# --- validation -----------------------------------------------------------------------------------------


@dataclass
class DonorRef:
    kind: str
    name: str
    credit_code: str = ""
    public_name: str = PublicName.ANONYMOUS
    existing: Donor | None = None

    @property
    def key(self) -> tuple[str, str]:
        return ("code", self.credit_code) if self.credit_code else (self.kind, self.name)


@dataclass
class Planned:
    line: int
    donor: DonorRef
    fund: Fund
    purpose: Purpose | None
    kind: str
    amount: Decimal
    received_on: dt.date
    channel: str = ""
    items: str = ""
    quantity: str = ""
    valuation_basis: str = ""


@dataclass
class ImportResult:
    created: int = 0
    donors_created: int = 0
    total: Decimal = Decimal("0.00")
    receipts: dict[int, str] = field(default_factory=dict)


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not text:
        raise ValidationError(_("请填写收到日期。"), code="date_required")
    for fmt in DATE_FORMATS:
        try:
            # A calendar day typed in a file: no time of day, so no zone to attach.
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValidationError(
        _("收到日期“%(v)s”不是有效日期，应写作 2025-03-01 这样的格式。") % {"v": text}, code="date_format"
    )


class _Checker:
    """Validates rows against what the importing branch has, with a fixed number of queries."""

    def __init__(self, *, actor: Actor, org_unit: OrgUnit, sheet: Sheet) -> None:
        self.actor, self.unit, self.sheet = actor, org_unit, sheet
        self.funds = {f.name: f for f in selectors.fund_list(actor=actor).filter(org_unit=org_unit)}
        self.purposes = {p.code: p for p in Purpose.objects.all()}
        codes: set[str] = set()
        names: set[str] = set()
        for _line, v in sheet.rows:
            code = cell_text(v[2]).upper()
            if code:
                codes.add(code)
            else:
                names.add(cell_text(v[0]))
        # Credit codes are unique across the country: a donor with one is the same donor everywhere.
        self.by_code = {
            d.credit_code: d
            for d in Donor.objects.unscoped("a credit code names one donor across branches").filter(
                credit_code__in=codes
            )
        }
        self.visible_codes = set(
            selectors.donor_list(actor=actor)
            .filter(credit_code__in=codes)
            .values_list("credit_code", flat=True)
        )
        self.by_name: dict[tuple[str, str], list[Donor]] = {}
        for d in selectors.donor_list(actor=actor).filter(org_unit=org_unit, credit_code="", name__in=names):
            self.by_name.setdefault((d.kind, d.name), []).append(d)
        self.new_donors: dict[tuple[str, str], DonorRef] = {}
        self.today = timezone.localdate()

    def donor(self, v: list[Any]) -> DonorRef:
        name = cell_text(v[0])
        if not name:
            raise ValidationError(_("请填写捐赠人。"))
        kind_text = cell_text(v[1])
        if kind_text not in DONOR_KINDS:
            raise ValidationError(_("类型“%(v)s”不正确，应为“个人”或“单位”。") % {"v": kind_text})
        kind = DONOR_KINDS[kind_text]
        public_text = cell_text(v[3])
        if public_text not in PUBLIC_NAMES:
            raise ValidationError(_("公开方式“%(v)s”不正确，应为“公开”或“爱心人士”。") % {"v": public_text})
        code = cell_text(v[2]).upper()
        if code:
            if kind != DonorKind.ORGANISATION:
                raise ValidationError(_("个人捐赠人不填统一社会信用代码。"))
            code = validate_credit_code(code)
        ref = DonorRef(kind=kind, name=name, credit_code=code, public_name=PUBLIC_NAMES[public_text])
        if code:
            existing = self.by_code.get(code)
            if existing is not None and code not in self.visible_codes:
                raise ValidationError(
                    _("统一社会信用代码 %(c)s 已由其他组织登记，请联系上级协会。") % {"c": code}
                )
            ref.existing = existing
        else:
            matches = self.by_name.get((kind, name), [])
            if len(matches) > 1:
                raise ValidationError(
                    _("本组织有%(n)d个名为“%(name)s”的捐赠人，无法确定是哪一位，请在系统中逐笔登记。")
                    % {"n": len(matches), "name": name}
                )
            ref.existing = matches[0] if matches else None
        if ref.existing is None:
            # The first row that names a new donor decides how they are registered.
            ref = self.new_donors.setdefault(ref.key, ref)
        return ref

    def row(self, line: int, v: list[Any]) -> Planned:
        errors: list[str] = []

        def attempt(fn: Callable[[], Any]) -> Any:
            try:
                return fn()
            except DomainError as exc:
                errors.append(str(exc))
                return None

        donor = attempt(lambda: self.donor(v))
        fund_name = cell_text(v[4])
        fund = self.funds.get(fund_name)
        if not fund_name:
            errors.append(_("请填写基金。"))
        elif fund is None:
            errors.append(_("“%(unit)s”没有名为“%(f)s”的基金。") % {"unit": self.unit.name, "f": fund_name})
        purpose_code = cell_text(v[5])
        purpose = self.purposes.get(purpose_code) if purpose_code else None
        if purpose_code and purpose is None:
            errors.append(_("用途代码“%(c)s”不存在，请看模板中的“用途代码”工作表。") % {"c": purpose_code})
        elif fund is not None and (purpose is not None or fund.restricted):
            attempt(lambda: services.check_purpose(fund, purpose))
        kind_text = cell_text(v[6])
        kind = DONATION_KINDS.get(kind_text)
        if kind is None:
            errors.append(_("捐赠类型“%(v)s”不正确，应为“资金”或“物资”。") % {"v": kind_text})
        field_label = _("物资估值") if kind == DonationKind.IN_KIND else _("金额")
        amount = attempt(lambda: parse_amount(v[7], field=field_label))
        channel_text, items, quantity, basis = (
            cell_text(v[8]),
            cell_text(v[9]),
            cell_text(v[10]),
            cell_text(v[11]),
        )
        channel = ""
        if kind == DonationKind.CASH:
            channel = CHANNELS.get(channel_text, "")
            if not channel:
                errors.append(
                    _("方式“%(v)s”不正确，资金捐赠应填银行转账、现金、微信或支付宝。") % {"v": channel_text}
                )
        elif kind == DonationKind.IN_KIND and (not items or not basis):
            errors.append(_("物资捐赠必须填写物资名称和估值依据。"))
        received_on = attempt(lambda: parse_date(v[12]))
        if received_on is not None and received_on > self.today:
            errors.append(_("收到日期不能晚于今天。"))
        if errors:
            raise ValidationError("；".join(errors))
        assert donor is not None and fund is not None and kind is not None
        return Planned(
            line=line,
            donor=donor,
            fund=fund,
            purpose=purpose,
            kind=kind,
            amount=amount,
            received_on=received_on,
            channel=channel,
            items=items if kind == DonationKind.IN_KIND else "",
            quantity=quantity if kind == DonationKind.IN_KIND else "",
            valuation_basis=basis if kind == DonationKind.IN_KIND else "",
        )


def validate(*, actor: Actor, org_unit: OrgUnit, sheet: Sheet) -> list[Planned]:
    """Every row checked before anything is written; raises DonationImportRejected listing all errors."""
    if not scoping.can(actor, RECORD_DONATIONS, org_unit):
        raise ValidationError(
            _("您没有在“%(unit)s”登记捐赠的权限。") % {"unit": org_unit.name}, code="not_allowed"
        )
    checker = _Checker(actor=actor, org_unit=org_unit, sheet=sheet)
    planned: list[Planned] = []
    errors: list[RowError] = []
    for line, values in sheet.rows:
        try:
            planned.append(checker.row(line, values))
        except DomainError as exc:
            errors.append(RowError(line=line, message=str(exc)))
    if errors:
        raise DonationImportRejected(errors, sheet)
    return planned


# --- the write ------------------------------------------------------------------------------------------


def donations_import(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    content: bytes,
    key_prefix: str,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[Sheet, ImportResult]:
    """Validate the file, then record every gift (each with its receipt) in one transaction. A service
    refusing any row rolls back every row, and the refusals come back as row errors."""
    sheet = read_sheet(content)
    if on_total:
        on_total(len(sheet.rows))
    planned = validate(actor=actor, org_unit=org_unit, sheet=sheet)
    result = ImportResult()
    errors: list[RowError] = []
    with transaction.atomic():
        donors: dict[tuple[str, str], Donor] = {}
        for p in planned:
            ref = p.donor
            donor = ref.existing or donors.get(ref.key)
            if donor is None:
                try:
                    donor = services.donor_create(
                        actor=actor,
                        org_unit=org_unit,
                        kind=ref.kind,
                        name=ref.name,
                        credit_code=ref.credit_code,
                        public_name=ref.public_name,
                    )
                except DomainError as exc:
                    errors.append(RowError(line=p.line, message=str(exc)))
                    continue
                donors[ref.key] = donor
                result.donors_created += 1
            try:
                donation, _created = services.donation_record(
                    actor=actor,
                    donor=donor,
                    fund=p.fund,
                    kind=p.kind,
                    amount=p.amount,
                    received_on=p.received_on,
                    channel=p.channel,
                    purpose=p.purpose,
                    items=p.items,
                    quantity=p.quantity,
                    valuation_basis=p.valuation_basis,
                    # Belt and braces for a retried job: a gift already posted is not posted again.
                    idempotency_key=f"{key_prefix}:{p.line}"[:120],
                )
            except DomainError as exc:
                errors.append(RowError(line=p.line, message=str(exc)))
                continue
            result.created += 1
            result.total += donation.amount
            receipt = _current_receipt(donation)
            if receipt:
                result.receipts[p.line] = receipt
            if on_progress:
                on_progress(1)
        if errors:
            raise DonationImportRejected(errors, sheet)
    return sheet, result


def _current_receipt(donation: Donation) -> str:
    receipt = donation.receipts.order_by("-year", "-seq").first()
    return receipt.number if receipt else ""
