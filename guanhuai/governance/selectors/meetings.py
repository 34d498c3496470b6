"""Reads of meetings, scoped by `governance.view` on the village: the meeting, its roll and search, the live
quorum (one row: the meeting's counters, kept by the sign-in service), the composition checks of the
representatives' meeting, a request's share, the tally log, and the public results (counts only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.governance import assembly_rules
from guanhuai.governance.assembly_rules import HOUSEHOLDS, Threshold
from guanhuai.governance.models import Delegate, Meeting, Motion, RollEntry, TallyEntry, VillagerGroup, Vote
from guanhuai.governance.permissions import VIEW
from guanhuai.governance.states import (
    ConvenedBy,
    DelegateRole,
    MeetingKind,
    MeetingStatus,
    MotionStatus,
    VoteChoice,
)
from guanhuai.registry.models import Household, Person
from guanhuai.registry.states import Sex


def meeting_list(*, actor: Actor, unit: Any = None, perm: str = VIEW) -> QuerySet[Meeting]:
    qs = scoping.scope(Meeting.objects.all(), actor, perm, unit_field="unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.select_related("unit").order_by("-scheduled_at", "-pk")


def meeting_get(*, actor: Actor, meeting_id: Any, perm: str = VIEW) -> Meeting:
    return scoping.get_or_404(
        Meeting.objects.select_related("unit", "group"), actor, perm, unit_field="unit", pk=meeting_id
    )


def motion_get(*, actor: Actor, motion_id: Any, perm: str = VIEW) -> Motion:
    meetings = scoping.scope(Meeting.objects.all(), actor, perm, unit_field="unit")
    motion = (
        Motion.objects.filter(pk=motion_id, meeting__in=meetings)
        .select_related("meeting__unit", "document_version__document")
        .first()
    )
    if motion is None:
        raise NotFound(_("未找到，或不在您的辖区内。"), code="not_found")
    return motion


def motion_list(*, meeting: Meeting, with_log: bool = False) -> QuerySet[Motion]:
    """The motions of a meeting already read through scoping; `with_log`: each with its tally log
    (`motion.log`, oldest first), in one more query."""
    qs = Motion.objects.filter(meeting=meeting).select_related("document_version").order_by("number")
    if with_log:
        qs = qs.prefetch_related(
            Prefetch(
                "tallies", queryset=TallyEntry.objects.select_related("by").order_by("id"), to_attr="log"
            )
        )
    return qs


def tally_log(*, motion: Motion) -> QuerySet[TallyEntry]:
    return TallyEntry.objects.filter(motion=motion).select_related("by").order_by("id")


# --- the roll ----------------------------------------------------------------------------------------------


def adult_cutoff(on: dt.date) -> dt.date:
    """The latest birth date of a person who is 18 on `on` (十八周岁以上 includes the birthday itself). A
    meeting on 29 February counts those born on 28 February eighteen years before."""
    year = on.year - assembly_rules.ADULT_AGE
    try:
        return on.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return on.replace(year=year, day=28)


def roll(*, meeting: Meeting, q: str = "", signed: bool | None = None) -> QuerySet[RollEntry]:
    """The roll of a meeting already read through scoping, searched by name, pinyin or code. Read from the
    meeting (`meeting.roll`), never as `RollEntry.objects`: the roll is guarded (docs/scoping.md)."""
    rows = meeting.roll.all()
    q = q.strip()
    if q:
        low = q.lower()
        rows = rows.filter(Q(name__contains=q) | Q(name_pinyin__startswith=low) | Q(code=q))
    if signed is not None:
        rows = rows.filter(signed_in_at__isnull=not signed)
    return rows.order_by("name_pinyin", "pk")


def roll_call(*, motion: Motion, q: str = "") -> QuerySet[RollEntry]:
    """Those signed in at a roll-call motion's meeting (already read through scoping), each with its vote on
    the motion so far (`voted`: the choice, or None), for the clerk's phone."""
    votes = Vote.objects.filter(motion=motion, entry=OuterRef("pk")).values("choice")[:1]
    return roll(meeting=motion.meeting, q=q, signed=True).annotate(voted=Subquery(votes))


