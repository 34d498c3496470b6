from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import Role, declare

_FIELD = [Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER]

VIEW_PERSONS = declare(
    "registry.view_persons",
    _("查看户籍人口"),
    roles=[*_FIELD, Role.FINANCE_OFFICER, Role.PROVINCE_ADMIN, Role.AUDITOR, Role.FUND_MANAGER],
)
EDIT_PERSONS = declare("registry.edit_persons", _("登记和修改户籍人口、记录生活事件"), roles=_FIELD)
# Seeing an ID, phone or bank number in full is a deliberate, audited act, for roles whose work needs it.
UNMASK = declare(
    "registry.unmask", _("查看完整的身份证号、电话和银行账号（留痕）"), roles=[*_FIELD, Role.FINANCE_OFFICER]
)
IMPORT_PERSONS = declare("registry.import_persons", _("批量导入户籍人口"), roles=_FIELD)
EXPORT_PERSONS = declare(
    "registry.export_persons", _("导出户籍人口"), roles=[*_FIELD, Role.PROVINCE_ADMIN, Role.AUDITOR]
)
# Access requests and erasure under PIPL arts. 44–47.
MANAGE_PRIVACY = declare(
    "registry.manage_privacy",
    _("处理个人信息查阅与删除请求"),
    roles=[Role.COUNTY_APPROVER, Role.PROVINCE_ADMIN],
)
