"""/api/v1/batches: payment batches — detail with result files, payments, the bank file (full account
numbers: programmes.pay only, audited), importing the bank's result file; and a person's payment history
(/api/v1/cycles/persons/{person_id}/payments).

Result files are stored under their SHA-256: the same file again returns 200 and the first import, and
changes nothing. 422 `wrong_batch` for a file of another batch (the message names both), 422
`bad_result_file` for a wrong format or header totals that do not match the rows; rows that do not match a
payment are listed in `problems`, never guessed.

No `from __future__ import annotations` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from guanhuai.core import excel
from guanhuai.core.api import READ, WRITE, Money, created_or_replayed, paginate
from guanhuai.core.api import actor as actor_of
from guanhuai.core.money import to_money
from guanhuai.programmes.selectors import payments as selectors
from guanhuai.programmes.services import payments as services

router = Router(tags=["programmes: batches and payments"])


class BatchProblemOut(Schema):
    row: int = Field(..., description="文件中的行号")
    line_no: int | None = Field(None, description="批次中的行号")
    problem: str


class BatchResultFileOut(Schema):
    id: int
    file_name: str
    digest: str
    paid: int
    failed: int
    problems: list[BatchProblemOut]
    imported_by: str = Field(alias="imported_by.username")
    imported_at: dt.datetime
    ledger_transaction_id: int | None


class SeenTotals(Schema):
    """A batch's `count` and `total` as the actor may see them (batch_list's annotation); a batch just
    created is its creator's, who holds the pay permission at the programme's branch and so sees all of
    it. The schemas that show a batch declare the two fields themselves, in their own order."""

    @staticmethod
    def resolve_count(obj: Any) -> int:
        return int(getattr(obj, "seen_count", obj.count))

    @staticmethod
    def resolve_total(obj: Any) -> Any:
        return to_money(getattr(obj, "seen_total", obj.total))


class PaymentBatchOut(SeenTotals):
    id: int
    cycle_id: int
    period: str
    programme: str
    number: str
    bank_name: str
    status: str
    status_label: str = Field(alias="get_status_display")
    count: int
    total: Money
    checksum: str
    follow_up_of_id: int | None
    created_at: dt.datetime
    exported_at: dt.datetime | None
    reconciled_at: dt.datetime | None
    result_files: list[BatchResultFileOut]

    @staticmethod
    def resolve_period(obj: Any) -> str:
        return obj.cycle.period

    @staticmethod
    def resolve_programme(obj: Any) -> str:
        return obj.cycle.programme.name

    @staticmethod
    def resolve_result_files(obj: Any) -> list[Any]:
        return list(selectors.result_files(batch=obj))


class BatchPaymentOut(Schema):
    line_no: int
    person_id: int
    name: str
    account_masked: str = Field(..., description="银行账号（脱敏）")
    amount: Money
    status: str
    failure_reason: str
    settled_on: dt.date | None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.person.name


class PaymentHistoryOut(Schema):
    programme: str
    period: str
    kind: str
    kind_label: str
    months: int
    amount: Money = Field(..., description="应发金额")
    status: str
    outcome: str = Field(
        ..., description="paid 已到账 / failed 失败 / pending 银行处理中 / excluded 已剔除 / due 待发放"
    )
    outcome_label: str
    reason: str = Field(..., description="失败原因或剔除原因")
    when: dt.date | None = Field(None, description="到账或退回日期")
    batch: str
    attempts: int


@router.get("/batches/{int:batch_id}", response={200: PaymentBatchOut, **READ}, summary="发放批次及回盘记录")
def batch_detail(request: HttpRequest, batch_id: int) -> Any:
    return selectors.batch_get(actor=actor_of(request), batch_id=batch_id)


@router.get(
    "/batches/{int:batch_id}/payments",
    response={200: list[BatchPaymentOut], **READ},
    summary="批次明细（账号脱敏，限本辖区，分页）",
)
@paginate
def batch_payments(
    request: HttpRequest,
    batch_id: int,
    status: str = "",
) -> Any:
    actor = actor_of(request)
    return selectors.payment_list(
        actor=actor, batch=selectors.batch_get(actor=actor, batch_id=batch_id), status=status
    )


@router.post(
    "/batches/{int:batch_id}/export",
    response={200: None, **WRITE},
    summary="导出银行代发文件（含完整账号，仅财务人员，留痕）",
    description="POST（导出会改变批次状态并留痕，所以不用GET）。查询参数 format=csv（UTF-8，带BOM）或 xlsx。"
    "表头含批次号、笔数、总金额和校验码（SHA-256）。"
    "403：无“发放”权限；422 bad_format：格式不对。",
)
def batch_export(request: HttpRequest, batch_id: int, format: str = "csv") -> Any:
    actor = actor_of(request)
    name, content = services.batch_export(
        actor=actor, batch=selectors.batch_get(actor=actor, batch_id=batch_id), fmt=format
    )
    response = HttpResponse(
        content, content_type=excel.XLSX if name.endswith(".xlsx") else "text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = excel.content_disposition(name, fallback=name)
    return response


@router.post(
    "/batches/{int:batch_id}/results",
    response={201: BatchResultFileOut, 200: BatchResultFileOut, **WRITE},
    summary="导入银行回盘文件（CSV 或 xlsx）并对账",
    description="multipart：file。新文件返回 201；同一文件再次导入返回 200 和原记录，不做任何改动。"
    "422 wrong_batch：文件属于其他批次；422 bad_result_file：格式不对或表头笔数/金额与明细不符；"
    "409 not_exported：批次尚未导出。无法对应的行列在 problems 中。",
)
def batch_results(request: HttpRequest, batch_id: int, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    actor = actor_of(request)
    batch = selectors.batch_get(actor=actor, batch_id=batch_id)
    content = excel.read_upload(file, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
    known = set(selectors.result_files(batch=batch).values_list("pk", flat=True))
    result = services.batch_import_results(
        actor=actor, batch=batch, file_name=file.name or "", content=content
    )
    return created_or_replayed(result.pk not in known, result)


@router.get(
    "/cycles/persons/{int:person_id}/payments",
    response={200: list[PaymentHistoryOut], **READ},
    summary="个人发放记录：每期应发、已到账/失败（原因）/处理中，及日期",
)
def payment_history(request: HttpRequest, person_id: int) -> Any:
    actor = actor_of(request)
    person = selectors.person_for_history(actor=actor, person_id=person_id)
    return selectors.payment_history(actor=actor, person=person)
