"""Part 1 over the API: scoped lists and objects, refusals as 4xx with a code, nothing changed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association.models import Member, Seat
from guanhuai.association.tests.factories import MemberFactory


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.town_a, username="xiehui_a")


def test_member_list_and_object_are_scoped(client, tree, officer):
    mine = MemberFactory(org_unit=tree.village_a)
    theirs = MemberFactory(org_unit=tree.village_b)
    client.force_login(officer)
    body = client.get("/api/v1/association/members").json()
    assert (body["count"], [m["id"] for m in body["items"]]) == (1, [mine.pk])
    assert client.get(f"/api/v1/association/members/{theirs.pk}").status_code == 404
    assert client.get("/api/v1/association/members/987654321").status_code == 404


def test_member_create_then_a_second_active_membership_is_a_409(client, tree, officer):
    client.force_login(officer)
    created = client.post(
        "/api/v1/association/members",
        {"org_unit_id": tree.village_a.pk, "name": "张三", "joined_on": "2025-05-29"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["card_no"] == "440224100001-000001"
    out_of_scope = client.post(
        "/api/v1/association/members",
        {"org_unit_id": tree.village_b.pk, "name": "李四", "joined_on": "2025-05-29"},
        content_type="application/json",
    )
    assert (out_of_scope.status_code, out_of_scope.json()["code"]) == (422, "unknown_unit")
    # a registry person joins once; the second active membership in the same branch is a 409
    from guanhuai.registry.tests.factories import family

    person = family(
        user_with_role("village_clerk", tree.village_a, username="clerk_api"), tree.village_a
    ).members.first()
    body = {"org_unit_id": tree.village_a.pk, "person_id": person.pk, "joined_on": "2025-05-29"}
    assert (
        client.post("/api/v1/association/members", body, content_type="application/json").status_code == 201
    )
    again = client.post("/api/v1/association/members", body, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "already_member")
    assert Member.objects.count() == 2


def test_a_seat_ceased_before_its_designation_is_a_422_and_writes_nothing(client, tree, officer):
    client.force_login(officer)
    body = client.post(
        "/api/v1/association/bodies",
        {"org_unit_id": tree.town_a.pk, "kind": "council", "started_on": "2021-03-01"},
        content_type="application/json",
    ).json()
    refused = client.post(
        f"/api/v1/association/bodies/{body['id']}/seats",
        {"position": "president", "name": "陈", "designated_on": "2022-01-01", "ceased_on": "2021-12-31"},
        content_type="application/json",
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "ceased_on")
    assert not Seat.objects.exists()
    turnover = client.get(
        f"/api/v1/association/cadres/turnover?unit_id={tree.town_a.pk}&year={timezone.localdate().year}"
    )
    assert turnover.status_code == 200 and turnover.json()[-1]["name"] == "甲镇"


def test_a_village_confirms_through_the_api_and_a_member_off_its_roll_is_a_422(
    client, tree, officer, django_capture_on_commit_callbacks
):
    from guanhuai.association import services
    from guanhuai.association.models import CampaignEntry

    a = MemberFactory(org_unit=tree.village_a)
    b = MemberFactory(org_unit=tree.community_a)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.campaign_open(
            actor=officer,
            org_unit=tree.town_a,
            title="再登记",
            opened_on=timezone.localdate(),
            deadline=timezone.localdate(),
        )
    chair = user_with_role("village_clerk", tree.village_a, username="chair_api")
    client.force_login(chair)
    detail = client.get(f"/api/v1/association/campaigns/{campaign.pk}").json()
    assert [(v["name"], v["on_roll"], v["confirmed"]) for v in detail["villages"]] == [("甲村", 1, 0)]
    refused = client.post(
        f"/api/v1/association/campaigns/{campaign.pk}/confirm",
        {"unit_id": tree.village_a.pk, "member_ids": [a.pk, b.pk]},
        content_type="application/json",
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "members")
    assert not CampaignEntry.objects.filter(confirmed_at__isnull=False).exists()
    done = client.post(
        f"/api/v1/association/campaigns/{campaign.pk}/confirm",
        {"unit_id": tree.village_a.pk, "member_ids": [a.pk]},
        content_type="application/json",
    )
    assert done.json() == {"confirmed": 1}
