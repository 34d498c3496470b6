from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.accounts.models import ApiToken, RoleAssignment, RoleAssignmentQuerySet, User
from guanhuai.accounts.permissions import MANAGE_USERS, VIEW_USERS
from guanhuai.core.errors import NotFound
from guanhuai.orgs import paths
from guanhuai.orgs.models import OrgUnit


def _current_assignments() -> QuerySet[RoleAssignment]:
    """Not revoked and not lapsed (future ones included), whether or not the account is active."""
    today = timezone.localdate()
    return RoleAssignment.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today), revoked_at__isnull=True
    )


def user_list(*, actor: Actor, q: str = "", unit_id: int | None = None, role: str = "") -> QuerySet[User]:
    """Users whose home branch lies in the actor's scope for accounts.view_users.

    `unit_id` narrows to that branch *and everything below it* (a county's list includes its village
    clerks); a unit outside the scope simply yields nothing. `role` means a current assignment of that
    role (not revoked, not lapsed). Each user's current assignments are prefetched as
    `current_assignments`, only those within the actor's scope, so the list never names a branch the
    actor cannot see."""
    qs = scoping.scope(User.objects.all(), actor, VIEW_USERS, unit_field="home_unit")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(name__icontains=q))
    if unit_id:
        path = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        qs = qs.filter(home_unit__path__gte=path, home_unit__path__lt=paths.upper_bound(path))
    if role:
        qs = qs.filter(Exists(_current_assignments().filter(user=OuterRef("pk"), role=role)))
    current = scoping.scope(_current_assignments(), actor, VIEW_USERS).select_related("org_unit")
    return (
        qs.select_related("home_unit")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
        .order_by("home_unit__path", "username")
    )


def user_get(*, actor: Actor, user_id: Any) -> User:
    return scoping.get_or_404(
        User.objects.select_related("home_unit"), actor, VIEW_USERS, unit_field="home_unit", pk=user_id
    )


def assignment_list(*, actor: Actor, user: User, include_revoked: bool = True) -> QuerySet[RoleAssignment]:
    qs = scoping.scope(RoleAssignment.objects.filter(user=user), actor, VIEW_USERS)
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.select_related("org_unit", "granted_by", "revoked_by")


def assignment_get(*, actor: Actor, assignment_id: Any) -> RoleAssignment:
    return scoping.get_or_404(
        RoleAssignment.objects.select_related("user", "org_unit"), actor, MANAGE_USERS, pk=assignment_id
    )


def own_assignment_list(*, actor: Actor) -> RoleAssignmentQuerySet:
    """The actor's own assignments that are not revoked (current, future and lapsed), for "my account".
    Everyone may see their own roles, whatever their permissions."""
    if not getattr(actor, "is_authenticated", False):
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.filter(user=signed_in(actor), revoked_at__isnull=True).select_related(
        "org_unit"
    )


def unit_choices(*, actor: Actor, perm: str, q: str = "", limit: int = 30) -> list[OrgUnit]:
    """Open units in the actor's scope for `perm`, for a unit picker. Without a search term: the top of the
    actor's scope (their roots and one level below), since a province has tens of thousands of units."""
    qs = scoping.units(actor, perm).open()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    else:
        roots = scoping.root_paths(actor, perm)
        top = 1 if roots is None else min((paths.depth(p) for p in roots), default=1)
        qs = qs.filter(depth__lte=top + 1)
    return list(qs.order_by("path")[:limit])


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=signed_in(actor))


def token_get(*, actor: Actor, token_id: Any) -> ApiToken:
    try:
        return ApiToken.objects.get(user=signed_in(actor), pk=token_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该令牌。"))
