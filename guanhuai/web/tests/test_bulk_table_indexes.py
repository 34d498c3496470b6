"""The tables that bulk work writes 100,000s of rows into carry no index that another already serves: on
PostgreSQL every insert, and every update that is not HOT, writes an entry into each index of the row
(issue 17: index maintenance was most of the family facts' time at a million persons, and of a cycle's
generation). Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from guanhuai.programmes.models import Enrolment, Entitlement, Payment
from guanhuai.registry.models import Household, ParentChild, Person
from guanhuai.registry.tests.factories import family

# The registry's load and import, and a programme's enrolments, cycle generation and payment batches.
TABLES = (Person, ParentChild, Household, Enrolment, Entitlement, Payment)


def _indexes(table: str) -> dict[str, tuple[tuple[str, ...], bool, bool]]:
    """name → (key columns, each followed by its operator class on PostgreSQL; unique; partial)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, ARRAY(SELECT a.attname || ' ' || o.opcname"
                "   FROM generate_series(0, ix.indnkeyatts - 1) k"
                "   JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k]"
                "   JOIN pg_opclass o ON o.oid = ix.indclass[k] ORDER BY k),"
                " ix.indisunique, ix.indpred IS NOT NULL"
                " FROM pg_index ix JOIN pg_class c ON c.oid = ix.indexrelid WHERE ix.indrelid = %s::regclass",
                [table],
            )
            return {name: (tuple(keys), unique, partial) for name, keys, unique, partial in cursor.fetchall()}
        quote = connection.ops.quote_name
        cursor.execute(f"PRAGMA index_list({quote(table)})")
        out = {}
        for _seq, name, unique, _origin, partial in cursor.fetchall():
            cursor.execute(f"PRAGMA index_info({quote(name)})")
            out[name] = (tuple(col for _n, _cid, col in cursor.fetchall()), bool(unique), bool(partial))
        return out


@pytest.mark.parametrize("model", TABLES, ids=lambda m: m._meta.db_table)
def test_no_index_is_the_leading_part_of_another(db, model):
    indexes = _indexes(model._meta.db_table)
    redundant = [
        (name, other)
        for name, (keys, unique, partial) in indexes.items()
        for other, (other_keys, _u, other_partial) in indexes.items()
        if name != other
        and not unique
        and not partial
        and not other_partial
        and other_keys[: len(keys)] == keys
    ]
    assert redundant == []


def test_the_blind_and_import_keys_have_one_index_each_and_stay_unique(tree, people):
    # given: one index per key column (PostgreSQL gives a `unique=True` CharField a second one, for LIKE)
    for model, column in ((Person, "id_index"), (Person, "import_key"), (Household, "import_key")):
        on_column = [
            name
            for name, (keys, _unique, _partial) in _indexes(model._meta.db_table).items()
            if keys[0].split()[0] == column
        ]
        assert len(on_column) == 1, on_column
    # then: a second person with the same blind index is still refused by the database
    household = family(people.clerk_a, tree.village_a)
    head = Person.objects.get(pk=household.head_id)
    clone = Person.objects.get(pk=head.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
