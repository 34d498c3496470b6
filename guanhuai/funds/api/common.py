"""What the funds API modules share: the router, its tags, the references a body may name (a fund, donor
or branch that is unknown or out of scope is a 422 about that input) and the output helpers that add
derived figures (balances, remaining amounts) to a batch of rows in one query."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from guanhuai.core.api import actor, ref
from guanhuai.funds import selectors
from guanhuai.funds.models import Allocation, Donation, Donor, Fund, LedgerTransaction, SpecialRound
from guanhuai.funds.states import Account
from guanhuai.orgs import selectors as org_selectors
from guanhuai.orgs.models import OrgUnit

router = Router()

FUNDS = ["funds"]
DONORS = ["funds: donors and donations"]
RECEIPTS = ["funds: receipts"]
SPENDING = ["funds: allocations and disbursements"]
PUBLIC = ["funds: public disclosure"]


def fund_ref(request: HttpRequest, fund_id: int) -> Fund:
    return ref(
        lambda: selectors.fund_get(actor=actor(request), fund_id=fund_id),
        code="unknown_fund",
        message=_("指定的基金（编号 %(id)s）不存在，或您无权操作。") % {"id": fund_id},
    )


def donor_ref(request: HttpRequest, donor_id: int) -> Donor:
    return ref(
        lambda: selectors.donor_get(actor=actor(request), donor_id=donor_id),
        code="unknown_donor",
        message=_("指定的捐赠人（编号 %(id)s）不存在，或您无权操作。") % {"id": donor_id},
    )


def unit_ref(request: HttpRequest, unit_id: int, perm: str = "orgs.view_units") -> OrgUnit:
    return org_selectors.unit_ref(actor=actor(request), unit_id=unit_id, perm=perm)


def with_balances(funds: list[Fund]) -> list[Fund]:
    by_fund = selectors.balances_for(funds)
    for f in funds:
        f.balances_out = by_fund[f.pk]  # type: ignore[attr-defined]
    return funds


def with_remaining(allocations: list[Allocation]) -> list[Allocation]:
    left = selectors.allocations_remaining(allocations)
    for a in allocations:
        a.remaining = left[a.pk]  # type: ignore[attr-defined]
    return allocations


def fund_out(request: HttpRequest, fund_id: int) -> Fund:
    return with_balances([selectors.fund_get(actor=actor(request), fund_id=fund_id)])[0]


def donation_out(request: HttpRequest, donation_id: int) -> Donation:
    return selectors.donation_get(actor=actor(request), donation_id=donation_id)


def allocation_out(request: HttpRequest, allocation_id: int) -> Allocation:
    return with_remaining([selectors.allocation_get(actor=actor(request), allocation_id=allocation_id)])[0]


def transfer_out(txn: LedgerTransaction) -> dict[str, Any]:
    entries = list(txn.entries.all())
    out = next(e for e in entries if e.account == Account.TRANSFERS_OUT)
    into = next(e for e in entries if e.account == Account.TRANSFERS_IN)
    return {
        "id": txn.pk,
        "from_fund_id": out.fund_id,
        "to_fund_id": into.fund_id,
        "amount": out.amount,
        "posted_on": txn.posted_on,
        "description": txn.description,
    }


def round_out(rnd: SpecialRound) -> SpecialRound:
    rnd.families = rnd.disbursements.count()  # type: ignore[attr-defined]
    return rnd
