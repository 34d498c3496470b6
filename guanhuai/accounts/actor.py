"""`Actor`: who is asking. Every service, selector and scoping call takes `actor: Actor`.

It is a signed-in `User` (a page's `request.user`, an API token's `request.auth`, a job's submitter) or,
on a page reached without signing in, Django's `AnonymousUser`; scoping gives an anonymous actor nothing.

The alias is for mypy only. At run time `Actor` is `Any`, so that any module may import this one without
importing the models (no import cycle, no app-registry order), and `core`, which imports nothing of ours,
stays free of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, overload

from django.utils.translation import gettext as _

from guanhuai.core.errors import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from guanhuai.accounts.models import User

    Actor: TypeAlias = User | AnonymousUser
else:
    Actor = Any

__all__ = ["Actor", "signed_in"]


@overload
def signed_in(actor: Actor) -> User: ...
@overload
def signed_in(actor: Actor | None) -> User | None: ...


def signed_in(actor: Actor | None) -> User | None:
    """The user behind a write (the `created_by`, `recorded_by` … of a row). Pages and the API only let
    signed-in users reach a service, and scoping gives an anonymous actor nothing, so this is the type's
    narrowing; an anonymous actor that reaches a write anyway is refused, never recorded as nobody. None
    (system work: a set-up command, the demo) stays None."""
    from guanhuai.accounts.models import User

    if actor is not None and not isinstance(actor, User):
        raise PermissionDenied(_("请先登录。"), code="not_signed_in")
    return actor
