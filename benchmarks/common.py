"""Helpers shared by the benchmarks: a tree shared out evenly, a user with one role, and one person's row
of the registry import workbook (as `registry.io_excel.HEADERS` lays it out)."""

from __future__ import annotations

import secrets
from typing import Any

from guanhuai.accounts.services import assignment_grant, user_create
from guanhuai.orgs.models import OrgUnit

RELATION = {
    "head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母", "grandchild": "孙子女",
    "sibling": "兄弟姐妹", "other": "其他亲属",
}  # fmt: skip


def spread(total: int, parents: list[str]) -> list[tuple[str, int]]:
    """`total` children shared out as evenly as possible over `parents`, in order."""
    base, extra = divmod(total, len(parents))
    return [(p, base + (1 if i < extra else 0)) for i, p in enumerate(parents)]


def bench_user(system: Any, username: str, role: str, unit: OrgUnit) -> Any:
    """A user holding `role` at `unit`, made without audit (set-up, not timed)."""
    user = user_create(
        actor=system,
        username=username,
        name=username,
        home_unit=unit,
        password=secrets.token_urlsafe(16),
        audit=False,
    )
    assignment_grant(actor=system, user=user, org_unit=unit, role=role, audit=False)
    return user


def import_row(household: Any, village_code: str, person: Any) -> list[str]:
    """One person of a generated household (web.demo.households) as a row of the import workbook; the
    household's address and hukou type stand on its head's row only."""
    head = person.relation_to_head == "head"
    return [
        household.number,
        village_code,
        household.address if head else "",
        ("城镇" if household.hukou_type == "urban" else "农村") if head else "",
        person.name,
        person.id_legacy or person.id_number,
        RELATION[person.relation_to_head],
        person.phone,
        person.hukou_place,
        "是" if getattr(person, "only_child_certificate", False) else "否",
        "是" if getattr(person, "is_migrant", False) else "否",
    ]
