"""The race for a project's last money, with real threads each on its own PostgreSQL connection: the threads
meet at a barrier, the main thread holds the fund's row locked until all of them wait behind it, then lets
go (core.testing.race). The allocation holds plenty; only the project's share is short, so it is the
project's own check, under the fund lock, that must hold."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from guanhuai.accounts.services import token_create
from guanhuai.core.testing import fresh, lock, outcomes, race
from guanhuai.funds import selectors as funds_selectors
from guanhuai.funds import services as funds_services
from guanhuai.funds.ledger import InsufficientFunds
from guanhuai.funds.models import Disbursement
from guanhuai.projects import selectors, services
from guanhuai.projects.models import ProjectFunding, ProjectSpending

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrency needs PostgreSQL: SQLite has one writer at a time and no SELECT … FOR UPDATE "
        "(run with DATABASE_URL=postgres://…)",
    ),
    pytest.mark.django_db(transaction=True),
]

PAID_ON = dt.date(2025, 6, 1)


@pytest.fixture
def share(tree, types, staff, books):
    """An approved project with a ¥5,000 share of the ¥60,000 allocation, ¥2,000 already spent."""
    project = services.project_create(
        actor=staff.county,
        org_unit=tree.county,
        project_type=types["youth_health"],
        name="仁化县青春健康进校园",
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 12, 31),
        budget_lines=[("活动经费", "5000")],
    )
    services.project_submit(actor=staff.county, project=project)
    services.project_review(actor=staff.city, project=project, decision="pass")
    services.project_review(actor=staff.province, project=project, decision="pass")
    funding = services.project_fund(
        actor=staff.manager, project=project, allocation=books.allocation, amount="5000"
    )
    services.project_spend(
        actor=staff.finance, funding=funding, amount="2000", spent_on=PAID_ON, payee="某中学"
    )
    return funding


def test_two_payments_for_the_last_money_of_a_project_exactly_one_succeeds(staff, books, share):
    # when two finance officers pay ¥3,000 each out of the ¥3,000 left, at the same moment
    def pay(i: int) -> ProjectSpending:
        return services.project_spend(
            actor=fresh(staff.finance),
            funding=ProjectFunding.objects.get(pk=share.pk),
            amount="3000",
            spent_on=PAID_ON,
            payee=f"收款方{i}",
        )[0]

    won, lost = outcomes(race(2, pay, hold=lock(books.fund)))
    # then one is paid, the other refused with the share's message, and nothing of it was written
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], InsufficientFunds)
    assert "只剩 ¥0.00，不足支付 ¥3,000.00" in str(lost[0])
    assert ProjectSpending.objects.count() == Disbursement.objects.count() == 2
    assert selectors.project_money(share.project).spent == Decimal("5000.00")
    assert funds_services.allocation_remaining(books.allocation) == Decimal("55000.00")
    assert funds_selectors.reconcile().ok


def test_two_api_requests_for_the_last_money_one_wins_with_201_the_other_409(staff, books, share):
    _token, key = token_create(actor=staff.finance, name="并发")
    url = f"/api/v1/projects/fundings/{share.pk}/spendings"

    def post(i: int) -> tuple[int, dict]:
        response = Client().post(
            url,
            data=json.dumps({"amount": "3000.00", "spent_on": "2025-06-02", "payee": f"收款方{i}"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
        return response.status_code, response.json()

    results = race(2, post, hold=lock(books.fund))
    codes = sorted(code for code, _body in results)
    assert codes == [201, 409]
    refused = next(body for code, body in results if code == 409)
    assert refused["code"] == "insufficient_funds"
    assert selectors.project_money(share.project).spent == Decimal("5000.00")
