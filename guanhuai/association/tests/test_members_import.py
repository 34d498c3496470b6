"""The member import: staged and previewed before anything is written (what will be created, re-registered,
refused and why), committed as a durable job, the same file once, the rows in error as a workbook that can
be fixed and uploaded again; through the pages, the API and the CLI."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import selectors, services
from guanhuai.association.models import Member, MemberImport, MemberImportRow
from guanhuai.association.services.members_import import HEADERS
from guanhuai.association.states import ImportStatus, MemberStatus
from guanhuai.association.tests.factories import MemberFactory
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict
from guanhuai.core.xlsx_stream import XlsxStream
from guanhuai.jobs.models import Job
from guanhuai.registry.tests.factories import family, make_id


def _xlsx(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    out = io.BytesIO()
    with XlsxStream(out, "会员") as sheet:
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    return out.getvalue()


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.county, username="xiehui_io")


@pytest.fixture
def persons(tree):
    """Three living registry persons of 甲村 (a couple and their child)."""
    clerk = user_with_role("village_clerk", tree.village_a, username="clerk_io")
    return list(family(clerk, tree.village_a).members.order_by("pk"))


def _bad_checksum() -> str:
    good = make_id("1970-01-01")
    return good[:-1] + ("0" if good[-1] != "0" else "1")


def test_the_preview_shows_what_will_be_created_reinstated_and_refused_and_writes_nothing(
    tree, officer, persons
):
    # given a lapsed member of 甲村 and an active one
    lapsed = MemberFactory(
        org_unit=tree.village_a, person=persons[0], status=MemberStatus.LAPSED, card_no="440224100001-000007"
    )
    MemberFactory(org_unit=tree.village_a, person=persons[1])
    rows = [
        ["440224100001", "", persons[0].id_number, "是", "2025-05-29"],  # lapsed → reinstated
        ["440224100001", "", persons[1].id_number, "是", "2025-05-29"],  # already active → error
        ["440224100001", "", persons[2].id_number, "是", "2025-05-29"],  # new
        ["440224101001", "李四", "", "否", "2024-05-29"],  # new, standalone
        ["440224100001", "", _bad_checksum(), "否", "2025-05-29"],  # bad checksum
        ["440224100001", "", make_id("1980-02-02"), "是", "2025-05-29"],  # not in the registry
        ["440222100001", "王五", "", "否", "2025-05-29"],  # outside the import's branch
        ["440224100001", "", persons[2].id_number, "是", "2025-05-30"],  # the same person twice
    ]
    # when
    batch, created = services.member_import_stage(
        actor=officer, org_unit=tree.county, content=_xlsx(rows), file_name="会员.xlsx"
    )
    # then
    assert created and batch.status == ImportStatus.VALIDATED
    assert (batch.total_rows, batch.to_create, batch.to_reinstate, batch.invalid_rows) == (8, 2, 1, 5)
    errors = {r.row_number: r.error for r in selectors.member_import_rows(batch=batch, show="errors")}
    assert "已是该协会的在册会员" in errors[3]
    assert "校验" in errors[6]
    assert "不在户籍库中" in errors[7] and "**********" in errors[7]
    assert "不存在或不在“仁化县”之内" in errors[8]
    assert "与第4行是同一人" in errors[9]
    back = selectors.member_import_rows(batch=batch, show="reinstate").get()
    assert (back.row_number, back.member_id) == (2, lapsed.pk)
    assert Member.objects.count() == 2  # nothing written by the preview


def test_commit_creates_and_reinstates_the_valid_rows_once_with_audit(
    tree, officer, persons, django_capture_on_commit_callbacks
):
    lapsed = MemberFactory(
        org_unit=tree.village_a, person=persons[0], status=MemberStatus.LAPSED, card_no="440224100001-000007"
    )
    rows = [
        ["440224100001", "", persons[0].id_number, "是", "2025-05-29"],
        ["440224100001", "", persons[1].id_number, "是", "2025-05-29"],
        ["440224101001", "李四", "", "否", "2024-05-29"],
        ["440224100001", "", _bad_checksum(), "否", "2025-05-29"],
    ]
    batch, _created = services.member_import_stage(actor=officer, org_unit=tree.county, content=_xlsx(rows))
    # when the officer confirms, twice (a double click)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.member_import_commit_submit(actor=officer, batch=batch)
        again = services.member_import_commit_submit(actor=officer, batch=batch)
    # then one job imported the valid rows; the lapsed member is active again with the same card
    batch.refresh_from_db()
    assert again.pk == job.pk
    assert (batch.status, batch.imported_rows, batch.invalid_rows) == (ImportStatus.COMMITTED, 3, 1)
    lapsed.refresh_from_db()
    assert (lapsed.status, lapsed.card_no, lapsed.ended_on) == ("active", "440224100001-000007", None)
    assert sorted(Member.objects.exclude(pk=lapsed.pk).values_list("name", "card_no")) == [
        ("李四", "440224101001-000001"),
        (persons[1].name, "440224100001-000001"),
    ]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "association.member.imported",
        "association.member.reinstated",
        "association.members.imported",
    } <= (actions)
    # the staged ID numbers of imported rows are gone; a committed batch refuses a second commit
    assert not MemberImportRow.objects.filter(batch=batch, status="imported").exclude(id_number="").exists()
    with pytest.raises(Conflict, match="已于"):
        services.member_import_commit_submit(actor=officer, batch=batch)


def test_a_person_enrolled_between_preview_and_commit_is_held_back_not_doubled(tree, officer, persons):
    rows = [
        ["440224100001", "", persons[1].id_number, "是", "2025-05-29"],
        ["440224100001", "赵六", "", "否", "2025-05-29"],
    ]
    batch, _created = services.member_import_stage(actor=officer, org_unit=tree.county, content=_xlsx(rows))
    MemberFactory(org_unit=tree.village_a, person=persons[1])
    from guanhuai.association.services.members_import import commit_batch

    batch = commit_batch(batch, actor=officer)
    assert (batch.imported_rows, batch.invalid_rows, batch.to_create) == (1, 1, 1)
    held = MemberImportRow.objects.get(batch=batch, row_number=2)
    assert "导入时发现" in held.error
    assert Member.objects.filter(person=persons[1]).count() == 1


def test_the_same_file_leads_back_to_its_batch_and_the_error_file_can_be_uploaded_again(
    tree, officer, persons
):
    content = _xlsx(
        [
            ["440224100001", "", make_id("1980-02-02"), "是", "2025-05-29"],
            ["440224100001", "赵六", "", "否", "2025-05-29"],
        ]
    )
    batch, created = services.member_import_stage(actor=officer, org_unit=tree.county, content=content)
    again, created_again = services.member_import_stage(actor=officer, org_unit=tree.county, content=content)
    assert created and not created_again and again.pk == batch.pk and MemberImport.objects.count() == 1
    # the error workbook: the row as typed, full ID, a reason column after the template's; audited
    errors = services.member_import_errors(actor=officer, batch=batch)
    sheet = load_workbook(io.BytesIO(errors)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0][:5]) == HEADERS and "不在户籍库中" in cells[1][5]
    assert AuditEntry.objects.filter(action="association.member_import.errors_downloaded").count() == 1
    # fixed (here: 否 instead of 是) and uploaded as it is, reason column included
    fixed = load_workbook(io.BytesIO(errors))
    fixed.active.cell(row=2, column=4, value="否")
    fixed.active.cell(row=2, column=2, value="孙七")
    out = io.BytesIO()
    fixed.save(out)
    second, _c = services.member_import_stage(actor=officer, org_unit=tree.county, content=out.getvalue())
    assert (second.to_create, second.invalid_rows) == (1, 0)
    # another user of the same branch does not get the uploader's error file
    other = user_with_role("association_officer", tree.county, username="xiehui_other")
    from guanhuai.core.errors import NotFound

    with pytest.raises(NotFound):
        services.member_import_errors(actor=other, batch=batch)


def test_pages_upload_preview_commit_on_a_phone_sized_flow(
    client, tree, officer, persons, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(officer)
    content = _xlsx(
        [
            ["440224100001", "", persons[0].id_number, "是", "2025-05-29"],
            ["440224100001", "", _bad_checksum(), "否", "2025-05-29"],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/association/units/{tree.county.pk}/members/import/",
            {"file": SimpleUploadedFile("会员.xlsx", content)},
        )
    batch = MemberImport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/members/imports/{batch.pk}/")
    # the validation job ran and deleted the uploaded file
    job = Job.objects.get(pk=batch.validate_job_id)
    assert job.status == "succeeded" and not job.input_file
    page = client.get(f"/association/members/imports/{batch.pk}/").content.decode()
    assert "导入1条有效记录" in page and "有错误" in page and "身份证号" in page
    assert persons[0].id_number not in page
    created = client.get(f"/association/members/imports/{batch.pk}/?show=create").content.decode()
    assert persons[0].id_masked in created
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/association/members/imports/{batch.pk}/commit/")
    assert Member.objects.filter(person=persons[0], status="active").count() == 1
    done = client.get(f"/association/members/imports/{batch.pk}/").content.decode()
    assert "导入 1 名会员。" in done
    # out of scope is the same 404 as missing
    client.force_login(user_with_role("association_officer", tree.other_county, username="xiehui_far"))
    assert client.get(f"/association/members/imports/{batch.pk}/").status_code == 404
    assert client.get("/association/members/imports/987654/").status_code == 404


def test_api_upload_preview_and_commit(
    client, tree, officer, persons, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(officer)
    content = _xlsx(
        [
            ["440224100001", "", persons[0].id_number, "是", "2025-05-29"],
            ["440224100001", "", "", "否", "2025-05-29"],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/association/member-imports",
            {"file": SimpleUploadedFile("m.xlsx", content), "org_unit_id": tree.county.pk},
        )
    assert response.status_code == 202
    batch_id = response.json()["id"]
    assert (
        client.post(
            "/api/v1/association/member-imports",
            {"file": SimpleUploadedFile("m.xlsx", content), "org_unit_id": tree.county.pk},
        ).status_code
        == 200
    )
    body = client.get(f"/api/v1/association/member-imports/{batch_id}").json()
    assert (body["to_create"], body["invalid_rows"], body["rows_count"]) == (1, 1, 1)
    assert body["rows"][0]["error"] == "姓名不能为空。"
    create = client.get(f"/api/v1/association/member-imports/{batch_id}?show=create").json()
    assert create["rows"][0]["action"] == "create" and create["rows"][0]["id_masked"] == persons[0].id_masked
    with django_capture_on_commit_callbacks(execute=True):
        committed = client.post(f"/api/v1/association/member-imports/{batch_id}/commit")
    assert committed.status_code == 202
    assert Member.objects.filter(person=persons[0]).count() == 1
    again = client.post(f"/api/v1/association/member-imports/{batch_id}/commit")
    assert (again.status_code, again.json()["code"]) == (409, "already_committed")
    bad = client.post(
        "/api/v1/association/member-imports",
        {"file": SimpleUploadedFile("m.xlsx", _xlsx([["x"]], headers=["错"])), "org_unit_id": tree.county.pk},
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "bad_headers")


def test_cli_previews_then_commits(tree, officer, persons, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "members.xlsx"
    path.write_bytes(
        _xlsx(
            [
                ["440224100001", "", persons[0].id_number, "是", "2025-05-29"],
                ["440224100001", "", _bad_checksum(), "否", "2025-05-29"],
            ]
        )
    )
    errors = tmp_path / "errors.xlsx"
    out = StringIO()
    call_command(
        "members",
        "import",
        str(path),
        "--unit",
        "440224",
        "--errors",
        str(errors),
        "--as",
        officer.username,
        stdout=out,
    )
    batch = MemberImport.objects.get()
    assert "将新入会 1" in out.getvalue() and "有错误 1" in out.getvalue() and errors.exists()
    assert not Member.objects.exists()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("members", "import", "--commit", str(batch.pk), "--as", officer.username, stdout=out)
    assert Member.objects.filter(person=persons[0]).count() == 1
