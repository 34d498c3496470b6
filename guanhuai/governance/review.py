"""The legal-review checklist run over a version's clauses: before adoption (on the draft's page, and when
it is adopted) and at filing (the reviewer's page, and stored in the filing's log). A finding is a warning
for a person to judge; nothing here refuses anything."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from guanhuai.governance.models import Clause, ReviewPattern
from guanhuai.governance.text import normalise


@dataclass(frozen=True)
class Finding:
    clause_id: int | None
    clause_number: int
    code: str
    title: str
    reason: str
    legal_basis: str
    matched: str

    def as_json(self) -> dict[str, object]:
        return {"clause": self.clause_number, "code": self.code, "title": self.title, "matched": self.matched}


def active_patterns() -> list[tuple[ReviewPattern, re.Pattern[str]]]:
    """The checklist (a small table of data, not a branch's rows), compiled once per review."""
    compiled = []
    for item in ReviewPattern.objects.filter(active=True).order_by("sort", "pk"):
        try:
            compiled.append((item, re.compile(item.pattern)))
        except re.error:
            continue  # a broken pattern is the officer's to fix; it must not stop a review
    return compiled


def review(
    clauses: Iterable[Clause], patterns: list[tuple[ReviewPattern, re.Pattern[str]]] | None = None
) -> list[Finding]:
    patterns = active_patterns() if patterns is None else patterns
    findings = []
    for clause in clauses:
        body = normalise(clause.text)
        for item, rx in patterns:
            match = rx.search(body)
            if match:
                findings.append(
                    Finding(
                        clause_id=clause.pk,
                        clause_number=clause.number,
                        code=item.code,
                        title=item.title,
                        reason=item.reason,
                        legal_basis=item.legal_basis,
                        matched=match.group(0),
                    )
                )
    return findings


def by_clause(findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    out: dict[int, list[Finding]] = {}
    for finding in findings:
        out.setdefault(finding.clause_number, []).append(finding)
    return out
