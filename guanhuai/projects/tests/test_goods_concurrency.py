"""Two reversals of one goods use at the same moment, with real threads each on its own PostgreSQL connection
(core.testing.race, the fund's row held until both wait): a double click (one key) reverses once and both
get the reversal; two different requests reverse once and the second is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from guanhuai.core.errors import Conflict
from guanhuai.core.testing import fresh, lock, outcomes, race
from guanhuai.funds import selectors as funds_selectors
from guanhuai.funds import services as funds_services
from guanhuai.funds.models import LedgerTransaction
from guanhuai.funds.tests.factories import donor
from guanhuai.projects import selectors, services
from guanhuai.projects.models import ProjectGoodsUse
from guanhuai.projects.tests.factories import approved_project

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrency needs PostgreSQL: SQLite has one writer at a time and no SELECT … FOR UPDATE "
        "(run with DATABASE_URL=postgres://…)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def wrong(tree, types, staff, books):
    """A project used goods worth ¥1,000.00 out of the fund's ¥5,000.50 of goods, in error."""
    funds_services.donation_record(
        actor=staff.finance,
        donor=donor(staff.manager, tree.province, name="爱心药企"),
        fund=books.fund,
        kind="in_kind",
        amount="5000.50",
        received_on=dt.date(2025, 4, 1),
        items="宣传册",
        quantity="2000",
        valuation_basis="发票",
    )
    project = approved_project(tree, types, staff)
    return services.project_use_goods(
        actor=staff.finance,
        project=project,
        fund=books.fund,
        amount="1000.00",
        used_on=dt.date(2025, 6, 1),
        items="宣传册",
    )[0]


def _reverse(staff, wrong, key):
    def call(_i: int):
        return services.goods_use_reverse(
            actor=fresh(staff.manager),
            use=ProjectGoodsUse.objects.get(pk=wrong.pk),
            reason="价值填错",
            idempotency_key=key(_i),
        )

    return call


def test_a_double_click_racing_reverses_once_and_both_get_the_reversal(staff, books, wrong):
    done, refused = outcomes(race(2, _reverse(staff, wrong, lambda _i: "web:same"), hold=lock(books.fund)))
    assert refused == [] and sorted(created for _use, created in done) == [False, True]
    assert len({use.reversal_id for use, _created in done}) == 1
    assert LedgerTransaction.objects.filter(reverses=wrong.transaction).count() == 1
    assert funds_services.in_kind_held(books.fund) == Decimal("5000.50")
    assert funds_selectors.reconcile().ok


def test_two_different_reversals_racing_one_wins_the_other_is_refused(staff, books, wrong):
    done, refused = outcomes(race(2, _reverse(staff, wrong, lambda i: f"web:{i}"), hold=lock(books.fund)))
    assert len(done) == 1 and len(refused) == 1
    assert isinstance(refused[0], Conflict) and refused[0].code == "already_reversed"
    assert LedgerTransaction.objects.filter(reverses=wrong.transaction).count() == 1
    assert selectors.project_money(wrong.project).goods_used == Decimal("0.00")
    assert funds_services.in_kind_held(books.fund) == Decimal("5000.50")
    assert funds_selectors.reconcile().ok
