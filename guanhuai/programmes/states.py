"""Statuses and the allowed transitions of every stateful programme record (docs/programmes.md). A table
names, by value, where each status may move (`core.states.table`); a status it does not name is final."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanhuai.core.states import table


class Target(models.TextChoices):
    PERSON = "person", _("个人")
    COUPLE = "couple", _("夫妻")
    HOUSEHOLD = "household", _("家庭户")


class Benefit(models.TextChoices):
    CASH = "cash", _("现金")
    IN_KIND = "in_kind", _("实物")


class Period(models.TextChoices):
    MONTHLY = "monthly", _("按月")
    QUARTERLY = "quarterly", _("按季度")
    YEARLY = "yearly", _("按年")


class ProRata(models.TextChoices):
    NONE = "none", _("不折算（整期发放）")
    MONTHS = "months", _("按符合条件的月数折算")


class NoticeNames(models.TextChoices):
    """How names appear on a village's printed public notice (docs/programmes.md, "Public notice"). The
    portal always shows the surname only, whatever this says."""

    SURNAME = "surname", _("只显示姓（张**）")
    KEEP_LAST = "keep_last", _("显示姓和末字（张*明）")


class ObjectionIdentity(models.TextChoices):
    """What an online objection (the public portal) must carry about who raises it. At the village counter
    the clerk sees the person; online, the programme decides whether a name and a phone are required."""

    OPTIONAL = "optional", _("姓名和电话可不填（可匿名）")
    REQUIRED = "required", _("须填写姓名和电话")


class ObjectionChannel(models.TextChoices):
    """Where an objection was received: taken at the village by a clerk, or filed on the public portal."""

    COUNTER = "counter", _("村（居）登记")
    ONLINE = "online", _("网上提交")


class FundingSource(models.TextChoices):
    FUND = "fund", _("基金")
    BUDGET = "budget", _("财政预算")


class Step(models.TextChoices):
    """Review levels. A programme lists the steps it uses, in order (default: all four)."""

    VILLAGE = "village", _("村级审核")
    NOTICE = "notice", _("村级公示")
    TOWNSHIP = "township", _("乡镇审核")
    COUNTY = "county", _("县级审批")


DEFAULT_STEPS = [Step.VILLAGE.value, Step.NOTICE.value, Step.TOWNSHIP.value, Step.COUNTY.value]


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    UNDER_REVIEW = "under_review", _("审核中")
    IN_PUBLIC_NOTICE = "in_public_notice", _("公示中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")
    WITHDRAWN = "withdrawn", _("已撤回")


APPLICATION_TRANSITIONS = table(
    ApplicationStatus,
    draft="under_review withdrawn",
    # under_review → under_review: passed one level, on to the next
    under_review="under_review in_public_notice returned approved refused",
    in_public_notice="under_review approved returned refused",
    returned="under_review withdrawn",
)


class Decision(models.TextChoices):
    PASS = "pass", pgettext_lazy("review decision", "通过")
    RETURN = "return", _("退回修改")
    REFUSE = "refuse", _("不予通过")


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("身份证")
    HUKOU_BOOK = "hukou_book", _("户口簿")
    DEATH_CERTIFICATE = "death_certificate", _("死亡证明")
    DISABILITY_CERTIFICATE = "disability_certificate", _("残疾证")
    BIRTH_CERTIFICATE = "birth_certificate", _("出生医学证明")
    ONLY_CHILD_CERTIFICATE = "only_child_certificate", _("独生子女父母光荣证")
    OTHER = "other", _("其他材料")


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("公示中")
    CLOSED = "closed", _("公示结束")


NOTICE_TRANSITIONS = table(NoticeStatus, open="closed")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


OBJECTION_TRANSITIONS = table(ObjectionStatus, open="upheld dismissed")


class GrievanceStatus(models.TextChoices):
    OPEN = "open", _("待受理")
    IN_PROGRESS = "in_progress", _("处理中")
    RESOLVED = "resolved", _("已办结")
    REJECTED = "rejected", _("不予受理")


GRIEVANCE_TRANSITIONS = table(
    GrievanceStatus, open="in_progress rejected resolved", in_progress="resolved rejected"
)


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("享受中")
    SUSPENDED = "suspended", _("暂停")
    EXITED = "exited", _("已退出")


ENROLMENT_TRANSITIONS = table(
    EnrolmentStatus,
    active="suspended exited",
    suspended="active exited",
    # Only `enrolment_reactivate`: a new approved application for a person whose enrolment had exited.
    exited="active",
)


class ExitReason(models.TextChoices):
    DIED = "died", _("死亡")
    NEW_CHILD = "new_child", _("再生育或收养子女")
    MOVED_OUT = "moved_out", _("迁出本省")
    NOT_ELIGIBLE = "not_eligible", _("不再符合条件")
    AGE_LIMIT = "age_limit", _("超过享受年龄")
    OTHER = "other", _("其他")


class FlagReason(models.TextChoices):
    """Why annual re-confirmation flagged an enrolment for a person to look at. Nobody is dropped silently."""

    DIED = "died", _("已死亡")
    NEW_CHILD = "new_child", _("有新生育或收养子女")
    MOVED_OUT = "moved_out", _("已迁出本省")
    NOT_ELIGIBLE = "not_eligible", _("不再符合资格条件")


class CycleStatus(models.TextChoices):
    GENERATING = "generating", _("生成中")
    REVIEW = "review", _("待审批")
    APPROVED = "approved", _("已审批")
    CLOSED = "closed", _("已结束")


CYCLE_TRANSITIONS = table(
    CycleStatus,
    generating="review",
    review="approved",  # once enough approvers have signed
    approved="closed",  # every entitlement paid or excluded
)


class EntitlementKind(models.TextChoices):
    REGULAR = "regular", _("当期")
    ARREARS = "arrears", _("补发（往期）")
    TOP_UP = "top_up", _("补差")


class EntitlementStatus(models.TextChoices):
    DUE = "due", _("应发")
    EXCLUDED = "excluded", _("已剔除")
    BATCHED = "batched", _("发放中")
    PAID = "paid", _("已发放")
    FAILED = "failed", _("发放失败")


ENTITLEMENT_TRANSITIONS = table(
    EntitlementStatus,
    due="excluded batched",
    excluded="due",  # restored during review
    batched="paid failed",
    # A failed payment is paid again in a retry batch, or excluded (e.g. the enrolment stopped).
    failed="batched excluded",
)


class BatchStatus(models.TextChoices):
    CREATED = "created", _("待导出")
    EXPORTED = "exported", _("已导出待回盘")
    RECONCILED = "reconciled", _("已对账")


BATCH_TRANSITIONS = table(
    BatchStatus,
    created="exported",
    exported="reconciled",  # every payment has a bank result
)


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待银行处理")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("失败")


# A failed payment is final: a retry is a new payment in a new batch.
PAYMENT_TRANSITIONS = table(PaymentStatus, pending="paid failed")
