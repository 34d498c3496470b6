"""Excel import of members (precise row errors, all or nothing, the same file once) and the CLI."""

from __future__ import annotations

import datetime as dt
import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import services
from guanhuai.association.models import Campaign, Member
from guanhuai.association.services.members_io import HEADERS
from guanhuai.association.tests.factories import MemberFactory
from guanhuai.core.xlsx_stream import XlsxStream
from guanhuai.jobs.models import Job
from guanhuai.registry.tests.factories import family, make_id


def _file(rows: list[list[str]]) -> SimpleUploadedFile:
    out = io.BytesIO()
    with XlsxStream(out, "会员") as sheet:
        sheet.append(HEADERS)
        for row in rows:
            sheet.append(row)
    return SimpleUploadedFile("members.xlsx", out.getvalue())


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.county, username="xiehui_io")


def test_a_bad_checksum_and_a_person_missing_from_the_registry_are_precise_row_errors(
    tree, officer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    bad = make_id("1970-01-01")[:-1] + ("0" if make_id("1970-01-01")[-1] != "0" else "1")
    rows = [
        ["440224100001", "张三", "", "否", "2025-05-29"],
        ["440224100001", "", bad, "否", "2025-05-29"],
        ["440224100001", "", make_id("1980-02-02"), "是", "2025-05-29"],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.members_import_submit(actor=officer, org_unit=tree.county, upload=_file(rows))
    job.refresh_from_db()
    assert job.counts == {"rows": 3, "imported": 0, "errors": 2}
    assert not Member.objects.exists()
    from openpyxl import load_workbook

    sheet = load_workbook(job.result_file.path).active
    errors = {r[0]: r[-1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert "校验" in errors[3]
    assert "不在户籍库中" in errors[4]
    assert not errors[2]


def test_a_good_file_imports_every_row_once(
    tree, officer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    clerk = user_with_role("village_clerk", tree.village_a, username="clerk_io")
    person = family(clerk, tree.village_a).members.order_by("pk").first()
    number = person.id_number
    rows = [
        ["440224100001", "", number, "是", "2025-05-29"],
        ["440224101001", "李四", "", "否", "2024-05-29"],
    ]
    content = _file(rows).read()  # the same bytes twice (a workbook written again differs in its timestamp)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.members_import_submit(
            actor=officer, org_unit=tree.county, upload=SimpleUploadedFile("a.xlsx", content)
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = services.members_import_submit(
            actor=officer, org_unit=tree.county, upload=SimpleUploadedFile("b.xlsx", content)
        )
    job.refresh_from_db()
    assert job.counts == {"rows": 2, "imported": 2, "errors": 0}
    assert again.pk == job.pk and Job.objects.count() == 1
    assert sorted(Member.objects.values_list("name", "card_no")) == [
        ("李四", "440224101001-000001"),
        (person.name, "440224100001-000001"),
    ]


def test_the_cli_opens_reports_and_refuses_an_early_close(tree, officer, django_capture_on_commit_callbacks):
    MemberFactory(org_unit=tree.village_a)
    out = StringIO()
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "members",
            "reregister",
            "open",
            "--unit",
            "440224",
            "--title",
            "再登记",
            "--deadline",
            deadline,
            "--as",
            officer.username,
            stdout=out,
        )
    campaign = Campaign.objects.get()
    call_command(
        "members",
        "reregister",
        "status",
        "--campaign",
        str(campaign.pk),
        "--as",
        officer.username,
        stdout=out,
    )
    assert "甲村" in out.getvalue() and "0 / 1" in out.getvalue()
    with pytest.raises(CommandError, match="之后才能结束"):
        call_command(
            "members", "reregister", "close", "--campaign", str(campaign.pk), "--as", officer.username
        )
