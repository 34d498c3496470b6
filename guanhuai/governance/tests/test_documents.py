"""Versions of charters and village rules: drafting from the version in force, edits, adoption only by a
passed motion of the right kind of meeting, the fingerprint, amendments and their log."""

from __future__ import annotations

import pytest

from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from guanhuai.governance import services, text
from guanhuai.governance.models import Clause, DocumentVersion
from guanhuai.governance.states import AmendmentStatus, DocumentKind, MeetingKind, MotionStatus, VersionStatus
from guanhuai.governance.tests.factories import (
    DocumentFactory,
    passed_motion,
    version_with_clauses,
)


@pytest.fixture
def rules(tree, people):
    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    in_force = version_with_clauses(document, status=VersionStatus.ADOPTED, number=1)
    return document, in_force


def texts(version):
    return [c.text for c in version.clauses.order_by("position")]


# --- fingerprint ------------------------------------------------------------------------------------------


def test_the_fingerprint_ignores_whitespace_and_full_width_forms(tree, people, rules):
    _, version = rules
    clauses = list(version.clauses.order_by("position"))
    before = text.fingerprint(clauses)
    for c in clauses:
        c.text = " " + c.text.replace("，", "， \n").replace("本村", "本　村") + "\t"
    assert text.fingerprint(clauses) == before == version.fingerprint
    assert len(before) == 64


def test_the_fingerprint_changes_with_one_character_or_a_moved_clause(rules):
    _, version = rules
    clauses = list(version.clauses.order_by("position"))
    before = text.fingerprint(clauses)
    clauses[2].text = clauses[2].text.replace("照价修复", "照价赔偿")
    assert text.fingerprint(clauses) != before
    clauses[2].text = clauses[2].text.replace("照价赔偿", "照价修复")
    clauses[0].number, clauses[1].number = clauses[1].number, clauses[0].number
    assert text.fingerprint(clauses) != before


# --- drafting ---------------------------------------------------------------------------------------------


def test_a_revision_starts_as_a_copy_of_the_version_in_force(people, rules):
    document, in_force = rules
    draft = services.version_draft(actor=people.clerk_a, document=document, summary="修订垃圾分类条款")
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT and draft.based_on == in_force
    assert texts(draft) == texts(in_force)
    origins = list(draft.clauses.order_by("position").values_list("origin_id", flat=True))
    assert origins == list(in_force.clauses.order_by("position").values_list("pk", flat=True))
    with pytest.raises(Conflict, match="已有一份草案"):
        services.version_draft(actor=people.clerk_a, document=document)


def test_editing_an_adopted_version_is_refused_and_changes_nothing(people, rules):
    _, in_force = rules
    clause = in_force.clauses.get(number=3)
    with pytest.raises(Conflict, match="现行有效，不能修改；如需修改，请从现行版本起草修订稿"):
        services.clause_save(actor=people.clerk_a, version=in_force, clause=clause, text="随便改一改。")
    with pytest.raises(Conflict):
        services.clause_remove(actor=people.clerk_a, clause=clause)
    with pytest.raises(Conflict):
        services.clause_save(actor=people.clerk_a, version=in_force, text="新加一条。")
    assert in_force.clauses.get(number=3).text == "爱护道路、水利等公共设施，损坏的照价修复。"
    assert in_force.clauses.count() == 5


def test_clauses_added_and_removed_in_a_draft_are_renumbered_in_order(people, rules):
    document, _ = rules
    draft = services.version_draft(actor=people.clerk_a, document=document)
    services.clause_save(
        actor=people.clerk_a, version=draft, text="提倡移风易俗，婚事新办。", before=3, chapter_number=2
    )
    services.clause_remove(actor=people.clerk_a, clause=draft.clauses.get(number=2))
    numbers = list(draft.clauses.order_by("position").values_list("number", "text"))
    assert [n for n, _ in numbers] == [1, 2, 3, 4, 5]
    assert numbers[1][1] == "提倡移风易俗，婚事新办。"
    with pytest.raises(ValidationError, match="条文不能为空"):
        services.clause_save(actor=people.clerk_a, version=draft, text="   ")


def test_a_village_clerk_cannot_draft_for_another_village(tree, people):
    other = DocumentFactory(unit=tree.village_b, created_by=people.clerk_a)
    with pytest.raises(NotFound):
        services.version_draft(actor=people.clerk_a, document=other)
    with pytest.raises(PermissionDenied):
        services.version_draft(actor=people.reviewer_b, document=other)


def test_a_document_belongs_to_a_village_and_is_one_per_kind(tree, people, rules):
    with pytest.raises(ValidationError, match="已有村规民约"):
        services.document_create(
            actor=people.clerk_a, unit=tree.village_a, kind=DocumentKind.VILLAGE_RULES, title="x"
        )
    with pytest.raises(ValidationError, match="请选择村或社区"):
        services.document_create(actor=people.admin, unit=tree.town_a, kind=DocumentKind.CHARTER, title="x")


# --- adoption ---------------------------------------------------------------------------------------------


def test_a_passed_motion_of_the_villagers_assembly_adopts_the_draft_and_supersedes_the_old(people, rules):
    document, in_force = rules
    draft = services.version_draft(actor=people.clerk_a, document=document)
    clause = draft.clauses.get(number=4)
    services.clause_save(
        actor=people.clerk_a, version=draft, clause=clause, text="生活垃圾分类投放，可回收物交回收点。"
    )
    motion = passed_motion(draft)
    adopted = services.version_adopt(actor=people.clerk_a, version=draft, motion=motion)
    assert adopted.status == VersionStatus.ADOPTED and adopted.adopted_by_motion == motion
    assert adopted.fingerprint == text.fingerprint(draft.clauses.order_by("position"))
    assert adopted.fingerprint != in_force.fingerprint
    in_force.refresh_from_db()
    assert in_force.status == VersionStatus.SUPERSEDED
    entry = AuditEntry.objects.get(action="governance.version.adopted", object_id=str(adopted.pk))
    assert entry.data["motion"] == motion.pk and entry.data["superseded"] == 1


