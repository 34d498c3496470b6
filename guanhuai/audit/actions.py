"""Dotted action codes mapped to translated sentences for display. Unknown codes show as themselves."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "orgs.unit.created": _("新建组织"),
    "orgs.unit.updated": _("修改组织"),
    "orgs.unit.moved": _("调整组织隶属关系"),
    "orgs.unit.merged": _("合并组织"),
    "orgs.unit.closed": _("撤销组织"),
    "orgs.tree.imported": _("导入组织架构"),
    "accounts.user.created": _("新建用户"),
    "accounts.user.updated": _("修改用户"),
    "accounts.user.password_changed": _("修改密码"),
    "accounts.assignment.granted": _("授予角色"),
    "accounts.assignment.revoked": _("撤销角色"),
    "accounts.token.created": _("创建API令牌"),
    "accounts.token.revoked": _("撤销API令牌"),
    "jobs.job.submitted": _("提交任务"),
    "jobs.job.finished": _("任务完成"),
    "jobs.job.failed": _("任务失败"),
    "jobs.job.retried": _("重试任务"),
    "jobs.job.file_downloaded": _("下载任务文件"),
}


def describe(action: str) -> str:
    return str(SENTENCES.get(action, action))
