"""The project pages as their users meet them: a county proposes on the form, the city and the province
review from the project's page, the fund manager funds it, finance pays, the county uploads a photo, and each
role sees only the buttons it may press."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanhuai.core.testing import assert_queries_flat
from guanhuai.projects import services
from guanhuai.projects.models import Project, ProjectDocument, ProjectType
from guanhuai.projects.tests.factories import ProjectFactory


def png_bytes(seed: int = 0) -> bytes:
    """A real 1×1 PNG (its colour from `seed`, so two files differ)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00" + bytes([seed % 256, 80, 160])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_a_proposal_goes_from_the_form_through_review_to_money_on_the_page(client, tree, types, staff, books):
    # the county proposes on the form (type first)
    client.force_login(staff.county)
    assert "青春健康" in client.get("/projects/new/").content.decode()
    response = client.post(
        "/projects/new/?type=youth_health",
        {
            "org_unit": tree.county.pk,
            "name": "仁化县青春健康进校园",
            "objectives": "同伴教育",
            "start_date": "2025-03-01",
            "end_date": "2025-12-31",
            "area": f"{tree.town_a.code}, {tree.town_b.code}",
            "budget": "同伴教育者培训 12000\n家长课堂 8000",
            "target_participants": "3000",
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert project.budget_total == Decimal("20000.00") and project.targets == {"participants": 3000}
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "提交审核" in page and "¥20,000.00" in page
    client.post(f"/projects/{project.pk}/submit/")
    # the county cannot review its own proposal: no review form, and a forced post is refused
    assert 'id="review-form"' not in client.get(f"/projects/{project.pk}/").content.decode()
    # the city passes from the page, the province too
    client.force_login(staff.city)
    assert 'id="review-form"' in client.get(f"/projects/{project.pk}/").content.decode()
    client.post(f"/projects/{project.pk}/review/", {"decision": "pass", "comment": "同意"})
    client.force_login(staff.province)
    client.post(f"/projects/{project.pk}/review/", {"decision": "pass"})
    project.refresh_from_db()
    assert project.status == "approved"
    # the fund manager funds it, finance pays: the page shows the money from the ledger
    client.force_login(staff.manager)
    client.post(f"/projects/{project.pk}/fund/", {"allocation": books.allocation.pk, "amount": "15000"})
    funding = project.fundings.get()
    client.force_login(staff.finance)
    client.post(
        f"/projects/fundings/{funding.pk}/spend/",
        {"amount": "4000.50", "spent_on": "2025-06-01", "payee": "某中学"},
    )
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "¥15,000.00" in page and "¥4,000.50" in page and "¥10,999.50" in page


def test_a_refusal_on_a_form_is_shown_beside_its_field_and_saves_nothing(client, tree, types, staff):
    client.force_login(staff.county)
    response = client.post(
        "/projects/new/?type=youth_health",
        {
            "org_unit": tree.county.pk,
            "name": "日期颠倒",
            "start_date": "2025-12-01",
            "end_date": "2025-03-01",
            "budget": "培训 1000",
        },
    )
    assert response.status_code == 200
    assert "结束日期 2025-03-01 早于开始日期 2025-12-01" in response.content.decode()
    assert not Project.objects.exists()


def test_overspending_on_the_page_shows_the_message_and_pays_nothing(client, tree, types, staff, books):
    project = ProjectFactory(org_unit=tree.county, type=types["youth_health"], status="approved")
    funding = services.project_fund(
        actor=staff.manager, project=project, allocation=books.allocation, amount="100"
    )
    client.force_login(staff.finance)
    response = client.post(
        f"/projects/fundings/{funding.pk}/spend/",
        {"amount": "100.01", "spent_on": "2025-06-01", "payee": "某中学"},
    )
    assert "不足支付 ¥100.01" in response.content.decode()
    assert project.spendings.count() == 0


def test_a_township_cadre_uploads_a_photo_and_a_bad_file_is_refused(client, tree, types, staff):
    project = ProjectFactory(org_unit=tree.town_a, type=types["youth_health"], status="in_progress")
    client.force_login(staff.town)
    photo = SimpleUploadedFile("课堂.png", png_bytes(1), content_type="image/png")
    response = client.post(f"/projects/{project.pk}/documents/new/", {"kind": "photo", "file": photo})
    assert response.status_code == 302
    document = ProjectDocument.objects.get()
    shown = client.get(f"/projects/documents/{document.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == png_bytes(1)
    fake = SimpleUploadedFile("签到表.png", b"%PDF-1.4 not a png", content_type="image/png")
    response = client.post(f"/projects/{project.pk}/documents/new/", {"kind": "sign_in", "file": fake})
    assert "内容是 PDF，与扩展名不符" in response.content.decode()
    assert ProjectDocument.objects.count() == 1
    # a township next door sees neither the project nor its photo
    client.force_login(services_user("township_reviewer", tree.town_b))
    assert client.get(f"/projects/documents/{document.pk}/").status_code == 404


def services_user(role, unit):
    from guanhuai.accounts.tests.factories import user_with_role

    return user_with_role(role, unit)


def test_a_province_adds_its_own_project_type_in_the_ui_and_a_county_cannot(client, tree, people, staff):
    client.force_login(people.admin)
    response = client.post(
        "/projects/types/new/",
        {
            "name": "生殖健康咨询",
            "code": "rh-counselling",
            "activity_kinds": "counselling 咨询\nlecture 讲座",
            "venue_kinds": "clinic 服务站",
            "participant_fields": "female 女\nmale 男",
            "outcome_indicators": "persons 服务人次",
            "approval_steps": "county 县级审核\ncity 市级审批",
        },
    )
    assert response.status_code == 302
    local = ProjectType.objects.get(code="rh-counselling")
    assert not local.is_builtin and local.approval_steps == ["county", "city"]
    assert local.label("activity_kinds", "lecture") == "讲座"
    # a duplicate code in one list is refused with the list named
    response = client.post(
        f"/projects/types/{local.pk}/edit/", {"activity_kinds": "a 甲\na 乙", "approval_steps": "county 县"}
    )
    assert "项目类型配置有误：activity_kinds" in response.content.decode()
    # a county's administrator does not manage the province's types: the same 404 as a missing page
    client.force_login(people.county_admin)
    assert client.get("/projects/types/new/").status_code == 404
    assert client.get(f"/projects/types/{local.pk}/edit/").status_code == 404


def test_the_work_queue_links_the_owner_to_overdue_reports(client, tree, types, staff):
    project = ProjectFactory(
        org_unit=tree.county, type=types["youth_health"], status="in_progress", name="逾期项目"
    )
    project.reports.create(kind="progress", title="一季度报告", due_on=dt.date(2025, 4, 15))
    client.force_login(staff.county)
    home = client.get("/").content.decode()
    assert "逾期未交的项目报告" in home
    page = client.get("/projects/overdue/").content.decode()
    assert "逾期项目" in page and "一季度报告" in page


def test_the_review_list_shows_proposals_at_my_level_only(client, tree, types, staff):
    mine = ProjectFactory(
        org_unit=tree.county, type=types["youth_health"], status="under_review", step="city"
    )
    ProjectFactory(org_unit=tree.county, type=types["youth_health"], status="under_review", step="province")
    client.force_login(staff.city)
    page = client.get("/projects/?review=1").content.decode()
    assert f'data-project="{mine.pk}"' in page and page.count("data-project=") == 1


@pytest.mark.parametrize(
    "path", ["/projects/", "/projects/?review=1", "/projects/types/", "/projects/overdue/"]
)
def test_the_pages_are_closed_to_roles_without_projects(client, tree, path):
    from guanhuai.accounts.tests.factories import user_with_role

    client.force_login(user_with_role("portal_editor", tree.province))
    assert client.get(path).status_code == 404


def test_the_detail_page_takes_no_query_per_spending(client, tree, types, staff, books):
    project = ProjectFactory(org_unit=tree.county, type=types["youth_health"], status="approved")
    funding = services.project_fund(
        actor=staff.manager, project=project, allocation=books.allocation, amount="9000"
    )

    def pay() -> None:
        for i in range(3):
            services.project_spend(
                actor=staff.finance,
                funding=funding,
                amount="100",
                spent_on=dt.date(2025, 6, 1),
                payee=f"收款方{i}",
            )

    client.force_login(staff.province)
    assert_queries_flat(
        lambda: client.get(f"/projects/{project.pk}/"), pay, most=40, row='<td class="text-nowrap">'
    )


def test_the_list_counts_projects_per_city_in_scope(client, tree, types, people):
    from guanhuai.orgs.tests.factories import OrgUnitFactory

    meizhou = OrgUnitFactory(code="441400", name="梅州市", level="city", parent=tree.province)
    ProjectFactory(org_unit=tree.county, type=types["youth_health"], budget_total=Decimal("100.00"))
    ProjectFactory(org_unit=tree.town_a, type=types["youth_health"], budget_total=Decimal("50.50"))
    ProjectFactory(org_unit=meizhou, type=types["three_combinations"], budget_total=Decimal("7.00"))
    client.force_login(people.admin)
    page = client.get("/projects/").content.decode()
    assert "各市项目数（2）" in page
    rows = [r.split("</td>")[:3] for r in page.split("<tr data-city>")[1:]]
    assert [[c.split(">")[-1] for c in r] for r in rows] == [
        ["韶关市", "2", "¥150.50"],
        ["梅州市", "1", "¥7.00"],
    ]
    youth_only = client.get("/projects/?type=youth_health").content.decode()
    assert "各市项目数（1）" in youth_only
