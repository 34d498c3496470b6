"""The sections of a project's page, named in one place. Each is a template under
`templates/projects/detail/` and, where it needs more than the project, a function returning its context
(called with the actor and the project, which was read through scoping). A new part of the app adds its
section with one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.projects import selectors, services
from guanhuai.projects.forms.projects import ReviewForm
from guanhuai.projects.models import Project
from guanhuai.projects.permissions import FUND, LOG_ACTIVITIES, PROPOSE, REVIEW, SPEND
from guanhuai.projects.states import EDITABLE, RUNNING, ProjectStatus

Context = Callable[[Actor, Project], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    template: str
    context: Context | None = None


def _lifecycle(actor: Actor, project: Project) -> dict[str, Any]:
    """The proposal's path, who decided what, and which buttons this actor has."""
    proposer = scoping.can(actor, PROPOSE, project.org_unit)
    me = getattr(actor, "pk", None)
    steps = services.steps_of(project)
    at_step = None
    if project.status == ProjectStatus.UNDER_REVIEW:
        unit = services.step_unit(project, project.step)
        at_step = unit is not None and scoping.can(actor, REVIEW, unit)
    approver = services.approving_unit(project)
    return {
        "steps": [(s, services.step_label(s)) for s in steps],
        "reviews": selectors.review_list(project),
        "budget_lines": project.budget_lines.all(),
        "area_units": [row.org_unit for row in project.area_rows.select_related("org_unit")],
        "target_rows": [
            (project.type.label("outcome_indicators", code), value)
            for code, value in (project.targets or {}).items()
        ],
        "can_edit": proposer and project.status in EDITABLE,
        "can_review": bool(at_step) and me not in (project.created_by_id, project.submitted_by_id),
        "review_form": ReviewForm(),
        "can_close": project.status in RUNNING
        and approver is not None
        and scoping.can(actor, REVIEW, approver)
        and me not in (project.created_by_id, project.submitted_by_id),
    }


def _money(actor: Actor, project: Project) -> dict[str, Any]:
    return {
        "money": selectors.project_money(project),
        "fundings": selectors.funding_list(project),
        "spendings": selectors.spending_list(project)[:50],
        "goods_uses": selectors.goods_use_list(project)[:50],
        "can_fund": project.status in RUNNING and scoping.can(actor, FUND, project.org_unit),
        "can_spend": project.status in RUNNING and scoping.can(actor, SPEND, project.org_unit),
        "can_open_goods": scoping.can(actor, SPEND, project.org_unit),
    }


def _plan(actor: Actor, project: Project) -> dict[str, Any]:
    return {
        "milestones": selectors.milestone_list(project),
        "reports": selectors.report_list(project),
        "today": timezone.localdate(),
        "can_plan": scoping.can(actor, PROPOSE, project.org_unit),
    }


def _documents(actor: Actor, project: Project) -> dict[str, Any]:
    return {
        "documents": selectors.document_list(project)[:60],
        "can_upload": scoping.can(actor, LOG_ACTIVITIES, project.org_unit),
    }


def _sites(actor: Actor, project: Project) -> dict[str, Any]:
    """The Warm Home "六有" checklist (empty for other types: the template then shows nothing)."""
    items = services.standard_items(project)
    if not items:
        return {"site_items": []}
    checks = {c.item: c for c in project.site_checks.select_related("evidence")}
    return {
        "site_items": [(e["code"], e["label"], checks.get(e["code"])) for e in items],
        "site_met": sum(1 for c in checks.values() if c.met),
        "site_evidence": list(project.documents.order_by("-pk")[:50])
        if scoping.can(actor, LOG_ACTIVITIES, project.org_unit)
        else [],
        "can_check": project.status in RUNNING and scoping.can(actor, LOG_ACTIVITIES, project.org_unit),
    }


def _activities(actor: Actor, project: Project) -> dict[str, Any]:
    return {
        "activities": selectors.activity_list(actor=actor, project=project)[:30],
        "can_log": project.status in services.RECORDING
        and bool(selectors.activity_places(actor=actor, project=project, limit=1)),
    }


def _outcomes(actor: Actor, project: Project) -> dict[str, Any]:
    return {
        "outcomes": selectors.project_outcomes(actor=actor, project=project),
        "selects_families": services.selects_families(project),
        "outcomes_frozen_at": (project.outcome_snapshot or {}).get("taken_at", "")[:10],
    }


def _happy(actor: Actor, project: Project) -> dict[str, Any]:
    """The Happy Family selection's counts by state and the links (only for a selecting type)."""
    if not services.selects_families(project):
        return {"selection": None}
    rows = selectors.nomination_list(actor=actor, project=project)
    return {
        "selection": selectors.nomination_counts(rows),
        "can_nominate": project.status in RUNNING and scoping.can_anywhere(actor, LOG_ACTIVITIES),
    }


SECTIONS: list[Section] = [
    Section("projects/detail/_overview.html"),
    Section("projects/detail/_lifecycle.html", _lifecycle),
    Section("projects/detail/_plan.html", _plan),
    Section("projects/detail/_documents.html", _documents),
    Section("projects/detail/_sites.html", _sites),
    Section("projects/detail/_money.html", _money),
    Section("projects/detail/_activities.html", _activities),
    Section("projects/detail/_outcomes.html", _outcomes),
    Section("projects/detail/_happy.html", _happy),
]


def section_context(actor: Actor, project: Project) -> dict[str, Any]:
    """Every section's context, merged (section functions name their keys so they do not collide)."""
    ctx: dict[str, Any] = {}
    for section in SECTIONS:
        if section.context is not None:
            ctx.update(section.context(actor, project))
    return ctx
