"""Special-family status is derived from facts, through sequences of life events."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection

from guanhuai.registry import family as family_facts
from guanhuai.registry import services
from guanhuai.registry.models import ParentChild, Person
from guanhuai.registry.services import PersonInput
from guanhuai.registry.tests.factories import family, make_id


def parents(household):
    return list(
        Person.objects.filter(household=household, relation_to_head__in=["head", "spouse"]).order_by("pk")
    )


def only_child(household):
    return Person.objects.get(household=household, relation_to_head="child")


def statuses(household):
    return [(p.living_children, p.special_status) for p in parents(household)]


def test_a_couple_with_one_living_child_is_not_special(tree, people):
    h = family(people.clerk_a, tree.village_a)
    assert statuses(h) == [(1, ""), (1, "")]


def test_only_child_dies_family_becomes_bereaved(tree, people):
    h = family(people.clerk_a, tree.village_a)
    services.death_record(actor=people.clerk_a, person=only_child(h), occurred_on=dt.date(2020, 5, 1))
    assert statuses(h) == [(0, "bereaved"), (0, "bereaved")]


def test_bereaved_then_adopting_a_child_ends_the_status(tree, people):
    h = family(people.clerk_a, tree.village_a)
    services.death_record(actor=people.clerk_a, person=only_child(h), occurred_on=dt.date(2020, 5, 1))
    orphan = services.person_add(
        actor=people.clerk_a,
        household=h,
        data=PersonInput(name="王念", id_number=make_id("2015-01-01"), relation_to_head="child"),
    )
    services.adoption_record(
        actor=people.clerk_a, parents=parents(h), child=orphan, occurred_on=dt.date(2021, 1, 1)
    )
    assert statuses(h) == [(1, ""), (1, "")]


def test_a_second_child_born_ends_disabled_child_status(tree, people):
    h = family(people.clerk_a, tree.village_a)
    services.disability_record(
        actor=people.clerk_a, person=only_child(h), grade=2, occurred_on=dt.date(2019, 1, 1)
    )
    assert statuses(h) == [(1, "disabled_child"), (1, "disabled_child")]
    services.birth_record(
        actor=people.clerk_a,
        household=h,
        parents=parents(h),
        data=PersonInput(
            name="王二", id_number=make_id("2020-02-02", sex="female"), relation_to_head="child"
        ),
    )
    assert statuses(h) == [(2, ""), (2, "")]


@pytest.mark.parametrize(("grade", "expected"), [(1, "disabled_child"), (3, "disabled_child"), (4, "")])
def test_only_grades_one_to_three_qualify(tree, people, grade, expected):
    h = family(people.clerk_a, tree.village_a)
    services.disability_record(
        actor=people.clerk_a, person=only_child(h), grade=grade, occurred_on=dt.date(2019, 1, 1)
    )
    assert statuses(h)[0][1] == expected


def test_two_children_one_dies_is_not_bereaved(tree, people):
    h = family(people.clerk_a, tree.village_a, children=2)
    first = Person.objects.filter(household=h, relation_to_head="child").order_by("birth_date").first()
    services.death_record(actor=people.clerk_a, person=first, occurred_on=dt.date(2020, 5, 1))
    assert statuses(h) == [(1, ""), (1, "")]


def test_death_recorded_in_error_is_corrected_and_status_follows(tree, people):
    h = family(people.clerk_a, tree.village_a)
    child = only_child(h)
    services.death_record(actor=people.clerk_a, person=child, occurred_on=dt.date(2020, 5, 1))
    services.correction_record(
        actor=people.clerk_a, person=child, field_name="died_on", value=None, reason="误报死亡"
    )
    assert statuses(h) == [(1, ""), (1, "")]
    kinds = list(child.events.values_list("kind", flat=True))
    assert kinds[:2] == ["correction", "death"] or set(kinds) == {"correction", "death"}


def test_bereaved_families_in_a_county_is_one_query(tree, people, django_assert_num_queries):
    for village in (tree.village_a, tree.community_a, tree.village_b):
        h = family(people.approver, village, address=f"{village.name}1号")
        services.death_record(actor=people.approver, person=only_child(h), occurred_on=dt.date(2020, 5, 1))
    from guanhuai.accounts import scoping
    from guanhuai.registry.selectors import PersonFilters, person_list

    scoping.forget(people.approver)
    with django_assert_num_queries(2):  # the approver's assignments, then the count
        n = person_list(
            actor=people.approver, filters=PersonFilters(special_status="bereaved", unit=tree.county)
        ).count()
    assert n == 6  # three couples


def test_recompute_everything_matches_incremental_updates(tree, people):
    h = family(people.clerk_a, tree.village_a)
    services.death_record(actor=people.clerk_a, person=only_child(h), occurred_on=dt.date(2020, 5, 1))
    before = statuses(h)
    Person.objects.update(special_status="", living_children=0, children_ever=0)
    family_facts.recompute_family_facts(batch=2)
    assert statuses(h) == before == [(0, "bereaved"), (0, "bereaved")]


def test_a_migrant_can_live_in_a_county_the_clerk_cannot_see(tree, people):
    from guanhuai.orgs.selectors import public_unit

    h = family(people.clerk_a, tree.village_a)
    head = Person.objects.get(pk=h.head_id)
    elsewhere = public_unit(code=tree.other_county.code)
    services.migration_record(
        actor=people.clerk_a, person=head, residence_unit=elsewhere, occurred_on=dt.date(2024, 1, 1)
    )
    head.refresh_from_db()
    assert head.is_migrant and head.residence_unit == tree.other_county


def test_recompute_gives_every_kind_of_family_its_facts_and_rewrites_only_what_changed(tree, people):
    # given: one family of each kind, recorded through the services (run on SQLite and on PostgreSQL)
    clerk, village = people.clerk_a, tree.village_a
    living = family(clerk, village, address="1号")
    bereaved = family(clerk, village, address="2号")
    services.death_record(actor=clerk, person=only_child(bereaved), occurred_on=dt.date(2020, 5, 1))
    disabled = family(clerk, village, address="3号")
    services.disability_record(
        actor=clerk, person=only_child(disabled), grade=3, occurred_on=dt.date(2019, 1, 1)
    )
    mild = family(clerk, village, address="4号")
    services.disability_record(actor=clerk, person=only_child(mild), grade=4, occurred_on=dt.date(2019, 1, 1))
    two = family(clerk, village, children=2, address="5号")
    first = Person.objects.filter(household=two, relation_to_head="child").order_by("birth_date").first()
    services.death_record(actor=clerk, person=first, occurred_on=dt.date(2020, 5, 1))
    childless = family(clerk, village, children=0, address="6号")
    expected = {
        living: [(1, ""), (1, "")],
        bereaved: [(0, "bereaved"), (0, "bereaved")],
        disabled: [(1, "disabled_child"), (1, "disabled_child")],
        mild: [(1, ""), (1, "")],
        two: [(1, ""), (1, "")],
        childless: [(0, ""), (0, "")],
    }
    assert {h: statuses(h) for h in expected} == expected
    # when: the derived columns are wiped and everything is recomputed in batches of 3
    Person.objects.update(special_status="bereaved", living_children=7, children_ever=7)
    written = family_facts.recompute_family_facts(batch=3)
    # then: every person is rewritten once, with the same facts as the services derived
    assert written == Person.objects.count()
    assert {h: statuses(h) for h in expected} == expected
    assert [p.children_ever for p in parents(two)] == [2, 2]
    # and a second run finds nothing to change, for all persons or for a list of them
    assert family_facts.recompute_family_facts() == 0
    assert family_facts.recompute_family_facts(Person.objects.values_list("pk", flat=True)) == 0


def test_the_rule_a_bulk_load_writes_at_insert_is_the_rule_the_recompute_applies(tree, people):
    # given: families of every kind recorded through the services, their facts recomputed by the SQL
    clerk, village = people.clerk_a, tree.village_a
    bereaved = family(clerk, village, address="1号")
    services.death_record(actor=clerk, person=only_child(bereaved), occurred_on=dt.date(2020, 5, 1))
    for n, grade in enumerate((1, 3, 4), start=2):
        h = family(clerk, village, address=f"{n}号")
        services.disability_record(
            actor=clerk, person=only_child(h), grade=grade, occurred_on=dt.date(2019, 1, 1)
        )
    dead_disabled = family(clerk, village, address="5号")
    services.disability_record(
        actor=clerk, person=only_child(dead_disabled), grade=2, occurred_on=dt.date(2019, 1, 1)
    )
    services.death_record(actor=clerk, person=only_child(dead_disabled), occurred_on=dt.date(2021, 5, 1))
    two = family(clerk, village, children=2, address="6号")
    services.disability_record(
        actor=clerk,
        person=Person.objects.filter(household=two, relation_to_head="child").first(),
        grade=1,
        occurred_on=dt.date(2019, 1, 1),
    )
    family(clerk, village, children=0, address="7号")
    family(clerk, village, children=3, address="8号")
    family_facts.recompute_family_facts()
    stored = {p.pk: (p.children_ever, p.living_children, p.special_status) for p in Person.objects.all()}
    assert {s for _e, _l, s in stored.values()} == {"", "bereaved", "disabled_child"}
    # when: the Python rule is given each person's children as plain records
    persons = {pk: SimpleNamespace() for pk in stored}
    links = [
        (persons[parent], SimpleNamespace(died_on=died, disability_grade=grade))
        for parent, died, grade in ParentChild.objects.values_list(
            "parent_id", "child__died_on", "child__disability_grade"
        )
    ]
    family_facts.facts_at_insert(persons.values(), links)
    # then: every person gets exactly the facts the SQL wrote
    derived = {pk: (r.children_ever, r.living_children, r.special_status) for pk, r in persons.items()}
    assert derived == stored


def _updates(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_registry_changes_made_behind_the_services_flip_the_facts_on_recompute(tree, people):
    # given: three families with one living child each, their facts right (on SQLite and on PostgreSQL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clerk, village = people.clerk_a, tree.village_a
    dies, born, untouched = (family(clerk, village, address=f"{n}号") for n in range(1, 4))
    assert [statuses(h) for h in (dies, born, untouched)] == [[(1, ""), (1, "")]] * 3
    # when: the registry changes without the services (as a bulk correction would): the first family's
    # only child dies, the second family gets a second child; nothing recomputes yet
    Person.objects.filter(pk=only_child(dies).pk).update(died_on=dt.date(2024, 3, 1))
    baby = Person.objects.create(
        household=born,
        org_unit=village,
        relation_to_head="child",
        name="王新生",
        sex="female",
        birth_date=dt.date(2024, 6, 1),
    )
    ParentChild.objects.bulk_create(ParentChild(parent=p, child=baby) for p in parents(born))
    assert statuses(dies) == statuses(born) == [(1, ""), (1, "")]
    # then: a recompute over everyone writes exactly the four parents whose facts changed
    assert family_facts.recompute_family_facts() == 4
    assert statuses(dies) == [(0, "bereaved"), (0, "bereaved")]
    assert statuses(born) == [(2, ""), (2, "")]
    assert [p.children_ever for p in parents(born)] == [2, 2]
    assert statuses(untouched) == [(1, ""), (1, "")]
    # and a second run writes no row at all: over everyone no UPDATE statement reaches the database (the
    # changed rows, none, are counted first); for one family's parents the one statement updates no row
    with CaptureQueriesContext(connection) as ctx:
        assert family_facts.recompute_family_facts() == 0
    assert _updates(ctx.captured_queries) == []
    ids = [p.pk for p in parents(dies)]
    with CaptureQueriesContext(connection) as ctx:
        assert family_facts.recompute_family_facts(ids) == 0
    assert len(_updates(ctx.captured_queries)) == len(ctx.captured_queries) == 1


def test_changed_facts_lists_only_the_persons_whose_stored_facts_are_wrong(tree, people):
    clerk, village = people.clerk_a, tree.village_a
    right, wrong = family(clerk, village, address="1号"), family(clerk, village, address="2号")
    assert list(family_facts.changed_facts(Person.objects.all())) == []
    head = Person.objects.get(pk=wrong.head_id)
    Person.objects.filter(pk=head.pk).update(special_status="bereaved", living_children=0)
    # the stored row is listed with the facts it should have; the right family is not listed
    assert list(family_facts.changed_facts(Person.objects.all())) == [(head.pk, 1, 1, "")]
    assert statuses(right) == [(1, ""), (1, "")]


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="fillfactor is a PostgreSQL storage parameter; SQLite has none (run with DATABASE_URL=postgres://…)",
)
def test_the_person_table_leaves_room_on_its_pages_for_hot_updates_of_the_facts(db):
    # PostgreSQL: migration registry.0013 fills the person table's pages to 85 %, so that a recompute that
    # rewrites a row's facts can put its new version on the same page (a HOT update: no index entries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'registry_person'::regclass")
        options = cursor.fetchone()[0] or []
    assert "fillfactor=85" in options
