"""Statuses of a project and of its records, and their allowed transitions, declared with `core.states.table`
(a status it does not name is final) and checked through `core.states.transition` / `check`. docs/projects.md draws the lifecycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanhuai.core.states import table


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    UNDER_REVIEW = "under_review", _("审核中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")
    IN_PROGRESS = "in_progress", _("实施中")
    CLOSED = "closed", _("已结项")
    WITHDRAWN = "withdrawn", _("已撤回")


# Proposal (申报) → review at each approval step of the type → approved → funded and in progress → closed.
# A return goes back to the proposing branch, which edits and resubmits; a refusal and a withdrawal are final.
PROJECT_TRANSITIONS = table(
    ProjectStatus,
    draft="under_review withdrawn",
    # under_review → under_review: passed one step, on to the next
    under_review="under_review returned approved refused",
    returned="under_review withdrawn",
    approved="in_progress closed",
    in_progress="closed",
)

# Statuses in which the proposal may still be edited by its branch.
EDITABLE = frozenset({ProjectStatus.DRAFT, ProjectStatus.RETURNED})
# Statuses in which the project runs: money may be spent, activities logged, reports filed.
RUNNING = frozenset({ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS})


class GoodsUseStatus(models.TextChoices):
    RECORDED = "recorded", _("已登记")
    REVERSED = "reversed", _("已冲销")


# A goods use recorded in error is corrected by a reversal in the ledger, never edited or deleted; a
# reversed use is final (record the goods again if they were used after all).
GOODS_USE_TRANSITIONS = table(GoodsUseStatus, recorded="reversed")


class Decision(models.TextChoices):
    PASS = "pass", _("通过")
    RETURN = "return", _("退回修改")
    REFUSE = "refuse", _("不予批准")


class FundingKind(models.TextChoices):
    CASH = "cash", _("资金")
    IN_KIND = "in_kind", _("实物")


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("进度报告")
    FINAL = "final", _("结项报告")


class DocumentKind(models.TextChoices):
    PHOTO = "photo", _("活动照片")
    SIGN_IN = "sign_in", _("签到表")
    REPORT = "report", _("报告附件")
    OTHER = "other", _("其他材料")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


# --- Happy Family selection (幸福家庭评选, services/happy.py) -------------------------------------------------


class NominationStatus(models.TextChoices):
    UNDER_REVIEW = "under_review", _("评选中")
    NAMED = "named", _("已命名")
    NOT_RECOMMENDED = "not_recommended", _("未获推荐")
    REVOKED = "revoked", _("已撤销命名")


# A nomination climbs one level at each recommendation (under_review → under_review), and the last level names
# it; any level may stop it. The naming level may later revoke a title (撤销命名, with a reason). Not
# recommended and revoked are final.
NOMINATION_TRANSITIONS = table(
    NominationStatus, under_review="under_review named not_recommended", named="revoked"
)


class SelectionDecision(models.TextChoices):
    RECOMMEND = "recommend", _("推荐")
    NOT_RECOMMENDED = "not_recommended", _("不予推荐")
    NAME = "name", _("命名")
