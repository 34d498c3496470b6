"""The projects app's items on the home page's work queue (`core/work.py` says how items work)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.work import WorkItem, register
from guanhuai.projects import selectors
from guanhuai.projects.permissions import PROPOSE, REVIEW, SELECT_FAMILIES

PROJECTS = _("协会项目")


@register("projects.reports_overdue", order=760, group=PROJECTS)
def reports_overdue(actor: Actor) -> WorkItem | None:
    """Progress and final reports past their date, of the projects the actor's branches run: the owner's
    to hand in. Hidden when none is late."""
    if not scoping.can_anywhere(actor, PROPOSE):
        return None
    n = selectors.overdue_reports(actor=actor).count()
    if not n:
        return None
    return WorkItem(label=_("逾期未交的项目报告"), count=n, url=reverse("projects:overdue"), tone="warning")


@register("projects.to_review", order=750, group=PROJECTS)
def to_review(actor: Actor) -> WorkItem | None:
    """Proposals waiting at the actor's level (never their own)."""
    if not scoping.can_anywhere(actor, REVIEW):
        return None
    n = selectors.projects_to_review(actor=actor).count()
    return WorkItem(
        label=_("待审批的项目申报"),
        count=n,
        url=reverse("projects:list") + "?status=under_review&mine=review",
    )


@register("projects.families_to_review", order=755, group=PROJECTS)
def families_to_review(actor: Actor) -> WorkItem | None:
    """Happy Family nominations waiting at the actor's level, in their branches, not their own. Hidden when
    none waits (most reviewers never see a selection)."""
    if not scoping.can_anywhere(actor, SELECT_FAMILIES):
        return None
    n = selectors.nomination_list(actor=actor, to_review=True).count()
    if not n:
        return None
    return WorkItem(
        label=_("待评审的幸福家庭提名"), count=n, url=reverse("projects:nominations_all") + "?mine=1"
    )
