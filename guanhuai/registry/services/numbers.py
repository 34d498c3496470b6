"""Household numbers (户编号): the one place they are given. A number is the village's 12-digit division
code and the next value of the village's own sequence, `440224100200-0001`; the database refuses a second
household with the same number (`household_number_unique`).

A number typed by a clerk or read from an older register is kept as it is. If it has our shape and belongs
to the village, the village's sequence moves past it, so that the sequence never hands it out again. Callers
run inside their own transaction: the sequence rows stay locked until it commits, and two clerks saving at
once queue on the row instead of taking the same number."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from guanhuai.core.errors import Conflict
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry.models import Household, HouseholdSequence

NUMBER_SHAPE = re.compile(r"^(?P<code>[0-9]{12})-(?P<n>[0-9]{1,7})$")


def format_number(code: str, n: int) -> str:
    return f"{code}-{n:04d}"


def _locked(unit_ids: Iterable[int]) -> dict[int, HouseholdSequence]:
    ids = sorted(set(unit_ids))
    HouseholdSequence.objects.bulk_create(
        [HouseholdSequence(org_unit_id=i) for i in ids], ignore_conflicts=True
    )
    # Locked in one order (by village id), so two imports over the same villages cannot deadlock.
    return {
        s.org_unit_id: s
        for s in HouseholdSequence.objects.select_for_update().filter(org_unit_id__in=ids).order_by("pk")
    }


def household_numbers_take(counts: dict[int, int], *, typed: Iterable[str] = ()) -> dict[int, list[str]]:
    """`counts[village id]` new numbers for each village, from its sequence, in one locked step (an import
    takes thousands at once). `typed` are numbers kept as given: the sequence of the village whose code a
    number carries (not always the household's own: a household that moved keeps its number) moves past it
    first, so the sequence never hands it out again."""
    shaped = [(m["code"], int(m["n"])) for n in typed if (m := NUMBER_SHAPE.match(n or ""))]
    by_code = dict(OrgUnit.objects.filter(code__in={c for c, _n in shaped}).values_list("code", "pk"))
    seqs = _locked([*counts, *by_code.values()])
    codes = dict(OrgUnit.objects.filter(pk__in=list(seqs)).values_list("pk", "code"))
    for code, n in shaped:
        if code in by_code:
            seq = seqs[by_code[code]]
            seq.last = max(seq.last, n)
    taken: dict[int, list[str]] = {}
    for unit_id, n in counts.items():
        seq = seqs[unit_id]
        taken[unit_id] = [format_number(codes[unit_id], seq.last + i) for i in range(1, n + 1)]
        seq.last += n
    HouseholdSequence.objects.bulk_update(list(seqs.values()), ["last"])
    return taken


def household_number_for(org_unit: OrgUnit, typed: str = "") -> str:
    """The number of one new household in `org_unit`: the typed one if no other household holds it, else
    the next of the village's sequence."""
    typed = (typed or "").strip()
    if typed:
        if Household.objects.filter(number=typed).exists():
            raise Conflict(_("户编号 %(n)s 已被其他户使用。") % {"n": typed}, code="number")
        household_numbers_take({}, typed=[typed])
        return typed
    return household_numbers_take({org_unit.pk: 1})[org_unit.pk][0]
