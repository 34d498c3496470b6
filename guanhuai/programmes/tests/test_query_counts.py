"""Every list page and list endpoint of the programmes answers a large list in no more queries than a small
one (core.testing.assert_queries_flat): an N+1 fails whatever the data size.

Where a list belongs to one object (a cycle's entitlements, a batch's payments) the large list is another
object's: `state` holds the one being looked at, and `grow()` builds a larger one and points at it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from guanhuai.accounts.models import User
from guanhuai.accounts.tests.factories import ApiClient
from guanhuai.core.testing import assert_queries_flat
from guanhuai.programmes.models import AmountRule, RuleVersion
from guanhuai.programmes.services import applications as application_svc
from guanhuai.programmes.services import grievances
from guanhuai.programmes.services import notices as notice_svc
from guanhuai.programmes.tests.cycle_fixtures import (
    approve_all,
    enrol,
    generate,
    pay_cycle,
    person,
    programme,
)
from guanhuai.programmes.tests.factories import ProgrammeFactory
from guanhuai.registry.tests.factories import family

# --- definitions -------------------------------------------------------------------------------------------


@pytest.fixture
def definitions(tree, people):
    """One programme for everyone alive and one family; `grow(n)` adds n programmes, n families, and n
    rule versions and amount rules to the first programme."""
    first = ProgrammeFactory(org_unit=tree.province, created_by=people.admin)
    family(people.clerk_a, tree.village_a)
    made = 1

    def grow(n: int) -> None:
        nonlocal made
        for _ in range(n):
            made += 1
            ProgrammeFactory(org_unit=tree.province, created_by=people.admin)
            family(people.clerk_a, tree.village_a, address=f"幸福路{made}号")
            RuleVersion.objects.create(
                programme=first, version=made, rule={"all": []}, created_by=people.admin
            )
            AmountRule.objects.create(
                programme=first,
                label=f"标准{made}",
                amount=Decimal("10"),
                valid_from=dt.date(2022, made, 1) if made <= 12 else dt.date(2023, 1, 1),
            )

    return SimpleNamespace(first=first, grow=grow)


@pytest.mark.parametrize(
    ("name", "of_first", "most"),
    [("programmes:programme_list", False, 5), ("programmes:programme_missed", True, 8)],
)
def test_definition_pages(client, people, definitions, name, of_first, most):
    url = reverse(name, args=[definitions.first.pk] if of_first else [])
    client.force_login(people.admin)
    assert_queries_flat(lambda: client.get(url), lambda: definitions.grow(4), most=most)


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/programmes", 4),
        ("/programmes/{pk}/rules", 4),
        ("/programmes/{pk}/amount-rules", 4),
        ("/programmes/{pk}/eligible-not-enrolled", 6),
    ],
)
def test_definition_endpoints(people, definitions, path, most):
    api = ApiClient(people.admin)
    url = path.format(pk=definitions.first.pk)
    assert_queries_flat(lambda: api.get(url, limit=100), lambda: definitions.grow(4), most=most)


# --- applications, notices, objections, grievances -------------------------------------------------------


@pytest.fixture
def review(tree, people, apps):
    """`grow(n)`: n more households of 甲村, each applying for a programme of its own, passed by the village
    (by 甲村's second clerk), put on a notice of that programme, objected to, and complained about; and one
    more objection on the first notice."""
    clerk_a2 = User.objects.get(username="clerk_a2")
    first = SimpleNamespace(notice=None, application=None)
    made = 0

    def grow(n: int) -> None:
        nonlocal made
        for _ in range(n):
            made += 1
            head = family(people.clerk_a, tree.village_a, address=f"幸福路{made}号").head
            own = ProgrammeFactory(org_unit=tree.province, created_by=people.admin)
            application, _created = application_svc.application_create(
                actor=people.clerk_a, programme=own, person=head
            )
            application = application_svc.application_submit(actor=people.clerk_a, application=application)
            application_svc.application_review(actor=clerk_a2, application=application, decision="pass")
            notice = notice_svc.notice_open(actor=people.clerk_a, programme=own, org_unit=tree.village_a)
            if first.notice is None:
                first.notice, first.application = notice, application
            notice_svc.objection_record(
                actor=people.clerk_a,
                notice=first.notice,
                application=first.application,
                content=f"异议{made}",
            )
            grievances.grievance_record(
                actor=people.clerk_a, application=application, complainant="村民", content=f"投诉{made}"
            )

    grow(1)
    return SimpleNamespace(grow=grow, first=first)


@pytest.mark.parametrize(
    ("name", "most"),
    [
        ("programmes:application_list", 7),
        ("programmes:notice_list", 6),
        ("programmes:grievance_list", 5),
    ],
)
def test_review_pages(client, people, review, name, most):
    client.force_login(people.clerk_a)
    assert_queries_flat(lambda: client.get(reverse(name)), lambda: review.grow(4), most=most)


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/applications", 4),
        ("/notices", 8),
        ("/notices/{notice}/objections", 4),
        ("/grievances", 4),
    ],
)
def test_review_endpoints(people, review, path, most):
    api = ApiClient(people.clerk_a)
    url = path.format(notice=review.first.notice.pk)
    assert_queries_flat(lambda: api.get(url, limit=100), lambda: review.grow(4), most=most)


# --- enrolments --------------------------------------------------------------------------------------------


@pytest.fixture
def enrolled(tree, staff):
    """One programme; `grow(n)` enrols n more persons of 甲村, each flagged as moved away."""
    prog = programme(tree, staff, code="tefu")
    made = 0

    def grow(n: int) -> None:
        nonlocal made
        for _ in range(n):
            made += 1
            enrol(prog, person(staff.registrar, tree.village_a, f"甲{made}"), flag="moved_away")

    grow(1)
    return SimpleNamespace(programme=prog, grow=grow)


@pytest.mark.parametrize(
    ("name", "row", "most"),
    [("programmes:enrolment_list", "<tr", 7), ("programmes:enrolment_flagged", "data-enrolment=", 8)],
)
def test_enrolment_pages(client, people, enrolled, name, row, most):
    client.force_login(people.approver)
    assert_queries_flat(lambda: client.get(reverse(name)), lambda: enrolled.grow(4), most=most, row=row)


def test_enrolment_endpoint(people, enrolled):
    api = ApiClient(people.approver)
    assert_queries_flat(lambda: api.get("/enrolments", limit=100), lambda: enrolled.grow(4), most=4)


# --- cycles, entitlements, batches, payments ---------------------------------------------------------------


@pytest.fixture
def paid(tree, staff):
    """A paid cycle of one person (with a second, without a bank account, missing one); `grow()` makes a
    larger paid cycle of another programme (five persons at two banks, five without accounts) the one looked
    at, and
    pays the first person three more months."""
    state = SimpleNamespace()

    def paid_cycle(code: str, n: int) -> None:
        prog = programme(tree, staff, code=code, approvals_required=1)
        state.person = None
        for i in range(n):
            p = person(
                staff.registrar, tree.village_a, f"{code}{i}", bank=f"银行{i % 2}"
            )  # two banks: two batches
            enrol(prog, p, start="2026-01-01")
            enrol(
                prog, person(staff.registrar, tree.village_a, f"{code}无卡{i}", bank=None), start="2026-01-01"
            )
            state.person = state.person or p
        cycle = approve_all(staff, generate(staff, prog, "2026-12"))
        state.cycle, state.batch = cycle, pay_cycle(staff, cycle)[0]
        state.programme = prog

    paid_cycle("small", 1)
    first = SimpleNamespace(person=state.person, programme=state.programme)

    def grow() -> None:
        for period in ("2026-09", "2026-10", "2026-11"):
            pay_cycle(staff, approve_all(staff, generate(staff, first.programme, period)))
        paid_cycle("large", 5)

    return SimpleNamespace(state=state, first=first, grow=grow)


@pytest.mark.parametrize(
    ("name", "arg", "most"),
    [
        ("programmes:cycle_list", None, 8),
        ("programmes:cycle_entitlements", "cycle", 7),
        ("programmes:batch_detail", "batch", 7),
    ],
)
def test_cycle_pages(client, staff, paid, name, arg, most):
    client.force_login(staff.finance)

    def fetch():
        return client.get(reverse(name, args=[getattr(paid.state, arg).pk] if arg else []))

    assert_queries_flat(fetch, paid.grow, most=most)


def test_payment_history_page(client, staff, paid):
    client.force_login(staff.finance)
    url = reverse("programmes:payment_history", args=[paid.first.person.pk])
    assert_queries_flat(lambda: client.get(url), paid.grow, most=6)


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/cycles", 4),
        ("/cycles/{cycle}/entitlements", 5),
        ("/cycles/{cycle}/batches", 4),
        ("/cycles/{cycle}/missing-accounts", 5),
        ("/batches/{batch}/payments", 5),
        ("/cycles/persons/{person}/payments", 5),
    ],
)
def test_cycle_endpoints(staff, paid, path, most):
    api = ApiClient(staff.finance)

    def fetch():
        url = path.format(cycle=paid.state.cycle.pk, batch=paid.state.batch.pk, person=paid.first.person.pk)
        return api.get(url, limit=100)

    assert_queries_flat(fetch, paid.grow, most=most)
