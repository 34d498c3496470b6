"""Statuses of the association's records and their allowed transitions (checked through
`core.states.transition` / `check`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    LAPSED = "lapsed", _("未再登记")
    WITHDRAWN = "withdrawn", _("退会")
    TRANSFERRED_OUT = "transferred_out", _("转出")
    DECEASED = "deceased", _("去世")


class MemberKind(models.TextChoices):
    INDIVIDUAL = "individual", _("个人会员")
    GROUP = "group", _("团体会员")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("专职")
    PART_TIME = "part_time", _("兼职")


# --- care for special families and the health commission --------------------------------------------------


class CoverageKind(models.TextChoices):
    LIAISON = "liaison", _("结对联系人")
    DOCTOR = "doctor", _("家庭医生签约")
    FAST_LANE = "fast_lane", _("就医绿色通道")


class LiaisonLevel(models.TextChoices):
    TOWNSHIP = "township", _("乡镇干部")
    VILLAGE = "village", _("村干部")


class VisitKind(models.TextChoices):
    ROUTINE = "routine", _("日常走访")
    FESTIVAL = "festival", _("节日慰问")
    HOSPITAL = "hospital", _("住院探视")
    BIRTHDAY = "birthday", _("生日慰问")
    OTHER = "other", _("其他")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已办结")


FOLLOW_UP_TRANSITIONS: dict[str, set[str]] = {
    FollowUpStatus.OPEN: {FollowUpStatus.DONE},
    FollowUpStatus.DONE: set(),
}


class ActionStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已办结")
    DROPPED = "dropped", _("已撤销")


ACTION_TRANSITIONS: dict[str, set[str]] = {
    ActionStatus.OPEN: {ActionStatus.DONE, ActionStatus.DROPPED},
    ActionStatus.DONE: set(),
    ActionStatus.DROPPED: set(),
}


class DelegatedStatus(models.TextChoices):
    AGREED = "agreed", _("已签约")
    IN_PROGRESS = "in_progress", _("实施中")
    DELIVERED = "delivered", _("已交付")
    ACCEPTED = "accepted", _("已验收")


DELEGATED_TRANSITIONS: dict[str, set[str]] = {
    DelegatedStatus.AGREED: {DelegatedStatus.IN_PROGRESS, DelegatedStatus.DELIVERED},
    DelegatedStatus.IN_PROGRESS: {DelegatedStatus.DELIVERED},
    DelegatedStatus.DELIVERED: {DelegatedStatus.ACCEPTED, DelegatedStatus.IN_PROGRESS},
    DelegatedStatus.ACCEPTED: set(),
}
