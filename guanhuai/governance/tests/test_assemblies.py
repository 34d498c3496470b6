"""Assemblies through the services: the roll on the meeting date, composition checks, convening, sign-in,
proxies, votes, the correction log, closing, minutes and the published counts; each bad input of the issue
gets its message and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.governance import selectors, services
from guanhuai.governance.models import Delegate, Motion, RollEntry, TallyEntry, Vote
from guanhuai.governance.states import (
    DelegateRole,
    MeetingKind,
    MeetingStatus,
    MotionStatus,
    TallyKind,
    VoteChoice,
    VoteMode,
)
from guanhuai.governance.tests.factories import MeetingFactory, MotionFactory, adults, villagers


def _on(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _meeting(tree, people, *, kind=MeetingKind.VILLAGERS_ASSEMBLY, day=None, unit=None):
    return MeetingFactory(
        unit=unit or tree.village_a,
        kind=kind,
        created_by=people.clerk_a,
        scheduled_at=_on(day) if day else timezone.now() + dt.timedelta(days=12),
    )


def _open(people, meeting):
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="修订村规民约")
    services.meeting_open(actor=people.clerk_a, meeting=meeting, chair_name="主任", recorder_name="文书")
    meeting.refresh_from_db()
    return meeting


def _sign_all(people, meeting, k):
    for entry in list(meeting.roll.order_by("pk")[:k]):
        services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=entry.pk)
    meeting.refresh_from_db()


# --- the roll ----------------------------------------------------------------------------------------------


def test_the_roll_is_the_villages_adults_on_the_meeting_date_turning_18_that_day_included(tree, people):
    day = dt.date(2026, 6, 15)
    (eighteen_today,) = villagers(tree.village_a, [dt.date(2008, 6, 15)], name="今天满十八")
    (eighteen_tomorrow,) = villagers(tree.village_a, [dt.date(2008, 6, 16)], name="明天满十八")
    (old,) = villagers(tree.village_a, [dt.date(1950, 1, 1)], name="老人")
    (died,) = villagers(tree.village_a, [dt.date(1950, 1, 1)], name="已故")
    died.died_on = dt.date(2026, 1, 1)
    died.save(update_fields=["died_on"])
    villagers(tree.village_b, [dt.date(1970, 1, 1)], name="乙村人")
    meeting = _meeting(tree, people, day=day)
    assert services.roll_build(actor=people.clerk_a, meeting=meeting) == 2
    on_roll = set(RollEntry.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    assert on_roll == {eighteen_today.pk, old.pk}
    assert eighteen_tomorrow.pk not in on_roll
    meeting.refresh_from_db()
    assert (meeting.roll_date, meeting.roll_size, meeting.roll_households) == (day, 2, 2)
    codes = list(RollEntry.objects.filter(meeting=meeting).values_list("code", flat=True))
    assert len(set(codes)) == 2 and all(c.isdigit() for c in codes)


def test_a_meeting_on_29_february_counts_those_born_on_28_february_18_years_before():
    assert selectors.adult_cutoff(dt.date(2028, 2, 29)) == dt.date(2010, 2, 28)
    assert selectors.adult_cutoff(dt.date(2026, 3, 1)) == dt.date(2008, 3, 1)


def test_household_representatives_are_the_heads_on_the_roll(tree, people):
    adults(tree.village_a, 6, per_household=3)
    meeting = _meeting(tree, people)
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    assert RollEntry.objects.filter(meeting=meeting, household_rep=True).count() == 2


def test_a_representatives_meeting_roll_is_its_current_members(tree, people):
    members = adults(tree.village_a, 5)
    Delegate.objects.create(
        unit=tree.village_a, person=members[0], role=DelegateRole.COMMITTEE, started_on=dt.date(2024, 1, 1)
    )
    for p in members[1:4]:
        Delegate.objects.create(
            unit=tree.village_a, person=p, role=DelegateRole.REPRESENTATIVE, started_on=dt.date(2024, 1, 1)
        )
    Delegate.objects.create(
        unit=tree.village_a,
        person=members[4],
        role=DelegateRole.REPRESENTATIVE,
        started_on=dt.date(2020, 1, 1),
        ended_on=dt.date(2023, 1, 1),
    )
    meeting = _meeting(tree, people, kind=MeetingKind.REPRESENTATIVES_MEETING)
    assert services.roll_build(actor=people.clerk_a, meeting=meeting) == 4
    roles = dict(RollEntry.objects.filter(meeting=meeting).values_list("person_id", "role"))
    assert roles[members[0].pk] == DelegateRole.COMMITTEE and members[4].pk not in roles


def test_a_group_meeting_roll_is_the_groups_households(tree, people):
    mine = adults(tree.village_a, 4, per_household=2)
    adults(tree.village_a, 4, per_household=2)
    group = services.group_create(
        actor=people.clerk_a,
        unit=tree.village_a,
        name="第一村民小组",
        household_ids=[mine[0].household_id, mine[2].household_id],
    )
    meeting = services.meeting_create(
        actor=people.clerk_a,
        unit=tree.village_a,
        kind=MeetingKind.GROUP_MEETING,
        title="第一组会议",
        scheduled_at=timezone.now() + dt.timedelta(days=3),
        group=group,
    )
    assert services.roll_build(actor=people.clerk_a, meeting=meeting) == 4


# --- composition -------------------------------------------------------------------------------------------


def _delegates(unit, *, committee, reps, women, households=10):
    men = adults(unit, committee + reps - women)
    ladies = adults(unit, women, sex="female")
    people_ = ladies + men
    rows = []
    for i, p in enumerate(people_):
        role = DelegateRole.REPRESENTATIVE if i < reps else DelegateRole.COMMITTEE
        rows.append(
            Delegate(
                unit=unit,
                person=p,
                role=role,
                started_on=dt.date(2024, 1, 1),
                households=households if role == DelegateRole.REPRESENTATIVE else None,
            )
        )
    Delegate.objects.bulk_create(rows)


def test_composition_checks_pass_at_the_bounds(tree):
    # 25 members: 20 representatives (4/5 exactly), 9 women (≥ 25/3); the village's households: the
    # people made here (2 to a household) ⇒ 13 households for 20 representatives is too few.
    _delegates(tree.village_a, committee=5, reps=20, women=9)
    checks = selectors.composition(unit=tree.village_a)
    assert [c.ok for c in checks[:2]] == [True, True]
    assert checks[2].ok is False and "每名代表应由5至15户推选" in checks[2].explanation
    assert all(c.article == "村民委员会组织法第二十五条" for c in checks)


def test_composition_checks_explain_a_violation(tree):
    _delegates(tree.village_a, committee=6, reps=19, women=8)
    reps, women, _ = selectors.composition(unit=tree.village_a)
    assert not reps.ok and "其中村民代表19人" in reps.explanation and "至少20人" in reps.explanation
    assert not women.ok and "妇女村民代表8人" in women.explanation and "至少9人" in women.explanation


def test_one_representative_per_5_to_15_households(tree):
    adults(tree.village_a, 100, per_household=1)  # 100 households
    _delegates(tree.village_a, committee=2, reps=8, women=4, households=12)  # +5 households of delegates
    *_, households = selectors.composition(unit=tree.village_a)
    assert households.ok and "本村105户，村民代表8名" in households.explanation


# --- convening ---------------------------------------------------------------------------------------------


def test_a_notice_under_ten_days_needs_a_recorded_reason(tree, people):
    meeting = _meeting(tree, people, day=timezone.localdate() + dt.timedelta(days=9))
    with pytest.raises(ValidationError) as refused:
        services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="防汛")
    assert refused.value.code == "short_notice" and "只有9天，少于法定的10天" in str(refused.value)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DRAFT
    services.meeting_convene(
        actor=people.clerk_a, meeting=meeting, agenda="防汛", short_notice_reason="汛期紧急"
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONVENED and meeting.short_notice_reason == "汛期紧急"


def test_ten_days_notice_is_enough(tree, people):
    meeting = _meeting(tree, people, day=timezone.localdate() + dt.timedelta(days=10))
    services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="修订村规民约")
    meeting.refresh_from_db()
    assert meeting.short_notice_reason == ""


def test_a_requested_meeting_records_its_signatories_and_their_share(tree, people):
    folk = adults(tree.village_a, 30)
    meeting = _meeting(tree, people)
    services.meeting_request_record(
        actor=people.clerk_a,
        meeting=meeting,
        basis="villagers",
        received_on=timezone.localdate(),
        signatories=[p.pk for p in folk[:3]],
        note="修订村规民约",
    )
    check = selectors.request_check(meeting=meeting)
    assert (check.signatories, check.base, check.needed, check.met) == (3, 30, 3, True)
    with pytest.raises(ValidationError):
        services.meeting_request_record(
            actor=people.clerk_a,
            meeting=meeting,
            basis="villagers",
            received_on=timezone.localdate(),
            signatories=[],
        )


# --- sign-in and proxies -----------------------------------------------------------------------------------


def test_sign_in_refuses_someone_not_on_the_roll_or_twice(tree, people):
    adults(tree.village_a, 4)
    meeting = _open(people, _meeting(tree, people))
    entry = meeting.roll.first()
    services.sign_in(actor=people.clerk_a, meeting=meeting, code=entry.code)
    with pytest.raises(Conflict) as twice:
        services.sign_in(actor=people.clerk_a, meeting=meeting, code=entry.code)
    assert twice.value.code == "signed_in_twice" and entry.name in str(twice.value)
    with pytest.raises(NotFound) as unknown:
        services.sign_in(actor=people.clerk_a, meeting=meeting, code="12345")
    assert "不在本次会议的名册上" in str(unknown.value)
    meeting.refresh_from_db()
    assert (
        meeting.present == 1 == RollEntry.objects.filter(meeting=meeting, signed_in_at__isnull=False).count()
    )


def test_one_representative_per_household(tree, people):
    adults(tree.village_a, 2, per_household=2)
    meeting = _open(people, _meeting(tree, people))
    first, second = meeting.roll.order_by("pk")
    services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=second.pk)
    with pytest.raises(Conflict) as refused:
        services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=first.pk, for_household=True)
    assert "已由" in str(refused.value)
    services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=first.pk)
    meeting.refresh_from_db()
    assert (meeting.present, meeting.households_present) == (2, 1)
    assert selectors.quorum_counted(meeting) == selectors.quorum(meeting)


def test_a_proxy_needs_the_rules_a_signed_in_holder_and_the_letter(tree, people):
    adults(tree.village_a, 3)
    meeting = _open(people, _meeting(tree, people))
    holder, principal, _ = meeting.roll.order_by("pk")
    with pytest.raises(ValidationError):
        services.sign_in(
            actor=people.clerk_a, meeting=meeting, entry_id=principal.pk, proxy_holder_id=holder.pk
        )
    services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=holder.pk)
    with pytest.raises(ValidationError) as no_letter:
        services.sign_in(
            actor=people.clerk_a, meeting=meeting, entry_id=principal.pk, proxy_holder_id=holder.pk
        )
    assert no_letter.value.code == "proxy_letter"
    letter = SimpleUploadedFile("weituo.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    entry, state = services.sign_in(
        actor=people.clerk_a,
        meeting=meeting,
        entry_id=principal.pk,
        proxy_holder_id=holder.pk,
        proxy_letter=letter,
    )
    assert entry.via == "proxy" and entry.proxy_id == holder.pk and entry.proxy_letter.name
    assert state.present == 2


def test_a_representatives_meeting_refuses_proxies(tree, people):
    members = adults(tree.village_a, 2)
    for p in members:
        Delegate.objects.create(
            unit=tree.village_a, person=p, role=DelegateRole.REPRESENTATIVE, started_on=dt.date(2024, 1, 1)
        )
    meeting = _open(people, _meeting(tree, people, kind=MeetingKind.REPRESENTATIVES_MEETING))
    holder, principal = meeting.roll.order_by("pk")
    services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=holder.pk)
    letter = SimpleUploadedFile("weituo.pdf", b"%PDF-1.4", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.sign_in(
            actor=people.clerk_a,
            meeting=meeting,
            entry_id=principal.pk,
            proxy_holder_id=holder.pk,
            proxy_letter=letter,
        )
    assert refused.value.code == "proxy_forbidden" and "不能委托他人参加" in str(refused.value)
    principal.refresh_from_db()
    assert principal.signed_in_at is None


# --- votes, corrections, closing ---------------------------------------------------------------------------


def _voting(tree, people, n=10, present=8, mode=VoteMode.COUNTS):
    adults(tree.village_a, n)
    meeting = _open(people, _meeting(tree, people))
    _sign_all(people, meeting, present)
    motion = services.motion_create(actor=people.clerk_a, meeting=meeting, title="修订村规民约", mode=mode)
    return meeting, services.motion_voting_open(actor=people.clerk_a, motion=motion)


def test_votes_adding_up_to_more_than_those_present_are_refused(tree, people):
    _, motion = _voting(tree, people)
    with pytest.raises(ValidationError) as refused:
        services.tally_record(
            actor=people.clerk_a, motion=motion, votes_for=6, votes_against=2, votes_abstain=1
        )
    assert "合计9，多于表决时到会的8人" in str(refused.value)
    motion.refresh_from_db()
    assert motion.status == MotionStatus.VOTING and not TallyEntry.objects.filter(motion=motion).exists()


def test_paper_ballots_count_invalid_ballots_towards_the_total(tree, people):
    _, motion = _voting(tree, people, mode=VoteMode.BALLOTS)
    motion = services.tally_record(
        actor=people.clerk_a, motion=motion, votes_for=5, votes_against=1, votes_abstain=1, votes_invalid=1
    )
    assert motion.status == MotionStatus.PASSED and motion.votes_invalid == 1


def test_a_correction_is_appended_with_who_when_why_and_may_turn_the_result(tree, people):
    meeting, motion = _voting(tree, people)
    services.tally_record(actor=people.clerk_a, motion=motion, votes_for=5, votes_against=3, votes_abstain=0)
    with pytest.raises(ValidationError) as no_reason:
        services.tally_correct(
            actor=people.clerk_a, motion=motion, votes_for=4, votes_against=4, votes_abstain=0, reason=" "
        )
    assert no_reason.value.code == "reason"
    services.tally_correct(
        actor=people.clerk_a,
        motion=motion,
        votes_for=4,
        votes_against=4,
        votes_abstain=0,
        reason="第二组计票单重复计入1票",
    )
    motion.refresh_from_db()
    assert (motion.votes_for, motion.status) == (4, MotionStatus.FAILED)  # 4 of 8 is not more than half
    log = list(selectors.tally_log(motion=motion))
    assert [(e.kind, e.votes_for, e.reason) for e in log] == [
        (TallyKind.RECORDED, 5, ""),
        (TallyKind.CORRECTED, 4, "第二组计票单重复计入1票"),
    ]
    assert log[1].by == people.clerk_a and log[1].at >= log[0].at


def test_closing_locks_the_results(tree, people):
    meeting, motion = _voting(tree, people)
    with pytest.raises(Conflict) as voting:
        services.meeting_close(actor=people.clerk_a, meeting=meeting)
    assert voting.value.code == "motion_voting"
    services.tally_record(actor=people.clerk_a, motion=motion, votes_for=5, votes_against=3, votes_abstain=0)
    services.meeting_close(actor=people.clerk_a, meeting=meeting)
    with pytest.raises(Conflict) as locked:
        services.tally_correct(
            actor=people.clerk_a, motion=motion, votes_for=6, votes_against=2, votes_abstain=0, reason="复核"
        )
    assert "结果已锁定" in str(locked.value)
    assert TallyEntry.objects.filter(motion=motion).count() == 1
    entry = meeting.roll.filter(signed_in_at__isnull=True).first()
    with pytest.raises(Conflict):
        services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=entry.pk)


def test_a_roll_call_is_counted_and_published_as_counts_only(tree, people):
    meeting, motion = _voting(tree, people, n=4, present=3, mode=VoteMode.ROLL_CALL)
    signed = list(meeting.roll.filter(signed_in_at__isnull=False).order_by("pk"))
    absent = meeting.roll.filter(signed_in_at__isnull=True).first()
    for entry, choice in zip(signed, [VoteChoice.FOR, VoteChoice.FOR, VoteChoice.AGAINST], strict=True):
        services.vote_cast(actor=people.clerk_a, motion=motion, entry_id=entry.pk, choice=choice)
    with pytest.raises(Conflict):
        services.vote_cast(
            actor=people.clerk_a, motion=motion, entry_id=signed[0].pk, choice=VoteChoice.AGAINST
        )
    with pytest.raises(ValidationError):
        services.vote_cast(actor=people.clerk_a, motion=motion, entry_id=absent.pk, choice=VoteChoice.FOR)
    motion = services.roll_call_tally(actor=people.clerk_a, motion=motion)
    assert (motion.votes_for, motion.votes_against, motion.status) == (2, 1, MotionStatus.PASSED)
    assert selectors.published_results() == []  # not before the meeting closes
    services.meeting_close(actor=people.clerk_a, meeting=meeting)
    (result,) = selectors.published_results()
    assert (result.votes_for, result.votes_against, result.present, result.passed) == (2, 1, 3, True)
    names = {e.name for e in signed}
    assert not names & {str(v) for v in vars(result).values()}
    assert Vote.objects.filter(motion=motion).count() == 3


def test_published_results_name_their_meeting_so_two_alike_meetings_are_told_apart(tree, people):
    # given two closed representatives' meetings of 甲村 with the same title on the same day
    day = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    meetings = [
        MeetingFactory(
            unit=tree.village_a,
            title="村民代表会议",
            scheduled_at=day + dt.timedelta(hours=h),
            status=MeetingStatus.CLOSED,
            created_by=people.clerk_a,
        )
        for h in (0, 5)
    ]
    for meeting in meetings:
        MotionFactory(meeting=meeting, title="修建村道", status=MotionStatus.PASSED, votes_for=20)
    # then each published result names its own meeting and village, by id and code
    results = selectors.published_results()
    assert sorted(r.meeting_id for r in results) == sorted(m.pk for m in meetings)
    assert {r.village_code for r in results} == {tree.village_a.code}


def test_minutes_are_approved_by_the_chair_and_the_recorder_two_people(tree, people):
    from guanhuai.accounts.tests.factories import user_with_role

    recorder = user_with_role("village_clerk", tree.village_a, username="recorder")
    meeting, motion = _voting(tree, people)
    services.tally_record(actor=people.clerk_a, motion=motion, votes_for=5, votes_against=3, votes_abstain=0)
    with pytest.raises(Conflict):
        services.minutes_approve(actor=people.clerk_a, meeting=meeting, role="chair", minutes="会议记录")
    services.meeting_close(actor=people.clerk_a, meeting=meeting)
    services.minutes_approve(
        actor=people.clerk_a, meeting=meeting, role="chair", minutes="到会8人，议题通过。"
    )
    with pytest.raises(ValidationError):
        services.minutes_approve(actor=people.clerk_a, meeting=meeting, role="recorder")
    meeting = services.minutes_approve(actor=recorder, meeting=meeting, role="recorder")
    assert (
        meeting.minutes_chair_approved_by == people.clerk_a
        and meeting.minutes_recorder_approved_by == recorder
    )


def test_a_passed_motion_adopts_the_village_rules_through_g1s_service(tree, people):
    from guanhuai.governance.states import VersionStatus
    from guanhuai.governance.tests.factories import DocumentFactory, version_with_clauses

    document = DocumentFactory(unit=tree.village_a, created_by=people.clerk_a)
    draft = version_with_clauses(document)
    adults(tree.village_a, 10)
    meeting = _open(people, _meeting(tree, people))
    _sign_all(people, meeting, 6)
    motion = services.motion_create(
        actor=people.clerk_a, meeting=meeting, title="通过修订后的村规民约", document_version=draft
    )
    services.motion_voting_open(actor=people.clerk_a, motion=motion)
    motion = services.tally_record(
        actor=people.clerk_a, motion=motion, votes_for=6, votes_against=0, votes_abstain=0
    )
    version = services.version_adopt(actor=people.clerk_a, version=draft, motion=motion)
    assert version.status == VersionStatus.ADOPTED and version.adopted_by_motion == motion
    with pytest.raises(Conflict) as refused:
        services.tally_correct(
            actor=people.clerk_a, motion=motion, votes_for=2, votes_against=4, votes_abstain=0, reason="复核"
        )
    assert refused.value.code == "motion_adopted"
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.PASSED


# --- scope -------------------------------------------------------------------------------------------------


def test_another_townships_clerk_or_reviewer_cannot_run_the_meeting(tree, people):
    from guanhuai.accounts.tests.factories import user_with_role

    adults(tree.village_a, 2)
    meeting = _meeting(tree, people)
    clerk_b = user_with_role("village_clerk", tree.village_b, username="clerk_b")
    with pytest.raises(NotFound):
        services.roll_build(actor=clerk_b, meeting=meeting)
    with pytest.raises(PermissionDenied):
        services.roll_build(actor=people.reviewer_a, meeting=meeting)  # sees it, may not run it
    assert not RollEntry.objects.filter(meeting=meeting).exists()
    with pytest.raises(NotFound):
        selectors.meeting_get(actor=clerk_b, meeting_id=meeting.pk)
