"""Writes of a meeting's business once it is open: opening it with its chair and recorder, motions, opening
the vote (only when the meeting is quorate), and the votes themselves — counts, paper ballots tallied into
counts, or a roll call per person — with tally corrections appended to a log with who, when and why, never
overwritten. Every threshold comes from `assembly_rules` (the law as data); closing the meeting, which
locks the results, is in `meetings`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.states import transition
from guanhuai.governance import assembly_rules
from guanhuai.governance.models import (
    Meeting,
    Motion,
    TallyEntry,
    Vote,
)
from guanhuai.governance.selectors.meetings import quorum
from guanhuai.governance.services.meetings import MAX_REASON, _entry, _not_closed, _require
from guanhuai.governance.states import (
    MEETING_TRANSITIONS,
    MOTION_TRANSITIONS,
    MeetingStatus,
    MotionStatus,
    TallyKind,
    VoteChoice,
    VoteMode,
)

# --- the meeting and its motions ---------------------------------------------------------------------------


def meeting_open(*, actor: Actor, meeting: Meeting, chair_name: str = "", recorder_name: str = "") -> Meeting:
    """The chair opens the meeting (sign-in goes on); voting needs the quorum (motion_voting_open)."""
    _require(actor, meeting)
    with transaction.atomic():
        meeting = relock(meeting)
        if meeting.roll_date is None:
            raise Conflict(_("请先生成会议名册。"), code="no_roll")
        transition(meeting, MeetingStatus.OPEN, MEETING_TRANSITIONS)
        meeting.opened_at = timezone.now()
        meeting.chair_name = chair_name.strip()[:50] or meeting.chair_name
        meeting.recorder_name = recorder_name.strip()[:50] or meeting.recorder_name
        meeting.save(update_fields=["status", "opened_at", "chair_name", "recorder_name"])
        log(meeting, "governance.meeting.opened", actor=actor, org_unit=meeting.unit)
    return meeting


def motion_create(
    *,
    actor: Actor,
    meeting: Meeting,
    title: str,
    mode: str = VoteMode.COUNTS,
    document_version: Any = None,
) -> Motion:
    _require(actor, meeting)
    title = title.strip()
    if not title:
        raise ValidationError(_("请填写议题。"), code="title")
    if mode not in VoteMode.values:
        raise ValidationError(_("未知的表决方式。"), code="mode")
    if document_version is not None and document_version.document.unit_id != meeting.unit_id:
        raise ValidationError(_("表决的文本不是本村(社区)的文本。"), code="document_version")
    with transaction.atomic():
        meeting = relock(meeting)
        _not_closed(meeting)
        number = (
            Motion.objects.filter(meeting=meeting)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        motion = Motion.objects.create(
            meeting=meeting, number=number, title=title[:200], mode=mode, document_version=document_version
        )
        log(
            motion,
            "governance.motion.created",
            actor=actor,
            org_unit=meeting.unit,
            data={"meeting": meeting.pk},
        )
    return motion


def motion_voting_open(*, actor: Actor, motion: Motion) -> Motion:
    """Voting on a motion opens only in a quorate meeting; those present now are the base of its decision."""
    meeting = motion.meeting
    _require(actor, meeting)
    with transaction.atomic():
        meeting = relock(meeting)
        motion = relock(motion)
        if meeting.status != MeetingStatus.OPEN:
            raise Conflict(
                _("会议%(status)s，不能开始表决。") % {"status": MeetingStatus(meeting.status).label},
                code="meeting_status",
            )
        state = quorum(meeting)
        if not state.met:
            raise Conflict(
                _("未达到法定人数，不能开始表决：%(why)s") % {"why": state.sentence}, code="no_quorum"
            )
        transition(motion, MotionStatus.VOTING, MOTION_TRANSITIONS)
        transition(meeting, MeetingStatus.VOTING, MEETING_TRANSITIONS)
        motion.present_at_vote = meeting.present
        motion.save(update_fields=["status", "present_at_vote"])
        meeting.save(update_fields=["status"])
        log(
            motion,
            "governance.motion.voting",
            actor=actor,
            org_unit=meeting.unit,
            data={"present": meeting.present},
        )
    return motion


def _counts_check(motion: Motion, counts: tuple[int, int, int, int]) -> None:
    if any(c < 0 for c in counts):
        raise ValidationError(_("票数不能为负数。"), code="votes")
    present = motion.present_at_vote or 0
    if sum(counts) > present:
        raise ValidationError(
            _("赞成、反对、弃权和无效票合计%(total)s，多于表决时到会的%(present)s人。")
            % {"total": sum(counts), "present": present},
            code="votes_exceed_present",
        )


def _decide(motion: Motion) -> str:
    rules = assembly_rules.rules_for(motion.meeting.kind)
    passed = rules.decision.met(motion.votes_for or 0, motion.present_at_vote or 0)
    return MotionStatus.PASSED if passed else MotionStatus.FAILED


def _apply(motion: Motion, entry: TallyEntry) -> None:
    motion.votes_for, motion.votes_against = entry.votes_for, entry.votes_against
    motion.votes_abstain, motion.votes_invalid = entry.votes_abstain, entry.votes_invalid


def tally_record(
    *,
    actor: Actor,
    motion: Motion,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    votes_invalid: int = 0,
) -> Motion:
    """The counts of a motion being voted on (a show of hands, or paper ballots tallied into counts; roll
    call: `roll_call_tally`). Counts adding up to more than those present are refused. The motion passes
    with more than half of those present (到会人员的过半数), else fails; the meeting goes on."""
    meeting = motion.meeting
    _require(actor, meeting)
    counts = (votes_for, votes_against, votes_abstain, votes_invalid)
    with transaction.atomic():
        meeting = relock(meeting)
        motion = relock(motion, "meeting")
        if motion.status != MotionStatus.VOTING:
            raise Conflict(_("该议题不在表决中；已计票的结果只能更正。"), code="motion_status")
        _counts_check(motion, counts)
        entry = TallyEntry.objects.create(
            motion=motion,
            kind=TallyKind.RECORDED,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            votes_invalid=votes_invalid,
            by=signed_in(actor),
        )
        _apply(motion, entry)
        transition(motion, _decide(motion), MOTION_TRANSITIONS)
        motion.decided_at = timezone.now()
        motion.save(
            update_fields=[
                "status",
                "votes_for",
                "votes_against",
                "votes_abstain",
                "votes_invalid",
                "decided_at",
            ]
        )
        transition(meeting, MeetingStatus.OPEN, MEETING_TRANSITIONS)
        meeting.save(update_fields=["status"])
        log(
            motion,
            "governance.motion.tallied",
            actor=actor,
            org_unit=meeting.unit,
            data={"counts": list(counts), "present": motion.present_at_vote, "result": motion.status},
        )
    return motion


def vote_cast(*, actor: Actor, motion: Motion, entry_id: Any, choice: str) -> Vote:
    """One person's vote in a roll call, recorded by the clerk; only those signed in vote, once each."""
    meeting = motion.meeting
    _require(actor, meeting)
    if choice not in VoteChoice.values:
        raise ValidationError(_("请选择赞成、反对或弃权。"), code="choice")
    with transaction.atomic():
        motion = relock(motion)
        if motion.mode != VoteMode.ROLL_CALL or motion.status != MotionStatus.VOTING:
            raise Conflict(_("该议题不在记名表决中。"), code="motion_status")
        entry = _entry(meeting, entry_id=entry_id)
        if entry.signed_in_at is None:
            raise ValidationError(
                _("%(name)s没有签到，不能表决。") % {"name": entry.name}, code="not_present"
            )
        if Vote.objects.filter(motion=motion, entry=entry).exists():
            raise Conflict(_("%(name)s已经表决。") % {"name": entry.name}, code="voted_twice")
        return Vote.objects.create(motion=motion, entry=entry, choice=choice)


