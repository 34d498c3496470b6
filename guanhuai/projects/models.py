"""Association projects (协会项目): the frame, the lifecycle and the money.

- `ProjectType` is data: the activity kinds, venue kinds, participant fields, outcome indicators and
  approval steps of a kind of project live in its `config`, so a province adds a type in the UI, without code.
- `Project` belongs to one branch (`org_unit`, what scoping ranges over; the row follows its branch when the
  branch is merged, receivers.py) and covers an area (`ProjectArea`: the branches it serves).
- Its money is never stored: `ProjectFunding` links it to funds allocations (its share of each, or goods in
  kind), and `ProjectSpending` to the funds disbursements posted through `funds.ledger`; budget, allocated
  and spent are read from those rows and the ledger (selectors).

Activities, participants, beneficiaries and outcomes live in `models_outcomes.py`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.orgs.models import OrgUnit
from guanhuai.projects.states import (
    Decision,
    DocumentKind,
    FundingKind,
    GoodsUseStatus,
    ProjectStatus,
    Rating,
    ReportKind,
)

_USER = settings.AUTH_USER_MODEL

# The lists a project type's `config` holds, each a list of {"code", "label"} entries.
CONFIG_KEYS = (
    "activity_kinds",
    "venue_kinds",
    "participant_fields",
    "outcome_indicators",
    "approval_steps",
)


def _empty_config() -> dict[str, list[dict[str, str]]]:
    return {key: [] for key in CONFIG_KEYS}


class ProjectType(models.Model):
    """A kind of project (青春健康, 计生三结合 …). The five built-in types are written by
    `services.install_builtin_types()`; a province adds its own through the UI. `config` holds the lists in
    `CONFIG_KEYS`; `approval_steps` are levels of the tree ("county", "city", "province"), in order."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    is_builtin = models.BooleanField(_("内置类型"), default=False)
    active = models.BooleanField(_("可用"), default=True)
    config = models.JSONField(_("配置"), default=_empty_config)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目类型")
        verbose_name_plural = _("项目类型")
        ordering = ["-is_builtin", "pk"]

    def __str__(self) -> str:
        return self.name

    def entries(self, key: str) -> list[dict[str, str]]:
        """One list of the config ([] when absent), e.g. `entries("venue_kinds")`."""
        return list((self.config or {}).get(key) or [])

    def codes(self, key: str) -> list[str]:
        return [e["code"] for e in self.entries(key)]

    def label(self, key: str, code: str) -> str:
        """The label of one entry, in the reader's language for a built-in label (its code when the type no
        longer lists it)."""
        return next((gettext(e["label"]) for e in self.entries(key) if e["code"] == code), code)

    @property
    def approval_steps(self) -> list[str]:
        return self.codes("approval_steps")


