"""Materialised paths for the branch tree.

A unit's `path` is its parent's path plus a fixed-width, digits-only segment. "Everything below X" is
then the half-open range [X.path, next(X.path)), which a plain B-tree index answers on SQLite and on
PostgreSQL alike. Digits only, because every collation orders digit strings the same way as bytes (a
`LIKE 'x%'` prefix match would need a C collation on PostgreSQL and case-sensitive LIKE on SQLite).
"""

from __future__ import annotations

SEGMENT = 4
MAX_CHILDREN = 10**SEGMENT - 1


def segment(n: int) -> str:
    if not 1 <= n <= MAX_CHILDREN:
        raise ValueError(f"child number {n} out of range 1..{MAX_CHILDREN}")
    return f"{n:0{SEGMENT}d}"


def upper_bound(path: str) -> str:
    """The smallest digit string of the same length that is greater than every path below `path`."""
    return f"{int(path) + 1:0{len(path)}d}"


def depth(path: str) -> int:
    return len(path) // SEGMENT


def ancestors(path: str) -> list[str]:
    """Paths of all ancestors, root first, excluding `path` itself."""
    return [path[:i] for i in range(SEGMENT, len(path), SEGMENT)]


def minimal_roots(paths: list[str]) -> list[str]:
    """Drop paths that lie below another path in the list: their subtrees are already covered."""
    roots: list[str] = []
    for p in sorted(set(paths)):
        if not roots or not p.startswith(roots[-1]):
            roots.append(p)
    return roots
