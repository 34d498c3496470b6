"""The files offices really have: legacy .xls (old Excel, WPS) and .ods go through the same staging, errors
and idempotency as .xlsx; an .xlsx saved by WPS (inline strings, its own metadata) imports; merged cells
import as meant below the header and get a precise message in it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from guanhuai.core import excel
from guanhuai.core.errors import ValidationError
from guanhuai.jobs.models import Job
from guanhuai.registry import import_errors, imports, io_excel
from guanhuai.registry.models import Household, ImportBatch, ImportRow, Person

FILES = Path(__file__).parent / "files"
JIA_CUN = "440224100001"  # 甲村, in 甲镇

# The rows of files/persons.xls and files/persons.ods (see files/README.md), as text.
LEGACY_ROWS = [
    ["H1", JIA_CUN, "幸福路1号", "农村", "张建国", "440224196005010111", "户主", "13800138000", "广东省韶关市仁化县",
     "是", "否"],
    ["H1", JIA_CUN, "", "", "李秀英", "44022419620702022X", "配偶", "", "", "是", "否"],
    ["H1", JIA_CUN, "", "", "张小明", "440224198503010316", "子女", "", "", "", "是"],
    ["H2", JIA_CUN, "河西路8号", "城镇", "赵大勇", "440224195802030139", "户主", "", "", "", ""],
]  # fmt: skip


@pytest.fixture
def upload_file(client, django_capture_on_commit_callbacks):
    """POST a file to the upload page as `actor`, running the jobs in-process."""

    def _upload(actor, content: bytes, *, unit, name: str = "persons.xlsx"):
        client.force_login(actor)
        data = {"file": SimpleUploadedFile(name, content), "org_unit": unit.pk}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("registry_io:import"), data)

    return _upload


def workbook(rows: list[list[str]], *merges: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for cells in merges:
        ws.merge_cells(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def errors(batch) -> dict[int, str]:
    return dict(ImportRow.objects.filter(batch=batch, status="invalid").values_list("row_number", "error"))


def staged(batch) -> list[tuple]:
    """What staging kept of each row, comparable across files."""
    return list(
        ImportRow.objects.filter(batch=batch)
        .order_by("row_number")
        .values_list("row_number", "household_number", "village_code", "name", "id_masked", "relation", "status",
                     "error")
    )  # fmt: skip


@pytest.mark.parametrize("name", ["persons.xls", "persons.ods"])
def test_a_legacy_file_stages_validates_and_commits_like_the_same_rows_in_xlsx(
    tree, people, upload_file, name
):
    content = (FILES / name).read_bytes()
    # given the same rows as .xlsx, staged as a reference under another branch
    reference = imports.stage_file(
        actor=people.reviewer_b, org_unit=tree.town_b, content=workbook([io_excel.HEADERS, *LEGACY_ROWS])
    )
    # when the legacy file is uploaded through the page
    response = upload_file(people.clerk_a, content, unit=tree.village_a, name=name)
    assert response.status_code == 302, response.context and response.context["form"].errors
    batch = ImportBatch.objects.get(org_unit=tree.village_a)
    # then its rows are staged and judged exactly as the .xlsx rows (the codes typed as numbers read as text)
    assert [r[:-2] for r in staged(batch)] == [r[:-2] for r in staged(reference)]
    assert list(errors(batch)) == [5] and "校验" in errors(batch)[5]
    assert (batch.valid_rows, batch.invalid_rows) == (3, 1)
    # and the valid household commits, with its family links and the phone as typed
    batch = imports.commit_batch(batch)
    head = Person.objects.get(name="张建国")
    assert batch.imported_rows == 3 and Household.objects.get().head == head
    assert head.phone == "13800138000" and head.household.address == "幸福路1号"
    assert Person.objects.get(name="张小明").is_migrant
    # and the same file again leads back to the committed batch: nothing twice
    again = upload_file(people.clerk_a, content, unit=tree.village_a, name="again" + name[-4:])
    assert again.status_code == 302 and ImportBatch.objects.filter(org_unit=tree.village_a).count() == 1
    assert Person.objects.count() == 3
    assert Job.objects.filter(kind=imports.IMPORT_VALIDATE).count() == 1


def test_the_error_workbook_of_a_legacy_file_carries_its_bad_household(tree, people):
    batch = imports.validate_batch(
        imports.stage_file(
            actor=people.clerk_a,
            org_unit=tree.village_a,
            content=(FILES / "persons.xls").read_bytes(),
            file_name="persons.xls",
        )
    )
    content = import_errors.error_workbook(actor=people.clerk_a, batch=batch)
    rows = list(excel.sheet_rows(content))
    assert [excel.cell_text(v) for v in rows[1][:7]] == LEGACY_ROWS[3][:7]
    assert "校验" in rows[1][-1]


# --- .xlsx from WPS ---------------------------------------------------------------------------------


def _cell(ref: str, value: str) -> str:
    if value.isdigit() and len(value) < 15:
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def wps_xlsx(rows: list[list[str]]) -> bytes:
    """An .xlsx as WPS 表格 writes it: inline strings and no sharedStrings part, no styles part, no
    <dimension>, numbers stored as numbers, WPS's own application metadata and custom properties."""
    sheet_rows = []
    for r, values in enumerate(rows, start=1):
        cells = "".join(_cell(f"{chr(ord('A') + c)}{r}", v) for c, v in enumerate(values) if v != "")
        sheet_rows.append(f'<row r="{r}">{cells}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            '<Override PartName="/docProps/custom.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/extended-properties" Target="docProps/app.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/custom-properties" Target="docProps/custom.xml"/>'
            "</Relationships>"
        ),
        "docProps/app.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>WPS 表格</Application><DocSecurity>0</DocSecurity></Properties>"
        ),
        "docProps/custom.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="KSOProductBuildVer">'
            "<vt:lpwstr>2052-12.1.0.16120</vt:lpwstr></property></Properties>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {ns} xmlns:r="{rel}">'
            '<sheets><sheet name="户籍人口" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {ns}>'
            f"<sheetData>{''.join(sheet_rows)}</sheetData></worksheet>"
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_an_xlsx_saved_by_wps_imports(tree, people, upload_file):
    # WPS users type the headers with full-width brackets; the village code is a number cell
    headers = [h.replace("(", "（").replace(")", "）") for h in io_excel.HEADERS]
    content = wps_xlsx([headers, *LEGACY_ROWS[:3]])
    response = upload_file(people.clerk_a, content, unit=tree.village_a, name="WPS导出.xlsx")
    assert response.status_code == 302, response.context and response.context["form"].errors
    batch = ImportBatch.objects.get()
    assert (batch.valid_rows, batch.invalid_rows) == (3, 0), errors(batch)
    imports.commit_batch(batch)
    assert sorted(Person.objects.values_list("name", flat=True)) == ["张小明", "张建国", "李秀英"]


