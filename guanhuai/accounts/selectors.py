from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.models import ApiToken, RoleAssignment, User
from guanhuai.accounts.permissions import MANAGE_USERS, VIEW_USERS
from guanhuai.core.errors import NotFound


def user_list(*, actor: Any, q: str = "", unit_id: int | None = None, role: str = "") -> QuerySet[User]:
    """Users whose home branch lies in the actor's scope for accounts.view_users."""
    qs = scoping.scope(User.objects.all(), actor, VIEW_USERS, unit_field="home_unit")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(name__icontains=q))
    if unit_id:
        qs = qs.filter(home_unit_id=unit_id)
    if role:
        qs = qs.filter(assignments__role=role, assignments__revoked_at__isnull=True).distinct()
    return qs.select_related("home_unit").prefetch_related(
        Prefetch("assignments", queryset=RoleAssignment.objects.filter(revoked_at__isnull=True).select_related("org_unit"))
    ).order_by("home_unit__path", "username")


def user_get(*, actor: Any, user_id: Any) -> User:
    return scoping.get_or_404(User.objects.select_related("home_unit"), actor, VIEW_USERS, unit_field="home_unit", pk=user_id)


def assignment_list(*, actor: Any, user: User, include_revoked: bool = True) -> QuerySet[RoleAssignment]:
    qs = scoping.scope(RoleAssignment.objects.filter(user=user), actor, VIEW_USERS)
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.select_related("org_unit", "granted_by")


def assignment_get(*, actor: Any, assignment_id: Any) -> RoleAssignment:
    return scoping.get_or_404(RoleAssignment.objects.select_related("user", "org_unit"), actor, MANAGE_USERS, pk=assignment_id)


def token_list(*, actor: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor)


def token_get(*, actor: Any, token_id: Any) -> ApiToken:
    try:
        return ApiToken.objects.get(user=actor, pk=token_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该令牌。"))
