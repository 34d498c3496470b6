#!/usr/bin/env python3
"""Replace `actor: Any` with the `Actor` type (guanhuai/accounts/actor.py) everywhere, and import it.

Idempotent: run it again after merging branches whose new code still says `actor: Any`.
    python3 scripts/actor_type.py && .venv/bin/ruff check --fix -q guanhuai benchmarks && \
    .venv/bin/ruff format -q guanhuai benchmarks
Skips migrations, and `guanhuai/core` (core imports nothing of ours: it keeps `Any`). Afterwards `make
typecheck` names each new row that records its author with a bare `actor` (`created_by=actor`): write
`signed_in(actor)` there (accounts/actor.py)."""

from __future__ import annotations

import ast
import pathlib
import re
import sys

ROOTS = ["guanhuai", "benchmarks"]
IMPORT = "from guanhuai.accounts.actor import Actor"
PATTERNS = [
    (re.compile(r"\bactor: Any \| None\b"), "actor: Actor | None"),
    (re.compile(r"\bactor: Any = None\b"), "actor: Actor | None = None"),
    (re.compile(r"\bactor: Any\b"), "actor: Actor"),
]


def last_top_import_line(source: str) -> int:
    """1-based line after which to put the new import: the end of the module's leading import block."""
    tree = ast.parse(source)
    end = 0
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            end = node.end_lineno or node.lineno
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and end == 0:
            end = node.end_lineno or node.lineno  # the module docstring
        else:
            break
    return end


def still_uses_any(source: str) -> bool:
    """Is `Any` still used once the import line is ignored?"""
    skip = ("from typing import", "import ")
    body = "\n".join(line for line in source.splitlines() if not line.startswith(skip))
    return re.search(r"\bAny\b", body) is not None


def drop_unused_any(source: str) -> str:
    if still_uses_any(source):
        return source

    def fix(match: re.Match[str]) -> str:
        names = [n.strip() for n in match.group(1).split(",") if n.strip() and n.strip() != "Any"]
        return f"from typing import {', '.join(names)}\n" if names else ""

    return re.sub(r"^from typing import ([^\n(]+)\n", fix, source, count=1, flags=re.M)


def convert(path: pathlib.Path) -> bool:
    source = path.read_text(encoding="utf-8")
    new = source
    for pattern, replacement in PATTERNS:
        new = pattern.sub(replacement, new)
    if new == source:
        return False
    if not re.search(r"^from guanhuai\.accounts\.actor import [^\n]*\bActor\b", new, flags=re.M):
        lines = new.split("\n")
        at = last_top_import_line(new)
        lines.insert(at, IMPORT)
        new = "\n".join(lines)
    new = drop_unused_any(new)
    path.write_text(new, encoding="utf-8")
    return True


def main() -> int:
    changed = []
    for root in ROOTS:
        for path in sorted(pathlib.Path(root).rglob("*.py")):
            parts = path.parts
            if "migrations" in parts or parts[:2] == ("guanhuai", "core") or path.name == "actor.py":
                continue
            if convert(path):
                changed.append(str(path))
    print(f"{len(changed)} files changed")
    for name in changed:
        print("  " + name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
