"""The governance app's frame: who reaches its home page and what it lists, the API's scope, and that its
rows follow a merged village."""

from __future__ import annotations

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.governance.models import Document, Meeting
from guanhuai.governance.tests.factories import DocumentFactory, DocumentVersionFactory, MeetingFactory
from guanhuai.orgs.services import unit_merge


def test_the_home_page_lists_the_texts_and_meetings_of_the_actors_villages_only(client, tree, people):
    DocumentFactory(unit=tree.village_a, title="甲村村规民约", created_by=people.clerk_a)
    DocumentFactory(unit=tree.village_b, title="乙村村规民约", created_by=people.clerk_a)
    MeetingFactory(unit=tree.village_a, title="甲村村民会议", created_by=people.clerk_a)
    MeetingFactory(unit=tree.village_b, title="乙村村民会议", created_by=people.clerk_a)
    client.force_login(people.reviewer_a)
    page = client.get("/governance/").content.decode()
    assert "甲村村规民约" in page and "甲村村民会议" in page
    assert "乙村" not in page


def test_the_governance_pages_are_for_roles_that_hold_its_permissions(client, tree):
    treasurer = user_with_role("finance_officer", tree.county, username="caiwu")
    officer = user_with_role("governance_officer", tree.county, username="zizhi")
    client.force_login(officer)
    assert client.get("/governance/").status_code == 200
    client.force_login(treasurer)
    assert client.get("/governance/").status_code == 404


def test_the_api_lists_in_scope_and_answers_404_out_of_scope(api, tree, people):
    mine = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    theirs = DocumentFactory(unit=tree.village_b, created_by=people.clerk_a)
    DocumentVersionFactory(document=mine)
    meeting = MeetingFactory(unit=tree.village_b, created_by=people.clerk_a)
    client = api(people.clerk_a)
    listed = client.get("/governance/documents").data
    assert [d["id"] for d in listed["items"]] == [mine.pk]
    assert client.get(f"/governance/documents/{theirs.pk}").status_code == 404
    assert client.get(f"/governance/meetings/{meeting.pk}").status_code == 404
    assert api(people.reviewer_b).get(f"/governance/meetings/{meeting.pk}").status_code == 200


def test_texts_and_meetings_follow_their_merged_village(tree, people):
    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    meeting = MeetingFactory(unit=tree.village_a, created_by=people.clerk_a)
    unit_merge(actor=people.admin, unit=tree.village_a, into=tree.community_a)
    assert Document.objects.get(pk=document.pk).unit_id == tree.community_a.pk
    assert Meeting.objects.get(pk=meeting.pk).unit_id == tree.community_a.pk
    tables = set(
        AuditEntry.objects.filter(
            action="orgs.unit.rows_followed", object_id=str(tree.village_a.pk)
        ).values_list("data__table", flat=True)
    )
    assert {"governance.document", "governance.meeting"} <= tables
