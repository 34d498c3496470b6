"""One error contract for every answer under /api/: a JSON body `{"code", "message", "details"?,
"request_id"?}`, never an HTML page, whatever went wrong and wherever (a service, ninja's validation,
the body parser, Django's URL resolver or an unexpected exception).

The status of a domain error is its class's (`core.errors`: 422 ValidationError, 404 NotFound, 403
PermissionDenied, 409 Conflict). A request without a valid token or session is a 401 with
`WWW-Authenticate: Bearer` on every method (a POST is not a "CSRF" 403: the CSRF question only arises for
a browser session)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from guanhuai.core.errors import DomainError

logger = logging.getLogger("guanhuai.api")


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None
    request_id: str | None = None


# Error responses every authenticated endpoint may give, to merge into its `response=` map; the API root
# adds 400 (malformed body) and 500 to every operation itself.
AUTH_ERRORS: dict[int, Any] = {401: ErrorOut}
# A list (or a report) names no record in its path: its parameters may be refused, nothing is looked up.
LIST: dict[int, Any] = {**AUTH_ERRORS, 422: ErrorOut}
READ: dict[int, Any] = {**AUTH_ERRORS, 404: ErrorOut, 422: ErrorOut}
WRITE: dict[int, Any] = {**AUTH_ERRORS, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

# pydantic error types raised by the kit's own types (core.api.money), promoted to the error's `code`.
KIT_ERROR_PREFIXES = ("amount_", "date_")

WWW_AUTHENTICATE = 'Bearer realm="guanhuai"'


def error_body(code: str, message: str, details: Any = None, request_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    if request_id is not None:
        body["request_id"] = request_id
    return body


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("malformed_request", _("请求体无法解析：请发送有效的 JSON 或 multipart 表单。")),
        401: ("unauthenticated", _("请先登录，或提供有效的API令牌。")),
        403: ("permission_denied", _("您无权执行此操作。")),
        404: ("not_found", _("未找到该记录，或您无权访问。")),
        405: ("method_not_allowed", _("该地址不支持此请求方法。")),
        413: ("too_large", _("请求体过大。")),
    }


def _server_error(request: HttpRequest, exc: BaseException) -> JsonResponse:
    request_id = getattr(request, "request_id", None) or uuid.uuid4().hex
    logger.error("API error %s on %s %s", request_id, request.method, request.path, exc_info=exc)
    body = error_body("server_error", _("服务器内部错误，请稍后重试；如仍出错，请把请求编号告诉管理员。"))
    body["request_id"] = request_id
    return JsonResponse(body, status=500, json_dumps_params={"ensure_ascii": False})


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Only the parts a client needs; pydantic's `ctx` may hold exception objects that JSON cannot carry.
    return [
        {"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in errors
    ]


def install(api: Any) -> None:
    """Register the error handlers on the NinjaAPI `api`."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = WWW_AUTHENTICATE
        return response

    def fixed(status: int) -> Callable[[HttpRequest, Exception], HttpResponse]:
        def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
            code, message = _messages()[status]
            return respond(request, status, error_body(code, message))

        return handler

    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.code, str(exc), exc.details))

    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        details = _validation_details(exc.errors)
        # One broken rule of ours (a strict amount, a bounded date) is named at the top, as a service would.
        if len(details) == 1 and str(details[0]["type"]).startswith(KIT_ERROR_PREFIXES):
            return respond(request, 422, error_body(details[0]["type"], details[0]["msg"], details))
        return respond(request, 422, error_body("validation_error", _("请求参数有误。"), details))

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403 and "CSRF" in str(exc):  # ninja's check for a browser session
            return respond(
                request,
                403,
                error_body("csrf_failed", _("浏览器会话的 CSRF 令牌缺失或无效，请刷新页面后重试。")),
            )
        if exc.status_code in _messages():
            code, message = _messages()[exc.status_code]
            return respond(request, exc.status_code, error_body(code, message))
        return respond(request, exc.status_code, error_body("http_error", str(exc)))

    def model_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        # A model's full_clean() that a service let through: still the client's input, so a 422, not a 500.
        details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        message = "；".join(str(m) for messages in details.values() for m in messages)
        return respond(request, 422, error_body("validation_error", message, details))

    def too_large(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # An id or count beyond 64 bits that reached the database: no such record, and the input is wrong.
        return respond(request, 422, error_body("number_too_large", _("请求中的数字过大。")))

    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _server_error(request, exc)

    api.add_exception_handler(Exception, unexpected)
    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(Http404, fixed(404))
    api.add_exception_handler(AuthenticationError, fixed(401))
    api.add_exception_handler(NinjaValidationError, invalid)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(MultiPartParserError, fixed(400))
    api.add_exception_handler(DjangoValidationError, model_invalid)
    api.add_exception_handler(OverflowError, too_large)


def _has_nul(request: HttpRequest) -> bool:
    if "%00" in request.META.get("QUERY_STRING", "").lower() or "\x00" in request.path:
        return True
    if request.content_type == "application/json":
        body = request.body
        return b"\\u0000" in body or b"\x00" in body
    return False


class JsonErrorsMiddleware:
    """Under /api/, turn what Django answers outside ninja (an unknown path such as a non-numeric id, a
    405, the HTML 400 of a broken multipart body, an uncaught exception) into the same JSON error body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and _has_nul(request):
            # PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database (a 500).
            return JsonResponse(
                error_body("nul_character", _("请求中含有空字符（NUL），请删除后重试。")),
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json") or response.streaming:
            return response
        status = response.status_code
        code, message = _messages().get(status, ("server_error" if status >= 500 else "http_error", ""))
        if status >= 500:
            return _server_error(request, RuntimeError(f"HTTP {status} from {request.path}"))
        out = HttpResponse(
            json.dumps(error_body(code, message or str(response.reason_phrase)), ensure_ascii=False),
            status=status,
            content_type="application/json",
        )
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                out[header] = response[header]
        if status == 401 and "WWW-Authenticate" not in out:
            out["WWW-Authenticate"] = WWW_AUTHENTICATE
        return out

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not request.path.startswith("/api/"):
            return None
        if isinstance(exc, Http404):
            code, message = _messages()[404]
            return JsonResponse(
                error_body(code, message), status=404, json_dumps_params={"ensure_ascii": False}
            )
        return _server_error(request, exc)
