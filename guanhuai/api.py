"""The REST API root: /api/v1/. Authentication is a session (with CSRF, for the browser) or a personal
token (`Authorization: Bearer gh_…`). What every router shares (the actor, the error body and status map,
pagination, money, references and idempotency) is the kit in `guanhuai.core.api`; see docs/api.md.

This module only builds the NinjaAPI, installs the kit's error handlers and mounts the routers; no router
imports it, so an app's API can be imported on its own."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.operation import Operation
from ninja.security import HttpBearer, SessionAuth

from guanhuai.accounts.services import token_authenticate
from guanhuai.core import api as kit

ERROR_REF = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class BrowserSession(SessionAuth):
    """The browser's session, with CSRF. A request that carries an `Authorization` header is a token
    client: a bad, expired or revoked token is a 401, not a CSRF 403 and not a fall-back to a cookie."""

    def __call__(self, request: HttpRequest) -> Any:
        if "authorization" in request.headers or not request.user.is_authenticated:
            return None
        return super().__call__(request)


class GuanhuaiAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short and stable: the view function's name (`fund_list`), unique across the API (a test checks).
        return operation.view_func.__name__

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Every operation documents the answers the kit gives anywhere: 400 for a body that cannot be
        parsed, 401 when it needs a login, 404 when its path names a record, 405, and 500."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["components"]["schemas"].setdefault("ErrorOut", kit.ErrorOut.model_json_schema())
        for path, methods in schema["paths"].items():
            for op in methods.values():
                responses = op.setdefault("responses", {})
                extra = {400: "请求体无法解析", 405: "不支持的请求方法", 500: "服务器内部错误（附请求编号）"}
                if op.get("security"):
                    extra[401] = "未登录，或令牌无效、已过期、已吊销"
                if "{" in path:
                    extra[404] = "不存在或无权访问"
                extra[422] = "请求参数有误"
                for status, text in extra.items():
                    responses.setdefault(str(status), {"description": text, **ERROR_REF})
        _drop_unreferenced(schema)
        return schema


def _drop_unreferenced(schema: dict[str, Any]) -> None:
    """Ninja lists the query models of paginated operations (`PageQuery`) as components although nothing
    refers to them; a generated client would grow a stray class for each."""
    components = schema["components"]["schemas"]
    seen: set[str] = set()
    todo = [json.dumps(schema["paths"])]
    while todo:
        for name in re.findall(r'"#/components/schemas/([^"]+)"', todo.pop()):
            if name not in seen and name in components:
                seen.add(name)
                todo.append(json.dumps(components[name]))
    for name in set(components) - seen:
        del components[name]


api = GuanhuaiAPI(
    title="Guanhuai API",
    version="1",
    description="关怀 — 计生协工作平台 API。认证：浏览器会话（需 CSRF）或个人令牌 `Authorization: Bearer gh_…`。",
    urls_namespace="api-v1",
    auth=[TokenAuth(), BrowserSession(csrf=True)],
)
kit.install(api)


def _register_routers() -> None:
    from guanhuai.accounts.api import router as accounts_router
    from guanhuai.association.api import router as association_router
    from guanhuai.funds.api import router as funds_router
    from guanhuai.governance.api import router as governance_router
    from guanhuai.jobs.api import router as jobs_router
    from guanhuai.orgs.api import router as orgs_router
    from guanhuai.portal.api import router as portal_router
    from guanhuai.programmes.api import router as programmes_router
    from guanhuai.projects.api import router as projects_router
    from guanhuai.registry.api import router as registry_router

    api.add_router("/orgunits", orgs_router)
    api.add_router("/", accounts_router)
    api.add_router("/jobs", jobs_router)
    api.add_router("/", registry_router)
    api.add_router("/funds", funds_router)
    api.add_router("/", programmes_router)
    api.add_router("/association", association_router)
    api.add_router("/projects", projects_router)
    api.add_router("/governance", governance_router)
    api.add_router("/portal", portal_router)


_register_routers()