def roll_call_counts(*, motion: Motion) -> dict[str, int]:
    """The votes cast so far in a roll call, by choice (every choice present, 0 when none)."""
    counts = dict.fromkeys(VoteChoice.values, 0)
    for row in Vote.objects.filter(motion=motion).values("choice").annotate(n=Count("pk")).order_by():
        counts[row["choice"]] = row["n"]
    return counts


def recent_sign_ins(*, meeting: Meeting, limit: int = 8) -> list[RollEntry]:
    return list(meeting.roll.filter(signed_in_at__isnull=False).order_by("-signed_in_at", "-pk")[:limit])


# --- the quorum --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alternative:
    threshold: Threshold
    count: int
    base: int

    @property
    def met(self) -> bool:
        return self.threshold.met(self.count, self.base)

    @property
    def needed(self) -> int:
        return self.threshold.needed(self.base)

    @property
    def short(self) -> int:
        return max(0, self.needed - self.count)


@dataclass(frozen=True)
class Quorum:
    meeting_id: int
    kind: str
    present: int
    roll_size: int
    alternatives: tuple[Alternative, ...]
    # A closed meeting's banner reports what the quorum was; it must no longer say "可以开会".
    closed: bool = False

    @property
    def met(self) -> bool:
        return any(a.met for a in self.alternatives)

    @property
    def sentence(self) -> str:
        """ "已到 512 / 应到 1,000 人，已过半数，可以开会", following the law's alternatives."""
        head = _("已到 %(present)s / 应到 %(size)s 人") % {
            "present": number_format(self.present, force_grouping=True),
            "size": number_format(self.roll_size, force_grouping=True),
        }
        if self.roll_size == 0:
            return _("尚未生成会议名册")
        if self.closed:
            if self.met:
                return _("会议已闭会：到会 %(present)s / 应到 %(size)s 人，达到法定人数") % {
                    "present": number_format(self.present, force_grouping=True),
                    "size": number_format(self.roll_size, force_grouping=True),
                }
            return _("会议已闭会：到会 %(present)s / 应到 %(size)s 人，未达到法定人数") % {
                "present": number_format(self.present, force_grouping=True),
                "size": number_format(self.roll_size, force_grouping=True),
            }
        for alt in self.alternatives:
            if alt.met:
                if alt.threshold.of == HOUSEHOLDS:
                    return _("%(head)s，%(done)s户代表已到，达到%(words)s，可以开会") % {
                        "head": head,
                        "done": number_format(alt.count, force_grouping=True),
                        "words": alt.threshold.words,
                    }
                share = (
                    _("已过半数")
                    if not alt.threshold.inclusive
                    else _("已达%(words)s") % {"words": alt.threshold.words}
                )
                return _("%(head)s，%(share)s，可以开会") % {"head": head, "share": share}
        first = self.alternatives[0]
        parts = [
            _("%(head)s，还差 %(n)s 人")
            % {"head": head, "n": number_format(first.short, force_grouping=True)}
        ]
        for alt in self.alternatives[1:]:
            if alt.threshold.of == HOUSEHOLDS:
                parts.append(
                    _("或户代表还差 %(n)s 户（已到 %(done)s / %(all)s 户）")
                    % {
                        "n": number_format(alt.short, force_grouping=True),
                        "done": number_format(alt.count, force_grouping=True),
                        "all": number_format(alt.base, force_grouping=True),
                    }
                )
        return "，".join(parts) + _("，未达到法定人数")


