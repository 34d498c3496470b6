"""Volunteers, care for special families ("三个全覆盖": liaisons, a family-doctor contract, a medical fast
lane), visits with follow-ups, and the work with the health commission (joint meetings, action items,
delegated tasks).

A special family is a registry household with a living person whose derived `special_status` is bereaved
(失独) or disabled-child (伤残). Nothing here copies that status: coverage is computed from the registry each
time (selectors/care.py), so a family that becomes special through a registry event shows in the gaps at
once, and one that stops being special leaves them. Each care record hangs off the household and carries
its village (`org_unit`), which is what scoping ranges over."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.association.states import (
    ActionStatus,
    CoverageKind,
    DelegatedStatus,
    FollowUpStatus,
    LiaisonLevel,
    VisitKind,
)
from guanhuai.core.constraints import ends_after
from guanhuai.core.scopes import ScopedManager


class _Dated(models.Model):
    """A record in force from `starts_on` until `ends_on` (open-ended when empty)."""

    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        abstract = True


class VolunteerTeam(models.Model):
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    name = models.CharField(_("队伍名称"), max_length=100)
    leader = models.CharField(_("队长"), max_length=50, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("志愿者队伍")
        verbose_name_plural = _("志愿者队伍")
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"], name="volunteerteam_unique_name")]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    team = models.ForeignKey(
        VolunteerTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("队伍"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        constraints = [ends_after("joined_on", "left_on", name="volunteer_left_after_joined")]

    def __str__(self) -> str:
        return self.name


class VolunteerService(models.Model):
    """One stint of service: for a family (a household) or for an activity (free text)."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="services", verbose_name=_("志愿者")
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1)
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务家庭"),
    )
    activity = models.CharField(_("服务内容"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="volunteerservice_hours_in_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.activity}"


class CareArrangement(_Dated):
    """One of the three coverages of a special family: a liaison pairing (结对联系人), a family-doctor contract
    (家庭医生签约) or a medical fast lane (就医绿色通道). One table, because coverage asks the same question of
    each ("is one in force today for this household?"), and one indexed EXISTS answers it for all three."""

    # The reverse name lets the coverage queries join a household's arrangements (selectors/care.py); the
    # registry itself never uses it.
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="care_arrangements",
        verbose_name=_("家庭"),
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)")
    )
    kind = models.CharField(_("类别"), max_length=10, choices=CoverageKind.choices)
    # A liaison: the cadre (when on record) and their name, and whether they are the township's or village's.
    cadre = models.ForeignKey(
        "association.Cadre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("干部"),
    )
    liaison_level = models.CharField(_("联系人层级"), max_length=10, choices=LiaisonLevel.choices, blank=True)
    # The liaison's or the doctor's name.
    person_name = models.CharField(_("联系人/医生"), max_length=50, blank=True)
    # The doctor's institution or the fast lane's hospital.
    institution = models.CharField(_("机构/医院"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("关爱覆盖")
        verbose_name_plural = _("关爱覆盖")
        indexes = [models.Index(fields=["household", "kind", "starts_on"], name="care_household_kind")]
        constraints = [
            ends_after("starts_on", "ends_on", name="care_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_name or self.institution}"


class Visit(models.Model):
    """A visit (走访慰问) to a special family. `needs` is sensitive: masked in lists, audited when opened."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("家庭")
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)")
    )
    visited_on = models.DateField(_("走访日期"))
    visitors = models.CharField(_("走访人"), max_length=200)
    kind = models.CharField(_("走访类型"), max_length=12, choices=VisitKind.choices)
    needs = models.TextField(_("了解到的需求"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("走访慰问")
        verbose_name_plural = _("走访慰问")
        indexes = [models.Index(fields=["org_unit", "visited_on"], name="visit_unit_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_on}"


class FollowUp(models.Model):
    """Something a visit found that someone must do by a date; an overdue one is on its owner's work queue."""

    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("走访")
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)")
    )
    action = models.CharField(_("跟进事项"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("负责人")
    )
    due_on = models.DateField(_("期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("处理情况"), max_length=200, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("走访跟进")
        verbose_name_plural = _("走访跟进")
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="followup_owner_due")]

    def __str__(self) -> str:
        return self.action


class JointMeeting(models.Model):
    """A joint meeting (联席会议) with the health commission at one level."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("召开单位")
    )
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=200)
    attendees = models.TextField(_("参会人员"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    decisions = models.TextField(_("议定事项"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ActionItem(models.Model):
    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.PROTECT, related_name="actions", verbose_name=_("会议")
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("召开单位")
    )
    title = models.CharField(_("事项"), max_length=200)
    owner = models.CharField(_("责任单位/人"), max_length=100)
    due_on = models.DateField(_("期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("会议事项")
        verbose_name_plural = _("会议事项")

    def __str__(self) -> str:
        return self.title


class DelegatedTask(models.Model):
    """Work the government hands to the association (承接政府转移职能), with its agreement and deliverables."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("承接单位")
    )
    title = models.CharField(_("承接事项"), max_length=200)
    agreement = models.CharField(_("协议"), max_length=200)
    agreed_on = models.DateField(_("签订日期"))
    due_on = models.DateField(_("完成期限"))
    deliverables = models.TextField(_("交付内容"))
    status = models.CharField(
        _("状态"), max_length=12, choices=DelegatedStatus.choices, default=DelegatedStatus.AGREED
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("承接事项")
        verbose_name_plural = _("承接事项")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("agreed_on")), name="delegated_due_after_agreed"
            )
        ]

    def __str__(self) -> str:
        return self.title
