"""A person's derived columns (pinyin keys, ID mask, blind index, legacy original, sex, birth date, phone
mask) come out the same whichever door the person came in by: the form's service, the Excel import or a
correction."""

from __future__ import annotations

import pytest

from guanhuai.core.errors import ValidationError
from guanhuai.core.validators import parse_resident_id
from guanhuai.registry import imports, services
from guanhuai.registry.models import Person
from guanhuai.registry.services import PersonInput, household_create
from guanhuai.registry.states import RelationToHead
from guanhuai.registry.tests.factories import import_xlsx

DERIVED = ["name", "name_pinyin", "name_initials", "id_number", "id_masked", "id_index", "id_legacy", "sex",
           "birth_date", "phone", "phone_masked"]  # fmt: skip
LEGACY = "440224580203013"  # a 15-digit ID: born 1958-02-03, male


def columns(person: Person) -> dict:
    person = Person.objects.get(pk=person.pk)  # as stored, decrypted by the fields
    return {f: getattr(person, f) for f in DERIVED}


def test_the_builder_derives_every_column_from_what_was_typed():
    fields = services.person_fields(name=" 欧阳建国 ", rid=parse_resident_id(LEGACY), phone="138-0013 8000")
    assert fields == {
        "name": "欧阳建国",
        "name_pinyin": "ouyangjianguo",
        "name_initials": "oyjg",
        "id_number": "440224195802030137",
        "id_masked": "4402**********0137",
        "id_index": services.id_lookup_key("440224195802030137"),
        "id_legacy": LEGACY,
        "sex": "male",
        "birth_date": parse_resident_id(LEGACY).birth_date,
        "phone": "13800138000",
        "phone_masked": "138****8000",
    }
    with pytest.raises(ValidationError):
        services.person_fields(name="  ", rid=parse_resident_id(LEGACY))
    with pytest.raises(ValidationError):
        services.phone_fields("12-34")


def test_a_person_registered_by_hand_and_one_imported_get_the_same_columns(tree, people):
    # given the same typed values, once through the form's service ...
    household = household_create(
        actor=people.clerk_a,
        org_unit=tree.village_a,
        address="幸福路1号",
        hukou_type="rural",
        members=[PersonInput(name=" 欧阳建国 ", id_number=LEGACY, phone="138-0013 8000")],
    )
    by_hand = columns(household.head)
    Person.objects.filter(pk=household.head.pk).update(id_index=None)  # free the ID for the import
    # ... and once through an Excel file
    content = import_xlsx(
        [["", "440224100001", "幸福路1号", "农村", " 欧阳建国 ", LEGACY, "户主", "138-0013 8000", "", "", ""]]
    )
    batch = imports.validate_batch(
        imports.stage_file(actor=people.clerk_a, org_unit=tree.village_a, content=content)
    )
    imports.commit_batch(batch)
    imported = Person.objects.exclude(pk=household.head.pk).get()
    # then both hold exactly what the builder derives
    expected = services.person_fields(name=" 欧阳建国 ", rid=parse_resident_id(LEGACY), phone="138-0013 8000")
    assert by_hand == expected
    assert columns(imported) == expected
    assert imported.relation_to_head == RelationToHead.HEAD


def test_a_corrected_name_gets_new_search_keys_and_an_empty_one_is_refused(tree, people):
    household = household_create(
        actor=people.clerk_a,
        org_unit=tree.village_a,
        address="幸福路1号",
        hukou_type="rural",
        members=[PersonInput(name="曾枫", id_number=LEGACY)],
    )
    person = household.head
    assert (person.name_pinyin, person.name_initials) == ("zengfeng", "zf")
    services.correction_record(
        actor=people.clerk_a, person=person, field_name="name", value="张枫", reason="错字"
    )
    assert (Person.objects.get(pk=person.pk).name_pinyin, Person.objects.get(pk=person.pk).name_initials) == (
        "zhangfeng",
        "zf",
    )
    with pytest.raises(ValidationError):
        services.correction_record(
            actor=people.clerk_a, person=person, field_name="name", value=" ", reason="错字"
        )
    assert Person.objects.get(pk=person.pk).name == "张枫"
