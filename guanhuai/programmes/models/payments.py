"""Enrolments and their payments: cycles with approvals and entitlements, bank batches, result files and
payments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager, TreeWideManager
from guanhuai.programmes.models.programmes import Application, Programme
from guanhuai.programmes.periods import period_name
from guanhuai.programmes.states import (
    BatchStatus,
    CycleStatus,
    EnrolmentStatus,
    EntitlementKind,
    EntitlementStatus,
    ExitReason,
    FlagReason,
    PaymentStatus,
)

_USER = settings.AUTH_USER_MODEL


class Enrolment(models.Model):
    """A beneficiary in a programme, from `start_month` to `end_month` (month indexes; end open if null).
    One row per person per programme: suspension, exit and resumption change its state, never add rows."""

    # No index of its own: enrolment_programme_status and enrolment_one_per_person start with programme.
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="enrolments", db_index=False
    )
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments"
    )
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    start_month = models.PositiveIntegerField(_("享受起始月"))
    end_month = models.PositiveIntegerField(_("享受截止月"), null=True, blank=True)
    exit_reason = models.CharField(_("退出原因"), max_length=14, choices=ExitReason.choices, blank=True)
    exited_on = models.DateField(_("退出日期"), null=True, blank=True)
    status_note = models.CharField(_("说明"), max_length=300, blank=True)
    # Set by annual re-confirmation; cleared by a person who looked at it (kept, or exited).
    flag = models.CharField(_("复核提示"), max_length=14, choices=FlagReason.choices, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("享受对象")
        verbose_name_plural = _("享受对象")
        ordering = ["programme_id", "id"]
        indexes = [models.Index(fields=["programme", "status"], name="enrolment_programme_status")]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="enrolment_one_per_person"),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__gte=models.F("start_month") - 1),
                name="enrolment_months_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.person_id}"


class Cycle(models.Model):
    """A payment cycle: one programme, one period. Unique, so generating the same period twice is refused
    by the database as well as by the service."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cycles")
    period = models.CharField(_("发放期"), max_length=10)
    first_month = models.PositiveIntegerField()
    last_month = models.PositiveIntegerField()
    status = models.CharField(
        _("状态"), max_length=12, choices=CycleStatus.choices, default=CycleStatus.GENERATING
    )
    generated_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = TreeWideManager()  # guarded, seen up the tree: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("发放周期")
        verbose_name_plural = _("发放周期")
        ordering = ["programme_id", "-first_month"]
        constraints = [models.UniqueConstraint(fields=["programme", "period"], name="cycle_one_per_period")]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.period}"

    @property
    def period_name(self) -> str:
        """2026年11月, for headings (the label 2026-11 is for files and the API)."""
        return period_name(self.period)


class CycleApproval(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(_("意见"), max_length=300, blank=True)

    class Meta:
        ordering = ["cycle_id", "approved_at"]
        constraints = [models.UniqueConstraint(fields=["cycle", "approver"], name="cycleapproval_once_each")]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.approver_id}"


class Entitlement(models.Model):
    """What one beneficiary is owed for one period. Exactly one regular or arrears entitlement per
    person per programme per period (a database constraint); top-ups are separate, one per cycle."""

    # cycle and person have no index of their own: entitlement_cycle_status and entitlement_person_period
    # start with them. A cycle inserts 100,000s of rows at once, each into every index (issue 17).
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="entitlements", db_index=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="entitlements")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("所属期"), max_length=10)
    kind = models.CharField(
        _("类型"), max_length=10, choices=EntitlementKind.choices, default=EntitlementKind.REGULAR
    )
    months = models.PositiveSmallIntegerField(_("月数"))
    amount = models.DecimalField(_("应发金额"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=10, choices=EntitlementStatus.choices, default=EntitlementStatus.DUE
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("应发记录")
        verbose_name_plural = _("应发记录")
        ordering = ["cycle_id", "id"]
        indexes = [
            models.Index(fields=["cycle", "status"], name="entitlement_cycle_status"),
            models.Index(fields=["person", "period"], name="entitlement_person_period"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person", "period"],
                condition=Q(kind__in=["regular", "arrears"]),
                name="entitlement_one_per_person_period",
            ),
            models.UniqueConstraint(
                fields=["cycle", "person"],
                condition=Q(kind="top_up"),
                name="entitlement_one_top_up_per_cycle",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="entitlement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period} {self.amount}"


class PaymentBatch(models.Model):
    """Approved entitlements of one cycle for one bank. A follow-up batch re-issues failed payments."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="batches")
    number = models.CharField(_("批次号"), max_length=40, unique=True)
    bank_name = models.CharField(_("银行"), max_length=100)
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.CREATED
    )
    count = models.PositiveIntegerField(_("笔数"), default=0)
    total = models.DecimalField(_("总金额"), max_digits=16, decimal_places=2, default=0)
    checksum = models.CharField(_("校验码"), max_length=64, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)

    objects = TreeWideManager()  # guarded, seen up the tree: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def heading(self) -> str:
        """What a person reads as the batch's name: the programme and the period (特别扶助 2026年11月),
        not the batch number, which is a code for the bank file."""
        return f"{self.cycle.programme.name} {self.cycle.period_name}"


class ResultFile(models.Model):
    """A bank's result file, stored under its digest: importing the same file again changes nothing."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="result_files")
    file_name = models.CharField(_("文件名"), max_length=200)
    digest = models.CharField(_("文件摘要(SHA-256)"), max_length=64, unique=True)
    paid = models.PositiveIntegerField(_("成功笔数"), default=0)
    failed = models.PositiveIntegerField(_("失败笔数"), default=0)
    problems = models.JSONField(_("问题行"), default=list, blank=True)
    ledger_transaction = models.ForeignKey(
        "funds.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = TreeWideManager()  # guarded, seen up the tree: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class Payment(models.Model):
    """One line of a bank file. At most one live (pending or paid) payment per entitlement: a double click
    or a second batch cannot pay twice (a database constraint)."""

    # batch and person have no index of their own: payment_line_unique and payment_person_status start
    # with them. A batch inserts 100,000 payments at once, each into every index.
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="payments", db_index=False)
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="payments")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    line_no = models.PositiveIntegerField(_("行号"))
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    account_masked = models.CharField(_("银行账号"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    settled_on = models.DateField(_("到账/退回日期"), null=True, blank=True)
    result_file = models.ForeignKey(
        ResultFile, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["batch_id", "line_no"]
        indexes = [models.Index(fields=["person", "status"], name="payment_person_status")]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line_no"], name="payment_line_unique"),
            models.UniqueConstraint(
                fields=["entitlement"], condition=~Q(status="failed"), name="payment_one_live_per_entitlement"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.line_no}"
