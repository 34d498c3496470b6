from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import Role, declare

_REVIEWERS = [Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER]

VIEW = declare(
    "programmes.view",
    _("查看扶助项目、申请、享受对象和发放"),
    roles=[*_REVIEWERS, Role.FINANCE_OFFICER, Role.FUND_MANAGER, Role.PROVINCE_ADMIN, Role.AUDITOR],
)
MANAGE_PROGRAMMES = declare(
    "programmes.manage_programmes", _("设立扶助项目、编辑资格条件和发放标准"), roles=[Role.PROVINCE_ADMIN]
)
APPLY = declare("programmes.apply", _("录入和提交扶助申请、上传材料"), roles=[Role.VILLAGE_CLERK])
REVIEW_VILLAGE = declare(
    "programmes.review_village", _("村级审核"), roles=[Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER]
)
MANAGE_NOTICES = declare(
    "programmes.manage_notices",
    _("发布公示、登记和处理异议"),
    roles=[Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER],
)
REVIEW_TOWNSHIP = declare("programmes.review_township", _("乡镇审核"), roles=[Role.TOWNSHIP_REVIEWER])
APPROVE_COUNTY = declare("programmes.approve_county", _("县级审批"), roles=[Role.COUNTY_APPROVER])
MANAGE_ENROLMENTS = declare(
    "programmes.manage_enrolments", _("暂停、恢复、退出享受对象，资格确认"), roles=[Role.COUNTY_APPROVER]
)
HANDLE_GRIEVANCES = declare(
    "programmes.handle_grievances", _("登记和办理投诉"), roles=[*_REVIEWERS, Role.FINANCE_OFFICER]
)
GENERATE_CYCLES = declare(
    "programmes.generate_cycles",
    _("生成发放周期、剔除和补发"),
    roles=[Role.FINANCE_OFFICER, Role.PROVINCE_ADMIN],
)
APPROVE_CYCLES = declare(
    "programmes.approve_cycles",
    _("审批发放周期"),
    roles=[Role.COUNTY_APPROVER, Role.FUND_MANAGER, Role.PROVINCE_ADMIN],
)
PAY = declare(
    "programmes.pay",
    _("生成发放批次、导出银行文件（含完整账号）、导入银行回盘"),
    roles=[Role.FINANCE_OFFICER],
)
