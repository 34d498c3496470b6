"""The sentences of the projects app's audit actions (found by `audit.apps`, which imports every app's
`audit.py`). Each part of the app adds its own block below."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import register

# Types and the lifecycle.
register(
    {
        "projects.type.created": gettext_lazy("新建项目类型"),
        "projects.type.updated": gettext_lazy("修改项目类型"),
        "projects.project.created": gettext_lazy("新建项目申报"),
        "projects.project.updated": gettext_lazy("修改项目申报"),
        "projects.project.submitted": gettext_lazy("提交项目申报"),
        "projects.project.withdrawn": gettext_lazy("撤回项目申报"),
        "projects.project.passed": gettext_lazy("项目审核通过一级"),
        "projects.project.returned": gettext_lazy("退回项目申报"),
        "projects.project.refused": gettext_lazy("不予批准项目"),
        "projects.project.approved": gettext_lazy("批准项目"),
        "projects.project.closed": gettext_lazy("项目结项"),
    }
)

# Money, milestones, reports, documents.
register(
    {
        "projects.funding.added": gettext_lazy("为项目安排资金"),
        "projects.spending.recorded": gettext_lazy("登记项目支出"),
        "projects.goods.used": gettext_lazy("登记项目使用物资"),
        "projects.goods.reversed": gettext_lazy("冲销项目使用物资"),
        "projects.milestone.created": gettext_lazy("新建项目里程碑"),
        "projects.milestone.done": gettext_lazy("项目里程碑完成"),
        "projects.report.scheduled": gettext_lazy("安排项目报告"),
        "projects.report.submitted": gettext_lazy("提交项目报告"),
        "projects.document.uploaded": gettext_lazy("上传项目材料"),
        "projects.site.checked": gettext_lazy("核查暖心家园“六有”"),
    }
)

# Activities, beneficiaries and outcomes.
register(
    {
        "projects.activity.logged": gettext_lazy("登记项目活动"),
        "projects.beneficiary.added": gettext_lazy("新增项目受益户"),
        "projects.agreement.signed": gettext_lazy("登记帮扶协议"),
        "projects.income.recorded": gettext_lazy("登记受益户收入"),
    }
)

# Happy Family selection.
register(
    {
        "projects.nomination.created": gettext_lazy("提名幸福家庭"),
        "projects.nomination.recommended": gettext_lazy("推荐幸福家庭提名到上一级"),
        "projects.nomination.not_recommended": gettext_lazy("不予推荐幸福家庭提名"),
        "projects.nomination.named": gettext_lazy("命名幸福家庭"),
        "projects.nomination.revoked": gettext_lazy("撤销幸福家庭命名"),
    }
)
