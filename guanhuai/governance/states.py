"""Kinds and statuses of the governance records and their allowed transitions, declared with `core.states.table`
(a status a table does not name is final) and checked through `core.states.transition` / `check`: documents,
meetings and motions, amendments and filing, demonstration designation."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanhuai.core.states import table

# --- documents ---------------------------------------------------------------------------------------------


class DocumentKind(models.TextChoices):
    CHARTER = "charter", _("村民自治章程")
    VILLAGE_RULES = "village_rules", _("村规民约")
    RESIDENTS_COMPACT = "residents_compact", _("居民公约")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草案")
    ADOPTED = "adopted", _("现行有效")
    SUPERSEDED = "superseded", _("已废止")
    WITHDRAWN = "withdrawn", _("已撤回")


# A draft is adopted by a passed motion (services/documents.py `version_adopt`) or abandoned; an adopted
# version is never edited, and leaves force only when the next version is adopted.
VERSION_TRANSITIONS = table(VersionStatus, draft="adopted withdrawn", adopted="superseded")


# --- meetings and motions -------------------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    VILLAGERS_ASSEMBLY = "villagers_assembly", _("村民会议")
    REPRESENTATIVES_MEETING = "representatives_meeting", _("村民代表会议")
    GROUP_MEETING = "group_meeting", _("村民小组会议")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    CONVENED = "convened", _("已发通知")
    OPEN = "open", _("会议进行中")
    VOTING = "voting", _("表决中")
    CLOSED = "closed", _("已闭会")


MEETING_TRANSITIONS = table(
    MeetingStatus,
    draft="convened",
    convened="open",
    open="voting closed",
    voting="open closed",
)


class MotionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待表决")
    VOTING = "voting", _("表决中")
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")


# A tally correction before the meeting closes may turn a result (passed ↔ failed); closing locks it.
MOTION_TRANSITIONS = table(
    MotionStatus,
    proposed="voting",
    voting="passed failed",
    passed="failed",
    failed="passed",
)


class ConvenedBy(models.TextChoices):
    COMMITTEE = "committee", _("村民委员会召集")
    VILLAGERS = "villagers", _("村民提议")
    REPRESENTATIVES = "representatives", _("村民代表提议")


class DelegateRole(models.TextChoices):
    COMMITTEE = "committee", _("村民委员会成员")
    REPRESENTATIVE = "representative", _("村民代表")


class SignInVia(models.TextChoices):
    SEARCH = "search", _("搜索")
    CODE = "code", _("签到码")
    PROXY = "proxy", _("委托")


class VoteMode(models.TextChoices):
    COUNTS = "counts", _("举手计数")
    BALLOTS = "ballots", _("纸质选票")
    ROLL_CALL = "roll_call", _("记名表决")


class VoteChoice(models.TextChoices):
    FOR = "for", _("赞成")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class TallyKind(models.TextChoices):
    RECORDED = "recorded", _("计票")
    CORRECTED = "corrected", _("更正")


# --- amendments and filing -----------------------------------------------------------------------------------


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("未采纳")


AMENDMENT_TRANSITIONS = table(AmendmentStatus, proposed="accepted rejected")


class ProposerKind(models.TextChoices):
    VILLAGER = "villager", _("村民")
    REPRESENTATIVE = "representative", _("村民代表")
    COMMITTEE = "committee", _("村民委员会")


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审查")
    RETURNED = "returned", _("退回修改")
    FILED = "filed", _("已备案")


# Returned for correction, the village resubmits (the same version with an explanation, or a corrected
# version adopted since); a filed version stays filed until a newer version of the document is filed.
FILING_TRANSITIONS = table(FilingStatus, submitted="returned filed", returned="submitted")


class FilingAction(models.TextChoices):
    SUBMITTED = "submitted", _("报送备案")
    RETURNED = "returned", _("退回修改")
    RESUBMITTED = "resubmitted", _("重新报送")
    FILED = "filed", _("予以备案")


# --- demonstration villages and counties (示范村/县) ---------------------------------------------------------


class Rating(models.TextChoices):
    QUALIFIED = "qualified", _("合格")
    DEMONSTRATION = "demonstration", _("示范")


class DesignationStep(models.TextChoices):
    """The levels that review an application, in order (a village's: township → county → city; a county's:
    city → province). Each is decided by someone whose scope covers the applicant's branch at that level."""

    TOWNSHIP = "township", _("乡镇审核")
    COUNTY = "county", _("县级审核")
    CITY = "city", _("市级审核")
    PROVINCE = "province", _("省级审核")


class ApplicationStatus(models.TextChoices):
    UNDER_REVIEW = "under_review", _("审核中")
    APPROVED = "approved", _("已评定")
    REFUSED = "refused", _("未通过")


APPLICATION_TRANSITIONS = table(ApplicationStatus, under_review="approved refused")


class ReviewDecisionKind(models.TextChoices):
    PASS = "pass", _("通过")
    REFUSE = "refuse", _("不通过")


class DesignationStatus(models.TextChoices):
    """In force until `valid_until` (after which it has expired: a date, not a state), unless revoked or
    renewed by a later designation of the same branch."""

    IN_FORCE = "in_force", _("有效")
    RENEWED = "renewed", _("已复评换发")
    REVOKED = "revoked", _("已撤销")


DESIGNATION_TRANSITIONS = table(DesignationStatus, in_force="renewed revoked")
