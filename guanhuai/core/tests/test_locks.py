"""core.locks.relock: the row in hand read again under a lock of that row only, past the scope guard (the
row was read through scoping before), with the relations asked for and no others."""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from guanhuai.core.locks import relock
from guanhuai.core.scopes import armed
from guanhuai.registry.models import Household
from guanhuai.registry.tests.factories import family


def test_relock_reads_the_row_again_with_what_changed_meanwhile(people, tree):
    # given a household in hand, renamed meanwhile by another request
    held = family(people.clerk_a, tree.village_a)
    Household.objects.filter(pk=held.pk).update(address="新地址")
    # when it is re-read under lock while the scope guard is armed (a page or an API call)
    with armed(), transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        locked = relock(held, "org_unit")
    # then the copy is fresh, its branch joined in, and only the household's own row is locked
    assert locked.pk == held.pk and locked.address == "新地址"
    assert locked.org_unit == tree.village_a
    (sql,) = [q["sql"] for q in ctx.captured_queries if "registry_household" in q["sql"]]
    if connection.features.has_select_for_update_of:
        assert sql.endswith('FOR UPDATE OF "registry_household"')


def test_relock_joins_nothing_it_was_not_asked_for(people, tree):
    held = family(people.clerk_a, tree.village_a)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        relock(held)
    (sql,) = [q["sql"] for q in ctx.captured_queries if "registry_household" in q["sql"]]
    assert "JOIN" not in sql
