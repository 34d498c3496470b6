"""The documents' and filing pages as a village clerk and a township reviewer would use them: drafting and
editing a revision, the warning on a flagged clause, the diff and its PDF, the import, and the filing queue
with its return naming clauses. Query counts of the lists are pinned."""

from __future__ import annotations

import io
import re

import docx
import pytest

from guanhuai.core.testing import assert_queries_flat
from guanhuai.governance.models import Clause, Document, DocumentVersion, Filing
from guanhuai.governance.states import FilingStatus, VersionStatus
from guanhuai.governance.tests.factories import DocumentFactory, version_with_clauses
from guanhuai.orgs.tests.factories import OrgUnitFactory

FLAGGED = [(1, "总则", "全体村民共同遵守本村规民约。"), (2, "建房", "建房前向村委会缴纳押金五千元。")]


@pytest.fixture
def rules(tree, people):
    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    return document, version_with_clauses(document, status=VersionStatus.ADOPTED, number=1)


def test_a_clerk_drafts_a_revision_edits_a_clause_and_sees_the_diff(client, people, rules):
    document, in_force = rules
    client.force_login(people.clerk_a)
    response = client.post(
        f"/governance/documents/{document.pk}/draft/", {"summary": "修订公共秩序"}, follow=True
    )
    draft = DocumentVersion.objects.get(document=document, status=VersionStatus.DRAFT)
    assert "已从现行版本起草第2版草案" in response.content.decode()
    clause = draft.clauses.get(number=3)
    client.post(
        f"/governance/clauses/{clause.pk}/edit/",
        {"chapter_number": 2, "chapter_title": "公共秩序", "text": "爱护公共设施。"},
    )
    assert Clause.objects.get(pk=clause.pk).text == "爱护公共设施。"
    page = client.get(f"/governance/versions/{in_force.pk}/diff/{draft.pk}/").content.decode()
    assert page.count('class="diff-changed') == 1 and "共 1 处变化" in page
    pdf = client.get(f"/governance/versions/{in_force.pk}/diff/{draft.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert b"/FontFile2" in pdf.content and b"/Helvetica" not in pdf.content


def test_editing_an_adopted_clause_on_the_page_is_refused_with_the_reason(client, people, rules):
    _, in_force = rules
    clause = in_force.clauses.get(number=1)
    client.force_login(people.clerk_a)
    response = client.post(f"/governance/clauses/{clause.pk}/edit/", {"text": "改掉它。"})
    assert "现行有效，不能修改" in response.content.decode()
    assert Clause.objects.get(pk=clause.pk).text == clause.text


def test_a_flagged_clause_shows_its_warning_with_reason_and_basis(client, tree, people):
    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    version = version_with_clauses(document, FLAGGED)
    client.force_login(people.clerk_a)
    page = client.get(f"/governance/versions/{version.pk}/").content.decode()
    assert page.count("gov-warning") == 1
    assert "押金、保证金" in page and "第二十七条第二款" in page and "不会自动退回" in page


def test_the_reviewer_returns_a_filing_naming_the_flagged_clause(client, tree, people):
    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    version = version_with_clauses(document, FLAGGED, status=VersionStatus.ADOPTED)
    client.force_login(people.clerk_a)
    client.post(f"/governance/versions/{version.pk}/filing/")
    filing = Filing.objects.get()
    client.force_login(people.reviewer_a)
    page = client.get(f"/governance/filings/{filing.pk}/").content.decode()
    # the flagged clause is ticked for the reviewer to confirm, the other is not
    assert re.search(r'value="2"[^>]*checked', page) and not re.search(r'value="1"[^>]*checked', page)
    response = client.post(f"/governance/filings/{filing.pk}/return/", {"reason": "押金侵犯财产权利"})
    assert response.status_code == 200 and Filing.objects.get().status == FilingStatus.SUBMITTED
    client.post(f"/governance/filings/{filing.pk}/return/", {"clauses": ["2"], "reason": "押金侵犯财产权利"})
    filing.refresh_from_db()
    assert (filing.status, filing.returned_clauses) == (FilingStatus.RETURNED, [2])
    client.force_login(people.reviewer_b)
    assert client.get(f"/governance/filings/{filing.pk}/").status_code == 404


def test_import_from_a_word_file(client, tree, people):
    source = docx.Document()
    for line in ["甲村村规民约", "第一章 总则", "第一条 全体村民共同遵守。", "第二条 村委会负责实施。"]:
        source.add_paragraph(line)
    buf = io.BytesIO()
    source.save(buf)
    upload = io.BytesIO(buf.getvalue())
    upload.name = "村规民约.docx"
    client.force_login(people.clerk_a)
    response = client.post(
        "/governance/documents/import/",
        {
            "unit": tree.village_a.pk,
            "kind": "village_rules",
            "file": upload,
            "adopted_note": "2020年村民会议通过",
        },
        follow=True,
    )
    assert "已导入2条" in response.content.decode()
    version = DocumentVersion.objects.get()
    assert version.status == VersionStatus.ADOPTED and version.document.unit == tree.village_a
    assert list(version.clauses.values_list("text", flat=True)) == ["全体村民共同遵守。", "村委会负责实施。"]


def test_import_refuses_a_village_outside_scope(client, tree, people):
    client.force_login(people.clerk_a)
    response = client.post(
        "/governance/documents/import/",
        {"unit": tree.village_b.pk, "kind": "village_rules", "text": "第一条 甲。"},
    )
    assert response.status_code == 200 and not Document.objects.exists()


def test_the_lists_do_not_grow_queries_with_their_rows(client, tree, people):
    client.force_login(people.reviewer_a)
    villages = iter(OrgUnitFactory(level="village", kind="village", parent=tree.town_a) for _ in range(4))

    def grow_documents() -> None:
        for _ in range(2):
            doc = DocumentFactory(unit=next(villages), created_by=people.clerk_a)
            version_with_clauses(doc, status=VersionStatus.ADOPTED)

    DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    assert_queries_flat(
        lambda: client.get("/governance/"), grow_documents, most=12, row="list-group-item-action"
    )

    def filing(unit) -> None:
        doc = DocumentFactory(unit=unit, created_by=people.clerk_a)
        version = version_with_clauses(doc, status=VersionStatus.ADOPTED)
        Filing.objects.create(
            unit=unit,
            document=doc,
            version=version,
            submitted_at=version.adopted_at,
            created_by=people.clerk_a,
        )

    filing(tree.community_a)
    assert_queries_flat(
        lambda: client.get("/governance/filings/"),
        lambda: [filing(next(villages)) for _ in range(2)],
        most=10,
    )
