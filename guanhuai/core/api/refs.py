"""Who is calling, and records named in a request body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _

from guanhuai.core.errors import NotFound, ValidationError

T = TypeVar("T")


def actor(request: HttpRequest) -> Any:
    """The authenticated user: the token's owner or the session's user (ninja puts it on `request.auth`)."""
    return request.auth  # type: ignore[attr-defined]


def not_found() -> NotFound:
    """The 404 of a record that is missing or outside the caller's scope (the two are the same answer), for
    an endpoint that finds out itself: a lookup that came back empty, or a record not of the URL's parent."""
    return NotFound(_("未找到该记录，或您无权访问。"))


def ref(lookup: Callable[[], T], *, code: str, message: str) -> T:
    """A record named in the *body*: run the scoped lookup, and turn its 404 into a 422 about that input.
    In the URL the same record is a 404; in the body the request itself is wrong, so the client gets a
    422 with `code` (e.g. `unknown_fund`) and a message that never says whether the record exists."""
    try:
        return lookup()
    except NotFound:
        raise ValidationError(message, code=code) from None


def patch_data(payload: Any, model: type[Any]) -> dict[str, Any]:
    """The fields a PATCH body sets. `null` is "no value", which a NOT NULL column cannot take: refuse it with
    a 422 naming the field, instead of letting the database raise (a 500). To keep a value, omit the field."""
    data: dict[str, Any] = payload.model_dump(exclude_unset=True)
    for name, value in data.items():
        if value is not None:
            continue
        column = name[: -len("_id")] if name.endswith("_id") else name
        names = {f.name for f in model._meta.get_fields()}
        if column not in names:  # not a model field: the endpoint maps it itself
            continue
        if not model._meta.get_field(column).null:
            raise ValidationError(
                _("%(field)s 不能为 null；不修改就不要传这个字段。") % {"field": name},
                code="null_not_allowed",
            )
    return data
