"""The sentences of the association app's audit actions (found by `audit.apps`, which imports every app's
`audit.py`). Each part of the app adds its own block below."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import register

register(
    {
        "association.member.created": gettext_lazy("登记会员"),
        "association.cadre.created": gettext_lazy("登记干部"),
    }
)

# Care for special families, volunteers, the health commission.
register(
    {
        "association.care.added": gettext_lazy("登记特殊家庭关爱覆盖"),
        "association.care.ended": gettext_lazy("结束特殊家庭关爱覆盖"),
        "association.care.exported": gettext_lazy("导出关爱缺项家庭"),
        "association.visit.recorded": gettext_lazy("记录走访慰问"),
        "association.visit.viewed": gettext_lazy("查看走访记录"),
        "association.follow_up.done": gettext_lazy("办结走访跟进事项"),
        "association.volunteer_team.created": gettext_lazy("新建志愿者队伍"),
        "association.volunteer.added": gettext_lazy("登记志愿者"),
        "association.volunteer.served": gettext_lazy("记录志愿服务"),
        "association.meeting.recorded": gettext_lazy("记录联席会议"),
        "association.action.closed": gettext_lazy("办结联席会议事项"),
        "association.delegated.created": gettext_lazy("登记承接事项"),
        "association.delegated.moved": gettext_lazy("变更承接事项状态"),
    }
)