def roll_call_tally(*, actor: Actor, motion: Motion) -> Motion:
    """A roll call's votes counted into the motion's counts (the counts are what is published)."""
    counts = {c: 0 for c in VoteChoice.values}
    for choice in Vote.objects.filter(motion=motion).values_list("choice", flat=True):
        counts[choice] += 1
    return tally_record(
        actor=actor,
        motion=motion,
        votes_for=counts[VoteChoice.FOR],
        votes_against=counts[VoteChoice.AGAINST],
        votes_abstain=counts[VoteChoice.ABSTAIN],
    )


def tally_correct(
    *,
    actor: Actor,
    motion: Motion,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    reason: str,
    votes_invalid: int = 0,
) -> TallyEntry:
    """A correction of a motion's counts, appended to its log with who, when and why; the earlier entries
    stay. Refused without a reason, after the meeting closed, or where it would exceed those present. The
    result follows the corrected counts; a motion that already adopted a text cannot be turned to failed."""
    meeting = motion.meeting
    _require(actor, meeting)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("更正计票须写明理由。"), code="reason")
    counts = (votes_for, votes_against, votes_abstain, votes_invalid)
    with transaction.atomic():
        meeting = relock(meeting)
        _not_closed(meeting)
        motion = relock(motion, "meeting")
        if motion.status not in (MotionStatus.PASSED, MotionStatus.FAILED):
            raise Conflict(_("该议题尚未计票，不能更正。"), code="motion_status")
        _counts_check(motion, counts)
        entry = TallyEntry.objects.create(
            motion=motion,
            kind=TallyKind.CORRECTED,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            votes_invalid=votes_invalid,
            reason=reason[:MAX_REASON],
            by=signed_in(actor),
        )
        before = motion.status
        _apply(motion, entry)
        after = _decide(motion)
        if after != before:
            if after == MotionStatus.FAILED and motion.adopted_versions.exists():
                raise Conflict(
                    _("该议题已据以通过文本，更正后将不能通过，请另行处理。"), code="motion_adopted"
                )
            transition(motion, after, MOTION_TRANSITIONS)
        motion.save(update_fields=["status", "votes_for", "votes_against", "votes_abstain", "votes_invalid"])
        log(
            motion,
            "governance.motion.corrected",
            actor=actor,
            org_unit=meeting.unit,
            data={"counts": list(counts), "reason": entry.reason, "before": before, "after": motion.status},
        )
    return entry
