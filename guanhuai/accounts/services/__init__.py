from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.accounts.models import ApiToken, RoleAssignment, User
from guanhuai.accounts.permissions import MANAGE_USERS, VIEW_USERS
from guanhuai.accounts.registry import Role
from guanhuai.audit.actions import register
from guanhuai.audit.models import AuditEntry
from guanhuai.audit.services import diff, log
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.orgs import paths
from guanhuai.orgs.models import OrgUnit


def _require_manage(actor: Actor, unit: OrgUnit | None) -> None:
    if unit is None:
        if not getattr(actor, "is_superuser", False):
            raise PermissionDenied(_("只有系统管理员可以管理不属于任何组织的账号。"))
        return
    scoping.require(actor, MANAGE_USERS, unit)


def _require_manage_user(actor: Actor, user: User) -> None:
    """May the actor manage this account? Only a superuser manages a superuser's account, so a branch
    administrator cannot take over a system operator whose home branch lies in their subtree."""
    if user.is_superuser and not getattr(actor, "is_superuser", False):
        if user.home_unit is None or not scoping.can(actor, VIEW_USERS, user.home_unit):
            raise NotFound(_("未找到该用户，或您无权访问。"))
        raise PermissionDenied(_("只有系统管理员可以管理系统管理员的账号。"))
    _require_manage(actor, user.home_unit)


def _full_clean(obj: Any, **kwargs: Any) -> None:
    """Model validation as a DomainError, so every interface shows the (translated) field messages."""
    try:
        obj.full_clean(**kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), code="invalid", details=exc.message_dict)


# Our own wording for Django's validators: short, plain Chinese, and complete (Django 5.2's zh_Hans catalog
# lacks the new "too short" message, which would otherwise show in English).
_PASSWORD_MESSAGES = {
    "password_too_short": gettext_lazy("密码太短，至少需要 %(min_length)d 个字符。"),
    "password_too_common": gettext_lazy("这个密码太常见，容易被猜到。"),
    "password_entirely_numeric": gettext_lazy("密码不能全是数字。"),
    "password_too_similar": gettext_lazy("密码与%(verbose_name)s太相似。"),
}


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        messages = []
        for error in exc.error_list:
            template = _PASSWORD_MESSAGES.get(error.code or "")
            if template is None:
                messages.extend(error.messages)
            else:
                messages.append(str(template) % (error.params or {}))
        raise ValidationError(" ".join(messages), code="weak_password")


register(
    {
        "accounts.auditor.change_requested": gettext_lazy("申请变更审计员账号（待第二位管理员办理）"),
        "accounts.auditor.change_confirmed": gettext_lazy("第二位管理员办理审计员账号变更"),
    }
)


# --- four eyes at the top (docs/scoping.md "Four eyes at the top") ------------------------------------------

# Roles that move money, administer accounts or watch the administrators: never granted by the person who
# opened the account, so one administrator cannot make themselves a second powerful identity.
POWERFUL_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.FINANCE_OFFICER, Role.FUND_MANAGER, Role.AUDITOR})
# How long a first administrator's request about an auditor's account waits for a second administrator.
SECOND_ADMIN_WINDOW = dt.timedelta(days=7)


def _is_superuser(actor: Actor) -> bool:
    return bool(getattr(actor, "is_superuser", False))


def _require_not_last_admin(assignments: Any) -> None:
    """Refuse to end the last active province administrator over a branch: with nobody left to grant
    roles there, everyone below would be locked out (only a system operator could repair it)."""
    for a in assignments.filter(role=Role.PROVINCE_ADMIN):
        others = (
            RoleAssignment.objects.active()
            .filter(
                role=Role.PROVINCE_ADMIN,
                org_unit__path__in=[*paths.ancestors(a.org_unit.path), a.org_unit.path],
            )
            .exclude(user_id=a.user_id)
        )
        if not others.exists():
            raise Conflict(
                _("这是“%(unit)s”最后一位省级管理员，不能撤销或停用；请先为另一人授予省级管理员角色。")
                % {"unit": a.org_unit.name},
                code="last_admin",
            )


def _created_by(actor: Actor, user: User) -> bool:
    return AuditEntry.objects.filter(
        action="accounts.user.created",
        object_type=User._meta.label_lower,
        object_id=str(user.pk),
        actor_id=getattr(actor, "pk", None),
    ).exists()


def _is_auditor(user: User) -> bool:
    return RoleAssignment.objects.active().filter(user=user, role=Role.AUDITOR).exists()


