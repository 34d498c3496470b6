"""Multi-row inserts for set-based bulk work that Django's `bulk_create` makes too slow: the demo's
million persons and the registry import's 100k rows. `bulk_create` spends most of its time per object and
per field (model `__init__`, `get_db_prep_save` for each value); these take plain tuples or records and
hand them to the driver in one call per table.

The caller is responsible for what the ORM would have done: values must be valid for their columns, and
encrypted fields given already encrypted (`core.crypto.encrypt`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


class RowWriter:
    """Multi-row inserts that bypass the ORM's per-object work (a million `Person` rows through
    `bulk_create` spend most of their time in Django's per-field preparation): PostgreSQL gets `COPY`,
    SQLite `executemany`. Values are adapted the way the fields would (dates and datetimes as the
    backend stores them, JSON as text); encrypted fields must be given already encrypted.

    Ids come from the table's own sequence on PostgreSQL (`nextval` for each, safe beside other
    writers); on SQLite, which has one writer at a time, they follow the highest id ever handed out. Reserve
    inside `transaction.atomic()`: the project's SQLite transactions are IMMEDIATE, so the write lock is
    held from BEGIN and no other writer can take the same ids before the insert."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.ops = connection.ops

    def reserve(self, model: type[models.Model], n: int) -> list[int]:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
                )
                return [row[0] for row in cursor.fetchall()]
            # Table and column names below come from model metadata, never from input.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.ops.quote_name(table)}")  # noqa: S608
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
            return list(range(start, start + n))

    def _adapter(self, f: models.Field) -> Callable[[Any], Any] | None:
        """How a value of this field reaches the driver, or None when it goes as it is."""
        if isinstance(f, models.JSONField):
            return lambda v: json.dumps(v, ensure_ascii=False)
        if self.vendor == "postgresql":
            return None
        if isinstance(f, models.DateTimeField):
            # Mostly one value (auto_now's "now" for every row): adapted once (time-zone work is costly).
            seen: dict[Any, Any] = {}

            def adapt(v: Any) -> Any:
                if v not in seen:
                    seen[v] = None if v is None else self.ops.adapt_datetimefield_value(v)
                return seen[v]

            return adapt
        if isinstance(f, models.DateField):
            return lambda v: None if v is None else v.isoformat()
        return None

    def insert(self, model: type[models.Model], attnames: list[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        fields = {f.attname: f for f in model._meta.concrete_fields}
        adapters = [(i, ad) for i, a in enumerate(attnames) if (ad := self._adapter(fields[a])) is not None]
        columns = [fields[a].column for a in attnames]
        adapted: Sequence[Sequence[Any]] = rows
        if adapters:  # only the columns that need it: most values go to the driver untouched
            copies = [list(row) for row in rows]
            for row in copies:
                for i, ad in adapters:
                    row[i] = ad(row[i])
            adapted = copies
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                from psycopg import sql

                query = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with cursor.cursor.copy(query) as copy:
                    for values in adapted:
                        copy.write_row(values)
                return
            quoted = ", ".join(self.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {self.ops.quote_name(table)} ({quoted}) VALUES ({marks})",  # noqa: S608
                adapted,
            )

    def insert_objects(
        self,
        model: type[models.Model],
        objs: Sequence[Any],
        *,
        override: dict[str, int] | None = None,
        values: Sequence[tuple[Any, ...]] | None = None,
    ) -> None:
        """Every concrete field of these records (id already reserved; a missing attribute takes the
        field's default); `override` maps an attname to a position in the matching tuple of `values`
        (the pre-encrypted values)."""
        override = override or {}
        now = timezone.now()
        fields = {f.attname: f for f in model._meta.concrete_fields}
        attnames = list(fields)
        auto = {
            f.attname
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        getters: list[Callable[[Any, int], Any]] = []
        for a in attnames:
            if a in override:
                pos = override[a]
                getters.append(lambda o, i, pos=pos: values[i][pos])  # type: ignore[index,misc]
            elif a in auto:
                getters.append(lambda o, i: now)
            else:
                default = fields[a].get_default()
                getters.append(lambda o, i, a=a, default=default: getattr(o, a, default))  # type: ignore[misc]
        rows = [tuple(g(o, i) for g in getters) for i, o in enumerate(objs)]
        self.insert(model, attnames, rows)
