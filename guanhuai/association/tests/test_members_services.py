"""Members, re-registration, bodies and cadres, through their services: the rules a secretary-general or a
village chair would notice when they break."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import selectors, services
from guanhuai.association.models import Body, CampaignEntry, Member, Seat
from guanhuai.association.states import BodyKind, CampaignStatus, Employment, MemberStatus, Position
from guanhuai.association.tests.factories import CadreFactory, MemberFactory
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, InvalidTransition, NotFound, ValidationError
from guanhuai.registry.services import death_record
from guanhuai.registry.tests.factories import family

DAY = dt.date(2025, 5, 29)


@pytest.fixture
def staff(tree):
    return SimpleNamespace(
        officer=user_with_role("association_officer", tree.county, username="xiehui"),
        chair_a=user_with_role("village_clerk", tree.village_a, username="chair_a"),
        chair_b=user_with_role("village_clerk", tree.village_b, username="chair_b"),
        admin=user_with_role("province_admin", tree.province, username="padmin2"),
    )


# --- members -----------------------------------------------------------------------------------------------


def test_card_numbers_come_from_each_branchs_own_sequence(tree, staff):
    a1 = services.member_create(actor=staff.officer, org_unit=tree.village_a, name="张三", joined_on=DAY)
    a2 = services.member_create(actor=staff.officer, org_unit=tree.village_a, name="李四", joined_on=DAY)
    b1 = services.member_create(actor=staff.officer, org_unit=tree.village_b, name="王五", joined_on=DAY)
    assert [a1.card_no, a2.card_no, b1.card_no] == [
        "440224100001-000001",
        "440224100001-000002",
        "440224101001-000001",
    ]


def test_a_second_active_membership_of_the_same_person_in_the_same_branch_is_refused(tree, staff):
    household = family(staff.chair_a, tree.village_a)
    person = household.members.first()
    services.member_create(actor=staff.chair_a, org_unit=tree.village_a, person=person, joined_on=DAY)
    with pytest.raises(Conflict, match="已是“甲村”的在册会员"):
        services.member_create(actor=staff.chair_a, org_unit=tree.village_a, person=person, joined_on=DAY)
    assert Member.objects.filter(person=person).count() == 1


def test_a_village_chair_cannot_enrol_members_in_another_village(tree, staff):
    with pytest.raises(NotFound):
        services.member_create(actor=staff.chair_a, org_unit=tree.village_b, name="张三", joined_on=DAY)
    assert not Member.objects.exists()


def test_withdrawal_ends_membership_once_and_keeps_the_card(tree, staff):
    member = services.member_create(actor=staff.chair_a, org_unit=tree.village_a, name="张三", joined_on=DAY)
    services.member_withdraw(actor=staff.chair_a, member=member, on=dt.date(2025, 9, 1))
    member.refresh_from_db()
    assert (member.status, member.ended_on) == (MemberStatus.WITHDRAWN, dt.date(2025, 9, 1))
    with pytest.raises(InvalidTransition):
        services.member_withdraw(actor=staff.chair_a, member=member, on=dt.date(2025, 9, 2))


def test_a_transfer_keeps_the_old_membership_and_links_the_new_one(tree, staff):
    old = services.member_create(actor=staff.officer, org_unit=tree.village_a, name="张三", joined_on=DAY)
    new = services.member_transfer(
        actor=staff.officer, member=old, to_unit=tree.village_b, on=dt.date(2025, 8, 1)
    )
    old.refresh_from_db()
    assert old.status == MemberStatus.TRANSFERRED_OUT and old.ended_on == dt.date(2025, 8, 1)
    assert new.org_unit == tree.village_b and new.status == MemberStatus.ACTIVE
    assert new.card_no.startswith("440224101001-")
    assert [m.pk for m in selectors.member_history(new)] == [old.pk, new.pk]
    # a village chair sees only their own village's row
    assert list(selectors.member_list(actor=staff.chair_b)) == [new]


def test_a_death_in_the_registry_ends_membership_through_a_job(
    tree, staff, django_capture_on_commit_callbacks
):
    household = family(staff.chair_a, tree.village_a)
    person = household.members.first()
    member = services.member_create(
        actor=staff.chair_a, org_unit=tree.village_a, person=person, joined_on=DAY
    )
    with django_capture_on_commit_callbacks(execute=True):
        death_record(actor=staff.chair_a, person=person, occurred_on=dt.date(2025, 10, 3))
    member.refresh_from_db()
    assert (member.status, member.ended_on) == (MemberStatus.DECEASED, dt.date(2025, 10, 3))
    assert (
        AuditEntry.objects.filter(action="association.member.deceased", object_id=str(member.pk)).count() == 1
    )
    # running the rule again changes nothing
    assert (
        services.members_end_for_death(actor=staff.admin, person_id=person.pk, died_on=dt.date(2025, 10, 3))
        == 0
    )


# --- re-registration -----------------------------------------------------------------------------------------


def _tiles(user):
    """The user's re-registration tiles on the work queue, by key, with their counts."""
    from guanhuai.core.work import items_for

    return {i.key: i.count for i in items_for(user) if i.key.startswith("association.reregistration")}


