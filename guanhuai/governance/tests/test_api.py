"""/api/v1/governance: the scope matrix (who sees which village's texts and filings), and the documents'
bad inputs answered with the documented codes and changing nothing."""

from __future__ import annotations

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.governance.models import Clause, DocumentVersion, Filing
from guanhuai.governance.states import MotionStatus, VersionStatus
from guanhuai.governance.tests.factories import DocumentFactory, passed_motion, version_with_clauses


@pytest.fixture
def texts(tree, people):
    a = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    b = DocumentFactory(unit=tree.village_b, created_by=people.clerk_a)
    return (
        version_with_clauses(a, status=VersionStatus.ADOPTED, number=1),
        version_with_clauses(b, status=VersionStatus.ADOPTED, number=1),
    )


@pytest.mark.parametrize(
    ("who", "sees_a", "sees_b"),
    [
        ("clerk_a", True, False),
        ("reviewer_a", True, False),
        ("reviewer_b", False, True),
        ("approver", True, True),
        ("auditor", True, True),
        ("treasurer", False, False),
    ],
)
def test_the_scope_matrix(api, tree, people, texts, who, sees_a, sees_b):
    user = (
        user_with_role("finance_officer", tree.county, username="caiwu")
        if who == "treasurer"
        else getattr(people, who)
    )
    a, b = texts
    client = api(user)
    for version, sees in ((a, sees_a), (b, sees_b)):
        expected = 200 if sees else 404
        assert client.get(f"/governance/documents/{version.document_id}").status_code == expected
        assert client.get(f"/governance/versions/{version.pk}").status_code == expected
        assert client.get(f"/governance/versions/{version.pk}/diff/{version.pk}").status_code == expected
    listed = {d["id"] for d in client.get("/governance/documents").data["items"]}
    assert listed == {v.document_id for v, s in ((a, sees_a), (b, sees_b)) if s}


def test_a_diff_across_two_documents_is_a_404(api, people, texts):
    a, b = texts
    assert api(people.admin).get(f"/governance/versions/{a.pk}/diff/{b.pk}").status_code == 404


def test_editing_an_adopted_version_over_the_api_is_a_409(api, people, texts):
    a, _ = texts
    clause = a.clauses.first()
    response = api(people.clerk_a)._call("put", f"/governance/clauses/{clause.pk}", body={"text": "改。"})
    assert response.status_code == 409 and response.data["code"] == "version_not_draft"
    assert Clause.objects.get(pk=clause.pk).text == clause.text


def test_draft_amend_adopt_and_file_over_the_api(api, people, texts):
    a, _ = texts
    clerk = api(people.clerk_a)
    draft = clerk.post(f"/governance/documents/{a.document_id}/drafts", {"summary": "修订"}).data
    assert draft["number"] == 2 and len(draft["clauses"]) == 5
    target = draft["clauses"][2]["id"]
    amendment = clerk.post(
        f"/governance/versions/{draft['id']}/amendments",
        {
            "clause_id": target,
            "proposed_text": "爱护公共设施。",
            "proposer": "李四",
            "proposer_kind": "villager",
        },
    ).data
    assert clerk.post(f"/governance/amendments/{amendment['id']}/accept", {}).data["status"] == "accepted"
    version = DocumentVersion.objects.get(pk=draft["id"])
    failed = passed_motion(version, status=MotionStatus.FAILED)
    refused = clerk.post(f"/governance/versions/{draft['id']}/adopt", {"motion_id": failed.pk})
    assert refused.status_code == 422 and "未通过" in refused.data["message"]
    assert clerk.post(f"/governance/versions/{draft['id']}/filings", {}).status_code == 422
    passed = passed_motion(version)
    adopted = clerk.post(f"/governance/versions/{draft['id']}/adopt", {"motion_id": passed.pk}).data
    assert adopted["status"] == "adopted" and len(adopted["fingerprint"]) == 64
    diff = clerk.get(f"/governance/versions/{a.pk}/diff/{draft['id']}").data
    assert (diff["changed"], diff["added"], diff["removed"]) == (1, 0, 0)
    filing = clerk.post(f"/governance/versions/{draft['id']}/filings", {}).data
    reviewer = api(people.reviewer_a)
    assert reviewer.get("/governance/filings", status="submitted").data["count"] == 1
    bad = reviewer.post(f"/governance/filings/{filing['id']}/return", {"clauses": [99], "reason": "x"})
    assert bad.status_code == 422
    assert reviewer.post(f"/governance/filings/{filing['id']}/file", {}).data["status"] == "filed"
    assert api(people.reviewer_b).post(f"/governance/filings/{filing['id']}/file", {}).status_code == 404
    assert Filing.objects.get().status == "filed"
