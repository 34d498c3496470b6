"""PostgreSQL only: the person table's pages are filled to 85 %, so that an UPDATE of a row's derived family
facts (`registry.family.recompute_family_facts`) finds room for the new row version on the same page and
is HOT: no new entry in each of the table's indexes. At scale 0.3, 16,050 of 17,950 rewritten rows were
HOT with 85 % (533 with the default 100 %), for a table of 160 MB instead of about 136 MB
(benchmarks/README.md, "`recompute_family_facts` within 2× SQLite per person").

The setting governs pages written from now on: a new database (every test run, every bench) has it from
the start; an existing one needs its pages rewritten once, in a quiet hour, by `VACUUM FULL registry_person`
(an exclusive lock for its duration) or pg_repack (docs/registry.md). SQLite has no such setting: there
this migration does nothing.
"""

from django.db import migrations

FILLFACTOR = 85


def _set(value: int | None):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        if value is None:
            schema_editor.execute("ALTER TABLE registry_person RESET (fillfactor)", params=None)
        else:
            schema_editor.execute(f"ALTER TABLE registry_person SET (fillfactor = {value:d})", params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0012_consent_purpose_honours"),
    ]

    operations = [
        migrations.RunPython(_set(FILLFACTOR), _set(None), elidable=False),
    ]
