"""Users, role assignments and personal tokens over the API (/api/v1/). Thin, like the views: scoped reads
through selectors, writes through services; a DomainError propagates and the API kit (guanhuai.core.api) turns it into JSON
`{"code", "message"}` with its status. A user outside the actor's scope is a 404, exactly like one that
does not exist.

Codes every operation may give besides its own: 401 (no session and no valid token: a revoked or expired
token is simply not valid), 422 (malformed path, query or body), and on writes 403 (a browser session
without its CSRF token)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import AwareDatetime

from guanhuai.accounts import selectors, services
from guanhuai.accounts.models import RoleAssignment, User
from guanhuai.accounts.registry import Role
from guanhuai.core.api import AUTH_ERRORS, LIST, READ, WRITE, ErrorOut, paginate
from guanhuai.core.api import actor as actor_of
from guanhuai.orgs import selectors as org_selectors
from guanhuai.orgs.models import OrgUnit

router = Router(tags=["accounts"])

# --- schemas ----------------------------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    code: str
    name: str
    level: str


class AssignmentOut(Schema):
    id: int
    user_id: int
    org_unit: UnitRef
    role: str
    role_label: str = Field(alias="get_role_display")
    valid_from: dt.date
    valid_until: dt.date | None
    granted_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool

    @staticmethod
    def resolve_active(obj: RoleAssignment) -> bool:
        return obj.is_active()


class UserOut(Schema):
    id: int
    username: str
    name: str
    email: str
    is_active: bool
    home_unit: UnitRef | None
    last_login: dt.datetime | None
    date_joined: dt.datetime


class MeOut(UserOut):
    is_superuser: bool
    assignments: list[AssignmentOut]

    @staticmethod
    def resolve_assignments(obj: User) -> list[RoleAssignment]:
        return list(selectors.own_assignment_list(actor=obj))


class UserCreateIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    name: str = Field(..., max_length=50)
    email: str = Field("", max_length=254)
    home_unit_id: int
    password: str = Field(
        ..., min_length=1, description="须符合密码规则（至少 10 个字符，不能全是数字或过于常见）"
    )


class UserPatchIn(Schema):
    name: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=254)
    is_active: bool | None = None
    home_unit_id: int | None = None


class UserFilters(Schema):
    q: str = Field("", description="按姓名或用户名搜索")
    role: Role | None = Field(None, description="有当前有效授权的角色")
    unit_id: int | None = Field(None, description="所属组织（含下级）")


class AssignmentIn(Schema):
    org_unit_id: int
    role: Role
    valid_from: dt.date | None = Field(None, description="留空为今天")
    valid_until: dt.date | None = Field(None, description="留空为长期；不得早于今天和生效日期")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreateIn(Schema):
    name: str = Field(..., max_length=100)
    expires_at: AwareDatetime | None = Field(None, description="带时区的时间，如 2026-12-31T23:59:59+08:00")


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="明文令牌，只在创建时返回这一次")


def _unit(request: HttpRequest, unit_id: int) -> OrgUnit:
    """A unit named in a request body; unknown or invisible is a 422 about that input."""
    return org_selectors.unit_ref(actor=actor_of(request), unit_id=unit_id)


# --- me ----------------------------------------------------------------------------------------------------


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="当前用户及其角色")
def me(request: HttpRequest) -> Any:
    return User.objects.select_related("home_unit").get(pk=actor_of(request).pk)


# --- users -------------------------------------------------------------------------------------------------


@router.get("/users", response={200: list[UserOut], **LIST}, summary="用户列表（限本辖区）")
@paginate
def user_list(request: HttpRequest, filters: Query[UserFilters]) -> Any:
    return selectors.user_list(
        actor=actor_of(request),
        q=filters.q,
        role=filters.role.value if filters.role else "",
        unit_id=filters.unit_id,
    )


@router.post(
    "/users",
    response={201: UserOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
    summary="新建用户",
    description="403：无权在该组织管理用户；409：用户名已被使用；422：参数有误、组织不存在或不在辖区内、密码太弱。",
)
def user_create(request: HttpRequest, payload: UserCreateIn) -> Any:
    user = services.user_create(
        actor=actor_of(request),
        username=payload.username,
        name=payload.name,
        email=payload.email,
        home_unit=_unit(request, payload.home_unit_id),
        password=payload.password,
    )
    return Status(201, user)


@router.get(
    "/users/{int:user_id}",
    response={200: UserOut, **READ},
    summary="用户详情",
)
def user_get(request: HttpRequest, user_id: int) -> Any:
    return selectors.user_get(actor=actor_of(request), user_id=user_id)


@router.patch(
    "/users/{int:user_id}",
    response={200: UserOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
    summary="修改用户（姓名、邮箱、所属组织、启用/停用）",
    description="403：可查看但无权管理该用户；404：用户不存在或不在辖区内；422：参数有误，或停用自己的账号。",
)
def user_update(request: HttpRequest, user_id: int, payload: UserPatchIn) -> Any:
    actor = actor_of(request)
    user = selectors.user_get(actor=actor, user_id=user_id)
    home_unit = _unit(request, payload.home_unit_id) if payload.home_unit_id is not None else None
    return services.user_update(
        actor=actor,
        user=user,
        name=payload.name,
        email=payload.email,
        is_active=payload.is_active,
        home_unit=home_unit,
    )


# --- role assignments --------------------------------------------------------------------------------------


@router.get(
    "/users/{int:user_id}/assignments",
    response={200: list[AssignmentOut], **READ},
    summary="用户的角色授权（含已撤销）",
)
@paginate
def assignment_list(request: HttpRequest, user_id: int) -> Any:
    actor = actor_of(request)
    user = selectors.user_get(actor=actor, user_id=user_id)
    return selectors.assignment_list(actor=actor, user=user).order_by("-valid_from", "id")


@router.post(
    "/users/{int:user_id}/assignments",
    response={201: AssignmentOut, **WRITE},
    summary="授予角色",
    description=(
        "404：用户不存在或不在辖区内；422：组织不存在或不在辖区内、截止日期已过或早于生效日期、组织已撤销；"
        "403：可查看但无权在该组织授权，或给自己授权；409：该用户在该组织已有这个角色。"
    ),
)
def assignment_grant(request: HttpRequest, user_id: int, payload: AssignmentIn) -> Any:
    actor = actor_of(request)
    user = selectors.user_get(actor=actor, user_id=user_id)
    assignment = services.assignment_grant(
        actor=actor,
        user=user,
        org_unit=_unit(request, payload.org_unit_id),
        role=payload.role.value,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
    )
    return Status(201, assignment)


@router.post(
    "/assignments/{int:assignment_id}/revoke",
    response={200: AssignmentOut, **WRITE},
    summary="撤销角色授权",
    description="404：授权不存在或不在可管理范围内；409：已撤销。",
)
def assignment_revoke(request: HttpRequest, assignment_id: int) -> Any:
    actor = actor_of(request)
    assignment = selectors.assignment_get(actor=actor, assignment_id=assignment_id)
    return services.assignment_revoke(actor=actor, assignment=assignment)


# --- personal tokens ---------------------------------------------------------------------------------------


@router.get("/tokens", response={200: list[TokenOut], **LIST}, summary="我的API令牌")
@paginate
def token_list(request: HttpRequest) -> Any:
    return selectors.token_list(actor=actor_of(request))


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, 403: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
    summary="创建API令牌",
    description="明文令牌只在此响应中出现一次。422：名称为空或过期时间不晚于现在。"
    "403 token_outlives_parent：用令牌认证的请求只能创建不晚于该令牌过期时间的令牌（长期令牌须在网页上创建）。",
)
def token_create(request: HttpRequest, payload: TokenCreateIn) -> Any:
    actor = actor_of(request)
    # A valid bearer token is what authenticated this request (token auth is tried before the session).
    bearer = request.headers.get("Authorization", "").partition(" ")
    via = services.token_lookup(bearer[2].strip()) if bearer[0].lower() == "bearer" else None
    token, plain = services.token_create(
        actor=actor,
        name=payload.name,
        expires_at=payload.expires_at,
        via_token=via if via is not None and via.user_id == actor.pk else None,
    )
    token.refresh_from_db()  # every datetime as stored (UTC), as GET /tokens shows it
    token.token = plain  # type: ignore[attr-defined]
    return Status(201, token)


@router.post(
    "/tokens/{int:token_id}/revoke",
    response={200: TokenOut, **WRITE},
    summary="撤销API令牌",
    description="404：令牌不存在或不属于您；409：已撤销。",
)
def token_revoke(request: HttpRequest, token_id: int) -> Any:
    actor = actor_of(request)
    return services.token_revoke(actor=actor, token=selectors.token_get(actor=actor, token_id=token_id))
