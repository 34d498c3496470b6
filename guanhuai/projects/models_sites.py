"""Warm Home sites (暖心家园): the "六有" standard as a checklist with evidence. Each of the six items (有场地、
有标识、有制度、有计划、有活动、有管理) is met or not, and a met item names the document that shows it (a photo
of the venue, the rules on the wall, the plan …). The items are the Warm Home type's outcome indicators whose
codes start with `six_` (services/types.py), so a province that adds a seventh item adds it as data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager

SIX_PREFIX = "six_"


class SiteCheck(models.Model):
    """The latest check of one item of the standard at one Warm Home project: met or not, with its evidence.
    One row per project and item; a new check updates it and the audit log keeps the history."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="site_checks")
    item = models.CharField(_("标准项"), max_length=40)
    met = models.BooleanField(_("已达标"), default=False)
    evidence = models.ForeignKey(
        "projects.ProjectDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("佐证材料"),
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    checked_on = models.DateField(_("核查日期"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("暖心家园“六有”核查")
        verbose_name_plural = _("暖心家园“六有”核查")
        ordering = ["project_id", "item"]
        constraints = [
            models.UniqueConstraint(fields=["project", "item"], name="site_check_one_per_item"),
            models.CheckConstraint(
                condition=models.Q(met=False) | models.Q(evidence__isnull=False),
                name="site_check_met_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.item}"
