"""Job kinds. An app registers a handler in its `jobs.py`:

    @register("orgs.import_tree", _("导入组织架构"))
    def import_tree(job: Job, progress: Progress) -> None: ...

A handler must be resumable: it reads `job.checkpoint`, and calls `progress.step(...)`/`progress.save_checkpoint`
as it goes, so that a retried job continues where it stopped instead of redoing committed work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from guanhuai.jobs.models import Job
    from guanhuai.jobs.services import Progress


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    handler: Callable[[Job, Progress], Any]


_KINDS: dict[str, JobKind] = {}


def register(name: str, label: str | Promise) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in _KINDS and _KINDS[name].handler is not fn:
            raise ValueError(f"job kind {name} registered twice")
        _KINDS[name] = JobKind(name=name, label=label, handler=fn)
        return fn

    return wrap


def get(name: str) -> JobKind:
    return _KINDS[name]


def label(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.label) if kind else name


def kinds() -> dict[str, JobKind]:
    return dict(_KINDS)
