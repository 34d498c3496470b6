from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import Role, declare

_MONEY = [Role.FINANCE_OFFICER, Role.FUND_MANAGER]

VIEW_FUNDS = declare(
    "funds.view_funds", _("查看基金、捐赠和账目"), roles=[*_MONEY, Role.AUDITOR, Role.PROVINCE_ADMIN]
)
# A finance officer records what came in; a fund manager decides what goes out.
RECORD_DONATIONS = declare("funds.record_donations", _("登记捐赠人、捐赠并开具收据"), roles=_MONEY)
VOID_RECEIPTS = declare("funds.void_receipts", _("作废和补开收据"), roles=_MONEY)
MANAGE_FUNDS = declare(
    "funds.manage_funds", _("设立基金、分配资金、审批支出、转账"), roles=[Role.FUND_MANAGER]
)
DISBURSE = declare("funds.disburse", _("登记支出"), roles=_MONEY)
CLOSE_PERIODS = declare("funds.close_periods", _("月末结账"), roles=[Role.FUND_MANAGER, Role.FINANCE_OFFICER])
# The ledger check reads the whole database (every fund's ids and problems), so it is held only at the top
# of the tree (see selectors.ledger_check).
RECONCILE = declare("funds.reconcile", _("核对总账"), roles=[Role.FUND_MANAGER, Role.AUDITOR])
