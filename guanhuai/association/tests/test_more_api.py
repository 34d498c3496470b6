"""What the pages can do, over the API too: each endpoint added for issue 12 with its bad input answered by the
documented code and changing nothing (the scope of each is in test_scope_matrix.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import services
from guanhuai.association.models import (
    Campaign,
    Member,
    MemberGroup,
    MembersDayEvent,
    Registration,
    Seat,
    VolunteerTeam,
)
from guanhuai.association.services.campaigns import CAMPAIGN_CLOSE
from guanhuai.association.states import CampaignStatus, MemberStatus
from guanhuai.association.tests.factories import CadreFactory, MemberFactory
from guanhuai.audit.models import AuditEntry
from guanhuai.jobs.models import Job

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.town_a, username="xiehui_a")


@pytest.fixture
def chair(tree):
    """甲村's clerk, who chairs its association: sees the village's branch, keeps its members, but does not
    manage its registration, bodies or cadres."""
    return user_with_role("village_clerk", tree.village_a, username="chair_a")


def test_a_registration_is_read_empty_then_as_saved_and_is_scoped(api, tree, officer, chair):
    client = api(officer)
    url = f"/association/units/{tree.town_a.pk}/registration"
    empty = client.get(url)
    assert empty.status_code == 200
    assert (empty.data["org_unit_id"], empty.data["address"], empty.data["updated_at"]) == (
        tree.town_a.pk,
        "",
        None,
    )
    Registration.objects.create(
        org_unit=tree.town_a, address="甲镇政府大院", legal_person=True, legal_representative="陈会长"
    )
    saved = client.get(url).data
    assert (saved["address"], saved["legal_representative"]) == ("甲镇政府大院", "陈会长")
    assert saved["updated_at"] is not None

    # the village's chair may read a registration in scope but not change it; another township gets a 404
    assert api(chair).get(f"/association/units/{tree.village_a.pk}/registration").status_code == 200
    forbidden = api(chair)._call("put", f"/association/units/{tree.village_a.pk}/registration", body={})
    assert (forbidden.status_code, forbidden.data["code"]) == (403, "permission_denied")
    assert not Registration.objects.filter(org_unit=tree.village_a).exists()
    assert client.get(f"/association/units/{tree.town_b.pk}/registration").status_code == 404
    hidden = client._call("put", f"/association/units/{tree.town_b.pk}/registration", body={})
    assert hidden.status_code == 404


def test_a_registration_is_saved_whole_and_bad_input_changes_nothing(api, tree, officer):
    client = api(officer)
    url = f"/association/units/{tree.town_a.pk}/registration"
    # given a legal person without its representative: refused, nothing saved
    refused = client._call("put", url, body={"legal_person": True, "address": "甲镇政府大院"})
    assert (refused.status_code, refused.data["code"]) == (422, "legal_representative")
    assert not Registration.objects.exists()
    backwards = client._call(
        "put", url, body={"founded_on": "2010-05-01", "charter_adopted_on": "2009-01-01"}
    )
    assert (backwards.status_code, backwards.data["code"]) == (422, "charter_adopted_on")
    assert not Registration.objects.exists()

    saved = client._call(
        "put",
        url,
        body={
            "founded_on": "2010-05-01",
            "legal_person": True,
            "legal_representative": "陈会长",
            "address": "甲镇政府大院",
            "contact_name": "李专干",
            "contact_phone": "0751-1234567",
            "charter_version": "2021年修订",
            "charter_adopted_on": "2021-03-01",
        },
    )
    assert saved.status_code == 200
    assert client.get(url).data["legal_representative"] == "陈会长"
    assert AuditEntry.objects.filter(action="association.registration.saved").count() == 1
    # a field left out of the PUT is saved empty, as the page's form saves it
    again = client._call("put", url, body={"founded_on": "2010-05-01"})
    assert (again.data["legal_person"], again.data["address"]) == (False, "")


def test_a_seat_ceases_once_and_not_before_its_designation(api, tree, officer):
    body = services.body_term_open(
        actor=officer, org_unit=tree.town_a, kind="council", started_on=dt.date(2021, 3, 1)
    )
    seat = services.seat_designate(
        actor=officer, body=body, position="president", name="陈", designated_on=dt.date(2021, 3, 1)
    )
    client = api(officer)
    early = client.post(f"/association/seats/{seat.pk}/cease", {"ceased_on": "2021-02-28"})
    assert (early.status_code, early.data["code"]) == (422, "ceased_on")
    assert Seat.objects.get(pk=seat.pk).ceased_on is None

    done = client.post(f"/association/seats/{seat.pk}/cease", {"ceased_on": "2024-03-01"})
    assert (done.status_code, done.data["ceased_on"]) == (200, "2024-03-01")
    twice = client.post(f"/association/seats/{seat.pk}/cease", {"ceased_on": "2024-04-01"})
    assert twice.status_code == 409
    assert Seat.objects.get(pk=seat.pk).ceased_on == dt.date(2024, 3, 1)
    assert client.get(f"/association/bodies/{body.pk}").data["seats"][0]["ceased_on"] == "2024-03-01"


def test_a_cadre_leaves_once_and_the_turnover_counts_it(api, tree, officer):
    cadre = CadreFactory(org_unit=tree.village_a, appointed_on=dt.date(2023, 1, 1))
    client = api(officer)
    before = client.post(f"/association/cadres/{cadre.pk}/leave", {"left_on": "2022-12-31"})
    assert (before.status_code, before.data["code"]) == (422, "left_on")
    future = client.post(
        f"/association/cadres/{cadre.pk}/leave", {"left_on": (TODAY + dt.timedelta(days=1)).isoformat()}
    )
    assert (future.status_code, future.data["code"]) == (422, "left_on")
    cadre.refresh_from_db()
    assert cadre.left_on is None

    left = client.post(
        f"/association/cadres/{cadre.pk}/leave", {"left_on": TODAY.isoformat(), "reason": "调任"}
    )
    assert (left.status_code, left.data["left_on"]) == (200, TODAY.isoformat())
    assert (
        client.post(f"/association/cadres/{cadre.pk}/leave", {"left_on": TODAY.isoformat()}).status_code
        == 409
    )
    assert client.get("/association/cadres").data["count"] == 0  # no longer in post
    turnover = client.get("/association/cadres/turnover", unit_id=tree.town_a.pk, year=TODAY.year).data
    assert turnover[-1]["left"] == 1


def test_only_a_lapsed_member_is_reinstated(api, tree, officer):
    active = MemberFactory(org_unit=tree.village_a)
    lapsed = MemberFactory(org_unit=tree.village_a, status=MemberStatus.LAPSED, ended_on=dt.date(2025, 6, 30))
    client = api(officer)
    refused = client.post(f"/association/members/{active.pk}/reinstate")
    assert (refused.status_code, refused.data["code"]) == (409, "invalid_transition")

    back = client.post(f"/association/members/{lapsed.pk}/reinstate")
    assert back.status_code == 200
    assert (back.data["status"], back.data["ended_on"], back.data["card_no"]) == (
        "active",
        None,
        lapsed.card_no,
    )
    assert Member.objects.get(pk=lapsed.pk).status == MemberStatus.ACTIVE
    assert client.post(f"/association/members/{lapsed.pk}/reinstate").status_code == 409


def test_a_member_group_is_created_with_its_leader_and_bad_leaders_are_refused(api, tree, officer):
    leader = MemberFactory(org_unit=tree.village_a, name="组长甲")
    elsewhere = MemberFactory(org_unit=tree.community_a)
    out_of_scope = MemberFactory(org_unit=tree.village_b)
    client = api(officer)
    body = {"org_unit_id": tree.village_a.pk, "name": "第一小组"}

    wrong_branch = client.post("/association/member-groups", {**body, "leader_id": elsewhere.pk})
    assert (wrong_branch.status_code, wrong_branch.data["code"]) == (422, "leader")
    hidden = client.post("/association/member-groups", {**body, "leader_id": out_of_scope.pk})
    assert (hidden.status_code, hidden.data["code"]) == (422, "unknown_member")
    other_unit = client.post("/association/member-groups", {**body, "org_unit_id": tree.village_b.pk})
    assert (other_unit.status_code, other_unit.data["code"]) == (422, "unknown_unit")
    assert not MemberGroup.objects.exists()

    created = client.post("/association/member-groups", {**body, "leader_id": leader.pk})
    assert created.status_code == 201
    assert (created.data["name"], created.data["leader_name"]) == ("第一小组", "组长甲")
    assert Member.objects.get(pk=leader.pk).group_id == created.data["id"]
    duplicate = client.post("/association/member-groups", body)
    assert (duplicate.status_code, duplicate.data["code"]) == (409, "name")
    assert MemberGroup.objects.count() == 1


def test_members_day_is_recorded_and_listed_and_a_future_day_is_refused(api, tree, officer, chair):
    client = api(chair)
    body = {
        "org_unit_id": tree.village_a.pk,
        "held_on": "2025-05-29",
        "kind": "health",
        "title": "5·29健康义诊",
        "participants": 120,
    }
    future = client.post(
        "/association/members-day", {**body, "held_on": (TODAY + dt.timedelta(days=1)).isoformat()}
    )
    assert (future.status_code, future.data["code"]) == (422, "held_on")
    negative = client.post("/association/members-day", {**body, "participants": -1})
    assert negative.status_code == 422
    unknown_kind = client.post("/association/members-day", {**body, "kind": "parade"})
    assert unknown_kind.status_code == 422
    assert not MembersDayEvent.objects.exists()

    created = client.post("/association/members-day", body)
    assert created.status_code == 201
    assert (created.data["org_unit_name"], created.data["participants"]) == ("甲村", 120)
    listed = api(officer).get("/association/members-day", unit_id=tree.village_a.pk).data
    assert [e["id"] for e in listed["items"]] == [created.data["id"]]
    assert api(officer).get("/association/members-day", unit_id=tree.village_b.pk).status_code == 422


def test_a_campaign_is_opened_then_closed_once_with_one_job(
    api, tree, officer, chair, django_capture_on_commit_callbacks
):
    MemberFactory(org_unit=tree.village_a)
    client = api(officer)
    body = {
        "org_unit_id": tree.town_a.pk,
        "title": "2026年会员再登记",
        "opened_on": (TODAY - dt.timedelta(days=30)).isoformat(),
    }
    backwards = client.post("/association/campaigns", {**body, "deadline": YESTERDAY.isoformat()})
    assert (backwards.status_code, backwards.data["code"]) == (422, "deadline")
    assert not Campaign.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        opened = client.post("/association/campaigns", {**body, "deadline": TODAY.isoformat()})
    assert opened.status_code == 201
    campaign = Campaign.objects.get()
    assert (campaign.status, opened.data["org_unit_id"]) == (CampaignStatus.OPEN, tree.town_a.pk)
    overlapping = client.post(
        "/association/campaigns", {**body, "org_unit_id": tree.village_a.pk, "deadline": TODAY.isoformat()}
    )
    assert (overlapping.status_code, overlapping.data["code"]) == (422, "title")

    url = f"/association/campaigns/{campaign.pk}/close"
    early = client.post(url)
    assert (early.status_code, early.data["code"]) == (422, "deadline")
    Campaign.objects.filter(pk=campaign.pk).update(deadline=YESTERDAY)
    # the village's chair reads the township's campaign (it covers the village) but its branch is not in the
    # chair's scope: closing it is the 404 of scoping.require, and changes nothing
    assert api(chair).get(f"/association/campaigns/{campaign.pk}").status_code == 200
    assert api(chair).post(url).status_code == 404
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.OPEN

    closing = client.post(url)
    assert closing.status_code == 202
    assert (closing.data["kind"], closing.data["status"]) == (CAMPAIGN_CLOSE, "queued")
    twice = client.post(url)
    assert (twice.status_code, twice.data["code"]) == (409, "invalid_transition")
    assert Job.objects.filter(kind=CAMPAIGN_CLOSE).count() == 1
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSING

    # the job closes it; closing a closed campaign is a 409 too, and queues nothing
    services.campaign_lapse(actor=officer, campaign=campaign)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED
    assert client.post(url).status_code == 409
    assert Job.objects.filter(kind=CAMPAIGN_CLOSE).count() == 1


def test_a_volunteer_team_is_created_once_and_takes_volunteers(api, tree, officer):
    client = api(officer)
    body = {
        "org_unit_id": tree.town_a.pk,
        "name": "甲镇青春健康志愿队",
        "leader": "周队长",
        "founded_on": "2024-03-05",
    }
    created = client.post("/association/volunteer-teams", body)
    assert created.status_code == 201
    duplicate = client.post("/association/volunteer-teams", body)
    assert (duplicate.status_code, duplicate.data["code"]) == (422, "name")
    other = client.post("/association/volunteer-teams", {**body, "org_unit_id": tree.town_b.pk})
    assert (other.status_code, other.data["code"]) == (422, "unknown_unit")
    assert VolunteerTeam.objects.count() == 1
    assert [t["id"] for t in client.get("/association/volunteer-teams").data["items"]] == [created.data["id"]]
    joined = client.post(
        "/association/volunteers",
        {
            "org_unit_id": tree.village_a.pk,
            "name": "志愿者甲",
            "joined_on": "2024-04-01",
            "team_id": created.data["id"],
        },
    )
    assert (joined.status_code, joined.data["team_id"]) == (201, created.data["id"])


def test_my_follow_ups_are_my_own_overdue_ones(api, people, care):
    services.visit_record(
        actor=care.officer,
        household=care.bereaved,
        visited_on=dt.date(2025, 1, 1),
        visitors="赵专干",
        kind="routine",
        follow_ups=[
            ("联系家庭医生", care.officer, dt.date(2025, 1, 10)),  # mine, overdue
            ("申请临时救助", care.officer, TODAY + dt.timedelta(days=30)),  # mine, not yet due
            ("复查住房", people.reviewer_a, dt.date(2025, 1, 10)),  # someone else's
        ],
    )
    mine = api(care.officer).get("/association/care/follow-ups/mine")
    assert mine.status_code == 200
    assert [(f["action"], f["village"], f["household_id"]) for f in mine.data["items"]] == [
        ("联系家庭医生", "甲村", care.bereaved.pk)
    ]
    theirs = api(people.reviewer_a).get("/association/care/follow-ups/mine").data["items"]
    assert [f["action"] for f in theirs] == ["复查住房"]
    assert api(care.officer_b).get("/association/care/follow-ups/mine").data["count"] == 0
    # done, it leaves the list
    done = api(care.officer).post(
        f"/association/care/follow-ups/{mine.data['items'][0]['id']}/done", {"note": "已签约"}
    )
    assert done.status_code == 200
    assert api(care.officer).get("/association/care/follow-ups/mine").data["count"] == 0


# --- under the scope guard, as every request in the tests: the services re-read their row unscoped, on purpose ---


def test_a_registration_is_saved_under_the_scope_guard(api, tree, officer):
    saved = api(officer)._call(
        "put", f"/association/units/{tree.town_a.pk}/registration", body={"address": "甲镇政府大院"}
    )
    assert saved.status_code == 200


def test_a_campaign_is_closed_under_the_scope_guard(api, tree, officer):
    campaign = Campaign.objects.create(
        org_unit=tree.town_a,
        title="再登记",
        opened_on=TODAY - dt.timedelta(days=30),
        deadline=YESTERDAY,
        status=CampaignStatus.OPEN,
        created_by=officer,
    )
    assert api(officer).post(f"/association/campaigns/{campaign.pk}/close").status_code == 202
