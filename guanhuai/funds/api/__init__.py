"""/api/v1/funds: funds, donors, donations, receipts, allocations, disbursements, transfers, special rounds,
statements, the public disclosure summary and the ledger check; one module per seam (`funds`,
`donations`, `spending`), sharing `common` (router, references, output helpers) and `schemas`.

Thin, like the pages: reads through funds.selectors (scoped: a fund, donation or receipt outside the actor's
branches is a 404, exactly like one that does not exist), writes through funds.services, which check the
named permissions (a finance officer records donations, a fund manager allocates, approves, reverses and
transfers, an auditor only reads: 403). A DomainError becomes `{"code", "message"}` with its status through
the API kit (`guanhuai.core.api`): 422 bad input, 409 a state or balance conflict (`insufficient_funds`,
`period_closed`, `already_voided` …).

Money goes both ways as strings with two decimals ("1234.50"), never as a float; an amount may come as a
string or a JSON number and is checked strictly by the kit's `AmountIn`. A fund, donor, purpose or person
named in the *body* that is unknown or outside the scope is a 422 about that input; in the URL it is a 404.

Replays: POST /donations, /allocations, /allocations/{id}/disbursements and /transfers take an optional
`Idempotency-Key` header (or `idempotency_key` in the body, which must then be the same; /rounds requires
it in the body). A replay with the same key by the same user returns what the first request created, with
200 instead of 201, and writes nothing; the same key with a different body is 409 `idempotency_mismatch`.

GET /disclosure is public (no login): totals per purpose and the donors who chose to be named, never a
beneficiary."""

from guanhuai.funds.api import donations, funds, spending  # noqa: F401  (register the endpoints)
from guanhuai.funds.api.common import router

__all__ = ["router"]
