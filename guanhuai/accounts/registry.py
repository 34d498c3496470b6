"""Roles and named permissions.

Roles are fixed here; each app declares its own permissions in `<app>/permissions.py` and says which
roles hold them, so this module never imports a domain app (dependencies stay one-way).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VILLAGE_CLERK = "village_clerk", _("村级专干")
    TOWNSHIP_REVIEWER = "township_reviewer", _("乡镇审核员")
    COUNTY_APPROVER = "county_approver", _("县级审批员")
    FINANCE_OFFICER = "finance_officer", _("财务人员")
    FUND_MANAGER = "fund_manager", _("基金管理员")
    ASSOCIATION_OFFICER = "association_officer", _("协会工作专员")
    PROJECT_OFFICER = "project_officer", _("项目专员")
    GOVERNANCE_OFFICER = "governance_officer", _("自治工作专员")
    PROVINCE_ADMIN = "province_admin", _("省级管理员")
    AUDITOR = "auditor", _("审计员")
    PORTAL_EDITOR = "portal_editor", _("门户编辑")


ALL_ROLES = tuple(Role)


@dataclass(frozen=True)
class Permission:
    name: str  # "<app>.<verb_object>", e.g. "orgs.manage_units"
    label: str | Promise
    roles: tuple[Role, ...]


_PERMISSIONS: dict[str, Permission] = {}
_BY_ROLE: dict[str, set[str]] = defaultdict(set)


def declare(name: str, label: str | Promise, *, roles: tuple[Role, ...] | list[Role]) -> str:
    if name in _PERMISSIONS:
        raise ValueError(f"permission {name} declared twice")
    _PERMISSIONS[name] = Permission(name=name, label=label, roles=tuple(roles))
    for role in roles:
        _BY_ROLE[str(role)].add(name)
    return name


def permissions() -> dict[str, Permission]:
    return dict(_PERMISSIONS)


def role_permissions(role: str) -> frozenset[str]:
    return frozenset(_BY_ROLE.get(role, ()))


def roles_with(permission: str) -> list[str]:
    if permission not in _PERMISSIONS:
        raise KeyError(f"unknown permission {permission}")
    return [str(r) for r in _PERMISSIONS[permission].roles]
