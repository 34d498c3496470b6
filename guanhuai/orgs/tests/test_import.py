import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from guanhuai.jobs.models import Job
from guanhuai.orgs import excel
from guanhuai.orgs.models import OrgChange, OrgUnit

GOOD_ROWS = [
    ["440224102000", "丙镇", "440224", "乡镇(街道)", "镇"],
    ["440224102001", "丙村", "440224102000", "村(社区)", "村"],
    ["440224102002", "丙社区", "440224102000", "村(社区)", "社区"],
    ["440224100003", "甲新村", "440224100000", "村(社区)", "村"],
]


@pytest.fixture
def upload(client, people, django_capture_on_commit_callbacks):
    """POST a file to the import page as the province administrator, running the job in-process."""
    client.force_login(people.admin)

    def _upload(content: bytes, *, key: str = "k1", name: str = "tree.xlsx", unit=None, follow=False):
        unit = unit or people.admin.home_unit
        data = {"file": SimpleUploadedFile(name, content), "org_unit": unit.pk, "idempotency_key": key}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("orgs:import"), data, follow=follow)

    return _upload


def test_import_page_offers_a_fresh_key_and_the_template(client, people):
    client.force_login(people.admin)
    first = client.get(reverse("orgs:import"))
    second = client.get(reverse("orgs:import"))
    assert first.status_code == 200
    key1 = first.context["form"].initial["idempotency_key"]
    assert key1 and key1 != second.context["form"].initial["idempotency_key"]
    assert reverse("orgs:import_template") in first.content.decode()


def test_import_page_is_hidden_from_users_who_cannot_manage_units(client, people):
    client.force_login(people.reviewer_a)
    assert client.get(reverse("orgs:import")).status_code == 404


