"""A batch pays every village of a bank; a village clerk or a township officer sees only their own
payments, and the batch's count and total they are shown (batch page, cycle page, API) are those of what
they may see, never the whole batch's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from guanhuai.programmes.services import payments
from guanhuai.programmes.tests.cycle_fixtures import (
    allocation,
    approve_all,
    enrol,
    generate,
    person,
    programme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(tree, staff):
    alloc = allocation(staff.manager, staff.finance, tree.province, "10000.00")
    prog = programme(tree, staff, amount="590.00", allocation=alloc, funding_source="fund", code="tefu")
    for unit, name in ((tree.village_a, "甲一"), (tree.village_a, "甲二"), (tree.village_b, "乙一")):
        enrol(prog, person(staff.registrar, unit, name, bank="中国农业银行"))
    cycle = approve_all(staff, generate(staff, prog, "2026-12"))
    [b] = payments.batches_create(actor=staff.finance, cycle=cycle)
    assert (b.count, b.total) == (3, Decimal("1770.00"))
    return b


def test_the_batch_page_shows_the_clerks_own_count_and_total(client, batch, people, staff):
    client.force_login(people.clerk_a)
    html = client.get(reverse("programmes:batch_detail", args=[batch.pk])).content.decode()
    assert "2 / ¥1,180.00" in html
    assert "1,770" not in html and "1770" not in html

    client.force_login(staff.finance)
    assert "3 / ¥1,770.00" in client.get(reverse("programmes:batch_detail", args=[batch.pk])).content.decode()


def test_the_batch_page_is_headed_by_the_programme_and_the_period_not_the_batch_code(client, batch, staff):
    client.force_login(staff.finance)
    html = client.get(reverse("programmes:batch_detail", args=[batch.pk])).content.decode()
    heading = html.split("<h1", 1)[1].split("</h1>", 1)[0]
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    name = batch.cycle.programme.name
    assert f"{name} 2026年12月" in heading and f"{name} 2026年12月" in title
    assert batch.number not in heading and batch.number not in title
    assert batch.number in html  # still there, as the field the bank file carries


def test_the_cycle_page_lists_batches_with_the_clerks_own_figures(client, batch, people):
    client.force_login(people.clerk_a)
    html = client.get(reverse("programmes:cycle_detail", args=[batch.cycle_id])).content.decode()
    assert "¥1,180.00" in html
    assert "1,770" not in html and "1770" not in html


def test_the_api_gives_the_clerks_own_count_and_total(client, batch, people, staff):
    client.force_login(people.clerk_a)
    one = client.get(f"/api/v1/batches/{batch.pk}").json()
    listed = client.get(f"/api/v1/cycles/{batch.cycle_id}/batches").json()
    assert (one["count"], one["total"]) == (2, "1180.00")
    assert [(b["count"], b["total"]) for b in listed] == [(2, "1180.00")]

    client.force_login(staff.finance)
    one = client.get(f"/api/v1/batches/{batch.pk}").json()
    assert (one["count"], one["total"]) == (3, "1770.00")


def test_the_result_upload_is_offered_until_the_batch_is_reconciled(client, batch, staff):
    from guanhuai.programmes.tests.cycle_fixtures import bank_result

    client.force_login(staff.finance)
    url = reverse("programmes:batch_detail", args=[batch.pk])
    upload = reverse("programmes:batch_results", args=[batch.pk])
    payments.batch_export(actor=staff.finance, batch=batch)
    exported = client.get(url).content.decode()

    payments.batch_import_results(
        actor=staff.finance, batch=batch, file_name="r.csv", content=bank_result(batch)
    )
    reconciled = client.get(url).content.decode()

    assert upload in exported and "导入回盘并对账" in exported
    assert upload not in reconciled and "导入回盘并对账" not in reconciled
    assert "对账完成：每笔发放都有银行结果，无需再导入回盘。" in reconciled
