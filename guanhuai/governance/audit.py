"""The sentences of the governance app's audit actions (found by `audit.apps`, which imports every app's
`audit.py`). Each part of the app adds its own block below."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import register

# --- documents and filing ---
register(
    {
        "governance.document.created": gettext_lazy("新建自治文本"),
        "governance.version.drafted": gettext_lazy("起草文本修订稿"),
        "governance.version.edited": gettext_lazy("修改文本草案"),
        "governance.version.adopted": gettext_lazy("文本经会议表决通过"),
        "governance.version.withdrawn": gettext_lazy("撤回文本草案"),
        "governance.version.imported": gettext_lazy("导入已有文本"),
        "governance.amendment.proposed": gettext_lazy("登记修改建议"),
        "governance.amendment.accepted": gettext_lazy("采纳修改建议"),
        "governance.amendment.rejected": gettext_lazy("不采纳修改建议"),
        "governance.filing.submitted": gettext_lazy("报送备案"),
        "governance.filing.returned": gettext_lazy("备案退回修改"),
        "governance.filing.resubmitted": gettext_lazy("重新报送备案"),
        "governance.filing.filed": gettext_lazy("予以备案"),
        "governance.diff.exported": gettext_lazy("导出文本对照"),
    }
)

# --- meetings ---
register(
    {
        "governance.meeting.created": gettext_lazy("新建会议"),
        "governance.motion.created": gettext_lazy("新增议题"),
        "governance.meeting.convened": gettext_lazy("发出会议通知"),
        "governance.meeting.requested": gettext_lazy("登记召开会议的提议"),
        "governance.roll.built": gettext_lazy("生成会议名册"),
        "governance.roll.signed_in": gettext_lazy("会议签到"),
        "governance.meeting.opened": gettext_lazy("宣布开会"),
        "governance.motion.voting": gettext_lazy("议题开始表决"),
        "governance.motion.tallied": gettext_lazy("议题计票"),
        "governance.motion.corrected": gettext_lazy("更正计票"),
        "governance.meeting.closed": gettext_lazy("宣布闭会"),
        "governance.minutes.approved": gettext_lazy("确认会议记录"),
        "governance.delegate.added": gettext_lazy("登记村民代表会议组成人员"),
        "governance.group.created": gettext_lazy("新建村民小组"),
    }
)

# --- demonstration villages and counties ---
register(
    {
        "governance.designation.applied": gettext_lazy("申报合格村、示范村（县）"),
        "governance.designation.passed": gettext_lazy("示范评定申报审核通过"),
        "governance.designation.refused": gettext_lazy("示范评定申报审核不通过"),
        "governance.designation.designated": gettext_lazy("评定为合格村、示范村（县）"),
        "governance.designation.revoked": gettext_lazy("撤销示范评定"),
        "governance.designation.recorded": gettext_lazy("录入已有的合格村、示范村评定"),
    }
)
