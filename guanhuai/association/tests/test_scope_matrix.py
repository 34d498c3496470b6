"""The association's scope matrix: for each role on a branch, which of two villages' records it reaches through
every list, export and API endpoint of the association (issue 12).

甲村 (in 甲镇) and 乙村 (in 乙镇) each hold one of everything: a member and a lapsed one, a member group, a
council term with a seat, a cadre, a registration, a Members' Day event, a re-registration campaign, a
volunteer team with a volunteer, a joint meeting, a delegated task, a trainer, and a bereaved family with a
visit whose follow-up is overdue and owned by the township's officer.

The convention (docs/scoping.md): an object out of scope is the same 404 as a missing one; a list simply leaves
it out (an empty list, not a 404); a branch named in the query or the body that is out of scope is a 422
`unknown_unit` about that input. A write out of scope changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import services
from guanhuai.association.models import (
    Cadre,
    Campaign,
    Member,
    MemberGroup,
    MembersDayEvent,
    Registration,
    Seat,
)
from guanhuai.association.models_care import VolunteerTeam
from guanhuai.association.states import CampaignStatus, MemberStatus
from guanhuai.association.tests.factories import CadreFactory, MemberFactory
from guanhuai.registry.services import death_record
from guanhuai.registry.tests.factories import family

TODAY = timezone.localdate()
DAY = dt.date(2025, 1, 1)


def _branch(staff, village, clerk, owner, tag):
    """One of everything in `village`, written through the services by the county's officer."""
    bereaved = family(clerk, village, children=1)
    death_record(
        actor=clerk, person=bereaved.members.get(relation_to_head="child"), occurred_on=dt.date(2020, 3, 1)
    )
    body = services.body_term_open(
        actor=staff, org_unit=village, kind="council", started_on=dt.date(2021, 3, 1)
    )
    team = services.volunteer_team_create(actor=staff, org_unit=village, name=f"{tag}志愿队")
    visit = services.visit_record(
        actor=staff,
        household=bereaved,
        visited_on=DAY,
        visitors="走访组",
        kind="routine",
        follow_ups=[(f"{tag}跟进", owner, DAY + dt.timedelta(days=9))],
    )
    return SimpleNamespace(
        unit=village,
        member=MemberFactory(org_unit=village, name=f"{tag}会员"),
        lapsed=MemberFactory(
            org_unit=village, name=f"{tag}逾期", status=MemberStatus.LAPSED, ended_on=dt.date(2025, 6, 30)
        ),
        group=services.member_group_create(actor=staff, org_unit=village, name=f"{tag}小组"),
        body=body,
        seat=services.seat_designate(
            actor=staff, body=body, position="president", name=f"{tag}会长", designated_on=dt.date(2021, 3, 1)
        ),
        cadre=CadreFactory(org_unit=village, name=f"{tag}专干"),
        registration=Registration.objects.create(org_unit=village, address=f"{tag}村委会"),
        event=services.members_day_record(
            actor=staff, org_unit=village, held_on=DAY, kind="health", title=f"{tag}义诊", participants=30
        ),
        campaign=services.campaign_open(
            actor=staff,
            org_unit=village,
            title=f"{tag}再登记",
            opened_on=TODAY - dt.timedelta(days=30),
            deadline=TODAY,
        ),
        team=team,
        volunteer=services.volunteer_add(
            actor=staff, org_unit=village, name=f"{tag}志愿者", joined_on=DAY, team=team
        ),
        meeting=services.meeting_record(
            actor=staff, org_unit=village, held_on=DAY, title=f"{tag}联席会议", attendees="协会、卫健办"
        ),
        task=services.delegated_task_create(
            actor=staff,
            org_unit=village,
            title=f"{tag}承接事项",
            agreement="协议",
            agreed_on=DAY,
            due_on=DAY + dt.timedelta(days=90),
            deliverables="台账",
        ),
        trainer=services.trainer_create(
            actor=staff, org_unit=village, kind="youth_health", name=f"{tag}培训师", qualified_on=DAY
        ),
        household=bereaved,
        visit=visit,
        follow_up=visit.follow_ups.get(),
        owner=owner,
    )