def test_re_registration_lapses_exactly_the_unconfirmed_in_one_update(
    tree, staff, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    a = [MemberFactory(org_unit=tree.village_a) for _ in range(3)]
    b = [MemberFactory(org_unit=tree.village_b) for _ in range(2)]
    withdrawn = MemberFactory(org_unit=tree.village_a, status=MemberStatus.WITHDRAWN)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.campaign_open(
            actor=staff.officer,
            org_unit=tree.county,
            title="2025年会员再登记",
            opened_on=DAY,
            deadline=timezone.localdate(),
        )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert CampaignEntry.objects.filter(campaign=campaign).count() == 5  # the withdrawn member is not on it
    progress = {
        p.name: (p.total, p.confirmed)
        for p in selectors.campaign_progress(actor=staff.officer, campaign=campaign)
    }
    assert progress == {"甲村": (3, 0), "乙村": (2, 0)}

    # 甲村 confirms two of its three; 乙村's chair cannot confirm 甲村's members
    with pytest.raises(NotFound):
        services.campaign_confirm(
            actor=staff.chair_b, campaign=campaign, village=tree.village_a, member_ids=[a[0].pk]
        )
    assert (
        services.campaign_confirm(
            actor=staff.chair_a, campaign=campaign, village=tree.village_a, member_ids=[a[0].pk, a[1].pk]
        )
        == 2
    )
    with pytest.raises(ValidationError, match="不在本村"):
        services.campaign_confirm(
            actor=staff.chair_a, campaign=campaign, village=tree.village_a, member_ids=[b[0].pk]
        )

    # not before the deadline; until then the chair's queue has the one left to confirm, and nobody's has a
    # campaign to close
    with pytest.raises(ValidationError, match="之后才能结束"):
        services.campaign_close_submit(actor=staff.officer, campaign=campaign)
    assert _tiles(staff.chair_a) == {"association.reregistration": 1}
    assert "association.reregistration_to_close" not in _tiles(staff.officer)
    type(campaign).objects.filter(pk=campaign.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    campaign.refresh_from_db()
    with pytest.raises(ValidationError, match="已于"):
        services.campaign_confirm(
            actor=staff.chair_a, campaign=campaign, village=tree.village_a, member_ids=[a[2].pk]
        )
    # past the deadline, confirming is no longer the chair's work; closing is the county officer's
    assert "association.reregistration" not in _tiles(staff.chair_a)
    assert "association.reregistration_to_close" not in _tiles(staff.chair_a)
    assert _tiles(staff.officer)["association.reregistration_to_close"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_close_submit(actor=staff.officer, campaign=campaign)
    campaign.refresh_from_db()
    statuses = dict(Member.objects.values_list("pk", "status"))
    assert [statuses[m.pk] for m in a] == [MemberStatus.ACTIVE, MemberStatus.ACTIVE, MemberStatus.LAPSED]
    assert [statuses[m.pk] for m in b] == [MemberStatus.LAPSED, MemberStatus.LAPSED]
    assert statuses[withdrawn.pk] == MemberStatus.WITHDRAWN
    assert (campaign.status, campaign.lapsed) == (CampaignStatus.CLOSED, 3)
    assert AuditEntry.objects.filter(action="association.member.lapsed").count() == 3
    assert "association.reregistration_to_close" not in _tiles(staff.officer)  # closed: off the queue
    # the lapse is a constant number of statements whatever the number of members
    with django_assert_max_num_queries(8):
        assert services.campaign_lapse(actor=staff.officer, campaign=campaign) == 0


# --- bodies ---------------------------------------------------------------------------------------------------


def test_a_new_term_closes_the_old_one_and_its_posts(tree, staff):
    first = services.body_term_open(
        actor=staff.officer,
        org_unit=tree.town_a,
        kind=BodyKind.COUNCIL,
        started_on=dt.date(2020, 3, 1),
        term=4,
    )
    president = services.seat_designate(
        actor=staff.officer,
        body=first,
        position=Position.PRESIDENT,
        name="陈会长",
        designated_on=dt.date(2020, 3, 1),
    )
    second = services.body_term_open(
        actor=staff.officer, org_unit=tree.town_a, kind=BodyKind.COUNCIL, started_on=dt.date(2025, 3, 1)
    )
    first.refresh_from_db()
    president.refresh_from_db()
    assert second.term == 5
    assert first.ended_on == president.ceased_on == dt.date(2025, 2, 28)
    services.seat_designate(
        actor=staff.officer,
        body=second,
        position=Position.PRESIDENT,
        name="林会长",
        designated_on=dt.date(2025, 3, 1),
    )
    history = [
        (b.term, s.name, s.designated_on, s.ceased_on)
        for b in selectors.body_list(actor=staff.officer, unit=tree.town_a)
        for s in b.seats.all()
    ]
    assert history == [
        (5, "林会长", dt.date(2025, 3, 1), None),
        (4, "陈会长", dt.date(2020, 3, 1), dt.date(2025, 2, 28)),
    ]


def test_overlapping_holders_of_a_sole_post_and_a_ceased_date_before_designation_are_refused(tree, staff):
    body = services.body_term_open(
        actor=staff.officer, org_unit=tree.town_a, kind=BodyKind.COUNCIL, started_on=dt.date(2020, 3, 1)
    )
    services.seat_designate(
        actor=staff.officer,
        body=body,
        position=Position.SECRETARY_GENERAL,
        name="甲",
        designated_on=dt.date(2020, 3, 1),
        ceased_on=dt.date(2022, 6, 30),
    )
    with pytest.raises(Conflict, match="秘书长的任期与 甲 的任期（2020-03-01 至 2022-06-30）重叠"):
        services.seat_designate(
            actor=staff.officer,
            body=body,
            position=Position.SECRETARY_GENERAL,
            name="乙",
            designated_on=dt.date(2022, 6, 1),
        )
    with pytest.raises(ValidationError, match="离任日期 2022-01-01 早于任职日期 2022-07-01"):
        services.seat_designate(
            actor=staff.officer,
            body=body,
            position=Position.SECRETARY_GENERAL,
            name="乙",
            designated_on=dt.date(2022, 7, 1),
            ceased_on=dt.date(2022, 1, 1),
        )
    # two vice-presidents at once are fine; the same one twice is not
    for name in ("丙", "丁"):
        services.seat_designate(
            actor=staff.officer,
            body=body,
            position=Position.VICE_PRESIDENT,
            name=name,
            designated_on=dt.date(2021, 1, 1),
        )
    with pytest.raises(Conflict):
        services.seat_designate(
            actor=staff.officer,
            body=body,
            position=Position.VICE_PRESIDENT,
            name="丙",
            designated_on=dt.date(2023, 1, 1),
        )
    assert Seat.objects.count() == 3
    assert Body.objects.count() == 1


# --- cadres ---------------------------------------------------------------------------------------------------


def test_turnover_per_branch_per_year(tree, staff):
    CadreFactory(org_unit=tree.town_a, appointed_on=dt.date(2020, 1, 1))
    CadreFactory(org_unit=tree.town_a, appointed_on=dt.date(2021, 1, 1), left_on=dt.date(2025, 6, 30))
    CadreFactory(org_unit=tree.village_a, appointed_on=dt.date(2025, 7, 1), employment=Employment.PART_TIME)
    CadreFactory(org_unit=tree.town_b, appointed_on=dt.date(2019, 1, 1))
    rows = {
        t.name: (t.at_start, t.appointed, t.left, t.rate)
        for t in selectors.cadre_turnover(actor=staff.officer, unit=tree.county, year=2025)
    }
    assert rows == {"甲镇": (2, 1, 1, 50.0), "乙镇": (1, 0, 0, 0.0), "仁化县": (3, 1, 1, 33.3)}


def test_a_township_without_a_full_time_cadre_is_on_its_countys_work_queue(tree, staff):
    from guanhuai.core.work import items_for

    CadreFactory(org_unit=tree.town_a, employment=Employment.FULL_TIME)
    CadreFactory(org_unit=tree.town_b, employment=Employment.PART_TIME)
    vacant = list(
        selectors.townships_without_full_time_cadre(actor=staff.officer, perm="association.manage_cadres")
    )
    assert vacant == [tree.town_b]
    item = next(i for i in items_for(staff.officer) if i.key == "association.township_without_cadre")
    assert item.count == 1
    # a village chair has no such tile
    assert "association.township_without_cadre" not in {i.key for i in items_for(staff.chair_a)}


def test_a_lapsed_member_who_re_registers_late_is_active_again_with_the_same_card(tree, staff, client):
    member = MemberFactory(
        org_unit=tree.village_a, status=MemberStatus.LAPSED, ended_on=dt.date(2025, 12, 31)
    )
    client.force_login(staff.chair_a)
    response = client.post(f"/association/members/{member.pk}/reinstate/", follow=True)
    assert "已恢复" in response.content.decode()
    member.refresh_from_db()
    assert (member.status, member.ended_on, member.card_no.startswith("M")) == (
        MemberStatus.ACTIVE,
        None,
        True,
    )
    # a second time is refused with a message, nothing changes
    response = client.post(f"/association/members/{member.pk}/reinstate/", follow=True)
    assert "不能变为" in response.content.decode()
