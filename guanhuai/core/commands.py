"""The CLI kit: what every `guanhuai <command>` shares, so a command stays thin over the services.

- `ActionCommand`: a command with sub-actions (`guanhuai funds gaps …`); `handle` runs `handle_<action>`
  (dashes become underscores), and a service's refusal (any DomainError) exits non-zero with its message.
- `refusals()`: the same translation around any other block of service calls.
- `user_named(name)`: the user a `--user`/`--as` option names, or a clear error; no name is no user.
- `acting_as(name)`: the same user, for a block that acts or reads for them: the scope guard
  (core/scopes.py) is armed there as on their pages, so a list the command builds without
  `accounts.scoping` fails in tests; with no name it is the operator's own, unscoped view."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from guanhuai.core.errors import DomainError
from guanhuai.core.scopes import acting_for

__all__ = ["ActionCommand", "acting_as", "refusals", "user_named"]


@contextmanager
def refusals() -> Iterator[None]:
    """A DomainError raised inside leaves the command as a `CommandError` with its (Chinese) message."""
    try:
        yield
    except DomainError as exc:
        raise CommandError(str(exc)) from exc


def user_named(username: str | None) -> Any:
    """The user with this username; None for no name (the operator's own, unscoped view)."""
    if not username:
        return None
    model = get_user_model()
    try:
        return model._default_manager.get_by_natural_key(username)
    except model.DoesNotExist:
        raise CommandError(_("用户不存在：%(name)s") % {"name": username}) from None


@contextmanager
def acting_as(username: str | None) -> Iterator[Any]:
    """`user_named(username)`, with the scope guard armed while the block works for that user."""
    user = user_named(username)
    with acting_for(user):
        yield user


class ActionCommand(BaseCommand):
    """Sub-actions as methods: the parser's `dest="action"` names `handle_<action>`."""

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        with refusals():
            getattr(self, "handle_" + action.replace("-", "_"))(**options)
