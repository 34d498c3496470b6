"""Filing (备案) of an adopted charter or village rules with the township government, which may order
corrections where a text breaks the law (村民委员会组织法 art. 27). One `Filing` per submission case of a
document: submitted → returned for correction (naming the clauses) → resubmitted → filed. Its `events` are
the log, each naming the version it concerned, so the history survives a resubmission with a new version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.governance.states import FilingAction, FilingStatus


class Filing(models.Model):
    # The village, copied from the document so the township's queue is one indexed range (scoping).
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)")
    )
    document = models.ForeignKey(
        "governance.Document", on_delete=models.PROTECT, related_name="filings", verbose_name=_("文本")
    )
    version = models.ForeignKey(
        "governance.DocumentVersion",
        on_delete=models.PROTECT,
        related_name="filings",
        verbose_name=_("报送的版本"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("报送时间"))
    decided_at = models.DateTimeField(_("审查时间"), null=True, blank=True)
    # The clause numbers named when returned (the latest return), and the reviewer's reasons.
    returned_clauses = models.JSONField(_("需修改的条款"), default=list, blank=True)
    return_reason = models.CharField(_("退回理由"), max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("备案")
        verbose_name_plural = _("备案")
        indexes = [models.Index(fields=["status", "submitted_at"], name="gov_filing_queue")]
        constraints = [
            # One open case per document: a second submission while one is under review is refused.
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(status__in=[FilingStatus.SUBMITTED, FilingStatus.RETURNED]),
                name="gov_filing_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.version.number}"


class FilingEvent(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("事项"), max_length=12, choices=FilingAction.choices)
    version = models.ForeignKey("governance.DocumentVersion", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    clauses = models.JSONField(_("条款"), default=list, blank=True)
    # The legal-review warnings at the time ([{clause, code, title}]), as the reviewer saw them.
    warnings = models.JSONField(_("审查提示"), default=list, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["filing", "at", "pk"]

    def __str__(self) -> str:
        return self.get_action_display()
