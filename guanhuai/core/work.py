"""The work queue's registry: what each app puts on a person's home page.

An app declares its work items in its own `work.py` (found by `web.apps`, which imports every app's
`work.py`, so the home page imports no app by name and a new app plugs in by adding the file):

    @register("programmes.returned", order=110)
    def returned(actor) -> WorkItem | None:
        if not scoping.can_anywhere(actor, APPLY):
            return None                      # not this person's work: no tile at all
        return WorkItem(label=_("退回待修改"), count=..., url=reverse(...) + "?status=returned")

A provider returns None (or an empty list) when the item does not apply to the actor's permissions: the
tile is hidden, never shown with 0. When it applies, its count is computed through the app's scoped
selectors as ONE query (a grouped count for items with parts, such as the review queue by step), and its
link opens the exact page, filters included, where the counted rows are listed. The registry lives in
`core` because every app may register, and an app may only import the layers below it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class WorkItem:
    label: str | Promise
    count: int
    url: str
    # A short hint under the label (e.g. the step or the reason); optional.
    detail: str | Promise = ""
    # "warning" for items that are late; the template colours the tile.
    tone: str = ""
    key: str = field(default="", compare=False)
    group: str | Promise = ""


Provider = Callable[[Any], "WorkItem | Iterable[WorkItem] | None"]


@dataclass(frozen=True)
class _Entry:
    key: str
    order: int
    group: str | Promise
    provider: Provider


_PROVIDERS: dict[str, _Entry] = {}


def register(key: str, *, order: int, group: str | Promise) -> Callable[[Provider], Provider]:
    """Register `provider(actor)` under a unique dotted key; `order` places it on the page (apps use
    their own hundreds: programmes 100–499, funds 500–599, registry 600–699) and `group` is
    the heading it appears under (the kind of work, e.g. 审核, 发放, 基金)."""

    def wrap(fn: Provider) -> Provider:
        if key in _PROVIDERS and _PROVIDERS[key].provider is not fn:
            raise ValueError(f"work item {key} registered twice")
        _PROVIDERS[key] = _Entry(key=key, order=order, group=group, provider=fn)
        return fn

    return wrap


def items_for(actor: Any) -> list[WorkItem]:
    """Every item that applies to the actor, in registration order. Anonymous actors have none."""
    if not getattr(actor, "is_authenticated", False):
        return []
    out: list[WorkItem] = []
    for entry in sorted(_PROVIDERS.values(), key=lambda e: (e.order, e.key)):
        found = entry.provider(actor)
        if found is None:
            continue
        for i, item in enumerate([found] if isinstance(found, WorkItem) else found):
            out.append(
                WorkItem(
                    label=item.label,
                    count=item.count,
                    url=item.url,
                    detail=item.detail,
                    tone=item.tone,
                    key=item.key or (entry.key if i == 0 else f"{entry.key}.{i}"),
                    group=item.group or entry.group,
                )
            )
    return out


def registered() -> list[str]:
    return sorted(_PROVIDERS)
