"""core.sql.update_from: writes only the rows whose values differ, the same on both databases, and leaves
no temporary table and no changed setting behind."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Value, When
from django.test.utils import CaptureQueriesContext

from guanhuai.core.sql import update_from
from guanhuai.orgs.models import OrgUnit
from guanhuai.orgs.tests.factories import OrgUnitFactory


def _names() -> dict[str, str]:
    return dict(OrgUnit.objects.values_list("code", "name"))


def _new_names():
    # the new name of 440100 is its old one: listed, but not written
    return OrgUnit.objects.values_list(
        "pk",
        Case(
            When(code="440200", then=Value("新名")),
            When(code="440300", then=Value("又一个")),
            default=F("name"),
            output_field=CharField(),
        ),
    )


def test_writes_only_the_rows_that_differ_and_leaves_nothing_behind(db):
    province = OrgUnitFactory(code="440000", name="省")
    for i in (1, 2, 3):
        OrgUnitFactory(code=f"44{i:02d}00", name=f"市{i}", level="city", parent=province)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        jit = _jit()
        assert update_from(OrgUnit, ["name"], _new_names()) == 2
        assert _jit() == jit  # PostgreSQL: JIT is off only for the statement that fills the table
    assert _names() == {"440000": "省", "440100": "市1", "440200": "新名", "440300": "又一个"}
    assert sum(q["sql"].startswith("UPDATE") for q in ctx.captured_queries) == 1
    # a second run finds nothing to write; rows that list nothing do not even run the UPDATE
    assert update_from(OrgUnit, ["name"], _new_names()) == 0
    with CaptureQueriesContext(connection) as ctx:
        assert update_from(OrgUnit, ["name"], _new_names().filter(code="449900")) == 0
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert _names()["440200"] == "新名"
    assert "update_from_orgs_orgunit" not in connection.introspection.table_names(include_views=False)


def _jit() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        return cursor.fetchone()[0]
