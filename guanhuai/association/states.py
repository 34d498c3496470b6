"""Statuses of the association's records and their allowed transitions, declared with `core.states.table`
(a status a table does not name is final) and checked through `core.states.transition` / `check`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanhuai.core.states import table


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


FOLLOW_UP_TRANSITIONS = table(FollowUpStatus, open="done")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已办结")
    DROPPED = "dropped", _("已撤销")


ACTION_TRANSITIONS = table(ActionStatus, open="done dropped")


class DelegatedStatus(models.TextChoices):
    AGREED = "agreed", _("已签约")
    IN_PROGRESS = "in_progress", _("实施中")
    DELIVERED = "delivered", _("已交付")
    ACCEPTED = "accepted", _("已验收")


DELEGATED_TRANSITIONS = table(
    DelegatedStatus,
    agreed="in_progress delivered",
    in_progress="delivered",
    delivered="accepted in_progress",
)


# --- part 1: members, governing bodies, re-registration ------------------------------------------------------

# A membership's status follows dated rules, never a hand edit: re-registration lapses it, a withdrawal or a
# transfer ends it, a death in the registry ends it. A lapsed member who re-registers late becomes active
# again; every other end is final (a transferred member's continuation is a new row in the new branch).
MEMBER_TRANSITIONS = table(
    MemberStatus,
    active="lapsed withdrawn transferred_out deceased",
    lapsed="active withdrawn deceased",
)


class BodyKind(models.TextChoices):
    CONGRESS = "congress", _("会员代表大会")
    COUNCIL = "council", _("理事会")
    STANDING_COUNCIL = "standing_council", _("常务理事会")


class Position(models.TextChoices):
    PRESIDENT = "president", _("会长")
    EXECUTIVE_VICE_PRESIDENT = "executive_vp", _("常务副会长")
    VICE_PRESIDENT = "vice_president", _("副会长")
    SECRETARY_GENERAL = "secretary_general", _("秘书长")
    STANDING_MEMBER = "standing_member", _("常务理事")
    COUNCIL_MEMBER = "council_member", _("理事")
    DELEGATE = "delegate", _("会员代表")


# Posts held by one person at a time in a body: a second holder over overlapping dates is refused. Other
# posts (副会长, 理事…) have several holders, and only the same person twice in the same post overlaps.
SOLE_POSITIONS = frozenset(
    {Position.PRESIDENT, Position.EXECUTIVE_VICE_PRESIDENT, Position.SECRETARY_GENERAL}
)


class CampaignStatus(models.TextChoices):
    PREPARING = "preparing", _("正在生成名单")
    OPEN = "open", _("进行中")
    CLOSING = "closing", _("正在结束")
    CLOSED = "closed", _("已结束")


CAMPAIGN_TRANSITIONS = table(CampaignStatus, preparing="open", open="closing", closing="closed")


class MembersDayKind(models.TextChoices):
    PUBLICITY = "publicity", _("宣传咨询")
    HEALTH = "health", _("健康义诊")
    VISIT = "visit", _("走访慰问")
    CULTURE = "culture", _("文体活动")
    VOLUNTEER = "volunteer", _("志愿服务")
    OTHER = "other", _("其他")


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


# --- member import (staging, preview, commit) ---------------------------------------------------------------


class ImportStatus(models.TextChoices):
    STAGED = "staged", _("校验中")
    VALIDATED = "validated", _("已校验")
    COMMITTED = "committed", _("已导入")
    FAILED = "failed", _("失败")


class ImportRowStatus(models.TextChoices):
    PENDING = "pending", _("待校验")
    VALID = "valid", _("有效")
    INVALID = "invalid", _("有错误")
    IMPORTED = "imported", _("已导入")


class ImportAction(models.TextChoices):
    """What a valid row will do: a new membership, or a lapsed one of the same person in the same branch
    re-registered (补办再登记: the same card number, active again)."""

    CREATE = "create", _("新入会")
    REINSTATE = "reinstate", _("恢复会籍")
