"""The portal's named permissions. An editor (门户编辑) drafts articles for the sites of their branch and
below; an approver at the same branch publishes them, and the service refuses an approver who is the
article's own author (segregation of duties, docs/portal.md)."""

from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import Role, declare

EDIT = declare("portal.edit", _("编辑门户栏目和文章"), roles=[Role.PORTAL_EDITOR, Role.PROVINCE_ADMIN])
PUBLISH = declare(
    "portal.publish", _("审核发布和撤回门户文章"), roles=[Role.ASSOCIATION_OFFICER, Role.PROVINCE_ADMIN]
)
VIEW_STATS = declare(
    "portal.view_stats",
    _("查看门户阅读统计"),
    roles=[Role.PORTAL_EDITOR, Role.ASSOCIATION_OFFICER, Role.PROVINCE_ADMIN, Role.AUDITOR],
)
MANAGE_SITES = declare("portal.manage_sites", _("开设门户网站和栏目"), roles=[Role.PROVINCE_ADMIN])
