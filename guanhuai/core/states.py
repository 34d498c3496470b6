"""The one check of a state change. Each app declares its statuses and a transition table in its
`states.py` ({status: the statuses it may move to}); every service that changes a status asks here first,
so a move the table does not allow is refused the same way everywhere, with `InvalidTransition` (409).

- `table(Status, old="new other", …)`: declare a table; a status it does not name is final (no move out);
- `transition(obj, new, table)`: check and set `obj.status` (the caller saves, with `update_fields`);
- `check(table, old, new)`: the same check for a set-based `UPDATE … SET status = new WHERE status = old`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _

from guanhuai.core.errors import InvalidTransition

Table = Mapping[str, Collection[str]]


def table(statuses: type[TextChoices], **moves: str) -> dict[str, frozenset[str]]:
    """The transition table over every status of `statuses`, written by value: `table(Status,
    draft="under_review withdrawn", returned="under_review")` lets a draft move to under review or
    withdrawn, and so on; a status not named is final (no move out). A value that is not a status of
    `statuses` is refused when the app's `states.py` is imported."""
    try:
        rows = {statuses(old): [statuses(new) for new in news.split()] for old, news in moves.items()}
    except ValueError as exc:
        raise ValueError(f"{statuses.__name__}: {exc}") from exc
    return {status: frozenset(rows.get(status, ())) for status in statuses}


def label(table: Table, status: str) -> str:
    """The status's display label (its TextChoices label), found among the table's keys."""
    for key in table:
        if key == status:
            return str(getattr(key, "label", key))
    return str(status)


def allowed(table: Table, old: str, new: str) -> bool:
    return new in table.get(old, ())


def check(table: Table, old: str | Iterable[str], new: str) -> None:
    """Refuse the move from `old` (or from each of several old statuses) to `new` unless the table allows it."""
    for status in [old] if isinstance(old, str) else old:
        if not allowed(table, status, new):
            raise InvalidTransition(
                _("当前状态为“%(old)s”，不能变为“%(new)s”。")
                % {"old": label(table, status), "new": label(table, new)},
                code="invalid_transition",
            )


def transition(obj: Any, new: str, table: Table, *, field: str = "status") -> None:
    """Check the move of `obj.<field>` to `new` against the table, then set it (unsaved)."""
    check(table, getattr(obj, field), new)
    setattr(obj, field, new)
