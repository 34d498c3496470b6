"""Excel import of households: the template, staging and validation with a Chinese reason per bad row, the
preview, the commit, idempotent re-uploads and files that are not what they should be."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.core import excel
from guanhuai.core.errors import ValidationError
from guanhuai.core.validators import id_check_char
from guanhuai.jobs.models import Job
from guanhuai.jobs.services import job_retry
from guanhuai.registry import family as family_facts
from guanhuai.registry import imports, io_excel
from guanhuai.registry.models import Household, ImportBatch, ImportRow, Marriage, ParentChild, Person
from guanhuai.registry.services import household_create
from guanhuai.registry.tests.factories import (
    GOOD,
    JIA_SHEQU,
    YI_CUN,
    family,
    import_xlsx,
    legacy_id,
    make_id,
    member,
    row,
)


def stage(actor, unit, rows):
    batch = imports.stage_file(actor=actor, org_unit=unit, content=import_xlsx(rows))
    return imports.validate_batch(batch)


def errors(batch) -> dict[int, str]:
    return dict(ImportRow.objects.filter(batch=batch, status="invalid").values_list("row_number", "error"))


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """POST a file to the upload page as `actor`, running the jobs in-process."""

    def _upload(actor, content: bytes, *, unit, name: str = "persons.xlsx", follow=False):
        client.force_login(actor)
        data = {"file": SimpleUploadedFile(name, content), "org_unit": unit.pk}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("registry_io:import"), data, follow=follow)

    return _upload


# --- template --------------------------------------------------------------------------------------


def test_template_has_chinese_headers_and_an_example_household(client, people):
    client.force_login(people.clerk_a)
    response = client.get(reverse("registry_io:template"))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "户编号(可选)", "村(社区)代码", "住址", "户籍类型(城镇|农村)", "姓名", "身份证号",
        "与户主关系(户主|配偶|子女|父母|孙子女|兄弟姐妹|其他亲属)", "联系电话", "户籍地", "持有光荣证(是|否)",
        "流动人口(是|否)",
    ]  # fmt: skip
    assert rows[1][4] == "王建国" and rows[1][6] == "户主" and rows[2][6] == "配偶"


def test_the_template_as_downloaded_imports_as_one_household(tree, people):
    batch = imports.validate_batch(
        imports.stage_file(
            actor=people.clerk_a, org_unit=tree.village_a, content=io_excel.template_workbook()
        )
    )
    assert (batch.valid_rows, batch.invalid_rows) == (3, 0), errors(batch)
    imports.commit_batch(batch)
    household = Household.objects.get()
    assert household.head.name == "王建国" and household.org_unit == tree.village_a


def test_template_is_hidden_from_users_who_cannot_import(client, people):
    client.force_login(people.auditor)
    assert client.get(reverse("registry_io:template")).status_code == 404
    assert client.get(reverse("registry_io:import")).status_code == 404


# --- commit: households, persons, relations --------------------------------------------------------


def test_good_file_creates_households_persons_and_family_links(tree, people):
    # given a file of two households, one grouped by 户编号 and one by consecutive rows
    batch = stage(people.reviewer_a, tree.town_a, GOOD)
    assert (batch.total_rows, batch.valid_rows, batch.invalid_rows) == (6, 6, 0), errors(batch)
    # when
    batch = imports.commit_batch(batch)
    # then
    assert batch.status == "committed" and (batch.households_created, batch.imported_rows) == (2, 6)
    zhang = Household.objects.get(head__name="张建国")
    assert (zhang.number, zhang.address, zhang.hukou_type, zhang.org_unit) == (
        "H1",
        "幸福路1号",
        "rural",
        tree.village_a,
    )
    head, spouse, child = (Person.objects.get(name=n) for n in ("张建国", "李秀英", "张小明"))
    assert Marriage.objects.filter(a=head, b=spouse).exists()
    assert set(ParentChild.objects.filter(child=child).values_list("parent__name", flat=True)) == {
        "张建国",
        "李秀英",
    }
    # derived facts come from the links, like a household entered by hand
    assert (head.children_ever, head.living_children, head.special_status) == (1, 1, "")
    assert spouse.living_children == 1 and spouse.sex == "female" and spouse.hukou_type == "rural"
    assert (head.name_pinyin, head.name_initials) == ("zhangjianguo", "zjg")
    assert head.phone_masked == "138****8000" and head.id_masked.startswith("4402") and "*" in head.id_masked
    assert head.only_child_certificate and not head.is_migrant and child.is_migrant
    zhao = Household.objects.get(head__name="赵大勇")
    # a household the file gives no number is numbered from its village's sequence
    assert (zhao.hukou_type, zhao.address, zhao.number) == ("urban", "河西路8号", "440224100001-0001")
    assert set(zhao.members.values_list("name", flat=True)) == {"赵大勇", "赵小红", "赵老太"}
    # 父母 is not linked as the head's child
    assert Person.objects.get(name="赵大勇").living_children == 1
    # a 15-digit ID is upgraded to 18, the original kept
    old = Person.objects.get(name="赵大勇")
    assert len(old.id_number) == 18 and old.id_legacy == legacy_id("1958-02-03")
    assert old.birth_date.isoformat() == "1958-02-03"
    # staging rows point at their persons and no longer hold the ID or phone
    staged = ImportRow.objects.get(batch=batch, name="张建国")
    assert staged.status == "imported" and staged.person == head
    assert not staged.id_number and not staged.phone
    # one audit entry for the batch, with counts
    entry = AuditEntry.objects.get(action="registry.import.committed")
    assert entry.data["persons"] == 6 and entry.data["households"] == 2 and entry.org_unit == tree.town_a


def test_commit_writes_the_family_facts_a_recompute_would_derive(tree, people):
    # given: households with two children, with one, and one whose 父母 is nobody's child here
    rows = [
        *GOOD[:3],
        row("张小华", make_id("1990-04-04", sex="female"), "子女", number="H1"),
        *GOOD[3:],
        row("孙一人", make_id("1970-01-01"), number="H3", address="东街3号"),
    ]
    batch = stage(people.clerk_a, tree.village_a, rows)
    assert batch.valid_rows == 8, errors(batch)
    # when
    imports.commit_batch(batch)
    # then: the parents' facts were written with them, and a recompute of everyone finds nothing to change
    facts = {p.name: (p.children_ever, p.living_children) for p in Person.objects.all()}
    assert facts["张建国"] == facts["李秀英"] == (2, 2)
    assert facts["赵大勇"] == (1, 1) and facts["赵老太"] == facts["孙一人"] == facts["张小华"] == (0, 0)
    assert family_facts.recompute_family_facts() == 0


def test_commit_of_a_bereaved_household_is_derived_not_typed(tree, people):
    """Import brings living people; their family facts are computed, then change with events."""
    batch = imports.commit_batch(stage(people.clerk_a, tree.village_a, GOOD[:3]))
    child = Person.objects.get(name="张小明")
    from guanhuai.registry import services

    services.death_record(actor=people.clerk_a, person=child, occurred_on=child.birth_date.replace(year=2020))
    assert batch.status == "committed"
    assert Person.objects.get(name="张建国").special_status == "bereaved"


# --- validation: one Chinese reason per bad row ---------------------------------------------------


def test_each_bad_row_gets_its_reason_in_chinese(tree, people):
    # given people already registered, in 甲村 (visible) and in 乙村 (not visible to 甲镇)
    mine = family(people.approver, tree.village_a, children=0)
    theirs = family(people.approver, tree.village_b, children=0, address="乙村路1号")
    mine_id = Person.objects.get(household=mine, relation_to_head="head").id_number
    theirs_id = Person.objects.get(household=theirs, relation_to_head="head").id_number
    good_id = make_id("1970-01-01")
    dup_id = make_id("1971-01-01")
    bad_check = make_id("1972-01-01")
    bad_check = bad_check[:17] + ("0" if bad_check[17] != "0" else "1")
    no_date = "440224" + "19720231" + "001"
    no_date += id_check_char(no_date)
    rows = [
        row("好人", good_id, number="A"),  # 2: fine
        row("校验错", bad_check, number="B"),  # 3
        row("日期错", no_date, number="C"),  # 4
        row("", make_id("1973-01-01"), number="D"),  # 5: no name
        row("无村", make_id("1974-01-01"), number="E", code="440224199999"),  # 6
        row("乙村人", make_id("1975-01-01"), number="F", code=YI_CUN),  # 7: outside 甲镇
        row("镇代码", make_id("1976-01-01"), number="G", code="440224100000"),  # 8: a township
        row("重复甲", dup_id, number="H"),  # 9
        row("重复乙", dup_id, number="I"),  # 10
        row("已登记", mine_id, number="J"),  # 11: in scope
        row("别处人", theirs_id, number="K"),  # 12: out of scope
        row("无户主", make_id("1977-01-01"), "子女", number="L"),  # 13
        row("户主一", make_id("1978-01-01"), number="M"),  # 14
        row("户主二", make_id("1979-01-01"), number="M"),  # 15
        row("城市户", make_id("1980-01-01"), number="N", hukou="城市"),  # 16
        row("表哥户主", make_id("1981-01-01"), number="O"),  # 17
        row("表哥", make_id("1982-01-01"), "表哥", number="O"),  # 18
        row("光荣证", make_id("1983-01-01"), number="P", cert="有"),  # 19
        row("电话错", make_id("1984-01-01"), number="Q", phone="12ab"),  # 20
        row("无住址", make_id("1985-01-01"), number="R", address=""),  # 21
    ]
    # when
    batch = stage(people.reviewer_a, tree.town_a, rows)
    # then
    got = errors(batch)
    assert 2 not in got
    assert "身份证号校验位错误：最后一位应为" in got[3]
    assert "身份证号中的出生日期 19720231 不存在" in got[4]
    assert "请填写姓名" in got[5]
    assert "村(社区)代码 440224199999 不存在" in got[6]
    assert "不在所选的导入范围“甲镇”之内" in got[7]
    assert "不是村(社区)一级的代码" in got[8]
    assert "身份证号与第10行重复" in got[9] and "身份证号与第9行重复" in got[10]
    assert got[11] == "该身份证号已登记：王建国（甲村）。"
    assert "管辖范围以外" in got[12] and "乙村" not in got[12] and "王建国" not in got[12]
    assert "本户没有户主" in got[13]
    assert "本户有2名户主（第14、15行）" in got[14] and "本户有2名户主" in got[15]
    assert "户籍类型“城市”无效" in got[16]
    assert "与户主关系“表哥”无效" in got[18]
    assert got[17] == "同户第18行有错误，整户暂不导入。"
    assert "“持有光荣证”应填“是”或“否”" in got[19]
    assert "电话号码应为7至12位数字" in got[20]
    assert "户主行必须填写住址" in got[21]
    assert (batch.valid_rows, batch.invalid_rows) == (1, 19)
    # and only the good household is imported
    before = Person.objects.count()
    batch = imports.commit_batch(batch)
    assert Person.objects.count() == before + 1 and batch.imported_rows == 1
    assert Person.objects.filter(name="好人").exists()


def test_members_in_another_village_than_their_head_are_refused(tree, people):
    batch = stage(
        people.reviewer_a,
        tree.town_a,
        [row("户主甲", make_id("1960-01-01")), row("子女乙", make_id("1990-01-01"), "子女", code=JIA_SHEQU)],
    )
    got = errors(batch)
    assert "村(社区)代码与本户户主（第2行）不一致" in got[3]
    assert got[2] == "同户第3行有错误，整户暂不导入。"


def test_rows_before_the_first_head_form_a_household_without_head(tree, people):
    batch = stage(
        people.clerk_a,
        tree.village_a,
        [row("孤儿", make_id("1990-01-01"), "子女"), row("户主", make_id("1960-01-01"))],
    )
    assert "本户没有户主" in errors(batch)[2]
    assert batch.valid_rows == 1


def test_validation_is_set_based(tree, people, django_assert_max_num_queries):
    """A 300-row file is validated with a handful of queries, not one per row."""
    rows = []
    for i in range(100):
        rows += [
            row(f"户主{i}", make_id("1960-01-01"), number=f"N{i}"),
            row(f"配偶{i}", make_id("1962-01-01", sex="female"), "配偶", number=f"N{i}"),
            row(f"子女{i}", make_id("1990-01-01"), "子女", number=f"N{i}"),
        ]
    batch = imports.stage_file(actor=people.clerk_a, org_unit=tree.village_a, content=import_xlsx(rows))
    with django_assert_max_num_queries(12):
        batch = imports.validate_batch(batch)
    assert batch.valid_rows == 300
    with django_assert_max_num_queries(40):
        batch = imports.commit_batch(batch)
    assert Household.objects.count() == 100 and ParentChild.objects.count() == 200


# --- upload page, preview and commit through the pages --------------------------------------------


def test_upload_validates_in_a_job_and_shows_the_preview(client, tree, people, upload):
    rows = [*GOOD[:3], row("坏号", "440224", number="X")] + [
        row(f"错{i}", "1234", number=f"E{i}") for i in range(30)
    ]
    response = upload(people.reviewer_a, import_xlsx(rows), unit=tree.town_a)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "registry_io:batch", args=[batch.pk]
    )
    # the job counted and reached the end
    job = batch.validate_job
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.counts == {"rows": 34, "valid": 3, "errors": 31}
    assert job.progress_done == job.progress_total == 68
    # the stored upload (plain IDs) is gone once staged
    assert not job.input_file
    assert (batch.status, batch.valid_rows, batch.invalid_rows) == ("validated", 3, 31)
    page = client.get(reverse("registry_io:batch", args=[batch.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "导入3条有效记录" in html and "下载错误文件" in html
    assert "身份证号应为18位" in html
    assert page.context["page"].paginator.num_pages == 2  # 31 rows, 25 a page
    assert client.get(reverse("registry_io:batch", args=[batch.pk]) + "?page=2").status_code == 200


def test_preview_page_query_count_does_not_grow_with_rows(
    client, tree, people, django_assert_max_num_queries
):
    batch = stage(people.clerk_a, tree.village_a, [row(f"错{i}", "1234", number=f"E{i}") for i in range(60)])
    client.force_login(people.clerk_a)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("registry_io:batch", args=[batch.pk]))
    assert response.status_code == 200 and len(response.context["page"].object_list) == 25


def test_commit_button_imports_in_a_job(client, tree, people, upload, django_capture_on_commit_callbacks):
    upload(people.clerk_a, import_xlsx(GOOD), unit=tree.village_a)
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry_io:batch_commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "committed" and Person.objects.count() == 6
    job = batch.commit_job
    assert job.status == "succeeded" and job.counts == {"created": 6, "households": 2, "skipped": 0}
    html = client.get(reverse("registry_io:batch", args=[batch.pk])).content.decode()
    assert "已于" in html and "导入 6 人（2 户）" in html and "导入6条有效记录" not in html


def test_commit_twice_is_one_job_and_imports_once(tree, people, django_capture_on_commit_callbacks):
    batch = stage(people.clerk_a, tree.village_a, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.commit_submit(actor=people.clerk_a, batch=batch)
    batch.refresh_from_db()
    with pytest.raises(Exception) as exc:
        imports.commit_submit(actor=people.clerk_a, batch=batch)
    assert "该文件已于" in str(exc.value)
    assert Job.objects.filter(kind="registry.import_commit").count() == 1 and job.status == "queued"
    assert imports.commit_batch(batch).imported_rows == 6
    assert Person.objects.count() == 6


def test_another_township_cannot_see_or_commit_the_batch(client, tree, people):
    batch = stage(people.reviewer_a, tree.town_a, GOOD)
    client.force_login(people.reviewer_b)
    assert client.get(reverse("registry_io:batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("registry_io:batch_commit", args=[batch.pk])).status_code == 404
    assert client.get(reverse("registry_io:batch_errors", args=[batch.pk])).status_code == 404
    assert Person.objects.count() == 0


def test_a_village_clerk_cannot_import_under_the_township(client, tree, people, upload):
    response = upload(people.clerk_a, import_xlsx(GOOD), unit=tree.town_a)
    assert response.status_code == 200 and "org_unit" in response.context["form"].errors
    assert ImportBatch.objects.count() == 0


# --- idempotency ------------------------------------------------------------------------------------


def test_same_file_uploaded_again_imports_nothing_twice(
    client, tree, people, upload, django_capture_on_commit_callbacks
):
    content = import_xlsx(GOOD)
    upload(people.reviewer_a, content, unit=tree.town_a)
    batch = ImportBatch.objects.get()
    imports.commit_batch(batch)
    # when the same file comes again, from another clerk of the same branch
    response = upload(people.reviewer_a, content, unit=tree.town_a, name="again.xlsx", follow=True)
    # then it leads to the committed batch, says when, and nothing is written
    assert (
        ImportBatch.objects.count() == 1 and Job.objects.filter(kind="registry.import_validate").count() == 1
    )
    assert Person.objects.count() == 6 and Household.objects.count() == 2
    assert response.redirect_chain[-1][0] == reverse("registry_io:batch", args=[batch.pk])
    assert "该文件已于" in response.content.decode()
    # the plain function answers the same
    again = imports.stage_file(actor=people.reviewer_a, org_unit=tree.town_a, content=content)
    assert again.pk == batch.pk and again.status == "committed"


def test_the_same_people_in_another_file_are_not_imported_twice(tree, people):
    imports.commit_batch(stage(people.reviewer_a, tree.town_a, GOOD))
    newcomer = row("新户主", make_id("1966-06-06"), number="H9")
    # a different file: the same rows plus one new household
    batch = imports.commit_batch(stage(people.reviewer_a, tree.town_a, [*GOOD, newcomer]))
    assert batch.imported_rows == 1 and batch.invalid_rows == 6
    assert Person.objects.count() == 7
    assert "该身份证号已登记：张建国（甲村）" in errors(batch)[2]


def test_error_workbook_fixed_and_uploaded_again_imports_the_rest(client, tree, people, upload):
    good_child = make_id("1990-09-09")
    rows = [
        *GOOD[:3],
        row("赵大勇", legacy_id("1958-02-03"), number="Z"),
        row("赵小红", good_child[:-1] + "Y", "子女", number="Z"),
    ]
    upload(people.reviewer_a, import_xlsx(rows), unit=tree.town_a)
    batch = ImportBatch.objects.get()
    imports.commit_batch(batch)
    assert Person.objects.count() == 3
    # the error workbook: the held-back household whole, as typed, with the reasons
    response = client.get(reverse("registry_io:batch_errors", args=[batch.pk]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert got[0] == [*io_excel.HEADERS, "错误原因"]
    assert [r[4] for r in got[1:]] == ["赵大勇", "赵小红"]
    assert got[1][5] == legacy_id("1958-02-03") and "同户第6行有错误" in got[1][11]
    assert "身份证号应为18位" in got[2][11]
    assert AuditEntry.objects.filter(action="registry.import.errors_downloaded").count() == 1
    # fix the ID in the downloaded file and upload it again, the 错误原因 column left in
    ws2 = load_workbook(io.BytesIO(response.content))
    ws2.worksheets[0]["F3"] = good_child
    buf = io.BytesIO()
    ws2.save(buf)
    upload(people.reviewer_a, buf.getvalue(), unit=tree.town_a, name="fixed.xlsx")
    fixed = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert (fixed.valid_rows, fixed.invalid_rows) == (2, 0)
    imports.commit_batch(fixed)
    assert Person.objects.count() == 5 and Household.objects.count() == 2


def test_someone_registered_between_validation_and_commit_is_not_duplicated(tree, people):
    batch = stage(people.clerk_a, tree.village_a, GOOD)
    # meanwhile the son of the first household is registered by hand elsewhere in the county
    from guanhuai.registry.services import PersonInput, household_create

    household_create(
        actor=people.approver,
        org_unit=tree.village_b,
        address="乙村路2号",
        hukou_type="rural",
        members=[PersonInput(name="张小明", id_number=GOOD[2][5])],
    )
    batch = imports.commit_batch(batch)
    assert batch.imported_rows == 3 and batch.invalid_rows == 3
    got = errors(batch)
    assert "刚被登记" in got[4] and "同户第4行有错误" in got[2]
    assert Person.objects.filter(name="张小明").count() == 1


def test_a_failed_commit_resumes_after_its_checkpoint(
    tree, people, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports.commit, "COMMIT_HOUSEHOLDS", 1)
    batch = stage(people.clerk_a, tree.village_a, GOOD)
    real_build = imports.commit._build
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(imports.commit, "_build", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.commit_submit(actor=people.clerk_a, batch=batch)
    job.refresh_from_db()
    batch.refresh_from_db()
    assert job.status == "failed" and batch.status == "failed"
    assert batch.commit_checkpoint == 1 and Household.objects.count() == 1 and Person.objects.count() == 3
    # when retried, it continues after the first household
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(actor=people.clerk_a, job=job)
    job.refresh_from_db()
    batch.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert batch.status == "committed" and Household.objects.count() == 2 and Person.objects.count() == 6
    assert job.counts == {"created": 6, "households": 2, "skipped": 0}
    assert AuditEntry.objects.filter(action="registry.import.committed").count() == 1


# --- bad files ---------------------------------------------------------------------------------------


def _wrong_template() -> bytes:
    return import_xlsx(
        [["440224102000", "丙镇", "440224", "乡镇(街道)", "镇"]],
        headers=["区划代码", "名称", "上级区划代码", "级别", "类型"],
    )


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.xlsx", "上传的文件是空的"),
        (b"name,id\n\xe5\xbc\xa0,1\n", "persons.csv", "文件不是Excel（.xlsx、.xls）或ODS（.ods）格式"),
        (
            b"PK\x03\x04 this is not a workbook",
            "broken.xlsx",
            "文件不是Excel（.xlsx、.xls）或ODS（.ods）格式",
        ),
        ("wrong", "tree.xlsx", "表头与模板不一致"),
        ("headers only", "blank.xlsx", "文件中没有数据行"),
    ],
)
def test_bad_files_get_a_clear_message_and_change_nothing(tree, people, upload, content, name, message):
    if content == "wrong":
        content = _wrong_template()
    elif content == "headers only":
        content = import_xlsx([])
    response = upload(people.reviewer_a, content, unit=tree.town_a, name=name)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert ImportBatch.objects.count() == 0 and Job.objects.count() == 0 and ImportRow.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="registry.import").exists()


def test_too_big_a_file_is_refused_before_it_is_read(tree, people, upload, settings):
    settings.GUANHUAI_MAX_UPLOAD_BYTES = 1024
    content = import_xlsx(GOOD)
    assert len(content) > 1024
    response = upload(people.reviewer_a, content, unit=tree.town_a)
    assert "文件太大" in " ".join(response.context["form"].errors["file"])
    assert ImportBatch.objects.count() == 0 and Job.objects.count() == 0
    with pytest.raises(ValidationError, match="文件太大"):
        imports.stage_file(actor=people.reviewer_a, org_unit=tree.town_a, content=content)


def test_headers_typed_without_their_hints_are_accepted(tree, people):
    plain = [c.header for c in io_excel.COLUMNS]
    batch = imports.stage_file(
        actor=people.clerk_a, org_unit=tree.village_a, content=import_xlsx(GOOD[:3], headers=plain)
    )
    assert imports.validate_batch(batch).valid_rows == 3


def test_upload_page_lists_only_batches_in_scope_and_links_the_template(client, tree, people):
    mine = stage(people.reviewer_a, tree.town_a, GOOD[:3])
    other = stage(people.reviewer_b, tree.town_b, [row("乙人", make_id("1961-01-01"), code=YI_CUN)])
    client.force_login(people.reviewer_a)
    response = client.get(reverse("registry_io:import"))
    assert response.status_code == 200
    assert [b.pk for b in response.context["page"].object_list] == [mine.pk]
    assert other.pk != mine.pk
    assert reverse("registry_io:template") in response.content.decode()
    assert list(response.context["form"].fields["org_unit"].queryset) == [tree.town_a]


def test_progress_panel_asks_for_a_reload_once_the_job_is_done(client, tree, people, upload):
    upload(people.clerk_a, import_xlsx(GOOD), unit=tree.village_a)
    batch = ImportBatch.objects.get()
    response = client.get(reverse("registry_io:batch_progress", args=[batch.pk]))
    assert response.status_code == 200 and response["HX-Refresh"] == "true"


def test_a_batch_staged_before_the_derived_columns_existed_still_commits(tree, people):
    legacy = legacy_id("1958-02-03")
    batch = stage(people.clerk_a, tree.village_a, [row("赵大勇", legacy, phone="138-0013-8000")])
    # given the row as an older version staged it: ID and phone as typed, nothing derived from them
    ImportRow.objects.filter(batch=batch).update(
        id_number=legacy, phone="138-0013-8000", id_legacy="", sex="", birth_date=None, phone_masked=""
    )
    # when it is committed
    imports.commit_batch(batch)
    # then the person holds what the builder derives, as if staged today
    person = Person.objects.get()
    assert (person.id_number, person.id_legacy) == ("440224195802030137", legacy)
    assert (person.sex, person.birth_date.isoformat()) == ("male", "1958-02-03")
    assert (person.phone, person.phone_masked) == ("13800138000", "138****8000")


def test_the_error_workbook_is_the_uploaders_alone_and_expires(client, tree, people, upload):
    import datetime as dt

    from django.utils import timezone

    from guanhuai.jobs.models import Job

    rows = [*GOOD[:3], row("赵小红", make_id("1990-09-09")[:-1] + "Y", number="Z")]
    upload(people.reviewer_a, import_xlsx(rows), unit=tree.town_a)
    batch = ImportBatch.objects.get()
    assert batch.invalid_rows == 1
    url = reverse("registry_io:batch_errors", args=[batch.pk])
    # another importer over the same township (the county approver does not import; a second reviewer does)
    other = user_with_role("township_reviewer", tree.town_a, username="reviewer_a2")
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("registry_io:batch", args=[batch.pk])).content.decode()
    assert not AuditEntry.objects.filter(action="registry.import.errors_downloaded").exists()

    client.force_login(people.reviewer_a)
    assert client.get(url).status_code == 200
    # eight days later it is gone, for the uploader too
    Job.objects.filter(pk=batch.validate_job_id).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert client.get(url).status_code == 404


def test_a_household_number_another_household_holds_keeps_that_household_out(tree, people):
    # given: 甲村's household 440224100001-0005, registered by hand after the file was checked
    rows = [
        row("孙大海", legacy_id("1955-04-05"), number="440224100001-0005"),
        row("周一鸣", legacy_id("1956-04-05", "015"), number="440224100001-0006"),
    ]
    batch = stage(people.clerk_a, tree.village_a, rows)
    household_create(
        actor=people.approver,
        org_unit=tree.village_a,
        address="幸福路9号",
        hukou_type="rural",
        number="440224100001-0005",
        members=[member("钱七", "1970-01-01")],
    )
    # when
    batch = imports.commit_batch(batch)
    # then: the first household waits with the reason, the second keeps its number
    assert "户编号 440224100001-0005 已被其他户使用" in errors(batch)[2]
    assert not Person.objects.filter(name="孙大海").exists()
    assert Household.objects.get(head__name="周一鸣").number == "440224100001-0006"
    assert Household.objects.get(head__name="钱七").number == "440224100001-0005"
