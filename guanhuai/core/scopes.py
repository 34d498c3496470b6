"""A list built without scoping fails loudly: the scope guard on branch-owned models.

This is pretix's django-scopes idea, fitted to our scoping, which is per actor and per permission rather
than one tenant per request. `accounts.scoping` stays the one place that computes scope; this module only
notices when a query of a guarded model did not go through it.

- Branch-owned models (the list is in docs/scoping.md) use `ScopedManager` as `objects`. Its querysets
  carry a mark: `accounts.scoping.scope()` and `get_or_404()` set it. Rows reached from a guarded object
  (a related manager or a prefetch: `household.members`, `application.grievances`) pass too: that object
  was itself read through scoping. Rows reached through a tree-wide object (a programme's applications, a
  cycle's entitlements) are not, because a province programme spans every village.
- While the guard is **armed**, reading an unmarked queryset of a guarded model (iterating, `get`,
  `first`, `count`, `aggregate`, `iterator`, `values…`) raises `UnscopedQuery`, naming the model and
  the way out. `exists()` (a service's yes/no check: an ID already registered, a person who heads a
  household, the uniqueness checks of `full_clean`), use as a subquery (`pk__in=`, `Exists`), `update`,
  `delete`, `create` and `bulk_create` are not reads of a list and pass.
- `ScopeGuardMiddleware` arms the guard for each request (pages and API), when
  `settings.GUANHUAI_SCOPE_GUARD` is on: always in tests, and with `GUANHUAI_SCOPE_GUARD=1` in a
  development run. Outside a request (jobs, the CLI, the demo, benchmarks, migrations, a test's own
  assertions) nothing is armed: that is system work. The Django admin (superusers only) is not armed.
- Inside a request, system work is marked explicitly: `qs.unscoped("why")` for one query (a re-read under
  lock of a row the service already holds, a uniqueness check across branches), or
  `with unscoped("why"):` for a block (a job run inline, a bulk step).

In production the guard is off: a query pays one attribute read and one setting read.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from typing import Self

M = TypeVar("M", bound=models.Model)

_armed: contextvars.ContextVar[bool] = contextvars.ContextVar("guanhuai_scope_armed", default=False)
_exempt: contextvars.ContextVar[str | None] = contextvars.ContextVar("guanhuai_scope_exempt", default=None)


class UnscopedQuery(RuntimeError):
    """A programming error, not a refusal: a guarded model was listed without `accounts.scoping`."""


def guard_enabled() -> bool:
    return bool(getattr(settings, "GUANHUAI_SCOPE_GUARD", False))


@contextlib.contextmanager
def armed() -> Iterator[None]:
    """Arm the guard for a block, as a request does (tests of a selector or service use it directly)."""
    token = _armed.set(True)
    try:
        yield
    finally:
        _armed.reset(token)


@contextlib.contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """System work inside a request: every query of the block may cross branches. Say why."""
    if not reason:
        raise ValueError("unscoped() needs a reason")
    token = _exempt.set(reason)
    try:
        yield
    finally:
        _exempt.reset(token)


def is_armed() -> bool:
    return _armed.get() and _exempt.get() is None


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset that knows whether it was scoped. See the module docstring."""

    _scoped: bool = False

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]  # Django's private copy hook, absent from the stubs
        clone._scoped = self._scoped
        return clone

    def scoped(self) -> Self:
        """Marked as built by `accounts.scoping` (call it only there, or where a selector applies the same
        `scoping.path_q` itself)."""
        clone = self._chain()  # type: ignore[attr-defined]  # Django's private copy, absent from the stubs
        clone._scoped = True
        return clone

    def unscoped(self, reason: str) -> Self:
        """Marked as system work that may cross branches: say why, in the call."""
        if not reason:
            raise ValueError("unscoped() needs a reason")
        return self.scoped()

    def none(self) -> Self:
        return super().none().scoped()

    def _check_scope(self) -> None:
        if self._scoped or self._result_cache is not None or not _armed.get() or _exempt.get() is not None:
            return
        # Django hints a related manager's and a prefetch's queryset with the object they start from:
        # rows reached from a guarded object (itself read through scoping) are in scope.
        parent = self._hints.get("instance")  # type: ignore[attr-defined]
        manager = type(parent)._default_manager if parent is not None else None
        if isinstance(manager, ScopedManager) and not isinstance(manager, TreeWideManager):
            return
        name = self.model.__name__
        if settings.GUANHUAI_SCOPE_GUARD == "record":
            _record(name)
            return
        raise UnscopedQuery(
            f"{name} is listed without scoping. Build it with accounts.scoping.scope(qs, actor, perm) or "
            f"get_or_404(...), reach it from an object in scope ({name} related managers), or, for system "
            f'work that must cross branches, say so: {name}.objects.unscoped("why") / '
            'core.scopes.unscoped("why").'
        )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        self._check_scope()
        return super().iterator(chunk_size=chunk_size)

    def count(self) -> int:
        self._check_scope()
        return super().count()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def contains(self, obj: models.Model) -> bool:
        self._check_scope()
        return super().contains(obj)


def _record(name: str) -> None:
    """One line per unscoped read: the model and the innermost frames of our own code that made it."""
    import traceback

    ours = [
        f"{f.filename.split('/guanhuai/', 1)[-1]}:{f.lineno}"
        for f in traceback.extract_stack()[:-3]
        if "/guanhuai/" in f.filename and "/core/scopes.py" not in f.filename
    ]
    with open(settings.GUANHUAI_SCOPE_RECORD, "a", encoding="utf-8") as out:
        out.write(f"{name} {' < '.join(reversed(ours[-3:]))}\n")


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


class TreeWideManager(ScopedManager):
    """For rows seen up the tree as well as down (a payment batch of a province programme's cycle): their
    lists are guarded like a branch's rows (a selector marks what it applies `scoping.path_q` to), but rows
    reached from one (`batch.payments`) are not in scope by that alone, since it spans every village."""


@contextlib.contextmanager
def acting_for(actor: Any) -> Iterator[None]:
    """Work done for a user outside a request (a job they submitted, a command run `--as` them) reads as
    they would on a page: the guard is armed for the block when it is on (tests; `GUANHUAI_SCOPE_GUARD`).
    With no actor (the operator's own command, a system job) nothing changes. An enclosing
    `unscoped("why")` (the demo building a province) still exempts the block."""
    if actor is None or not guard_enabled():
        yield
        return
    with armed():
        yield


class ScopeGuardMiddleware:
    """Arms the guard for the request when `GUANHUAI_SCOPE_GUARD` is on (tests; optionally development)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not guard_enabled():
            return self.get_response(request)
        token = _armed.set(True)
        try:
            return self.get_response(request)
        finally:
            _armed.reset(token)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces:
            _armed.set(False)  # the superusers' admin sees everything by design; reset with the request
