"""Programmes (definitions and their rules as data) and what families ask of them: applications with
their documents and review, village public notices with objections, grievances."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.programmes.states import (
    DEFAULT_STEPS,
    ApplicationStatus,
    Benefit,
    Decision,
    DocumentKind,
    FundingSource,
    GrievanceStatus,
    NoticeNames,
    NoticeStatus,
    ObjectionChannel,
    ObjectionIdentity,
    ObjectionStatus,
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
    objection_identity = models.CharField(
        _("网上异议是否实名"),
        max_length=10,
        choices=ObjectionIdentity.choices,
        default=ObjectionIdentity.OPTIONAL,
    )
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

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

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

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

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
    # An objection filed on the public portal has no clerk who recorded it: its channel says so, and a
    # check below keeps every other objection's clerk.
    channel = models.CharField(
        _("受理渠道"), max_length=10, choices=ObjectionChannel.choices, default=ObjectionChannel.COUNTER
    )
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(resolution=""), name="objection_resolution_required"
            ),
            models.CheckConstraint(
                condition=Q(channel="online") | Q(recorded_by__isnull=False),
                name="objection_counter_has_clerk",
            ),
        ]

    def __str__(self) -> str:
        return self.content[:30]


class Grievance(models.Model):
    """A complaint (投诉/信访) about an application or a payment."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="grievances"
    )
    payment = models.ForeignKey(
        "programmes.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="grievances"
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
