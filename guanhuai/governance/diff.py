"""A clause-level diff between two versions of a document, side by side.

Clauses are matched first by lineage: a revision drafted from a version keeps, on each clause, the clause
it came from (`Clause.origin`), so a clause that was edited and renumbered is still "the same clause,
changed". Clauses without lineage (an imported text, or versions far apart) are matched by identical
normalised text. The matched sequence is then aligned with difflib, so clauses that moved, were added or
were removed show where they are; within a changed clause the characters that differ are marked.

Pure Python over lists of clauses already loaded: two 300-clause versions diff in a few milliseconds
(`guanhuai bench governance --only diff`)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from guanhuai.governance.text import normalise

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
# How many unmatched old clauses a new one is compared with, and how alike two texts must be to count as one
# clause edited (difflib's ratio: 2 × matching characters / total characters).
WINDOW = 3
ALIKE = 0.6


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass
class Row:
    kind: str
    old: Any | None  # the clause of the first version
    new: Any | None  # the clause of the second version
    old_segments: list[Segment] = field(default_factory=list)
    new_segments: list[Segment] = field(default_factory=list)

    @property
    def renumbered(self) -> bool:
        return self.old is not None and self.new is not None and self.old.number != self.new.number


@dataclass
class Diff:
    rows: list[Row]

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind)

    @property
    def changes(self) -> list[Row]:
        return [row for row in self.rows if row.kind != SAME]


def _segments(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            left.append(Segment(old[i1:i2], op != "equal"))
        if j2 > j1:
            right.append(Segment(new[j1:j2], op != "equal"))
    return left, right


def _alike(old: str, new: str) -> bool:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return matcher.real_quick_ratio() >= ALIKE and matcher.quick_ratio() >= ALIKE and matcher.ratio() >= ALIKE


def _pair(old: Any, new: Any, norm: dict[int, str] | None = None) -> Row:
    same_text = (
        norm[id(old)] == norm[id(new)] if norm is not None else normalise(old.text) == normalise(new.text)
    )
    if same_text and normalise(old.chapter_title) == normalise(new.chapter_title):
        return Row(SAME, old, new, [Segment(old.text, False)], [Segment(new.text, False)])
    left, right = _segments(old.text, new.text)
    return Row(CHANGED, old, new, left, right)


def diff(old_clauses: Sequence[Any], new_clauses: Sequence[Any]) -> Diff:
    """Rows in reading order of the second version, with removed clauses where they stood in the first."""
    old_ids = {c.pk for c in old_clauses}
    # Each clause's text normalised once (normalising is most of the cost of a diff).
    norm = {id(c): normalise(c.text) for c in (*old_clauses, *new_clauses)}
    by_text: dict[str, list[int]] = {}
    for c in old_clauses:
        by_text.setdefault(norm[id(c)], []).append(c.pk)
    claimed: set[int] = set()
    new_keys: list[Any] = []
    for c in new_clauses:
        origin = getattr(c, "origin_id", None)
        if origin in old_ids and origin not in claimed:
            key: Any = origin
        else:
            candidates = [pk for pk in by_text.get(norm[id(c)], []) if pk not in claimed]
            key = candidates[0] if candidates else ("new", c.pk, id(c))
        if not isinstance(key, tuple):
            claimed.add(key)
        new_keys.append(key)
    old_keys = [c.pk for c in old_clauses]
    old_by_pk = {c.pk: c for c in old_clauses}
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [_pair(old_clauses[i1 + k], new_clauses[j1 + k], norm) for k in range(i2 - i1)]
            continue
        # Inside a block that does not line up: a clause matched by lineage elsewhere (moved) is paired
        # where it now stands; a new clause without a match is paired with one of the next few unmatched
        # old clauses when their texts are alike (an edit of a text without lineage); the rest are removed
        # from the first version (shown where they stood) and added in the second.
        removed = [old_clauses[k] for k in range(i1, i2) if old_keys[k] not in claimed]
        block: list[Row] = []
        for k in range(j1, j2):
            key = new_keys[k]
            new = new_clauses[k]
            if not isinstance(key, tuple):
                block.append(_pair(old_by_pk[key], new, norm))
                continue
            alike = next((o for o in removed[:WINDOW] if _alike(o.text, new.text)), None)
            if alike is not None:
                removed.remove(alike)
                block.append(_pair(alike, new, norm))
            else:
                block.append(Row(ADDED, None, new, [], [Segment(new.text, True)]))
        # Each removed clause shows just before the first row of the block that comes after it in the first
        # version, so both columns read in order.
        for row in block:
            while removed and row.old is not None and removed[0].position < row.old.position:
                gone = removed.pop(0)
                rows.append(Row(REMOVED, gone, None, [Segment(gone.text, True)], []))
            rows.append(row)
        rows += [Row(REMOVED, o, None, [Segment(o.text, True)], []) for o in removed]
    return Diff(rows)