class Project(models.Model):
    """One project of one branch, from proposal (申报) to closing (结项). `step` is the approval step the
    project waits at while under review (one of its type's `approval_steps`)."""

    type = models.ForeignKey(
        ProjectType, on_delete=models.PROTECT, related_name="projects", verbose_name=_("项目类型")
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("承担单位")
    )
    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=120)
    objectives = models.TextField(_("项目目标"), blank=True)
    area: models.ManyToManyField[OrgUnit, ProjectArea] = models.ManyToManyField(
        OrgUnit,
        through="ProjectArea",
        related_name="+",
        verbose_name=_("覆盖范围"),
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    step = models.CharField(_("当前审核环节"), max_length=16, blank=True)
    budget_total = models.DecimalField(_("预算总额"), max_digits=14, decimal_places=2, default=0)
    # {indicator code: target number}, codes from the type's outcome_indicators (or "participants" …).
    targets = models.JSONField(_("目标数"), default=dict, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Closing (结项): the approving level's evaluation.
    closed_at = models.DateTimeField(null=True, blank=True)
    evaluation = models.TextField(_("评估意见"), blank=True)
    rating = models.CharField(_("评估等级"), max_length=10, choices=Rating.choices, blank=True)
    evaluated_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The outcome figures as they were at closing (selectors/snapshot.py): a closed project reports these.
    outcome_snapshot = models.JSONField(_("结项时的成效数字"), null=True, blank=True, editable=False)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("协会项目")
        verbose_name_plural = _("协会项目")
        indexes = [
            models.Index(fields=["org_unit", "status"], name="project_unit_status"),
            models.Index(fields=["type", "start_date"], name="project_type_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="project_end_after_start"
            ),
            models.CheckConstraint(condition=Q(budget_total__gte=0), name="project_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectArea(models.Model):
    """One branch a project covers (its area, 实施范围): beneficiary households must live inside it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="area_rows")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "org_unit"], name="project_area_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.org_unit_id}"


class BudgetLine(models.Model):
    """One line of a proposal's budget (预算明细). The lines sum to the project's `budget_total`."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    item = models.CharField(_("预算科目"), max_length=100)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["project_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.item


class ProjectReview(models.Model):
    """One decision at one approval step: who, when, what and why. Never edited."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    step = models.CharField(_("环节"), max_length=16)
    decision = models.CharField(_("结论"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("意见"), blank=True)
    reviewer = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.step}:{self.decision}"


class ProjectFunding(models.Model):
    """A project's share of one funds allocation (co-funding: several rows from several funds), or goods in
    kind (no allocation; valued, described). Its spending can never exceed `amount` (services/money.py,
    under the fund's row lock), and the allocation's own remaining budget is the ledger's check."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="fundings")
    kind = models.CharField(_("类型"), max_length=8, choices=FundingKind.choices, default=FundingKind.CASH)
    allocation = models.ForeignKey(
        "funds.Allocation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("基金分配"),
    )
    amount = models.DecimalField(_("安排金额/估值"), max_digits=14, decimal_places=2)
    items = models.CharField(_("物资名称"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="project_funding_amount_positive"),
            models.UniqueConstraint(
                fields=["project", "allocation"],
                condition=Q(allocation__isnull=False),
                name="project_funding_one_per_allocation",
            ),
            models.CheckConstraint(
                condition=Q(kind=FundingKind.CASH, allocation__isnull=False)
                | Q(kind=FundingKind.IN_KIND, allocation__isnull=True),
                name="project_funding_cash_has_allocation",
            ),
        ]

    def __str__(self) -> str:
        return self.note or self.items or str(self.allocation_id)


class ProjectSpending(models.Model):
    """One payment of a project, out of one of its cash fundings: the funds disbursement it posted through
    the ledger. The amount is a copy of the disbursement's, for one-table sums per project."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="spendings")
    funding = models.ForeignKey(ProjectFunding, on_delete=models.PROTECT, related_name="spendings")
    disbursement = models.OneToOneField(
        "funds.Disbursement", on_delete=models.PROTECT, related_name="+", verbose_name=_("支出记录")
    )
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    spent_on = models.DateField(_("支出日期"))
    payee = models.CharField(_("收款方"), max_length=120)
    note = models.CharField(_("用途说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "spent_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="project_spending_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.amount}"


class ProjectGoodsUse(models.Model):
    """Goods a project used out of a fund's in-kind holding, at their receipt value: the funds distribution
    it posted through the ledger (services/money.py `project_use_goods`). The amount is a copy of the
    transaction's, for one-table sums per project; the money section reads the ledger."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="goods_uses")
    fund = models.ForeignKey("funds.Fund", on_delete=models.PROTECT, related_name="+", verbose_name=_("基金"))
    transaction = models.OneToOneField(
        "funds.LedgerTransaction", on_delete=models.PROTECT, related_name="+", verbose_name=_("记账凭证")
    )
    amount = models.DecimalField(_("物资价值"), max_digits=14, decimal_places=2)
    used_on = models.DateField(_("使用日期"))
    items = models.CharField(_("物资名称"), max_length=200)
    note = models.CharField(_("用途说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A use recorded in error is reversed (services/money.py `goods_use_reverse`): the ledger's reversal of
    # the distribution, who asked, when and why. Never edited otherwise, never deleted.
    status = models.CharField(
        _("状态"), max_length=10, choices=GoodsUseStatus.choices, default=GoodsUseStatus.RECORDED
    )
    reversal = models.OneToOneField(
        "funds.LedgerTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("冲销凭证"),
    )
    reversed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reversed_at = models.DateTimeField(_("冲销时间"), null=True, blank=True)
    reversal_reason = models.CharField(_("冲销原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["project_id", "used_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="project_goods_use_amount_positive"),
            models.CheckConstraint(
                condition=Q(
                    status=GoodsUseStatus.RECORDED,
                    reversal__isnull=True,
                    reversed_by__isnull=True,
                    reversed_at__isnull=True,
                )
                | (
                    Q(
                        status=GoodsUseStatus.REVERSED,
                        reversal__isnull=False,
                        reversed_by__isnull=False,
                        reversed_at__isnull=False,
                    )
                    & ~Q(reversal_reason="")
                ),
                name="project_goods_use_reversal_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.items


class Milestone(models.Model):
    """A milestone of the plan (里程碑): due on a date, done on another."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("里程碑"), max_length=120)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["project_id", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProjectReport(models.Model):
    """A progress report or the final report (结项报告), due on a date and submitted with a text. An
    unsubmitted report past its date is overdue: on the owner's work queue, and a project with an overdue
    final report cannot be closed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("报告类型"), max_length=10, choices=ReportKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    due_on = models.DateField(_("应交日期"))
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    body = models.TextField(_("报告内容"), blank=True)
    submitted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["project_id", "due_on", "pk"]
        indexes = [models.Index(fields=["submitted_on", "due_on"], name="project_report_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(kind=ReportKind.FINAL), name="project_one_final_report"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectDocument(models.Model):
    """A file of a project (photos, sign-in sheets, report attachments), checked on upload like the
    registry's: size, and content sniffed from its first bytes, never trusted from the name. `report` says
    which report it belongs to, when it belongs to one (an activity's photos link here from their side)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=10, choices=DocumentKind.choices)
    file = models.FileField(_("文件"), upload_to="projects/%Y/%m/")
    file_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    report = models.ForeignKey(
        ProjectReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    uploaded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "pk"]

    def __str__(self) -> str:
        return self.file_name


def type_config_errors(config: Any) -> list[str]:
    """Problems with a type's config (a dict of CONFIG_KEYS → list of {code, label}); [] when good. Used by
    the services before saving, so the UI says what is wrong instead of storing a broken type."""
    problems: list[str] = []
    if not isinstance(config, dict):
        return ["config"]
    for key in CONFIG_KEYS:
        entries = config.get(key, [])
        if not isinstance(entries, list):
            problems.append(key)
            continue
        codes = [e.get("code") if isinstance(e, dict) else None for e in entries]
        if any(not c or not isinstance(c, str) for c in codes) or len(set(codes)) != len(codes):
            problems.append(key)
        elif any(not (isinstance(e.get("label"), str) and e["label"].strip()) for e in entries):
            problems.append(key)
    return problems


from guanhuai.projects.models_happy import Nomination, NominationReview  # noqa: E402,F401  (models_happy.py)
from guanhuai.projects.models_outcomes import (  # noqa: E402,F401  (activities, beneficiaries, outcomes)
    Activity,
    ActivityRollup,
    AidAgreement,
    Beneficiary,
    IncomeKind,
    IncomeRecord,
    IncomeSource,
    ParticipantCount,
    SupportKind,
)
from guanhuai.projects.models_sites import SiteCheck  # noqa: E402,F401  (Warm Home checklist: models_sites.py)
