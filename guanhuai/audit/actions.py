"""What the log page needs to read an entry aloud, registered by each app in its own `<app>/audit.py`
(imported by `AuditConfig.ready`, so audit names no app):

- `register({code: sentence})`: the translated sentence of each dotted action code; an unknown code shows
  as itself.
- `register_names({object_type: namer})`: for a model whose `str()` is not a name a person can read
  ("1:9917" for an application), `namer(ids)` returns `{id: name}` for a whole page of entries in ONE
  query, so the page's query count does not grow with its length. Types without a namer show the
  `object_repr` stored when the entry was written."""

from collections.abc import Callable, Iterable
from typing import Any

# Each app fills these from its own `<app>/audit.py` (imported by `AuditConfig.ready`).
SENTENCES: dict[str, Any] = {}
Namer = Callable[[list[str]], dict[str, str]]
NAMERS: dict[str, Namer] = {}
FIELD_LABELS: dict[str, dict[str, Any]] = {}


def register(sentences: dict[str, Any]) -> None:
    """Each app declares its own action sentences in its `audit.py` (audit never imports them by name)."""
    SENTENCES.update(sentences)


def register_names(namers: dict[str, Namer]) -> None:
    """Each app names its own objects for the log (`"programmes.application": names_of_applications`)."""
    NAMERS.update(namers)


def register_fields(labels: dict[str, dict[str, Any]]) -> None:
    """Labels for changed fields whose model gives none (`{"orgs.orgunit": {"parent": 上级组织}}`)."""
    for object_type, fields in labels.items():
        FIELD_LABELS.setdefault(object_type, {}).update(fields)


def describe(action: str) -> str:
    return str(SENTENCES.get(action, action))


def numeric(ids: Iterable[str]) -> list[int]:
    """The ids a namer can look up by integer key (anything else keeps its stored name)."""
    return [int(i) for i in ids if i.isdigit()]
