"""What a project did and what it changed: activities with their participants, beneficiary households, aid
agreements (帮扶协议), income records, and Youth Health knowledge scores.

- `Activity`: one event of a project (kind and venue kind from its type's config), held at a branch of the
  project's area on a date inside the project's dates. Its `participants` total must equal the breakdown in
  `ParticipantCount` (one row per participant field of the type: by sex, by age band, peer educators …).
  Youth Health activities carry the questionnaire's mean scores before and after (`knowledge_pre`,
  `knowledge_post`) and how many answered (`respondents`), so means aggregate weighted, in SQL.
- `Beneficiary`: a registry household a project helps (scoped through the household's branch; refused
  outside the project's area). `AidAgreement`: the support given to it. `IncomeRecord`: its net income at
  the baseline and at each yearly follow-up. The gain is never typed: `services.rollup` computes it from
  the income records, in the transaction that records one, and keeps it on the `Beneficiary` row
  (`income_*`), so that a report reads each household's gain instead of recomputing it.
- `ActivityRollup`: the activities of a project summed per place, venue kind and year, kept by
  `services.rollup` in the transaction that logs an activity; the province report reads it instead of
  scanning every activity (docs/projects.md, "The rollups").

Choices live here (not in states.py): these rows have no lifecycle of their own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.projects.models import Project, ProjectDocument

_USER = settings.AUTH_USER_MODEL


class SupportKind(models.TextChoices):
    CASH = "cash", _("现金扶持")
    GOODS = "goods", _("物资扶持")
    LOAN_GUARANTEE = "loan_guarantee", _("贷款担保")
    SKILLS_TRAINING = "skills_training", _("技能培训")
    MARKET_LINK = "market_link", _("产销对接")


class IncomeKind(models.TextChoices):
    BASELINE = "baseline", _("基线（帮扶前）")
    FOLLOW_UP = "follow_up", _("年度跟踪")


class IncomeSource(models.TextChoices):
    SURVEY = "survey", _("入户调查")
    VILLAGE_RECORD = "village_record", _("村级台账")


class Activity(models.Model):
    """One activity of a project (同伴教育、家长课堂 …), logged by whoever logs the project's activities."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("活动类型"), max_length=40)
    venue_kind = models.CharField(_("场所类型"), max_length=40)
    venue_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("活动地点所在单位")
    )
    venue_name = models.CharField(_("场所名称"), max_length=120)
    held_on = models.DateField(_("活动日期"))
    description = models.TextField(_("活动内容"), blank=True)
    participants = models.PositiveIntegerField(_("参与人数"))
    respondents = models.PositiveIntegerField(_("答卷人数"), default=0)
    knowledge_pre = models.DecimalField(
        _("前测平均分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    knowledge_post = models.DecimalField(
        _("后测平均分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    photos = models.ManyToManyField(ProjectDocument, blank=True, related_name="activities")
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("项目活动")
        verbose_name_plural = _("项目活动")
        ordering = ["project_id", "-held_on", "-pk"]
        indexes = [
            models.Index(fields=["project", "held_on"], name="activity_project_held"),
            models.Index(fields=["held_on", "venue_kind"], name="activity_held_venue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(respondents__lte=models.F("participants")), name="activity_respondents_le_total"
            ),
            models.CheckConstraint(
                condition=Q(knowledge_pre__isnull=True) | Q(knowledge_pre__gte=0, knowledge_pre__lte=100),
                name="activity_pre_score_range",
            ),
            models.CheckConstraint(
                condition=Q(knowledge_post__isnull=True) | Q(knowledge_post__gte=0, knowledge_post__lte=100),
                name="activity_post_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.venue_name}"


class ParticipantCount(models.Model):
    """One number of an activity's participant breakdown: a participant field of the type and its count."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="counts")
    field = models.CharField(_("参与人字段"), max_length=40)
    count = models.PositiveIntegerField(_("人数"))

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "field"], name="participant_count_unique"),
            models.CheckConstraint(condition=Q(count__gte=0), name="participant_count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.field}={self.count}"


class Beneficiary(models.Model):
    """A registry household a project helps (受益户). Read through the household's scope."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    # Derived from the income records by `services.rollup.gains_refresh` (never typed, never set elsewhere):
    # the baseline and its year, the latest follow-up and its year, and the gain per year (NULL: no
    # baseline, or no follow-up yet).
    income_baseline = models.DecimalField(
        _("基线年纯收入"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    income_baseline_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    income_latest = models.DecimalField(
        _("最近跟踪年纯收入"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    income_latest_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    income_gain = models.DecimalField(
        _("户年均增收"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("受益户")
        verbose_name_plural = _("受益户")
        ordering = ["project_id", "pk"]
        indexes = [
            # the report's median: one index range over the few gains of the group that holds it
            models.Index(fields=["income_gain"], name="beneficiary_gain"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "household"], name="beneficiary_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.household_id}"


class ActivityRollup(models.Model):
    """The activities of one project held at one place, of one venue kind, in one year, summed (derived
    data: `services.rollup.activities_refresh` rewrites a project's rows from its activities). The
    questionnaire's weighted sums are kept in hundredths of a point (a score has two decimals), so that
    they add up exactly on SQLite too; `respondents` counts only the activities with both scores, as the
    weighted means do. The place is kept, not its city: a branch moved to another city moves its rows."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    venue_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    venue_kind = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    activities = models.PositiveIntegerField()
    participants = models.PositiveBigIntegerField()
    respondents = models.PositiveBigIntegerField()
    pre_hundredths = models.PositiveBigIntegerField()
    post_hundredths = models.PositiveBigIntegerField()

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("项目活动汇总")
        verbose_name_plural = _("项目活动汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "venue_unit", "venue_kind", "year"], name="activity_rollup_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.year}:{self.venue_kind}"


class AidAgreement(models.Model):
    """A 帮扶协议 with a beneficiary household: what support, worth how much, signed when."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="agreements")
    support_kind = models.CharField(_("帮扶方式"), max_length=20, choices=SupportKind.choices)
    amount = models.DecimalField(_("金额/折价"), max_digits=12, decimal_places=2, default=0)
    signed_on = models.DateField(_("签订日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("帮扶协议")
        verbose_name_plural = _("帮扶协议")
        ordering = ["beneficiary_id", "signed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="aid_agreement_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.support_kind} {self.amount}"


class IncomeRecord(models.Model):
    """A beneficiary household's net income (家庭年纯收入) at the baseline or at a yearly follow-up."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="incomes")
    kind = models.CharField(_("类型"), max_length=10, choices=IncomeKind.choices)
    recorded_on = models.DateField(_("调查日期"))
    net_income = models.DecimalField(_("家庭年纯收入"), max_digits=12, decimal_places=2)
    source = models.CharField(_("数据来源"), max_length=20, choices=IncomeSource.choices)
    document = models.ForeignKey(
        ProjectDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("收入记录")
        verbose_name_plural = _("收入记录")
        ordering = ["beneficiary_id", "recorded_on", "pk"]
        indexes = [
            models.Index(fields=["beneficiary", "kind", "recorded_on"], name="income_benef_kind_on"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary"], condition=Q(kind="baseline"), name="income_one_baseline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.recorded_on} {self.net_income}"
