"""The sentences of accounts' audit actions (found by `audit.apps`, which imports every app's `audit.py`)."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import register

register(
    {
        "accounts.user.created": gettext_lazy("新建用户"),
        "accounts.user.updated": gettext_lazy("修改用户"),
        "accounts.user.password_changed": gettext_lazy("修改密码"),
        "accounts.assignment.granted": gettext_lazy("授予角色"),
        "accounts.assignment.revoked": gettext_lazy("撤销角色"),
        "accounts.token.created": gettext_lazy("创建API令牌"),
        "accounts.token.revoked": gettext_lazy("撤销API令牌"),
    }
)
