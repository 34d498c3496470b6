"""core.sql.group_flags: counts per key of rows with each flag, all of them and none, the same on both
databases."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When

from guanhuai.core.sql import group_flags
from guanhuai.orgs.models import OrgUnit
from guanhuai.orgs.tests.factories import OrgUnitFactory


def test_counts_each_flag_every_flag_and_none_per_key(db):
    province = OrgUnitFactory(code="440000", name="省")
    for i, level in enumerate(["city", "city", "county", "county", "county"]):
        OrgUnitFactory(code=f"44{i + 1:02d}00", name=f"单位{i}", level=level, parent=province)
    rows = (
        OrgUnit.objects.exclude(pk=province.pk)
        .annotate(
            odd=Case(
                When(Q(code__endswith="100") | Q(code__endswith="300"), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            city=Case(When(level="city", then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .values("level", "odd", "city")
    )
    found = {g.key: g for g in group_flags(rows, key="level", flags=["odd", "city"])}
    assert (found["city"].rows, found["city"].each, found["city"].all, found["city"].none) == (
        2,
        {"odd": 1, "city": 2},
        1,
        0,
    )
    assert (found["county"].rows, found["county"].each, found["county"].all, found["county"].none) == (
        3,
        {"odd": 1, "city": 0},
        0,
        2,
    )
