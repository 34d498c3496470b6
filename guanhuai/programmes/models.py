"""Assistance programmes: definitions and rules as data, applications and their review, public notices
with objections, enrolments, payment cycles with entitlements, payment batches and bank results.

Every row that belongs to a family carries `org_unit`, the village-level branch, so scoping is one indexed
range on the branch path (accounts/scoping.py), like everywhere else. Months are integer indexes
(programmes/periods.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.programmes.periods import period_name
from guanhuai.programmes.states import (
    DEFAULT_STEPS,
    ApplicationStatus,
    BatchStatus,
    Benefit,
    CycleStatus,
    Decision,
    DocumentKind,
    EnrolmentStatus,
    EntitlementKind,
    EntitlementStatus,
    ExitReason,
    FlagReason,
    FundingSource,
    GrievanceStatus,
    NoticeNames,
    NoticeStatus,
    ObjectionStatus,
    PaymentStatus,
    Period,
    ProRata,
    Target,
)

_USER = settings.AUTH_USER_MODEL


def _default_steps() -> list[str]:
    return list(DEFAULT_STEPS)


class Programme(models.Model):
    code = models.SlugField(_("项目代码"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=120)
    legal_basis = models.CharField(_("政策依据"), max_length=300)
    description = models.TextField(_("说明"), blank=True)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("主管组织")
    )
    target = models.CharField(_("扶助对象"), max_length=10, choices=Target.choices, default=Target.PERSON)
    benefit = models.CharField(_("待遇形式"), max_length=10, choices=Benefit.choices, default=Benefit.CASH)
    period = models.CharField(_("发放周期"), max_length=10, choices=Period.choices, default=Period.MONTHLY)
    pro_rata = models.CharField(_("不足整期"), max_length=10, choices=ProRata.choices, default=ProRata.NONE)
    # Entitled from this month at the earliest (e.g. the childcare subsidy counts from 2025-01).
    counts_from = models.DateField(_("起算日期"), null=True, blank=True)
    # Entitled only while the beneficiary is younger than this many months (childcare: 36).
    age_limit_months = models.PositiveSmallIntegerField(_("享受至(月龄)"), null=True, blank=True)
    funding_source = models.CharField(
        _("资金来源"), max_length=10, choices=FundingSource.choices, default=FundingSource.BUDGET
    )
    # The money: an allocation of a fund (a donated fund, or a fund that records a government budget line).
    allocation = models.ForeignKey(
        "funds.Allocation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("资金分配"),
    )
    budget_line = models.CharField(_("预算科目"), max_length=120, blank=True)
    steps = models.JSONField(_("审核环节"), default=_default_steps)
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    # The printed notice hangs in the village, where neighbours must recognise whom it names in order to
    # object; the portal is read by anyone, so it always shows the surname only (docs/programmes.md).
    notice_names = models.CharField(
        _("纸质公示姓名显示"), max_length=10, choices=NoticeNames.choices, default=NoticeNames.KEEP_LAST
    )
    objection_phone = models.CharField(_("异议受理电话"), max_length=40, blank=True)
    approvals_required = models.PositiveSmallIntegerField(_("发放审批人数"), default=2)
    template = models.CharField(_("模板"), max_length=40, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("扶助项目")
        verbose_name_plural = _("扶助项目")
        ordering = ["org_unit_id", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(notice_days__gte=1), name="programme_notice_days_positive"),
            models.CheckConstraint(
                condition=Q(approvals_required__gte=1), name="programme_approvers_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleVersion(models.Model):
    """An eligibility rule of a programme, in the rule language (programmes/rules.py). Versions are never
    edited: saving a rule adds the next version; the newest one is in force."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rule_versions")
    version = models.PositiveIntegerField(_("版本"))
    rule = models.JSONField(_("资格条件"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "version"], name="ruleversion_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} v{self.version}"


class AmountRule(models.Model):
    """An amount per period, valid for dates [valid_from, valid_to], for beneficiaries who meet
    `condition` (the rule language; {} means everyone). When several match, the lowest `priority`
    wins. Amount histories are rows, never constants in code."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="amount_rules")
    label = models.CharField(_("标准名称"), max_length=80)
    condition = models.JSONField(_("适用条件"), default=dict, blank=True)
    amount = models.DecimalField(_("每期金额"), max_digits=12, decimal_places=2)
    valid_from = models.DateField(_("执行起始"))
    valid_to = models.DateField(_("执行截止"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        ordering = ["programme_id", "-valid_from", "priority"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="amountrule_amount_positive"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="amountrule_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.amount}"


class PublicNotice(models.Model):
    """A village's public notice (公示) of one or more applications. Objections may be recorded while it
    is open; every objection must be resolved before its application moves on."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("公示村(社区)")
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("标题"), max_length=120)
    opens_on = models.DateField(_("公示开始"))
    closes_on = models.DateField(_("公示截止"))
    status = models.CharField(
        _("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN
    )
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="notice_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    # For a couple programme, the spouse enrolled with the applicant; for a household one, the household.
    spouse = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("配偶"),
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    step = models.CharField(_("当前环节"), max_length=10, blank=True)  # a programme step while under review
    notice = models.ForeignKey(
        PublicNotice, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    start_month = models.PositiveIntegerField(_("享受起始月"), null=True, blank=True)  # month index
    reason = models.TextField(_("申请理由"), blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("扶助申请")
        verbose_name_plural = _("扶助申请")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "step", "org_unit"], name="application_queue"),
            models.Index(fields=["programme", "person"], name="application_programme_person"),
        ]
        constraints = [
            # One live application per person per programme: a second while one is open is refused.
            models.UniqueConstraint(
                fields=["programme", "person"],
                condition=Q(status__in=["draft", "under_review", "in_public_notice", "returned"]),
                name="application_one_open_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.person_id}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("文件"), upload_to="applications/%Y/%m/")
    file_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return self.file_name


class ReviewDecision(models.Model):
    """One decision at one level: who, when, what and why. Never edited."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField(_("环节"), max_length=10)
    decision = models.CharField(_("结论"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("意见"), blank=True)
    reviewer = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="pass") | ~Q(comment=""), name="decision_reason_required"
            )
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.decision}"


class Objection(models.Model):
    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="objections")
    raised_by = models.CharField(_("异议人"), max_length=50, blank=True)  # may be anonymous
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    content = models.TextField(_("异议内容"))
    received_on = models.DateField(_("收到日期"))
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(resolution=""), name="objection_resolution_required"
            )
        ]

    def __str__(self) -> str:
        return self.content[:30]


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


class Grievance(models.Model):
    """A complaint (投诉/信访) about an application or a payment."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="grievances"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="grievances"
    )
    complainant = models.CharField(_("投诉人"), max_length=50)
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    content = models.TextField(_("投诉内容"))
    status = models.CharField(
        _("状态"), max_length=12, choices=GrievanceStatus.choices, default=GrievanceStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("承办人")
    )
    resolution = models.TextField(_("办理结果"), blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(application__isnull=False) | Q(payment__isnull=False),
                name="grievance_has_subject",
            )
        ]

    def __str__(self) -> str:
        return self.content[:30]
