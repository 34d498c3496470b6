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

# --- part 1: members, bodies, cadres ---
register(
    {
        "association.member.withdrawn": gettext_lazy("会员退会"),
        "association.member.transferred_out": gettext_lazy("会员转出"),
        "association.member.transferred_in": gettext_lazy("会员转入"),
        "association.member.deceased": gettext_lazy("会员去世，会籍终止"),
        "association.member.lapsed": gettext_lazy("会员逾期未再登记"),
        "association.member.reinstated": gettext_lazy("会员补办再登记，恢复会籍"),
        "association.member.imported": gettext_lazy("导入会员"),
        "association.members.imported": gettext_lazy("批量导入会员"),
        "association.member_group.created": gettext_lazy("建立会员小组"),
        "association.members_day.recorded": gettext_lazy("登记会员活动日活动"),
        "association.campaign.opened": gettext_lazy("发起会员再登记"),
        "association.campaign.confirmed": gettext_lazy("确认会员再登记"),
        "association.campaign.closing": gettext_lazy("结束会员再登记"),
        "association.campaign.closed": gettext_lazy("会员再登记已结束"),
        "association.registration.saved": gettext_lazy("修改协会登记信息"),
        "association.body.term_opened": gettext_lazy("产生新一届理事机构"),
        "association.body.term_closed": gettext_lazy("理事机构届满"),
        "association.seat.designated": gettext_lazy("任职"),
        "association.seat.ceased": gettext_lazy("离任"),
        "association.cadre.left": gettext_lazy("干部离任"),
    }
)

# --- training ---
register(
    {
        "association.course.created": gettext_lazy("开设培训班"),
        "association.session.created": gettext_lazy("添加培训课次"),
        "association.course.enrolled": gettext_lazy("培训班报名"),
        "association.signin_code.issued": gettext_lazy("显示培训签到码"),
        "association.attendance.signed_in": gettext_lazy("学员手机签到"),
        "association.attendance.recorded": gettext_lazy("培训师补登签到"),
        "association.course.certificates_issued": gettext_lazy("颁发培训证书"),
        "association.certificate.issued": gettext_lazy("颁发培训证书"),
        "association.certificate.downloaded": gettext_lazy("下载培训证书"),
        "association.trainer.created": gettext_lazy("登记培训师资格"),
        "association.trainer.updated": gettext_lazy("修改培训师资格"),
        "association.course.updated": gettext_lazy("修改培训班"),
        "association.enrolment.cancelled": gettext_lazy("取消培训班报名"),
        "association.demo.training_loaded": gettext_lazy("生成演示培训数据"),
    }
)

# --- the member import (staging, preview, commit) ---
register(
    {
        "association.member_import.uploaded": gettext_lazy("上传会员导入文件"),
        "association.member_import.validated": gettext_lazy("校验会员导入文件"),
        "association.member_import.errors_downloaded": gettext_lazy("下载会员导入错误文件"),
        "association.members.exported": gettext_lazy("导出会员名单"),
        "association.member_group.leader_changed": gettext_lazy("更换会员小组组长"),
    }
)
