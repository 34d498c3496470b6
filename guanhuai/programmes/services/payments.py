"""Payment batches, bank files, bank results, re-issue and the ledger posting of what was paid.

- `batches_create`: one batch per bank for the due entitlements of an approved cycle whose person has a
  bank account, its Payment rows inserted with one INSERT … SELECT per bank (line numbers by ROW_NUMBER).
  A second click finds nothing due and creates nothing; the partial unique constraint
  payment_one_live_per_entitlement makes a second live payment for one entitlement impossible anyway.
- `batch_export`: the bank file, with the full account numbers (decrypted only here, for programmes.pay,
  audited as an unmasking).
- `batch_import_results`: the bank's result file, stored under its SHA-256 digest: the same file again
  returns the first import and changes nothing. Rows that do not match a pending payment of the batch are
  reported, never guessed. Paid amounts are posted to the ledger in ONE transaction per file.
- `batch_reissue_failed`: failed entitlements, after their account was corrected, into follow-up batches."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core import states
from guanhuai.core.crypto import blind_index
from guanhuai.core.errors import InvalidTransition, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.money import money_sum, to_money, yuan
from guanhuai.core.sql import insert_select
from guanhuai.funds import ledger
from guanhuai.funds.services import disbursement_lines
from guanhuai.funds.states import TxnKind
from guanhuai.programmes import bankfiles
from guanhuai.programmes.models import Cycle, Entitlement, Payment, PaymentBatch, ResultFile
from guanhuai.programmes.permissions import PAY
from guanhuai.programmes.services.cycles import cycle_close_if_done
from guanhuai.programmes.states import (
    BATCH_TRANSITIONS,
    ENTITLEMENT_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    BatchStatus,
    CycleStatus,
    EntitlementStatus,
    PaymentStatus,
)
from guanhuai.registry.services import ACCOUNT_PURPOSE

# How many ids per UPDATE … WHERE id IN (…): SQLite caps the number of parameters of one statement.
ID_CHUNK = 5_000


def _require_pay(actor: Actor, cycle: Cycle) -> None:
    scoping.require(actor, PAY, cycle.programme.org_unit)


def _chunks(ids: list[int], size: int = ID_CHUNK) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# --- batches ---------------------------------------------------------------------------------------------


def _next_number(cycle: Cycle) -> Any:
    n = PaymentBatch.objects.unscoped("batch numbers run per cycle").filter(cycle=cycle).count()
    prefix = f"{cycle.programme.code[:20]}-{cycle.period}"
    while True:
        n += 1
        yield f"{prefix}-{n:02d}"


def _insert_payments(batch: PaymentBatch, entitlements: QuerySet[Entitlement]) -> int:
    """INSERT INTO payment … SELECT from the entitlements (ORM-compiled), line numbers 1..n by id."""
    rows = (
        entitlements.annotate(
            c_batch=Value(batch.pk, output_field=IntegerField()),
            c_entitlement=F("id"),
            c_person=F("person_id"),
            c_org_unit=F("org_unit_id"),
            c_line=Window(RowNumber(), order_by=F("id").asc()),
            c_amount=F("amount"),
            c_account=F("person__bank_account__account_masked"),
            c_status=Value(str(PaymentStatus.PENDING)),
            c_reason=Value(""),
        )
        .values(
            "c_batch",
            "c_entitlement",
            "c_person",
            "c_org_unit",
            "c_line",
            "c_amount",
            "c_account",
            "c_status",
            "c_reason",
        )
        .order_by()
    )
    return insert_select(
        Payment,
        (
            "batch_id",
            "entitlement_id",
            "person_id",
            "org_unit_id",
            "line_no",
            "amount",
            "account_masked",
            "status",
            "failure_reason",
        ),
        rows,
    )


def _fill_batch(batch: PaymentBatch, entitlements: QuerySet[Entitlement]) -> PaymentBatch:
    """Insert the payments, mark their entitlements batched, and store count and total on the batch."""
    _insert_payments(batch, entitlements)
    states.check(
        ENTITLEMENT_TRANSITIONS, [EntitlementStatus.DUE, EntitlementStatus.FAILED], EntitlementStatus.BATCHED
    )
    Entitlement.objects.filter(
        pk__in=Subquery(Payment.objects.filter(batch=batch).values("entitlement_id"))
    ).update(status=EntitlementStatus.BATCHED)
    totals = (
        Payment.objects.unscoped("a batch's totals over the cycle's whole area")
        .filter(batch=batch)
        .aggregate(n=Count("id"), s=money_sum("amount"))
    )
    batch.count = totals["n"] or 0
    batch.total = to_money(totals["s"])
    batch.save(update_fields=["count", "total"])
    return batch


def _lock_approved(cycle: Cycle, refusal: str) -> Cycle:
    """Lock the cycle row and check it is approved; `refusal` names the period and status if not."""
    locked = relock(cycle, "programme")
    if locked.status != CycleStatus.APPROVED:
        raise InvalidTransition(
            refusal % {"period": locked.period, "status": locked.get_status_display()},
            code="cycle_not_approved",
        )
    return locked


def batches_create(*, actor: Actor, cycle: Cycle) -> list[PaymentBatch]:
    """One batch per bank for the approved cycle's due entitlements that have a bank account. Returns the
    batches created now (none on a second click). Entitlements without an account stay due: see
    `selectors.payments.missing_accounts`."""
    _require_pay(actor, cycle)
    created: list[PaymentBatch] = []
    with transaction.atomic():
        locked = _lock_approved(
            cycle, _("发放周期“%(period)s”当前状态为“%(status)s”，审批通过后才能生成发放批次。")
        )
        due = Entitlement.objects.unscoped(
            "a batch pays the cycle's whole area (pay permission checked)"
        ).filter(cycle=locked, status=EntitlementStatus.DUE, person__bank_account__isnull=False)
        banks = sorted(set(due.values_list("person__bank_account__bank_name", flat=True).distinct()))
        numbers = _next_number(locked)
        for bank in banks:
            batch = PaymentBatch.objects.create(
                cycle=locked, number=next(numbers), bank_name=bank, created_by=signed_in(actor)
            )
            _fill_batch(batch, due.filter(person__bank_account__bank_name=bank))
            log(
                batch,
                "programmes.batch.created",
                actor=actor,
                org_unit=locked.programme.org_unit,
                data={"bank": bank, "count": batch.count, "total": batch.total},
            )
            created.append(batch)
    return created


def batch_reissue_failed(*, actor: Actor, cycle: Cycle) -> list[PaymentBatch]:
    """Failed entitlements of the cycle whose person has a bank account (corrected in the registry) go
    into follow-up batches, one per bank, each pointing at the batch where the payment failed. Returns the
    batches created (none if nothing failed)."""
    _require_pay(actor, cycle)
    created: list[PaymentBatch] = []
    with transaction.atomic():
        locked = _lock_approved(cycle, _("发放周期“%(period)s”当前状态为“%(status)s”，不能补发。"))
        failed = Entitlement.objects.unscoped("a follow-up batch pays the cycle's whole area").filter(
            cycle=locked, status=EntitlementStatus.FAILED, person__bank_account__isnull=False
        )
        last_failed_batch = Subquery(
            Payment.objects.filter(entitlement=OuterRef("pk"), status=PaymentStatus.FAILED)
            .order_by("-id")
            .values("batch_id")[:1]
        )
        groups = sorted(
            set(failed.annotate(fb=last_failed_batch).values_list("person__bank_account__bank_name", "fb"))
        )
        numbers = _next_number(locked)
        by_bank: dict[str, list[int]] = defaultdict(list)
        for bank, fb in groups:
            by_bank[bank].append(fb)
        for bank, originals in by_bank.items():
            batch = PaymentBatch.objects.create(
                cycle=locked,
                number=next(numbers),
                bank_name=bank,
                follow_up_of_id=min(originals),
                created_by=signed_in(actor),
            )
            _fill_batch(batch, failed.filter(person__bank_account__bank_name=bank))
            log(
                batch,
                "programmes.batch.reissued",
                actor=actor,
                org_unit=locked.programme.org_unit,
                data={
                    "bank": bank,
                    "count": batch.count,
                    "total": batch.total,
                    "follow_up_of": min(originals),
                },
            )
            created.append(batch)
    return created


# --- export ----------------------------------------------------------------------------------------------


def batch_export(*, actor: Actor, batch: PaymentBatch, fmt: str = "csv") -> tuple[str, bytes]:
    """The bank file of a batch: (file name, content). Full account numbers are decrypted here only,
    row by row in one streamed query; the export is audited as an unmasking of `count` accounts."""
    cycle = batch.cycle
    _require_pay(actor, cycle)
    if fmt not in ("csv", "xlsx"):
        raise ValidationError(_("导出格式只能是 csv 或 xlsx。"), code="bad_format")
    rows = (
        Payment.objects.unscoped("the bank file of a batch covers the cycle's whole area")
        .filter(batch=batch)
        .order_by("line_no")
        .values_list("line_no", "person__name", "person__bank_account__account_number", "amount")
        .iterator(chunk_size=5000)
    )
    content = bankfiles.build_payment_file(
        batch.number, batch.bank_name, ((n, name, account or "", amount) for n, name, account, amount in rows)
    )
    data = bankfiles.payment_csv(content) if fmt == "csv" else bankfiles.payment_xlsx(content)
    with transaction.atomic():
        fields = ["checksum"]
        batch.checksum = content.checksum
        if batch.status == BatchStatus.CREATED:
            states.transition(batch, BatchStatus.EXPORTED, BATCH_TRANSITIONS)
            batch.exported_at = timezone.now()
            fields += ["status", "exported_at"]
        batch.save(update_fields=fields)
        log(
            batch,
            "programmes.batch.exported",
            actor=actor,
            org_unit=cycle.programme.org_unit,
            data={
                "format": fmt,
                "unmasked_accounts": content.count,
                "total": content.total,
                "checksum": content.checksum,
            },
        )
    return f"{batch.number}.{fmt}", data


# --- results ---------------------------------------------------------------------------------------------


def batch_import_results(*, actor: Actor, batch: PaymentBatch, file_name: str, content: bytes) -> ResultFile:
    """Reconcile a batch with the bank's result file. See the module doc and bankfiles for the format."""
    cycle = batch.cycle
    _require_pay(actor, cycle)
    digest = hashlib.sha256(content).hexdigest()
    existing = (
        ResultFile.objects.unscoped("a bank file is imported once, into any batch")
        .filter(digest=digest)
        .first()
    )
    if existing is not None:
        return _same_file(existing, batch)
    sheet = bankfiles.parse_result_file(content)
    if sheet.number != batch.number:
        raise ValidationError(
            _("回盘文件属于批次%(theirs)s，不是本批次%(ours)s。")
            % {"theirs": sheet.number, "ours": batch.number},
            code="wrong_batch",
        )
    if batch.status == BatchStatus.CREATED:
        raise InvalidTransition(_("该批次尚未导出银行文件，不能导入回盘。"), code="not_exported")
    try:
        with transaction.atomic():
            relock(batch)
            result = _apply(actor, batch, file_name, digest, sheet)
    except IntegrityError:
        # The same file raced in from another request: the first import stands.
        return _same_file(ResultFile.objects.get(digest=digest), batch)
    return result


