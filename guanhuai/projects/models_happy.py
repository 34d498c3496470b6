"""Happy Family selection (幸福家庭评选): a registry household nominated (提名) under a selecting project, with a
statement of evidence for each of the five criteria (`happy_rules.CRITERIA`), reviewed level by level and
finally named (命名). `NominationReview` keeps every decision (never edited). Whether a named family is
published is not stored here: it is the household head's consent in the registry (`ConsentPurpose.HONOURS`),
read at the moment of publishing, so a withdrawal takes effect at once (selectors/happy.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.projects.happy_rules import step_label
from guanhuai.projects.models import Project, ProjectDocument
from guanhuai.projects.states import NominationStatus, SelectionDecision

_USER = settings.AUTH_USER_MODEL


class Nomination(models.Model):
    """One household nominated under one project (at most once: a second submit is refused). `step` is the
    level (township, county, city …) the nomination waits at while under review."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="nominations")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    # {criterion code: statement of evidence} for every code of happy_rules.CRITERIA
    evidence = models.JSONField(_("事实依据"), default=dict)
    document = models.ForeignKey(
        ProjectDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=NominationStatus.choices, default=NominationStatus.UNDER_REVIEW
    )
    step = models.CharField(_("当前评审环节"), max_length=16, blank=True)
    nominated_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    nominated_at = models.DateTimeField(auto_now_add=True)
    named_at = models.DateTimeField(null=True, blank=True)
    # 撤销命名: who took the title back, when and why (the nomination and its reviews stay as they were)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revoke_reason = models.TextField(_("撤销理由"), blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("幸福家庭提名")
        verbose_name_plural = _("幸福家庭提名")
        ordering = ["project_id", "pk"]
        indexes = [models.Index(fields=["project", "status", "step"], name="nomination_project_status")]
        constraints = [
            models.UniqueConstraint(fields=["project", "household"], name="nomination_once_per_project"),
            models.CheckConstraint(
                condition=Q(status=NominationStatus.UNDER_REVIEW) | Q(step=""), name="nomination_step_open"
            ),
            models.CheckConstraint(
                condition=Q(named_at__isnull=True)
                | Q(status__in=[NominationStatus.NAMED, NominationStatus.REVOKED]),
                name="nomination_named_at_only_named",
            ),
            models.CheckConstraint(
                condition=Q(status=NominationStatus.REVOKED, revoked_at__isnull=False)
                | (~Q(status=NominationStatus.REVOKED) & Q(revoked_at__isnull=True)),
                name="nomination_revoked_at_only_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.household_id}"

    @property
    def step_display(self) -> str:
        return step_label(self.step) if self.step else ""


class NominationReview(models.Model):
    """One decision at one level: recommend (推荐), not recommend (不予推荐) or name (命名), with its comment."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="reviews")
    step = models.CharField(_("环节"), max_length=16)
    decision = models.CharField(_("结论"), max_length=16, choices=SelectionDecision.choices)
    comment = models.TextField(_("意见"), blank=True)
    reviewer = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nomination_id", "decided_at", "pk"]
        constraints = [
            # one decision per level: a replayed form finds the step decided
            models.UniqueConstraint(fields=["nomination", "step"], name="nomination_review_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id}:{self.step}:{self.decision}"

    @property
    def step_display(self) -> str:
        return step_label(self.step)
