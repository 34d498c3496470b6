"""Set-based writes of bulk work (DESIGN.md), and the one place where SQL differs between SQLite and
PostgreSQL. The SELECTs are compiled by Django (same code on both databases, parameters bound, no
string-built values); only table and column names, which come from models, are put into statements here.

- `insert_select`: INSERT … SELECT from a queryset;
- `update_from`: UPDATE … FROM a queryset's rows put in a temporary table, so the new values are computed
  once per batch (a join and a GROUP BY) instead of once per row (PostgreSQL runs a correlated subquery
  in SET or WHERE once for every row it updates, where SQLite's planner did not make that cost visible),
  and the UPDATE touches only the rows that change;
- `analyze`: fresh planner statistics after a bulk job that changed a large part of a table;
- `table_writes`: HOT updates and size of a table on PostgreSQL, for benchmarks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import QuerySet


def insert_select(model: type[models.Model], columns: Sequence[str], rows: QuerySet) -> int:
    """INSERT INTO model's table (columns) SELECT … of `rows`, whose `.values()` must list exactly one
    expression per column, in order. Returns the number of rows inserted."""
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)
        return max(cursor.rowcount, 0)


# `update_from(..., at_most=n)` with n up to this: the caller knows the rows are few (one family's parents),
# and the UPDATE reads them straight from the query, without a temporary table.
FEW_ROWS = 500


def update_from(
    model: type[models.Model], columns: Sequence[str], rows: QuerySet, *, at_most: int | None = None
) -> int:
    """Set `columns` of model's rows to the values in `rows`, and write only the rows where a value
    differs (on PostgreSQL every write also rewrites the row's index entries, and leaves a dead tuple).

    `rows.values()` must list the primary key first, then one expression per column, in order; at most
    one row per key. Best when `rows` already lists only the rows that change (e.g. a HAVING that compares
    the stored columns, as `registry.family.changed_facts` does): they go into a temporary table first
    (`CREATE TEMPORARY TABLE … AS <rows>`, analyzed on PostgreSQL so that the planner knows their
    number), and the UPDATE runs only if there is any, as `UPDATE table SET c = v.c … FROM temp AS v
    WHERE table.pk = v.k AND (c IS DISTINCT FROM v.c OR …)` (`IS NOT` on SQLite, where UPDATE … FROM
    needs 3.33 or later).
    Without the table PostgreSQL estimates a CTE's filtered rows as all of them and hash-joins them to
    the whole table: a full scan of it per call even when nothing changes (benchmarks/README.md).
    `at_most=n`, n ≤ `FEW_ROWS`: the caller knows that `rows` lists at most n rows (the life-event services
    recompute one family's parents), and one statement takes them from the query itself, `UPDATE table
    SET … FROM (WITH v(k, …) AS (<rows>) SELECT * FROM v) AS v WHERE …`: no temporary table to create,
    count and drop (catalog writes on PostgreSQL), no setting to change (such a plan is far below JIT's
    threshold): one family's parents at scale 0.3 took 1.7–2.8 ms per parent on PostgreSQL this way and
    5.0–6.5 ms through the temporary table (benchmarks/README.md).
    Returns the number of rows written."""
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(model._meta.pk.column)
    names = [f"c{i}" for i in range(len(columns))]
    temp = quote(f"update_from_{model._meta.db_table}")
    differs = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
    assign = ", ".join(f"{quote(c)} = v.{n}" for c, n in zip(columns, names, strict=True))
    changed = " OR ".join(f"{table}.{quote(c)} {differs} v.{n}" for c, n in zip(columns, names, strict=True))
    # Names come from the model; every value is a bound parameter. The CTE names the columns on both
    # databases (SQLite has no `AS v(k, …)` for a subquery).
    fill = f"CREATE TEMPORARY TABLE {temp} AS WITH v(k, {', '.join(names)}) AS ({sql}) SELECT * FROM v"  # noqa: S608
    statement = f"UPDATE {table} SET {assign} FROM {temp} AS v WHERE {table}.{pk} = v.k AND ({changed})"  # noqa: S608
    if at_most is not None and at_most <= FEW_ROWS:
        # The statement starts with UPDATE: Python's sqlite3 reports a row count only for a statement that
        # starts with INSERT, UPDATE, DELETE or REPLACE (not for `WITH … UPDATE`).
        rows_v = f"(WITH v(k, {', '.join(names)}) AS ({sql}) SELECT * FROM v)"  # noqa: S608
        few = f"UPDATE {table} SET {assign} FROM {rows_v} AS v WHERE {table}.{pk} = v.k AND ({changed})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(few, params)
            return max(cursor.rowcount, 0)
    with transaction.atomic(), connection.cursor() as cursor:
        with _settings(cursor, FILL_SETTINGS):
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(fill, params)
        cursor.execute(f"SELECT COUNT(*) FROM {temp}")  # noqa: S608
        written = 0
        if cursor.fetchone()[0]:
            if connection.vendor == "postgresql":
                # A temporary table has no statistics until analyzed (autovacuum never sees it): the
                # planner would guess its rows from its pages.
                cursor.execute(f"ANALYZE {temp}")
            cursor.execute(statement)
            written = max(cursor.rowcount, 0)
        cursor.execute(f"DROP TABLE {temp}")
    return written


# PostgreSQL settings for the statement that fills `update_from`'s table, each restored after it:
# - no JIT: it compiles a large GROUP BY's expressions each time, 217 ms of a 1.77 s recompute over
#   300,000 persons (benchmarks/README.md), more than it saves;
# - more memory for its sort and hash: with the default 4 MB the GROUP BY of 300,000 persons sorted on
#   disk ("external merge Disk: 3520kB" in each of three processes).
FILL_SETTINGS = {"jit": "off", "work_mem": "32MB"}


@contextmanager
def _settings(cursor: Any, settings: dict[str, str]) -> Iterator[None]:
    """PostgreSQL only: these settings for the statements within, each restored to its value before after
    them (`set_config(…, true)`: local to the transaction, like `SET LOCAL`). On an error the transaction
    (or savepoint) is rolled back, and the settings with it. Nothing on SQLite."""
    if connection.vendor != "postgresql":
        yield
        return
    names = list(settings)
    read = ", ".join("current_setting(%s)" for _ in names)
    put = ", ".join("set_config(%s, %s, true)" for _ in names)
    cursor.execute(f"SELECT {read}", names)
    was = cursor.fetchone()
    cursor.execute(f"SELECT {put}", [p for n in names for p in (n, settings[n])])
    yield
    cursor.execute(f"SELECT {put}", [p for n, v in zip(names, was, strict=True) for p in (n, v)])


def analyze(*models_: type[models.Model]) -> None:
    """Refresh the planner's statistics of these tables. Call it after a bulk job that inserted or
    changed more than about a tenth of a table: PostgreSQL's autovacuum gets there only later, and until
    then plans are made for the table as it was (a nested loop over "a few" rows that are now 300,000).
    ANALYZE may run inside a transaction on both databases."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")


@dataclass(frozen=True)
class TableWrites:
    updated: int  # rows updated since the statistics were reset
    hot: int  # of those, HOT updates: the new version on the same page, no new index entries
    size: int  # bytes of the table (without its indexes)


def table_writes(model: type[models.Model]) -> TableWrites | None:
    """PostgreSQL only (None on SQLite): how many of the table's row updates were HOT, and its size, from
    the statistics views, for benchmarks (`registry.0013`'s fillfactor). This session's own counts are
    flushed first (they reach the views when the session is idle, at most once a second otherwise), and
    those of a transaction in progress added."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        # the flushed counts, plus those of the transaction in progress (if any: a test's)
        cursor.execute(
            "SELECT s.n_tup_upd + x.n_tup_upd, s.n_tup_hot_upd + x.n_tup_hot_upd, pg_table_size(s.relid) "
            "FROM pg_stat_user_tables s JOIN pg_stat_xact_user_tables x USING (relid) "
            "WHERE s.relid = %s::regclass",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        updated, hot, size = cursor.fetchone()
    return TableWrites(updated=updated, hot=hot, size=size)


@dataclass(frozen=True)
class FlagCounts:
    key: Any
    rows: int
    each: dict[str, int]
    all: int
    none: int


def group_flags(rows: QuerySet, *, key: str, flags: Sequence[str]) -> list[FlagCounts]:
    """Count, per value of `key`, the rows of `rows` (a `.values()` queryset listing `key` and `flags`, each
    flag an integer 0 or 1): all rows, the rows with each flag, with every flag, and with none. One GROUP BY
    over the queryset as a subquery, so an expensive flag is computed once per row, not once per count.
    Integers rather than booleans, so that the SQL is the same on SQLite and PostgreSQL."""
    inner, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    every = " AND ".join(f"{quote(f)} = 1" for f in flags)
    nothing = " AND ".join(f"{quote(f)} = 0" for f in flags)
    k = quote(key)
    select = ", ".join(
        [
            k,
            "COUNT(*)",
            *(f"SUM({quote(f)})" for f in flags),
            f"SUM(CASE WHEN {every} THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {nothing} THEN 1 ELSE 0 END)",
        ]
    )
    with connection.cursor() as cursor:
        # names are quoted, values are parameters
        statement = f"SELECT {select} FROM ({inner}) AS flagged GROUP BY {k} ORDER BY {k}"  # noqa: S608
        cursor.execute(statement, params)
        found = cursor.fetchall()
    n = len(flags)
    return [
        FlagCounts(
            key=r[0],
            rows=r[1],
            each={f: int(r[2 + i] or 0) for i, f in enumerate(flags)},
            all=int(r[2 + n] or 0),
            none=int(r[3 + n] or 0),
        )
        for r in found
    ]


def delete_rows(rows: QuerySet) -> int:
    """DELETE the rows of `rows` in one statement, without Django's collector (which reads every row first to
    check the foreign keys pointing at them). Only for rows that the caller knows nothing points at: the
    database's own constraints still refuse a row that something does point at. Returns the rows deleted."""
    return rows._raw_delete(rows.db)
