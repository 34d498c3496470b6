"""The cycle pages end to end, as the finance officer and the approvers use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from guanhuai.programmes.models import Cycle, Entitlement, PaymentBatch
from guanhuai.programmes.tests.cycle_fixtures import bank_result, enrol, person, programme

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_generate_review_approve_pay_and_see_the_history(tree, staff, django_capture_on_commit_callbacks):
    prog = programme(tree, staff, amount="590.00", code="tefu")
    paid = person(staff.registrar, tree.village_a, "王建国")
    excluded = person(staff.registrar, tree.village_a, "李秀英")
    for p in (paid, excluded):
        enrol(prog, p)
    finance = login(staff.finance)
    # the list with the generate form
    r = finance.get("/programmes/cycles/")
    assert r.status_code == 200 and "生成新的发放周期" in r.content.decode()
    form = r.context["generate_form"]
    with django_capture_on_commit_callbacks(execute=True):
        r = finance.post(
            "/programmes/cycles/generate/",
            {"programme": prog.pk, "period": "2026-12", "idempotency_key": form.initial["idempotency_key"]},
        )
    cycle = Cycle.objects.get()
    assert r.status_code == 302 and r.url == f"/programmes/cycles/{cycle.pk}/"
    # a double click sends the same key: the same cycle, said so, and nothing generated twice
    again = finance.post(
        "/programmes/cycles/generate/",
        {"programme": prog.pk, "period": "2026-12", "idempotency_key": form.initial["idempotency_key"]},
        follow=True,
    )
    assert again.redirect_chain == [(f"/programmes/cycles/{cycle.pk}/", 302)]
    assert "这个发放周期已经创建过，没有重复生成。" in again.content.decode()
    assert Cycle.objects.count() == 1
    # the review screen
    page = finance.get(r.url).content.decode()
    assert "应发 2 笔，合计 ¥1,180.00" in page and "仁化县" in page
    # exclude one, with a reason, from the list
    e = Entitlement.objects.get(person=excluded)
    r = finance.post(f"/programmes/cycles/entitlements/{e.pk}/exclude/", {"reason": "待核实"})
    assert r.status_code == 302
    e.refresh_from_db()
    assert (e.status, e.note) == ("excluded", "待核实")
    # two approvers lock it
    for who in (staff.approver, staff.manager):
        r = login(who).post(f"/programmes/cycles/{cycle.pk}/approve/", {"comment": "同意"})
        assert r.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == "approved"
    # batches, export, results
    finance.post(f"/programmes/cycles/{cycle.pk}/batches/")
    batch = PaymentBatch.objects.get()
    r = finance.post(f"/programmes/cycles/batches/{batch.pk}/export/csv/")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert "批次号,tefu-2026-12-01" in r.content.decode("utf-8-sig")
    r = finance.post(
        f"/programmes/cycles/batches/{batch.pk}/results/",
        {"file": SimpleUploadedFile("result.csv", bank_result(batch))},
    )
    assert r.status_code == 302
    page = finance.get(f"/programmes/cycles/batches/{batch.pk}/").content.decode()
    assert "成功 1 笔，失败 0 笔，问题行 0 行" in page and "已对账" in page
    # the person's payment history shows paid
    page = finance.get(f"/programmes/cycles/persons/{paid.pk}/payments/").content.decode()
    assert 'data-outcome="paid"' in page and "2026-12-20" in page


def test_a_bad_result_file_shows_the_message_and_changes_nothing(tree, staff):
    from guanhuai.programmes.services import cycles, payments

    prog = programme(tree, staff, code="tefu")
    enrol(prog, person(staff.registrar, tree.village_a))
    cycle, _created = cycles.cycle_generate(
        actor=staff.finance, programme=prog, period="2026-12", inline=True
    )
    for who in (staff.approver, staff.manager):
        cycles.cycle_approve(actor=who, cycle=cycle)
    [batch] = payments.batches_create(actor=staff.finance, cycle=cycle)
    payments.batch_export(actor=staff.finance, batch=batch)
    finance = login(staff.finance)
    r = finance.post(
        f"/programmes/cycles/batches/{batch.pk}/results/",
        {"file": SimpleUploadedFile("r.csv", "批次号,别的批次\n笔数,0\n总金额,0\n".encode())},
        follow=True,
    )
    assert "回盘文件第4行应为" in r.content.decode() or "回盘文件属于批次" in r.content.decode()
    assert batch.payments.get().status == "pending"


def test_pages_of_cycles_outside_the_scope_are_404(tree, staff):
    from guanhuai.accounts.tests.factories import user_with_role
    from guanhuai.orgs.tests.factories import OrgUnitFactory
    from guanhuai.programmes.services import cycles

    prog = programme(tree, staff)
    p = person(staff.registrar, tree.village_a)
    enrol(prog, p)
    cycle, _created = cycles.cycle_generate(
        actor=staff.finance, programme=prog, period="2026-12", inline=True
    )
    other = OrgUnitFactory(code="450000", name="广西壮族自治区", level="province")
    outsider = login(user_with_role("finance_officer", other, username="gx"))
    assert outsider.get(f"/programmes/cycles/{cycle.pk}/").status_code == 404
    assert outsider.get(f"/programmes/cycles/persons/{p.pk}/payments/").status_code == 404


def test_the_review_screen_query_count_does_not_grow_with_the_cycle(
    tree, staff, django_assert_max_num_queries
):
    from guanhuai.programmes.services import cycles

    prog = programme(tree, staff)
    for i in range(12):
        enrol(prog, person(staff.registrar, tree.village_a if i % 2 else tree.village_b, f"人{i}"))
    cycle, _created = cycles.cycle_generate(
        actor=staff.finance, programme=prog, period="2026-12", inline=True
    )
    finance = login(staff.finance)
    with django_assert_max_num_queries(30):
        assert finance.get(f"/programmes/cycles/{cycle.pk}/").status_code == 200
    with django_assert_max_num_queries(20):
        assert finance.get(f"/programmes/cycles/{cycle.pk}/entitlements/").status_code == 200