def test_template_has_chinese_headers_and_an_example_row(client, people):
    client.force_login(people.admin)
    response = client.get(reverse("orgs:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["区划代码", "名称", "上级区划代码", "级别", "类型"]
    assert rows[1][1] == "丙镇" and rows[1][3] == "乡镇(街道)"


def test_the_template_as_downloaded_imports(tree, upload):
    response = upload(excel.template_workbook())
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == "succeeded", job.error
    village = OrgUnit.objects.get(code="440224102001")
    assert (village.parent.name, village.level, village.kind) == ("丙镇", "village", "village")


def test_good_file_creates_the_branches_level_by_level(tree, upload, xlsx):
    upload(xlsx(GOOD_ROWS))
    job = Job.objects.get()
    assert job.status == "succeeded", job.error
    assert job.counts == {"created": 4}
    assert job.org_unit == tree.province
    town = OrgUnit.objects.get(code="440224102000")
    assert (town.level, town.kind, town.parent) == ("township", "town", tree.county)
    assert OrgUnit.objects.get(code="440224102002").kind == "community"
    assert set(OrgUnit.objects.filter(parent=town).values_list("name", flat=True)) == {"丙村", "丙社区"}
    assert OrgUnit.objects.get(code="440224100003").path.startswith(tree.town_a.path)
    assert OrgChange.objects.filter(kind="created").count() == 4


def test_codes_typed_as_numbers_are_read_as_codes(tree, upload, xlsx):
    upload(xlsx([[440224102000, "丙镇", 440224, "乡镇(街道)", "镇"]]))
    assert Job.objects.get().status == "succeeded"
    assert OrgUnit.objects.get(code="440224102000").parent == tree.county


def test_bad_rows_reject_the_whole_file_with_an_error_workbook(tree, upload, xlsx):
    before = OrgUnit.objects.count()
    rows = [
        GOOD_ROWS[0],  # row 2: fine on its own
        ["440224102001", "丙村", "440299999000", "村(社区)", "村"],  # row 3: unknown parent
        ["", "无码村", "440224102000", "村(社区)", "村"],  # row 4: missing code
        ["440224102003", "丁村", "440224102000", "自然村", "村"],  # row 5: unknown level
        ["440224101001", "乙村重复", "440224101000", "村(社区)", "村"],  # row 6: code already used
    ]
    upload(xlsx(rows))
    job = Job.objects.get()
    assert job.status == "failed"
    assert job.error == "导入被拒绝：4行有错误，未写入任何数据。"
    # nothing written, not even the good row
    assert OrgUnit.objects.count() == before
    assert not OrgUnit.objects.filter(code="440224102000").exists()
    # the error workbook has the rows as typed plus the reasons, on the same row numbers
    ws = load_workbook(io.BytesIO(job.result_file.read())).worksheets[0]
    got = {row[0].row: [c.value for c in row] for row in ws.iter_rows()}
    assert got[1] == ["区划代码", "名称", "上级区划代码", "级别", "类型", "错误原因"]
    assert got[2][:5] == GOOD_ROWS[0] and not got[2][5]
    assert "上级代码 440299999000 不存在" in got[3][5]
    assert got[4][1] == "无码村" and "区划代码、名称和级别都必须填写" in got[4][5]
    assert got[5][3] == "自然村" and "未知的级别“自然村”" in got[5][5]
    assert "区划代码 440224101001 已被使用" in got[6][5]


def test_same_file_with_the_same_key_runs_once(tree, upload, xlsx):
    content = xlsx(GOOD_ROWS)
    first = upload(content, key="double-click")
    second = upload(content, key="double-click")
    assert Job.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Job.objects.get().counts == {"created": 4}
    assert OrgUnit.objects.filter(code="440224102000").count() == 1


def test_another_users_key_is_not_their_job(
    tree, people, upload, xlsx, client, django_capture_on_commit_callbacks
):
    upload(xlsx(GOOD_ROWS[:1]), key="same-key")
    client.force_login(people.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("orgs:import"),
            {
                "file": SimpleUploadedFile("t.xlsx", xlsx(GOOD_ROWS[3:])),
                "org_unit": tree.county.pk,
                "idempotency_key": "same-key",
            },
        )
    assert Job.objects.count() == 2
    assert set(Job.objects.values_list("actor__username", flat=True)) == {"padmin", "cadmin"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a spreadsheet at all", "文件不是Excel（.xlsx）格式"),
        (b"PK\x03\x04broken zip", "文件不是Excel（.xlsx）格式"),
        ("headers_only", "文件中没有数据行"),
        ("wrong_headers", "表头与模板不一致"),
        ("no_headers", "表头与模板不一致"),
    ],
)
def test_bad_files_get_a_clear_message_and_queue_nothing(tree, upload, xlsx, content, message):
    if content == "headers_only":
        content = xlsx([])
    elif content == "wrong_headers":
        content = xlsx(GOOD_ROWS, headers=["代码", "名称", "上级", "级别", "类型"])
    elif content == "no_headers":
        content = xlsx(GOOD_ROWS, headers=None)
    before = OrgUnit.objects.count()
    response = upload(content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Job.objects.count() == 0
    assert OrgUnit.objects.count() == before


def test_an_empty_upload_is_refused(tree, upload):
    response = upload(b"")
    assert response.status_code == 200
    assert Job.objects.count() == 0
    assert response.context["form"].errors["file"]


def test_a_file_over_the_limit_is_refused(tree, upload, xlsx, settings):
    content = xlsx(GOOD_ROWS)
    settings.GUANHUAI_MAX_UPLOAD_BYTES = len(content) - 1
    response = upload(content)
    assert "文件太大" in response.content.decode()
    assert Job.objects.count() == 0


def test_import_under_a_unit_outside_scope_is_refused(tree, people, client, xlsx):
    client.force_login(people.county_admin)
    response = client.post(
        reverse("orgs:import"),
        {
            "file": SimpleUploadedFile("t.xlsx", xlsx(GOOD_ROWS)),
            "org_unit": tree.other_county.pk,
            "idempotency_key": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["org_unit"]
    assert Job.objects.count() == 0


def test_rows_outside_the_importers_scope_are_rejected(
    tree, people, client, xlsx, django_capture_on_commit_callbacks
):
    # 仁化县's administrator tries to slip a township into 始兴县.
    client.force_login(people.county_admin)
    rows = [GOOD_ROWS[0], ["440222100000", "外县镇", "440222", "乡镇(街道)", "镇"]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("orgs:import"),
            {
                "file": SimpleUploadedFile("t.xlsx", xlsx(rows)),
                "org_unit": tree.county.pk,
                "idempotency_key": "x",
            },
        )
    job = Job.objects.get()
    assert job.status == "failed" and job.error == "导入被拒绝：1行有错误，未写入任何数据。"
    assert not OrgUnit.objects.filter(code__in=["440224102000", "440222100000"]).exists()


def test_rows_outside_the_chosen_unit_are_rejected_and_nothing_is_written(tree, people, upload, xlsx):
    # The province admin imports "under 仁化县" but one row hangs off 始兴县 next door.
    rows = [
        ["440224102000", "丙镇", "440224", "乡镇(街道)", "镇"],
        ["440222101000", "丁镇", "440222", "乡镇(街道)", "镇"],
    ]
    upload(xlsx(rows), unit=tree.county)
    job = Job.objects.get()
    assert job.status == "failed"
    assert not OrgUnit.objects.filter(code__in=["440224102000", "440222101000"]).exists()
    errors = [r for r in load_workbook(job.result_file.open("rb")).worksheets[0].iter_rows(values_only=True)]
    assert any("不在所选的“仁化县”之下" in str(cell) for row in errors for cell in row)


def test_the_error_workbook_gives_back_a_formula_typed_in_the_upload_as_text():
    from guanhuai.orgs.bulk import RowError

    sheet = excel.Sheet(rows=[(2, ["440224100", '=HYPERLINK("http://x","y")', "440224", "乡镇(街道)", "镇"])])
    content = excel.error_workbook(sheet, [RowError(line=2, code="bad_code", message="代码不对")])
    ws = load_workbook(io.BytesIO(content)).active
    assert (ws["B2"].value, ws["B2"].data_type) == ('\'=HYPERLINK("http://x","y")', "s")
    assert ws["F2"].value == "代码不对"
