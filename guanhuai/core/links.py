"""What the apps above hold about an object, shown on that object's page by the app that owns it.

The registry's person page shows the person's applications, enrolments and payments, and a "申请扶助"
button where the person qualifies; but those belong to programmes, which the registry may not import. So
each app declares, in its own `links.py` (found by `core.apps`, which imports every app's `links.py`):

    @register("registry.person", key="programmes.person", order=100)
    def person_links(actor, person) -> Iterable[Link]:
        ...   # through the app's scoped selectors: only what the actor may see

and the page asks `links_for("registry.person", actor, person)`. A provider returns nothing when it has
nothing for the actor (no group heading is shown then). Each provider reads with a fixed number of
queries, whatever the number of rows it returns. The registry lives in `core` because any app may
register, and an app may only import the layers below it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str
    # The heading the link appears under (扶助申请, 享受项目, 发放记录).
    group: str | Promise
    # A short state after the label ("乡镇审核", "享受中").
    detail: str | Promise = ""
    # An action offered (申请扶助): shown as a button, not as a row.
    action: bool = False


Provider = Callable[[Any, Any], Iterable[Link]]
_PROVIDERS: dict[str, dict[str, tuple[int, Provider]]] = {}


def register(object_type: str, *, key: str, order: int) -> Callable[[Provider], Provider]:
    """Register `provider(actor, obj)` for the pages of `object_type` ("registry.person")."""

    def wrap(fn: Provider) -> Provider:
        _PROVIDERS.setdefault(object_type, {})[key] = (order, fn)
        return fn

    return wrap


def links_for(object_type: str, actor: Any, obj: Any) -> list[Link]:
    """Every link the apps offer the actor on this object's page, in registration order."""
    if not getattr(actor, "is_authenticated", False):
        return []
    providers = sorted(_PROVIDERS.get(object_type, {}).items(), key=lambda kv: (kv[1][0], kv[0]))
    return [link for _key, (_order, fn) in providers for link in fn(actor, obj)]


def grouped(links: Iterable[Link]) -> list[tuple[str | Promise, list[Link]]]:
    """Rows by their group heading, in first-seen order (actions are left out: they are buttons)."""
    out: dict[str, tuple[str | Promise, list[Link]]] = {}
    for link in links:
        if not link.action:
            out.setdefault(str(link.group), (link.group, []))[1].append(link)
    return list(out.values())
