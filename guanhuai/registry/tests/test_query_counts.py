"""Every list page and list endpoint of the registry answers a large list in no more queries than a small
one (core.testing.assert_queries_flat): an N+1 fails whatever the data size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from guanhuai.accounts.tests.factories import ApiClient, user_with_role
from guanhuai.core.testing import assert_queries_flat
from guanhuai.registry import services
from guanhuai.registry.tests.factories import family


def families(people, unit, n: int, *, start: int = 0) -> list:
    return [family(people.clerk_a, unit, address=f"幸福路{start + i}号") for i in range(n)]


@pytest.mark.parametrize(
    ("name", "most"),
    [("registry:persons", 6), ("registry:households", 6)],
)
def test_list_pages(client, tree, people, name, most):
    families(people, tree.village_a, 1)
    client.force_login(people.reviewer_a)
    assert_queries_flat(
        lambda: client.get(reverse(name)),
        lambda: families(people, tree.village_a, 4, start=1),
        most=most,
    )


def test_transfers_page(client, tree, people):
    # a clerk of 乙村 asks for persons registered in 甲村: his outbox grows
    clerk_b = user_with_role("village_clerk", tree.village_b, username="clerk_b")
    heads = [h.head for h in families(people, tree.village_a, 5)]

    def ask(persons) -> None:
        for p in persons:
            services.transfer_request(
                actor=clerk_b, id_number=p.id_number, to_unit=tree.village_b, reason="婚嫁迁入"
            )

    ask(heads[:1])
    client.force_login(clerk_b)
    assert_queries_flat(lambda: client.get(reverse("registry:transfers")), lambda: ask(heads[1:]), most=5)


@pytest.mark.parametrize("path", ["/persons", "/households"])
def test_list_endpoints(tree, people, path):
    families(people, tree.village_a, 1)
    api = ApiClient(people.reviewer_a)
    assert_queries_flat(
        lambda: api.get(path, limit=100), lambda: families(people, tree.village_a, 4, start=1), most=4
    )


def test_events_and_consents_of_a_person(tree, people):
    head = families(people, tree.village_a, 1)[0].head
    api = ApiClient(people.approver)

    def assessments() -> None:
        for grade, year in [(4, 2016), (3, 2018), (2, 2020)]:
            services.disability_record(
                actor=people.approver, person=head, grade=grade, occurred_on=dt.date(year, 1, 1)
            )

    def consents() -> None:
        for purpose in ("assistance", "sensitive", "publication"):
            services.consent_record(
                actor=people.approver,
                person=head,
                purpose=purpose,
                scope="特别扶助",
                given_on=dt.date(2025, 1, 1),
                given_by="本人",
            )

    services.disability_record(actor=people.approver, person=head, grade=4, occurred_on=dt.date(2015, 1, 1))
    assert_queries_flat(lambda: api.get(f"/persons/{head.pk}/events"), assessments, most=5)
    consents()
    assert_queries_flat(lambda: api.get(f"/persons/{head.pk}/consents"), consents, most=5)
