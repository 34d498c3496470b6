"""Every quorum and decision threshold of each meeting kind at its exact boundary, on both sides: 以上 includes
the bound, 过半数 is strictly more than half. First the rules as data, then through the services."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from django.utils import timezone

from guanhuai.core.errors import Conflict
from guanhuai.governance import assembly_rules, services
from guanhuai.governance.assembly_rules import ADULTS, HOUSEHOLDS, MEMBERS, RULES, Threshold
from guanhuai.governance.states import MeetingKind, MeetingStatus, MotionStatus
from guanhuai.governance.tests.factories import MeetingFactory, adults


def _at(kind: str, of: str) -> Threshold:
    return next(t for t in RULES[kind].quorum if t.of == of)


# (kind, what of, base, the last count that fails, the first that passes)
QUORUM_BOUNDARIES = [
    (MeetingKind.VILLAGERS_ASSEMBLY, ADULTS, 1000, 500, 501),  # 过半数: exactly half is not enough
    (MeetingKind.VILLAGERS_ASSEMBLY, ADULTS, 999, 499, 500),
    (MeetingKind.VILLAGERS_ASSEMBLY, HOUSEHOLDS, 300, 199, 200),  # 三分之二以上: 200 of 300 is enough
    (MeetingKind.VILLAGERS_ASSEMBLY, HOUSEHOLDS, 301, 200, 201),  # 200.67 rounds up
    (MeetingKind.REPRESENTATIVES_MEETING, MEMBERS, 30, 19, 20),
    (MeetingKind.REPRESENTATIVES_MEETING, MEMBERS, 31, 20, 21),
    (MeetingKind.GROUP_MEETING, ADULTS, 90, 59, 60),
    (MeetingKind.GROUP_MEETING, ADULTS, 91, 60, 61),
    (MeetingKind.GROUP_MEETING, HOUSEHOLDS, 45, 29, 30),
    (MeetingKind.GROUP_MEETING, HOUSEHOLDS, 46, 30, 31),
]


@pytest.mark.parametrize(("kind", "of", "base", "fails", "passes"), QUORUM_BOUNDARIES)
def test_each_quorum_at_its_exact_boundary(kind, of, base, fails, passes):
    threshold = _at(kind, of)
    assert not threshold.met(fails, base)
    assert threshold.met(passes, base)
    assert threshold.needed(base) == passes


@pytest.mark.parametrize("kind", list(MeetingKind))
@pytest.mark.parametrize(("present", "fails", "passes"), [(100, 50, 51), (101, 50, 51), (1, 0, 1), (2, 1, 2)])
def test_each_decision_needs_strictly_more_than_half_of_those_present(kind, present, fails, passes):
    decision = RULES[kind].decision
    assert not decision.met(fails, present)
    assert decision.met(passes, present)
    assert decision.needed(present) == passes


def test_the_rules_are_data_with_their_articles():
    for rules in RULES.values():
        assert all(t.article.startswith("村民委员会组织法第") for t in (*rules.quorum, rules.decision))
    assembly = RULES[MeetingKind.VILLAGERS_ASSEMBLY]
    assert [(t.share, t.inclusive) for t in assembly.quorum] == [
        (Fraction(1, 2), False),
        (Fraction(2, 3), True),
    ]
    assert assembly.notice_days == 10
    assert [t.share for t in assembly.request] == [Fraction(1, 10), Fraction(1, 3)]
    assert RULES[MeetingKind.REPRESENTATIVES_MEETING].proxies is False
    assert (
        assembly_rules.REPRESENTATIVES_SHARE.needed(25) == 20 and assembly_rules.WOMEN_SHARE.needed(25) == 9
    )


def test_an_empty_roll_never_makes_a_quorum():
    assert not _at(MeetingKind.VILLAGERS_ASSEMBLY, ADULTS).met(0, 0)


# --- through the services -----------------------------------------------------------------------------------


def _meeting(tree, people, n, *, per_household=2, kind=MeetingKind.VILLAGERS_ASSEMBLY):
    adults(tree.village_a, n, per_household=per_household)
    meeting = MeetingFactory(
        unit=tree.village_a,
        kind=kind,
        created_by=people.clerk_a,
        scheduled_at=timezone.now() + dt.timedelta(days=12),
    )
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="修订村规民约")
    services.meeting_open(actor=people.clerk_a, meeting=meeting, chair_name="主任", recorder_name="文书")
    meeting.refresh_from_db()
    return meeting


def _sign(people, meeting, k, **kwargs):
    entries = list(meeting.roll.filter(signed_in_at__isnull=True).order_by("pk")[:k])
    state = None
    for entry in entries:
        _, state = services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=entry.pk, **kwargs)
    return state


def test_an_assembly_of_six_opens_voting_at_four_present_not_at_three(tree, people):
    meeting = _meeting(tree, people, 6)
    motion = services.motion_create(actor=people.clerk_a, meeting=meeting, title="修订村规民约")
    state = _sign(people, meeting, 3, for_household=False)  # as villagers, none for their household
    assert not state.met and "还差 1 人" in state.sentence
    with pytest.raises(Conflict) as refused:
        services.motion_voting_open(actor=people.clerk_a, motion=motion)
    assert refused.value.code == "no_quorum" and "已到 3 / 应到 6 人" in str(refused.value)
    motion.refresh_from_db()
    assert motion.status == MotionStatus.PROPOSED
    state = _sign(people, meeting, 1, for_household=False)
    assert state.met and state.sentence == "已到 4 / 应到 6 人，已过半数，可以开会"
    services.motion_voting_open(actor=people.clerk_a, motion=motion)


def test_representatives_of_two_thirds_of_households_make_an_assembly_quorate(tree, people):
    meeting = _meeting(tree, people, 6, per_household=2)  # three households of two
    heads = list(meeting.roll.filter(household_rep=True).order_by("pk"))
    _, state = services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=heads[0].pk)
    assert not state.met
    _, state = services.sign_in(actor=people.clerk_a, meeting=meeting, entry_id=heads[1].pk)
    assert state.met  # 2 of 3 households: 三分之二以上 includes 2/3 itself; 2 of 6 adults would not do
    assert "户代表已到" in state.sentence


@pytest.mark.parametrize(("votes_for", "result"), [(2, MotionStatus.FAILED), (3, MotionStatus.PASSED)])
def test_a_motion_passes_with_more_than_half_of_those_present(tree, people, votes_for, result):
    meeting = _meeting(tree, people, 6)
    _sign(people, meeting, 4, for_household=False)
    motion = services.motion_create(actor=people.clerk_a, meeting=meeting, title="修订村规民约")
    services.motion_voting_open(actor=people.clerk_a, motion=motion)
    motion = services.tally_record(
        actor=people.clerk_a, motion=motion, votes_for=votes_for, votes_against=4 - votes_for, votes_abstain=0
    )
    assert motion.status == result and motion.present_at_vote == 4
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.OPEN


def test_a_representatives_meeting_needs_two_thirds_of_its_members(tree, people):
    from guanhuai.governance.models import Delegate
    from guanhuai.governance.states import DelegateRole

    members = adults(tree.village_a, 6)
    Delegate.objects.bulk_create(
        [
            Delegate(
                unit=tree.village_a,
                person=p,
                role=DelegateRole.REPRESENTATIVE,
                started_on=dt.date(2024, 1, 1),
            )
            for p in members
        ]
    )
    meeting = MeetingFactory(
        unit=tree.village_a, kind=MeetingKind.REPRESENTATIVES_MEETING, created_by=people.clerk_a
    )
    assert services.roll_build(actor=people.clerk_a, meeting=meeting) == 6
    services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="议事")
    meeting.refresh_from_db()
    assert not _sign(people, meeting, 3).met
    state = _sign(people, meeting, 1)
    assert state.met and state.sentence == "已到 4 / 应到 6 人，已达三分之二以上的组成人员，可以开会"
