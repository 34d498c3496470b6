"""The API kit: what every router under /api/v1/ uses, so that each answers the same way.

It lives in core (and imports nothing but core) so that an app's `api/` package can import it without
importing `guanhuai.api`, the root that imports every router; that is what made importing
`guanhuai.funds.api` first an ImportError. The pieces:

- `actor(request)`: who is calling (the token's or the session's user);
- `ErrorOut`, `AUTH_ERRORS`, `LIST`, `READ`, `WRITE`: the error body and the status codes an operation
  declares; `install(api)` maps every error (a DomainError's own status, ninja's validation, a malformed
  body, a missing token) to that body, and `JsonErrorsMiddleware` does the same for Django's own 404, 405,
  400 and 500 under /api/;
- `paginate` / `Pagination`: ninja's `{items, count}` with `limit` capped at `MAX_LIMIT` and `offset`
  bounded by `MAX_OFFSET`; `Paged` lets a list decorate its one page (balances, remaining amounts);
  `PageQuery` and `one_page` give a detail the same bounds for the page of rows it carries (an import
  batch's error rows);
- `ref(...)`: a record named in the body that is missing or out of scope becomes a 422 about that input;
  `not_found()`: the one 404 an endpoint raises itself (an empty lookup, a child of another parent);
  `patch_data(...)`: a PATCH body's fields, refusing `null` for a NOT NULL column with a 422;
- `Money` (out: a string with two decimals, never "-0.00"), `AmountIn` (in: strict), `DayIn` (a bounded
  date), `Id` (a positive 64-bit id);
- `IdempotencyKeyIn` (body), `IdempotencyKeyHeader` (header), `idempotency_key(...)` and
  `created_or_replayed(...)`: one replay contract."""

from guanhuai.core.api.errors import (
    AUTH_ERRORS,
    LIST,
    READ,
    WRITE,
    ErrorOut,
    JsonErrorsMiddleware,
    install,
)
from guanhuai.core.api.idempotency import (
    IdempotencyKeyHeader,
    IdempotencyKeyIn,
    check_replay,
    created_or_replayed,
    idempotency_key,
)
from guanhuai.core.api.money import AmountIn, DayIn, Id, Money, money_text
from guanhuai.core.api.pagination import (
    MAX_LIMIT,
    MAX_OFFSET,
    Paged,
    PageQuery,
    Pagination,
    one_page,
    paginate,
)
from guanhuai.core.api.refs import actor, not_found, patch_data, ref

__all__ = [
    "AUTH_ERRORS",
    "LIST",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "READ",
    "WRITE",
    "AmountIn",
    "DayIn",
    "ErrorOut",
    "Id",
    "IdempotencyKeyHeader",
    "IdempotencyKeyIn",
    "JsonErrorsMiddleware",
    "Money",
    "PageQuery",
    "Paged",
    "Pagination",
    "actor",
    "check_replay",
    "created_or_replayed",
    "idempotency_key",
    "install",
    "money_text",
    "not_found",
    "one_page",
    "paginate",
    "patch_data",
    "ref",
]
