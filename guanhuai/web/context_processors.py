from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping

# (url name, label, permission needed somewhere in the actor's scope; None = every signed-in user)
NAVIGATION = [
    ("registry:persons", _("户籍人口"), "registry.view_persons"),
    ("programmes:home", _("扶助发放"), "programmes.view"),
    ("funds:dashboard", _("基金捐赠"), "funds.view_funds"),
    ("association:home", _("协会建设"), "association.view"),
    ("projects:list", _("协会项目"), "projects.view"),
    ("governance:home", _("村民自治"), "governance.view"),
    ("portal:manage", _("阳光计生"), "portal.view_stats"),  # editors, approvers and auditors of the portal
    ("orgs:tree", _("组织机构"), "orgs.view_units"),
    ("accounts:users", _("用户与角色"), "accounts.view_users"),
    ("jobs:list", _("后台任务"), None),
    ("audit:list", _("审计日志"), "audit.view_log"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"url": url, "label": label}
        for url, label, perm in NAVIGATION
        if perm is None or scoping.can_anywhere(user, perm)
    ]
    return {"nav_items": items}
