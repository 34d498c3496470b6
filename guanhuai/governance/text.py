"""Normalised text and the fingerprint of a version: the one definition, used when a version is adopted,
imported, filed or published.

Normalising keeps what a reader of the text would call its content: each clause's chapter, number and
words, in order. Whitespace of every kind (spaces, full-width spaces, line breaks, tabs) is dropped, since
Chinese text has no meaningful spaces and a retyped or re-imported text differs in them; full-width and
half-width forms are unified (NFKC), so "１" and "1" are the same. Punctuation is kept: a changed comma can
change a rule's meaning."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

_SPACE = re.compile(r"\s+")


class ClauseLike(Protocol):
    chapter_number: int | None
    chapter_title: str
    number: int
    text: str


@functools.lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    # Cached: two versions of a document share most of their clauses, and a diff or a review asks for
    # the same texts again (NFKC is most of the cost of a diff).
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def normalised_text(clauses: Iterable[ClauseLike]) -> str:
    """One line per clause, in order: "chapter|chapter title|number|text"."""
    return "\n".join(
        f"{c.chapter_number or ''}|{normalise(c.chapter_title)}|{c.number}|{normalise(c.text)}"
        for c in clauses
    )


def fingerprint(clauses: Iterable[ClauseLike]) -> str:
    return hashlib.sha256(normalised_text(clauses).encode("utf-8")).hexdigest()
