"""Dotted action codes mapped to translated sentences for display. Unknown codes show as themselves."""

from typing import Any

# Each app fills this from its own `<app>/audit.py` (imported by `AuditConfig.ready`).
SENTENCES: dict[str, Any] = {}


def register(sentences: dict[str, Any]) -> None:
    """Each app declares its own action sentences in its `audit.py` (audit never imports them by name)."""
    SENTENCES.update(sentences)


def describe(action: str) -> str:
    return str(SENTENCES.get(action, action))
