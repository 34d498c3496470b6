"""One hierarchy of domain errors. Services raise them; each interface translates them once:
views into form/page messages, the API into `{"code", "message"}` with the class's HTTP status, the CLI
into a CommandError. Messages are translated and never reveal data outside the actor's scope."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: Any, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.details = details

    def __str__(self) -> str:
        return str(self.message)


class ValidationError(DomainError):
    status = 422
    code = "validation_error"


class NotFound(DomainError):
    """Missing or outside the actor's scope: the two are deliberately indistinguishable."""

    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    """The object is visible, but the actor lacks the permission for this action."""

    status = 403
    code = "permission_denied"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"
