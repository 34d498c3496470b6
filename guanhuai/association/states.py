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
