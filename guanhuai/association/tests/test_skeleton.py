"""The association app's frame: who reaches its pages, and that its rows follow a merged branch."""

from __future__ import annotations

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association.models import Cadre, Member
from guanhuai.association.tests.factories import CadreFactory, MemberFactory
from guanhuai.audit.models import AuditEntry
from guanhuai.orgs.services import unit_merge


def test_the_association_pages_are_for_roles_that_hold_its_permissions(client, tree):
    officer = user_with_role("association_officer", tree.county, username="xiehui")
    treasurer = user_with_role("finance_officer", tree.county, username="caiwu")
    client.force_login(officer)
    assert client.get("/association/").status_code == 200
    client.force_login(treasurer)
    assert client.get("/association/").status_code == 404


def test_members_and_cadres_follow_their_merged_village(tree, people):
    # given a member and a cadre of 甲村
    member = MemberFactory(org_unit=tree.village_a)
    cadre = CadreFactory(org_unit=tree.village_a)
    # when 甲村 merges into 甲社区
    unit_merge(actor=people.admin, unit=tree.village_a, into=tree.community_a)
    # then both belong to 甲社区, and each table left one audit row
    assert Member.objects.get(pk=member.pk).org_unit_id == tree.community_a.pk
    assert Cadre.objects.get(pk=cadre.pk).org_unit_id == tree.community_a.pk
    tables = set(
        AuditEntry.objects.filter(
            action="orgs.unit.rows_followed", object_id=str(tree.village_a.pk)
        ).values_list("data__table", flat=True)
    )
    assert {"association.member", "association.cadre"} <= tables
