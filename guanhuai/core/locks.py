"""Row locks taken by services: the one way a service re-reads the row it holds under a lock.

A service is handed a row that was read before its transaction began (by a selector, through scoping). The
checks it makes must see what a concurrent request did meanwhile (a double click, a second reviewer), so it
re-reads the row with `SELECT … FOR UPDATE` inside its transaction and checks that copy. The row was already
read through scoping, so the re-read is system work for the scope guard (`core/scopes.py`). Only the row
itself is locked (`FOR UPDATE OF` it), never the rows that `related` joins in: a lock on a branch or a
programme would hold up every other service that touches it.

Locks on several rows of one kind (a fund balance and its parent) are taken in a fixed order by their own
helpers (`funds.ledger.lock_funds`).
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from guanhuai.core.scopes import ScopedQuerySet

M = TypeVar("M", bound=models.Model)


def relock(obj: M, *related: str) -> M:
    """`obj` read again under a row lock, with `related` (select_related paths) joined in. Call it inside
    `transaction.atomic()`, as late as the checks allow."""
    rows = type(obj)._default_manager.all()
    if isinstance(rows, ScopedQuerySet):
        rows = rows.unscoped("a re-read under lock of a row the service already holds")
    rows = rows.select_for_update(of=("self",))
    if related:  # select_related() with no names would join every relation
        rows = rows.select_related(*related)
    return rows.get(pk=obj.pk)
