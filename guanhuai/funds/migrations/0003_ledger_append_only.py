"""The ledger is append-only, enforced by the database: a trigger refuses every UPDATE and DELETE of a ledger
transaction or entry, whoever sends it (the ORM, raw SQL, a console). See docs/ledger.md.

PostgreSQL: a row-level BEFORE UPDATE OR DELETE trigger raises `restrict_violation` (an IntegrityError in
Django). TRUNCATE, which only a table owner may run, is not a row delete and is how a test flush empties
the tables.

SQLite: the same refusal as two BEFORE triggers. SQLite has no TRUNCATE (Django's flush DELETEs), so the
DELETE trigger steps aside while `guanhuai_ledger_maintenance()` returns 1: a function that Guanhuai
registers on its own connections (`funds.apps`) and that answers 1 only inside `funds.ledger.maintenance()`,
which only the `flush` command enters. Any other client has no such function, and its DELETE fails.
"""

from django.db import migrations

TABLES = ("funds_ledgertransaction", "funds_ledgerentry")

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION guanhuai_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION guanhuai_ledger_append_only()"
        for table in TABLES
    ),
]
POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS guanhuai_ledger_append_only()",
]
SQLITE_FORWARD = [
    statement
    for table in TABLES
    for statement in (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: UPDATE on {table} refused'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "WHEN guanhuai_ledger_maintenance() = 0 "
        f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: DELETE on {table} refused'); END",
    )
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_{verb}" for table in TABLES for verb in ("no_update", "no_delete")
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("funds", "0002_purposes")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