def quorum(meeting: Meeting) -> Quorum:
    """The quorum from the meeting's counters (no count over the roll)."""
    rules = assembly_rules.rules_for(meeting.kind)
    alternatives = tuple(
        Alternative(
            t,
            meeting.households_present if t.of == HOUSEHOLDS else meeting.present,
            meeting.roll_households if t.of == HOUSEHOLDS else meeting.roll_size,
        )
        for t in rules.quorum
    )
    return Quorum(
        meeting.pk,
        meeting.kind,
        meeting.present,
        meeting.roll_size,
        alternatives,
        closed=meeting.status == MeetingStatus.CLOSED,
    )


def quorum_counted(meeting: Meeting) -> Quorum:
    """The same figures counted from the roll itself (the check of the counters, and the benchmark's naive
    way)."""
    rows = meeting.roll.filter(signed_in_at__isnull=False)
    counted = Meeting(
        pk=meeting.pk,
        kind=meeting.kind,
        status=meeting.status,
        roll_size=meeting.roll.count(),
        roll_households=meeting.roll.filter(household__isnull=False)
        .values("household_id")
        .distinct()
        .count(),
        present=rows.count(),
        households_present=rows.filter(for_household=True).count(),
    )
    if meeting.kind == MeetingKind.REPRESENTATIVES_MEETING:
        counted.roll_households = 0
    return quorum(counted)


# --- composition of the representatives' meeting (art. 25) -------------------------------------------------


@dataclass(frozen=True)
class Check:
    title: str
    article: str | Promise  # the law's article, translated when shown
    ok: bool
    explanation: str


def delegates(*, unit: Any, on: dt.date | None = None) -> QuerySet[Delegate]:
    """The current members of a village's representatives' meeting (the village read through scoping)."""
    on = on or timezone.localdate()
    return (
        Delegate.objects.unscoped("the village was read through scoping")
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on), unit=unit, started_on__lte=on)
        .select_related("person")
        .order_by("role", "person__name_pinyin")
    )


def groups(*, unit: Any) -> QuerySet[VillagerGroup]:
    """A village's villager groups (the village read through scoping), with their household counts."""
    return (
        VillagerGroup.objects.unscoped("the village was read through scoping")
        .filter(unit=unit)
        .annotate(household_count=Count("households"))
        .order_by("name", "pk")
    )


