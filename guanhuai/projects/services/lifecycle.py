"""The life of a project: proposal (申报) by a branch, review at each approval step of its type with returns
and comments, approval, closing with the final report and the approving level's evaluation.

Segregation of duties, as in programmes: whoever created or submitted a proposal may never pass it at any
step, and one person passes at most one step of it. A step is a level of the tree ("county", "city",
"province"); the reviewer must hold projects.review at the project's own branch's ancestor of that level
(or above it). docs/projects.md draws the path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from guanhuai.core.money import ZERO, parse_amount
from guanhuai.orgs.models import LEVEL_ORDER, Level, OrgUnit
from guanhuai.projects.models import (
    BudgetLine,
    Project,
    ProjectArea,
    ProjectReport,
    ProjectReview,
    ProjectType,
)
from guanhuai.projects.permissions import PROPOSE, REVIEW, VIEW
from guanhuai.projects.selectors.snapshot import take_snapshot
from guanhuai.projects.services.common import audit, lock, move, today
from guanhuai.projects.states import EDITABLE, RUNNING, Decision, ProjectStatus, Rating, ReportKind

# How long after its end a project's final report is due, unless the proposal says otherwise.
FINAL_REPORT_DAYS = 30
MAX_BUDGET_LINES = 50


# --- proposal -----------------------------------------------------------------------------------------------


def _budget_lines(lines: Iterable[Any]) -> list[tuple[str, Decimal, str]]:
    """(item, amount, note) from dicts or tuples; each amount strict (parse_amount), each item named."""
    out = []
    for n, line in enumerate(lines, start=1):
        if isinstance(line, dict):
            item, amount, note = line.get("item", ""), line.get("amount"), line.get("note", "")
        else:
            item, amount, *rest = line
            note = rest[0] if rest else ""
        item = (item or "").strip()
        if not item:
            raise ValidationError(_("预算第 %(n)d 行没有填写科目。") % {"n": n}, code="budget_item")
        value = parse_amount(amount, field=_("预算第 %(n)d 行（%(item)s）的金额") % {"n": n, "item": item})
        out.append((item[:100], value, (note or "").strip()[:200]))
    if len(out) > MAX_BUDGET_LINES:
        raise ValidationError(_("预算明细最多 %(n)d 行。") % {"n": MAX_BUDGET_LINES}, code="budget_too_long")
    return out


def _targets(project_type: ProjectType, targets: dict[str, Any] | None) -> dict[str, int | str]:
    """Target numbers keyed by the type's outcome indicator or participant field codes; whole numbers ≥ 0
    (or decimals for a score or an income)."""
    allowed = {*project_type.codes("outcome_indicators"), *project_type.codes("participant_fields")}
    out: dict[str, int | str] = {}
    for code, raw in (targets or {}).items():
        if code not in allowed:
            raise ValidationError(
                _("“%(type)s”没有名为“%(code)s”的指标。") % {"type": project_type.name, "code": code},
                code="target_code",
            )
        if raw in (None, ""):
            continue
        try:
            value = Decimal(str(raw).strip().replace(",", ""))
        except ArithmeticError:
            value = Decimal(-1)
        if not value.is_finite() or value < 0:
            raise ValidationError(
                _("“%(label)s”的目标数“%(v)s”不是非负数。")
                % {"label": project_type.label("outcome_indicators", code), "v": raw},
                code="target_value",
            )
        out[code] = int(value) if value == value.to_integral_value() else str(value)
    return out


def _area(org_unit: OrgUnit, area: Iterable[OrgUnit] | None) -> list[OrgUnit]:
    units = list(dict.fromkeys(area or [])) or [org_unit]
    for unit in units:
        if not unit.path.startswith(org_unit.path):
            raise ValidationError(
                _("覆盖范围“%(unit)s”不在承担单位“%(owner)s”的辖区内。")
                % {"unit": unit.name, "owner": org_unit.name},
                code="area_outside",
            )
    return units


def _dates(start_date: dt.date, end_date: dt.date) -> None:
    if end_date < start_date:
        raise ValidationError(
            _("结束日期 %(end)s 早于开始日期 %(start)s。") % {"end": end_date, "start": start_date},
            code="end_before_start",
        )


def _new_code(org_unit: OrgUnit, year: int) -> str:
    taken = (
        Project.objects.unscoped("a new number counts every project of the branch and year")
        .filter(code__startswith=f"XM{year}-{org_unit.code}-")
        .count()
    )
    return f"XM{year}-{org_unit.code}-{taken + 1:03d}"


def project_create(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    project_type: ProjectType,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    objectives: str = "",
    area: Iterable[OrgUnit] | None = None,
    budget_lines: Iterable[Any] = (),
    targets: dict[str, Any] | None = None,
    code: str = "",
) -> Project:
    """A proposal (申报) of a branch, saved as a draft: objectives, area (default: the branch itself), dates,
    budget lines (their sum is the budget) and target numbers. Needs projects.propose at the branch."""
    scoping.require(actor, PROPOSE, org_unit, visible_perm=VIEW)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写项目名称。"), code="name_required")
    if not project_type.active:
        raise ValidationError(_("项目类型“%(t)s”已停用。") % {"t": project_type.name}, code="type_inactive")
    _dates(start_date, end_date)
    units = _area(org_unit, area)
    lines = _budget_lines(budget_lines)
    clean_targets = _targets(project_type, targets)
    for attempt in range(3):
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    type=project_type,
                    org_unit=org_unit,
                    code=(code or "").strip() or _new_code(org_unit, start_date.year),
                    name=name[:120],
                    objectives=(objectives or "").strip(),
                    start_date=start_date,
                    end_date=end_date,
                    budget_total=sum((v for _i, v, _n in lines), ZERO),
                    targets=clean_targets,
                    created_by=signed_in(actor),
                )
                ProjectArea.objects.bulk_create([ProjectArea(project=project, org_unit=u) for u in units])
                BudgetLine.objects.bulk_create(
                    [BudgetLine(project=project, item=i, amount=v, note=n) for i, v, n in lines]
                )
                audit(project, "projects.project.created", actor=actor, budget=str(project.budget_total))
            return project
        except IntegrityError:
            if code or attempt == 2:
                raise Conflict(
                    _("项目编号“%(code)s”已被使用。") % {"code": code}, code="code_taken"
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def project_update(
    *,
    actor: Actor,
    project: Project,
    name: str | None = None,
    objectives: str | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    area: Iterable[OrgUnit] | None = None,
    budget_lines: Iterable[Any] | None = None,
    targets: dict[str, Any] | None = None,
) -> Project:
    """Edit a draft or a returned proposal (its branch only); what is not given stays."""
    scoping.require(actor, PROPOSE, project.org_unit, visible_perm=VIEW)
    with transaction.atomic():
        project = lock(project)
        if project.status not in EDITABLE:
            raise InvalidTransition(
                _("项目当前状态为“%(s)s”，不能修改申报内容。") % {"s": project.get_status_display()},
                code="not_editable",
            )
        fields = []
        if name is not None:
            if not name.strip():
                raise ValidationError(_("请填写项目名称。"), code="name_required")
            project.name = name.strip()[:120]
            fields.append("name")
        if objectives is not None:
            project.objectives = objectives.strip()
            fields.append("objectives")
        if start_date is not None or end_date is not None:
            project.start_date = start_date or project.start_date
            project.end_date = end_date or project.end_date
            _dates(project.start_date, project.end_date)
            fields += ["start_date", "end_date"]
        if targets is not None:
            project.targets = _targets(project.type, targets)
            fields.append("targets")
        if area is not None:
            units = _area(project.org_unit, area)
            ProjectArea.objects.filter(project=project).delete()
            ProjectArea.objects.bulk_create([ProjectArea(project=project, org_unit=u) for u in units])
        if budget_lines is not None:
            lines = _budget_lines(budget_lines)
            BudgetLine.objects.filter(project=project).delete()
            BudgetLine.objects.bulk_create(
                [BudgetLine(project=project, item=i, amount=v, note=n) for i, v, n in lines]
            )
            project.budget_total = sum((v for _i, v, _n in lines), ZERO)
            fields.append("budget_total")
        if fields:
            project.save(update_fields=fields)
        audit(project, "projects.project.updated", actor=actor, fields=fields)
    return project


# --- review -------------------------------------------------------------------------------------------------


def steps_of(project: Project) -> list[str]:
    """The approval steps this project goes through: its type's steps at or above its own branch's level
    (a city's project is not reviewed by a county), in order; a project above every step of its type is
    reviewed at its own level."""
    own = LEVEL_ORDER[project.org_unit.level]
    steps = [s for s in project.type.approval_steps if s in LEVEL_ORDER and LEVEL_ORDER[s] <= own]
    return steps or [project.org_unit.level]


def step_unit(project: Project, step: str) -> OrgUnit | None:
    """The branch that acts at a step: the project's branch or its ancestor at that level."""
    org_unit = project.org_unit
    if org_unit.level == step:
        return org_unit
    return OrgUnit.objects.filter(path__in=org_unit.ancestor_paths(), level=step).first()


def step_label(step: str) -> str:
    return _("%(level)s级审批") % {"level": Level(step).label} if step in Level.values else step


def project_submit(*, actor: Actor, project: Project) -> Project:
    """Draft or returned → under review at its first approval step. A proposal needs a budget line."""
    scoping.require(actor, PROPOSE, project.org_unit, visible_perm=VIEW)
    with transaction.atomic():
        project = lock(project)
        if not project.budget_lines.exists():
            raise ValidationError(_("请先填写预算明细，再提交申报。"), code="budget_required")
        move(project, ProjectStatus.UNDER_REVIEW)
        project.step = steps_of(project)[0]
        project.submitted_by = signed_in(actor)
        project.submitted_at = timezone.now()
        project.save(update_fields=["status", "step", "submitted_by", "submitted_at"])
        audit(project, "projects.project.submitted", actor=actor, step=project.step)
    return project


def project_withdraw(*, actor: Actor, project: Project) -> Project:
    scoping.require(actor, PROPOSE, project.org_unit, visible_perm=VIEW)
    with transaction.atomic():
        project = lock(project)
        move(project, ProjectStatus.WITHDRAWN)
        project.step = ""
        project.save(update_fields=["status", "step"])
        audit(project, "projects.project.withdrawn", actor=actor)
    return project


def _check_reviewer(actor: Actor, project: Project, step: str) -> None:
    unit = step_unit(project, step)
    if unit is None or not scoping.can(actor, REVIEW, unit):
        raise PermissionDenied(
            _("当前环节是“%(step)s”，须由%(unit)s有项目审核权限的人员办理。")
            % {"step": step_label(step), "unit": unit.name if unit else step},
            code="wrong_level",
        )


def project_review(*, actor: Actor, project: Project, decision: str, comment: str = "") -> Project:
    """One decision at the project's current step. A pass moves it on (or approves it after the last
    step, which schedules its final report); a return sends it back to its branch; a refusal ends it. A
    return or a refusal needs a comment."""
    comment = (comment or "").strip()
    if decision not in Decision.values:
        raise ValidationError(_("审核结论“%(d)s”无效。") % {"d": decision}, code="bad_decision")
    if not scoping.can(actor, VIEW, project.org_unit):
        raise NotFound(_("未找到该记录，或您无权访问。"))
    with transaction.atomic():
        project = lock(project)
        if project.status != ProjectStatus.UNDER_REVIEW:
            raise InvalidTransition(
                _("项目当前状态为“%(s)s”，不在审核中。") % {"s": project.get_status_display()},
                code="not_under_review",
            )
        step = project.step
        _check_reviewer(actor, project, step)
        me = getattr(actor, "pk", None)
        if decision == Decision.PASS and me in (project.created_by_id, project.submitted_by_id):
            raise PermissionDenied(
                _("您录入或提交了这份项目申报，不能审批通过它（申报与审批须由不同的人办理）。"),
                code="segregation_of_duties",
            )
        if (
            decision == Decision.PASS
            and project.reviews.filter(reviewer_id=me, decision=Decision.PASS).exclude(step=step).exists()
        ):
            raise PermissionDenied(
                _("您已在本项目的另一环节审核通过，同一人只能审核通过一个环节。"), code="one_step_per_person"
            )
        if decision != Decision.PASS and not comment:
            raise ValidationError(
                _("退回修改须说明需要修改什么。")
                if decision == Decision.RETURN
                else _("不予批准须说明理由。"),
                code="reason_required",
            )
        ProjectReview.objects.create(
            project=project, step=step, decision=decision, comment=comment, reviewer=signed_in(actor)
        )
        if decision == Decision.PASS:
            steps = steps_of(project)
            i = steps.index(step) if step in steps else len(steps) - 1
            if i + 1 < len(steps):
                move(project, ProjectStatus.UNDER_REVIEW)
                project.step = steps[i + 1]
                project.save(update_fields=["status", "step"])
                audit(project, "projects.project.passed", actor=actor, step=step, next_step=project.step)
            else:
                _approve(project, actor=actor, step=step, comment=comment)
        elif decision == Decision.RETURN:
            move(project, ProjectStatus.RETURNED)
            project.step = ""
            project.save(update_fields=["status", "step"])
            audit(project, "projects.project.returned", actor=actor, step=step, comment=comment)
        else:
            move(project, ProjectStatus.REFUSED)
            project.step = ""
            project.save(update_fields=["status", "step"])
            audit(project, "projects.project.refused", actor=actor, step=step, comment=comment)
    return project


def _approve(project: Project, *, actor: Actor, step: str, comment: str) -> None:
    move(project, ProjectStatus.APPROVED)
    project.step = ""
    project.approved_at = timezone.now()
    project.save(update_fields=["status", "step", "approved_at"])
    ProjectReport.objects.get_or_create(
        project=project,
        kind=ReportKind.FINAL,
        defaults={
            "title": _("结项报告"),
            "due_on": project.end_date + dt.timedelta(days=FINAL_REPORT_DAYS),
        },
    )
    audit(project, "projects.project.approved", actor=actor, step=step, comment=comment)


# --- closing ------------------------------------------------------------------------------------------------


def approving_unit(project: Project) -> OrgUnit | None:
    """The branch that approved the project (its last step's), which evaluates it at closing."""
    return step_unit(project, steps_of(project)[-1])


def project_close(*, actor: Actor, project: Project, evaluation: str, rating: str) -> Project:
    """Close (结项) a running project: its reports all in, the approving level's evaluation written. Refused
    while a report is overdue or the final report is not in; the proposer cannot evaluate their own."""
    with transaction.atomic():
        project = lock(project)
        unit = approving_unit(project)
        if unit is None or not scoping.can(actor, REVIEW, unit):
            if not scoping.can(actor, VIEW, project.org_unit):
                raise NotFound(_("未找到该记录，或您无权访问。"))
            raise PermissionDenied(
                _("结项评估须由批准该项目的%(unit)s办理。") % {"unit": unit.name if unit else ""},
                code="wrong_level",
            )
        if project.status not in RUNNING:
            raise InvalidTransition(
                _("项目当前状态为“%(s)s”，不能结项。") % {"s": project.get_status_display()},
                code="not_running",
            )
        if getattr(actor, "pk", None) in (project.created_by_id, project.submitted_by_id):
            raise PermissionDenied(
                _("您录入或提交了这个项目，不能为它做结项评估。"), code="segregation_of_duties"
            )
        day = today()
        pending = list(project.reports.filter(submitted_on__isnull=True).order_by("due_on"))
        overdue = [r for r in pending if r.due_on < day]
        if overdue:
            r = overdue[0]
            raise Conflict(
                _("“%(title)s”应于 %(due)s 提交，已逾期 %(days)d 天，提交前不能结项。")
                % {"title": r.title, "due": r.due_on, "days": (day - r.due_on).days},
                code="report_overdue",
            )
        final = next((r for r in pending if r.kind == ReportKind.FINAL), None)
        if final is not None or not project.reports.filter(kind=ReportKind.FINAL).exists():
            raise Conflict(_("结项报告尚未提交，提交后才能结项。"), code="final_report_missing")
        evaluation = (evaluation or "").strip()
        if not evaluation:
            raise ValidationError(_("请填写结项评估意见。"), code="evaluation_required")
        if rating not in Rating.values:
            raise ValidationError(_("请选择评估等级。"), code="rating_required")
        move(project, ProjectStatus.CLOSED)
        project.closed_at = timezone.now()
        project.evaluation = evaluation
        project.rating = rating
        project.evaluated_by = signed_in(actor)
        project.outcome_snapshot = take_snapshot(project)
        project.save(
            update_fields=["status", "closed_at", "evaluation", "rating", "evaluated_by", "outcome_snapshot"]
        )
        total = project.outcome_snapshot["total"]
        audit(
            project,
            "projects.project.closed",
            actor=actor,
            rating=rating,
            activities=total["activities"],
            participants=total["participants"],
            households=project.outcome_snapshot["income"]["households"],
        )
    return project
