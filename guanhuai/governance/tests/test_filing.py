"""Filing with the township: submitted → returned with named clauses → resubmitted → filed; the legal-review
warnings on the way; a text that is not adopted is refused; the public selector shows filed texts only."""

from __future__ import annotations

import pytest

from guanhuai.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from guanhuai.governance import selectors, services
from guanhuai.governance.models import Filing
from guanhuai.governance.review import review
from guanhuai.governance.states import FilingStatus, VersionStatus
from guanhuai.governance.tests.factories import DocumentFactory, passed_motion, version_with_clauses

FLAGGED = [
    (1, "总则", "本村规民约经村民会议讨论通过，全体村民共同遵守。"),
    (2, "公共秩序", "不参加村里义务劳动的，取消其当年集体分红。"),
    (2, "公共秩序", "村民建房前向村委会缴纳保证金，完工后退还。"),
    (3, "婚姻家庭", "出嫁女及其子女与其他村民享有同等的权利。"),
]


@pytest.fixture
def flagged(tree, people):
    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    return version_with_clauses(document, FLAGGED, status=VersionStatus.ADOPTED, number=1)


def test_the_checklist_warns_on_the_clauses_that_break_the_law_and_not_on_the_others(flagged):
    findings = review(flagged.clauses.order_by("position"))
    assert {(f.clause_number, f.code) for f in findings} == {(2, "withhold_benefits"), (3, "deposit")}
    deposit = next(f for f in findings if f.code == "deposit")
    assert "合法财产权利" in deposit.reason and "第二十七条" in deposit.legal_basis


def test_a_filing_returned_for_named_clauses_is_resubmitted_and_filed(people, flagged):
    filing = services.filing_submit(actor=people.clerk_a, version=flagged)
    assert filing.status == FilingStatus.SUBMITTED
    assert {w["code"] for w in filing.events.get().warnings} == {"withhold_benefits", "deposit"}
    assert selectors.published_documents().count() == 0

    services.filing_return(
        actor=people.reviewer_a, filing=filing, clauses=[3, 2], reason="第2、3条侵犯村民合法财产权利"
    )
    filing.refresh_from_db()
    assert (filing.status, filing.returned_clauses) == (FilingStatus.RETURNED, [2, 3])

    # the village revises the two clauses at its assembly and resubmits the new version
    draft = services.version_draft(actor=people.clerk_a, document=flagged.document)
    services.clause_save(
        actor=people.clerk_a,
        version=draft,
        clause=draft.clauses.get(number=2),
        text="村民应当积极参加村里的公益劳动。",
    )
    services.clause_remove(actor=people.clerk_a, clause=draft.clauses.get(number=3))
    assert review(draft.clauses.all()) == []
    services.version_adopt(actor=people.clerk_a, version=draft, motion=passed_motion(draft))
    services.filing_resubmit(actor=people.clerk_a, filing=filing, version=draft)
    services.filing_file(actor=people.reviewer_a, filing=filing)

    filing.refresh_from_db()
    assert (filing.status, filing.version_id) == (FilingStatus.FILED, draft.pk)
    assert [(e.action, e.version.number) for e in filing.events.all()] == [
        ("submitted", 1),
        ("returned", 1),
        ("resubmitted", 2),
        ("filed", 2),
    ]
    assert list(selectors.published_documents()) == [draft]


def test_filing_a_draft_or_a_superseded_version_is_refused(tree, people):
    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    draft = version_with_clauses(document)
    with pytest.raises(ValidationError, match="草案：只有经会议表决通过、现行有效的版本才能报送备案"):
        services.filing_submit(actor=people.clerk_a, version=draft)
    assert not Filing.objects.exists()


def test_a_return_names_existing_clauses_and_gives_a_reason(people, flagged):
    filing = services.filing_submit(actor=people.clerk_a, version=flagged)
    with pytest.raises(ValidationError, match="须指明需要修改的条款"):
        services.filing_return(actor=people.reviewer_a, filing=filing, clauses=[], reason="不合法")
    with pytest.raises(ValidationError, match="没有第9条"):
        services.filing_return(actor=people.reviewer_a, filing=filing, clauses=[2, 9], reason="不合法")
    with pytest.raises(ValidationError, match="须说明理由"):
        services.filing_return(actor=people.reviewer_a, filing=filing, clauses=[2], reason="")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


def test_resubmitting_the_same_version_needs_an_explanation(people, flagged):
    filing = services.filing_submit(actor=people.clerk_a, version=flagged)
    services.filing_return(actor=people.reviewer_a, filing=filing, clauses=[4], reason="请核实")
    with pytest.raises(ValidationError, match="须说明对退回意见的处理情况"):
        services.filing_resubmit(actor=people.clerk_a, filing=filing)
    services.filing_resubmit(
        actor=people.clerk_a, filing=filing, note="第4条是保障出嫁女平等权利的条款，无需修改"
    )
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


def test_one_open_filing_per_document_and_no_double_decision(people, flagged):
    filing = services.filing_submit(actor=people.clerk_a, version=flagged)
    with pytest.raises(Conflict, match="正在办理"):
        services.filing_submit(actor=people.clerk_a, version=flagged)
    services.filing_file(actor=people.reviewer_a, filing=filing)
    with pytest.raises(InvalidTransition):
        services.filing_return(actor=people.reviewer_a, filing=filing, clauses=[2], reason="晚了")
    with pytest.raises(Conflict, match="已经备案"):
        services.filing_submit(actor=people.clerk_a, version=flagged)


def test_only_the_villages_own_township_reviews_its_filing(people, flagged):
    filing = services.filing_submit(actor=people.clerk_a, version=flagged)
    with pytest.raises(NotFound):
        services.filing_file(actor=people.reviewer_b, filing=filing)
    with pytest.raises(PermissionDenied):
        services.filing_file(actor=people.clerk_a, filing=filing)
    assert [f.pk for f in selectors.filing_list(actor=people.reviewer_a)] == [filing.pk]
    assert list(selectors.filing_list(actor=people.reviewer_b)) == []


def test_the_home_page_counts_filings_to_review_and_returned(client, people, flagged):
    filing = services.filing_submit(actor=people.clerk_a, version=flagged)
    client.force_login(people.reviewer_a)
    page = client.get("/").content.decode()
    assert "待审查的备案" in page and "/governance/filings/?status=submitted" in page
    services.filing_return(
        actor=people.reviewer_a, filing=filing, clauses=[2], reason="取消分红作为惩罚不合法"
    )
    client.force_login(people.clerk_a)
    page = client.get("/").content.decode()
    assert "被退回修改的备案" in page and "/governance/filings/?status=returned" in page
