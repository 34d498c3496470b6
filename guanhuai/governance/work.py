"""The governance app's items on the home page's work queue (`core/work.py` says how items work): the
township reviewer's filings awaiting review, a village's filings returned for correction, demonstration
applications waiting at the reviewer's own level, and designations whose re-evaluation has fallen due.
Orders 800–899 are governance's."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.work import WorkItem, register
from guanhuai.governance import designation_rules, selectors
from guanhuai.governance.permissions import APPLY_DESIGNATION, DRAFT, REVIEW_FILING
from guanhuai.governance.states import FilingStatus

GOVERNANCE = _("村民自治")


@register("governance.filings_to_review", order=800, group=GOVERNANCE)
def filings_to_review(actor: Actor) -> WorkItem | None:
    if not scoping.can_anywhere(actor, REVIEW_FILING):
        return None
    n = selectors.filing_list(actor=actor, status=FilingStatus.SUBMITTED, perm=REVIEW_FILING).count()
    return WorkItem(
        label=_("待审查的备案"),
        count=n,
        url=reverse("governance:filings") + f"?status={FilingStatus.SUBMITTED}",
    )


@register("governance.filings_returned", order=810, group=GOVERNANCE)
def filings_returned(actor: Actor) -> WorkItem | None:
    if not scoping.can_anywhere(actor, DRAFT):
        return None
    n = selectors.filing_list(actor=actor, status=FilingStatus.RETURNED, perm=DRAFT).count()
    return WorkItem(
        label=_("被退回修改的备案"),
        count=n,
        url=reverse("governance:filings") + f"?status={FilingStatus.RETURNED}",
        tone="warning" if n else "",
    )


@register("governance.designations_to_review", order=820, group=GOVERNANCE)
def designations_to_review(actor: Actor) -> WorkItem | None:
    """Applications waiting at a level the actor decides, not all those in review in their scope."""
    if not any(scoping.can_anywhere(actor, p) for p in set(designation_rules.STEP_PERMISSIONS.values())):
        return None
    n = selectors.application_list(actor=actor, awaiting_me=True).count()
    return WorkItem(
        label=_("待我审核的示范评定申报"), count=n, url=reverse("governance:designations") + "?awaiting=1"
    )


@register("governance.reevaluations_due", order=830, group=GOVERNANCE)
def reevaluations_due(actor: Actor) -> WorkItem | None:
    """Designations whose expiry is within the re-evaluation period: the village (or county) applies again,
    or lets it lapse."""
    if not scoping.can_anywhere(actor, APPLY_DESIGNATION):
        return None
    n = selectors.designation_list(actor=actor, due_by=timezone.localdate()).count()
    return WorkItem(
        label=_("到期前待复评的评定（%(days)s天内到期）") % {"days": designation_rules.REEVALUATION_DAYS},
        count=n,
        url=reverse("governance:designations"),
        tone="warning" if n else "",
    )
