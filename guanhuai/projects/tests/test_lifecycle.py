"""The life of a project: a county proposes, the city and the province review (returns with comments,
segregation of duties), the approval schedules the final report, and closing waits for it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from guanhuai.projects import services
from guanhuai.projects.models import Project, ProjectReport
from guanhuai.projects.states import ProjectStatus, ReportKind

START, END = dt.date(2025, 3, 1), dt.date(2025, 12, 31)


def propose(staff, tree, types, **kw):
    fields = {
        "actor": staff.county,
        "org_unit": tree.county,
        "project_type": types["youth_health"],
        "name": "仁化县青春健康进校园",
        "start_date": START,
        "end_date": END,
        "objectives": "全县中学开展同伴教育。",
        "area": [tree.town_a, tree.town_b],
        "budget_lines": [("同伴教育者培训", "12000"), ("家长课堂", "8000.50", "场地和资料")],
        "targets": {"participants": 3000},
    }
    fields.update(kw)
    return services.project_create(**fields)


def approved(staff, tree, types, **kw):
    project = propose(staff, tree, types, **kw)
    services.project_submit(actor=staff.county, project=project)
    services.project_review(actor=staff.city, project=project, decision="pass")
    return services.project_review(actor=staff.province, project=project, decision="pass")


def test_a_proposal_passes_the_city_then_the_province_and_is_approved_with_its_final_report_due(
    tree, types, staff
):
    # given a county's proposal: its budget is the sum of its lines, its area two townships
    project = propose(staff, tree, types)
    assert project.status == ProjectStatus.DRAFT
    assert project.budget_total == Decimal("20000.50")
    assert project.code == "XM2025-440224-001"
    assert sorted(project.area_rows.values_list("org_unit__name", flat=True)) == ["乙镇", "甲镇"]
    # when it is submitted: Youth Health is reviewed by the city, then approved by the province
    services.project_submit(actor=staff.county, project=project)
    project.refresh_from_db()
    assert (project.status, project.step) == (ProjectStatus.UNDER_REVIEW, "city")
    services.project_review(actor=staff.city, project=project, decision="pass", comment="同意")
    project.refresh_from_db()
    assert (project.status, project.step) == (ProjectStatus.UNDER_REVIEW, "province")
    services.project_review(actor=staff.province, project=project, decision="pass")
    # then it is approved, and its final report is due 30 days after its end
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED and project.step == ""
    final = project.reports.get(kind=ReportKind.FINAL)
    assert final.due_on == dt.date(2026, 1, 30) and final.submitted_on is None
    actions = list(
        AuditEntry.objects.filter(object_id=str(project.pk)).order_by("pk").values_list("action", flat=True)
    )
    assert actions[:4] == [
        "projects.project.created",
        "projects.project.submitted",
        "projects.project.passed",
        "projects.project.approved",
    ]


def test_a_return_needs_a_comment_and_sends_the_proposal_back_to_be_edited_and_resubmitted(
    tree, types, staff
):
    project = propose(staff, tree, types)
    services.project_submit(actor=staff.county, project=project)
    with pytest.raises(ValidationError, match="退回修改须说明需要修改什么"):
        services.project_review(actor=staff.city, project=project, decision="return")
    services.project_review(
        actor=staff.city, project=project, decision="return", comment="预算偏高，请压缩资料费"
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.RETURNED
    services.project_update(actor=staff.county, project=project, budget_lines=[("同伴教育者培训", "10000")])
    services.project_submit(actor=staff.county, project=project)
    project.refresh_from_db()
    assert (project.status, project.step, project.budget_total) == (
        "under_review",
        "city",
        Decimal("10000.00"),
    )
    # an edit under review is refused
    with pytest.raises(InvalidTransition, match="不能修改申报内容"):
        services.project_update(actor=staff.county, project=project, name="改名")


def test_approving_your_own_proposal_is_refused_and_changes_nothing(tree, types, staff):
    # given a province officer's own proposal, waiting at the province's step
    project = services.project_create(
        actor=staff.province,
        org_unit=tree.province,
        project_type=types["youth_health"],
        name="省级青春健康师资培训",
        start_date=START,
        end_date=END,
        budget_lines=[("培训", "30000")],
    )
    services.project_submit(actor=staff.province, project=project)
    # when its author passes it, then it is refused with the reason
    with pytest.raises(PermissionDenied, match="不能审批通过它") as refused:
        services.project_review(actor=staff.province, project=project, decision="pass")
    assert refused.value.code == "segregation_of_duties"
    project.refresh_from_db()
    assert (project.status, project.reviews.count()) == (ProjectStatus.UNDER_REVIEW, 0)


def test_one_person_passes_at_most_one_step_and_a_lower_level_cannot_act_at_a_higher_step(tree, types, staff):
    project = propose(staff, tree, types)
    services.project_submit(actor=staff.county, project=project)
    # the province officer holds the city step's permission too, and passes it…
    services.project_review(actor=staff.province, project=project, decision="pass")
    # …but then may not pass the province's step as well
    with pytest.raises(PermissionDenied, match="同一人只能审核通过一个环节"):
        services.project_review(actor=staff.province, project=project, decision="pass")
    # and the city cannot act at the province's step
    with pytest.raises(PermissionDenied, match="省级审批"):
        services.project_review(actor=staff.city, project=project, decision="pass")
    # another county's officer does not even see it
    with pytest.raises(NotFound):
        services.project_review(actor=staff.other_county, project=project, decision="pass")


def test_a_refusal_is_final(tree, types, staff):
    project = propose(staff, tree, types)
    services.project_submit(actor=staff.county, project=project)
    services.project_review(actor=staff.city, project=project, decision="refuse", comment="与市级项目重复")
    with pytest.raises(InvalidTransition):
        services.project_submit(actor=staff.county, project=project)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": dt.date(2025, 2, 1)}, "结束日期 2025-02-01 早于开始日期 2025-03-01"),
        ({"budget_lines": [("场地", "12,00.5x")]}, "预算第 1 行（场地）的金额“12,00.5x”不是有效的数字"),
        ({"budget_lines": [("场地", "-100")]}, "预算第 1 行（场地）的金额"),
        ({"budget_lines": [("", "100")]}, "预算第 1 行没有填写科目"),
        ({"area": ["始兴县"]}, "覆盖范围“始兴县”不在承担单位“仁化县”的辖区内"),
        ({"targets": {"participants": -5}}, "不是非负数"),
        ({"targets": {"income_gain": 5}}, "没有名为“income_gain”的指标"),
        ({"name": " "}, "请填写项目名称"),
    ],
)
def test_a_bad_proposal_is_refused_with_a_precise_message_and_nothing_is_saved(
    tree, types, staff, changes, message
):
    if changes.get("area") == ["始兴县"]:
        changes = {"area": [tree.other_county]}
    with pytest.raises(ValidationError, match=message):
        propose(staff, tree, types, **changes)
    assert not Project.objects.exists()


def test_closing_is_refused_while_the_final_report_is_overdue_then_allowed_once_it_is_in(tree, types, staff):
    # given an approved project that ended on 2025-12-31: its final report was due on 2026-01-30
    project = approved(staff, tree, types)
    assert timezone.localdate() > dt.date(2026, 1, 30)
    # when the province closes it, then it is refused, saying how late the report is
    with pytest.raises(Conflict, match="“结项报告”应于 2026-01-30 提交，已逾期") as refused:
        services.project_close(actor=staff.province, project=project, evaluation="完成目标", rating="good")
    assert refused.value.code == "report_overdue"
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED and project.closed_at is None
    # when the county hands in the final report, then the approving level closes it with its evaluation
    final = project.reports.get(kind=ReportKind.FINAL)
    services.report_submit(actor=staff.county, report=final, body="覆盖 12 所中学，3,120 人次。")
    with pytest.raises(PermissionDenied, match="结项评估须由批准该项目的广东省办理"):
        services.project_close(actor=staff.city, project=project, evaluation="好", rating="good")
    services.project_close(actor=staff.province, project=project, evaluation="完成目标", rating="excellent")
    project.refresh_from_db()
    assert (project.status, project.rating, project.evaluated_by) == ("closed", "excellent", staff.province)


def test_a_progress_report_past_its_date_is_on_the_owners_work_queue_and_blocks_closing(tree, types, staff):
    project = approved(staff, tree, types, end_date=timezone.localdate() + dt.timedelta(days=90))
    report = services.report_schedule(
        actor=staff.county,
        project=project,
        title="第一季度进度报告",
        due_on=timezone.localdate() - dt.timedelta(days=3),
    )
    from guanhuai.projects.work import reports_overdue

    item = reports_overdue(staff.county)
    assert item is not None and item.count == 1
    assert reports_overdue(staff.other_county) is None  # another county's officer owes nothing here
    with pytest.raises(Conflict, match="“第一季度进度报告”应于 .* 提交，已逾期 3 天"):
        services.project_close(actor=staff.province, project=project, evaluation="好", rating="good")
    services.report_submit(actor=staff.county, report=report, body="已完成 4 所学校。")
    assert reports_overdue(staff.county) is None
    # the final report is not due yet, but it is not in either
    with pytest.raises(Conflict, match="结项报告尚未提交"):
        services.project_close(actor=staff.province, project=project, evaluation="好", rating="good")
    assert ProjectReport.objects.filter(project=project, submitted_on__isnull=True).count() == 1
