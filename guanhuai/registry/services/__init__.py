"""Writes to the registry. Facts change only through these services; each writes audit, and life events
update the derived family facts (registry.family) of everyone they touch, set-based.

Split by sub-domain; import from here (`from guanhuai.registry import services`)."""

from guanhuai.registry.services.events import (
    CORRECTABLE,
    adoption_record,
    birth_record,
    correction_record,
    death_record,
    disability_record,
    divorce_record,
    marriage_record,
    migration_record,
    move_record,
)
from guanhuai.registry.services.fields import (
    ID_PURPOSE,
    id_fields,
    id_lookup_key,
    name_fields,
    person_fields,
    phone_fields,
    phone_normalise,
)
from guanhuai.registry.services.numbers import household_number_for, household_numbers_take
from guanhuai.registry.services.persons import (
    ACCOUNT_PURPOSE,
    EDITABLE,
    DuplicatePerson,
    PersonInput,
    bank_account_set,
    build_person,
    check_id_number,
    household_create,
    id_number_check,
    person_add,
    person_died,
    person_update,
)
from guanhuai.registry.services.privacy import (
    UNMASKABLE,
    consent_changed,
    consent_record,
    consent_withdraw,
    person_access_export,
    person_anonymise,
    person_unmask,
)
from guanhuai.registry.services.transfers import transfer_decide, transfer_request

__all__ = [
    "ACCOUNT_PURPOSE",
    "CORRECTABLE",
    "EDITABLE",
    "ID_PURPOSE",
    "UNMASKABLE",
    "DuplicatePerson",
    "PersonInput",
    "adoption_record",
    "household_number_for",
    "household_numbers_take",
    "bank_account_set",
    "build_person",
    "birth_record",
    "check_id_number",
    "consent_changed",
    "consent_record",
    "consent_withdraw",
    "correction_record",
    "death_record",
    "disability_record",
    "divorce_record",
    "household_create",
    "id_fields",
    "id_lookup_key",
    "id_number_check",
    "marriage_record",
    "migration_record",
    "name_fields",
    "move_record",
    "person_access_export",
    "person_add",
    "person_anonymise",
    "person_died",
    "person_fields",
    "person_unmask",
    "person_update",
    "phone_fields",
    "phone_normalise",
    "transfer_decide",
    "transfer_request",
]
