"""The demo's villagers' assembly: the home village (富龙村) holds the assembly that revises its village rules.

- The roll is built from the demo registry on the meeting date (held three days ago, notice twelve days
  before it);
- villagers sign in until the quorum is reached (more than half of the adults), with a few to spare;
- the motion to adopt the revised village rules passes by a count, with a correction of the tally appended
  (a miscounted row of hands), the meeting is closed and its minutes approved by the chair and the recorder;
- the revision is adopted through the documents' `adopt_and_file(motion=...)` (governance_documents), which
  also files it with the township, so the portal publishes it.

Built once, through the services, so everything is audited. Runs after the documents' demo."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.models import User
from guanhuai.governance import selectors, services
from guanhuai.governance.models import Meeting, RollEntry
from guanhuai.governance.states import MeetingKind, MeetingStatus
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry.models import Household
from guanhuai.web.demo import governance_designations, governance_documents
from guanhuai.web.demo.province import HOME_VILLAGE

SPARE = 4  # signed in beyond the quorum: "a few to spare"


@dataclass
class AssemblySummary:
    roll: int = 0
    present: int = 0
    needed: int = 0
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    adopted: bool = False
    skipped: str = ""


def demo_build() -> AssemblySummary:
    clerk = User.objects.filter(username="cun_zhuanguan").first()
    officer = User.objects.filter(username="zizhi").first()
    village = OrgUnit.objects.filter(code=HOME_VILLAGE).first()
    draft = governance_documents.revision_draft()
    if clerk is None or officer is None or village is None:
        return AssemblySummary(skipped=_("没有演示村和村级专干账号，不建立演示村民会议。"))
    if draft is None or not Household.objects.unscoped("demo").filter(org_unit=village).exists():
        # The registry's demo comes later (a staged build): the roll would be empty, so the meeting waits.
        return AssemblySummary(skipped=_("演示村尚无户籍数据，暂不建立演示村民会议。"))
    if Meeting.objects.unscoped("demo").filter(unit=village, status=MeetingStatus.CLOSED).exists():
        return AssemblySummary(skipped=_("演示村民会议已存在。"))
    held = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(days=3)
    # The documents' demo left an assembly in preparation for the revision: this is the one held.
    meeting = (
        Meeting.objects.unscoped("demo")
        .filter(unit=village, kind=MeetingKind.VILLAGERS_ASSEMBLY, status=MeetingStatus.DRAFT)
        .order_by("pk")
        .first()
    )
    if meeting is None:
        meeting = services.meeting_create(
            actor=clerk,
            unit=village,
            kind=MeetingKind.VILLAGERS_ASSEMBLY,
            title=_("%(village)s村民会议（修订村规民约）") % {"village": village.name},
            scheduled_at=held,
        )
    else:  # a meeting in preparation, nothing recorded on it yet: its date moves to when it was held
        Meeting.objects.unscoped("demo").filter(pk=meeting.pk).update(scheduled_at=held)
        meeting.refresh_from_db()
    summary = AssemblySummary()
    summary.roll = services.roll_build(actor=clerk, meeting=meeting)
    services.meeting_convene(
        actor=clerk,
        meeting=meeting,
        agenda=_("一、审议村规民约修订草案（完善垃圾分类条款）\n二、表决通过修订后的村规民约"),
        notice_at=held - dt.timedelta(days=12),
    )
    meeting = services.meeting_open(actor=clerk, meeting=meeting, chair_name="何志明", recorder_name="黄桂兰")
    state = selectors.quorum(meeting)
    summary.needed = state.alternatives[0].needed
    # Whole households arrive together (the roll in household order), so about half the households are
    # represented and the adults' majority is what makes the quorum.
    ids = (
        RollEntry.objects.filter(meeting=meeting).order_by("household_id", "pk").values_list("pk", flat=True)
    )
    for entry_id in list(ids[: summary.needed + SPARE]):
        services.sign_in(actor=clerk, meeting=meeting, entry_id=entry_id)
    meeting.refresh_from_db()
    summary.present = meeting.present
    motion = services.motion_create(
        actor=clerk, meeting=meeting, title=_("表决通过修订后的村规民约"), document_version=draft
    )
    services.motion_voting_open(actor=clerk, motion=motion)
    against, abstain = max(1, summary.present // 12), max(1, summary.present // 20)
    services.tally_record(
        actor=clerk,
        motion=motion,
        votes_for=summary.present - against - abstain - 1,
        votes_against=against + 1,
        votes_abstain=abstain,
    )
    motion = services.tally_correct(
        actor=clerk,
        motion=motion,
        votes_for=summary.present - against - abstain,
        votes_against=against,
        votes_abstain=abstain,
        reason=_("第三排一位村民举手赞成被误记为反对，经唱票复核更正"),
    ).motion
    summary.votes_for, summary.votes_against, summary.votes_abstain = (
        motion.votes_for or 0,
        motion.votes_against or 0,
        motion.votes_abstain or 0,
    )
    services.meeting_close(actor=clerk, meeting=meeting)
    minutes = _(
        "应到%(roll)s人，实到%(present)s人，超过半数。表决修订后的村规民约：赞成%(f)s，反对%(a)s，弃权%(ab)s，通过。"
    ) % {
        "roll": summary.roll,
        "present": summary.present,
        "f": summary.votes_for,
        "a": summary.votes_against,
        "ab": summary.votes_abstain,
    }
    services.minutes_approve(actor=clerk, meeting=meeting, role="recorder", minutes=minutes)
    services.minutes_approve(actor=officer, meeting=meeting, role="chair")
    if draft is not None:
        governance_documents.adopt_and_file(motion=motion)
        summary.adopted = True
    return summary


def build_and_print(command: BaseCommand) -> None:
    _print_assembly(command)
    # the demonstration villages read the filed rules and the assembly, so they come after
    governance_designations.build_and_print(command)


def _print_assembly(command: BaseCommand) -> None:
    summary = demo_build()
    if summary.skipped:
        command.stdout.write(summary.skipped)
        return
    command.stdout.write(
        _(
            "演示村民会议：应到 %(roll)d 人，过半数须 %(need)d 人，实到 %(present)d 人；修订后的村规民约"
            "赞成 %(f)d、反对 %(a)d、弃权 %(ab)d，%(done)s。"
        )
        % {
            "roll": summary.roll,
            "need": summary.needed,
            "present": summary.present,
            "f": summary.votes_for,
            "a": summary.votes_against,
            "ab": summary.votes_abstain,
            "done": _("已通过并报乡镇备案") if summary.adopted else _("已通过"),
        }
    )
