from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import ALL_ROLES, Role, declare

VIEW_UNITS = declare("orgs.view_units", _("查看组织机构"), roles=ALL_ROLES)
MANAGE_UNITS = declare("orgs.manage_units", _("新建、调整、合并组织机构"), roles=[Role.PROVINCE_ADMIN])
