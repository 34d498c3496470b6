"""The REST API root: /api/v1/. Authentication is a session (with CSRF, for the browser) or a personal
token (`Authorization: Bearer gh_…`). Every error is JSON `{"code": ..., "message": ...}`; each app's
router declares the status codes it can return, using `ErrorOut` from here."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from guanhuai.accounts.services import token_authenticate
from guanhuai.core.errors import DomainError


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


# Error responses every authenticated endpoint may give, to merge into its `response=` map.
AUTH_ERRORS: dict[int, Any] = {401: ErrorOut}

api = NinjaAPI(
    title="Guanhuai API",
    version="1",
    description="关怀 — 计生协工作平台 API。认证：浏览器会话（需 CSRF）或个人令牌 `Authorization: Bearer gh_…`。",
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
)


def _error(request: HttpRequest, status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, str(exc), exc.details)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("未找到该记录，或您无权访问。"))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("请先登录，或提供有效的API令牌。"))


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _error(request, 422, "validation_error", _("请求参数有误。"), exc.errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


def _register_routers() -> None:
    from guanhuai.accounts.api import router as accounts_router
    from guanhuai.funds.api import router as funds_router
    from guanhuai.jobs.api import router as jobs_router
    from guanhuai.orgs.api import router as orgs_router
    from guanhuai.programmes.api import router as programmes_router
    from guanhuai.registry.api import router as registry_router

    api.add_router("/orgunits", orgs_router)
    api.add_router("/", accounts_router)
    api.add_router("/jobs", jobs_router)
    api.add_router("/", registry_router)
    api.add_router("/funds", funds_router)
    api.add_router("/", programmes_router)


_register_routers()
