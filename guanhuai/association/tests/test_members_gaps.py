"""Part 1's small gaps: the member export is audited, a group's leader can be changed later, and the
campaign page is short on a phone (one level at a time, paged)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import services
from guanhuai.association.models import MemberGroup
from guanhuai.association.states import MemberStatus
from guanhuai.association.tests.factories import MemberFactory
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import ValidationError


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.county, username="xiehui_gaps")


def test_the_member_export_is_a_post_and_says_who_exported_what(client, tree, officer):
    MemberFactory(org_unit=tree.village_a, name="甲村会员")
    MemberFactory(org_unit=tree.village_b, name="乙村会员", status=MemberStatus.LAPSED)
    client.force_login(officer)
    assert client.get("/association/members/export/").status_code == 405
    response = client.post(
        "/association/members/export/", {"unit": tree.town_a.pk, "status": MemberStatus.ACTIVE}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["甲村会员"]
    entry = AuditEntry.objects.get(action="association.members.exported")
    assert (entry.actor_id, entry.org_unit_id) == (officer.pk, tree.town_a.pk)
    assert entry.data == {"unit": tree.town_a.code, "status": "active", "rows": 1}
    # a branch outside the officer's scope is the same 404 as a missing one, and nothing is logged
    far = user_with_role("association_officer", tree.other_county, username="xiehui_far_gaps")
    client.force_login(far)
    assert client.post("/association/members/export/", {"unit": tree.town_a.pk}).status_code == 404
    assert AuditEntry.objects.filter(action="association.members.exported").count() == 1


def test_a_groups_leader_is_changed_later_audited_and_must_be_an_active_member(client, tree, officer):
    old = MemberFactory(org_unit=tree.village_a, name="老组长")
    new = MemberFactory(org_unit=tree.village_a, name="新组长")
    elsewhere = MemberFactory(org_unit=tree.village_b, name="乙村会员")
    group = services.member_group_create(actor=officer, org_unit=tree.village_a, name="一组", leader=old)
    with pytest.raises(ValidationError, match="组长须为本协会的在册会员"):
        services.member_group_set_leader(actor=officer, group=group, leader=elsewhere)
    client.force_login(officer)
    page = client.get(f"/association/groups/{group.pk}/leader/").content.decode()
    assert "新组长" in page and "乙村会员" not in page
    response = client.post(f"/association/groups/{group.pk}/leader/", {"leader": new.pk})
    assert response.status_code == 302
    group.refresh_from_db()
    new.refresh_from_db()
    assert group.leader_id == new.pk and new.group_id == group.pk
    entry = AuditEntry.objects.get(action="association.member_group.leader_changed")
    assert entry.changes == {"leader": [str(old), str(new)]}
    # a chair of another village cannot open it
    client.force_login(user_with_role("village_clerk", tree.village_b, username="chair_b_gaps"))
    assert client.get(f"/association/groups/{group.pk}/leader/").status_code == 404
    assert MemberGroup.objects.get(pk=group.pk).leader_id == new.pk


def test_the_campaign_page_shows_one_level_at_a_time(
    client, tree, officer, django_capture_on_commit_callbacks
):
    for village in (tree.village_a, tree.village_b):
        MemberFactory.create_batch(2, org_unit=village)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.campaign_open(
            actor=officer,
            org_unit=tree.county,
            title="再登记",
            opened_on=timezone.localdate(),
            deadline=timezone.localdate() + dt.timedelta(days=10),
        )
    client.force_login(officer)
    top = client.get(f"/association/campaigns/{campaign.pk}/").content.decode()
    # the county's page lists its townships (each counting its villages), not the villages
    assert "甲镇" in top and "乙镇" in top and "甲村" not in top and "已确认 0 / 4 名" in top
    below = client.get(f"/association/campaigns/{campaign.pk}/?within={tree.town_a.pk}").content.decode()
    assert "甲村" in below and "乙村" not in below and "已确认 0 / 2 名" in below
    assert f"/association/campaigns/{campaign.pk}/units/{tree.village_a.pk}/" in below
