"""Reads for the work queue and a project's page: its fundings, spending, milestones, reports, documents and
review history; the reports overdue in the actor's branches; the projects waiting at the actor's level."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.orgs import paths
from guanhuai.orgs.models import LEVEL_ORDER
from guanhuai.projects.models import (
    Milestone,
    Project,
    ProjectArea,
    ProjectDocument,
    ProjectFunding,
    ProjectGoodsUse,
    ProjectReport,
    ProjectReview,
    ProjectSpending,
)
from guanhuai.projects.permissions import LOG_ACTIVITIES, PROPOSE, REVIEW, VIEW
from guanhuai.projects.states import ProjectStatus

R = TypeVar("R", ProjectFunding, Milestone, ProjectReport, ProjectDocument)


def funding_list(project: Project) -> QuerySet[ProjectFunding]:
    """A project's fundings (the caller holds the project, read through scoping)."""
    return project.fundings.select_related("allocation__fund").order_by("pk")


def spending_list(project: Project) -> QuerySet[ProjectSpending]:
    return project.spendings.select_related("funding__allocation", "disbursement").order_by(
        "-spent_on", "-pk"
    )


def goods_use_list(project: Project) -> QuerySet[ProjectGoodsUse]:
    return project.goods_uses.select_related("fund", "reversed_by", "reversal").order_by("-used_on", "-pk")


def goods_use_get(project: Project, use_id: Any) -> ProjectGoodsUse:
    """One goods use of a project the caller read through scoping; another project's use, or none, is the
    same 404."""
    try:
        return goods_use_list(project).select_related("project__org_unit", "transaction").get(pk=int(use_id))
    except (ProjectGoodsUse.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。")) from None


def milestone_list(project: Project) -> QuerySet[Milestone]:
    return project.milestones.order_by("due_on", "pk")


def report_list(project: Project) -> QuerySet[ProjectReport]:
    return project.reports.select_related("submitted_by").order_by("due_on", "pk")


def review_list(project: Project) -> QuerySet[ProjectReview]:
    return project.reviews.select_related("reviewer").order_by("decided_at", "pk")


def document_list(project: Project) -> QuerySet[ProjectDocument]:
    return project.documents.select_related("uploaded_by", "report").order_by("-pk")


# A project is carried out where its area is (实施范围), not only by the branch that owns it: a county's
# Youth Health project runs in the township schools. Whoever logs activities at a branch of the area (a
# township cadre, a village clerk) implements it there, once it is approved: they see the project and log
# the activities of their own branches (`services.activity_log` checks the place). Scope stays downward for
# everything else: money, review, reports and the province report follow the owning branch.
IMPLEMENTING = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.CLOSED)


def implementing_q(actor: Actor, *, prefix: str = "", perm: str = LOG_ACTIVITIES) -> Q:
    """Projects (through `prefix`, e.g. "project__") that the actor implements: approved, running or closed,
    with an area branch at, above or below a branch where the actor holds projects.log_activities (or `perm`:
    a Happy Family reviewer of a county reaches its city's selection project the same way)."""
    roots = scoping.root_paths(actor, perm)
    if roots is None:
        return Q()
    if not roots:
        return Q(**{f"{prefix}pk__in": []})
    around = {a for r in roots for a in (r, *paths.ancestors(r))}
    areas = ProjectArea.objects.filter(
        Q(org_unit__path__in=around) | scoping.path_q(actor, perm, path_field="org_unit__path")
    ).values("project_id")
    return Q(**{f"{prefix}status__in": IMPLEMENTING, f"{prefix}pk__in": areas})


def _project_record(qs: QuerySet[R], actor: Actor, record_id: Any) -> R:
    """A record of a project the actor may see (its branch's, or one they implement): the same 404 for
    missing and forbidden."""
    own = scoping.path_q(actor, VIEW, path_field="project__org_unit__path")
    try:
        return scoping.mark_scoped(qs.filter(own | implementing_q(actor, prefix="project__"))).get(
            pk=int(record_id)
        )
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。")) from None


def funding_get(*, actor: Actor, funding_id: Any) -> ProjectFunding:
    qs = ProjectFunding.objects.select_related("project__org_unit", "allocation__fund")
    return _project_record(qs, actor, funding_id)


def milestone_get(*, actor: Actor, milestone_id: Any) -> Milestone:
    return _project_record(Milestone.objects.select_related("project__org_unit"), actor, milestone_id)


def report_get(*, actor: Actor, report_id: Any) -> ProjectReport:
    return _project_record(ProjectReport.objects.select_related("project__org_unit"), actor, report_id)


def document_get(*, actor: Actor, document_id: Any) -> ProjectDocument:
    return _project_record(ProjectDocument.objects.select_related("project__org_unit"), actor, document_id)


def overdue_reports(*, actor: Actor) -> QuerySet[ProjectReport]:
    """Reports not in by their date, of running projects of the branches where the actor runs projects."""
    qs = ProjectReport.objects.filter(
        submitted_on__isnull=True,
        due_on__lt=timezone.localdate(),
        project__status__in=[ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS],
    )
    return (
        scoping.scope(qs, actor, PROPOSE, unit_field="project__org_unit")
        .select_related("project__org_unit")
        .order_by("due_on", "pk")
    )


def reviewable_q(actor: Actor) -> Q:
    """Projects under review whose current step the actor may act at: under one of their projects.review
    roots, at a step of that root's level or below it. Closed by default (no roots: nothing)."""
    roots = scoping.root_levels(actor, REVIEW)
    if roots is None:
        return Q(status=ProjectStatus.UNDER_REVIEW)
    q = Q(pk__in=[])
    for path, level in roots.items():
        levels = [lv for lv, rank in LEVEL_ORDER.items() if rank >= LEVEL_ORDER[level]]
        q |= Q(org_unit__path__startswith=path, step__in=levels)
    return Q(status=ProjectStatus.UNDER_REVIEW) & q


def projects_to_review(*, actor: Actor) -> QuerySet[Project]:
    """Proposals waiting at a step the actor may act at, other than their own (segregation of duties)."""
    me = getattr(actor, "pk", None)
    return (
        scoping.scope(Project.objects.filter(reviewable_q(actor)), actor, VIEW)
        .exclude(created_by_id=me)
        .exclude(submitted_by_id=me)
        .select_related("type", "org_unit")
        .order_by("submitted_at", "pk")
    )
