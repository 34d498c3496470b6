"""/api/v1/persons and /api/v1/households: the household registry over the API.

Thin, like the pages: reads through registry.selectors (scoped: a person or household outside the actor's
branches is a 404, exactly like one that does not exist), writes through registry.services; a DomainError
propagates and the API kit (guanhuai.core.api) turns it into `{"code", "message"}` with its status.

Privacy: every response carries the masked ID, phone and bank account (`id_masked`, `phone_masked`,
`account_masked`), never the plain values. The only way to a full value is POST .../unmask, which needs
registry.unmask and a stated reason, and is written to the audit log (docs/privacy.md).

A person, household or unit named in the request *body* (a spouse, parents, the household of a move, the
village of a new household) that is unknown or outside the scope is a 422 about that input; in the URL it
is a 404. Codes every operation may give besides its own: 401 (no session and no valid token), 422
(malformed path, query or body), and on writes 403 (a browser session without its CSRF token).

No `from __future__ import annotations` here: ninja reads the Query[...] annotations at import time."""

from guanhuai.registry.api import households, imports, persons  # noqa: F401  (register the endpoints)
from guanhuai.registry.api.common import router

__all__ = ["router"]