def composition(*, unit: Any, on: dt.date | None = None) -> list[Check]:
    """The law's composition checks, each shown with its article and, when violated, why."""
    rows = list(delegates(unit=unit, on=on).values("role", "person__sex", "households"))
    members = len(rows)
    reps = [r for r in rows if r["role"] == DelegateRole.REPRESENTATIVE]
    women = sum(1 for r in reps if r["person__sex"] == Sex.FEMALE)
    rules = assembly_rules
    households = (
        Household.objects.unscoped("the village was read through scoping").filter(org_unit=unit).count()
    )
    checks = []
    need = rules.REPRESENTATIVES_SHARE.needed(members)
    checks.append(
        Check(
            str(rules.REPRESENTATIVES_SHARE.words),
            rules.REPRESENTATIVES_SHARE.article,
            rules.REPRESENTATIVES_SHARE.met(len(reps), members),
            _("组成人员%(m)s人，其中村民代表%(r)s人；五分之四以上须至少%(need)s人。")
            % {"m": members, "r": len(reps), "need": need},
        )
    )
    need = rules.WOMEN_SHARE.needed(members)
    checks.append(
        Check(
            str(rules.WOMEN_SHARE.words),
            rules.WOMEN_SHARE.article,
            rules.WOMEN_SHARE.met(women, members),
            _("组成人员%(m)s人，其中妇女村民代表%(w)s人；三分之一以上须至少%(need)s人。")
            % {"m": members, "w": women, "need": need},
        )
    )
    low, high = rules.HOUSEHOLDS_PER_REPRESENTATIVE
    outside = [r for r in reps if r["households"] is not None and not low <= r["households"] <= high]
    in_range = bool(reps) and low * len(reps) <= households <= high * len(reps) and not outside
    explanation = _(
        "本村%(h)s户，村民代表%(r)s名，每名代表应由%(low)s至%(high)s户推选，即代表须在%(min)s至%(max)s名之间。"
    ) % {
        "h": households,
        "r": len(reps),
        "low": low,
        "high": high,
        "min": -(-households // high),
        "max": households // low,
    }
    if outside:
        explanation += _("另有%(n)s名代表登记的推选户数不在%(low)s至%(high)s户之间。") % {
            "n": len(outside),
            "low": low,
            "high": high,
        }
    checks.append(
        Check(str(_("每五户至十五户推选一名村民代表")), rules.HOUSEHOLDS_ARTICLE, in_range, explanation)
    )
    return checks


@dataclass(frozen=True)
class RequestCheck:
    signatories: int
    base: int
    needed: int
    met: bool
    words: str
    article: str | Promise


def request_check(*, meeting: Meeting) -> RequestCheck | None:
    """Whether the recorded request reaches the law's share (1/10 of villagers or 1/3 of representatives)."""
    request = getattr(meeting, "request", None)
    if request is None:
        return None
    rules = assembly_rules.rules_for(meeting.kind)
    of = (
        assembly_rules.REPRESENTATIVES
        if meeting.convened_by == ConvenedBy.REPRESENTATIVES
        else assembly_rules.ADULTS
    )
    threshold = next((t for t in rules.request if t.of == of), None)
    if threshold is None:
        return None
    on = timezone.localdate(meeting.scheduled_at)
    if of == assembly_rules.REPRESENTATIVES:
        base = delegates(unit=meeting.unit, on=on).filter(role=DelegateRole.REPRESENTATIVE).count()
    else:
        base = (
            Person.objects.unscoped("the village was read through scoping")
            .filter(org_unit=meeting.unit, died_on__isnull=True, birth_date__lte=adult_cutoff(on))
            .count()
        )
    # counted on the link table: Person's guarded manager would refuse the related count (the meeting was read
    # through scoping, and its signatories were checked against its village when recorded)
    n = request.signatories.through.objects.filter(meetingrequest=request).count()
    return RequestCheck(
        n, base, threshold.needed(base), threshold.met(n, base), str(threshold.words), threshold.article
    )


# --- publication (村务公开) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedResult:
    """One motion's result. `meeting_id` tells which meeting it was (two meetings of a village may share a
    title and a day): the portal anchors and links each result by it, and counts assemblies by it."""

    meeting_id: int
    village_code: str
    village: str
    meeting: str
    kind: str
    held_on: dt.date
    roll_size: int
    present: int
    motion: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    votes_invalid: int
    passed: bool


def published_results(*, unit: Any = None) -> list[PublishedResult]:
    """For the public portal (no login): the results of closed meetings, as counts only. Never who voted
    how: roll-call votes (`Vote`) are not read here. Public by law (村务公开), so not scoped by an actor;
    `unit` narrows to a subtree."""
    qs = Motion.objects.filter(
        meeting__in=Meeting.objects.unscoped("public: closed meetings' results (村务公开)").filter(
            status=MeetingStatus.CLOSED
        ),
        status__in=[MotionStatus.PASSED, MotionStatus.FAILED],
    )
    if unit is not None:
        qs = qs.filter(meeting__unit__path__startswith=unit.path)
    rows = qs.select_related("meeting__unit").order_by("-meeting__scheduled_at", "meeting_id", "number")
    return [
        PublishedResult(
            meeting_id=m.meeting_id,
            village_code=m.meeting.unit.code,
            village=m.meeting.unit.name,
            meeting=m.meeting.title,
            kind=str(MeetingKind(m.meeting.kind).label),
            held_on=timezone.localdate(m.meeting.scheduled_at),
            roll_size=m.meeting.roll_size,
            present=m.present_at_vote or 0,
            motion=m.title,
            votes_for=m.votes_for or 0,
            votes_against=m.votes_against or 0,
            votes_abstain=m.votes_abstain or 0,
            votes_invalid=m.votes_invalid or 0,
            passed=m.status == MotionStatus.PASSED,
        )
        for m in rows
    ]