# --- merged cells -----------------------------------------------------------------------------------


def test_merged_header_cells_get_a_precise_message_and_create_nothing(tree, people, upload_file):
    # 住址 was merged over two columns: every column to its right would be read one column off
    headers = list(io_excel.HEADERS)
    content = workbook([headers, *LEGACY_ROWS[:3]], "C1:D1")
    with pytest.raises(ValidationError) as exc:
        io_excel.check_upload(content, max_bytes=10**7)
    assert exc.value.code == "merged_header"
    response = upload_file(people.clerk_a, content, unit=tree.village_a)
    message = " ".join(response.context["form"].errors["file"])
    assert "表头有合并单元格（C1:D1）" in message and "取消合并" in message
    assert ImportBatch.objects.count() == 0


def test_a_household_number_merged_over_its_rows_belongs_to_each_of_them(tree, people):
    # 户编号 H1 merged over A2:A4, the village code over B2:B4: one household of three
    rows = [list(io_excel.HEADERS), *[list(r) for r in LEGACY_ROWS[:3]]]
    for r in rows[2:]:
        r[0] = r[1] = ""
    content = workbook(rows, "A2:A4", "B2:B4")
    batch = imports.validate_batch(
        imports.stage_file(actor=people.clerk_a, org_unit=tree.village_a, content=content)
    )
    assert (batch.valid_rows, batch.invalid_rows) == (3, 0), errors(batch)
    imports.commit_batch(batch)
    household = Household.objects.get()
    assert household.number == "H1" and household.members.count() == 3


def test_a_file_of_no_known_format_is_refused_with_the_formats_it_may_be(tree, people, upload_file):
    response = upload_file(people.clerk_a, b"\xd0\xcf\x11\xe0 not really a workbook", unit=tree.village_a)
    message = " ".join(response.context["form"].errors["file"])
    assert "文件不是Excel（.xlsx、.xls）或ODS（.ods）格式" in message
    assert ImportBatch.objects.count() == 0


def test_the_xlsx_reference_is_the_same_as_the_openpyxl_reader(tree, people):
    # the old reader, kept for the benchmark, stages a file exactly as calamine does
    content = workbook([io_excel.HEADERS, *LEGACY_ROWS])
    new = imports.stage_file(actor=people.clerk_a, org_unit=tree.village_a, content=content)
    old = imports.stage_file(
        actor=people.reviewer_b, org_unit=tree.town_b, content=content, reader=excel.openpyxl_rows
    )
    assert [r[1:] for r in staged(new)] == [r[1:] for r in staged(old)]