@pytest.fixture
def world(tree):
    users = {
        "officer_a": user_with_role("association_officer", tree.town_a, username="xiehui_a"),
        "officer_b": user_with_role("association_officer", tree.town_b, username="xiehui_b"),
        "county": user_with_role("association_officer", tree.county, username="xiehui_county"),
        "other_county": user_with_role("association_officer", tree.other_county, username="xiehui_sx"),
        "clerk_a": user_with_role("village_clerk", tree.village_a, username="clerk_a"),
        "treasurer": user_with_role("finance_officer", tree.county, username="caiwu"),
    }
    clerk_b = user_with_role("village_clerk", tree.village_b, username="clerk_b")
    return SimpleNamespace(
        users=users,
        a=_branch(users["county"], tree.village_a, users["clerk_a"], users["officer_a"], "甲村"),
        b=_branch(users["county"], tree.village_b, clerk_b, users["officer_b"], "乙村"),
    )


# who → the villages whose records they reach. The village's clerk keeps its members and volunteers but not its
# registration, bodies or cadres; the county's treasurer holds no association permission at all.
MATRIX = [
    ("officer_a", "a"),
    ("officer_b", "b"),
    ("county", "ab"),
    ("other_county", ""),
    ("clerk_a", "a"),
    ("treasurer", ""),
]
MANAGES_BRANCHES = {"officer_a", "officer_b", "county", "other_county"}
VIEWS_ASSOCIATION = {"officer_a", "officer_b", "county", "other_county", "clerk_a"}


def _listed(client, path, key="id", **params):
    response = client.get(path, limit=200, **params)
    assert response.status_code == 200, (path, response.data)
    return {row[key] for row in response.data["items"]}


@pytest.mark.parametrize(("who", "sees"), MATRIX)
def test_the_api_reads_by_scope(api, world, who, sees):
    user = world.users[who]
    client = api(user)
    seen = [getattr(world, x) for x in sees]
    # lists leave out what is out of scope
    lists = {
        "/association/members": lambda b: {b.member.pk, b.lapsed.pk},
        "/association/cadres": lambda b: {b.cadre.pk},
        "/association/campaigns": lambda b: {b.campaign.pk},
        "/association/members-day": lambda b: {b.event.pk},
        "/association/volunteer-teams": lambda b: {b.team.pk},
        "/association/volunteers": lambda b: {b.volunteer.pk},
        "/association/meetings": lambda b: {b.meeting.pk},
        "/association/delegated-tasks": lambda b: {b.task.pk},
        "/association/courses/trainers": lambda b: {b.trainer.pk},
    }
    for path, ids in lists.items():
        assert _listed(client, path) == set().union(*[ids(b) for b in seen]), path
    assert _listed(client, "/association/care/gaps", key="household_id", gap="any") == {
        b.household.pk for b in seen
    }
    # my follow-ups: only those the caller owns, within scope
    assert _listed(client, "/association/care/follow-ups/mine") == {
        b.follow_up.pk for b in seen if b.owner == user
    }

    for name in ("a", "b"):
        b = getattr(world, name)
        visible = name in sees
        # an object out of scope is the 404 of a missing one
        for path in (
            f"/association/members/{b.member.pk}",
            f"/association/member-groups/{b.group.pk}",
            f"/association/bodies/{b.body.pk}",
            f"/association/campaigns/{b.campaign.pk}",
            f"/association/units/{b.unit.pk}/registration",
            f"/association/care/families/{b.household.pk}/arrangements",
            f"/association/care/visits/{b.visit.pk}",
            f"/association/meetings/{b.meeting.pk}",
        ):
            assert client.get(path).status_code == (200 if visible else 404), path
        # a branch named in the query out of scope is a 422 about that input; in scope, its rows are listed
        by_unit = {
            "/association/members": {b.member.pk, b.lapsed.pk},
            "/association/cadres": {b.cadre.pk},
            "/association/bodies": {b.body.pk},
            "/association/member-groups": {b.group.pk},
            "/association/members-day": {b.event.pk},
        }
        for path, ids in by_unit.items():
            response = client.get(path, unit_id=b.unit.pk)
            if visible:
                assert {row["id"] for row in response.data["items"]} == ids, path
            else:
                assert (response.status_code, response.data["code"]) == (422, "unknown_unit"), path
        turnover = client.get("/association/cadres/turnover", unit_id=b.unit.pk, year=TODAY.year)
        assert turnover.status_code == (200 if visible else 422)


def _xlsx_rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1:]


