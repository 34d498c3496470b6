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


# --- training ------------------------------------------------------------------------------------------------


class CourseLevel(models.TextChoices):
    """The level a course is run at: the organising branch's level unless said otherwise."""

    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇级")
    VILLAGE = "village", _("村级")


class TrainerKind(models.TextChoices):
    YOUTH_HEALTH = "youth_health", _("青春健康培训师")
    PEER_EDUCATOR = "peer_educator", _("同伴教育者")


class SignInVia(models.TextChoices):
    QR = "qr", _("扫码签到")
    WORD = "word", _("签到码签到")
    MANUAL = "manual", _("培训师补登")
