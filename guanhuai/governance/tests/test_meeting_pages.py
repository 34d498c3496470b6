"""The clerk's meeting pages and the meetings' API: the meeting from roll to minutes, sign-in by code and by
search with the quorum banner (htmx), refusals shown where the clerk is, the scope of every page and call."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from guanhuai.core.testing import assert_queries_flat
from guanhuai.governance import services
from guanhuai.governance.models import RollEntry, TallyEntry
from guanhuai.governance.states import MeetingStatus, MotionStatus
from guanhuai.governance.tests.factories import MeetingFactory, adults


def _meeting(tree, people, n=4, *, unit=None):
    adults(unit or tree.village_a, n)
    return MeetingFactory(
        unit=unit or tree.village_a,
        created_by=people.clerk_a,
        scheduled_at=timezone.now() + dt.timedelta(days=12),
    )


def test_a_clerk_runs_a_meeting_through_its_pages(client, tree, people):
    meeting = _meeting(tree, people)
    client.force_login(people.clerk_a)
    url = f"/governance/meetings/{meeting.pk}/"
    client.post(f"{url}roll/")
    page = client.get(url).content.decode()
    assert "应到 4 人，2 户" in page and "本村十八周岁以上的村民" in page
    client.post(f"{url}convene/", {"agenda": "一、修订村规民约"})
    client.post(f"{url}open/", {"chair_name": "张主任", "recorder_name": "李文书"})
    client.post(f"{url}motions/new/", {"title": "通过修订后的村规民约", "mode": "counts"})
    motion = meeting.motions.get()
    response = client.post(f"/governance/motions/{motion.pk}/voting/", follow=True)
    assert "未达到法定人数，不能开始表决" in response.content.decode()
    for entry in RollEntry.objects.filter(meeting=meeting).order_by("pk")[:3]:
        client.post(f"{url}sign-in/record/", {"code": entry.code})
    assert "已到 3 / 应到 4 人，已过半数，可以开会" in client.get(url).content.decode()
    client.post(f"/governance/motions/{motion.pk}/voting/")
    response = client.post(
        f"/governance/motions/{motion.pk}/tally/",
        {"votes_for": 3, "votes_against": 1, "votes_abstain": 0},
        follow=True,
    )
    assert "多于表决时到会的3人" in response.content.decode()
    client.post(
        f"/governance/motions/{motion.pk}/tally/", {"votes_for": 2, "votes_against": 1, "votes_abstain": 0}
    )
    motion.refresh_from_db()
    assert motion.status == MotionStatus.PASSED
    response = client.post(
        f"/governance/motions/{motion.pk}/correct/",
        {"votes_for": 1, "votes_against": 2, "votes_abstain": 0, "reason": ""},
        follow=True,
    )
    assert "更正计票须写明理由" in response.content.decode()
    client.post(f"{url}close/")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED and TallyEntry.objects.filter(motion=motion).count() == 1
    # the closed meeting's banner reports the quorum it had, and no longer invites anyone to meet
    for banner in (client.get(url).content.decode(), client.get(f"{url}quorum/").content.decode()):
        assert "会议已闭会：到会 3 / 应到 4 人，达到法定人数" in banner
        assert "可以开会" not in banner and "alert-secondary" in banner and "every 5s" not in banner
    client.post(f"{url}minutes/", {"minutes": "到会3人，议题通过。", "role": "chair"})
    page = client.get(url).content.decode()
    assert "到会3人，议题通过。" in page and "已确认" in page


def test_sign_in_over_htmx_returns_the_banner_and_refuses_twice(client, tree, people):
    meeting = _meeting(tree, people)
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="议事")
    client.force_login(people.clerk_a)
    entry = RollEntry.objects.filter(meeting=meeting).first()
    found = client.get(
        f"/governance/meetings/{meeting.pk}/sign-in/", {"q": entry.name}, HTTP_HX_REQUEST="true"
    )
    assert entry.name in found.content.decode() and f'data-signin="{entry.pk}"' in found.content.decode()
    url = f"/governance/meetings/{meeting.pk}/sign-in/record/"
    first = client.post(url, {"entry": entry.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "已到 1 / 应到 4 人，还差 2 人" in first and "已签到" in first
    again = client.post(url, {"code": entry.code}, HTTP_HX_REQUEST="true").content.decode()
    assert "不能重复签到" in again
    unknown = client.post(url, {"code": "999"}, HTTP_HX_REQUEST="true").content.decode()
    assert "签到码“999”不在本次会议的名册上" in unknown
    meeting.refresh_from_db()
    assert meeting.present == 1


def test_the_slips_carry_each_persons_code_and_qr(client, tree, people):
    meeting = _meeting(tree, people, 3)
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    client.force_login(people.clerk_a)
    page = client.get(f"/governance/meetings/{meeting.pk}/slips/").content.decode()
    for code in RollEntry.objects.filter(meeting=meeting).values_list("code", flat=True):
        assert code in page
    assert page.count("<svg") >= 3


def test_the_meeting_page_makes_a_flat_number_of_queries_as_motions_and_corrections_grow(
    client, tree, people
):
    meeting = _meeting(tree, people, 4)
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="议事")
    services.meeting_open(actor=people.clerk_a, meeting=meeting)
    for entry in RollEntry.objects.filter(meeting=meeting):
        services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=entry.pk)
    client.force_login(people.clerk_a)

    def motion(title):
        m = services.motion_create(actor=people.clerk_a, meeting=meeting, title=title)
        services.motion_voting_open(actor=people.clerk_a, motion=m)
        services.tally_record(actor=people.clerk_a, motion=m, votes_for=3, votes_against=1, votes_abstain=0)
        services.tally_correct(
            actor=people.clerk_a, motion=m, votes_for=2, votes_against=2, votes_abstain=0, reason="复核"
        )

    motion("议题一")

    def grow():
        for i in range(3):
            motion(f"议题{i + 2}")

    assert_queries_flat(
        lambda: client.get(f"/governance/meetings/{meeting.pk}/"), grow, most=30, row='id="motion-'
    )


def test_pages_and_api_of_another_village_are_404(client, api, tree, people):
    meeting = _meeting(tree, people, 2, unit=tree.village_b)
    services.roll_build(actor=people.admin, meeting=meeting)
    client.force_login(people.clerk_a)
    for path in ["", "sign-in/", "slips/", "quorum/"]:
        assert client.get(f"/governance/meetings/{meeting.pk}/{path}").status_code == 404
    assert client.post(f"/governance/meetings/{meeting.pk}/roll/").status_code == 404
    assert api(people.clerk_a).get(f"/governance/meetings/{meeting.pk}/quorum").status_code == 404
    assert api(people.reviewer_b).get(f"/governance/meetings/{meeting.pk}/quorum").status_code == 200


def test_the_api_signs_in_tallies_and_appends_corrections(api, tree, people):
    meeting = _meeting(tree, people)
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="议事")
    services.meeting_open(actor=people.clerk_a, meeting=meeting)
    client = api(people.clerk_a)
    codes = list(RollEntry.objects.filter(meeting=meeting).order_by("pk").values_list("code", flat=True))
    for code in codes[:3]:
        signed = client.post(f"/governance/meetings/{meeting.pk}/sign-in", {"code": code})
    assert signed.status_code == 200 and signed.data["quorum"]["met"] is True
    twice = client.post(f"/governance/meetings/{meeting.pk}/sign-in", {"code": codes[0]})
    assert twice.status_code == 409 and twice.data["code"] == "signed_in_twice"
    assert client.post(f"/governance/meetings/{meeting.pk}/sign-in", {"code": "1"}).status_code == 404
    motion = services.motion_create(actor=people.clerk_a, meeting=meeting, title="议题")
    services.motion_voting_open(actor=people.clerk_a, motion=motion)
    over = client.post(
        f"/governance/motions/{motion.pk}/tally", {"votes_for": 4, "votes_against": 0, "votes_abstain": 0}
    )
    assert over.status_code == 422
    done = client.post(
        f"/governance/motions/{motion.pk}/tally", {"votes_for": 2, "votes_against": 1, "votes_abstain": 0}
    )
    assert done.status_code == 200 and done.data["status"] == "passed"
    no_reason = client.post(
        f"/governance/motions/{motion.pk}/corrections",
        {"votes_for": 1, "votes_against": 2, "votes_abstain": 0, "reason": ""},
    )
    assert no_reason.status_code == 422
    fixed = client.post(
        f"/governance/motions/{motion.pk}/corrections",
        {"votes_for": 1, "votes_against": 2, "votes_abstain": 0, "reason": "唱票时记错"},
    )
    assert fixed.status_code == 201 and fixed.data["reason"] == "唱票时记错"
    log = client.get(f"/governance/motions/{motion.pk}/tallies").data
    assert [e["kind"] for e in log] == ["recorded", "corrected"]
    assert client.get(f"/governance/meetings/{meeting.pk}/motions").data[0]["status"] == "failed"


def test_a_roll_call_is_recorded_person_by_person_on_the_phone(client, tree, people):
    # given an open meeting with three of four signed in and a roll-call motion being voted on
    meeting = _meeting(tree, people)
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="议事")
    entries = list(RollEntry.objects.filter(meeting=meeting).order_by("pk"))
    for entry in entries[:3]:
        services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=entry.pk)
    services.meeting_open(actor=people.clerk_a, meeting=meeting, chair_name="张", recorder_name="李")
    motion = services.motion_create(
        actor=people.clerk_a, meeting=meeting, title="修订村规民约", mode="roll_call"
    )
    services.motion_voting_open(actor=people.clerk_a, motion=motion)
    client.force_login(people.clerk_a)
    assert (
        f"/governance/motions/{motion.pk}/roll-call/"
        in client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    )
    url = f"/governance/motions/{motion.pk}/roll-call/"
    page = client.get(url).content.decode()
    # only those present are listed to vote
    assert entries[0].name in page and f'data-entry="{entries[3].pk}"' not in page
    # when the clerk records each person's vote
    for entry, choice in zip(entries[:3], ["for", "for", "against"], strict=True):
        client.post(f"{url}vote/", {"entry": entry.pk, "choice": choice})
    twice = client.post(f"{url}vote/", {"entry": entries[0].pk, "choice": "against"}, follow=True)
    assert "已经表决" in twice.content.decode()
    absent = client.post(f"{url}vote/", {"entry": entries[3].pk, "choice": "for"}, follow=True)
    assert "没有签到，不能表决" in absent.content.decode()
    page = client.get(url).content.decode()
    assert "已表决 3 / 表决时到会 3 人" in page and "赞成 2，反对 1，弃权 0" in page
    # then the meeting page counts them into the result
    client.post(f"/governance/motions/{motion.pk}/tally/")
    motion.refresh_from_db()
    assert (motion.votes_for, motion.votes_against, motion.status) == (2, 1, MotionStatus.PASSED)
    assert "不在记名表决中" in client.get(url).content.decode()


def test_the_representatives_page_registers_members_and_explains_the_composition(client, tree, people):
    from guanhuai.registry.tests.factories import household, member

    # given a woman of 甲村 in the registry, and a man of 乙村
    woman = household(people, tree.village_a, member("罗秀兰", "1975-03-04", sex="female"))["罗秀兰"]
    neighbour = household(people, tree.village_b, member("邻村人", "1970-01-01"))["邻村人"]
    client.force_login(people.clerk_a)
    url = f"/governance/villages/{tree.village_a.pk}/representatives/"
    page = client.get(url).content.decode()
    assert "尚未登记组成人员" in page and "不符合" in page  # no members: the checks say why
    # a person of another village is refused where the clerk typed, and nothing is registered
    other = client.post(
        url, {"id_number": neighbour.id_number, "role": "representative", "started_on": "2026-01-01"}
    )
    assert "本村户籍中没有这个身份证号" in other.content.decode()
    client.post(
        url,
        {
            "id_number": woman.id_number,
            "role": "representative",
            "started_on": "2026-01-01",
            "households": 12,
        },
    )
    page = client.get(url).content.decode()
    assert "罗秀兰" in page and "推选户数 12" in page and "现任组成人员 1 人" in page
    twice = client.post(
        url,
        {"id_number": woman.id_number, "role": "committee", "started_on": "2026-01-01"},
    )
    assert "已是村民代表会议组成人员" in twice.content.decode()
    # another township's reviewer does not see the village
    client.force_login(people.reviewer_b)
    assert client.get(url).status_code == 404


def test_representatives_groups_and_a_request_over_the_api(api, tree, people):
    villagers_a = adults(tree.village_a, 20)
    outsider = adults(tree.village_b, 1)[0]
    clerk = api(people.clerk_a)
    url = f"/governance/villages/{tree.village_a.pk}/representatives"
    empty = clerk.get(url).data
    assert empty["members"] == [] and not all(c["ok"] for c in empty["checks"])
    added = clerk.post(
        url,
        {
            "person_id": villagers_a[0].pk,
            "role": "representative",
            "started_on": "2026-01-01",
            "households": 10,
        },
    )
    assert added.status_code == 201 and [m["person_id"] for m in added.data["members"]] == [villagers_a[0].pk]
    assert (
        clerk.post(
            url, {"person_id": villagers_a[0].pk, "role": "committee", "started_on": "2026-01-01"}
        ).status_code
        == 409
    )
    assert api(people.reviewer_b).get(url).status_code == 404
    assert clerk.get(f"/governance/villages/{tree.village_a.pk}/groups").data == []
    # a request of 2 of 20 villagers reaches one tenth; a signatory of another village is refused
    meeting = _meeting(tree, people, n=0)
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    request_url = f"/governance/meetings/{meeting.pk}/request"
    refused = clerk.post(
        request_url,
        {"basis": "villagers", "received_on": "2026-11-01", "signatories": [villagers_a[1].pk, outsider.pk]},
    )
    assert refused.status_code == 422 and "不是本村村民" in refused.data["message"]
    check = clerk.post(
        request_url,
        {
            "basis": "villagers",
            "received_on": "2026-11-01",
            "signatories": [villagers_a[1].pk, villagers_a[2].pk],
        },
    ).data
    assert (check["signatories"], check["base"], check["needed"], check["met"]) == (2, 20, 2, True)
