"""Household numbers (户编号) come from each village's own sequence, never repeat, and the migration that
introduced the sequence repaired the numbers two households shared (docs/registry.md, "Household numbers")."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from guanhuai.core.errors import Conflict
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry.models import Household
from guanhuai.registry.services import household_create, household_number_for
from guanhuai.registry.states import RelationToHead
from guanhuai.registry.tests.factories import member


def new_household(actor, unit, *, number: str = "", name: str = "王建国", birth: str = "1960-05-01"):
    return household_create(
        actor=actor,
        org_unit=unit,
        address="幸福路1号",
        hukou_type="rural",
        number=number,
        members=[member(name, birth, relation=RelationToHead.HEAD)],
    )


def test_a_new_household_is_numbered_from_its_villages_own_sequence(tree, people):
    # when: two households in 甲村, one in 乙村
    first = new_household(people.approver, tree.village_a)
    second = new_household(people.approver, tree.village_a, name="李四", birth="1961-01-01")
    other = new_household(people.approver, tree.village_b, name="张三", birth="1962-01-01")
    # then
    assert first.number == "440224100001-0001"
    assert second.number == "440224100001-0002"
    assert other.number == "440224101001-0001"


def test_a_typed_number_is_kept_and_the_sequence_never_hands_it_out_again(tree, people):
    typed = new_household(people.approver, tree.village_a, number="440224100001-0007")
    after = new_household(people.approver, tree.village_a, name="李四", birth="1961-01-01")
    assert typed.number == "440224100001-0007"
    assert after.number == "440224100001-0008"


def test_a_number_another_household_holds_is_refused_and_nothing_is_saved(tree, people):
    new_household(people.approver, tree.village_a, number="440224100001-0900")
    with pytest.raises(Conflict, match="户编号 440224100001-0900 已被其他户使用"):
        new_household(people.approver, tree.village_a, number="440224100001-0900", name="李四")
    assert Household.objects.filter(number="440224100001-0900").count() == 1
    assert Household.objects.count() == 1


def test_the_database_refuses_two_households_with_one_number(tree, people):
    h = new_household(people.approver, tree.village_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(org_unit=tree.village_a, address="x", hukou_type="rural", number=h.number)


@pytest.mark.django_db(transaction=True)
def test_the_migration_repairs_shared_and_missing_numbers():
    """Back to before the sequence, the demo's fault written as it was (two households on
    440224100200-0900, one without a number), then forward: the first holder keeps its number, the others
    get the next numbers of their village, and the village's sequence continues after them."""
    executor = MigrationExecutor(connection)
    executor.migrate([("registry", "0007_person_covering_search_indexes")])
    old = executor.loader.project_state([("registry", "0007_person_covering_search_indexes")]).apps
    OldUnit = old.get_model("orgs", "OrgUnit")
    OldHousehold = old.get_model("registry", "Household")
    village = OldUnit.objects.create(
        code="440224100200", name="丙村", level="village", kind="village", path="0001.", depth=1
    )
    kept, shared, blank, high = (
        OldHousehold.objects.create(org_unit=village, address=str(i), hukou_type="rural", number=n)
        for i, n in enumerate(["440224100200-0900", "440224100200-0900", "", "440224100200-0901"])
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    numbers = dict(Household.objects.values_list("pk", "number"))
    assert numbers[kept.pk] == "440224100200-0900"
    assert numbers[high.pk] == "440224100200-0901"
    assert numbers[shared.pk] == "440224100200-0902"
    assert numbers[blank.pk] == "440224100200-0903"
    with transaction.atomic():
        assert household_number_for(OrgUnit.objects.get(pk=village.pk)) == "440224100200-0904"
