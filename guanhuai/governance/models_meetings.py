"""Meetings of villagers and their motions: the minimal frame that documents need (a version is adopted by a
passed motion of a meeting of the right kind). The assemblies' part extends these tables: rules per kind as
data, the roll, attendance, quorum, tallies and their corrections, minutes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.governance.states import (
    ConvenedBy,
    DelegateRole,
    MeetingKind,
    MeetingStatus,
    MotionStatus,
    SignInVia,
    TallyKind,
    VoteChoice,
    VoteMode,
)


class Meeting(models.Model):
    """A meeting of one village (or community): a villagers' assembly, a representatives' meeting or a
    villager-group meeting. `unit` is the village; scoping ranges over it."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)")
    )
    kind = models.CharField(_("会议类别"), max_length=32, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    scheduled_at = models.DateTimeField(_("召开时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # --- the assemblies' part: group, convening, roll figures, live counters, closing and minutes ---
    group = models.ForeignKey(
        "governance.VillagerGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("村民小组"),
    )
    agenda = models.TextField(_("议程"), blank=True)
    convened_by = models.CharField(
        _("召集方式"), max_length=24, choices=ConvenedBy.choices, default=ConvenedBy.COMMITTEE
    )
    notice_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    short_notice_reason = models.TextField(_("不足法定通知期的理由"), blank=True)
    # The roll (RollEntry rows) is built on the meeting date; these are its figures, the quorum's bases.
    roll_date = models.DateField(_("名册日期"), null=True, blank=True)
    roll_size = models.PositiveIntegerField(_("应到人数"), default=0)
    roll_households = models.PositiveIntegerField(_("应到户数"), default=0)
    # Live counters, kept by the sign-in service in the same transaction (one row to read for the banner).
    present = models.PositiveIntegerField(_("已到人数"), default=0)
    households_present = models.PositiveIntegerField(_("已到户代表"), default=0)
    opened_at = models.DateTimeField(_("开会时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("闭会时间"), null=True, blank=True)
    chair_name = models.CharField(_("主持人"), max_length=50, blank=True)
    recorder_name = models.CharField(_("记录人"), max_length=50, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    minutes_chair_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_chair_approved_at = models.DateTimeField(_("主持人确认时间"), null=True, blank=True)
    minutes_recorder_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_recorder_approved_at = models.DateTimeField(_("记录人确认时间"), null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        indexes = [models.Index(fields=["unit", "scheduled_at"], name="gov_meeting_unit_date")]

    def __str__(self) -> str:
        return self.title


class Motion(models.Model):
    """A motion put to a meeting. A motion that would adopt a document names the draft version; once passed,
    `services.version_adopt(motion=...)` adopts it and the version keeps the link."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="motions", verbose_name=_("会议")
    )
    number = models.PositiveSmallIntegerField(_("议题序号"))
    title = models.CharField(_("议题"), max_length=200)
    document_version = models.ForeignKey(
        "governance.DocumentVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="motions",
        verbose_name=_("表决的文本版本"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=MotionStatus.choices, default=MotionStatus.PROPOSED
    )
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # --- the assemblies' part ---
    mode = models.CharField(_("表决方式"), max_length=16, choices=VoteMode.choices, default=VoteMode.COUNTS)
    votes_invalid = models.PositiveIntegerField(_("无效票"), null=True, blank=True)
    # Those present when voting on the motion opened: the base of "到会人员的过半数".
    present_at_vote = models.PositiveIntegerField(_("表决时到会人数"), null=True, blank=True)
    decided_at = models.DateTimeField(_("表决结果时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="gov_motion_unique_number"),
            models.CheckConstraint(
                condition=~Q(status=MotionStatus.PASSED) | Q(votes_for__isnull=False),
                name="gov_motion_passed_has_votes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class VillagerGroup(models.Model):
    """A villager group (村民小组) of a village and its households: the electorate of a group meeting."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)")
    )
    name = models.CharField(_("小组名称"), max_length=50)
    households = models.ManyToManyField("registry.Household", related_name="+", verbose_name=_("户"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村民小组")
        verbose_name_plural = _("村民小组")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="gov_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class Delegate(models.Model):
    """A member of the village's representatives' meeting: a committee member or a villagers'
    representative (村民代表, chosen by 5–15 households, `households`). Current while `ended_on` is empty."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)")
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员")
    )
    role = models.CharField(_("身份"), max_length=16, choices=DelegateRole.choices)
    households = models.PositiveSmallIntegerField(_("推选户数"), null=True, blank=True)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村民代表会议组成人员")
        verbose_name_plural = _("村民代表会议组成人员")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "person"], condition=Q(ended_on__isnull=True), name="gov_delegate_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.role}"


class MeetingRequest(models.Model):
    """The request (提议) that made the committee convene a meeting, with its signatories."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="request")
    received_on = models.DateField(_("收到提议日期"))
    note = models.TextField(_("提议事项"), blank=True)
    signatories = models.ManyToManyField("registry.Person", related_name="+", verbose_name=_("提议人"))

    class Meta:
        verbose_name = _("召开会议的提议")
        verbose_name_plural = _("召开会议的提议")

    def __str__(self) -> str:
        return str(self.meeting_id)


class RollEntry(models.Model):
    """One person on a meeting's roll, built from the registry on the meeting date (services.roll_build,
    one INSERT … SELECT), and their sign-in. `code` is the person's short code for the meeting (printed on
    the notice slip and as a QR code); `household_rep` marks the household's designated representative (the
    head, unless the clerk chose another member at sign-in)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="roll")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=120)
    sex = models.CharField(_("性别"), max_length=6)
    role = models.CharField(
        _("身份"), max_length=16, blank=True
    )  # DelegateRole for a representatives' meeting
    code = models.CharField(_("签到码"), max_length=12)
    household_rep = models.BooleanField(_("户代表"), default=False)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    via = models.CharField(_("签到方式"), max_length=8, choices=SignInVia.choices, blank=True)
    # Represents the household at this meeting (counts towards "三分之二以上的户的代表"); one per household.
    for_household = models.BooleanField(_("代表本户"), default=False)
    proxy = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("受托人")
    )
    proxy_letter = models.FileField(_("书面委托书"), upload_to="governance/proxies/%Y/", blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("会议名册")
        verbose_name_plural = _("会议名册")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="gov_roll_unique_person"),
            models.UniqueConstraint(fields=["meeting", "code"], name="gov_roll_unique_code"),
            models.UniqueConstraint(
                fields=["meeting", "household"],
                condition=Q(for_household=True),
                name="gov_roll_one_per_household",
            ),
        ]
        indexes = [models.Index(fields=["meeting", "name_pinyin"], name="gov_roll_pinyin")]

    def __str__(self) -> str:
        return self.name


class TallyEntry(models.Model):
    """The log of a motion's counts: the first record and every correction after it, appended, never
    overwritten (who, when, why). The motion's `votes_*` are the newest entry's figures."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="tallies")
    kind = models.CharField(_("类别"), max_length=12, choices=TallyKind.choices)
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    votes_abstain = models.PositiveIntegerField(_("弃权"))
    votes_invalid = models.PositiveIntegerField(_("无效票"), default=0)
    reason = models.TextField(_("更正理由"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("计票记录")
        verbose_name_plural = _("计票记录")
        ordering = ["motion", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=TallyKind.CORRECTED) | ~Q(reason=""), name="gov_tally_correction_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.motion_id}:{self.kind}"


class Vote(models.Model):
    """A roll-call vote of one person on one motion. Never published: the publication selector reads the
    motion's counts only."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="votes")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("表决意见"), max_length=8, choices=VoteChoice.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("记名表决")
        verbose_name_plural = _("记名表决")
        constraints = [models.UniqueConstraint(fields=["motion", "entry"], name="gov_vote_once")]

    def __str__(self) -> str:
        return f"{self.motion_id}:{self.entry_id}"
