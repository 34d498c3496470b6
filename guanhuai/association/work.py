"""The association app's items on the home page's work queue (`core/work.py` says how items work)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping
from guanhuai.association.permissions import MANAGE_CARE, VIEW_CARE
from guanhuai.association.selectors import care as care_selectors
from guanhuai.core.work import WorkItem, register

CARE = _("特殊家庭关爱")


@register("association.follow_ups_overdue", order=700, group=CARE)
def follow_ups_overdue(actor: Any) -> WorkItem | None:
    """The actor's own visit follow-ups past their date."""
    if not scoping.can_anywhere(actor, VIEW_CARE):
        return None
    n = care_selectors.overdue_follow_ups(actor=actor).count()
    return WorkItem(
        label=_("逾期的走访跟进"), count=n, url=reverse("association:care_follow_ups"), tone="warning"
    )


@register("association.families_without_liaison", order=710, group=CARE)
def families_without_liaison(actor: Any) -> WorkItem | None:
    """Special families in the actor's area with no liaison in force today (the first of the three
    coverages a county checks)."""
    if not scoping.can_anywhere(actor, MANAGE_CARE):
        return None
    n = care_selectors.coverage_gaps(actor=actor, gap="liaison").count()
    return WorkItem(
        label=_("无结对联系人的特殊家庭"), count=n, url=reverse("association:care_gaps") + "?gap=liaison"
    )
