"""Shared set-up of the care tests: a bereaved family in 甲村 (the only child died), and care staff."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association.tests.factories import CadreFactory
from guanhuai.registry.services import death_record
from guanhuai.registry.tests.factories import family


@pytest.fixture
def care(tree, people):
    bereaved = family(people.clerk_a, tree.village_a, children=1)
    child = bereaved.members.get(relation_to_head="child")
    death_record(actor=people.clerk_a, person=child, occurred_on=dt.date(2020, 3, 1))
    ordinary = family(people.clerk_a, tree.village_a, children=2, address="幸福路2号")
    return SimpleNamespace(
        bereaved=bereaved,
        ordinary=ordinary,
        child=child,
        officer=user_with_role("association_officer", tree.town_a, username="xiehui_a"),
        officer_b=user_with_role("association_officer", tree.town_b, username="xiehui_b"),
        county_officer=user_with_role("association_officer", tree.county, username="xiehui_county"),
        cadre_town=CadreFactory(org_unit=tree.town_a, name="赵专干"),
        cadre_b=CadreFactory(org_unit=tree.town_b, name="钱专干"),
    )