def _second_admin(actor: Actor, user: User, kind: str) -> None:
    """An auditor's account (password, deactivation, the auditor role) changes only when two different
    administrators ask for the same change within SECOND_ADMIN_WINDOW. The first request is recorded in the
    audit log and refused with `second_admin_required`; the second one, by someone else, goes through and is
    recorded with both. A system operator acts alone."""
    if _is_superuser(actor) or not _is_auditor(user):
        return
    target = {"object_type": User._meta.label_lower, "object_id": str(user.pk)}
    since = timezone.now() - SECOND_ADMIN_WINDOW
    # The account's own trail, whichever branch the requests were recorded under: the rule reads it whole.
    trail = AuditEntry.objects.unscoped("the four-eyes rule reads the account's own audit trail")
    used = trail.filter(action="accounts.auditor.change_confirmed", **target).values_list(
        "data__request", flat=True
    )
    request = (
        trail.filter(action="accounts.auditor.change_requested", at__gte=since, data__kind=kind, **target)
        .exclude(actor_id=getattr(actor, "pk", None))
        .exclude(pk__in=[pk for pk in used if pk is not None])
        .order_by("at")
        .first()
    )
    if request is not None:
        log(
            user,
            "accounts.auditor.change_confirmed",
            actor=actor,
            org_unit=user.home_unit,
            data={"kind": kind, "request": request.pk, "requested_by": request.actor_id},
        )
        return
    with transaction.atomic():
        log(
            user,
            "accounts.auditor.change_requested",
            actor=actor,
            org_unit=user.home_unit,
            data={"kind": kind},
        )
    raise Conflict(
        _(
            "审计员账号的变更须由两位管理员办理：已登记您的申请，另一位管理员在 %(days)d 天内办理同一变更后生效。"
        )
        % {"days": SECOND_ADMIN_WINDOW.days},
        code="second_admin_required",
    )


def user_create(
    *,
    actor: Actor,
    username: str,
    name: str,
    home_unit: OrgUnit,
    password: str,
    email: str = "",
    audit: bool = True,
) -> User:
    username = (username or "").strip()
    if not username:
        raise ValidationError(_("用户名不能为空。"), code="username_required")
    _require_manage(actor, home_unit)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("用户名“%(u)s”已被使用。") % {"u": username}, code="duplicate_username")
    user = User(
        username=username, name=(name or "").strip(), email=(email or "").strip(), home_unit=home_unit
    )
    _full_clean(user, exclude=["password"])
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        if audit:
            log(user, "accounts.user.created", actor=actor, org_unit=home_unit, data={"username": username})
    return user


def user_update(
    *,
    actor: Actor,
    user: User,
    name: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
    home_unit: OrgUnit | None = None,
) -> User:
    _require_manage_user(actor, user)
    if home_unit is not None:
        _require_manage(actor, home_unit)
    if user.pk == getattr(actor, "pk", None) and is_active is False:
        raise ValidationError(_("不能停用自己的账号。"), code="deactivate_self")
    if is_active is False and user.is_active:
        _require_not_last_admin(RoleAssignment.objects.active().filter(user=user))
        _second_admin(actor, user, "deactivate")
    if name is not None:
        name = name.strip()
    if email is not None:
        email = email.strip()
    new = {
        k: v
        for k, v in {"name": name, "email": email, "is_active": is_active, "home_unit": home_unit}.items()
        if v is not None
    }
    changed = diff(user, new)
    if not changed:
        return user
    old_values = {field: getattr(user, field) for field in changed}
    for field, (_old, value) in changed.items():
        setattr(user, field, value)
    try:
        _full_clean(user, exclude=["password"])
    except ValidationError:
        for field, value in old_values.items():
            setattr(user, field, value)
        raise
    with transaction.atomic():
        user.save(update_fields=list(changed))
        log(
            user,
            "accounts.user.updated",
            actor=actor,
            org_unit=user.home_unit,
            changes={k: [str(a), str(b)] for k, (a, b) in changed.items()},
        )
    return user


def user_set_password(*, actor: Actor, user: User, password: str, old_password: str | None = None) -> User:
    """A user changes their own password (old one required), or a manager resets someone else's."""
    if user.pk == getattr(actor, "pk", None):
        if old_password is None or not user.check_password(old_password):
            raise ValidationError(_("原密码不正确。"), code="wrong_password")
    else:
        _require_manage_user(actor, user)
    _check_password(password, user)
    if user.pk != getattr(actor, "pk", None):
        _second_admin(actor, user, "password")
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        log(user, "accounts.user.password_changed", actor=actor, org_unit=user.home_unit)
    return user


