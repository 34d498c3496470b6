"""The association's own records. Every row belongs to a branch (`org_unit`, an `orgs.OrgUnit`), which is
what scoping ranges over; a row follows its branch when the branch is merged (receivers.py).

This module holds the records the parts of the app share: members and cadres (a training course enrols
them, a liaison pairing names a cadre). Each part adds its own models below its own heading."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.association.states import Employment, MemberKind, MemberStatus
from guanhuai.core.constraints import ends_after
from guanhuai.core.scopes import ScopedManager


class Member(models.Model):
    """A member (会员) of one branch. An individual member is linked to the registry's person where one
    exists; one recorded standalone (or a group member, 团体会员) carries its own name. The status changes
    only through services, by dated rules (re-registration, death, transfer), never by hand."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    kind = models.CharField(
        _("会员类型"), max_length=12, choices=MemberKind.choices, default=MemberKind.INDIVIDUAL
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("人员"),
    )
    name = models.CharField(_("姓名/名称"), max_length=100)
    card_no = models.CharField(_("会员证号"), max_length=32)
    status = models.CharField(
        _("状态"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    joined_on = models.DateField(_("入会日期"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Part 1 (members): the member group (会员小组) of a village member, and the membership this one
    # continues after a transfer (the old row keeps its status 转出: a move never rewrites history).
    group = models.ForeignKey(
        "association.MemberGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("会员小组"),
    )
    transferred_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="transferred_to"
    )

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("会员")
        verbose_name_plural = _("会员")
        indexes = [models.Index(fields=["org_unit", "status"], name="member_unit_status")]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "card_no"], name="member_card_unique"),
            # One active membership per person per branch (a second is refused with a message first).
            models.UniqueConstraint(
                fields=["org_unit", "person"],
                condition=Q(status=MemberStatus.ACTIVE, person__isnull=False),
                name="member_one_active_per_person",
            ),
            ends_after("joined_on", "ended_on", name="member_ended_after_joined"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.card_no}）"


class Cadre(models.Model):
    """An association cadre (协会干部) at one branch: full-time or part-time, with a position and the dates
    they held it. Leaving sets `left_on`; the row is never deleted, so turnover can be counted per year."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("人员"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("系统账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    employment = models.CharField(_("专兼职"), max_length=10, choices=Employment.choices)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    appointed_on = models.DateField(_("任职日期"))
    left_on = models.DateField(_("离任日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("协会干部")
        verbose_name_plural = _("协会干部")
        indexes = [models.Index(fields=["org_unit", "left_on"], name="cadre_unit_left")]
        constraints = [
            ends_after("appointed_on", "left_on", name="cadre_left_after_appointed"),
        ]

    def __str__(self) -> str:
        return self.name


# Volunteers, care for special families and the health commission (models_care.py).
from guanhuai.association.models_care import (  # noqa: E402
    ActionItem,
    CareArrangement,
    DelegatedTask,
    FollowUp,
    JointMeeting,
    Visit,
    Volunteer,
    VolunteerService,
    VolunteerTeam,
)

# --- part 1: registration, governing bodies, member groups, campaigns, Members' Day (models_members.py) -----
from guanhuai.association.models_members import (  # noqa: E402
    Body,
    Campaign,
    CampaignEntry,
    CardSequence,
    MemberGroup,
    MembersDayEvent,
    Registration,
    Seat,
)

__all__ = [
    "ActionItem",
    "Body",
    "Cadre",
    "Campaign",
    "CareArrangement",
    "DelegatedTask",
    "FollowUp",
    "JointMeeting",
    "CampaignEntry",
    "CardSequence",
    "Member",
    "MemberGroup",
    "MembersDayEvent",
    "Registration",
    "Seat",
    "Visit",
    "Volunteer",
    "VolunteerService",
    "VolunteerTeam",
]
# --- training (models_training.py) -----------------------------------------------------------------------------
# --- member import (models_imports.py) ------------------------------------------------------------------------
from guanhuai.association.models_imports import MemberImport, MemberImportRow  # noqa: E402, F401
from guanhuai.association.models_training import (  # noqa: E402, F401
    Attendance,
    Certificate,
    Course,
    CourseEnrolment,
    CourseSession,
    SignInCode,
    Trainer,
    TrainingTopic,
)
