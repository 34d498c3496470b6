"""/api/v1/cycles and /api/v1/batches: the same operations as the pages, scoped, with documented codes."""

import pytest

from guanhuai.accounts.tests.factories import ApiClient
from guanhuai.audit.models import AuditEntry
from guanhuai.programmes.models import Cycle, ResultFile
from guanhuai.programmes.tests.cycle_fixtures import bank_result, enrol, person, programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def prog(tree, staff):
    p = programme(tree, staff, amount="590.00", code="tefu")
    enrol(p, person(staff.registrar, tree.village_a, "甲一"))
    enrol(p, person(staff.registrar, tree.village_b, "乙一", bank=None))
    return p


def test_generate_review_approve_batch_export_import_and_history(
    prog, staff, django_capture_on_commit_callbacks
):
    finance = ApiClient(staff.finance)
    # generate: 202 with the job; the job runs after commit
    with django_capture_on_commit_callbacks(execute=True):
        r = finance.post("/cycles", {"programme_id": prog.pk, "period": "2026-12"})
    assert r.status_code == 202, r.data
    cycle_id = r.data["id"]
    assert r.data["job_id"]
    # a second generation is a 409 with the code
    r = finance.post("/cycles", {"programme_id": prog.pk, "period": "2026-12"})
    assert (r.status_code, r.data["code"]) == (409, "cycle_exists")
    # a period of the wrong shape is a 422
    r = finance.post("/cycles", {"programme_id": prog.pk, "period": "2026-13"})
    assert (r.status_code, r.data["code"]) == (422, "bad_period")
    # the summary
    r = finance.get(f"/cycles/{cycle_id}")
    assert r.status_code == 200
    assert r.data["cycle"]["status"] == "review"
    assert r.data["due"] == {"count": 2, "total": "1180.00"}
    assert r.data["by_county"] == [{"name": "仁化县", "count": 2, "total": "1180.00"}]
    # finance may not approve; and whoever generated a cycle may not approve it
    r = finance.post(f"/cycles/{cycle_id}/approve")
    assert (r.status_code, r.data["code"]) == (403, "permission_denied")
    admin = ApiClient(staff.admin)
    other = admin.post("/cycles", {"programme_id": prog.pk, "period": "2026-11"}).data["id"]
    r = admin.post(f"/cycles/{other}/approve")
    assert (r.status_code, r.data["code"]) == (403, "segregation_of_duties")
    for who in (staff.approver, staff.manager):
        r = ApiClient(who).post(f"/cycles/{cycle_id}/approve", {"comment": "同意"})
        assert r.status_code == 200, r.data
    assert r.data["status"] == "approved"
    # batches: one bank; the person without an account is listed
    r = finance.post(f"/cycles/{cycle_id}/batches")
    assert r.status_code == 201 and [b["count"] for b in r.data] == [1]
    batch_id = r.data[0]["id"]
    assert [
        e["person"]["name"] for e in finance.get(f"/cycles/{cycle_id}/missing-accounts").data["items"]
    ] == ["乙一"]
    # export: the bank file; a fund manager may not
    assert ApiClient(staff.manager).post(f"/batches/{batch_id}/export").status_code == 403
    # a GET (a link, an image, a cross-site request) exports nothing and leaves no trace
    assert finance.get(f"/batches/{batch_id}/export", format="csv").status_code == 405
    assert finance.get(f"/batches/{batch_id}").data["status"] == "created"
    assert not AuditEntry.objects.filter(action="programmes.batch.exported").exists()
    r = finance.client.post(f"/api/v1/batches/{batch_id}/export?format=csv", headers=finance.headers)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert finance.get(f"/batches/{batch_id}").data["status"] == "exported"
    # results: 201, then the same file again is a 200 and changes nothing
    from guanhuai.programmes.models import PaymentBatch

    content = bank_result(PaymentBatch.objects.get(pk=batch_id))
    r = finance.upload(f"/batches/{batch_id}/results", "r.csv", content)
    assert (r.status_code, r.data["paid"]) == (201, 1)
    r = finance.upload(f"/batches/{batch_id}/results", "again.csv", content)
    assert r.status_code == 200 and ResultFile.objects.count() == 1
    assert finance.get(f"/batches/{batch_id}").data["status"] == "reconciled"
    # the person's payment history
    person_id = finance.get(f"/batches/{batch_id}/payments").data["items"][0]["person_id"]
    [row] = finance.get(f"/cycles/persons/{person_id}/payments").data
    assert (row["period"], row["amount"], row["outcome"]) == ("2026-12", "590.00", "paid")


def test_a_wrong_result_file_is_a_422_with_the_message(prog, staff):
    from guanhuai.programmes.services import cycles, payments

    cycle, _created = cycles.cycle_generate(
        actor=staff.finance, programme=prog, period="2026-12", inline=True
    )
    for who in (staff.approver, staff.manager):
        cycles.cycle_approve(actor=who, cycle=cycle)
    [batch] = payments.batches_create(actor=staff.finance, cycle=cycle)
    payments.batch_export(actor=staff.finance, batch=batch)
    r = ApiClient(staff.finance).upload(f"/batches/{batch.pk}/results", "r.csv", "不是回盘文件".encode())
    assert (r.status_code, r.data["code"]) == (422, "bad_result_file")


def test_cycles_outside_the_scope_are_404_and_unknown_programmes_422(prog, staff, tree, people):
    from guanhuai.accounts.tests.factories import user_with_role
    from guanhuai.programmes.services import cycles

    cycle, _created = cycles.cycle_generate(
        actor=staff.finance, programme=prog, period="2026-12", inline=True
    )
    # a finance officer of another province sees nothing
    from guanhuai.orgs.tests.factories import OrgUnitFactory

    other = OrgUnitFactory(code="450000", name="广西壮族自治区", level="province")
    outsider = ApiClient(user_with_role("finance_officer", other, username="gx_caiwu"))
    assert outsider.get(f"/cycles/{cycle.pk}").status_code == 404
    r = outsider.post("/cycles", {"programme_id": prog.pk, "period": "2027-01"})
    assert (r.status_code, r.data["code"]) == (422, "unknown_programme")
    assert Cycle.objects.count() == 1
    # a township reviewer sees the province cycle, but only their township's entitlements
    r = ApiClient(people.reviewer_a).get(f"/cycles/{cycle.pk}/entitlements")
    assert r.status_code == 200 and [e["person"]["name"] for e in r.data["items"]] == ["甲一"]


def test_a_replayed_generation_is_200_with_the_first_cycle_and_another_period_under_its_key_is_409(
    prog, staff
):
    finance = ApiClient(staff.finance)
    body = {"programme_id": prog.pk, "period": "2026-12", "idempotency_key": "gen-1"}
    first = finance.post("/cycles", body)
    assert first.status_code == 202, first.data

    again = finance.post("/cycles", body)
    assert (again.status_code, again.data["id"]) == (200, first.data["id"])
    # the same key for another period is not a replay: refused, and no second cycle
    other = finance.post("/cycles", {**body, "period": "2026-11"})
    assert (other.status_code, other.data["code"]) == (409, "idempotency_mismatch")
    assert Cycle.objects.count() == 1
