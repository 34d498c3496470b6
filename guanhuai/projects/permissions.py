"""The projects app's named permissions. Proposals come from any branch's project officer; the levels
above review them (a city or province project officer, a county approver); village clerks and township
cadres log activities. docs/projects.md says who holds what."""

from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import Role, declare

_OFFICER = [Role.PROJECT_OFFICER, Role.PROVINCE_ADMIN]

VIEW = declare(
    "projects.view",
    _("查看协会项目"),
    roles=[
        *_OFFICER,
        Role.ASSOCIATION_OFFICER,
        Role.VILLAGE_CLERK,
        Role.TOWNSHIP_REVIEWER,
        Role.COUNTY_APPROVER,
        Role.FINANCE_OFFICER,
        Role.FUND_MANAGER,
        Role.AUDITOR,
    ],
)
PROPOSE = declare("projects.propose", _("申报和实施协会项目"), roles=_OFFICER)
# A reviewer acts at a step of the project type's approval steps (a level of the tree): they must hold this
# permission on the project's branch, at a branch of that level (see services/review.py).
REVIEW = declare("projects.review", _("审核、审批和评估协会项目"), roles=[*_OFFICER, Role.COUNTY_APPROVER])
LOG_ACTIVITIES = declare(
    "projects.log_activities",
    _("登记项目活动、参与人和受益户"),
    roles=[*_OFFICER, Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER],
)
# Spending is a finance act: the officer who records it also needs funds.disburse on the paying fund.
SPEND = declare(
    "projects.spend", _("登记项目资金拨付和支出"), roles=[Role.FINANCE_OFFICER, Role.FUND_MANAGER]
)
FUND = declare("projects.fund", _("为协会项目安排基金分配"), roles=[Role.FUND_MANAGER])
MANAGE_TYPES = declare("projects.manage_types", _("管理项目类型"), roles=[Role.PROVINCE_ADMIN])
# Happy Family selection (幸福家庭评选): the levels above the nominating village recommend a nomination upward
# (推荐) or not, and the project's own level names it (命名). Held at the household's branch of the step's level
# (services/happy.py); a village clerk nominates with LOG_ACTIVITIES.
SELECT_FAMILIES = declare(
    "projects.select_families",
    _("逐级评审和命名幸福家庭"),
    roles=[*_OFFICER, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER],
)
