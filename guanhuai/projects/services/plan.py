"""Milestones and reports of a project: the plan the branch keeps, and the reports it owes. An unsubmitted
report past its date is overdue: it shows on the work queue of whoever runs projects at the branch, and it
blocks closing (lifecycle.project_close)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.core.errors import Conflict, InvalidTransition, ValidationError
from guanhuai.core.locks import relock
from guanhuai.projects.models import Milestone, Project, ProjectReport
from guanhuai.projects.permissions import PROPOSE, VIEW
from guanhuai.projects.services.common import audit, lock, today
from guanhuai.projects.states import RUNNING, ProjectStatus, ReportKind

# Milestones may be planned from the proposal on; reports are owed once the project is approved.
PLANNING = frozenset({ProjectStatus.DRAFT, ProjectStatus.RETURNED, *RUNNING})


def _title(title: str, missing: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError(missing, code="title_required")
    return title[:120]


def milestone_add(
    *, actor: Actor, project: Project, title: str, due_on: dt.date, note: str = ""
) -> Milestone:
    scoping.require(actor, PROPOSE, project.org_unit, visible_perm=VIEW)
    title = _title(title, _("请填写里程碑名称。"))
    with transaction.atomic():
        project = lock(project)
        if project.status not in PLANNING:
            raise InvalidTransition(
                _("项目当前状态为“%(s)s”，不能再安排里程碑。") % {"s": project.get_status_display()},
                code="not_planning",
            )
        milestone = Milestone.objects.create(
            project=project, title=title, due_on=due_on, note=(note or "").strip()[:300]
        )
        audit(project, "projects.milestone.created", actor=actor, obj=milestone, due_on=str(due_on))
    return milestone


def milestone_done(*, actor: Actor, milestone: Milestone, done_on: dt.date | None = None) -> Milestone:
    project = milestone.project
    scoping.require(actor, PROPOSE, project.org_unit, visible_perm=VIEW)
    day = done_on or today()
    if day > today():
        raise ValidationError(_("完成日期不能晚于今天。"), code="future_date")
    with transaction.atomic():
        lock(project)
        if milestone.done_on is not None:
            raise Conflict(_("该里程碑已完成。"), code="already_done")
        milestone.done_on = day
        milestone.save(update_fields=["done_on"])
        audit(project, "projects.milestone.done", actor=actor, obj=milestone, done_on=str(day))
    return milestone


def report_schedule(*, actor: Actor, project: Project, title: str, due_on: dt.date) -> ProjectReport:
    """A progress report the branch owes by a date (the final report is scheduled at approval)."""
    scoping.require(actor, PROPOSE, project.org_unit, visible_perm=VIEW)
    title = _title(title, _("请填写报告标题。"))
    with transaction.atomic():
        project = lock(project)
        if project.status not in RUNNING:
            raise InvalidTransition(
                _("项目当前状态为“%(s)s”，不能安排报告。") % {"s": project.get_status_display()},
                code="not_running",
            )
        report = ProjectReport.objects.create(
            project=project, kind=ReportKind.PROGRESS, title=title, due_on=due_on
        )
        audit(project, "projects.report.scheduled", actor=actor, obj=report, due_on=str(due_on))
    return report


def report_submit(
    *, actor: Actor, report: ProjectReport, body: str, submitted_on: dt.date | None = None
) -> ProjectReport:
    """Hand in a report with its text (documents attach to it through `document_upload`). Once."""
    project = report.project
    scoping.require(actor, PROPOSE, project.org_unit, visible_perm=VIEW)
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("请填写报告内容。"), code="body_required")
    day = submitted_on or today()
    if day > today():
        raise ValidationError(_("提交日期不能晚于今天。"), code="future_date")
    with transaction.atomic():
        project = lock(project)
        if project.status not in RUNNING:
            raise InvalidTransition(
                _("项目当前状态为“%(s)s”，不能提交报告。") % {"s": project.get_status_display()},
                code="not_running",
            )
        report = relock(report)
        if report.submitted_on is not None:
            raise Conflict(
                _("该报告已于 %(d)s 提交。") % {"d": report.submitted_on}, code="already_submitted"
            )
        report.body = body
        report.submitted_on = day
        report.submitted_by = signed_in(actor)
        report.save(update_fields=["body", "submitted_on", "submitted_by"])
        audit(project, "projects.report.submitted", actor=actor, obj=report, kind=report.kind)
    return report
