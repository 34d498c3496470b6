"""core.sql.update_from: writes only the rows whose values differ, the same on both databases, and leaves
no temporary table and no changed setting behind; on PostgreSQL the table is analyzed before the UPDATE,
and the statement that fills it runs without JIT and with more memory."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Value, When
from django.test.utils import CaptureQueriesContext

from guanhuai.core.sql import table_writes, update_from
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


def test_the_fill_runs_with_its_settings_and_the_update_reads_the_table_analyzed(db):
    # given: four units, of which two get a new name
    province = OrgUnitFactory(code="440000", name="省")
    for i in (1, 2, 3):
        OrgUnitFactory(code=f"44{i:02d}00", name=f"市{i}", level="city", parent=province)
    seen: dict[str, object] = {}

    def look(execute, sql, params, many, context):
        # the database's own view, just before the statement runs (a raw cursor: no wrapper, no log)
        raw = context["cursor"].cursor
        if connection.vendor == "postgresql":
            if sql.startswith("CREATE TEMPORARY TABLE"):
                raw.execute("SELECT current_setting('jit'), current_setting('work_mem')")
                seen["fill"] = raw.fetchone()
            elif sql.startswith("UPDATE"):
                raw.execute("SELECT reltuples FROM pg_class WHERE relname = 'update_from_orgs_orgunit'")
                seen["rows"] = raw.fetchone()[0]
        elif sql.startswith("UPDATE"):
            seen["rows"] = None
        return execute(sql, params, many, context)

    # when: update_from runs, inside a transaction as the services do
    with transaction.atomic():
        before = _settings()
        with connection.execute_wrapper(look), CaptureQueriesContext(connection) as ctx:
            written = update_from(OrgUnit, ["name"], _new_names())
        after = _settings()
    # then: the same result on both databases
    assert written == 2
    assert _names() == {"440000": "省", "440100": "市1", "440200": "新名", "440300": "又一个"}
    analyzed = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        # PostgreSQL: the GROUP BY ran without JIT and with 32 MB for its sort, the settings are back after,
        # and the UPDATE was planned with the temporary table's true row count (not analyzed: -1, unknown)
        assert seen["fill"] == ("off", "32MB")
        assert after == before
        assert seen["rows"] == 4
        assert len(analyzed) == 1
    else:
        assert seen == {"rows": None}
        assert not analyzed
    # and a call that finds nothing to write analyzes nothing
    with CaptureQueriesContext(connection) as ctx:
        assert update_from(OrgUnit, ["name"], _new_names().filter(code="449900")) == 0
    assert not [q for q in ctx.captured_queries if q["sql"].startswith(("ANALYZE", "UPDATE"))]


def _settings() -> tuple[str, str] | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        return cursor.fetchone()


def test_a_few_rows_are_updated_in_one_statement_without_a_temporary_table(db):
    # given: four units, of which two get a new name, and a caller that knows the rows are few
    province = OrgUnitFactory(code="440000", name="省")
    for i in (1, 2, 3):
        OrgUnitFactory(code=f"44{i:02d}00", name=f"市{i}", level="city", parent=province)
    # when: update_from runs with at_most
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        jit = _settings()
        assert update_from(OrgUnit, ["name"], _new_names(), at_most=4) == 2
        assert _settings() == jit
    # then: the same rows written as through the temporary table, by one statement and nothing else
    assert _names() == {"440000": "省", "440100": "市1", "440200": "新名", "440300": "又一个"}
    statements = [q["sql"] for q in ctx.captured_queries if "current_setting" not in q["sql"]]
    assert len(statements) == 1 and statements[0].startswith("UPDATE")
    assert not [q for q in ctx.captured_queries if "TEMPORARY" in q["sql"] or "set_config" in q["sql"]]
    # and a second run writes nothing, as does a call that lists no row
    assert update_from(OrgUnit, ["name"], _new_names(), at_most=4) == 0
    assert update_from(OrgUnit, ["name"], _new_names().filter(code="449900"), at_most=1) == 0
    assert _names()["440200"] == "新名"
    # but a caller that expects many rows gets the temporary table
    with CaptureQueriesContext(connection) as ctx:
        update_from(OrgUnit, ["name"], _new_names(), at_most=10_000)
    assert any(q["sql"].startswith("CREATE TEMPORARY TABLE") for q in ctx.captured_queries)


def test_table_writes_counts_the_updates_of_a_table_on_postgresql(db):
    province = OrgUnitFactory(code="440000", name="省")
    for i in (1, 2, 3):
        OrgUnitFactory(code=f"44{i:02d}00", name=f"市{i}", level="city", parent=province)
    before = table_writes(OrgUnit)
    assert update_from(OrgUnit, ["name"], _new_names()) == 2
    after = table_writes(OrgUnit)
    if connection.vendor != "postgresql":
        assert before is None and after is None  # SQLite keeps no such statistics
        return
    assert before is not None and after is not None
    assert after.updated - before.updated == 2
    assert 0 <= after.hot - before.hot <= 2
    assert after.size > 0