@pytest.mark.parametrize(
    ("motion_fields", "kind", "message"),
    [
        (
            {"status": MotionStatus.PROPOSED, "votes_for": None},
            MeetingKind.VILLAGERS_ASSEMBLY,
            "待表决，不能据此通过文本",
        ),
        ({"status": MotionStatus.FAILED}, MeetingKind.VILLAGERS_ASSEMBLY, "未通过，不能据此通过文本"),
        ({}, MeetingKind.GROUP_MEETING, "村规民约只能由村民会议、村民代表会议表决通过，村民小组会议不能通过"),
        ({}, MeetingKind.REPRESENTATIVES_MEETING, "村民会议尚未授权村民代表会议通过村规民约"),
    ],
)
def test_adoption_through_a_failed_motion_or_the_wrong_meeting_is_refused(
    people, rules, motion_fields, kind, message
):
    document, in_force = rules
    draft = services.version_draft(actor=people.clerk_a, document=document)
    motion = passed_motion(draft, kind=kind, **motion_fields)
    with pytest.raises(ValidationError, match=message):
        services.version_adopt(actor=people.clerk_a, version=draft, motion=motion)
    draft.refresh_from_db()
    in_force.refresh_from_db()
    assert (draft.status, in_force.status) == (VersionStatus.DRAFT, VersionStatus.ADOPTED)
    assert draft.fingerprint == "" and draft.adopted_by_motion is None


def test_the_representatives_meeting_adopts_village_rules_once_the_assembly_authorised_it(people, rules):
    document, _ = rules
    draft = services.version_draft(actor=people.clerk_a, document=document)
    document.representatives_authorised_by = passed_motion(draft, document_version=None)
    document.save(update_fields=["representatives_authorised_by"])
    motion = passed_motion(draft, kind=MeetingKind.REPRESENTATIVES_MEETING)
    assert (
        services.version_adopt(actor=people.clerk_a, version=draft, motion=motion).status
        == VersionStatus.ADOPTED
    )


def test_a_charter_is_adopted_by_the_villagers_assembly_only(tree, people):
    charter = DocumentFactory(unit=tree.village_a, kind=DocumentKind.CHARTER, created_by=people.clerk_a)
    draft = version_with_clauses(charter)
    charter.representatives_authorised_by = passed_motion(draft, document_version=None)
    charter.save(update_fields=["representatives_authorised_by"])
    motion = passed_motion(draft, kind=MeetingKind.REPRESENTATIVES_MEETING)
    with pytest.raises(ValidationError, match="村民自治章程只能由村民会议表决通过"):
        services.version_adopt(actor=people.clerk_a, version=draft, motion=motion)


def test_a_motion_about_another_version_or_village_cannot_adopt(tree, people, rules):
    document, _ = rules
    draft = services.version_draft(actor=people.clerk_a, document=document)
    other = version_with_clauses(DocumentFactory(unit=tree.village_b, created_by=people.clerk_a))
    with pytest.raises(ValidationError, match="表决的不是这个版本"):
        services.version_adopt(actor=people.clerk_a, version=draft, motion=passed_motion(other))
    motion = passed_motion(draft)
    with pytest.raises(Conflict, match="不能修改"):
        services.version_adopt(actor=people.clerk_a, version=rules[1], motion=motion)


# --- amendments -------------------------------------------------------------------------------------------


def test_an_accepted_amendment_changes_the_draft_and_a_rejection_needs_a_reason(people, rules):
    document, _ = rules
    draft = services.version_draft(actor=people.clerk_a, document=document)
    clause = draft.clauses.get(number=3)
    accepted = services.amendment_propose(
        actor=people.clerk_a,
        version=draft,
        clause=clause,
        proposed_text="爱护道路、水利、路灯等公共设施。",
        proposer="李村民",
        proposer_kind="villager",
        reason="路灯也常被损坏",
    )
    rejected = services.amendment_propose(
        actor=people.clerk_a,
        version=draft,
        proposed_text="每月第一个星期日为全村卫生日。",
        proposer="王代表",
        proposer_kind="representative",
    )
    services.amendment_accept(actor=people.clerk_a, amendment=accepted)
    with pytest.raises(ValidationError, match="须说明理由"):
        services.amendment_reject(actor=people.clerk_a, amendment=rejected, reason=" ")
    services.amendment_reject(actor=people.clerk_a, amendment=rejected, reason="卫生日已由村委会另行安排")
    assert Clause.objects.get(pk=clause.pk).text == "爱护道路、水利、路灯等公共设施。"
    assert draft.clauses.count() == 5
    rejected.refresh_from_db()
    assert rejected.status == AmendmentStatus.REJECTED
    assert [e.status for e in accepted.events.all()] == ["proposed", "accepted"]
    assert [(e.status, e.note) for e in rejected.events.all()] == [
        ("proposed", ""),
        ("rejected", "卫生日已由村委会另行安排"),
    ]
    with pytest.raises(InvalidTransition):
        services.amendment_accept(actor=people.clerk_a, amendment=rejected)


def test_an_amendment_to_an_adopted_version_is_refused(people, rules):
    _, in_force = rules
    with pytest.raises(Conflict):
        services.amendment_propose(
            actor=people.clerk_a,
            version=in_force,
            clause=in_force.clauses.first(),
            proposed_text="改。",
            proposer="张三",
            proposer_kind="villager",
        )
    assert not DocumentVersion.objects.filter(amendments__isnull=False).exists()
