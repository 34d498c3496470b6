"""Writes for funds, donors, donations, receipts, allocations and disbursements. Money moves only
through `funds.ledger.post`; these services decide what to post and keep the business records beside it.

Split by seam, and re-exported here so callers keep writing `services.donation_record(...)`:

- `donations`: funds, donors, pledges, donations and their receipts;
- `allocations`: allocations, disbursements and special rounds;
- `goods`: goods in kind distributed out of a fund's in-kind holding, and reversed when recorded in error;
- `periods`: transfers between funds and period closing;
- `common`: today's date, dates not in the future, a restricted fund's purposes."""

from guanhuai.funds.services.allocations import (
    allocation_close,
    allocation_create,
    allocation_remaining,
    disbursement_lines,
    disbursement_record,
    disbursement_reverse,
    special_round_create,
)
from guanhuai.funds.services.common import check_purpose
from guanhuai.funds.services.donations import (
    donation_record,
    donation_reverse,
    donor_create,
    fund_create,
    pledge_create,
    receipt_issue,
    receipt_number,
    receipt_reissue,
    receipt_void,
)
from guanhuai.funds.services.goods import in_kind_distribute, in_kind_held, in_kind_reverse
from guanhuai.funds.services.periods import period_close, transfer_record

__all__ = [
    "allocation_close",
    "allocation_create",
    "allocation_remaining",
    "check_purpose",
    "disbursement_lines",
    "disbursement_record",
    "disbursement_reverse",
    "donation_record",
    "donation_reverse",
    "donor_create",
    "fund_create",
    "in_kind_distribute",
    "in_kind_held",
    "in_kind_reverse",
    "period_close",
    "pledge_create",
    "receipt_issue",
    "receipt_number",
    "receipt_reissue",
    "receipt_void",
    "special_round_create",
    "transfer_record",
]