def assignment_grant(
    *,
    actor: Actor,
    user: User,
    org_unit: OrgUnit,
    role: str,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    audit: bool = True,
) -> RoleAssignment:
    """Grant `role` on `org_unit`. The granter needs accounts.manage_users on that unit, so a province
    administrator can never grant anything outside their province."""
    if role not in Role.values:
        raise ValidationError(_("未知的角色：%(role)s") % {"role": role}, code="unknown_role")
    _require_manage(actor, org_unit)
    if user.home_unit is not None and not scoping.can(actor, MANAGE_USERS, user.home_unit):
        raise NotFound(_("未找到该用户，或您无权访问。"))
    if user.pk == getattr(actor, "pk", None) and not getattr(actor, "is_superuser", False):
        # Four eyes: nobody widens their own access; another administrator has to grant it.
        raise PermissionDenied(_("不能给自己授予角色，请联系上级管理员。"), code="grant_self")
    if role in POWERFUL_ROLES and not _is_superuser(actor) and _created_by(actor, user):
        raise PermissionDenied(
            _("您开设了这个账号，不能再给它授予“%(role)s”角色，须由另一位管理员授予。")
            % {"role": Role(role).label},
            code="grant_own_account",
        )
    if not org_unit.is_open:
        raise ValidationError(
            _("“%(name)s”已撤销，不能在其上授权。") % {"name": org_unit.name}, code="unit_closed"
        )
    today = timezone.localdate()
    valid_from = valid_from or today
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError(_("截止日期不能早于生效日期。"), code="assignment_dates")
    if valid_until is not None and valid_until < today:
        raise ValidationError(
            _("截止日期 %(d)s 已过，这项授权不会生效。") % {"d": valid_until}, code="assignment_expired"
        )
    with transaction.atomic():
        clash = (
            RoleAssignment.objects.active(valid_from).filter(user=user, org_unit=org_unit, role=role).exists()
        )
        if clash:
            raise Conflict(
                _("该用户在“%(unit)s”已有这个角色。") % {"unit": org_unit.name}, code="duplicate_assignment"
            )
        assignment = RoleAssignment(
            user=user,
            org_unit=org_unit,
            role=role,
            valid_from=valid_from,
            valid_until=valid_until,
            granted_by=signed_in(actor) if getattr(actor, "pk", None) else None,
        )
        assignment.full_clean()
        assignment.save()
        if audit:
            log(
                assignment,
                "accounts.assignment.granted",
                actor=actor,
                org_unit=org_unit,
                data={
                    "user": user.username,
                    "role": role,
                    "valid_from": valid_from,
                    "valid_until": valid_until,
                },
            )
    scoping.forget(user)
    return assignment


def assignment_revoke(*, actor: Actor, assignment: RoleAssignment) -> RoleAssignment:
    _require_manage(actor, assignment.org_unit)
    if assignment.revoked_at is not None:
        raise Conflict(_("这项授权已被撤销。"), code="already_revoked")
    _require_not_last_admin(RoleAssignment.objects.active().filter(pk=assignment.pk))
    if assignment.role == Role.AUDITOR:
        _second_admin(actor, assignment.user, "revoke_auditor")
    with transaction.atomic():
        assignment.revoked_at = timezone.now()
        assignment.revoked_by = signed_in(actor)
        assignment.save(update_fields=["revoked_at", "revoked_by"])
        log(
            assignment,
            "accounts.assignment.revoked",
            actor=actor,
            org_unit=assignment.org_unit,
            data={"user": assignment.user.username, "role": assignment.role},
        )
    scoping.forget(assignment.user)
    return assignment


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(
    *, actor: Actor, name: str, expires_at: dt.datetime | None = None, via_token: ApiToken | None = None
) -> tuple[ApiToken, str]:
    """Create a personal token for the actor. The plain token is returned once and never stored.

    `via_token` is the token the request was authenticated with, if any. A token may create another
    (a program rotating its own credential), but never one that outlives it: otherwise a token that
    expires in five minutes could mint one that never expires."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写令牌名称。"), code="name_required")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("过期时间必须晚于现在。"), code="token_expired")
    limit = via_token.expires_at if via_token is not None else None
    if limit is not None and (expires_at is None or expires_at > limit):
        raise PermissionDenied(
            _(
                "用API令牌创建的新令牌不能晚于该令牌本身的过期时间（%(at)s）。请登录后在“API令牌”页面创建长期令牌。"
            )
            % {"at": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M")},
            code="token_outlives_parent",
        )
    plain = "gh_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=signed_in(actor),
            name=name[:100],
            prefix=plain[:10],
            digest=_digest(plain),
            expires_at=expires_at,
        )
        log(token, "accounts.token.created", actor=actor, org_unit=signed_in(actor).home_unit)
    return token, plain


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """The owner revokes their token; a superuser may revoke anyone's (e.g. a leaked one, from the admin)."""
    if token.user_id != actor.pk and not getattr(actor, "is_superuser", False):
        raise NotFound(_("未找到该令牌。"))
    if token.revoked_at is not None:
        raise Conflict(_("该令牌已撤销。"), code="already_revoked")
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log(token, "accounts.token.revoked", actor=actor, org_unit=token.user.home_unit)
    return token


def token_lookup(plain: str) -> ApiToken | None:
    """The token this plain text is, if it is valid now: not revoked, not expired, its user active."""
    if not plain or not plain.startswith("gh_"):
        return None
    token = (
        ApiToken.objects.select_related("user").filter(digest=_digest(plain), revoked_at__isnull=True).first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token


def token_authenticate(plain: str) -> User | None:
    token = token_lookup(plain)
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
