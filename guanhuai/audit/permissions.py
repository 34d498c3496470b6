from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import Role, declare

VIEW_AUDIT = declare("audit.view_log", _("查看审计日志"), roles=[Role.AUDITOR, Role.PROVINCE_ADMIN])
