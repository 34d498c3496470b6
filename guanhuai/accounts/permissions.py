from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import Role, declare

VIEW_USERS = declare("accounts.view_users", _("查看用户"), roles=[Role.PROVINCE_ADMIN, Role.AUDITOR])
MANAGE_USERS = declare("accounts.manage_users", _("管理用户和角色"), roles=[Role.PROVINCE_ADMIN])
