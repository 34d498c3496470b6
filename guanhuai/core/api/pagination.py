"""One pagination: ninja's `@paginate` with `{items, count}`, `limit` 1…MAX_LIMIT (default 50) and
`offset` 0…MAX_OFFSET. A limit over the maximum is a 422 that says so, never a silent clamp, and no list
is cut at a hidden length.

An endpoint returns a queryset (or list). When the page needs decorating in one batch (balances for the
funds on the page, remaining amounts for allocations), it returns `Paged(rows, prepare)` and `prepare`
receives just the page's objects.

A detail whose answer carries one page of its own rows (an import batch and its error rows) takes the same
bounds as a `page: Query[PageQuery]` parameter and cuts the rows with `one_page`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.pagination import paginate as ninja_paginate

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}，默认 50）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


@dataclass
class Paged:
    rows: Any
    prepare: Callable[[list[Any]], list[Any]]


class Pagination(LimitOffsetPagination):
    Input = PageQuery  # type: ignore[assignment]  # named, so no stray "Input" schema

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        prepare: Callable[[list[Any]], list[Any]] | None = None
        if isinstance(queryset, Paged):
            queryset, prepare = queryset.rows, queryset.prepare
        offset, limit = pagination.offset, pagination.limit
        items = list(queryset[offset : offset + limit])
        if prepare is not None:
            items = prepare(items)
        return {"items": items, "count": self._items_count(queryset)}


def paginate(func: Callable[..., Any]) -> Callable[..., Any]:
    """`@paginate` under `@router.get(..., response={200: list[ItemOut], ...})`."""
    return ninja_paginate(Pagination)(func)


def one_page(rows: Any, page: PageQuery) -> tuple[list[Any], int]:
    """The rows of `page` and the count of all rows, for an answer that carries its own page of rows."""
    return list(rows[page.offset : page.offset + page.limit]), rows.count()
