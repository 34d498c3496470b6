"""Every list page and list endpoint of the funds answers a large list in no more queries than a small one
(core.testing.assert_queries_flat): an N+1 fails whatever the data size."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts.tests.factories import ApiClient
from guanhuai.core.testing import assert_queries_flat
from guanhuai.funds import services
from guanhuai.funds.tests.factories import allocate, donor, fund, give, purpose

ON = dt.date(timezone.localdate().year - 1, 3, 10)  # an open, past day


@pytest.fixture
def books(tree, money):
    """The provincial fund with one gift and one allocation, paid once; `grow(n)` adds n funds, each with a
    donor who gives to it and to the provincial fund, an allocation, and a payment out of the first one."""
    main = fund(money.manager, tree.province, name="生育关怀基金")
    allocation = None
    made = 0

    def grow(n: int) -> None:
        nonlocal allocation, made
        for _ in range(n):
            made += 1
            own = fund(money.manager, tree.province, name=f"专项基金{made}")
            giver = donor(money.finance, tree.province, name=f"捐赠人{made}", kind="person")
            give(money.finance, own, giver, "100", on=ON)
            give(money.finance, main, giver, "100", on=ON)
            services.allocation_create(
                actor=money.manager,
                fund=own,
                purpose=purpose("general"),
                target_kind="project",
                target_ref=f"project:{made}",
                name=f"项目{made}",
                amount="50",
                posted_on=ON,
            )
            if allocation is None:
                allocation = allocate(
                    money.manager, main, "90", name="主项目", target_ref="project:main", posted_on=ON
                )
            services.disbursement_record(
                actor=money.finance, allocation=allocation, amount="1", paid_on=ON, payee=f"学校{made}"
            )

    grow(1)
    return SimpleNamespace(main=main, grow=grow, allocation=lambda: allocation)


@pytest.mark.parametrize(
    ("name", "args", "row", "most"),
    [
        ("funds:dashboard", False, "data-fund=", 6),
        ("funds:donors", False, "<tr", 5),
        ("funds:receipts", False, "<tr", 5),  # this year's: receipts are issued on the day of recording
        ("funds:donations", True, "<tr", 7),
    ],
)
def test_list_pages(client, books, money, name, args, row, most):
    url = reverse(name, args=[books.main.pk] if args else [])
    client.force_login(money.finance)
    assert_queries_flat(lambda: client.get(url), lambda: books.grow(4), most=most, row=row)


@pytest.mark.parametrize(
    ("path", "most"),
    [("", 6), ("/donors", 4), ("/donations", 5), ("/receipts", 4), ("/allocations", 5)],
)
def test_list_endpoints(books, money, path, most):
    api = ApiClient(money.auditor, prefix="/api/v1/funds")
    assert_queries_flat(lambda: api.get(path, limit=100), lambda: books.grow(4), most=most)


def test_the_disbursements_of_an_allocation(books, money):
    api = ApiClient(money.auditor, prefix="/api/v1/funds")
    assert_queries_flat(
        lambda: api.get(f"/allocations/{books.allocation().pk}/disbursements", limit=100),
        lambda: books.grow(4),
        most=5,
    )
