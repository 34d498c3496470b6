"""Shared pieces of the registry API: pagination, response maps, actor and unit helpers.

No `from __future__ import annotations`: ninja reads annotations at import time."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination

from guanhuai.core.api import AUTH_ERRORS, ErrorOut
from guanhuai.orgs import selectors as org_selectors
from guanhuai.orgs.models import OrgUnit

router = Router()

MAX_PAGE = 200
PERSONS = ["persons"]
HOUSEHOLDS = ["households"]
IMPORTS = ["registry imports"]

READ = {**AUTH_ERRORS, 404: ErrorOut, 422: ErrorOut}
WRITE = {**AUTH_ERRORS, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE, description="每页条数（最多 200）")
        offset: int = Field(0, ge=0)


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _unit(request: HttpRequest, unit_id: int) -> OrgUnit:
    """A branch named in the input: unknown or invisible is a 422 `unknown_unit`."""
    return org_selectors.unit_ref(actor=_actor(request), unit_id=unit_id)
