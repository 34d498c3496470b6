"""The demo province: the real divisions of Guangdong, generated townships and villages below three
cities, one user per role, and a demo job. `guanhuai demo` is the interface; the work is here."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.base import BaseCommand


def write_summary(
    command: BaseCommand, *, skipped: str, title: str, counts: Iterable[tuple[str, int]]
) -> None:
    """A demo step's summary as `guanhuai demo` prints it: why the step was skipped, if it was; else a blank
    line, the title, then a line per count (its label, a tab, the number right-aligned with thousands
    separators)."""
    if skipped:
        command.stdout.write(skipped)
        return
    command.stdout.write("")
    command.stdout.write(title)
    for label, n in counts:
        command.stdout.write(f"  {label}\t{n:>8,}")