def _same_file(existing: ResultFile, batch: PaymentBatch) -> ResultFile:
    if existing.batch_id != batch.pk:
        raise ValidationError(
            _("这个回盘文件已导入到批次%(other)s，不是本批次%(ours)s。")
            % {"other": existing.batch.number, "ours": batch.number},
            code="wrong_batch",
        )
    return existing


def _account_matches(given: str, masked: str, index: str | None) -> bool:
    digits = given.replace("*", "")
    if len(given) <= 4 or "*" in given:
        return bool(digits) and masked.endswith(digits[-4:])
    return index is not None and blind_index(given, purpose=ACCOUNT_PURPOSE) == index


def _apply(
    actor: Actor, batch: PaymentBatch, file_name: str, digest: str, sheet: bankfiles.ResultSheet
) -> ResultFile:
    payments = {
        line: (pk, amount, masked, status, index)
        for pk, line, amount, masked, status, index in Payment.objects.unscoped(
            "a bank result file is applied to its whole batch"
        )
        .filter(batch=batch)
        .values_list(
            "pk", "line_no", "amount", "account_masked", "status", "person__bank_account__account_index"
        )
    }
    problems: list[dict[str, Any]] = []
    paid: dict[dt.date, list[int]] = defaultdict(list)
    failed: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    seen: set[int] = set()
    paid_total = Decimal("0.00")
    last_day: dt.date | None = None
    for r in sheet.rows:
        problem = r.problem
        if not problem and r.line_no is not None:
            found = payments.get(r.line_no)
            if found is None:
                problem = _("本批次没有第%(n)s行（行号不存在）") % {"n": r.line_no}
            elif r.line_no in seen:
                problem = _("行号%(n)s在文件中重复出现") % {"n": r.line_no}
            else:
                pk, amount, masked, status, index = found
                if r.amount != amount:
                    problem = _("金额不符：文件为%(f)s，本批次为%(o)s") % {
                        "f": yuan(r.amount or Decimal(0)),
                        "o": yuan(amount),
                    }
                elif not _account_matches(r.account, masked, index):
                    problem = _("账号不符：文件为%(f)s，本批次为%(o)s") % {
                        "f": _masked(r.account),
                        "o": masked,
                    }
                elif status != PaymentStatus.PENDING:
                    problem = _("该笔已处理过（%(s)s），未重复处理") % {"s": PaymentStatus(status).label}
        if r.line_no is not None:
            seen.add(r.line_no)
        if problem:
            problems.append({"row": r.row, "line_no": r.line_no, "problem": str(problem)})
            continue
        pk = payments[r.line_no][0]  # type: ignore[index]
        assert r.day is not None and r.amount is not None
        last_day = max(last_day or r.day, r.day)
        if r.paid:
            paid[r.day].append(pk)
            paid_total += r.amount
        else:
            failed[(r.reason.strip()[:200], r.day)].append(pk)
    result = ResultFile.objects.create(
        batch=batch,
        file_name=(file_name or "result")[:200],
        digest=digest,
        paid=sum(len(v) for v in paid.values()),
        failed=sum(len(v) for v in failed.values()),
        problems=problems,
        imported_by=signed_in(actor),
    )
    states.check(PAYMENT_TRANSITIONS, PaymentStatus.PENDING, PaymentStatus.PAID)
    states.check(PAYMENT_TRANSITIONS, PaymentStatus.PENDING, PaymentStatus.FAILED)
    for day, ids in paid.items():
        for chunk in _chunks(ids):
            Payment.objects.filter(pk__in=chunk, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.PAID, settled_on=day, result_file=result
            )
    for (reason, day), ids in failed.items():
        for chunk in _chunks(ids):
            Payment.objects.filter(pk__in=chunk, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.FAILED, failure_reason=reason, settled_on=day, result_file=result
            )
    for new_status, payment_status in (
        (EntitlementStatus.PAID, PaymentStatus.PAID),
        (EntitlementStatus.FAILED, PaymentStatus.FAILED),
    ):
        states.check(ENTITLEMENT_TRANSITIONS, EntitlementStatus.BATCHED, new_status)
        Entitlement.objects.filter(
            pk__in=Subquery(
                Payment.objects.filter(result_file=result, status=payment_status).values("entitlement_id")
            )
        ).update(status=new_status)
    programme = batch.cycle.programme
    if paid_total and programme.allocation is not None:
        txn = ledger.post(
            actor=actor,
            kind=TxnKind.DISBURSEMENT,
            posted_on=min(last_day or timezone.localdate(), timezone.localdate()),
            description=gettext_noop("扶助发放：%(batch)s") % {"batch": batch.number},
            lines=disbursement_lines(programme.allocation, paid_total),
            idempotency_key=f"programmes.result:{digest}",
        )
        result.ledger_transaction = txn
        result.save(update_fields=["ledger_transaction"])
    log(
        batch,
        "programmes.batch.results_imported",
        actor=actor,
        org_unit=programme.org_unit,
        data={
            "file": result.file_name,
            "digest": digest,
            "paid": result.paid,
            "failed": result.failed,
            "problems": len(problems),
            "paid_total": paid_total,
        },
    )
    pending = Payment.objects.filter(batch=batch, status=PaymentStatus.PENDING).exists()
    if not pending and batch.status != BatchStatus.RECONCILED:
        states.transition(batch, BatchStatus.RECONCILED, BATCH_TRANSITIONS)
        PaymentBatch.objects.filter(pk=batch.pk).update(status=batch.status, reconciled_at=timezone.now())
        log(batch, "programmes.batch.reconciled", actor=actor, org_unit=programme.org_unit)
    cycle_close_if_done(
        Cycle.objects.unscoped("the cycle of the batch in hand").get(pk=batch.cycle_id), actor=actor
    )
    return result


def _masked(account: str) -> str:
    from guanhuai.core.masking import mask_account

    return account if "*" in account else mask_account(account)


def paid_total(batch: PaymentBatch) -> Decimal:
    return to_money(
        Payment.objects.unscoped("a batch's paid total over the cycle's whole area")
        .filter(batch=batch, status=PaymentStatus.PAID)
        .aggregate(s=money_sum("amount"))["s"]
    )


__all__ = [
    "batch_export",
    "batch_import_results",
    "batch_reissue_failed",
    "batches_create",
    "paid_total",
]
