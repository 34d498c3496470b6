"""The governance app's named permissions. A village clerk drafts the village's texts and runs its meetings;
the township reviewer receives filings (备案); the governance officer (自治工作专员) and the province
administrator manage everything in their scope."""

from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import Role, declare

_OFFICER = [Role.GOVERNANCE_OFFICER, Role.PROVINCE_ADMIN]

VIEW = declare(
    "governance.view",
    _("查看自治章程、村规民约、会议和备案"),
    roles=[*_OFFICER, Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER, Role.AUDITOR],
)
DRAFT = declare(
    "governance.draft", _("起草和修订自治章程、村规民约，提交备案"), roles=[*_OFFICER, Role.VILLAGE_CLERK]
)
REVIEW_FILING = declare(
    "governance.review_filing", _("审查备案：退回修改或予以备案"), roles=[*_OFFICER, Role.TOWNSHIP_REVIEWER]
)
RUN_MEETINGS = declare(
    "governance.run_meetings", _("组织村民会议、签到和表决"), roles=[*_OFFICER, Role.VILLAGE_CLERK]
)
MANAGE = declare("governance.manage", _("管理村民自治（审查要点、示范评定）"), roles=_OFFICER)

# --- demonstration villages and counties: apply, then township → county → city (→ province) review ---
APPLY_DESIGNATION = declare(
    "governance.apply_designation", _("申报合格村、示范村（县）"), roles=[*_OFFICER, Role.VILLAGE_CLERK]
)
REVIEW_DESIGNATION_TOWNSHIP = declare(
    "governance.review_designation_township",
    _("乡镇审核示范村（合格村）申报"),
    roles=[*_OFFICER, Role.TOWNSHIP_REVIEWER],
)
REVIEW_DESIGNATION_COUNTY = declare(
    "governance.review_designation_county",
    _("县级审核示范村（合格村）申报"),
    roles=[*_OFFICER, Role.COUNTY_APPROVER],
)
