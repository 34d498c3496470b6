"""The care, volunteer and meeting pages as their users meet them: a county sees its coverage and drills
down, a township officer pairs a liaison and records a visit from a phone-sized form, a bad date is shown on
the form and nothing is saved, and another township's officer gets the same 404 as for a missing family."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association.models import CareArrangement, FollowUp, JointMeeting, Visit
from guanhuai.audit.models import AuditEntry

TODAY = timezone.localdate()


def test_the_county_sees_its_coverage_and_the_family_in_the_gap_list(client, tree, care):
    client.force_login(care.county_officer)
    page = client.get("/association/care/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "仁化县" in text or tree.county.name in text
    assert tree.town_a.name in text
    gaps = client.get(f"/association/care/gaps/?unit={tree.county.pk}&gap=none").content.decode()
    # the head's name is masked in the list
    assert "王**" in gaps and "王建国" not in gaps
    assert f"/association/care/families/{care.bereaved.pk}/" in gaps


def test_an_officer_pairs_a_liaison_and_the_family_leaves_the_liaison_gaps(client, tree, care):
    client.force_login(care.officer)
    url = f"/association/care/families/{care.bereaved.pk}/add/liaison/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"liaison_level": "township", "cadre": care.cadre_town.pk, "starts_on": "2026-01-01"}
    )
    assert response.status_code == 302
    pairing = CareArrangement.objects.get()
    assert pairing.person_name == "赵专干"
    gaps = client.get(f"/association/care/gaps/?unit={tree.town_a.pk}&gap=liaison").content.decode()
    assert f"/association/care/families/{care.bereaved.pk}/" not in gaps


def test_an_end_before_the_start_is_shown_on_the_form_and_nothing_is_saved(client, care):
    client.force_login(care.officer)
    response = client.post(
        f"/association/care/families/{care.bereaved.pk}/add/doctor/",
        {
            "person_name": "孙医生",
            "institution": "甲镇卫生院",
            "starts_on": "2026-03-01",
            "ends_on": "2026-02-01",
        },
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not CareArrangement.objects.exists()


def test_a_visit_with_a_follow_up_is_recorded_and_its_page_is_audited(client, people, care):
    client.force_login(care.officer)
    response = client.post(
        f"/association/care/families/{care.bereaved.pk}/visits/new/",
        {
            "visited_on": (TODAY - dt.timedelta(days=3)).isoformat(),
            "kind": "festival",
            "visitors": "赵专干",
            "needs": "需要协助办理医保报销",
            "action_0": "联系医保站",
            "owner_0": people.clerk_a.pk,
            "due_0": (TODAY - dt.timedelta(days=1)).isoformat(),
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/association/care/visits/{visit.pk}/"
    assert FollowUp.objects.get().owner == people.clerk_a
    page = client.get(response["Location"]).content.decode()
    assert "需要协助办理医保报销" in page
    assert AuditEntry.objects.filter(action="association.visit.viewed", object_id=str(visit.pk)).exists()
    # the clerk finds it on the home page's queue and closes it
    client.force_login(people.clerk_a)
    assert "逾期的走访跟进" in client.get("/").content.decode()
    client.post(f"/association/care/follow-ups/{FollowUp.objects.get().pk}/done/", {"note": "已办"})
    assert FollowUp.objects.get().status == "done"


def test_a_half_filled_follow_up_row_is_refused_and_nothing_is_saved(client, people, care):
    client.force_login(care.officer)
    response = client.post(
        f"/association/care/families/{care.bereaved.pk}/visits/new/",
        {"visited_on": TODAY.isoformat(), "kind": "routine", "visitors": "赵专干", "action_0": "回访"},
    )
    assert response.status_code == 200
    assert "须一并填写" in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/association/care/families/{pk}/",
        "/association/care/families/{pk}/add/doctor/",
        "/association/care/families/{pk}/visits/new/",
    ],
)
def test_another_township_gets_the_404_of_a_missing_family(client, care, url):
    client.force_login(care.officer_b)
    assert client.get(url.format(pk=care.bereaved.pk)).status_code == 404
    assert client.get(url.format(pk=987654)).status_code == 404


def test_the_gap_export_is_post_only_masked_and_audited(client, tree, care):
    import io

    from openpyxl import load_workbook

    client.force_login(care.county_officer)
    url = f"/association/care/gaps/export/?unit={tree.county.pk}&gap=none"
    assert client.get(url).status_code == 405
    response = client.post(url)
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "王**"
    assert AuditEntry.objects.filter(action="association.care.exported").count() == 1


def test_a_joint_meeting_with_its_action_items(client, tree, care):
    client.force_login(care.county_officer)
    response = client.post(
        "/association/meetings/new/",
        {
            "org_unit": tree.county.pk,
            "held_on": TODAY.isoformat(),
            "title": "县卫健局、县计生协联席会议",
            "attendees": "县卫健局、县计生协",
            "action_0": "补齐联系人",
            "owner_0": "各镇计生协",
            "due_0": (TODAY + dt.timedelta(days=30)).isoformat(),
        },
    )
    meeting = JointMeeting.objects.get()
    assert response["Location"] == f"/association/meetings/{meeting.pk}/"
    action = meeting.actions.get()
    client.post(f"/association/meetings/actions/{action.pk}/close/", {"status": "done"})
    action.refresh_from_db()
    assert action.status == "done"
    # closing it again is refused with the state's words, and nothing changes
    response = client.post(
        f"/association/meetings/actions/{action.pk}/close/", {"status": "dropped"}, follow=True
    )
    assert "不能变为" in response.content.decode()


def test_overdue_action_items_and_delegated_tasks_reach_the_queue_and_are_marked(client, tree, care):
    from guanhuai.association import services
    from guanhuai.core.work import items_for

    def tiles(user):
        keys = ("association.meeting_actions_overdue", "association.delegated_overdue")
        return {i.key: i.count for i in items_for(user) if i.key in keys}

    week_ago = TODAY - dt.timedelta(days=7)
    meeting = services.meeting_record(
        actor=care.county_officer,
        org_unit=tree.county,
        held_on=TODAY - dt.timedelta(days=40),
        title="联席会议",
        attendees="县卫健局、县计生协",
        actions=[("补齐联系人", "各镇计生协", week_ago), ("开展走访", "甲镇", TODAY + dt.timedelta(days=7))],
    )
    task = services.delegated_task_create(
        actor=care.county_officer,
        org_unit=tree.county,
        title="家庭发展能力调查",
        agreement="购买服务协议",
        agreed_on=TODAY - dt.timedelta(days=60),
        due_on=week_ago,
        deliverables="调查报告",
    )
    # the county officer's queue has one late item and one late task; a township officer's has neither
    assert tiles(care.county_officer) == {
        "association.meeting_actions_overdue": 1,
        "association.delegated_overdue": 1,
    }
    assert tiles(care.officer_b) == {}
    client.force_login(care.county_officer)
    page = client.get("/association/meetings/").content.decode()
    assert "1 项逾期" in page and 'id="delegated"' in page
    # once the item is closed and the task delivered, both leave the queue
    services.action_item_close(
        actor=care.county_officer, item=meeting.actions.get(title="补齐联系人"), status="done"
    )
    services.delegated_task_move(actor=care.county_officer, task=task, status="delivered")
    assert tiles(care.county_officer) == {}


def test_a_volunteer_and_a_service_of_25_hours_is_refused(client, tree, care):
    client.force_login(care.officer)
    client.post(
        "/association/volunteers/new/",
        {"org_unit": tree.town_a.pk, "name": "周志愿", "joined_on": "2025-01-01"},
    )
    from guanhuai.association.models import Volunteer

    volunteer = Volunteer.objects.get()
    response = client.post(
        f"/association/volunteers/{volunteer.pk}/",
        {"served_on": TODAY.isoformat(), "hours": "25", "activity": "陪伴"},
    )
    assert response.status_code == 200 and not volunteer.services.exists()
    client.post(
        f"/association/volunteers/{volunteer.pk}/",
        {"served_on": TODAY.isoformat(), "hours": "3", "activity": "陪伴"},
    )
    assert volunteer.services.get().hours == 3


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_coverage_and_gap_pages_do_not_query_per_family(client, tree, people, care):
    from guanhuai.registry.services import death_record
    from guanhuai.registry.tests.factories import family

    client.force_login(care.county_officer)
    pages = ["/association/care/", f"/association/care/gaps/?unit={tree.county.pk}&gap=any"]
    client.get("/")  # the session's first request writes its refresh time
    small = [_queries(client, url) for url in pages]
    # given four more special families, in two villages
    clerk = user_with_role("village_clerk", tree.town_a, username="clerk_town_a")
    for i, village in enumerate([tree.village_a, tree.community_a, tree.village_a, tree.community_a]):
        household = family(clerk, village, children=1, address=f"新村{i}号")
        death_record(actor=clerk, person=household.members.get(relation_to_head="child"), occurred_on=TODAY)
    # then the pages ask the database the same number of times
    assert [_queries(client, url) for url in pages] == small
