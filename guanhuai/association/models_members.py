"""Part 1 of the association app: a branch's registration, its governing bodies with numbered terms, member
groups, card-number sequences, re-registration campaigns and Members' Day events. `Member` and `Cadre`
themselves are in models.py (shared by every part).

Nothing here is overwritten: a new term of a body closes the old one (its `ended_on`), a post held ends
with its `ceased_on`, a transferred member keeps the old row (status 转出) and the new one points back at
it (`Member.transferred_from`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.association.states import BodyKind, CampaignStatus, MembersDayKind, Position
from guanhuai.core.constraints import ends_after
from guanhuai.core.scopes import ScopedManager


class Registration(models.Model):
    """The registration (登记信息) of one association branch: founding date, legal-person status, address,
    contacts and the charter version in force. One row per branch, edited through a service (audited)."""

    org_unit = models.OneToOneField(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    legal_person = models.BooleanField(_("具有法人资格"), default=False)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    # The association's office telephone, not a person's: shown as typed.
    contact_phone = models.CharField(_("办公电话"), max_length=20, blank=True)
    charter_version = models.CharField(_("现行章程版本"), max_length=100, blank=True)
    charter_adopted_on = models.DateField(_("章程通过日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("协会登记信息")
        verbose_name_plural = _("协会登记信息")

    def __str__(self) -> str:
        return str(self.org_unit_id)


class Body(models.Model):
    """One term (届) of a governing body of a branch: a members' congress, the council or the standing
    council. At most one open term per branch and kind; opening the next one closes it."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    kind = models.CharField(_("机构"), max_length=20, choices=BodyKind.choices)
    term = models.PositiveSmallIntegerField(_("届次"))
    started_on = models.DateField(_("产生日期"))
    ended_on = models.DateField(_("届满日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("理事机构届次")
        verbose_name_plural = _("理事机构届次")
        ordering = ["kind", "-term"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "kind", "term"], name="body_term_unique"),
            models.UniqueConstraint(
                fields=["org_unit", "kind"], condition=Q(ended_on__isnull=True), name="body_one_open_term"
            ),
            models.CheckConstraint(condition=Q(term__gte=1), name="body_term_positive"),
            ends_after("started_on", "ended_on", name="body_ended_after_started"),
        ]

    def __str__(self) -> str:
        return _("第%(term)d届%(kind)s") % {"term": self.term, "kind": self.get_kind_display()}


class Seat(models.Model):
    """A post held in one term of a body (会长, 秘书长, 理事…) from its designation to its ceased date.
    `org_unit` repeats the body's branch, so seats are scoped by one indexed range like every row."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="seats", verbose_name=_("届次"))
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    position = models.CharField(_("职务"), max_length=24, choices=Position.choices)
    name = models.CharField(_("姓名"), max_length=50)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    designated_on = models.DateField(_("任职日期"))
    ceased_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["designated_on", "pk"]
        indexes = [models.Index(fields=["org_unit", "position"], name="seat_unit_position")]
        constraints = [
            ends_after("designated_on", "ceased_on", name="seat_ceased_after_designated"),
        ]

    def __str__(self) -> str:
        return f"{self.get_position_display()} {self.name}"


class MemberGroup(models.Model):
    """A member group (会员小组) of a village association, led by one of its members."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    name = models.CharField(_("小组名称"), max_length=50)
    leader = models.ForeignKey(
        "association.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("组长"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("会员小组")
        verbose_name_plural = _("会员小组")
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"], name="member_group_name_unique")]

    def __str__(self) -> str:
        return self.name


class CardSequence(models.Model):
    """The last member card number handed out by one branch: `<division code>-<6 digits>`. Taken under
    a row lock, a range at a time for an import, and never reused (a withdrawn member's number stays his)."""

    org_unit = models.OneToOneField("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.org_unit_id}:{self.last}"


class Campaign(models.Model):
    """A re-registration campaign (会员再登记) over a branch's subtree. Opening it snapshots every active
    member into `CampaignEntry` (a durable job); villages confirm their entries; closing it at the deadline
    lapses every unconfirmed member in one set-based UPDATE (another durable job)."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起协会")
    )
    title = models.CharField(_("名称"), max_length=100)
    opened_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.PREPARING
    )
    lapsed = models.PositiveIntegerField(_("逾期未登记人数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("会员再登记")
        verbose_name_plural = _("会员再登记")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gte=models.F("opened_on")), name="campaign_deadline")
        ]

    def __str__(self) -> str:
        return self.title


class CampaignEntry(models.Model):
    """One member to re-register in a campaign, with the branch (village) that confirms it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="entries")
    member = models.ForeignKey("association.Member", on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="campaign_entry_unique"),
        ]
        indexes = [models.Index(fields=["campaign", "org_unit"], name="campaign_entry_unit")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.member_id}"


class MembersDayEvent(models.Model):
    """An activity of Members' Day (5·29 会员活动日): date, branch, kind, participants."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("举办协会")
    )
    held_on = models.DateField(_("活动日期"))
    kind = models.CharField(_("活动类型"), max_length=20, choices=MembersDayKind.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    participants = models.PositiveIntegerField(_("参加人数"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("会员活动日")
        verbose_name_plural = _("会员活动日")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title
