"""Demonstration villages and counties (示范村/县): an application with its self-assessed 五有 evidence and
the indicators read at submission, the decisions of each review level, and the designation it leads to, with
its validity period. `Designation` rows in force are the branch group "demonstration (qualified) villages"
that reports slice by (selectors/designations.py). Criteria are data: `designation_rules.py`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.governance.states import (
    ApplicationStatus,
    DesignationStatus,
    DesignationStep,
    Rating,
    ReviewDecisionKind,
)


class DesignationApplication(models.Model):
    # The village or county applying; scoping ranges over it.
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("申报单位")
    )
    rating = models.CharField(_("申报等级"), max_length=16, choices=Rating.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.UNDER_REVIEW
    )
    step = models.CharField(_("审核环节"), max_length=12, choices=DesignationStep.choices, blank=True)
    # {code: {"met": bool, "evidence": str}} for each of the 五有 (designation_rules.FIVE_HAVES)
    evidence = models.JSONField(_("自评及佐证"), default=dict)
    # [{code, value, met}] as read from the platform at submission (designation_rules.INDICATORS)
    indicators = models.JSONField(_("指标"), default=list)
    note = models.CharField(_("申报说明"), max_length=1000, blank=True)
    # The designation it renews (a re-evaluation), if any.
    renews = models.ForeignKey(
        "governance.Designation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("申报时间"))
    decided_at = models.DateTimeField(_("审核完成时间"), null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("示范评定申报")
        verbose_name_plural = _("示范评定申报")
        indexes = [models.Index(fields=["status", "step", "submitted_at"], name="gov_dapp_queue")]
        constraints = [
            # Applying twice: one application in review per branch.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(status="under_review"), name="gov_dapp_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_rating_display()}"

    @property
    def org_unit_id(self) -> int:
        """The branch of its audit entries (`audit.services.log_many` reads `org_unit_id`)."""
        return self.unit_id


class DesignationReview(models.Model):
    """One decision at one level: who, when, what and why. Never edited."""

    application = models.ForeignKey(DesignationApplication, on_delete=models.CASCADE, related_name="reviews")
    step = models.CharField(_("环节"), max_length=12, choices=DesignationStep.choices)
    decision = models.CharField(_("结论"), max_length=8, choices=ReviewDecisionKind.choices)
    comment = models.CharField(_("意见"), max_length=1000, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["application", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.get_decision_display()}"


class Designation(models.Model):
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    rating = models.CharField(_("等级"), max_length=16, choices=Rating.choices)
    application = models.OneToOneField(
        DesignationApplication, on_delete=models.PROTECT, related_name="designation"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=DesignationStatus.choices, default=DesignationStatus.IN_FORCE
    )
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销理由"), max_length=1000, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("示范评定")
        verbose_name_plural = _("示范评定")
        indexes = [models.Index(fields=["status", "valid_until"], name="gov_designation_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(status="in_force"), name="gov_designation_one_in_force"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="gov_designation_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_rating_display()}"

    @property
    def org_unit_id(self) -> int:
        """The branch of its audit entries (`audit.services.log_many` reads `org_unit_id`)."""
        return self.unit_id
