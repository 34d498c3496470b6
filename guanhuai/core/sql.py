"""INSERT … SELECT from an ORM queryset: the set-based write of bulk work (DESIGN.md). The SELECT is
compiled by Django (same code on SQLite and PostgreSQL, parameters bound, no string-built values); only
the table and column names, which come from models, are put into the statement here."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models
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
