"""The clause-level diff: lineage pairs edited and renumbered clauses, identical text pairs clauses without
lineage, and additions, removals and in-clause changes land where a reader expects them."""

from __future__ import annotations

from guanhuai.governance import selectors, services
from guanhuai.governance.diff import ADDED, CHANGED, REMOVED, SAME, diff
from guanhuai.governance.states import VersionStatus
from guanhuai.governance.tests.factories import DocumentFactory, version_with_clauses


def kinds(result):
    return [(r.kind, r.old.number if r.old else None, r.new.number if r.new else None) for r in result.rows]


def test_a_revision_shows_the_changed_added_and_removed_clauses_in_reading_order(tree, people):
    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    old = version_with_clauses(document, status=VersionStatus.ADOPTED, number=1)
    draft = services.version_draft(actor=people.clerk_a, document=document)
    services.clause_save(
        actor=people.clerk_a, version=draft, text="红白喜事从简办理。", before=1, chapter_number=1
    )
    services.clause_remove(actor=people.clerk_a, clause=draft.clauses.get(number=3))  # old 2
    services.clause_save(
        actor=people.clerk_a,
        version=draft,
        clause=draft.clauses.get(number=4),  # old 4, renumbered from 4 (one in, one out)
        text="生活垃圾分类投放到村里指定的地点。",
    )
    first, second, result = selectors.version_diff(actor=people.clerk_a, first_id=old.pk, second_id=draft.pk)
    assert kinds(result) == [
        (ADDED, None, 1),
        (SAME, 1, 2),
        (REMOVED, 2, None),
        (SAME, 3, 3),
        (CHANGED, 4, 4),
        (SAME, 5, 5),
    ]
    changed = result.rows[4]
    assert [s.text for s in changed.new_segments if s.changed] == ["村里", "的"]
    assert "".join(s.text for s in changed.old_segments) == "生活垃圾分类投放到指定地点。"
    assert (result.count(ADDED), result.count(REMOVED), result.count(CHANGED)) == (1, 1, 1)


def test_versions_without_lineage_pair_identical_clauses_and_renumbered_ones_show_as_same(tree, people):
    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    a = version_with_clauses(
        document,
        [(1, "总则", "甲。"), (1, "总则", "乙。"), (1, "总则", "丙。")],
        status=VersionStatus.SUPERSEDED,
    )
    b = version_with_clauses(document, [(1, "总则", "乙。"), (1, "总则", "丙。"), (1, "总则", "丁。")])
    result = diff(list(a.clauses.order_by("position")), list(b.clauses.order_by("position")))
    assert kinds(result) == [(REMOVED, 1, None), (SAME, 2, 1), (SAME, 3, 2), (ADDED, None, 3)]
    assert all(row.renumbered for row in result.rows if row.kind == SAME)


def test_a_version_against_itself_has_no_changes(tree, people):
    version = version_with_clauses(DocumentFactory(unit=tree.village_a, created_by=people.clerk_a))
    clauses = list(version.clauses.order_by("position"))
    assert diff(clauses, clauses).changes == []


def test_an_edited_clause_without_lineage_is_paired_with_the_clause_it_resembles(tree, people):
    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    a = version_with_clauses(
        document,
        [
            (1, "总则", "甲条：全体村民共同遵守。"),
            (1, "总则", "乙条：爱护道路和水利设施。"),
            (1, "总则", "丙。"),
        ],
        status=VersionStatus.SUPERSEDED,
    )
    b = version_with_clauses(
        document,
        [
            (1, "总则", "甲条：全体村民共同遵守。"),
            (1, "总则", "乙条：爱护道路、水利和照明设施。"),
            (1, "总则", "完全不同的一条新规定。"),
        ],
    )
    result = diff(list(a.clauses.order_by("position")), list(b.clauses.order_by("position")))
    assert kinds(result) == [(SAME, 1, 1), (CHANGED, 2, 2), (ADDED, None, 3), (REMOVED, 3, None)]
