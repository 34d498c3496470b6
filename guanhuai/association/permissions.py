"""The association app's named permissions. Who holds them, and why a role of its own (协会工作专员) was
added for the association's full-time cadres, is in docs/association.md."""

from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import Role, declare

_OFFICER = [Role.ASSOCIATION_OFFICER, Role.PROVINCE_ADMIN]

VIEW = declare(
    "association.view",
    _("查看协会组织、会员、干部和培训"),
    roles=[*_OFFICER, Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER, Role.AUDITOR],
)
MANAGE_BRANCHES = declare("association.manage_branches", _("管理协会登记信息和理事会"), roles=_OFFICER)
# A village association's chair is usually its village clerk: the clerk keeps the village's member roll.
MANAGE_MEMBERS = declare(
    "association.manage_members", _("管理会员和会员再登记"), roles=[*_OFFICER, Role.VILLAGE_CLERK]
)
MANAGE_CADRES = declare("association.manage_cadres", _("管理协会干部"), roles=_OFFICER)
MANAGE_TRAINING = declare(
    "association.manage_training", _("管理培训班和签到"), roles=[*_OFFICER, Role.PROJECT_OFFICER]
)
MANAGE_VOLUNTEERS = declare(
    "association.manage_volunteers", _("管理志愿者和服务记录"), roles=[*_OFFICER, Role.VILLAGE_CLERK]
)
# Special-family care is the most sensitive data here (失独/伤残): read and written by those who visit.
VIEW_CARE = declare(
    "association.view_care",
    _("查看特殊家庭联系人、签约和走访"),
    roles=[*_OFFICER, Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER],
)
MANAGE_CARE = declare(
    "association.manage_care", _("登记特殊家庭联系人、签约和走访"), roles=[*_OFFICER, Role.VILLAGE_CLERK]
)
MANAGE_MEETINGS = declare("association.manage_meetings", _("管理联席会议和承接事项"), roles=_OFFICER)
# Training is read by whoever views the association and by the project officers who run courses (Youth Health
# is a project): MANAGE_TRAINING is theirs, so the records they manage must be visible to them too.
VIEW_TRAINING = declare(
    "association.view_training",
    _("查看培训班、签到和证书"),
    roles=[
        *_OFFICER,
        Role.VILLAGE_CLERK,
        Role.TOWNSHIP_REVIEWER,
        Role.COUNTY_APPROVER,
        Role.AUDITOR,
        Role.PROJECT_OFFICER,
    ],
)