@pytest.mark.parametrize(("who", "sees"), MATRIX)
def test_the_pages_and_exports_by_scope(client, world, who, sees):
    client.force_login(world.users[who])
    seen = [getattr(world, x) for x in sees]
    names = {n for b in seen for n in (b.member.name, b.lapsed.name)}
    page = client.get("/association/members/")
    export = client.post("/association/members/export/")
    if who not in VIEWS_ASSOCIATION:
        assert (page.status_code, export.status_code) == (404, 404)
    else:
        text = page.content.decode()
        assert {n for n in ("甲村会员", "乙村会员", "甲村逾期", "乙村逾期") if n in text} == names
        assert {row[1] for row in _xlsx_rows(export)} == names
    gaps = client.post("/association/care/gaps/export/?gap=any")
    if who == "treasurer":
        assert gaps.status_code == 404
    else:
        # masked heads, one row per bereaved family in scope
        assert len(_xlsx_rows(gaps)) == len(seen)


@pytest.mark.parametrize(("who", "sees"), MATRIX)
def test_the_new_writes_by_scope(api, world, who, sees):
    client = api(world.users[who])
    for name in ("a", "b"):
        b = getattr(world, name)
        unit = b.unit.pk
        if name not in sees:
            # out of scope: the 404 of a missing object, or a 422 about the branch in the body; nothing changes
            assert client._call("put", f"/association/units/{unit}/registration", body={}).status_code == 404
            assert (
                client.post(f"/association/seats/{b.seat.pk}/cease", {"ceased_on": "2024-03-01"}).status_code
                == 404
            )
            assert (
                client.post(
                    f"/association/cadres/{b.cadre.pk}/leave", {"left_on": TODAY.isoformat()}
                ).status_code
                == 404
            )
            assert client.post(f"/association/members/{b.lapsed.pk}/reinstate").status_code == 404
            assert client.post(f"/association/campaigns/{b.campaign.pk}/close").status_code == 404
            for path, body in _creates(b).items():
                response = client.post(path, body)
                assert (response.status_code, response.data["code"]) == (422, "unknown_unit"), path
            assert Seat.objects.get(pk=b.seat.pk).ceased_on is None
            assert Cadre.objects.get(pk=b.cadre.pk).left_on is None
            assert Member.objects.get(pk=b.lapsed.pk).status == MemberStatus.LAPSED
            assert Campaign.objects.get(pk=b.campaign.pk).status == CampaignStatus.PREPARING
            assert Registration.objects.get(org_unit=b.unit).address == f"{b.unit.name}村委会"
            continue
        manages = who in MANAGES_BRANCHES
        cease = client.post(f"/association/seats/{b.seat.pk}/cease", {"ceased_on": "2024-03-01"})
        assert cease.status_code == (200 if manages else 403)
        leave = client.post(f"/association/cadres/{b.cadre.pk}/leave", {"left_on": TODAY.isoformat()})
        assert leave.status_code == (200 if manages else 403)
        if not manages:
            # the registration save itself runs in test_more_api.py (its service trips the scope guard)
            registration = client._call("put", f"/association/units/{unit}/registration", body={})
            assert registration.status_code == 403
        # members and volunteers: the village's clerk keeps them too
        assert client.post(f"/association/members/{b.lapsed.pk}/reinstate").status_code == 200
        for path, body in _creates(b).items():
            expected = (422, "title") if path == "/association/campaigns" else (201, None)
            response = client.post(path, body)
            assert (response.status_code, response.data.get("code")) == expected, path
        close = client.post(f"/association/campaigns/{b.campaign.pk}/close")
        assert (close.status_code, close.data["code"]) == (422, "deadline")


def _creates(b):
    """The new creates naming branch `b` in their body. A campaign over it is already running (a 422 `title`
    in scope)."""
    unit = b.unit.pk
    return {
        "/association/members-day": {
            "org_unit_id": unit,
            "held_on": DAY.isoformat(),
            "kind": "publicity",
            "title": "宣传咨询",
            "participants": 5,
        },
        "/association/member-groups": {"org_unit_id": unit, "name": "新小组"},
        "/association/volunteer-teams": {"org_unit_id": unit, "name": "新志愿队"},
        "/association/campaigns": {
            "org_unit_id": unit,
            "title": "又一次再登记",
            "opened_on": TODAY.isoformat(),
            "deadline": TODAY.isoformat(),
        },
    }


def test_the_out_of_scope_creates_wrote_nothing(api, world):
    # given the other county's officer, who reaches neither village
    client = api(world.users["other_county"])
    before = (MembersDayEvent.objects.count(), MemberGroup.objects.count(), VolunteerTeam.objects.count())
    for b in (world.a, world.b):
        for path, body in _creates(b).items():
            assert client.post(path, body).status_code == 422
    assert (
        MembersDayEvent.objects.count(),
        MemberGroup.objects.count(),
        VolunteerTeam.objects.count(),
    ) == before
    assert Campaign.objects.count() == 2
